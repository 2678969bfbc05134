// WorkerDictionaries: the workers' persistent auto-dictionaries merged into the words the end
// of a fuzzing run recommends ("###### Recommended dictionary. ######", which the coordinator
// prints with engine/libfuzzer_output.h's FormatRecommendedDictionary, as the in-process
// engine does). Runs in the coordinator process; not thread-safe (Coordinator::mutex_ guards
// it).
//
// Each worker process sends its whole dictionary now and then (use counts are the process's
// totals, not increments; proto/worker.proto's AutoDictionary). The merge keeps the latest
// report of each process:
//   - a newer report of the same process replaces its older one;
//   - when the next process of a slot (a restart after a death or garbage) reports, the previous
//     process's last report stays counted as it was. Its uses after that report are lost, but
//     none is counted twice: the new process starts with an empty dictionary and counts its
//     own uses from zero;
//   - a word several processes have gets the sum of their uses.
// Words come out in the order the coordinator first saw them (with one worker, the order the
// worker's engine promoted them, as in-process), at most Dictionary::kCapacity of them (the
// size of one engine dictionary); a word seen when that many are known is left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/engine/dictionary.h"

namespace fuzzer {

class WorkerDictionaries {
 public:
  // The whole dictionary of process `generation` of worker slot `worker` (the slot's process
  // count, WorkerPool::Worker::processes_started: one more for each process that replaced
  // the previous one, whatever the reason). A report of an older process than the slot's
  // latest one is ignored.
  void Report(size_t worker, uint64_t generation, const shoal::proto::AutoDictionary& report);
  // Every word with the sum of its uses over all processes, in first-seen order.
  std::vector<DictionaryEntry> Merged() const;
  size_t NumWords() const { return words_.size(); }

 private:
  struct Slot {
    uint64_t generation = 0;
    bool reported = false;
    std::vector<std::pair<size_t, uint64_t>> latest;  // (index in words_, uses)
  };
  // The word's index in words_, added if new; SIZE_MAX if new and there is no room.
  size_t IndexOf(const Word& word);

  std::vector<Word> words_;
  std::unordered_map<std::string, size_t> index_;  // a word's bytes -> its index in words_
  std::vector<uint64_t> retired_uses_;  // per word: the last reports of processes that ended
  std::vector<Slot> slots_;             // by worker index
};

}  // namespace fuzzer
