// Implements corpus_dir_watcher.h: the incremental -reload scan. Coordinator (monitor thread)
// or in-process engine.
#include "runtime/common/corpus_dir_watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace fuzzer {

namespace {

constexpr int64_t kSecond = 1000000000;
// Longer than any file system's mtime granularity (FAT's is 2 s): a full read that starts
// this long after a directory's mtime was first seen sees every file added in that tick.
constexpr int64_t kSettleNs = 2 * kSecond;
// A directory is read in full at least this often, whatever its mtime says.
constexpr int64_t kFullReadNs = 60 * kSecond;

int64_t MonotonicNs() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t(now.tv_sec) * kSecond + now.tv_nsec;
}

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

}  // namespace

std::vector<SizedFile> CorpusDirWatcher::TakeNewFiles() {
  std::vector<SizedFile> fresh;
  Seen seen;
  Look(dir_, &seen, &fresh);
  return fresh;
}

void CorpusDirWatcher::Look(const std::string& dir, Seen* seen, std::vector<SizedFile>* fresh) {
  int64_t started_ns = MonotonicNs();  // before the directory is stat()ed and read
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat dir_stat;
  if (fstat(fd, &dir_stat) != 0 || !seen->insert({dir_stat.st_dev, dir_stat.st_ino}).second) {
    close(fd);  // unreadable, or listed already under another name (a symlink loop)
    return;
  }
  int64_t seen_ns = MonotonicNs();  // after: the mtime was set no later than this
  auto found = directories_.find(dir);
  DirState* state = found == directories_.end() ? nullptr : &found->second;
  bool same = state && SameTime(state->mtime, dir_stat.st_mtim) &&
              state->size == dir_stat.st_size && state->device == dir_stat.st_dev &&
              state->inode == dir_stat.st_ino;
  if (same && state->settled && started_ns - state->last_read_ns < kFullReadNs) {
    close(fd);  // nothing was added since a read that saw everything
    std::vector<std::string> subdirectories = state->subdirectories;
    for (const std::string& subdirectory : subdirectories) Look(subdirectory, seen, fresh);
    return;
  }
  DIR* d = fdopendir(fd);
  if (!d) {
    close(fd);
    return;
  }
  directory_reads_++;
  struct Entry {
    std::string name;
    std::string path;
    unsigned char type;
  };
  std::vector<Entry> entries;
  while (struct dirent* entry = readdir(d)) {
    const char* name = entry->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    unsigned char type = entry->d_type;
    if (type != DT_DIR && type != DT_REG && type != DT_LNK && type != DT_UNKNOWN)
      continue;  // sockets, fifos, devices: never corpus files
    if (type != DT_DIR && IsAtomicWriteTempName(name)) continue;  // any machine's, unfinished
    entries.push_back({name, JoinPath(dir, name), type});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  // Names never seen before: the only ones stat()ed. The known set is consulted under the
  // lock, the file system outside it.
  std::vector<const Entry*> unknown;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Entry& entry : entries)
      if (entry.type != DT_DIR && !linked_directories_.count(entry.path) &&
          !known_.count(entry.path))
        unknown.push_back(&entry);
  }
  std::vector<SizedFile> files;           // new regular files of this directory
  std::set<std::string> new_directories;  // names of symlinks found to reach directories
  std::vector<std::string> not_files;
  for (const Entry* entry : unknown) {
    struct stat st;
    entry_stats_++;
    if (fstatat(dirfd(d), entry->name.c_str(), &st, 0) != 0) continue;  // gone, or dangling
    if (S_ISDIR(st.st_mode)) {
      linked_directories_.insert(entry->path);
      new_directories.insert(entry->name);
    } else if (S_ISREG(st.st_mode)) {
      files.push_back({entry->path, size_t(st.st_size)});
    } else {
      not_files.push_back(entry->path);
    }
  }
  closedir(d);  // closes fd too

  DirState& updated = directories_[dir];
  if (!same) {
    updated.mtime = dir_stat.st_mtim;
    updated.size = dir_stat.st_size;
    updated.device = dir_stat.st_dev;
    updated.inode = dir_stat.st_ino;
    updated.first_seen_ns = seen_ns;
    updated.settled = false;
  } else if (started_ns - updated.first_seen_ns >= kSettleNs) {
    updated.settled = true;
  }
  updated.last_read_ns = started_ns;
  updated.subdirectories.clear();
  for (const Entry& entry : entries)
    if (entry.type == DT_DIR || linked_directories_.count(entry.path))
      updated.subdirectories.push_back(entry.path);

  // Report each new file once, in name order with the sub-directories, as the full listing
  // orders them; a file marked known meanwhile (written by this process) is not reported.
  std::vector<SizedFile> reported;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::string& path : not_files) known_.insert(std::move(path));
    for (SizedFile& file : files)
      if (known_.insert(file.path).second) reported.push_back(std::move(file));
  }
  size_t next_file = 0;
  for (const Entry& entry : entries) {
    bool is_directory = entry.type == DT_DIR || linked_directories_.count(entry.path);
    if (is_directory) {
      Look(entry.path, seen, fresh);
    } else if (next_file < reported.size() && reported[next_file].path == entry.path) {
      fresh->push_back(std::move(reported[next_file++]));
    }
  }
}

}  // namespace fuzzer
