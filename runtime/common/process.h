// Process facts used by both the coordinator and the worker: memory use from the kernel.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace fuzzer {

// Peak resident set size of this process, in MiB (getrusage).
size_t PeakRssMb();
// Current resident set size of another process, in MiB (/proc/PID/statm); 0 if unknown.
size_t CurrentRssMb(pid_t pid);

}  // namespace fuzzer
