// Helper for -cleanse_crash: crashes only through four bytes of a 20-byte input
// (positions 1, 5, 10, 19 must be '1', '5', 'A', 'Z'); every other byte is irrelevant and
// must be cleansed to ' '.
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_null = nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 20 && data[1] == '1' && data[5] == '5' && data[10] == 'A' && data[19] == 'Z')
    *g_null = 1;
  return 0;
}
