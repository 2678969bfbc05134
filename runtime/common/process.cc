// Implements process.h.
#include "runtime/common/process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace fuzzer {

size_t PeakRssMb() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage)) return 0;
  return size_t(usage.ru_maxrss) >> 10;
}

size_t CurrentRssMb(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/statm", int(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  unsigned long size_pages = 0, resident_pages = 0;
  if (sscanf(buf, "%lu %lu", &size_pages, &resident_pages) != 2) return 0;
  return size_t(resident_pages) * size_t(sysconf(_SC_PAGESIZE)) >> 20;
}

}  // namespace fuzzer
