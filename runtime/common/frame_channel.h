// FrameChannel: length-delimited frames over a pair of pipe descriptors, used by both ends of
// the coordinator <-> worker protocol. A frame is a 4-byte little-endian length followed by
// that many bytes; lengths over kMaxFrameSize are rejected before anything is allocated, so a
// corrupt or hostile peer can never make the reader trust it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzzer {

constexpr uint32_t kMaxFrameSize = 64u << 20;

enum class FrameStatus {
  kOk,
  kClosed,     // clean EOF before a frame began, or EPIPE: the peer is gone
  kTruncated,  // EOF in the middle of a frame
  kTooLarge,   // the length header exceeds kMaxFrameSize
  kIoError,
};

const char* FrameStatusText(FrameStatus status);

// Blocking; retries on EINTR. Never raises SIGPIPE (callers ignore SIGPIPE or use
// MSG_NOSIGNAL-equivalent handling: a broken pipe is reported as kClosed).
FrameStatus WriteFrame(int fd, const std::string& payload);
FrameStatus ReadFrame(int fd, std::string* payload, uint32_t* announced_size = nullptr);

}  // namespace fuzzer
