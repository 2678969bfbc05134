// Planted bug: abort() when the input starts with "AB!". ASan leaves SIGABRT to
// the fuzzer (handle_abort=0), so the runtime's own "deadly signal" path (exit 77)
// must report it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && data[0] == 'A') {
    if (data[1] == 'B') {
      if (data[2] == '!') abort();
    }
  }
  return 0;
}
