// Helper for -reduce_depth tests: the whole input's FNV-1a hash picks one of 64 functions, so
// an input's unique feature is its function, and almost any mutation loses it.
#include <cstddef>
#include <cstdint>
#include <utility>

static volatile uint32_t g_sink;

// One function per bucket: distinct calls, so the switch cannot become a lookup table.
template <int N>
__attribute__((noinline)) void Bucket() {
  g_sink = g_sink * 31 + N;
}

template <int... N>
void Dispatch(uint64_t bucket, std::integer_sequence<int, N...>) {
  ((bucket == uint64_t(N) ? Bucket<N>() : void()), ...);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t hash = 14695981039346656037ull;
  for (size_t i = 0; i < size; i++) hash = (hash ^ data[i]) * 1099511628211ull;
  Dispatch(hash % 64, std::make_integer_sequence<int, 64>());
  return 0;
}
