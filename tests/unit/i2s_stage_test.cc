// Unit tests for the input-to-state stage's parts (engine, worker side): the structured
// compare log (hit order, per-site cap, watched sites), colourisation (bytes that keep the
// path are coloured within their class, the others are not), the whole stage against a
// simulated target (the edit it runs satisfies a transformed compare; the descent clears an
// OR of XORs), and checksum repair.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>

#include "runtime/common/random.h"
#include "runtime/engine/checksum_repair.h"
#include "runtime/engine/i2s_stage.h"

namespace fuzzer {
namespace {

uint32_t U32At(const Bytes& input, size_t at) {
  uint32_t value = 0;
  if (at + 4 <= input.size()) memcpy(&value, input.data() + at, 4);
  return value;
}

TEST(CmpLog, RecordsHitsInOrderCapsEachSiteAndWatchesOnlyWatchedSites) {
  auto log = std::make_unique<CmpLog>();
  log->Start(CmpLog::Mode::kAll);
  for (uint64_t i = 0; i < 40; i++) log->AddInt(0x1000, CmpKind::kConstInt, 4, 7, i);
  log->AddInt(0x2000, CmpKind::kInt, 8, 1, 2);
  const uint8_t a[] = "abcdef", b[] = "abcxyz";
  log->AddBytes(0x3000, a, b, 6);
  log->Stop();
  ASSERT_EQ(log->size(), CmpLog::kMaxHitsPerSite + 2);
  for (size_t i = 0; i < CmpLog::kMaxHitsPerSite; i++) {
    EXPECT_EQ((*log)[i].hit, i);
    EXPECT_EQ((*log)[i].arg2, i);
  }
  EXPECT_EQ((*log)[CmpLog::kMaxHitsPerSite].site, 0x2000u);
  EXPECT_EQ((*log)[CmpLog::kMaxHitsPerSite + 1].kind, CmpKind::kBytes);
  EXPECT_EQ(memcmp((*log)[CmpLog::kMaxHitsPerSite + 1].bytes2, "abcxyz", 6), 0);

  // A new run starts from hit 0 again; kWatched keeps only the watched site.
  log->Watch(0x2000);
  log->Start(CmpLog::Mode::kWatched);
  log->AddInt(0x1000, CmpKind::kConstInt, 4, 7, 1);
  log->AddInt(0x2000, CmpKind::kInt, 8, 3, 4);
  log->Stop();
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->operator[](0).site, 0x2000u);
  EXPECT_EQ(log->operator[](0).hit, 0u);
}

// A simulated target: byte 0 must be 'K' (else another path), and it compares
// uint32(input[2..6]) * 5 - 1000 with 0x1234ABCD, or with MODE_OR_XOR the value
// (a ^ 0x1234ABCD) | (b ^ 0x99887766) with 0 (a at 0, b at 4).
struct SimulatedTarget {
  bool or_xor = false;
  uint64_t PathHash(const Bytes& in) const {
    if (or_xor) return in.size() >= 8 ? 1 : 2;
    return (in.size() >= 6 && in[0] == 'K') ? 1 : 2;
  }
  bool Solved(const Bytes& in) const { return in.size() >= 8 && Value(in) == Constant(); }
  uint32_t Value(const Bytes& in) const {
    if (or_xor) return (U32At(in, 0) ^ 0x1234ABCDu) | (U32At(in, 4) ^ 0x99887766u);
    return U32At(in, 2) * 5u - 1000u;
  }
  uint32_t Constant() const { return or_xor ? 0 : 0x1234ABCD; }
  void Trace(const Bytes& in, CmpLog* log) const {
    log->Start(CmpLog::Mode::kAll);
    if (PathHash(in) == 1) log->AddInt(0x4000, CmpKind::kConstInt, 4, Constant(), Value(in));
    log->Stop();
  }
};

// Runs the stage on `unit` until it has no more work; returns whether some step's input
// solved the target, and the number of runs.
bool RunStage(const SimulatedTarget& target, const Bytes& unit, size_t* runs,
              Bytes* first_coloured = nullptr) {
  InputToStateOptions options;
  InputToStateStage stage(options);
  Random rand(7);
  auto log = std::make_unique<CmpLog>();
  stage.Enqueue(unit.data(), unit.size(), "sha1");
  InputToStateStage::Step step;
  bool solved = false;
  *runs = 0;
  while (stage.Next(rand, &step)) {
    const Bytes input = *step.input;
    ++*runs;
    solved |= target.Solved(input);
    if (step.trace) {
      target.Trace(input, log.get());
      if (first_coloured && first_coloured->empty() && input != unit) *first_coloured = input;
    }
    stage.Finish(target.PathHash(input), step.trace ? log.get() : nullptr);
    if (*runs > 100000) break;
  }
  return solved;
}

TEST(InputToStateStage, ColoursOnlyBytesThatKeepThePathAndKeepsTheirClass) {
  SimulatedTarget target;
  const std::string text = "K-7zQ\x01\x02xyz";
  const Bytes unit(text.begin(), text.end());
  size_t runs = 0;
  Bytes coloured;
  EXPECT_TRUE(RunStage(target, unit, &runs, &coloured));
  ASSERT_EQ(coloured.size(), unit.size());
  EXPECT_EQ(coloured[0], 'K');  // changing it changes the path
  EXPECT_TRUE(ispunct(coloured[1]) && coloured[1] != '-');  // punctuation stays punctuation
  EXPECT_TRUE(coloured[2] >= '0' && coloured[2] <= '9' && coloured[2] != '7');
  EXPECT_TRUE(coloured[3] >= 'a' && coloured[3] <= 'z' && coloured[3] != 'z');
  EXPECT_TRUE(coloured[4] >= 'A' && coloured[4] <= 'Z' && coloured[4] != 'Q');
  EXPECT_NE(coloured[5], 1);  // binary bytes take any other value
  EXPECT_LT(runs, 200u);
}

TEST(InputToStateStage, DescentClearsAnOrOfXors) {
  SimulatedTarget target;
  target.or_xor = true;
  const Bytes unit = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t runs = 0;
  EXPECT_TRUE(RunStage(target, unit, &runs));
  EXPECT_LE(runs, 2048u + 300u);
}

TEST(ChecksumRepair, WritesTheComputedValueIntoTheFirstFailingField) {
  ChecksumRepair repair;
  auto log = std::make_unique<CmpLog>();
  ChecksumField field;
  field.site = 0x5000;
  field.stored_arg = 2;
  field.width = 4;
  field.big_endian = true;
  EXPECT_TRUE(repair.Add(field, log.get()));
  EXPECT_FALSE(repair.Add(field, log.get()));  // known already
  uint8_t data[] = {9, 0xCA, 0xFE, 0xBA, 0xBE, 1, 2};
  log->Start(CmpLog::Mode::kWatched);
  log->AddInt(0x6000, CmpKind::kInt, 4, 1, 2);              // not a checksum site
  log->AddInt(0x5000, CmpKind::kInt, 4, 0x11, 0x11);        // passes
  log->AddInt(0x5000, CmpKind::kInt, 4, 0x01020304, 0xCAFEBABE);  // fails: repair this one
  log->Stop();
  ASSERT_TRUE(repair.RepairFirst(*log, data, sizeof(data)));
  const uint8_t expected[] = {9, 1, 2, 3, 4, 1, 2};
  EXPECT_EQ(memcmp(data, expected, sizeof(data)), 0);
  // Nothing left to repair: the stored value is no longer in the input.
  EXPECT_FALSE(repair.RepairFirst(*log, data, sizeof(data)));
}

}  // namespace
}  // namespace fuzzer
