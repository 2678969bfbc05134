// Planted bug: abort() when the first 8 input bytes, read as a double, equal the constant
// FLOAT_TEST_CONSTANT (a -D flag; default 3.14159265358979), little-endian, or big-endian
// with -DFLOAT_TEST_BIG_ENDIAN. clang's trace-cmp does not instrument the floating-point
// compare, so no compare operand is ever traced: CMP tracing cannot solve it (libFuzzer 14
// does not find it); Shoal's FloatConst mutator writes the constant harvested from .rodata.
// Run by the fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifndef FLOAT_TEST_CONSTANT
#define FLOAT_TEST_CONSTANT 3.14159265358979
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint8_t bytes[8];
  memcpy(bytes, data, 8);
#ifdef FLOAT_TEST_BIG_ENDIAN
  for (int i = 0; i < 4; i++) {
    const uint8_t t = bytes[i];
    bytes[i] = bytes[7 - i];
    bytes[7 - i] = t;
  }
#endif
  double value;
  memcpy(&value, bytes, sizeof(value));
  if (value == FLOAT_TEST_CONSTANT) abort();
  return 0;
}
