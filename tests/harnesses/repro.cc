// Helper target for reproduce (individual-file) mode: prints
// "REPRO: executed <size> bytes" for every non-empty input, so tests can count
// executions per file, and writes through NULL when the input starts with
// "CRASH" (ASan SEGV, exit 1). Anything else is benign.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

static volatile int* volatile g_null = nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  fprintf(stderr, "REPRO: executed %zu bytes\n", size);
  if (size >= 5 && memcmp(data, "CRASH", 5) == 0) *g_null = 1;
  return 0;
}
