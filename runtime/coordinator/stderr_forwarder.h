// StderrForwarder: copies each worker's stderr (a pipe) to Shoal's output a whole line at a
// time, so sanitizer reports from several workers never interleave mid-line, and keeps the
// last bytes of each worker's output for crash deduplication. Its cost is linear in the
// bytes forwarded: a line longer than kMaxLineBytes is cut there (the rest of it is dropped,
// and a note says so), so a target printing megabytes without a newline cannot stall it. Runs in the coordinator:
// PollOnce() on the monitor thread, WaitForEof()/Tail() from worker threads.
#pragma once

#include <map>
#include <string>

#include "runtime/common/mutex.h"

namespace fuzzer {

class StderrForwarder {
 public:
  static constexpr size_t kMaxLineBytes = 64 << 10;
  StderrForwarder();
  ~StderrForwarder();
  StderrForwarder(const StderrForwarder&) = delete;
  StderrForwarder& operator=(const StderrForwarder&) = delete;
  // Starts forwarding fd (duplicated: the caller keeps ownership of its own descriptor).
  void Add(int worker_index, int fd);
  // Reads whatever is available on every pipe, waiting at most timeout_ms (less if Wake()).
  void PollOnce(int timeout_ms);
  // Makes the current or next PollOnce return at once (e.g. the run is stopping, so the
  // monitor should not sit out its timeout). Any thread.
  void Wake();
  // Waits until the worker's pipe reached EOF (all its output forwarded), at most timeout_ms.
  bool WaitForEof(int worker_index, int timeout_ms);
  // The last bytes the worker printed (since Add).
  std::string Tail(int worker_index);
  // Off: keep the tails (for signatures) but print nothing.
  void set_echo(bool echo) { echo_ = echo; }

 private:
  struct Stream {
    int fd = -1;
    std::string partial_line;
    std::string tail;
    bool eof = false;
    size_t cut_line_bytes = 0;  // > 0: inside a line too long to forward, this many so far
  };
  void Append(int worker_index, Stream* stream, const char* data, size_t size) REQUIRES(mutex_);

  int wake_fd_;  // eventfd, polled with the pipes
  Mutex mutex_;
  CondVar eof_;  // a stream reached EOF
  std::map<int, Stream> streams_ GUARDED_BY(mutex_);
  bool echo_ = true;
};

}  // namespace fuzzer
