// FrameChannel: length-delimited frames over a pair of pipe descriptors, used by both ends of
// the coordinator <-> worker protocol. A frame is a 4-byte little-endian length followed by
// that many bytes; lengths over kMaxFrameSize are rejected before anything is allocated, so a
// corrupt or hostile peer can never make the reader trust it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fuzzer {

constexpr uint32_t kMaxFrameSize = 64u << 20;
// A sender splits what it has to say (e.g. many inputs' features) into frames no larger than
// this, so that no legal message comes near kMaxFrameSize.
constexpr size_t kFrameSplitSize = 8u << 20;

// A worker's exit code when its channel to the coordinator broke under it (a descriptor closed
// or overwritten by the target), as opposed to the coordinator closing the channel (exit 0).
constexpr int kWorkerChannelBrokenExitCode = 86;

enum class FrameStatus {
  kOk,
  kClosed,     // clean EOF before a frame began, or EPIPE: the peer is gone
  kTruncated,  // EOF in the middle of a frame
  kTooLarge,   // the length header exceeds kMaxFrameSize
  kIoError,
};

const char* FrameStatusText(FrameStatus status);

// Says whether the process at the other end still runs. EOF is not the only sign of a
// peer's death: a child the peer started may hold the pipe open after the peer died.
using PeerAlive = std::function<bool()>;

// Blocking; retries on EINTR. Never raises SIGPIPE (callers ignore SIGPIPE or use
// MSG_NOSIGNAL-equivalent handling: a broken pipe is reported as kClosed). With `alive`, a
// wait for the pipe is cut into short polls, and a peer found dead counts as EOF there.
FrameStatus WriteFrame(int fd, const std::string& payload, const PeerAlive& alive = nullptr);
FrameStatus ReadFrame(int fd, std::string* payload, uint32_t* announced_size = nullptr,
                      const PeerAlive& alive = nullptr);

// The reading end of a channel that receives bursts of frames (the coordinator's side of a
// worker's response pipe): one poll and one read take whatever the pipe holds, often several
// frames, where ReadFrame needs a poll and a read for the header and again for the body. The
// statuses mean what ReadFrame's do. Every frame of the fd must come through the same reader
// (it may hold bytes of the next frames). Not thread-safe: its owner's lock guards it.
class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // The next frame's payload in *frame, valid until the next call.
  FrameStatus Next(std::string_view* frame, uint32_t* announced_size = nullptr,
                   const PeerAlive& alive = nullptr);

 private:
  // Reads until at least `need` bytes are buffered; false at EOF or on an error (*io_error).
  bool Fill(size_t need, bool* io_error, const PeerAlive& alive);
  size_t buffered() const { return end_ - start_; }

  const int fd_;
  std::vector<char> buffer_;
  size_t start_ = 0;  // the next frame begins here
  size_t end_ = 0;    // bytes read so far end here
};

}  // namespace fuzzer
