// Benchmark harness (CMP-gated planted bug): traps when the first 8 bytes, read as a
// uint64 via memcpy, equal 0x0123456789ABCDEF. Solvable only through a 64-bit CMP hint.
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t v;
  memcpy(&v, data, sizeof(v));
  if (v == 0x0123456789ABCDEFull) __builtin_trap();
  return 0;
}
