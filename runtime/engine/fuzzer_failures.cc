// The Fuzzer's failure side: -minimize_crash's step, reproduce mode, and the crash-time entry
// points that signal handlers and sanitizer callbacks call (failure_handlers.cc): the failing
// input handed to the reporter (engine_reporter.h), the stack trace, libFuzzer's banners and
// exit codes. Worker /
// in-process engine; the crash-time code is careful to be signal-tolerant.
#include <execinfo.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/fuzzer_internal.h"
#include "runtime/engine/libfuzzer_output.h"
#include "runtime/engine/sanitizer_api.h"

namespace fuzzer {
namespace {
std::atomic<bool> crash_reported{false};
}  // namespace

bool AcquireCrashState(InputSlot* slot) {
  if (__sanitizer_acquire_crash_state && !__sanitizer_acquire_crash_state()) return false;
  if (crash_reported.exchange(true)) return false;
  if (slot) slot->SetDying();
  return true;
}

// ---------------------------------------------------------------------------------------
// -minimize_crash

size_t Fuzzer::MinimizeCrashStep(const Bytes& input, size_t max_runs, size_t max_time_ms) {
  Printf("INFO: Starting MinimizeCrashInputInternalStep: %zd\n", input.size());
  if (input.size() <= 1) return 0;
  // As libFuzzer's step process, whose longest input is the crash's own size.
  if (!options_.max_len) PrintMaxLenNotProvided(input.size());
  size_t start = total_runs_;
  budget_end_runs_ = max_runs ? total_runs_ + max_runs : SIZE_MAX;
  budget_end_usec_ = max_time_ms ? NowUsec() + int64_t(max_time_ms) * 1000 : INT64_MAX;
  const size_t max_size = input.size() - 1;
  if (mutation_buffer_.size() < input.size()) mutation_buffer_.resize(input.size());
  // First every single-chunk removal (largest first), then random mutants no larger than
  // size-1 (libFuzzer's approach); a crash ends this process.
  for (size_t chunk = input.size() / 2; chunk >= 1 && !TimeToStop(); chunk /= 2) {
    for (size_t at = 0; at + chunk <= input.size() && !TimeToStop(); at += chunk) {
      Bytes candidate(input.begin(), input.begin() + long(at));
      candidate.insert(candidate.end(), input.begin() + long(at + chunk), input.end());
      if (!candidate.empty()) ExecuteCallback(candidate.data(), candidate.size());
    }
  }
  while (!TimeToStop()) {
    size_t size = std::min(input.size(), max_size);
    memcpy(mutation_buffer_.data(), input.data(), size);
    dispatcher_->StartMutationSequence();
    for (size_t depth = 0; depth < options_.mutate_depth && !TimeToStop(); depth++) {
      size = dispatcher_->Mutate(mutation_buffer_.data(), size, max_size);
      ExecuteCallback(mutation_buffer_.data(), size);
    }
  }
  budget_end_runs_ = SIZE_MAX;
  budget_end_usec_ = INT64_MAX;
  Printf("INFO: Done MinimizeCrashInputInternalStep, no crashes found\n");
  return total_runs_ - start;
}

// ---------------------------------------------------------------------------------------
// Reproduce mode

void Fuzzer::RunReproducer(const Bytes& data) {
  ReportNothingMore();
  running_initial_corpus_ = true;
  ExecuteCallback(data.data(), data.size());
  TryDetectingAMemoryLeak(data.data(), data.size());
}

// ---------------------------------------------------------------------------------------
// Failure reporting

void Fuzzer::PrintStackTrace() {
  if (__sanitizer_print_stack_trace) {
    __sanitizer_print_stack_trace();
    return;
  }
  void* frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, OutputFd());
}

void Fuzzer::DumpCurrentUnit(const char* kind) {
  FailingUnit unit;
  unit.kind = kind;
  unit.slot = slot_.get();
  unit.dispatcher = dispatcher_.get();
  unit.verbose_sequence = options_.verbosity >= 2;
  unit.base_sha1 = &parent_sha1_;
  reporter_->FailingInput(unit);
}

void Fuzzer::ReportBugAndExit(const char* what, const char* summary, const char* note) {
  PrintErrorBanner(getpid(), what);
  PrintStackTrace();
  if (note) RawPrint(note);
  PrintSummaryLine(summary);
  DumpCurrentUnit("crash-");
  FinishStatsAtDeath(/*crashed=*/true);
  _Exit(int(options_.error_exitcode));
}

void Fuzzer::CrashCallback() {
  if (!AcquireCrashState(slot_.get())) return;
  ReportBugAndExit("deadly signal", "deadly signal",
                   "NOTE: libFuzzer has rudimentary signal handlers.\n"
                   "      Combine libFuzzer with AddressSanitizer or similar for better crash "
                   "reports.\n");
}

void Fuzzer::DeathCallback() {
  // The sanitizer has printed its report and will exit with its own exit code.
  crash_reported.store(true);
  if (slot_) slot_->SetDying();
  DumpCurrentUnit("crash-");
  FinishStatsAtDeath(/*crashed=*/true);
}

void Fuzzer::AlarmCallback() {
  if (!running_target_.load(std::memory_order_acquire) || options_.timeout_sec <= 0) return;
  int64_t seconds = (NowUsec() - unit_start_usec_.load(std::memory_order_relaxed)) / 1000000;
  if (seconds < options_.timeout_sec) return;
  if (!AcquireCrashState(slot_.get())) return;
  PrintTimeoutAlarm(size_t(seconds), size_t(options_.timeout_sec));
  DumpCurrentUnit("timeout-");
  PrintTimeoutBanner(getpid(), size_t(seconds));
  PrintStackTrace();
  PrintSummaryLine("timeout");
  FinishStatsAtDeath(/*crashed=*/true);
  _Exit(int(options_.timeout_exitcode));
}

// libFuzzer prints the two out-of-memory reports in different orders; both end here.
void Fuzzer::FinishOutOfMemory() {
  DumpCurrentUnit("oom-");
  PrintSummaryLine("out-of-memory");
  FinishStatsAtDeath(/*crashed=*/true);
  _Exit(kOomExitCode);
}

void Fuzzer::RssLimitCallback(size_t rss_mb) {
  if (!AcquireCrashState(slot_.get())) return;
  PrintRssLimitBanner(getpid(), rss_mb, size_t(options_.rss_limit_mb));
  if (__sanitizer_print_memory_profile) __sanitizer_print_memory_profile(95, 8);
  FinishOutOfMemory();
}

void Fuzzer::MallocLimitCallback(size_t size) {
  if (!AcquireCrashState(slot_.get())) return;
  PrintMallocLimitBanner(getpid(), size);
  PrintStackTrace();
  FinishOutOfMemory();
}

void Fuzzer::ExitCallback() {
  if (!running_target_.load(std::memory_order_acquire)) return;
  if (!AcquireCrashState(slot_.get())) return;
  ReportBugAndExit("fuzz target exited", "fuzz target exited", nullptr);
}

void Fuzzer::HandleOverwrittenInput() {
  if (!AcquireCrashState(slot_.get())) return;
  ReportBugAndExit("fuzz target overwrites its const input", "overwrites-const-input", nullptr);
}

void Fuzzer::InterruptCallback() {
  if (!AcquireCrashState(slot_.get())) return;
  PrintRunInterrupted(getpid());
  FinishStatsAtDeath(/*crashed=*/false);
  _Exit(kInterruptExitCode);
}

void Fuzzer::FileSizeExceededCallback() {
  if (!AcquireCrashState(slot_.get())) return;
  PrintErrorBanner(getpid(), "file size exceeded");
  corpus_files_.DiscardSpares();
  _Exit(1);
}

void Fuzzer::ExitGracefully() {
  PrintExitingAsRequested(getpid());
  PrintFinalStats();
  MaybeWriteStatsRow(/*force=*/true);
  corpus_files_.DiscardSpares();
  _Exit(0);
}

}  // namespace fuzzer
