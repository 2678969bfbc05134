// FrameChannel: length-delimited frames over a pair of pipe descriptors, used by both ends of
// the coordinator <-> worker protocol. A frame is a 4-byte little-endian length followed by
// that many bytes; lengths over kMaxFrameSize are rejected before anything is allocated, so a
// corrupt or hostile peer can never make the reader trust it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

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

}  // namespace fuzzer
