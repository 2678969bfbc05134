// Planted bug: NULL-pointer write. Reached when the input starts with "HI!";
// each matched byte opens a new edge, so coverage guidance finds it in ~10^4 runs.
// Under ASan the report is "AddressSanitizer: SEGV" (exit code 1).
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_null = nullptr;  // volatile: keep the store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && data[0] == 'H') {
    if (data[1] == 'I') {
      if (data[2] == '!') {
        *g_null = 42;
      }
    }
  }
  return 0;
}
