// Unit tests for the input-to-state solver (engine, worker side): arithmetic modulo 2^n
// (inverse, affine learning and solving with odd and even multipliers, no solution), and
// SolveInputToState on hand-made compare logs: verbatim fields, learned affine, XOR and ASCII
// transforms checked on a third sample, a transform that fails that check, checksum
// detection, compares left to the distance descent, and edits applied together.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/engine/i2s_solver.h"

namespace fuzzer {
namespace {

constexpr uintptr_t kSite = 0x401000;
constexpr uintptr_t kOtherSite = 0x402000;

CmpLogEntry Entry(uintptr_t site, CmpKind kind, uint8_t size, uint64_t arg1, uint64_t arg2) {
  CmpLogEntry entry;
  entry.site = site;
  entry.kind = kind;
  entry.size = size;
  entry.arg1 = arg1;
  entry.arg2 = arg2;
  return entry;
}

Bytes WithU32(Bytes input, size_t at, uint32_t value, bool big_endian = false) {
  for (size_t i = 0; i < 4; i++)
    input[at + (big_endian ? 3 - i : i)] = uint8_t(value >> (8 * i));
  return input;
}

uint32_t U32At(const Bytes& input, size_t at) {
  uint32_t value;
  memcpy(&value, input.data() + at, 4);
  return value;
}

// A target that compares f(uint32 LE at offset 2) with `constant` (trace_const_cmp4), run on
// the original and on colourised inputs whose field holds other values.
template <class F>
void Trace(const Bytes& input, uint32_t constant, F f, TracedRun* run) {
  run->input = input;
  run->log = {Entry(kSite, CmpKind::kConstInt, 4, constant, f(U32At(input, 2)))};
}

// Applies each replacement alone and returns whether any makes f(field) == constant.
template <class F>
bool SomeEditSolves(const TracedRun& original, const SolverResult& result, uint32_t constant,
                    F f) {
  for (const Replacement& edit : result.replacements) {
    Bytes out;
    ApplyReplacements(original.input, {&edit}, 4096, &out);
    if (out.size() >= 6 && f(U32At(out, 2)) == constant) return true;
  }
  return false;
}

TEST(I2SArithmetic, InverseOfOddNumbers) {
  for (uint64_t odd : {1ull, 3ull, 5ull, 0x9E3779B97F4A7C15ull, 0xFFFFFFFFull})
    for (unsigned bits : {8u, 16u, 32u, 64u})
      EXPECT_EQ(LowBits(odd * InverseOfOdd(odd, bits), bits), 1u) << odd << " " << bits;
}

TEST(I2SArithmetic, LearnsAnAffineMapFromTwoPoints) {
  uint64_t mul, add;
  const auto f = [](uint64_t x) { return LowBits(x * 5 - 1000, 32); };
  ASSERT_TRUE(LearnAffine(17, f(17), 123456, f(123456), 32, &mul, &add));
  EXPECT_EQ(mul, 5u);
  EXPECT_EQ(add, LowBits(uint64_t(-1000), 32));
  EXPECT_FALSE(LearnAffine(7, 1, 7, 2, 32, &mul, &add));  // same x, two y: not a function
  // x0 - x1 even and y0 - y1 odd: no affine map.
  EXPECT_FALSE(LearnAffine(10, 3, 12, 6, 32, &mul, &add));
}

TEST(I2SArithmetic, SolvesWithAnEvenMultiplierOrSaysThereIsNoSolution) {
  // 6x + 2 == 0x2468ACE2 (mod 2^32): two solutions, 2^31 apart.
  std::vector<uint64_t> xs = SolveAffine(6, 2, 0x2468ACE2, 32, 8);
  ASSERT_EQ(xs.size(), 2u);
  for (uint64_t x : xs) EXPECT_EQ(LowBits(6 * x + 2, 32), 0x2468ACE2u);
  EXPECT_EQ(LowBits(xs[1] - xs[0], 32), 0x80000000u);
  // 6x + 2 == 3: 6x is even, 1 is odd.
  EXPECT_TRUE(SolveAffine(6, 2, 3, 32, 8).empty());
  EXPECT_TRUE(SolveAffine(0, 2, 2, 32, 8).empty());  // x does not matter
  // 64-bit odd multiplier: exactly one solution.
  xs = SolveAffine(0x9E3779B97F4A7C15ull, 12345, 0x0123456789ABCDEFull, 64, 8);
  ASSERT_EQ(xs.size(), 1u);
  EXPECT_EQ(xs[0] * 0x9E3779B97F4A7C15ull + 12345, 0x0123456789ABCDEFull);
}

TEST(I2SArithmetic, SignedDecimal) {
  EXPECT_EQ(SignedDecimal(1000000, 32), "1000000");
  EXPECT_EQ(SignedDecimal(0xFFFFFFFF, 32), "-1");
  EXPECT_EQ(SignedDecimal(0x80, 8), "-128");
  EXPECT_EQ(SignedDecimal(uint64_t(-5), 64), "-5");
}

TEST(I2SSolver, FindsAVerbatimFieldInEitherByteOrderWithoutSamples) {
  TracedRun original;
  original.input = WithU32(Bytes(8, 'x'), 3, 0xA1B2C3D4, /*big_endian=*/true);
  original.log = {Entry(kSite, CmpKind::kConstInt, 4, 0x11223344, 0xA1B2C3D4)};
  SolverResult result = SolveInputToState(original, {}, SolverLimits());
  ASSERT_FALSE(result.replacements.empty());
  EXPECT_EQ(result.replacements[0].pos, 3u);
  EXPECT_EQ(result.replacements[0].bytes, (Bytes{0x11, 0x22, 0x33, 0x44}));
}

TEST(I2SSolver, LearnsAnAffineTransformAndChecksItOnTheThirdSample) {
  const auto f = [](uint32_t x) { return x * 5u - 1000u; };
  const Bytes base = {'H', 'I', 0, 0, 0, 0, '!', '!'};
  TracedRun original, c1, c2;
  Trace(WithU32(base, 2, 0x01020304), 0x1234ABCD, f, &original);
  Trace(WithU32(base, 2, 0x9A8B7C6D), 0x1234ABCD, f, &c1);
  Trace(WithU32(base, 2, 0x55443322), 0x1234ABCD, f, &c2);
  SolverResult result = SolveInputToState(original, {c1, c2}, SolverLimits());
  EXPECT_TRUE(SomeEditSolves(original, result, 0x1234ABCD, f));
  EXPECT_TRUE(result.checksums.empty());
}

TEST(I2SSolver, LearnsXorAndEvenMultipliers) {
  const auto xor_f = [](uint32_t x) { return x ^ 0x5A5A5A5Au; };
  const auto even_f = [](uint32_t x) { return x * 6u + 2u; };
  const Bytes base(8, 0);
  for (int which = 0; which < 2; which++) {
    TracedRun original, c1, c2;
    const uint32_t constant = which == 0 ? 0x1234ABCD : 0x2468ACE2;
    auto f = [&](uint32_t x) { return which == 0 ? xor_f(x) : even_f(x); };
    Trace(WithU32(base, 2, 0x0BADF00D), constant, f, &original);
    Trace(WithU32(base, 2, 0x71E2D3C5), constant, f, &c1);
    Trace(WithU32(base, 2, 0x3C4D5E6F), constant, f, &c2);
    SolverResult result = SolveInputToState(original, {c1, c2}, SolverLimits());
    EXPECT_TRUE(SomeEditSolves(original, result, constant, f)) << which;
  }
}

TEST(I2SSolver, ATransformThatFailsOnTheThirdSampleIsNotUsed) {
  // y = x * x is no affine map: learned from two samples, it must fail on the third.
  const auto f = [](uint32_t x) { return x * x; };
  const Bytes base(8, 0);
  TracedRun original, c1, c2;
  Trace(WithU32(base, 2, 0x00000003), 0x12345679, f, &original);
  Trace(WithU32(base, 2, 0x00000005), 0x12345679, f, &c1);
  Trace(WithU32(base, 2, 0x00000007), 0x12345679, f, &c2);
  SolverResult result = SolveInputToState(original, {c1, c2}, SolverLimits());
  EXPECT_FALSE(SomeEditSolves(original, result, 0x12345679, f));
  // Left to the descent instead.
  ASSERT_EQ(result.unsolved.size(), 1u);
  EXPECT_EQ(result.unsolved[0].site, kSite);
}

TEST(I2SSolver, SolvesAnAsciiDecimalFieldThroughATransform) {
  // v = decimal at offset 0; the target compares v * 3 + 7 with 3000007.
  auto run = [](const std::string& digits, TracedRun* out) {
    out->input.assign(digits.begin(), digits.end());
    out->input.push_back(';');
    const uint32_t v = uint32_t(std::stoul(digits));
    out->log = {Entry(kSite, CmpKind::kConstInt, 4, 3000007, v * 3u + 7u)};
  };
  TracedRun original, c1, c2;
  run("4821", &original);
  run("1390", &c1);
  run("7734", &c2);
  SolverResult result = SolveInputToState(original, {c1, c2}, SolverLimits());
  bool solved = false;
  for (const Replacement& edit : result.replacements) {
    Bytes out;
    ApplyReplacements(original.input, {&edit}, 4096, &out);
    solved |= std::string(out.begin(), out.end()) == "1000000;";
  }
  EXPECT_TRUE(solved);
}

TEST(I2SSolver, RecognisesAChecksumCompare) {
  // crc(payload) compared with the stored field at offset 6: both sides change when the
  // payload and the field are coloured.
  auto run = [](uint32_t payload, uint32_t stored, TracedRun* out) {
    out->input = WithU32(WithU32(Bytes(10, 0), 2, payload), 6, stored);
    out->log = {Entry(kSite, CmpKind::kInt, 4, payload * 2654435761u + 17, stored)};
  };
  TracedRun original, c1, c2;
  run(0x01010101, 0xCAFEBABE, &original);
  run(0x7F6E5D4C, 0x13579BDF, &c1);
  run(0x24681357, 0x0F1E2D3C, &c2);
  SolverResult result = SolveInputToState(original, {c1, c2}, SolverLimits());
  ASSERT_EQ(result.checksums.size(), 1u);
  EXPECT_EQ(result.checksums[0].site, kSite);
  EXPECT_EQ(result.checksums[0].stored_arg, 2);
  EXPECT_EQ(result.checksums[0].width, 4);
  EXPECT_FALSE(result.checksums[0].big_endian);
  // The repair of the original is among the edits.
  bool repaired = false;
  for (const Replacement& edit : result.replacements)
    repaired |= edit.pos == 6 && edit.bytes == WithU32(Bytes(4, 0), 0, 0x01010101 * 2654435761u + 17);
  EXPECT_TRUE(repaired);
}

TEST(I2SSolver, TwoFieldsComparedWithEachOtherAreNoChecksum) {
  auto run = [](uint32_t a, uint32_t b, TracedRun* out) {
    out->input = WithU32(WithU32(Bytes(8, 0), 0, a), 4, b);
    out->log = {Entry(kOtherSite, CmpKind::kInt, 4, a, b)};
  };
  TracedRun original, c1;
  run(0x11111111, 0x22222222, &original);
  run(0x33333333, 0x44444444, &c1);
  SolverResult result = SolveInputToState(original, {c1}, SolverLimits());
  EXPECT_TRUE(result.checksums.empty());
  EXPECT_FALSE(result.replacements.empty());
}

TEST(I2SSolver, EditsApplyTogetherWithoutOverlaps) {
  const Bytes input = {'a', 'b', 'c', 'd', 'e', 'f'};
  Replacement first{1, 2, {'X', 'Y', 'Z'}};
  Replacement overlapping{2, 1, {'Q'}};
  Replacement last{5, 1, {}};
  Bytes out;
  EXPECT_EQ(ApplyReplacements(input, {&first, &overlapping, &last}, 4096, &out), 2u);
  EXPECT_EQ(std::string(out.begin(), out.end()), "aXYZde");
  EXPECT_EQ(ApplyReplacements(input, {&first}, 4, &out), 1u);
  EXPECT_EQ(out.size(), 4u);  // cut at max_size
}

TEST(I2SSolver, WorkIsBounded) {
  TracedRun original, c1;
  original.input.assign(4096, 7);
  c1.input.assign(4096, 9);
  for (uint32_t i = 0; i < 200; i++) {
    original.log.push_back(Entry(kSite + i, CmpKind::kConstInt, 4, 0x12345678 + i, i * 77));
    c1.log.push_back(Entry(kSite + i, CmpKind::kConstInt, 4, 0x12345678 + i, i * 91));
  }
  SolverLimits limits;
  limits.max_work = 10000;
  SolverResult result = SolveInputToState(original, {c1}, limits);
  EXPECT_LE(result.work, limits.max_work + 64);
}

}  // namespace
}  // namespace fuzzer
