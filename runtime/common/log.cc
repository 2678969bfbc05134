// Implements log.h: formatted output to the (possibly duplicated) stderr.
#include "runtime/common/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace fuzzer {
namespace {
// Process-wide because signal handlers print too; set once before fuzzing starts.
std::atomic<int> output_fd{STDERR_FILENO};
}  // namespace

void SetOutputFd(int fd) { output_fd.store(fd); }
int OutputFd() { return output_fd.load(); }

void RawPrint(const char* text, size_t size) {
  int fd = output_fd.load();
  while (size) {
    ssize_t n = write(fd, text, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    size -= size_t(n);
  }
}

void RawPrint(const char* text) { RawPrint(text, strlen(text)); }

void Printf(const char* format, ...) {
  char buf[8192];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  if (n < 0) return;
  RawPrint(buf, size_t(n) < sizeof(buf) ? size_t(n) : sizeof(buf) - 1);
}

}  // namespace fuzzer
