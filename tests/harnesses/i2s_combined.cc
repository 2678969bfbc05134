// Planted bugs behind several magic values that must hold at once in one block (issue 9,
// class 2): fixing one alone reaches no new branch, and libFuzzer applies one compare-table
// entry per mutation. I2S_MODE picks the shape (default 1):
//   1: two uint32 LE at 0 and 4, (a == 0x1234ABCD) & (b == 0x99887766)
//   2: three values: uint32 LE at 0, uint16 BE at 4, uint64 LE at 6, all equal to constants
//   3: ((a ^ 0x1234ABCD) | (b ^ 0x99887766)) == 0: one compare of a combination (found
//      through the per-site distance feedback, -cmp_distance)
// Opaque() keeps each compare's result from being turned into a branch of its own.
// Run by the fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifndef I2S_MODE
#define I2S_MODE 1
#endif

template <class T>
static inline T Opaque(T value) {
  asm volatile("" : "+r"(value));
  return value;
}

template <class T>
static T Load(const uint8_t* data) {
  T value;
  memcpy(&value, data, sizeof(value));
  return value;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#if I2S_MODE == 2
  if (size < 14) return 0;
  const uint32_t a = Load<uint32_t>(data);
  const uint16_t b = uint16_t(data[4] << 8 | data[5]);
  const uint64_t c = Load<uint64_t>(data + 6);
  const int all = int(Opaque(a) == 0xC0FFEE11u) & int(Opaque(b) == 0xB00Bu) &
                  int(Opaque(c) == 0x1122334455667788ull);
  if (Opaque(all)) abort();
#else
  if (size < 8) return 0;
  const uint32_t a = Load<uint32_t>(data);
  const uint32_t b = Load<uint32_t>(data + 4);
#if I2S_MODE == 1
  const int both = int(Opaque(a) == 0x1234ABCDu) & int(Opaque(b) == 0x99887766u);
  if (Opaque(both)) abort();
#else
  if (Opaque((a ^ 0x1234ABCDu) | (b ^ 0x99887766u)) == 0) abort();
#endif
#endif
  return 0;
}
