// Planted bug: ASan heap-buffer-overflow (READ of size 1, 0 bytes past a heap
// copy of the input). Reached when the input starts with "HB".
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'H' && data[1] == 'B') {
    uint8_t* copy = new uint8_t[size];
    memcpy(copy, data, size);
    volatile uint8_t past_end = copy[size];  // one byte past the copy
    (void)past_end;
    delete[] copy;
  }
  return 0;
}
