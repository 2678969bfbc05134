// Integers as bytes of the input: encode and decode 1..8-byte little- or big-endian values
// independently of the host, the mask of a width, and the smallest width that holds a
// value. Shared by the mutators, the input-to-state solver and checksum repair. Worker /
// in-process engine, in the fuzz loop: header-only, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fuzzer {

inline uint64_t WidthMask(size_t width) {
  return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
}

// Writes the low `width` bytes of value to out, little- or big-endian.
inline void EncodeInteger(uint64_t value, size_t width, bool big_endian, uint8_t* out) {
  for (size_t i = 0; i < width; i++) {
    const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    out[big_endian ? width - 1 - i : i] = byte;
  }
}

inline uint64_t DecodeInteger(const uint8_t* in, size_t width, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; i++) value |= uint64_t{in[big_endian ? width - 1 - i : i]} << (8 * i);
  return value;
}

// Smallest of 1/2/4/8 bytes that holds value.
inline size_t IntegerWidth(uint64_t value) {
  if (value <= 0xff) return 1;
  if (value <= 0xffff) return 2;
  if (value <= 0xffffffff) return 4;
  return 8;
}

}  // namespace fuzzer
