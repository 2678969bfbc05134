// Planted bugs behind a compare of a transformed input value (issue 9, class 1): the traced
// operand is never in the input, so libFuzzer's input-to-state has nothing to replace.
// I2S_MODE picks the transform (default 1):
//   1: uint32 LE at offset 2, x * 5 - 1000 == 0x1234ABCD       (affine, odd multiplier)
//   2: uint32 LE at offset 2, x ^ 0x5A5A5A5A == 0x1234ABCD      (XOR)
//   3: uint32 LE at offset 2, x - 100 == 0xCAFEF00D             (additive offset)
//   4: uint32 LE at offset 2, bswap(x) == 0x1234ABCD            (byte order)
//   5: ASCII decimal at offset 0, v * 3 + 7 == 3000007          (parsed digits)
//   6: uint16 BE at offset 2, x ^ 0xBEEF == 0x1337              (16-bit, big-endian)
//   7: uint64 LE at offset 2, x * 0x9E3779B97F4A7C15 + 12345 == 0x0123456789ABCDEF
//   8: uint32 LE at offset 2, x * 6 + 2 == 0x2468ACE2           (affine, even multiplier)
//   9: ASCII hex at offset 0, v + 0x1000 == 0xDEADBEEF          (parsed hex digits)
// Opaque() stops clang from folding the transform into the constant (x ^ K == C would
// become x == C ^ K): real code computes such values where the compiler cannot see through.
// Run by the fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

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
#if I2S_MODE == 5 || I2S_MODE == 9
  // A number in text: the first byte must be a digit, then up to 10 more.
  if (size < 1) return 0;
  const bool hex = I2S_MODE == 9;
  if (!(data[0] >= '0' && data[0] <= '9') && !(hex && data[0] >= 'a' && data[0] <= 'f')) return 0;
  std::string text(reinterpret_cast<const char*>(data), size < 12 ? size : 12);
  const uint32_t v = uint32_t(strtoul(text.c_str(), nullptr, hex ? 16 : 10));
#if I2S_MODE == 5
  if (Opaque(v * 3u + 7u) == 3000007u) abort();
#else
  if (Opaque(v + 0x1000u) == 0xDEADBEEFu) abort();
#endif
#elif I2S_MODE == 6
  if (size < 4) return 0;
  const uint16_t x = uint16_t(data[2] << 8 | data[3]);
  if (Opaque(uint16_t(x ^ 0xBEEF)) == 0x1337) abort();
#elif I2S_MODE == 7
  if (size < 10) return 0;
  const uint64_t x = Load<uint64_t>(data + 2);
  if (Opaque(x * 0x9E3779B97F4A7C15ull + 12345) == 0x0123456789ABCDEFull) abort();
#else
  if (size < 6) return 0;
  const uint32_t x = Load<uint32_t>(data + 2);
#if I2S_MODE == 1
  if (Opaque(x * 5u - 1000u) == 0x1234ABCDu) abort();
#elif I2S_MODE == 2
  if (Opaque(x ^ 0x5A5A5A5Au) == 0x1234ABCDu) abort();
#elif I2S_MODE == 3
  if (Opaque(x - 100u) == 0xCAFEF00Du) abort();
#elif I2S_MODE == 4
  if (Opaque(__builtin_bswap32(x)) == 0x1234ABCDu) abort();
#elif I2S_MODE == 8
  if (Opaque(x * 6u + 2u) == 0x2468ACE2u) abort();
#endif
#endif
  return 0;
}
