// Planted bug: NULL write when the first 16 input bytes equal a constant, tested
// with one memcmp() call. Only reachable through the memcmp interceptor / weak
// hook (__sanitizer_weak_hook_memcmp) feeding the constant to the mutator.
#include <cstddef>
#include <cstdint>
#include <cstring>

static volatile int* volatile g_null = nullptr;
static const char kExpected[16] = {'S', 'h', 'o', 'a', 'l', 'M', 'e', 'm',
                                   'c', 'm', 'p', '1', '6', 'x', 'Q', 'Z'};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 16 && memcmp(data, kExpected, 16) == 0) *g_null = 1;
  return 0;
}
