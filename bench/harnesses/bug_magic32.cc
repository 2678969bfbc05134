// Benchmark harness (CMP-gated planted bug): traps when the first 4 bytes, read as a
// uint32 via memcpy, equal 0xDEADBEEF. Solvable only through a 32-bit CMP hint.
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t v;
  memcpy(&v, data, sizeof(v));
  if (v == 0xDEADBEEFu) __builtin_trap();
  return 0;
}
