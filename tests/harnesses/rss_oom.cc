// Planted bug: RSS blow-up when the input starts with "OM": allocates and touches
// 16 MB blocks up to 1.5 GB, then waits. Run with -rss_limit_mb=300: the runtime's
// RSS watchdog must report "out-of-memory (used: ...)" (exit 71). Each block is
// below any sane -malloc_limit_mb, so only the RSS check can fire. Bounded so a
// runtime that misses it cannot eat the machine: after ~10 s everything is freed.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

static void* volatile g_blocks[96];  // volatile: keep allocations observable

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'O' && data[1] == 'M') {
    const size_t kBlock = 16u << 20;
    for (size_t i = 0; i < 96; i++) {
      g_blocks[i] = malloc(kBlock);
      memset(g_blocks[i], 0x5a, kBlock);  // touch every page so RSS grows
    }
    for (int i = 0; i < 100; i++) usleep(100 * 1000);  // give the watchdog time
    for (size_t i = 0; i < 96; i++) {
      free(g_blocks[i]);
      g_blocks[i] = nullptr;
    }
  }
  return 0;
}
