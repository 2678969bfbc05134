// Implements failure_handlers.h. The one global here, active_fuzzer, exists because signal
// handlers, atexit hooks and sanitizer callbacks have no way to receive a context pointer.
#include "runtime/engine/failure_handlers.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/libfuzzer_output.h"
#include "runtime/engine/sanitizer_api.h"

namespace fuzzer {
namespace {

Fuzzer* active_fuzzer = nullptr;
// Set in Shoal's own threads: their allocations are not the target's (the leak heuristic
// counts the target's mallocs and frees, from any of its threads).
thread_local bool is_shoal_thread = false;
long trace_malloc_level = 0;
std::atomic<bool> in_malloc_hook{false};

void CrashSignalHandler(int, siginfo_t*, void*) { active_fuzzer->CrashCallback(); }
void AlarmSignalHandler(int, siginfo_t*, void*) { active_fuzzer->AlarmCallback(); }
void InterruptSignalHandler(int, siginfo_t*, void*) { active_fuzzer->InterruptCallback(); }
void FileSizeSignalHandler(int, siginfo_t*, void*) { active_fuzzer->FileSizeExceededCallback(); }
void GracefulExitSignalHandler(int, siginfo_t*, void*) {
  PrintGracefulExitRequested();
  active_fuzzer->RequestGracefulExit();
}

// Installs handler for signum. Crash signals respect a handler a sanitizer already installed
// (it reports better and calls our death callback); the others are always ours.
void SetSignalHandler(int signum, void (*handler)(int, siginfo_t*, void*), bool only_if_default) {
  struct sigaction current;
  if (sigaction(signum, nullptr, &current) != 0) return;
  bool has_handler = (current.sa_flags & SA_SIGINFO)
                         ? current.sa_sigaction != nullptr
                         : (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN &&
                            current.sa_handler != SIG_ERR);
  if (only_if_default && has_handler) return;
  struct sigaction action = {};
  sigemptyset(&action.sa_mask);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(signum, &action, nullptr);
}

void SetUpAlternateSignalStack() {
  // Needed for stack overflows when no sanitizer handles SIGSEGV (it has its own stack).
  static constexpr size_t kSize = 1 << 16;
  static void* const memory = malloc(kSize);  // lives as long as the process
  stack_t stack = {};
  stack.ss_sp = memory;
  stack.ss_size = kSize;
  if (stack.ss_sp) sigaltstack(&stack, nullptr);
}

void MallocHook(const volatile void* ptr, size_t size) {
  Fuzzer* fuzzer = active_fuzzer;
  if (!fuzzer || !fuzzer->RunningTarget() || is_shoal_thread) return;
  fuzzer->OnMalloc();
  size_t limit_mb = fuzzer->malloc_limit_mb();
  if (limit_mb && (size >> 20) >= limit_mb) fuzzer->MallocLimitCallback(size);
  if (trace_malloc_level && !in_malloc_hook.exchange(true)) {
    Printf("MALLOC[%d] %p %zd\n", gettid(), const_cast<void*>(ptr), size);
    if (trace_malloc_level >= 2 && __sanitizer_print_stack_trace) __sanitizer_print_stack_trace();
    in_malloc_hook.store(false);
  }
}

void FreeHook(const volatile void* ptr) {
  Fuzzer* fuzzer = active_fuzzer;
  if (!fuzzer || !fuzzer->RunningTarget() || is_shoal_thread) return;
  fuzzer->OnFree();
  if (trace_malloc_level && !in_malloc_hook.exchange(true)) {
    Printf("FREE[%d] %p\n", gettid(), const_cast<void*>(ptr));
    if (trace_malloc_level >= 2 && __sanitizer_print_stack_trace) __sanitizer_print_stack_trace();
    in_malloc_hook.store(false);
  }
}

void DeathCallback() { active_fuzzer->DeathCallback(); }
void ExitHook() { active_fuzzer->ExitCallback(); }

void StartRssThread(size_t limit_mb) {
  // Started before the target first runs, and waited for: whatever the new thread allocates
  // while starting must not look like the target's (it made the leak check re-run inputs).
  std::atomic<bool> started{false};
  std::thread([limit_mb, &started] {
    is_shoal_thread = true;
    started.store(true);
    for (;;) {
      // libFuzzer polls once a second; ten times is as cheap and catches fast growth (a
      // worker must report before its coordinator's backstop does).
      usleep(100 * 1000);
      size_t rss = PeakRssMb();
      if (rss > limit_mb) active_fuzzer->RssLimitCallback(rss);
    }
  }).detach();
  while (!started.load()) usleep(100);
}

}  // namespace

void InstallFailureHandlers(Fuzzer* fuzzer, const FuzzingOptions& options) {
  active_fuzzer = fuzzer;
  trace_malloc_level = options.trace_malloc;
  SetUpAlternateSignalStack();
  if (options.handle.segv) SetSignalHandler(SIGSEGV, CrashSignalHandler, true);
  if (options.handle.bus) SetSignalHandler(SIGBUS, CrashSignalHandler, true);
  if (options.handle.abrt) SetSignalHandler(SIGABRT, CrashSignalHandler, true);
  if (options.handle.ill) SetSignalHandler(SIGILL, CrashSignalHandler, true);
  if (options.handle.fpe) SetSignalHandler(SIGFPE, CrashSignalHandler, true);
  if (options.handle.interrupt) SetSignalHandler(SIGINT, InterruptSignalHandler, false);
  if (options.handle.term) SetSignalHandler(SIGTERM, InterruptSignalHandler, false);
  if (options.handle.xfsz) SetSignalHandler(SIGXFSZ, FileSizeSignalHandler, false);
  if (options.handle.usr1) SetSignalHandler(SIGUSR1, GracefulExitSignalHandler, false);
  if (options.handle.usr2) SetSignalHandler(SIGUSR2, GracefulExitSignalHandler, false);
  if (options.timeout_sec > 0) {
    SetSignalHandler(SIGALRM, AlarmSignalHandler, false);
    // Checked at half the timeout, so a hang is reported at most timeout/2+1 s late.
    struct itimerval timer = {};
    timer.it_interval.tv_sec = options.timeout_sec / 2 + 1;
    timer.it_value = timer.it_interval;
    setitimer(ITIMER_REAL, &timer, nullptr);
  }
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(DeathCallback);
  atexit(ExitHook);
  if (options.rss_limit_mb > 0) StartRssThread(options.rss_limit_mb);
  if (options.detect_leaks && __sanitizer_install_malloc_and_free_hooks)
    __sanitizer_install_malloc_and_free_hooks(MallocHook, FreeHook);
}

}  // namespace fuzzer
