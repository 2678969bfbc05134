// Implements process.h.
#include "runtime/common/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

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

bool ReadProcStat(pid_t pid, ProcStat* stat) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", int(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime ...": comm may hold spaces and parentheses, so the fields start after the last ')'.
  const char* rest = strrchr(buf, ')');
  int parent, group, session;
  unsigned long long user, system;
  if (!rest || sscanf(rest + 1, " %c %d %d %d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                      &stat->state, &parent, &group, &session, &user, &system) != 6)
    return false;
  stat->parent = pid_t(parent);
  stat->process_group = pid_t(group);
  stat->session = pid_t(session);
  stat->cpu_ticks = user + system;
  return true;
}

std::vector<pid_t> AllProcessIds() {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (struct dirent* entry = readdir(proc)) {
    char* end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end == 0 && pid > 0) pids.push_back(pid_t(pid));
  }
  closedir(proc);
  return pids;
}

uint64_t ProcessGroupCpuTicks(pid_t process_group) {
  uint64_t ticks = 0;
  ProcStat stat;
  for (pid_t pid : AllProcessIds())
    if (ReadProcStat(pid, &stat) && stat.process_group == process_group) ticks += stat.cpu_ticks;
  return ticks;
}

}  // namespace fuzzer
