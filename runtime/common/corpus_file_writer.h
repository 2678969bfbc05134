// CorpusFileWriter: the one writer of an output corpus directory's unit files, in the process
// that owns the corpus (the coordinator with workers, the in-process engine with -workers=0).
// It writes a kept unit atomically and retires the files of evicted units, reusing the inodes
// of retired files for later units instead of unlinking them and allocating new ones.
//
// Why: early in a campaign REDUCE evicts a file for nearly every file it writes. On ext4
// without a journal, the inode allocator steps over every inode freed in the last 30 s, with
// a buffer-cache lookup for each, so with one shared directory the cost of a create grows with
// the rate of unlinks: in a -workers=2 stb_image run on this project's VM, the coordinator
// spent half of its CPU (5% of the machine) in recently_deleted() and its lookups.
//
// How: a retired file keeps its name (it is a whole unit, named by the SHA-1 of its bytes)
// until a later write takes its inode: the spare is renamed to a temp name, overwritten,
// shrunk and renamed to the new unit's name. So at every moment each unit the corpus holds is
// on disk whole under its name, a killed process leaves only whole units (at most kMaxSpares
// of them evicted ones) plus, as WriteFileAtomically may, a temp file it was writing, and a
// REDUCE costs two renames and a rewrite, with no inode freed or allocated.
// DiscardSpares() unlinks the retired files; the owner calls it on every way out (it is
// async-signal-safe, for the crash paths), and the destructor does.
//
// Only files this process may rewrite in place become spares: regular, one link, owned by
// this user (never a file hard-linked or symlinked from elsewhere). Not thread-safe, except
// DiscardSpares() from a signal handler that interrupts none of this object's methods.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzzer {

class CorpusFileWriter {
 public:
  CorpusFileWriter() = default;
  ~CorpusFileWriter() { DiscardSpares(); }
  CorpusFileWriter(const CorpusFileWriter&) = delete;
  CorpusFileWriter& operator=(const CorpusFileWriter&) = delete;

  // Writes data to path atomically (its name appears with all its bytes), into a spare's inode
  // when there is one. Returns false with errno set on failure.
  bool Write(const std::string& path, const uint8_t* data, size_t size);
  // The unit stored in path left the corpus: keeps the file as a spare, or unlinks it when
  // kMaxSpares are kept already or it may not be rewritten. A missing path is no error.
  void Retire(const std::string& path);
  // Retire() for each of `evicted` except `written` (the unit just written, whose bytes an
  // evicted input may have had): call it after Write(), so that a process killed in between
  // leaves one of a REDUCE's two files on disk, never neither.
  void RetireAllBut(const std::vector<std::string>& evicted, const std::string& written);
  // Unlinks every spare. Async-signal-safe.
  void DiscardSpares();
  size_t num_spares() const { return num_spares_.load(std::memory_order_relaxed); }

  // One spare covers a stream of REDUCEs (each write takes one, each eviction gives one back);
  // a few more absorb evictions without a write in between.
  static constexpr size_t kMaxSpares = 8;

 private:
  static constexpr size_t kMaxPath = 4096;
  // Removes spare i from the pool (the last one moves into its slot).
  void RemoveSpare(size_t i);
  // Overwrites the spare `spare` with data under `path`; false (spare gone) on failure.
  bool Rewrite(const char* spare, const std::string& path, const uint8_t* data, size_t size);

  // spares_[0, num_spares_) are paths of retired files. A slot is filled before num_spares_
  // counts it and counted out before it is overwritten, so a signal handler that reads
  // num_spares_ and then the slots sees whole paths only.
  char spares_[kMaxSpares][kMaxPath] = {};
  std::atomic<size_t> num_spares_{0};
};

}  // namespace fuzzer
