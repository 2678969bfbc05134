// Planted bug: the target writes into its const input when it starts with "OW".
// Expect "ERROR: libFuzzer: fuzz target overwrites its const input", exit 77.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'O' && data[1] == 'W') {
    const_cast<uint8_t*>(data)[1] = 'w';
  }
  return 0;
}
