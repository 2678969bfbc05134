// Helper target with no bug but plenty of input-dependent branches, so fuzzing
// quickly adds NEW units (corpus output, INITED/NEW/DONE grammar, final stats,
// UBSan-only and uninstrumented-sanitizer builds' coverage counts).
#include <cstddef>
#include <cstdint>

static volatile uint32_t g_sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint32_t acc = 0;
  if (size > 0) {
    switch (data[0] & 7) {
      case 0:
        acc += 1;
        break;
      case 1:
        acc += 3;
        break;
      case 2:
        acc *= 5;
        break;
      case 3:
        acc ^= 7;
        break;
      case 4:
        acc -= 11;
        break;
      case 5:
        acc += 13;
        break;
      default:
        acc = 17;
        break;
    }
  }
  if (size > 1 && data[1] > 0x80) acc += 19;
  if (size > 2 && data[2] == data[1]) acc += 23;
  if (size > 3 && (data[3] & 0x0f) == 0x0a) acc += 29;
  if (size > 4) acc += 31;
  if (size > 8) acc += 37;
  g_sink = acc;
  return 0;
}
