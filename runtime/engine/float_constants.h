// FloatConstants: the float and double constants of the fuzz target's binary, harvested once
// per process from its ELF read-only data (.rodata*, .lrodata*) for the IEEE-aware mutators
// (float_mutators.h). clang's trace-cmp does not instrument fcmp, so a compare of a float
// read from the input with a constant is never traced; the constant itself still sits in the
// binary's constant pool. Runs in every process that fuzzes (the worker, or the in-process
// engine), when fuzzing starts; read-only afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace fuzzer {

// One harvested constant, as a double (a float one converted exactly), with the width it
// was found at and its shortest decimal text that reads back as the same float/double.
struct FloatConstant {
  double value = 0;
  uint8_t width = 8;  // 4: found as a float, 8: as a double
  uint8_t text_size = 0;
  char text[30] = {};
};

class FloatConstants {
 public:
  // At most this many constants are kept (ranked by how "human" they look, see Finish).
  static constexpr size_t kMaxConstants = 4096;
  // At most this many distinct candidates are looked at, in file order, before ranking.
  static constexpr size_t kMaxCandidates = 65536;

  // The filter: is this 8-byte (4-byte) window, in host byte order, a likely constant?
  // Finite and normal (no zero, denormal, infinity or NaN: those are junk in a byte scan, and
  // FloatSpecial writes them anyway), and not text: not all of its bytes printable or NUL,
  // unless its low half is all zero (a short mantissa: 2.0 is "\0\0\0\0\0\0\0@").
  static bool IsLikelyDouble(const uint8_t* bytes);
  static bool IsLikelyFloat(const uint8_t* bytes);

  // Scans `size` bytes that the loader maps at virtual address `address`: doubles at every
  // 8-aligned address, floats at every 4-aligned one (constant pools are aligned).
  void AddFromBytes(const uint8_t* data, size_t size, uint64_t address);
  // Adds one candidate (width 4: a float value, 8: a double), unless already there.
  void Add(double value, uint8_t width);
  // Scans the read-only data sections (.rodata*, .lrodata*) of a 64-bit little-endian ELF
  // file. False (and nothing added) if it cannot be read or is not such a file.
  bool AddFromElf(const char* path);
  // The second filter, on a value's magnitude and the significant decimal digits of its
  // shortest text: a double within [1e-20, 1e20] or with at most 9 digits (1e300,
  // 6.02214076e23), a float within [1e-10, 1e10] or with at most 4 digits. Random bit
  // patterns need 16-17 digits (9 for a float), and most of them lie far outside those
  // ranges; on an ASan+UBSan harness this keeps about a third of the windows' values.
  static bool IsPlausible(double value, size_t width, size_t digits);
  // Fills in the texts, drops what is not IsPlausible, ranks by significant digits (fewest
  // first: 0.1 and 1e300 before 3.14159265358979; ties keep file order), keeps `max_count`
  // (in file order). Candidates were deduplicated by width and bit pattern as they came.
  void Finish(size_t max_count = kMaxConstants);

  const std::vector<FloatConstant>& constants() const { return constants_; }
  size_t size() const { return constants_.size(); }
  bool empty() const { return constants_.empty(); }
  // Windows that passed the filter before deduplication (for the measurements in the docs).
  size_t windows_accepted() const { return windows_accepted_; }

 private:
  std::vector<FloatConstant> constants_;  // in file order until Finish
  std::unordered_set<uint64_t> seen_doubles_, seen_floats_;  // bit patterns
  size_t windows_accepted_ = 0;
};

// Writes the shortest "%.*g" text of `value` that reads back as the same double (width 8) or
// float (width 4) into out (room for 30 bytes); returns its length. Also used by FloatASCII.
size_t ShortestFloatText(double value, size_t width, char* out);

// The constants of /proc/self/exe, harvested on the first call (thread-safe, once per
// process); empty if the binary cannot be read.
const FloatConstants& HarvestedFloatConstants();

}  // namespace fuzzer
