// Unit tests for feature extraction (runtime/engine/coverage.*) and the corpus model
// (runtime/engine/corpus.*): what the engine inside a worker keeps and why.
#include <gtest/gtest.h>

#include <vector>

#include "runtime/common/random.h"
#include "runtime/common/sha1.h"
#include "runtime/engine/corpus.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {
namespace {

std::vector<uint32_t> Collect() {
  std::vector<uint32_t> features;
  Coverage().CollectFeatures([&](uint32_t f) { features.push_back(f); });
  return features;
}

// One fake module for the whole binary: the test binary itself is not instrumented.
uint8_t counters[20];

TEST(CoverageTest, FeaturesAreCounterIndexTimesEightPlusBucket) {
  CoverageState& coverage = Coverage();
  coverage.RegisterCounters(counters, counters + 20);
  coverage.Configure(CoverageOptions{});
  coverage.ResetForExecution();
  EXPECT_TRUE(Collect().empty());
  size_t base = 0;     // this module is the first and only one
  counters[0] = 1;     // bucket 0
  counters[3] = 2;     // bucket 1
  counters[9] = 3;     // bucket 2
  counters[10] = 5;    // 4..7 -> 3
  counters[11] = 200;  // 128+ -> 7
  std::vector<uint32_t> expected = {uint32_t(base + 0), uint32_t((base + 3) * 8 + 1),
                                    uint32_t((base + 9) * 8 + 2), uint32_t((base + 10) * 8 + 3),
                                    uint32_t((base + 11) * 8 + 7)};
  EXPECT_EQ(Collect(), expected);
  EXPECT_EQ(coverage.NumCoveredPcs(), 5u);
  coverage.ResetForExecution();
  EXPECT_TRUE(Collect().empty());
  EXPECT_EQ(coverage.NumCoveredPcs(), 5u);  // "cov:" is cumulative

  CoverageOptions no_counters;
  no_counters.use_counters = false;
  coverage.Configure(no_counters);
  counters[3] = 100;
  EXPECT_EQ(Collect(), std::vector<uint32_t>{3});  // -use_counters=0: one feature per edge
  coverage.Configure(CoverageOptions{});
  coverage.ResetForExecution();
}

// A second module whose size is no multiple of 8 or 32: counters in a skipped 32-byte block,
// in each word of a block, several in one word, and in the tail are all found, in order.
// (Runs after the test above, which registered the 20-counter module first.)
uint8_t wide_counters[75];

TEST(CoverageTest, EveryNonZeroCounterOfALongModuleIsFoundInOrder) {
  CoverageState& coverage = Coverage();
  ASSERT_EQ(coverage.NumModules(), 1u);
  coverage.RegisterCounters(wide_counters, wide_counters + 75);
  coverage.Configure(CoverageOptions{});
  coverage.ResetForExecution();
  EXPECT_TRUE(Collect().empty());
  const size_t base = 20;  // after the first module
  const size_t hit[] = {5, 7, 8, 15, 31, 40, 63, 64, 70, 74};
  std::vector<uint32_t> expected;
  for (size_t i : hit) {
    wide_counters[i] = 1;
    expected.push_back(uint32_t((base + i) * 8));
  }
  EXPECT_EQ(Collect(), expected);
  coverage.ResetForExecution();
  EXPECT_TRUE(Collect().empty());
}

TEST(CoverageTest, CmpDistanceIsForMagicValuesNotLimits) {
  EXPECT_TRUE(WorthADistance(0xDEADBEEFu));
  EXPECT_TRUE(WorthADistance(0x1234ABCDu));
  EXPECT_TRUE(WorthADistance(0x0123456789ABCDEFull));
  EXPECT_FALSE(WorthADistance(uint32_t(0)));   // loops, flags (CmpDescent solves OR of XORs)
  EXPECT_FALSE(WorthADistance(uint64_t(0)));   // a pointer's null check
  EXPECT_FALSE(WorthADistance(200u));          // small: a bound, a count, a character
  EXPECT_FALSE(WorthADistance(4096u));
  EXPECT_FALSE(WorthADistance(1u << 24));      // round: few bits set
  EXPECT_FALSE(WorthADistance(0x10001000u));
  EXPECT_FALSE(WorthADistance(0xFFFFFFFEu));   // few bits clear
  EXPECT_FALSE(WorthADistance(0x7FFFFFFFu));   // masks
  EXPECT_FALSE(WorthADistance(0xFFFFFF00u));
  EXPECT_FALSE(WorthADistance(0x00FFFF00u));
  EXPECT_FALSE(WorthADistance(uint64_t(0x7FFFFFFFFFFFFFFFull)));
  EXPECT_FALSE(WorthADistance(1000000u));      // a decimal limit
  EXPECT_FALSE(WorthADistance(214748364u));    // INT_MAX / 10: a number parser's guard
  EXPECT_FALSE(WorthADistance(uint64_t(1844674407370955161ull)));
}

TEST(CoverageTest, ValueProfileAddsFeaturesForCloserOperands) {
  CoverageState& coverage = Coverage();
  CoverageOptions options;
  options.use_value_profile = true;
  coverage.Configure(options);
  coverage.ResetForExecution();
  coverage.HandleCmp<uint32_t>(0x1234, 0xDEADBEEF, 0);
  std::vector<uint32_t> far = Collect();
  coverage.ResetForExecution();
  coverage.HandleCmp<uint32_t>(0x1234, 0xDEADBEEF, 0xDEADBEEE);
  std::vector<uint32_t> near = Collect();
  EXPECT_FALSE(far.empty());
  EXPECT_NE(far, near);  // a smaller distance is a different (new) feature
  coverage.Configure(CoverageOptions{});
  coverage.ResetForExecution();
}

// The stack-depth feature for an execution whose deepest stack pointer was `words` 8-byte
// words below the base (what -fsanitize-coverage=stack-depth records).
uint32_t StackDepthFeature(uint64_t words) {
  CoverageState& coverage = Coverage();
  coverage.ResetForExecution();
  const uintptr_t base = uintptr_t(1) << 40;
  coverage.SetStackBase(base);
  __sancov_lowest_stack = base - words * 8;
  std::vector<uint32_t> features = Collect();
  coverage.SetStackBase(0);
  coverage.ResetForExecution();
  EXPECT_EQ(features.size(), 1u) << words;
  return features.empty() ? 0 : features.back();
}

TEST(CoverageTest, StackDepthIsExactBelowSixteenWordsThenEightStepsPerPowerOfTwo) {
  Coverage().Configure(CoverageOptions{});
  const uint32_t zero = StackDepthFeature(1) - 1;
  for (uint64_t words = 1; words < 16; words++) EXPECT_EQ(StackDepthFeature(words) - zero, words);
  // {depth in words, step}: libFuzzer 14's resolution.
  const std::pair<uint64_t, uint32_t> steps[] = {{16, 16}, {17, 16}, {18, 17},  {31, 23},
                                                 {32, 24}, {35, 24}, {36, 25},  {63, 31},
                                                 {64, 32}, {1000, 63}, {4096, 80}};
  for (const auto& [words, step] : steps) EXPECT_EQ(StackDepthFeature(words) - zero, step) << words;
}

TEST(CoverageTest, NoStackDepthFeatureUntilSomethingGoesDeeperThanTheMark) {
  CoverageState& coverage = Coverage();
  coverage.Configure(CoverageOptions{});
  coverage.ResetForExecution();
  coverage.MarkStackBaseHere();
  EXPECT_TRUE(Collect().empty());  // the target's own entry is level with the mark
  __sancov_lowest_stack -= 20 * 8;  // a call chain 20 words deeper
  EXPECT_EQ(Collect().size(), 1u);
  coverage.SetStackBase(0);
  coverage.ResetForExecution();
}

TEST(CoverageTest, CmpOperandsReachTheTables) {
  CoverageState& coverage = Coverage();
  coverage.Configure(CoverageOptions{});
  coverage.HandleCmp<uint32_t>(1, 0x11223344, 0x55667788);
  bool found = false;
  for (size_t i = 0; i < coverage.cmp_tables().torc4.size(); i++) {
    auto& pair = coverage.cmp_tables().torc4.Get(i);
    found |= pair.arg1 == 0x11223344 && pair.arg2 == 0x55667788;
  }
  EXPECT_TRUE(found);
  const uint8_t a[] = "FUZZING-IS-FUN", b[] = "FUZZER";
  coverage.HandleMemcmp(2, a, b, 6, false);
  found = false;
  for (size_t i = 0; i < coverage.cmp_tables().torcw.size(); i++)
    found |= coverage.cmp_tables().torcw.Get(i).arg2 == Word(b, 6);
  EXPECT_TRUE(found);
}

TEST(CoverageTest, StrcmpOffersTheWholeKeywordForAShorterInput) {
  CoverageState& coverage = Coverage();
  coverage.Configure(CoverageOptions{});
  const uint8_t input[] = "ab", keyword[] = "FUZZWORD";
  coverage.HandleMemcmp(3, input, keyword, SIZE_MAX, /*stop_at_zero=*/true);
  bool prefix = false, whole = false;
  for (size_t i = 0; i < coverage.cmp_tables().torcw.size(); i++) {
    const auto& pair = coverage.cmp_tables().torcw.Get(i);
    prefix |= pair.arg1 == Word(input, 2) && pair.arg2 == Word(keyword, 2);
    whole |= pair.arg1 == Word(input, 2) && pair.arg2 == Word(keyword, 8);
  }
  EXPECT_TRUE(prefix);  // libFuzzer's pair: the common length
  EXPECT_TRUE(whole);   // Shoal's extra pair: the whole keyword
}

TEST(CorpusTest, KeepsInputsWithNewFeaturesOnly) {
  Corpus corpus(EntropicOptions{});
  EXPECT_TRUE(corpus.AddFeature(10, 3, false));
  EXPECT_TRUE(corpus.AddFeature(11, 3, false));
  corpus.AddInput(reinterpret_cast<const uint8_t*>("abc"), 3, {10, 11}, false, false, 0);
  EXPECT_FALSE(corpus.AddFeature(10, 2, false));  // not new, and no -shrink
  EXPECT_EQ(corpus.NumFeatures(), 2u);
  EXPECT_EQ(corpus.NumActiveInputs(), 1u);
  EXPECT_EQ(corpus.TotalActiveBytes(), 3u);
}

TEST(CorpusTest, ShrinkEvictsInputsWhoseFeaturesAllMovedToSmallerOnes) {
  Corpus corpus(EntropicOptions{});
  corpus.SetOutputDir("/out");
  ASSERT_TRUE(corpus.AddFeature(7, 5, true));
  corpus.AddInput(reinterpret_cast<const uint8_t*>("12345"), 5, {7}, true, false, 0);
  ASSERT_TRUE(corpus.AddFeature(7, 2, true));  // smaller input reaches the same feature
  corpus.AddInput(reinterpret_cast<const uint8_t*>("12"), 2, {7}, true, false, 0);
  EXPECT_EQ(corpus.NumActiveInputs(), 1u);
  EXPECT_EQ(corpus.TotalActiveBytes(), 2u);
  std::vector<std::string> evicted = corpus.TakeEvictedFiles();
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted[0], "/out/8cb2237d0679ca88db6464eac60da96345513964");  // sha1("12345")
  // The evicted input is gone from the lookups too.
  EXPECT_EQ(corpus.MaxInputSize(), 2u);
  EXPECT_EQ(corpus.FindActive("8cb2237d0679ca88db6464eac60da96345513964"), nullptr);
  EXPECT_NE(corpus.FindActive(Sha1Hex(reinterpret_cast<const uint8_t*>("12"), 2)), nullptr);
}

TEST(CorpusTest, ReplaceKeepsUniqueFeaturesAndRenamesTheFile) {
  Corpus corpus(EntropicOptions{});
  corpus.SetOutputDir("/out");
  corpus.AddFeature(1, 4, false);
  InputInfo* input =
      corpus.AddInput(reinterpret_cast<const uint8_t*>("abcd"), 4, {1}, true, false, 0);
  corpus.Replace(input, reinterpret_cast<const uint8_t*>("ab"), 2);
  EXPECT_EQ(std::string(input->bytes.begin(), input->bytes.end()), "ab");
  EXPECT_EQ(input->unique_features, std::vector<uint32_t>{1});
  EXPECT_EQ(corpus.TotalActiveBytes(), 2u);
  EXPECT_EQ(corpus.TakeEvictedFiles().size(), 1u);  // the old file goes away
  EXPECT_EQ(corpus.MaxInputSize(), 2u);
  EXPECT_EQ(corpus.FindActive(Sha1Hex(reinterpret_cast<const uint8_t*>("abcd"), 4)), nullptr);
  EXPECT_EQ(corpus.FindActive(Sha1Hex(reinterpret_cast<const uint8_t*>("ab"), 2)), input);
}

// Two workers can report the same bytes: one as a NEW unit, the other as the REDUCE of
// another unit. Both are active and share one file, which must stay until neither is.
TEST(CorpusTest, FileSharedByTwoActiveInputsIsDeletedOnlyWhenBothAreGone) {
  Corpus corpus(EntropicOptions{});
  corpus.SetOutputDir("/out");
  const auto* xy = reinterpret_cast<const uint8_t*>("xy");
  const std::string xy_file = "/out/" + Sha1Hex(xy, 2);
  corpus.AddFeature(1, 2, true);
  InputInfo* first = corpus.AddInput(xy, 2, {1}, true, false, 0);
  corpus.AddFeature(2, 5, true);
  InputInfo* second =
      corpus.AddInput(reinterpret_cast<const uint8_t*>("long!"), 5, {2}, true, false, 0);
  corpus.Replace(second, xy, 2);  // the second one is reduced to the same bytes
  ASSERT_EQ(corpus.TakeEvictedFiles(),
            std::vector<std::string>{"/out/" + Sha1Hex(reinterpret_cast<const uint8_t*>("long!"), 5)});
  // A smaller input takes feature 1: the first input is evicted, the second still uses the file.
  ASSERT_TRUE(corpus.AddFeature(1, 0, true));
  corpus.AddInput(nullptr, 0, {1}, true, false, 0);
  EXPECT_FALSE(corpus.IsActive(0));
  EXPECT_TRUE(corpus.TakeEvictedFiles().empty());
  EXPECT_EQ(corpus.FindActive(Sha1Hex(xy, 2)), second);
  // Reducing the second one too frees the file at last.
  corpus.Replace(second, reinterpret_cast<const uint8_t*>("x"), 1);
  EXPECT_EQ(corpus.TakeEvictedFiles(), std::vector<std::string>{xy_file});
  EXPECT_EQ(corpus.FindActive(Sha1Hex(xy, 2)), nullptr);
  (void)first;
}

// A seed in the output directory (not ours to delete) keeps its file even when a unit with
// the same bytes that this run wrote is evicted.
TEST(CorpusTest, EvictingADuplicateOfASeedKeepsTheSeedsFile) {
  Corpus corpus(EntropicOptions{});
  corpus.SetOutputDir("/out");
  const auto* ab = reinterpret_cast<const uint8_t*>("ab");
  corpus.AddFeature(1, 2, true);
  corpus.AddInput(ab, 2, {1}, /*may_delete_file=*/false, false, 0);
  corpus.AddFeature(2, 2, true);
  corpus.AddInput(ab, 2, {2}, /*may_delete_file=*/true, false, 0);
  ASSERT_TRUE(corpus.AddFeature(2, 0, true));
  corpus.AddInput(nullptr, 0, {2}, true, false, 0);
  EXPECT_TRUE(corpus.TakeEvictedFiles().empty());
}

TEST(CorpusTest, ScheduleOnlyPicksLiveInputsAndPrefersRareFeatureFinders) {
  Corpus corpus(EntropicOptions{});
  for (uint32_t i = 0; i < 3; i++) {
    corpus.AddFeature(100 + i, 1, false);
    uint8_t byte = uint8_t('a' + i);
    corpus.AddInput(&byte, 1, {100 + i}, false, false, 0);
  }
  // Input 0's mutants keep hitting the same rare feature: low entropy, chosen less.
  for (int i = 0; i < 200; i++) corpus.UpdateFeatureFrequency(&corpus[0], 100);
  Random rand(1);
  std::vector<int> picks(3);
  for (int i = 0; i < 3000; i++) {
    InputInfo& chosen = corpus.ChooseInputToMutate(rand);
    picks[size_t(chosen.bytes[0] - 'a')]++;
  }
  EXPECT_GT(picks[1] + picks[2], 0);
  EXPECT_LT(picks[0], picks[1]);
  EXPECT_LT(picks[0], picks[2]);
}

TEST(CorpusTest, VanillaScheduleWeighsFocusFunctionInputsAThousandTimes) {
  EntropicOptions vanilla;
  vanilla.enabled = false;  // -focus_function turns entropic off
  Corpus corpus(vanilla);
  for (uint32_t i = 0; i < 2; i++) {
    corpus.AddFeature(200 + i, 1, false);
    uint8_t byte = uint8_t('a' + i);
    corpus.AddInput(&byte, 1, {200 + i}, false, false, 0);
  }
  corpus.MarkTouchesFocusFunction(&corpus[0]);
  EXPECT_EQ(corpus.NumInputsThatTouchFocusFunction(), 1u);
  // Weights: input 0 = 1 x 1000, input 1 = 2: input 0 about 99.8% of the time.
  Random rand(2);
  int focus_picks = 0;
  for (int i = 0; i < 2000; i++) focus_picks += corpus.ChooseInputToMutate(rand).bytes[0] == 'a';
  EXPECT_GT(focus_picks, 1900);
}

}  // namespace
}  // namespace fuzzer
