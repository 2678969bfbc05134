// Benchmark harness (CMP-gated planted bug): a switch on a uint32 (first 4 bytes) with
// eight cases; the rare case 0x12345678 traps. Solvable through __sanitizer_cov_trace_switch.
#include <cstddef>
#include <cstdint>
#include <cstring>

static volatile int sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t v;
  memcpy(&v, data, sizeof(v));
  switch (v) {
    case 0x00000001u: sink = 1; break;
    case 0x00000100u: sink = 2; break;
    case 0x0000FFFFu: sink = 3; break;
    case 0x00A0B0C0u: sink = 4; break;
    case 0x12345678u: __builtin_trap();
    case 0x7F000001u: sink = 6; break;
    case 0x80000000u: sink = 7; break;
    case 0xFFFFFFFEu: sink = 8; break;
    default: break;
  }
  return 0;
}
