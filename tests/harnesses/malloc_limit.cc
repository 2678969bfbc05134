// Planted bug: a single 3 GB malloc when the input starts with "ML". Run with
// -malloc_limit_mb=300 (or -rss_limit_mb=300): expect
// "ERROR: libFuzzer: out-of-memory (malloc(3221225472))", exit 71.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

static void* volatile g_sink;  // volatile: the malloc must not be elided

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'M' && data[1] == 'L') {
    g_sink = malloc(size_t{3} << 30);
    free(g_sink);
    g_sink = nullptr;
  }
  return 0;
}
