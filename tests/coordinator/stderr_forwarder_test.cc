// Unit tests for the coordinator's StderrForwarder (runtime/coordinator/stderr_forwarder.*):
// whole lines forwarded, tails kept for crash signatures, EOF seen, and Wake() ending a poll.
#include "runtime/coordinator/stderr_forwarder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/common/log.h"

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

// A target that prints 10 MB without a newline: the forwarded output keeps the first
// kMaxLineBytes of that line, says that the rest was cut, and goes on with the next line.
TEST(StderrForwarderTest, CutsAnOverlongLineAndSaysSo) {
  char path[] = "/tmp/forwarder_test.XXXXXX";
  int out = mkstemp(path);
  ASSERT_GE(out, 0);
  unlink(path);
  int previous_fd = OutputFd();
  SetOutputFd(out);
  {
    StderrForwarder forwarder;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    forwarder.Add(5, fds[0]);
    close(fds[0]);
    constexpr size_t kLine = 10 << 20;
    std::thread writer([&] {
      std::string chunk(1 << 16, 'x');
      for (size_t written = 0; written < kLine; written += chunk.size())
        if (write(fds[1], chunk.data(), chunk.size()) != ssize_t(chunk.size())) abort();
      const char tail[] = "\nnext line\n";
      if (write(fds[1], tail, sizeof(tail) - 1) < 0) abort();
      close(fds[1]);
    });
    while (!forwarder.WaitForEof(5, 0)) forwarder.PollOnce(100);
    writer.join();
  }
  SetOutputFd(previous_fd);
  std::string printed;
  char buf[1 << 16];
  lseek(out, 0, SEEK_SET);
  for (ssize_t n; (n = read(out, buf, sizeof(buf))) > 0;) printed.append(buf, size_t(n));
  close(out);
  const size_t limit = StderrForwarder::kMaxLineBytes;
  ASSERT_GT(printed.size(), limit);
  EXPECT_EQ(printed.substr(0, limit), std::string(limit, 'x'));
  EXPECT_EQ(printed.substr(limit),
            "\nINFO: worker 5 printed a line of 10485760 bytes; only its first 65536 are "
            "shown\nnext line\n");
}

}  // namespace
}  // namespace fuzzer
