// Implements corpus_dir_watcher.h. Coordinator or in-process engine.
#include "runtime/common/corpus_dir_watcher.h"

namespace fuzzer {

std::vector<SizedFile> CorpusDirWatcher::TakeNewFiles() {
  std::vector<SizedFile> listed, fresh;
  ListFilesRecursively(dir_, &listed);  // outside the lock: a large directory takes a while
  std::lock_guard<std::mutex> lock(mutex_);
  for (SizedFile& file : listed)
    if (known_.insert(file.path).second) fresh.push_back(std::move(file));
  return fresh;
}

}  // namespace fuzzer
