// Planted bug: abort() when the input, as text, starts with a number that strtod() reads as
// exactly 6.02214076e23. strtod's internal compares are not instrumented (libc), and the
// double compare is not traced, so libFuzzer 14 has no operand to copy; Shoal's FloatASCII
// mutator writes the harvested constant's shortest decimal text ("6.02214076e+23").
// Run by the fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64) return 0;
  char text[65];
  memcpy(text, data, size);
  text[size] = '\0';
  char* end = nullptr;
  const double value = strtod(text, &end);
  if (end != text && value == 6.02214076e23) abort();
  return 0;
}
