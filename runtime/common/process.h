// Process facts used by both the coordinator and the worker: memory use, and the fields of
// /proc/PID/stat that the coordinator needs to find and judge a worker's processes.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fuzzer {

// Peak resident set size of this process, in MiB (getrusage).
size_t PeakRssMb();
// Current resident set size of another process, in MiB (/proc/PID/statm); 0 if unknown.
size_t CurrentRssMb(pid_t pid);

struct ProcStat {
  char state = '?';
  pid_t parent = 0;
  pid_t process_group = 0;
  pid_t session = 0;
  uint64_t cpu_ticks = 0;  // user + system time
};
// Reads /proc/PID/stat; false if the process is gone or the line does not parse.
bool ReadProcStat(pid_t pid, ProcStat* stat);
// Every process id in /proc.
std::vector<pid_t> AllProcessIds();
// CPU time used so far by the processes of a process group (e.g. a worker and the symbolizer
// it started): still growing means busy, not deadlocked.
uint64_t ProcessGroupCpuTicks(pid_t process_group);

}  // namespace fuzzer
