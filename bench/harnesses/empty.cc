// Benchmark harness: does nothing, so execs/s measures pure engine overhead
// (mutation, coverage bookkeeping, corpus management).
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  return 0;
}
