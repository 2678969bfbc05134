// Hostile target: on an input starting with "LOG" it writes 10 MB to stderr without a
// newline, then a short line. The coordinator forwards each worker's stderr line by line; a
// line this long must be cut (and the cut said), at a cost linear in the bytes, not stall
// the run.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && memcmp(data, "LOG", 3) == 0) {
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 160; i++)
      if (write(2, chunk, sizeof(chunk)) < 0) break;
    const char tail[] = "\nafter the flood\n";
    if (write(2, tail, sizeof(tail) - 1) < 0) return 0;
  }
  return 0;
}
