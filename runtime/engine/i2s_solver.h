// The input-to-state solver: from the compare logs of an input and of its colourised
// variants (same features, other bytes), it infers which input field feeds which compare
// operand and through which encoding, and computes the edits that make each compare come out
// the other way (REDQUEEN, NDSS 2019, extended with learned transforms). Pure functions of
// their arguments, so they are unit-tested directly. Runs in the worker and the in-process
// engine, between executions (it may allocate).
//
// Encodings of a field: little/big-endian binary of 1, 2, 4 or 8 bytes (zero- or
// sign-extended to the compare's width, or truncated), ASCII decimal and ASCII hex. Transforms
// from the field's value x to the operand y, modulo 2^width: affine y = mul*x + add (identity,
// additive offset and multiplication are its special cases) and y = x ^ key. A transform other
// than identity is learned from two samples and must hold on a third (or be a pure offset
// when there is no third).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/engine/cmp_log.h"

namespace fuzzer {

// An edit of an input: `erase` bytes at `pos` are replaced with `bytes`.
struct Replacement {
  uint32_t pos = 0;
  uint32_t erase = 0;
  Bytes bytes;
};

// Applies every edit of `edits` that does not overlap an earlier one (in the order given);
// returns the number applied. The result is cut at max_size.
size_t ApplyReplacements(const Bytes& input, const std::vector<const Replacement*>& edits,
                         size_t max_size, Bytes* out);

// A compare found to check a checksum: one operand (`stored_arg`, 1 or 2) is read verbatim from
// `width` input bytes in the given byte order, the other is computed from other bytes.
struct ChecksumField {
  uintptr_t site = 0;
  uint8_t stored_arg = 1;
  uint8_t width = 4;
  bool big_endian = false;
  bool operator==(const ChecksumField& o) const {
    return site == o.site && stored_arg == o.stored_arg && width == o.width &&
           big_endian == o.big_endian;
  }
};

// One traced execution: its input and its compare log (entries in execution order).
struct TracedRun {
  Bytes input;
  std::vector<CmpLogEntry> log;
};

struct SolverLimits {
  size_t max_size = 4096;          // edits never make the input longer than this
  size_t max_replacements = 256;   // candidates returned at most
  size_t max_work = 1u << 18;      // field/transform checks per call, at most
};

// A compare against a constant whose operand follows the coloured bytes through no
// encoding the solver knows (e.g. ((a ^ K1) | (b ^ K2)) == 0): left to the stage's bit-level
// distance descent (i2s_stage.h).
struct UnsolvedCompare {
  uintptr_t site = 0;
  uint32_t hit = 0;
};

struct SolverResult {
  std::vector<Replacement> replacements;  // in execution order of their compares
  std::vector<ChecksumField> checksums;
  std::vector<UnsolvedCompare> unsolved;  // in execution order
  size_t work = 0;  // checks made (for tests and tuning)
};

// `original` and each of `colourised` must have the same features (so their logs align by
// site and hit). `colourised` may be empty: then only verbatim fields are found.
SolverResult SolveInputToState(const TracedRun& original, const std::vector<TracedRun>& colourised,
                               const SolverLimits& limits);

// ---- arithmetic modulo 2^bits (1 <= bits <= 64), exposed for unit tests ----
uint64_t LowBits(uint64_t value, unsigned bits);
// The inverse of an odd number modulo 2^bits.
uint64_t InverseOfOdd(uint64_t odd, unsigned bits);
// y = mul*x + add through (x0, y0) and (x1, y1); false if no such affine map exists or x0 == x1.
// When x0 - x1 is even, mul is one of several solutions (its top bits are set to zero).
bool LearnAffine(uint64_t x0, uint64_t y0, uint64_t x1, uint64_t y1, unsigned bits, uint64_t* mul,
                 uint64_t* add);
// Every x (up to max_solutions, smallest first) with mul*x + add == target; none when mul is 0
// or the equation has no solution (mul even and target - add not divisible enough).
std::vector<uint64_t> SolveAffine(uint64_t mul, uint64_t add, uint64_t target, unsigned bits,
                                  size_t max_solutions);
// ASCII decimal of `value` read as a signed number of `bits` bits.
std::string SignedDecimal(uint64_t value, unsigned bits);

}  // namespace fuzzer
