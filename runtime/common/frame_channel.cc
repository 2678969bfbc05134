// Implements frame_channel.h with plain read/write on pipes.
#include "runtime/common/frame_channel.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fuzzer {
namespace {

constexpr int kPeerCheckMs = 100;
// What FrameReader asks one read() for: many small frames, and no more memory per worker
// than this (a buffer grown for a larger frame is given back once that frame is consumed).
constexpr size_t kReadChunk = 64 << 10;

uint32_t DecodeLength(const char* header) {
  uint32_t size = 0;
  for (int i = 0; i < 4; i++) size |= uint32_t(uint8_t(header[i])) << (8 * i);
  return size;
}

// Waits until fd is ready for `events`; false if the peer is found dead first.
bool WaitReady(int fd, short events, const PeerAlive& alive) {
  if (!alive) return true;  // the read or write itself blocks
  for (;;) {
    struct pollfd pfd = {fd, events, 0};
    int ready = poll(&pfd, 1, kPeerCheckMs);
    if (ready > 0) return true;  // ready, or POLLHUP/POLLERR: the read or write says which
    if (ready < 0 && errno != EINTR) return true;
    if (ready == 0 && !alive()) {
      // Dead, yet the pipe is open (something it started holds it): whatever it wrote
      // before dying is readable now or never.
      pfd.revents = 0;
      return poll(&pfd, 1, 0) > 0;
    }
  }
}

// Reads exactly size bytes. Returns bytes read before EOF in *got.
bool ReadExactly(int fd, char* out, size_t size, size_t* got, bool* io_error,
                 const PeerAlive& alive) {
  *got = 0;
  *io_error = false;
  while (*got < size) {
    if (!WaitReady(fd, POLLIN, alive)) return false;
    ssize_t n = read(fd, out + *got, size - *got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *io_error = true;
      return false;
    }
    if (n == 0) return false;
    *got += size_t(n);
  }
  return true;
}

}  // namespace

const char* FrameStatusText(FrameStatus status) {
  switch (status) {
    case FrameStatus::kOk:
      return "ok";
    case FrameStatus::kClosed:
      return "the peer closed the channel";
    case FrameStatus::kTruncated:
      return "a truncated frame";
    case FrameStatus::kTooLarge:
      return "a frame over the size limit";
    case FrameStatus::kIoError:
      return "an I/O error";
  }
  return "?";
}

FrameStatus WriteFrame(int fd, const std::string& payload, const PeerAlive& alive) {
  if (payload.size() > kMaxFrameSize) return FrameStatus::kTooLarge;
  uint32_t size = uint32_t(payload.size());
  std::string frame(4, '\0');
  for (int i = 0; i < 4; i++) frame[size_t(i)] = char((size >> (8 * i)) & 0xff);
  frame += payload;
  size_t written = 0;
  while (written < frame.size()) {
    if (!WaitReady(fd, POLLOUT, alive)) return FrameStatus::kClosed;
    // A pipe that polls writable takes PIPE_BUF bytes without blocking; more could block on
    // a dead peer whose child holds the pipe.
    size_t chunk = frame.size() - written;
    if (alive && chunk > PIPE_BUF) chunk = PIPE_BUF;
    ssize_t n = write(fd, frame.data() + written, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EPIPE ? FrameStatus::kClosed : FrameStatus::kIoError;
    written += size_t(n);
  }
  return FrameStatus::kOk;
}

FrameStatus ReadFrame(int fd, std::string* payload, uint32_t* announced_size,
                      const PeerAlive& alive) {
  char header[4];
  size_t got;
  bool io_error;
  if (!ReadExactly(fd, header, 4, &got, &io_error, alive)) {
    if (io_error) return FrameStatus::kIoError;
    return got == 0 ? FrameStatus::kClosed : FrameStatus::kTruncated;
  }
  uint32_t size = DecodeLength(header);
  if (announced_size) *announced_size = size;
  if (size > kMaxFrameSize) return FrameStatus::kTooLarge;
  payload->resize(size);
  if (!ReadExactly(fd, &(*payload)[0], size, &got, &io_error, alive))
    return io_error ? FrameStatus::kIoError : FrameStatus::kTruncated;
  return FrameStatus::kOk;
}

bool FrameReader::Fill(size_t need, bool* io_error, const PeerAlive& alive) {
  *io_error = false;
  while (buffered() < need) {
    if (start_ > 0) {  // keep the unread bytes at the front, so the buffer never creeps
      std::memmove(buffer_.data(), buffer_.data() + start_, buffered());
      end_ -= start_;
      start_ = 0;
    }
    const size_t capacity = std::max(need, kReadChunk);
    if (buffer_.size() < capacity) {
      buffer_.resize(capacity);
    } else if (buffer_.size() > capacity && end_ <= capacity) {
      buffer_.resize(capacity);  // a large frame is gone: give its memory back
      buffer_.shrink_to_fit();
    }
    if (!WaitReady(fd_, POLLIN, alive)) return false;
    ssize_t n = read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *io_error = true;
      return false;
    }
    if (n == 0) return false;
    end_ += size_t(n);
  }
  return true;
}

FrameStatus FrameReader::Next(std::string_view* frame, uint32_t* announced_size,
                              const PeerAlive& alive) {
  if (start_ == end_) start_ = end_ = 0;
  bool io_error;
  if (!Fill(4, &io_error, alive)) {
    if (io_error) return FrameStatus::kIoError;
    return buffered() == 0 ? FrameStatus::kClosed : FrameStatus::kTruncated;
  }
  const uint32_t size = DecodeLength(buffer_.data() + start_);
  if (announced_size) *announced_size = size;
  if (size > kMaxFrameSize) return FrameStatus::kTooLarge;
  if (!Fill(4 + size_t(size), &io_error, alive))
    return io_error ? FrameStatus::kIoError : FrameStatus::kTruncated;
  *frame = std::string_view(buffer_.data() + start_ + 4, size);
  start_ += 4 + size_t(size);
  return FrameStatus::kOk;
}

}  // namespace fuzzer
