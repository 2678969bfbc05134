// Implements frame_channel.h with plain read/write on pipes.
#include "runtime/common/frame_channel.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace fuzzer {
namespace {

constexpr int kPeerCheckMs = 100;

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
  uint32_t size = 0;
  for (int i = 0; i < 4; i++) size |= uint32_t(uint8_t(header[i])) << (8 * i);
  if (announced_size) *announced_size = size;
  if (size > kMaxFrameSize) return FrameStatus::kTooLarge;
  payload->resize(size);
  if (!ReadExactly(fd, &(*payload)[0], size, &got, &io_error, alive))
    return io_error ? FrameStatus::kIoError : FrameStatus::kTruncated;
  return FrameStatus::kOk;
}

}  // namespace fuzzer
