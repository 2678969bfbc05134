// Unit tests for the size-capped frames both ends of the worker protocol use
// (runtime/common/frame_channel.*): a corrupt or hostile peer is rejected, never trusted.
#include "runtime/common/frame_channel.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

namespace fuzzer {
namespace {

struct Pipe {
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
  void WriteRaw(const std::string& bytes) {
    ASSERT_EQ(write(fds[1], bytes.data(), bytes.size()), ssize_t(bytes.size()));
  }
  int fds[2];
};

TEST(FrameChannelTest, RoundTrip) {
  Pipe p;
  ASSERT_EQ(WriteFrame(p.fds[1], "hello"), FrameStatus::kOk);
  ASSERT_EQ(WriteFrame(p.fds[1], ""), FrameStatus::kOk);
  std::string payload;
  ASSERT_EQ(ReadFrame(p.fds[0], &payload), FrameStatus::kOk);
  EXPECT_EQ(payload, "hello");
  ASSERT_EQ(ReadFrame(p.fds[0], &payload), FrameStatus::kOk);
  EXPECT_EQ(payload, "");
}

TEST(FrameChannelTest, CleanEofIsClosed) {
  Pipe p;
  p.CloseWrite();
  std::string payload;
  EXPECT_EQ(ReadFrame(p.fds[0], &payload), FrameStatus::kClosed);
}

TEST(FrameChannelTest, TruncatedHeaderAndBody) {
  {
    Pipe p;
    p.WriteRaw(std::string("\x05\x00", 2));
    p.CloseWrite();
    std::string payload;
    EXPECT_EQ(ReadFrame(p.fds[0], &payload), FrameStatus::kTruncated);
  }
  {
    Pipe p;
    p.WriteRaw(
        std::string("\x05\x00\x00\x00"
                    "ab",
                    6));
    p.CloseWrite();
    std::string payload;
    EXPECT_EQ(ReadFrame(p.fds[0], &payload), FrameStatus::kTruncated);
  }
}

TEST(FrameChannelTest, OversizedFrameIsRejectedBeforeAllocating) {
  Pipe p;
  p.WriteRaw(std::string("\xff\xff\xff\xff", 4));
  std::string payload;
  uint32_t announced = 0;
  EXPECT_EQ(ReadFrame(p.fds[0], &payload, &announced), FrameStatus::kTooLarge);
  EXPECT_EQ(announced, 0xffffffffu);
  EXPECT_TRUE(payload.empty());
  EXPECT_EQ(WriteFrame(p.fds[1], std::string(kMaxFrameSize + 1, 'x')), FrameStatus::kTooLarge);
}

TEST(FrameChannelTest, WriteToAGonePeerIsClosedNotSigpipe) {
  signal(SIGPIPE, SIG_IGN);
  Pipe p;
  p.CloseRead();
  EXPECT_EQ(WriteFrame(p.fds[1], "x"), FrameStatus::kClosed);
}

}  // namespace
}  // namespace fuzzer
