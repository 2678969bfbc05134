// PlaceBytes: writes bytes into an input at a random place, inserted (when they fit) or over
// existing bytes, with one choice of the two when both are possible: what dictionary words
// and the Float* mutators do with the bytes they make. Worker / in-process engine, inside the
// fuzz loop: header-only, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "runtime/common/random.h"

namespace fuzzer {

// Returns the new size, or 0 if `length` bytes neither fit in max_size nor over data.
inline size_t PlaceBytes(Random& rand, const uint8_t* bytes, size_t length, uint8_t* data,
                         size_t size, size_t max_size) {
  const bool can_insert = length <= max_size - size;
  const bool can_overwrite = length <= size;
  if (!can_insert && !can_overwrite) return 0;
  if (can_insert && (!can_overwrite || rand.Bool())) {
    const size_t position = rand(size + 1);
    memmove(data + position + length, data + position, size - position);
    memcpy(data + position, bytes, length);
    return size + length;
  }
  memcpy(data + rand(size - length + 1), bytes, length);
  return size;
}

}  // namespace fuzzer
