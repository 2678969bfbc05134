// Helper target with LLVMFuzzerInitialize. Initialize prints "INIT: argc=N" and
// one "INIT: argv[i]=..." line per argument (so tests can see what the runtime
// passes, e.g. with -ignore_remaining_args=1), remembers argv[0] and counts its
// calls. The target aborts if Initialize did not run exactly once before it or if
// argv[0] changed. At exit it prints "TARGET_CALLS: N" (calls to the target).
// Built with -DSHOAL_BOGUS_INITIALIZE it rewrites argv[0] instead, which the
// runtime must reject: "ERROR: argv[0] has been modified in LLVMFuzzerInitialize".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static int g_init_calls = 0;
static unsigned long g_target_calls = 0;
static char** g_argv = nullptr;
static std::string* g_argv0 = nullptr;

static void PrintCalls() { fprintf(stderr, "TARGET_CALLS: %lu\n", g_target_calls); }

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  ++g_init_calls;
  fprintf(stderr, "INIT: argc=%d\n", *argc);
  for (int i = 0; i < *argc; i++) fprintf(stderr, "INIT: argv[%d]=%s\n", i, (*argv)[i]);
  g_argv = *argv;
  g_argv0 = new std::string((*argv)[0]);
  atexit(PrintCalls);
#ifdef SHOAL_BOGUS_INITIALIZE
  static char bogus[] = "bogus";
  (*argv)[0] = bogus;
#endif
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  ++g_target_calls;
  if (g_init_calls != 1) {
    fprintf(stderr, "initialize.cc: LLVMFuzzerInitialize ran %d times\n", g_init_calls);
    abort();
  }
  if (*g_argv0 != g_argv[0]) {
    fprintf(stderr, "initialize.cc: argv[0] changed\n");
    abort();
  }
  return 0;
}
