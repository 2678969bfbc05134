// Planted bug: NULL write when the first 4 input bytes, read as a little-endian
// uint32 via memcpy, equal 0xDEADBEEF. Blind search needs ~2^32 tries; CMP
// tracing (__sanitizer_cov_trace_const_cmp4) should reveal it quickly.
#include <cstddef>
#include <cstdint>
#include <cstring>

static volatile int* volatile g_null = nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t value;
  memcpy(&value, data, sizeof(value));
  if (value == 0xDEADBEEFu) *g_null = 1;
  return 0;
}
