// Helper for -focus_function tests: two functions behind different first bytes. Inputs that
// start with 'F' enter FocusHere; the others go Elsewhere. C linkage keeps the symbolized
// names plain ("FocusHere").
#include <cstddef>
#include <cstdint>

static volatile int g_sink;

extern "C" __attribute__((noinline)) void FocusHere(const uint8_t* data, size_t size) {
  if (size > 1 && data[1] == 'O') g_sink = 1;
  if (size > 2 && data[2] == 'C') g_sink = 2;
}

extern "C" __attribute__((noinline)) void Elsewhere(const uint8_t* data, size_t size) {
  if (size > 1 && data[1] == 'x') g_sink = 3;
  if (size > 2 && data[2] == 'y') g_sink = 4;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 'F')
    FocusHere(data, size);
  else
    Elsewhere(data, size);
  return 0;
}
