// CorpusDirWatcher: -reload. Finds the files that appeared in the output corpus directory
// since the last look, so that what other processes put there (libFuzzer -jobs, another
// engine in an ensemble, a person) is run and kept if it adds coverage. Used by the
// coordinator and by the in-process engine (-workers=0), never inside a worker; the caller
// decides when to look (every -reload seconds). Thread-safe: the coordinator marks the files
// it writes from worker threads while its monitor thread looks.
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "runtime/common/files.h"

namespace fuzzer {

class CorpusDirWatcher {
 public:
  explicit CorpusDirWatcher(std::string dir) : dir_(std::move(dir)) {}
  // A file already accounted for: a seed read at start-up, or one this process wrote.
  void MarkKnown(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    known_.insert(path);
  }
  // The files never seen before, in listing order; each is reported once.
  std::vector<SizedFile> TakeNewFiles();

 private:
  const std::string dir_;
  std::mutex mutex_;
  std::unordered_set<std::string> known_;
};

}  // namespace fuzzer
