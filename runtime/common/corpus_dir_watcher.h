// CorpusDirWatcher: -reload. Finds the files that appeared in the output corpus directory
// since the last look, so that what other processes put there (libFuzzer -jobs, another
// engine in an ensemble, other machines on shared storage, a person) is run and kept if it
// adds coverage. Used by the coordinator and by the in-process engine (-workers=0), never
// inside a worker; the caller decides when to look (every -reload seconds). Thread-safe: the
// coordinator marks the files it writes from worker threads while its monitor thread looks.
//
// Incremental, so that a look stays cheap at 100k files: only names never seen before are
// stat()ed, and a directory whose modification time, size and inode are what they were is
// not even read, once a full read has started at least 2 seconds after that modification
// time was first seen (so a file added within the same coarse mtime tick, e.g. FAT's 2 s, is
// never missed; only the local monotonic clock is compared, so clock skew between machines
// does not matter). Every directory is read in full at least once a minute anyway, which
// bounds what a file system that reports a stale directory mtime (an NFS attribute cache)
// can hide.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "runtime/common/files.h"

namespace fuzzer {

class CorpusDirWatcher {
 public:
  explicit CorpusDirWatcher(std::string dir) : dir_(std::move(dir)) {}
  // A file already accounted for: a seed read at start-up, or one this process wrote (marked
  // before it is written, so no look can report it).
  void MarkKnown(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    known_.insert(path);
  }
  // The regular files never seen before (temp files of atomic writes left out), in the order
  // of ListFilesRecursively, with their sizes; each is reported once.
  std::vector<SizedFile> TakeNewFiles();

  // For tests: how many directory entries were stat()ed, and how many directories were read,
  // by all looks so far.
  size_t entry_stats() const { return entry_stats_.load(); }
  size_t directory_reads() const { return directory_reads_.load(); }

 private:
  // What the last full read of one directory saw. Monitor thread only.
  struct DirState {
    struct timespec mtime = {};
    off_t size = 0;
    dev_t device = 0;
    ino_t inode = 0;
    int64_t first_seen_ns = 0;  // monotonic time this (mtime, size, inode) was first seen
    int64_t last_read_ns = 0;   // monotonic time the last full read started
    bool settled = false;       // a full read started >= 2 s after first_seen_ns
    std::vector<std::string> subdirectories;  // full paths, in name order
  };
  using Seen = std::set<std::pair<dev_t, ino_t>>;

  void Look(const std::string& dir, Seen* seen, std::vector<SizedFile>* fresh);

  const std::string dir_;
  std::mutex mutex_;
  std::unordered_set<std::string> known_;  // paths of files (and non-files) never to report
  std::unordered_map<std::string, DirState> directories_;    // monitor thread only
  std::unordered_set<std::string> linked_directories_;       // symlinks to directories
  std::atomic<size_t> entry_stats_{0};
  std::atomic<size_t> directory_reads_{0};
};

}  // namespace fuzzer
