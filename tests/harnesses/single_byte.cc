// Helper for -minimize_crash: crashes (NULL write) when any byte of the input is '*', so
// every crashing input minimises to the single byte "*".
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_null = nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; i++)
    if (data[i] == '*') *g_null = 1;
  return 0;
}
