// Unit tests for float support in the fuzzing engine (worker / in-process): harvesting float
// and double constants from bytes and from this test's own ELF file (filter, deduplication,
// ranking, texts), ulp arithmetic, each Float* mutator, and the dispatcher's Float* family
// (its MS: names, the -float_mutators switch, bounds).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "runtime/engine/float_constants.h"
#include "runtime/engine/float_mutators.h"
#include "runtime/engine/mutation_dispatcher.h"

// Kept in this binary's .rodata (external linkage, used below) for the ELF harvest test.
extern const double kShoalUnitTestDoubles[2];
const double kShoalUnitTestDoubles[2] = {8642.1357, -0.0078125};
extern const float kShoalUnitTestFloat;
const float kShoalUnitTestFloat = 97.53125f;

namespace fuzzer {
namespace {

void PutDouble(std::vector<uint8_t>* out, size_t at, double value) { memcpy(out->data() + at, &value, 8); }
void PutFloat(std::vector<uint8_t>* out, size_t at, float value) { memcpy(out->data() + at, &value, 4); }

bool Has(const FloatConstants& constants, double value, size_t width) {
  for (const FloatConstant& c : constants.constants())
    if (c.width == width && c.value == value && std::signbit(c.value) == std::signbit(value)) return true;
  return false;
}

std::string Text(const FloatConstants& constants, double value, size_t width) {
  for (const FloatConstant& c : constants.constants())
    if (c.width == width && c.value == value) return std::string(c.text, c.text_size);
  return "<missing>";
}

std::string Bytes8(double value, bool big_endian) {
  uint8_t bytes[8];
  memcpy(bytes, &value, 8);
  std::string out(reinterpret_cast<char*>(bytes), 8);
  if (big_endian) std::reverse(out.begin(), out.end());
  return out;
}

std::string Bytes4(float value, bool big_endian) {
  uint8_t bytes[4];
  memcpy(bytes, &value, 4);
  std::string out(reinterpret_cast<char*>(bytes), 4);
  if (big_endian) std::reverse(out.begin(), out.end());
  return out;
}

// A buffer shaped like a .rodata section: known constants among strings, integers and junk.
std::vector<uint8_t> RodataLikeBuffer() {
  std::vector<uint8_t> b(160, 0);
  PutDouble(&b, 0, 3.14159265358979);
  PutDouble(&b, 8, -1234.5625);
  PutDouble(&b, 16, 1e300);
  PutDouble(&b, 24, 3.14159265358979);  // a duplicate
  memcpy(b.data() + 32, "abcdefghijklmnop", 16);  // text
  PutDouble(&b, 48, std::numeric_limits<double>::quiet_NaN());
  PutDouble(&b, 56, std::numeric_limits<double>::infinity());
  PutDouble(&b, 64, std::numeric_limits<double>::denorm_min());
  uint64_t small_integer = 12345;  // a denormal as a double, and as two floats
  memcpy(b.data() + 72, &small_integer, 8);
  PutFloat(&b, 80, 2.71828f);
  PutFloat(&b, 84, 0.0f);
  PutDouble(&b, 92, 77.25);  // not 8-aligned: only its float halves are looked at
  PutFloat(&b, 104, 2.71828f);  // a duplicate
  return b;
}

TEST(FloatConstantsTest, HarvestsKnownConstantsAndSkipsJunk) {
  const std::vector<uint8_t> buffer = RodataLikeBuffer();
  FloatConstants constants;
  constants.AddFromBytes(buffer.data(), buffer.size(), 0x1000);
  constants.Finish();
  EXPECT_TRUE(Has(constants, 3.14159265358979, 8));
  EXPECT_TRUE(Has(constants, -1234.5625, 8));  // mostly zero bytes, still a constant
  EXPECT_TRUE(Has(constants, 1e300, 8));
  EXPECT_TRUE(Has(constants, 2.71828f, 4));
  EXPECT_FALSE(Has(constants, 77.25, 8)) << "misaligned double";
  // Short mantissas whose bytes all look like text or NUL ("\0\0\0\0\0\0\0@") are kept.
  std::vector<uint8_t> round(16, 0);
  PutDouble(&round, 0, 2.0);
  PutDouble(&round, 8, 100.0);
  FloatConstants round_constants;
  round_constants.AddFromBytes(round.data(), round.size(), 0);
  round_constants.Finish();
  EXPECT_TRUE(Has(round_constants, 2.0, 8));
  EXPECT_TRUE(Has(round_constants, 100.0, 8));
  EXPECT_TRUE(Has(round_constants, 2.0f, 4)) << "the high half of 2.0 as a float";
  std::set<std::pair<uint64_t, size_t>> seen;
  for (const FloatConstant& c : constants.constants()) {
    EXPECT_TRUE(std::isnormal(c.width == 4 ? static_cast<float>(c.value) : c.value)) << c.value;
    EXPECT_TRUE(seen.insert({FloatBits(c.value, c.width), c.width}).second) << "duplicate " << c.value;
  }
  // Nothing from the text, the NaN, infinity, denormal and integer windows got in: every
  // float that did is half of one of the doubles above (or 2.71828f).
  for (const FloatConstant& c : constants.constants()) {
    if (c.width != 4 || static_cast<float>(c.value) == 2.71828f) continue;
    const uint32_t bits = static_cast<uint32_t>(FloatBits(c.value, 4));
    bool half_of_double = false;
    for (double d : {3.14159265358979, -1234.5625, 1e300, 77.25}) {
      const uint64_t dbits = FloatBits(d, 8);
      half_of_double |= bits == static_cast<uint32_t>(dbits) || bits == uint32_t(dbits >> 32);
    }
    EXPECT_TRUE(half_of_double) << c.value;
  }
  EXPECT_LE(constants.size(), 10u);
}

TEST(FloatConstantsTest, ImplausibleValuesAreDropped) {
  EXPECT_TRUE(FloatConstants::IsPlausible(3.14159265358979, 8, 15));
  EXPECT_TRUE(FloatConstants::IsPlausible(1e300, 8, 1));
  EXPECT_TRUE(FloatConstants::IsPlausible(6.02214076e23, 8, 9));
  EXPECT_FALSE(FloatConstants::IsPlausible(-1.4144505084624256e+308, 8, 17));
  EXPECT_FALSE(FloatConstants::IsPlausible(1.0591291e-22, 4, 8));
  EXPECT_TRUE(FloatConstants::IsPlausible(2.71828f, 4, 6));
  EXPECT_TRUE(FloatConstants::IsPlausible(1e30f, 4, 1));
  std::vector<uint8_t> b(16, 0);
  PutDouble(&b, 0, -1.4144505084624256e+308);  // bit-pattern junk
  PutDouble(&b, 8, 2e300);
  FloatConstants constants;
  constants.AddFromBytes(b.data(), b.size(), 0);
  constants.Finish();
  EXPECT_FALSE(Has(constants, -1.4144505084624256e+308, 8));
  EXPECT_TRUE(Has(constants, 2e300, 8));
}

TEST(FloatConstantsTest, AlignmentFollowsTheLoadAddress) {
  std::vector<uint8_t> b(16, 0);
  PutDouble(&b, 4, 77.25);
  FloatConstants at_zero, at_four;
  at_zero.AddFromBytes(b.data(), b.size(), 0);  // the double sits at address 4: skipped
  at_four.AddFromBytes(b.data(), b.size(), 4);  // at address 8: taken
  at_zero.Finish();
  at_four.Finish();
  EXPECT_FALSE(Has(at_zero, 77.25, 8));
  EXPECT_TRUE(Has(at_four, 77.25, 8));
}

TEST(FloatConstantsTest, ShortestTextsReadBackExactly) {
  const std::vector<uint8_t> buffer = RodataLikeBuffer();
  FloatConstants constants;
  constants.AddFromBytes(buffer.data(), buffer.size(), 0);
  constants.Finish();
  EXPECT_EQ(Text(constants, 3.14159265358979, 8), "3.14159265358979");
  EXPECT_EQ(Text(constants, -1234.5625, 8), "-1234.5625");
  EXPECT_EQ(Text(constants, 1e300, 8), "1e+300");
  EXPECT_EQ(Text(constants, 2.71828f, 4), "2.71828");
  char text[30];
  EXPECT_EQ(std::string(text, ShortestFloatText(6.02214076e23, 8, text)), "6.02214076e+23");
  EXPECT_EQ(std::string(text, ShortestFloatText(0.1, 8, text)), "0.1");
  EXPECT_EQ(std::string(text, ShortestFloatText(0.1f, 4, text)), "0.1");
}

TEST(FloatConstantsTest, CapKeepsTheFewestDigitsFirst) {
  std::vector<uint8_t> b(32, 0);
  PutDouble(&b, 0, 3.14159265358979);  // 15 digits
  PutDouble(&b, 8, 1e300);             // 1
  PutDouble(&b, 16, 0.375);            // 3
  PutDouble(&b, 24, -1234.5625);       // 8
  FloatConstants constants;
  constants.AddFromBytes(b.data(), b.size(), 0);
  constants.Finish(/*max_count=*/2);
  ASSERT_EQ(constants.size(), 2u);
  // File order is kept among the survivors.
  EXPECT_EQ(constants.constants()[0].value, 1e300);
  EXPECT_EQ(constants.constants()[1].value, 0.375);
}

TEST(FloatConstantsTest, HarvestsThisBinarysReadOnlyData) {
  const FloatConstants& constants = HarvestedFloatConstants();
  EXPECT_TRUE(Has(constants, kShoalUnitTestDoubles[0], 8)) << constants.size();
  EXPECT_TRUE(Has(constants, kShoalUnitTestDoubles[1], 8));
  EXPECT_TRUE(Has(constants, kShoalUnitTestFloat, 4));
  EXPECT_LE(constants.size(), FloatConstants::kMaxConstants);
  FloatConstants none;
  EXPECT_FALSE(none.AddFromElf("/proc/self/status"));  // not an ELF file
  EXPECT_FALSE(none.AddFromElf("/nonexistent/shoal"));
  EXPECT_TRUE(none.empty());
}

TEST(FloatMutatorsTest, StepUlpsFollowsIeeeOrder) {
  const double inf = std::numeric_limits<double>::infinity();
  const double tiny = std::numeric_limits<double>::denorm_min();
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(1.0, 8), 8, 1), 8), std::nextafter(1.0, 2.0));
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(1.0, 8), 8, -1), 8), std::nextafter(1.0, 0.0));
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(-1.0, 8), 8, 1), 8), std::nextafter(-1.0, 0.0));
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(0.0, 8), 8, -1), 8), -tiny);
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(-0.0, 8), 8, 1), 8), tiny);
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(tiny, 8), 8, -2), 8), -tiny);
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(1e300, 8), 8, 3), 8),
            std::nextafter(std::nextafter(std::nextafter(1e300, inf), inf), inf));
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(inf, 8), 8, 5), 8), inf);
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(-inf, 8), 8, INT64_MIN), 8), -inf);
  const uint64_t nan = FloatBits(std::numeric_limits<double>::quiet_NaN(), 8);
  EXPECT_EQ(StepUlps(nan, 8, 1), nan);
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(2.5f, 4), 4, 1), 4), std::nextafter(2.5f, 3.0f));
  EXPECT_EQ(FloatFromBits(StepUlps(FloatBits(0.0f, 4), 4, -1), 4),
            -std::numeric_limits<float>::denorm_min());
}

// Applies `kind` to a fresh copy of input `trials` times; returns every distinct output.
std::set<std::string> Outcomes(FloatMutators* mutators, FloatMutators::Kind kind,
                               const std::string& input, size_t max_size, size_t trials = 4000) {
  std::set<std::string> out;
  std::vector<uint8_t> buffer(max_size);
  for (size_t i = 0; i < trials; i++) {
    memcpy(buffer.data(), input.data(), input.size());
    const size_t size = mutators->Apply(kind, buffer.data(), input.size(), max_size);
    if (size == 0) continue;
    EXPECT_LE(size, max_size);
    out.insert(std::string(reinterpret_cast<char*>(buffer.data()), size));
  }
  return out;
}

FloatConstants OneConstant(double value, uint8_t width) {
  FloatConstants constants;
  constants.Add(value, width);
  constants.Finish();
  return constants;
}

TEST(FloatMutatorsTest, ConstWritesTheConstantInBothWidthsOrdersAndOneUlpAside) {
  Random rand(11);
  FloatMutators mutators(&rand);
  EXPECT_TRUE(Outcomes(&mutators, FloatMutators::Kind::kConst, std::string(8, 'x'), 8).empty())
      << "no constants, nothing to write";
  const FloatConstants constants = OneConstant(-1234.5625, 8);
  ASSERT_EQ(constants.size(), 1u);
  mutators.SetConstants(&constants);
  const auto out = Outcomes(&mutators, FloatMutators::Kind::kConst, std::string(8, 'x'), 8);
  EXPECT_TRUE(out.count(Bytes8(-1234.5625, false)));
  EXPECT_TRUE(out.count(Bytes8(-1234.5625, true)));
  EXPECT_TRUE(out.count(Bytes8(std::nextafter(-1234.5625, 0.0), false)));
  EXPECT_TRUE(out.count(Bytes8(std::nextafter(-1234.5625, -1e9), true)));
  EXPECT_TRUE(out.count(Bytes4(-1234.5625f, false) + "xxxx"));
  EXPECT_TRUE(out.count("xxxx" + Bytes4(-1234.5625f, true)));
  // With room to grow it also inserts.
  const auto grown = Outcomes(&mutators, FloatMutators::Kind::kConst, "ab", 16);
  EXPECT_TRUE(grown.count("a" + Bytes8(-1234.5625, false) + "b"));
}

TEST(FloatMutatorsTest, UlpSignAndExpChangeTheWindowsValue) {
  Random rand(12);
  FloatMutators mutators(&rand);
  const std::string one = Bytes8(1.5, false);
  auto ulp = Outcomes(&mutators, FloatMutators::Kind::kUlp, one, 8);
  EXPECT_TRUE(ulp.count(Bytes8(std::nextafter(1.5, 2.0), false)));
  EXPECT_TRUE(ulp.count(Bytes8(std::nextafter(1.5, 0.0), false)));
  EXPECT_FALSE(ulp.count(one));
  auto sign = Outcomes(&mutators, FloatMutators::Kind::kSign, one, 8);
  EXPECT_TRUE(sign.count(Bytes8(-1.5, false)));
  auto sign_be = Outcomes(&mutators, FloatMutators::Kind::kSign, Bytes4(2.5f, true), 4);
  EXPECT_TRUE(sign_be.count(Bytes4(-2.5f, true)));
  auto exp = Outcomes(&mutators, FloatMutators::Kind::kExp, one, 8);
  EXPECT_TRUE(exp.count(Bytes8(3.0, false)));    // exponent + 1
  EXPECT_TRUE(exp.count(Bytes8(0.75, false)));   // exponent - 1
  EXPECT_TRUE(exp.count(Bytes8(15.0, false)));   // times 10
  EXPECT_TRUE(exp.count(Bytes8(0.015, false)));  // divided by 100
  for (const auto& set : {ulp, sign, exp}) {
    for (const std::string& s : set) EXPECT_EQ(s.size(), 8u);
  }
  EXPECT_TRUE(Outcomes(&mutators, FloatMutators::Kind::kUlp, "abc", 3).empty()) << "no window";
}

TEST(FloatMutatorsTest, SpecialWritesEachSpecialValue) {
  Random rand(13);
  FloatMutators mutators(&rand);
  const auto out = Outcomes(&mutators, FloatMutators::Kind::kSpecial, "", 8);
  using D = std::numeric_limits<double>;
  using F = std::numeric_limits<float>;
  for (double d : {0.0, -0.0, D::infinity(), -D::infinity(), D::quiet_NaN(), D::max(), -D::max(),
                   D::min(), D::denorm_min(), 1.0, -1.0}) {
    EXPECT_TRUE(out.count(Bytes8(d, false))) << d;
    EXPECT_TRUE(out.count(Bytes8(d, true))) << d;
  }
  for (float f : {0.0f, -0.0f, F::infinity(), F::quiet_NaN(), F::max(), F::min(), F::denorm_min(),
                  -1.0f}) {
    EXPECT_TRUE(out.count(Bytes4(f, false))) << f;
  }
}

TEST(FloatMutatorsTest, ConvConvertsBetweenIntegersFloatsAndWidths) {
  Random rand(14);
  FloatMutators mutators(&rand);
  int32_t integer = -12345;
  std::string int_bytes(reinterpret_cast<char*>(&integer), 4);
  auto out = Outcomes(&mutators, FloatMutators::Kind::kConv, int_bytes, 4);
  EXPECT_TRUE(out.count(Bytes4(-12345.0f, false)));  // integer -> float
  out = Outcomes(&mutators, FloatMutators::Kind::kConv, Bytes4(7.9f, false), 4);
  int32_t seven = 7;
  EXPECT_TRUE(out.count(std::string(reinterpret_cast<char*>(&seven), 4)));  // float -> integer
  out = Outcomes(&mutators, FloatMutators::Kind::kConv, Bytes4(1.5f, false) + "zzzz", 8);
  EXPECT_TRUE(out.count(Bytes8(1.5, false)));  // float -> double
  out = Outcomes(&mutators, FloatMutators::Kind::kConv, Bytes8(0.25, true), 8);
  EXPECT_TRUE(out.count(Bytes4(0.25f, true) + Bytes8(0.25, true).substr(4)));  // double -> float
  out = Outcomes(&mutators, FloatMutators::Kind::kConv,
                 Bytes8(std::numeric_limits<double>::quiet_NaN(), false), 8);
  EXPECT_TRUE(out.count(std::string(8, '\0'))) << "NaN converts to integer 0";
}

TEST(FloatMutatorsTest, AsciiReplacesANumberOrPlacesTheText) {
  Random rand(15);
  FloatMutators mutators(&rand);
  const FloatConstants constants = OneConstant(6.02214076e23, 8);
  mutators.SetConstants(&constants);
  const auto out = Outcomes(&mutators, FloatMutators::Kind::kAscii, "x=-1.5e-3;", 40);
  EXPECT_TRUE(out.count("x=6.02214076e+23;")) << "the whole number replaced";
  EXPECT_TRUE(out.count("6.02214076e+23x=-1.5e-3;")) << "inserted";
  EXPECT_TRUE(out.count("x=6.0221407599999993e+23;") || out.count("x=6.0221407600000005e+23;") ||
              out.count("x=6.0221407599999999e+23;") || out.count("x=6.0221407600000010e+23;"))
      << "one ulp aside";
  const auto from_empty = Outcomes(&mutators, FloatMutators::Kind::kAscii, "", 20);
  EXPECT_TRUE(from_empty.count("6.02214076e+23"));
  for (const std::string& s : from_empty) EXPECT_LE(s.size(), 20u);
  EXPECT_TRUE(Outcomes(&mutators, FloatMutators::Kind::kAscii, "", 10).empty()) << "no room";
}

TEST(FloatMutatorsTest, MutateFallsThroughToAKindThatApplies) {
  Random rand(16);
  FloatMutators mutators(&rand);
  uint8_t data[3] = {1, 2, 3};
  FloatMutators::Kind kind;
  EXPECT_EQ(mutators.Mutate(data, 3, 3, &kind), 0u) << "no window, no room, no constants";
  // An empty input with room: only FloatSpecial applies (nothing to read, no constants).
  for (int i = 0; i < 200; i++) {
    uint8_t room[8] = {};
    const size_t size = mutators.Mutate(room, 0, 8, &kind);
    EXPECT_TRUE(size == 4 || size == 8) << size;
    EXPECT_EQ(kind, FloatMutators::Kind::kSpecial);
  }
}

// The dispatcher: every Float* name appears with constants, none with -float_mutators=0,
// and results stay within bounds (ASan builds catch writes past max_size).
std::vector<std::string> NamesOf(const std::string& description) {
  std::vector<std::string> names;
  size_t pos = description.find(' ', 4);
  if (pos == std::string::npos) return names;
  for (pos++; pos < description.size() && description[pos] != ' ';) {
    const size_t dash = description.find('-', pos);
    if (dash == std::string::npos) break;
    names.push_back(description.substr(pos, dash - pos));
    pos = dash + 1;
  }
  return names;
}

std::set<std::string> FloatNamesSeen(bool float_mutators, const FloatConstants* constants) {
  Random rand(17);
  MutationOptions options;
  options.float_mutators = float_mutators;
  MutationDispatcher dispatcher(&rand, options, nullptr);
  dispatcher.SetFloatConstants(constants);
  std::set<std::string> seen;
  std::vector<uint8_t> data(64);
  const std::string input = "v=12.5;\x01\x02\x03\x04\x05\x06\x07\x08";
  for (int i = 0; i < 20000; i++) {
    memcpy(data.data(), input.data(), input.size());
    dispatcher.StartMutationSequence();
    const size_t size = dispatcher.Mutate(data.data(), input.size(), data.size());
    EXPECT_GE(size, 1u);
    EXPECT_LE(size, data.size());
    for (const std::string& name : NamesOf(dispatcher.DescribeMutationSequence(false)))
      if (name.rfind("Float", 0) == 0) seen.insert(name);
  }
  return seen;
}

TEST(FloatMutatorsTest, DispatcherRecordsEachFloatNameAndTheFlagTurnsThemOff) {
  const FloatConstants constants = OneConstant(3.14159265358979, 8);
  const std::set<std::string> expected = {"FloatConst", "FloatUlp",  "FloatSign", "FloatExp",
                                          "FloatSpecial", "FloatConv", "FloatASCII"};
  EXPECT_EQ(FloatNamesSeen(true, &constants), expected);
  EXPECT_TRUE(FloatNamesSeen(false, &constants).empty());
  const std::set<std::string> without_constants = FloatNamesSeen(true, nullptr);
  EXPECT_EQ(without_constants.count("FloatConst"), 0u);
  EXPECT_EQ(without_constants.count("FloatASCII"), 0u);
  EXPECT_EQ(without_constants.count("FloatUlp"), 1u);
}

TEST(FloatMutatorsTest, RandomInputsStayWithinBounds) {
  Random rand(18);
  Random test_rand(19);
  const std::vector<uint8_t> rodata = RodataLikeBuffer();
  FloatConstants constants;
  constants.AddFromBytes(rodata.data(), rodata.size(), 0);
  constants.Finish();
  FloatMutators mutators(&rand);
  mutators.SetConstants(&constants);
  for (size_t trial = 0; trial < 100000; trial++) {
    const size_t max_size = 1 + test_rand.SkewedSmall(64);
    const size_t size = test_rand(max_size + 1);
    std::vector<uint8_t> data(max_size);  // exact size: ASan sees any write past max_size
    for (size_t i = 0; i < size; i++) data[i] = static_cast<uint8_t>(test_rand.Next());
    const auto kind = static_cast<FloatMutators::Kind>(test_rand(FloatMutators::kKinds));
    const size_t result = mutators.Apply(kind, data.data(), size, max_size);
    ASSERT_LE(result, max_size) << "trial " << trial;
  }
}

}  // namespace
}  // namespace fuzzer
