// Planted bug: NULL write reachable only through a custom input format:
//   [4-byte little-endian checksum of payload][payload], payload starting "CM!".
// The checksum is verified branch-free (XOR into a volatile, one compare with 0)
// so CMP tracing cannot repair it; random mutations almost never produce a valid
// frame. LLVMFuzzerCustomMutator mutates the payload with LLVMFuzzerMutate and
// re-seals the checksum, after which "CM!" is an easy coverage-guided search.
// Prints "In LLVMFuzzerCustomMutator" once so tests can see it was used.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

static volatile int* volatile g_null = nullptr;

static uint32_t Checksum(const uint8_t* p, size_t n) {
  uint32_t h = 0x811C9DC5u;  // FNV-1a
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t stored;
  memcpy(&stored, data, 4);
  volatile uint32_t mismatch = stored ^ Checksum(data + 4, size - 4);
  if (mismatch != 0) return 0;
  const uint8_t* payload = data + 4;
  size_t n = size - 4;
  if (n >= 3 && payload[0] == 'C') {
    if (payload[1] == 'M') {
      if (payload[2] == '!') *g_null = 1;
    }
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  (void)seed;
  static bool announced = false;
  if (!announced) {
    announced = true;
    fprintf(stderr, "In LLVMFuzzerCustomMutator\n");
  }
  if (max_size < 5) return size;
  size_t payload_size = size >= 4 ? size - 4 : 0;
  if (size < 4) memset(data, 0, 4);  // start a fresh frame with an empty payload
  payload_size = LLVMFuzzerMutate(data + 4, payload_size, max_size - 4);
  uint32_t sum = Checksum(data + 4, payload_size);
  memcpy(data, &sum, 4);
  return payload_size + 4;
}
