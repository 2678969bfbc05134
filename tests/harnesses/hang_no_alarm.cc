// Planted hang that the worker's own timer cannot report: on inputs starting with "ZZ" the
// target ignores SIGALRM (process-wide, so no thread can take it) and spins forever. Only
// the coordinator's watchdog can catch it, and must write the timeout- artifact with this input.
#include <signal.h>

#include <cstddef>
#include <cstdint>

static volatile uint64_t g_spin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'Z' && data[1] == 'Z') {
    signal(SIGALRM, SIG_IGN);
    for (;;) g_spin++;
  }
  return 0;
}
