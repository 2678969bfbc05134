// Helper target with no bug and no branches: for flag/driver tests
// (-help, unknown flags, missing directories, malformed dictionaries).
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  return 0;
}
