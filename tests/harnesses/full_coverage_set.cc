// Helper for merge tests: six independent branches, one per position of "FUZZER" (input[i]
// == "FUZZER"[i] sets bit i), so each input that matches a different subset of positions has
// its own features. The whole word crashes (a NULL write after printing BINGO), to test
// that a merge survives crashing inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>

static volatile int g_bits;
static volatile int* volatile g_null = nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int bits = 0;
  if (size > 0 && data[0] == 'F') bits |= 1;
  if (size > 1 && data[1] == 'U') bits |= 2;
  if (size > 2 && data[2] == 'Z') bits |= 4;
  if (size > 3 && data[3] == 'Z') bits |= 8;
  if (size > 4 && data[4] == 'E') bits |= 16;
  if (size > 5 && data[5] == 'R') bits |= 32;
  g_bits = bits;
  if (bits == 63) {
    fprintf(stderr, "BINGO\n");
    *g_null = 1;
  }
  return 0;
}
