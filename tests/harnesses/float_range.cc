// Planted bug: abort() when the first 8 input bytes, read as a little-endian double, lie
// strictly between 1e300 and 2e300. Neither bound itself satisfies the check: Shoal's
// FloatConst writes a harvested bound one ulp inside (or FloatUlp/FloatExp walk there).
// libFuzzer 14 does not trace floating-point compares. Run by the fuzzing process (worker or
// in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  double value;
  memcpy(&value, data, sizeof(value));
  if (value > 1e300 && value < 2e300) abort();
  return 0;
}
