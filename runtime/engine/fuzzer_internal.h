// Engine-private helpers shared by the Fuzzer's source files (fuzzer.cc, fuzzer_failures.cc,
// fuzzer_stats.cc, fuzzer_i2s.cc): the clock of the hot path, libFuzzer's exit codes for
// the failures the engine itself detects, and the one-report-per-process rule. Worker /
// in-process engine. Not for use outside runtime/engine/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>

#include "runtime/common/fuzzing_options.h"
#include "runtime/common/input_slot.h"

namespace fuzzer {

constexpr size_t kMaxSaneLen = kLargestDefaultMaxLen;  // libFuzzer's largest default -max_len
constexpr size_t kMaxLeakDetectionAttempts = 1000;
constexpr int kOomExitCode = 71;
constexpr int kInterruptExitCode = 72;

// The hot path reads the clock around every execution: the coarse clock costs a memory
// read, while a precise one is a large share of a fast target's time in some VMs (measured:
// 40% of a worker's cycles). Its few-millisecond resolution is plenty for second timeouts.
inline int64_t NowUsec() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return int64_t(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

// The one failure this process reports: only the first of several simultaneous failure
// reports (sanitizer, signal, timer, RSS thread) may print and write an artifact. A worker
// also marks its slot as dying, so the coordinator bounds the report's time: a corrupted
// heap can deadlock what follows. Async-signal-safe. (fuzzer_failures.cc)
bool AcquireCrashState(InputSlot* slot);

}  // namespace fuzzer
