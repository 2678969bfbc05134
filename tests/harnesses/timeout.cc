// Planted bug: infinite loop when the input starts with "TO". Run with -timeout=1:
// expect "ALARM: working on the last Unit", "ERROR: libFuzzer: timeout after", exit 70.
#include <cstddef>
#include <cstdint>

static volatile uint64_t g_spins;  // volatile: the loop must not be folded away

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'T' && data[1] == 'O') {
    for (;;) g_spins = g_spins + 1;
  }
  return 0;
}
