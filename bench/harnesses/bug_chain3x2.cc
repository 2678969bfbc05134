// Benchmark harness (CMP-gated planted bug): a chain of three nested 2-byte compares
// (uint16 at offsets 0, 2, 4); each satisfied compare adds coverage, the third traps.
#include <cstddef>
#include <cstdint>
#include <cstring>

static volatile int sink;

static uint16_t Load16(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  if (Load16(data) == 0xA55Au) {
    sink = 1;
    if (Load16(data + 2) == 0x1F2Eu) {
      sink = 2;
      if (Load16(data + 4) == 0xC3D4u) __builtin_trap();
    }
  }
  return 0;
}
