// Planted bug: a 40-byte leak (new int[10] never freed) when the input starts with
// "LK". Needs LeakSanitizer (ASan build): expect "ERROR: LeakSanitizer: detected
// memory leaks", a leak-<sha1> artifact and exit 77.
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'L' && data[1] == 'K') {
    g_sink = new int[10];
    g_sink = nullptr;  // drop the only reference: now unreachable
  }
  return 0;
}
