// Integration tests (Shoal only; libFuzzer 14 and AFL++ CmpLog find none of these in 60 s,
// see docs/benchmarks.md): the planted bugs of issue 9's classes 1, 2 and 4
// (tests/harnesses/i2s_*.cc). Each must be found with a fixed -seed within a bounded -runs
// budget, and its artifact must satisfy the planted condition (checked here independently)
// and reproduce. With the stage, the distance feedback and the repair turned off the same
// budget finds nothing, and the in-process engine takes the same search path as one worker.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// Over seeds 1-5 Shoal needs at most ~150k runs (bench/i2s_bugs.sh); libFuzzer 14 finds
// none of these in 60 s.
constexpr char kBudget[] = "-runs=600000";
const std::vector<std::string> kAllOff = {"-input_to_state=0", "-cmp_distance=0",
                                          "-checksum_repair=0"};

// Each step's own switch: the class it solves is not found in the budget without it.
TEST(InputToState, EachStepHasItsOwnSwitch) {
  struct Case {
    const char* harness;
    const char* off;
  };
  for (const Case& c : {Case{"i2s_pair", "-i2s_combine=0"}, Case{"i2s_or_xor", "-i2s_descent=0"}}) {
    TempDir dir;
    RunResult run = RunProcess(Harness(c.harness), {kSeed, "-runs=200000", "-cmp_distance=0", c.off},
                               dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_FALSE(HasLineContaining(run.output, "I2SCombined")) << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "CmpDescent")) << run.output;
  }
}

uint64_t LoadLe(const std::string& bytes, size_t at, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width && at + i < bytes.size(); i++)
    value |= uint64_t(uint8_t(bytes[at + i])) << (8 * i);
  return value;
}

// Fuzzes `harness` with the budget; expects the planted abort() and returns the artifact's
// bytes after checking that it reproduces.
std::string FindAndReproduce(const std::string& harness, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {kSeed, kBudget};
  args.insert(args.end(), extra.begin(), extra.end());
  return FindCrashAndReproduce(harness, args);
}

// ---- class 1: a compare of a transformed input value ----

TEST(InputToState, AffineTransformWithAnOddMultiplier) {
  const std::string bytes = FindAndReproduce("i2s_muladd");
  EXPECT_EQ(uint32_t(uint32_t(LoadLe(bytes, 2, 4)) * 5u - 1000u), 0x1234ABCDu);
}

TEST(InputToState, AffineTransformWithAnEvenMultiplier) {
  const std::string bytes = FindAndReproduce("i2s_even");
  EXPECT_EQ(uint32_t(uint32_t(LoadLe(bytes, 2, 4)) * 6u + 2u), 0x2468ACE2u);
}

TEST(InputToState, XorAndOffsetAndByteOrder) {
  EXPECT_EQ(uint32_t(LoadLe(FindAndReproduce("i2s_xor"), 2, 4)) ^ 0x5A5A5A5Au, 0x1234ABCDu);
  EXPECT_EQ(uint32_t(uint32_t(LoadLe(FindAndReproduce("i2s_sub"), 2, 4)) - 100u), 0xCAFEF00Du);
  EXPECT_EQ(__builtin_bswap32(uint32_t(LoadLe(FindAndReproduce("i2s_bswap"), 2, 4))), 0x1234ABCDu);
}

TEST(InputToState, SixteenBitBigEndianAndSixtyFourBitFields) {
  const std::string be16 = FindAndReproduce("i2s_be16");
  ASSERT_GE(be16.size(), 4u);
  EXPECT_EQ((uint16_t(uint8_t(be16[2]) << 8 | uint8_t(be16[3])) ^ 0xBEEF), 0x1337);
  const std::string wide = FindAndReproduce("i2s_affine64");
  EXPECT_EQ(LoadLe(wide, 2, 8) * 0x9E3779B97F4A7C15ull + 12345, 0x0123456789ABCDEFull);
}

TEST(InputToState, ValuesParsedFromAsciiDigits) {
  const std::string decimal = FindAndReproduce("i2s_decimal");
  EXPECT_EQ(uint32_t(strtoul(decimal.substr(0, 12).c_str(), nullptr, 10)) * 3u + 7u, 3000007u)
      << decimal;
  const std::string hex = FindAndReproduce("i2s_hex");
  EXPECT_EQ(uint32_t(strtoul(hex.substr(0, 12).c_str(), nullptr, 16)) + 0x1000u, 0xDEADBEEFu) << hex;
}

// ---- class 2: several magic values behind one branch ----

TEST(InputToState, TwoAndThreeMagicValuesThatMustHoldAtOnce) {
  const std::string pair = FindAndReproduce("i2s_pair");
  EXPECT_EQ(LoadLe(pair, 0, 4), 0x1234ABCDu);
  EXPECT_EQ(LoadLe(pair, 4, 4), 0x99887766u);
  const std::string triple = FindAndReproduce("i2s_triple");
  EXPECT_EQ(LoadLe(triple, 0, 4), 0xC0FFEE11u);
  ASSERT_GE(triple.size(), 14u);
  EXPECT_EQ(uint8_t(triple[4]) << 8 | uint8_t(triple[5]), 0xB00B);
  EXPECT_EQ(LoadLe(triple, 6, 8), 0x1122334455667788ull);
}

TEST(InputToState, OrOfXorsComparedWithZero) {
  const std::string bytes = FindAndReproduce("i2s_or_xor");
  EXPECT_EQ(LoadLe(bytes, 0, 4), 0x1234ABCDu);
  EXPECT_EQ(LoadLe(bytes, 4, 4), 0x99887766u);
}

// ---- class 4: checksum-protected records ----

uint32_t Crc32(const std::string& bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    c ^= byte;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return c ^ 0xFFFFFFFFu;
}

uint32_t Adler32(const std::string& bytes) {
  uint32_t a = 1, b = 0;
  for (unsigned char byte : bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

// How many records of tests/harnesses/i2s_checksum.cc's format at the start of `bytes` carry
// the right checksum (mode: 1 CRC-32 LE, 2 Adler-32 BE, 3 16-bit sum LE).
int ValidRecords(const std::string& bytes, int mode) {
  size_t pos = 0;
  int valid = 0;
  const size_t stored_size = mode == 3 ? 2 : 4;
  while (pos < bytes.size()) {
    const size_t length = 4 + (uint8_t(bytes[pos]) & 7);
    if (pos + 1 + length + stored_size > bytes.size()) break;
    const std::string payload = bytes.substr(pos, 1 + length);  // the length byte too
    const size_t at = pos + 1 + length;
    uint32_t stored = 0, computed = 0;
    if (mode == 1) {
      stored = uint32_t(LoadLe(bytes, at, 4));
      computed = Crc32(payload);
    } else if (mode == 2) {
      stored = __builtin_bswap32(uint32_t(LoadLe(bytes, at, 4)));
      computed = Adler32(payload);
    } else {
      stored = uint32_t(LoadLe(bytes, at, 2));
      computed = 0x5A5A;
      for (unsigned char byte : payload) computed += byte;
      computed &= 0xFFFF;
    }
    if (stored != computed) break;
    valid++;
    pos = at + stored_size;
  }
  return valid;
}

// Where the last valid record's payload starts (records of i2s_checksum.cc's format).
size_t LastPayload(const std::string& bytes, int mode, int records) {
  size_t pos = 0, payload = 0;
  for (int i = 0; i < records && pos < bytes.size(); i++) {
    payload = pos + 1;
    pos += 1 + 4 + (uint8_t(bytes[pos]) & 7) + (mode == 3 ? 2 : 4);
  }
  return payload;
}

TEST(InputToState, ThreeCrc32RecordsAreRepairedOneByOne) {
  const std::string bytes = FindAndReproduce("i2s_crc32");
  EXPECT_GE(ValidRecords(bytes, 1), 3);
  EXPECT_EQ(bytes.substr(LastPayload(bytes, 1, 3), 4), "BUG!");
}

TEST(InputToState, TwoCrc32RecordsInProcess) {
  const std::string bytes = FindAndReproduce("i2s_crc32_two", {"-workers=0"});
  EXPECT_GE(ValidRecords(bytes, 1), 2);
  EXPECT_EQ(bytes.substr(LastPayload(bytes, 1, 2), 4), "BUG!");
}

TEST(InputToState, Adler32BigEndianAndSixteenBitSum) {
  const std::string adler = FindAndReproduce("i2s_adler32");
  EXPECT_GE(ValidRecords(adler, 2), 3);
  EXPECT_EQ(adler.substr(LastPayload(adler, 2, 3), 4), "BUG!");
  const std::string sum = FindAndReproduce("i2s_sum16");
  EXPECT_GE(ValidRecords(sum, 3), 3);
  EXPECT_EQ(sum.substr(LastPayload(sum, 3, 3), 4), "BUG!");
}

// The new steps are what finds these: with them off, the same budget finds nothing.
TEST(InputToState, TurnedOffTheSameBudgetFindsNothing) {
  // (Not i2s_crc32: libFuzzer's own CMP mutator can copy a computed CRC into its field when
  // no payload byte changed in the same sequence, so that one is found without the stage.)
  for (const char* harness : {"i2s_muladd", "i2s_pair", "i2s_or_xor"}) {
    TempDir dir;
    std::vector<std::string> args = {kSeed, kBudget};
    args.insert(args.end(), kAllOff.begin(), kAllOff.end());
    RunResult run = RunProcess(Harness(harness), args, dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(FindLine(run.output, R"(Done 600000 runs in \d+ second\(s\))")) << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "I2S")) << run.output;
  }
}

// The stage is interleaved with mutations by run counts only: -workers=0 and -workers=1
// take the same path for one -seed, stage steps and checksum repairs included. (This once
// failed on heap addresses in the compare tables, which differ between the two processes;
// coverage_inl.h leaves address-like operands out.)
TEST(InputToState, OneWorkerAndInProcessTakeTheSamePath) {
  ExpectOneWorkerTakesTheInProcessPath("i2s_crc32_two", {"-seed=3", kBudget}, "ChecksumRepair");
}

}  // namespace
}  // namespace shoal_test
