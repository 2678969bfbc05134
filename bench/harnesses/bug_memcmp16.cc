// Benchmark harness (CMP-gated planted bug): traps when the first 16 bytes memcmp-equal
// a constant. -fsanitize=fuzzer[-no-link] passes -fno-builtin-memcmp, so the call reaches
// the engine's memcmp hook instead of being inlined.
#include <cstddef>
#include <cstdint>
#include <cstring>

static const char kKey[17] = "Sh0al-B3nchK3y!#";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 16) return 0;
  if (memcmp(data, kKey, 16) == 0) __builtin_trap();
  return 0;
}
