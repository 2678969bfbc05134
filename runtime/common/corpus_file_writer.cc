// Implements corpus_file_writer.h with POSIX calls; DiscardSpares() is async-signal-safe.
#include "runtime/common/corpus_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/common/files.h"

namespace fuzzer {

void CorpusFileWriter::RemoveSpare(size_t i) {
  const size_t n = num_spares_.load(std::memory_order_relaxed);
  // The last path moves into slot i before the count drops, so a counted slot never holds a
  // path that is no longer a spare (bar the bytes torn by this very copy).
  if (i != n - 1) memcpy(spares_[i], spares_[n - 1], kMaxPath);
  num_spares_.store(n - 1, std::memory_order_release);
}

bool CorpusFileWriter::Rewrite(const char* spare, const std::string& path, const uint8_t* data,
                               size_t size) {
  char temp[kMaxPath];
  if (!TempPathBesideRaw(path.c_str(), temp, sizeof(temp))) return false;
  // Out of the corpus first (it was evicted): its old bytes never show under a new name.
  if (rename(spare, temp) != 0) return false;
  int fd = open(temp, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  bool ok = fd >= 0;
  // Overwrite, then shrink: no O_TRUNC, because ext4 flushes a file truncated to size 0 when
  // it is closed (auto_da_alloc), which would make the write wait for the disk.
  if (ok) ok = WriteAllRaw(fd, data, size) && ftruncate(fd, off_t(size)) == 0;
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (ok) ok = rename(temp, path.c_str()) == 0;
  if (!ok) unlink(temp);
  return ok;
}

bool CorpusFileWriter::Write(const std::string& path, const uint8_t* data, size_t size) {
  const size_t n = num_spares_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; i++) {
    if (path != spares_[i]) continue;
    // The unit comes back: its file, named by the SHA-1 of its bytes, is still there.
    RemoveSpare(i);
    struct stat st;
    if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && size_t(st.st_size) == size)
      return true;
    break;
  }
  if (const size_t left = num_spares_.load(std::memory_order_relaxed)) {
    char spare[kMaxPath];
    memcpy(spare, spares_[left - 1], kMaxPath);
    RemoveSpare(left - 1);
    if (Rewrite(spare, path, data, size)) return true;
    // Whatever failed (a full disk, a spare removed behind our back) decides a fresh write.
  }
  return WriteFileAtomically(path, data, size);
}

void CorpusFileWriter::Retire(const std::string& path) {
  const size_t n = num_spares_.load(std::memory_order_relaxed);
  struct stat st;
  // Rewritten in place later, so only a file no other name shares and this user owns.
  if (n < kMaxSpares && path.size() < kMaxPath && lstat(path.c_str(), &st) == 0 &&
      S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid()) {
    memcpy(spares_[n], path.c_str(), path.size() + 1);
    num_spares_.store(n + 1, std::memory_order_release);  // the slot is complete
    return;
  }
  unlink(path.c_str());
}

void CorpusFileWriter::RetireAllBut(const std::vector<std::string>& evicted,
                                    const std::string& written) {
  for (const std::string& path : evicted)
    if (path != written) Retire(path);
}

void CorpusFileWriter::DiscardSpares() {
  const size_t n = num_spares_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; i++) unlink(spares_[i]);
  num_spares_.store(0, std::memory_order_release);
}

}  // namespace fuzzer
