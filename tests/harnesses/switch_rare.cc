// Planted bug: __builtin_trap() (SIGILL, a deadly signal: exit 77) in a rare case
// of a switch on the first 4 input bytes (little-endian uint32 == 0x12345678).
// Only reachable through __sanitizer_cov_trace_switch feeding the case values.
#include <cstddef>
#include <cstdint>
#include <cstring>

static volatile int g_sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t value;
  memcpy(&value, data, sizeof(value));
  switch (value) {
    case 1:
      g_sink = 1;
      break;
    case 7:
      g_sink = 7;
      break;
    case 0x100:
      g_sink = 3;
      break;
    case 0xFFFF0000u:
      g_sink = 4;
      break;
    case 0x12345678u:
      __builtin_trap();
    default:
      g_sink = 0;
      break;
  }
  return 0;
}
