// Helper for -reload tests: crashes only on one 16-byte key, checked through a 64-bit FNV-1a
// hash, so neither mutation nor CMP hints can find it. Only an input put into the corpus
// directory from outside (as another fuzzer would) reaches the bug.
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_null = nullptr;

static constexpr uint64_t Fnv1a(const char* data, size_t size) {
  uint64_t hash = 14695981039346656037ull;
  for (size_t i = 0; i < size; i++) hash = (hash ^ uint8_t(data[i])) * 1099511628211ull;
  return hash;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr uint64_t kKeyHash = Fnv1a("shoal-reload-key", 16);
  if (size != 16) return 0;
  if (Fnv1a(reinterpret_cast<const char*>(data), size) == kKeyHash) *g_null = 1;
  return 0;
}
