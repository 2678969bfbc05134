// Unit tests for the coordinator's StderrForwarder (runtime/coordinator/stderr_forwarder.*):
// whole lines forwarded, tails kept for crash signatures, EOF seen, and Wake() ending a poll.
#include "runtime/coordinator/stderr_forwarder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace fuzzer {
namespace {

TEST(StderrForwarderTest, KeepsTheTailAndSeesEof) {
  StderrForwarder forwarder;
  forwarder.set_echo(false);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  forwarder.Add(3, fds[0]);
  close(fds[0]);
  ASSERT_EQ(write(fds[1], "first line\nsecond", 17), 17);
  close(fds[1]);
  while (!forwarder.WaitForEof(3, 0)) forwarder.PollOnce(100);
  EXPECT_EQ(forwarder.Tail(3), "first line\nsecond");
}

TEST(StderrForwarderTest, WakeEndsAPollThatWouldWaitAMinute) {
  // Without Wake() the poll below lasts 60 s and the test times out (size small: 60 s).
  StderrForwarder forwarder;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  forwarder.Add(0, fds[0]);  // a pipe with nothing to read
  std::thread poller([&] { forwarder.PollOnce(60 * 1000); });
  forwarder.Wake();
  poller.join();
  // The wake was consumed: a later Wake() works again.
  std::thread again([&] { forwarder.PollOnce(60 * 1000); });
  forwarder.Wake();
  again.join();
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace fuzzer
