// Benchmark harness (CMP-gated planted bug): copies the input to a NUL-terminated buffer
// and traps when it strcmp-equals an 8-character word.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64) return 0;
  char buf[65];
  memcpy(buf, data, size);
  buf[size] = '\0';
  if (strcmp(buf, "FUZZWORD") == 0) __builtin_trap();
  return 0;
}
