// WorkerDictionaries (runtime/coordinator/worker_dictionaries.h): how the coordinator merges
// the workers' auto-dictionary reports into the recommended dictionary: uses summed over
// workers, a process's newer report replacing its older one, a dead process's last report kept
// once when its slot restarts, first-seen order, and the cap of one engine dictionary.
#include "runtime/coordinator/worker_dictionaries.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
namespace {

shoal::proto::AutoDictionary Report(const std::vector<std::pair<std::string, uint64_t>>& words) {
  shoal::proto::AutoDictionary report;
  for (const auto& [word, uses] : words) {
    auto* entry = report.add_words();
    entry->set_word(word);
    entry->set_uses(uses);
  }
  return report;
}

std::vector<std::pair<std::string, uint64_t>> Merged(const WorkerDictionaries& dictionaries) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const DictionaryEntry& entry : dictionaries.Merged())
    out.emplace_back(std::string(reinterpret_cast<const char*>(entry.word.data()),
                                 entry.word.size()),
                     entry.use_count);
  return out;
}

using Words = std::vector<std::pair<std::string, uint64_t>>;

TEST(WorkerDictionariesTest, NothingReportedIsNothingRecommended) {
  WorkerDictionaries dictionaries;
  EXPECT_TRUE(dictionaries.Merged().empty());
  EXPECT_EQ(FormatRecommendedDictionary(dictionaries.Merged(), Dictionary()), "");
}

TEST(WorkerDictionariesTest, ANewerReportOfTheSameProcessReplacesTheOlderOne) {
  WorkerDictionaries dictionaries;
  dictionaries.Report(0, 0, Report({{"foo", 3}}));
  dictionaries.Report(0, 0, Report({{"foo", 7}, {"bar", 1}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 7}, {"bar", 1}}));
}

TEST(WorkerDictionariesTest, TheSameWordFromSeveralWorkersSumsTheirUses) {
  WorkerDictionaries dictionaries;
  dictionaries.Report(0, 0, Report({{"foo", 3}, {"bar", 2}}));
  dictionaries.Report(1, 0, Report({{"baz", 5}, {"foo", 10}}));
  dictionaries.Report(2, 0, Report({{"bar", 1}}));
  // In the order the coordinator first saw them.
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 13}, {"bar", 3}, {"baz", 5}}));
}

TEST(WorkerDictionariesTest, ARestartedWorkerAddsToItsDeadPredecessorsLastReportOnce) {
  WorkerDictionaries dictionaries;
  dictionaries.Report(0, 0, Report({{"foo", 4}}));
  dictionaries.Report(0, 0, Report({{"foo", 6}, {"bar", 2}}));  // its last word before dying
  // The next process of slot 0 starts from an empty dictionary; each of its reports replaces
  // only its own previous one.
  dictionaries.Report(0, 1, Report({{"foo", 1}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 7}, {"bar", 2}}));
  dictionaries.Report(0, 1, Report({{"foo", 5}, {"qux", 1}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 11}, {"bar", 2}, {"qux", 1}}));
  // And a third process on top of both.
  dictionaries.Report(0, 2, Report({{"bar", 1}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 11}, {"bar", 3}, {"qux", 1}}));
}

TEST(WorkerDictionariesTest, AReportInAnotherOrderThanTheProcesssLastStillCountsEachWord) {
  // A worker's dictionary only grows at its end, and the merge relies on that to skip
  // lookups; a report that breaks it (a target scribbling on the pipe) still counts right.
  WorkerDictionaries dictionaries;
  dictionaries.Report(0, 0, Report({{"foo", 1}, {"bar", 2}}));
  dictionaries.Report(0, 0, Report({{"bar", 5}, {"baz", 1}, {"foo", 3}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 3}, {"bar", 5}, {"baz", 1}}));
}

TEST(WorkerDictionariesTest, AReportOfAnOlderProcessThanTheSlotsLatestIsIgnored) {
  WorkerDictionaries dictionaries;
  dictionaries.Report(3, 2, Report({{"foo", 4}}));
  dictionaries.Report(3, 1, Report({{"foo", 100}, {"bar", 100}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{"foo", 4}}));
}

TEST(WorkerDictionariesTest, EmptyWordsAreSkippedAndLongOnesCutToAMutatorWord) {
  WorkerDictionaries dictionaries;
  const std::string long_word(Word::kMaxSize + 10, 'x');
  dictionaries.Report(0, 0, Report({{"", 9}, {long_word, 2}}));
  EXPECT_EQ(Merged(dictionaries), (Words{{long_word.substr(0, Word::kMaxSize), 2}}));
}

TEST(WorkerDictionariesTest, AtMostOneEngineDictionaryOfWords) {
  WorkerDictionaries dictionaries;
  Words words;
  for (size_t i = 0; i < Dictionary::kCapacity + 5; i++) words.emplace_back(std::to_string(i), 1);
  dictionaries.Report(0, 0, Report(words));
  dictionaries.Report(1, 0, Report({{"0", 1}, {"new", 1}}));
  Words merged = Merged(dictionaries);
  ASSERT_EQ(merged.size(), Dictionary::kCapacity);
  EXPECT_EQ(merged[0], (std::pair<std::string, uint64_t>{"0", 2}));  // known words still count
  EXPECT_EQ(merged.back().first, std::to_string(Dictionary::kCapacity - 1));
}

TEST(WorkerDictionariesTest, TheBlockIsTheEnginesLeavingOutTheUsersWords) {
  WorkerDictionaries dictionaries;
  dictionaries.Report(0, 0, Report({{"\x01", 2631}, {"manual", 4}}));
  dictionaries.Report(1, 0, Report({{std::string("\x09\0\0\0", 4), 2186}}));
  Dictionary manual;
  DictionaryEntry entry;
  entry.word = Word(reinterpret_cast<const uint8_t*>("manual"), 6);
  manual.Push(entry);
  EXPECT_EQ(FormatRecommendedDictionary(dictionaries.Merged(), manual),
            "###### Recommended dictionary. ######\n"
            "\"\\001\" # Uses: 2631\n"
            "\"\\011\\000\\000\\000\" # Uses: 2186\n"
            "###### End of recommended dictionary. ######\n");
}

}  // namespace
}  // namespace fuzzer
