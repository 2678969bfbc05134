// Unit tests for the size-capped frames both ends of the worker protocol use
// (runtime/common/frame_channel.*): a corrupt or hostile peer is rejected, never trusted.
#include "runtime/common/frame_channel.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <thread>

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

// FrameReader: the same statuses as ReadFrame, however the frames are split across reads.
TEST(FrameReaderTest, ManyFramesInOneWriteComeOneByOne) {
  Pipe p;
  ASSERT_EQ(WriteFrame(p.fds[1], "one"), FrameStatus::kOk);
  ASSERT_EQ(WriteFrame(p.fds[1], ""), FrameStatus::kOk);
  ASSERT_EQ(WriteFrame(p.fds[1], "three"), FrameStatus::kOk);
  p.CloseWrite();
  FrameReader reader(p.fds[0]);
  std::string_view frame;
  ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
  EXPECT_EQ(frame, "one");
  ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
  EXPECT_EQ(frame, "");
  ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
  EXPECT_EQ(frame, "three");
  EXPECT_EQ(reader.Next(&frame), FrameStatus::kClosed);
}

TEST(FrameReaderTest, AFrameSplitAcrossWritesAndLargerThanTheReadChunk) {
  Pipe p;
  const std::string big(300 << 10, 'b');  // over the reader's 64 KiB reads and a pipe's buffer
  std::thread writer([&] {
    p.WriteRaw(std::string("\x02\x00", 2));
    usleep(20000);
    p.WriteRaw(std::string("\x00\x00h", 3));
    usleep(20000);
    p.WriteRaw("i");
    ASSERT_EQ(WriteFrame(p.fds[1], big), FrameStatus::kOk);
    ASSERT_EQ(WriteFrame(p.fds[1], "after"), FrameStatus::kOk);
  });
  FrameReader reader(p.fds[0]);
  std::string_view frame;
  ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
  EXPECT_EQ(frame, "hi");
  ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
  EXPECT_EQ(frame, big);
  ASSERT_EQ(reader.Next(&frame, nullptr, [] { return true; }), FrameStatus::kOk);
  EXPECT_EQ(frame, "after");
  writer.join();
}

TEST(FrameReaderTest, TruncatedOversizedAndClosed) {
  {
    Pipe p;
    ASSERT_EQ(WriteFrame(p.fds[1], "whole"), FrameStatus::kOk);
    p.WriteRaw(std::string("\x05\x00\x00\x00"
                           "ab",
                           6));
    p.CloseWrite();
    FrameReader reader(p.fds[0]);
    std::string_view frame;
    ASSERT_EQ(reader.Next(&frame), FrameStatus::kOk);
    EXPECT_EQ(frame, "whole");
    EXPECT_EQ(reader.Next(&frame), FrameStatus::kTruncated);
  }
  {
    Pipe p;
    p.WriteRaw(std::string("\x05\x00", 2));
    p.CloseWrite();
    FrameReader reader(p.fds[0]);
    std::string_view frame;
    EXPECT_EQ(reader.Next(&frame), FrameStatus::kTruncated);
  }
  {
    Pipe p;
    p.WriteRaw(std::string("\xff\xff\xff\xff", 4));
    FrameReader reader(p.fds[0]);
    std::string_view frame;
    uint32_t announced = 0;
    EXPECT_EQ(reader.Next(&frame, &announced), FrameStatus::kTooLarge);
    EXPECT_EQ(announced, 0xffffffffu);
  }
  {
    // A dead peer whose pipe stays open (a child of it holds the write end) is EOF.
    Pipe p;
    FrameReader reader(p.fds[0]);
    std::string_view frame;
    EXPECT_EQ(reader.Next(&frame, nullptr, [] { return false; }), FrameStatus::kClosed);
  }
}

}  // namespace
}  // namespace fuzzer
