// Planted bug: abort() when input bytes 2..5, read as a little-endian float, equal 2.71828f.
// The float compare is not traced by trace-cmp, so libFuzzer 14's CMP mutator never sees the
// constant; Shoal's FloatConst mutator writes it from the harvested constants. Run by the
// fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  float value;
  memcpy(&value, data + 2, sizeof(value));
  if (value == 2.71828f) abort();
  return 0;
}
