// Implements stderr_forwarder.h. Runs in the coordinator.
#include "runtime/coordinator/stderr_forwarder.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "runtime/common/log.h"

namespace fuzzer {
namespace {
constexpr size_t kTailSize = 32 << 10;
}  // namespace

StderrForwarder::StderrForwarder() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

StderrForwarder::~StderrForwarder() {
  for (auto& entry : streams_)
    if (entry.second.fd >= 0) close(entry.second.fd);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void StderrForwarder::Wake() {
  uint64_t one = 1;
  // A failed write (the counter is full: a wake is pending anyway) needs no handling.
  if (wake_fd_ >= 0 && write(wake_fd_, &one, sizeof(one)) < 0) one = 0;
}

void StderrForwarder::Add(int worker_index, int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  MutexLock lock(&mutex_);
  Stream& stream = streams_[worker_index];
  if (stream.fd >= 0) close(stream.fd);
  stream = Stream();
  stream.fd = copy;
  stream.eof = copy < 0;
}

void StderrForwarder::Append(int worker_index, Stream* stream, const char* data, size_t size) {
  stream->tail.append(data, size);
  if (stream->tail.size() > kTailSize) stream->tail.erase(0, stream->tail.size() - kTailSize);
  while (size) {
    const char* newline = static_cast<const char*>(memchr(data, '\n', size));
    size_t piece = newline ? size_t(newline - data) + 1 : size;
    if (stream->cut_line_bytes) {
      // Dropping the rest of an over-long line until it ends.
      stream->cut_line_bytes += piece;
      if (newline) {
        if (echo_) {
          char note[160];
          snprintf(note, sizeof(note),
                   "\nINFO: worker %d printed a line of %zu bytes; only its first %zu are shown\n",
                   worker_index, stream->cut_line_bytes - 1, kMaxLineBytes);
          RawPrint(note);
        }
        stream->cut_line_bytes = 0;
      }
    } else if (newline) {
      // Only the new bytes are searched, so forwarding stays linear in what is read.
      stream->partial_line.append(data, piece);
      if (echo_) RawPrint(stream->partial_line.data(), stream->partial_line.size());
      stream->partial_line.clear();
    } else {
      size_t room = kMaxLineBytes - stream->partial_line.size();
      stream->partial_line.append(data, std::min(piece, room));
      if (piece >= room) {
        if (echo_) RawPrint(stream->partial_line.data(), stream->partial_line.size());
        stream->cut_line_bytes = stream->partial_line.size() + (piece - room);
        stream->partial_line.clear();
      }
    }
    data += piece;
    size -= piece;
  }
}

void StderrForwarder::PollOnce(int timeout_ms) {
  std::vector<struct pollfd> fds;
  std::vector<int> indices;
  {
    MutexLock lock(&mutex_);
    for (auto& entry : streams_) {
      if (entry.second.eof) continue;
      fds.push_back({entry.second.fd, POLLIN, 0});
      indices.push_back(entry.first);
    }
  }
  if (wake_fd_ >= 0) fds.push_back({wake_fd_, POLLIN, 0});
  if (fds.empty()) {
    usleep(useconds_t(timeout_ms) * 1000);
    return;
  }
  int ready = poll(fds.data(), fds.size(), timeout_ms);
  if (ready <= 0) return;
  if (wake_fd_ >= 0) {
    uint64_t count;
    // Drained (reset to zero) so the next poll waits again; EAGAIN just means no Wake().
    if ((fds.back().revents & POLLIN) && read(wake_fd_, &count, sizeof(count)) < 0) count = 0;
    fds.pop_back();
  }
  char buf[1 << 16];
  MutexLock lock(&mutex_);
  for (size_t i = 0; i < fds.size(); i++) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto it = streams_.find(indices[i]);
    if (it == streams_.end() || it->second.fd != fds[i].fd) continue;  // replaced meanwhile
    Stream& stream = it->second;
    ssize_t n = read(stream.fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n > 0) {
      Append(indices[i], &stream, buf, size_t(n));
      continue;
    }
    // EOF: flush a last line without newline, then tell waiters.
    if (stream.cut_line_bytes && echo_) RawPrint("\n");
    stream.cut_line_bytes = 0;
    if (!stream.partial_line.empty()) {
      stream.partial_line += '\n';
      if (echo_) RawPrint(stream.partial_line.data(), stream.partial_line.size());
      stream.partial_line.clear();
    }
    close(stream.fd);
    stream.fd = -1;
    stream.eof = true;
    eof_.NotifyAll();
  }
}

bool StderrForwarder::WaitForEof(int worker_index, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  MutexLock lock(&mutex_);
  for (;;) {
    auto it = streams_.find(worker_index);
    if (it == streams_.end() || it->second.eof) return true;
    if (!eof_.WaitUntil(&mutex_, deadline)) {
      it = streams_.find(worker_index);
      return it == streams_.end() || it->second.eof;
    }
  }
}

std::string StderrForwarder::Tail(int worker_index) {
  MutexLock lock(&mutex_);
  auto it = streams_.find(worker_index);
  return it == streams_.end() ? std::string() : it->second.tail;
}


}  // namespace fuzzer
