// Planted bug: abort() when the first 8 input bytes, read as a little-endian
// uint64 via memcpy, equal 0x0123456789ABCDEF. Only reachable through CMP
// tracing (__sanitizer_cov_trace_const_cmp8). Reported as a deadly signal (77).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t value;
  memcpy(&value, data, sizeof(value));
  if (value == 0x0123456789ABCDEFull) abort();
  return 0;
}
