// Planted bug: the target calls exit(0) when the input starts with "EX!".
// Expect "ERROR: libFuzzer: fuzz target exited", a crash- artifact and exit 77.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && data[0] == 'E') {
    if (data[1] == 'X') {
      if (data[2] == '!') exit(0);
    }
  }
  return 0;
}
