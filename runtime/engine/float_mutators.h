// FloatMutators: the IEEE-aware mutators that MutationDispatcher uses as one family (one
// slot among libFuzzer's mutators), printed after "MS:" as FloatConst, FloatUlp, FloatSign,
// FloatExp, FloatSpecial, FloatConv and FloatASCII. They treat a 4- or 8-byte window of the
// input (either byte order) as a float or a double. Runs in the worker (and in the in-process
// engine) inside the fuzz loop: no allocation per mutation, every write within max_size.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/common/random.h"
#include "runtime/engine/float_constants.h"

namespace fuzzer {

class FloatMutators {
 public:
  enum class Kind : uint8_t {
    kConst,    // a harvested constant (+-0 or 1 ulp), as float or double, inserted/overwritten
    kUlp,      // the window's value moved by +-k ulps
    kSign,     // the window's sign bit flipped
    kExp,      // the window's binary exponent moved, or its value scaled by a power of ten
    kSpecial,  // 0, -0, inf, -inf, NaN, max, -max, min normal, denorm_min, 1, -1
    kConv,     // integer <-> float conversion of the window's value; float <-> double width
    kAscii,    // a constant's shortest decimal text, replacing a number in the input or placed
    kCount,
  };
  static constexpr size_t kKinds = static_cast<size_t>(Kind::kCount);

  // `rand` must outlive this object.
  explicit FloatMutators(Random* rand) : rand_(rand) {}

  // The harvested constants for kConst and kAscii (both fail without them); may be null.
  // Must outlive this object.
  void SetConstants(const FloatConstants* constants) { constants_ = constants; }

  // Picks a kind at random and applies it; when it cannot apply, the next kinds in order are
  // tried. Returns the new size (0 if none applies) and the kind applied in *applied.
  size_t Mutate(uint8_t* data, size_t size, size_t max_size, Kind* applied);
  // Applies one kind; returns the new size, or 0 (data untouched) if it cannot apply.
  size_t Apply(Kind kind, uint8_t* data, size_t size, size_t max_size);

 private:
  // A window of the input read as a float (width 4) or double (width 8).
  struct Window {
    size_t offset = 0;
    size_t width = 0;
    bool big_endian = false;
  };
  bool PickWindow(size_t size, size_t width, Window* window);  // width 0: 4 or 8 at random
  // Writes length bytes by inserting them or overwriting, at a random position.
  size_t Place(const uint8_t* bytes, size_t length, uint8_t* data, size_t size, size_t max_size);
  size_t PlaceValue(double value, size_t width, uint8_t* data, size_t size, size_t max_size);

  size_t Const(uint8_t* data, size_t size, size_t max_size);
  size_t Ulp(uint8_t* data, size_t size);
  size_t Sign(uint8_t* data, size_t size);
  size_t Exp(uint8_t* data, size_t size);
  size_t Special(uint8_t* data, size_t size, size_t max_size);
  size_t Conv(uint8_t* data, size_t size);
  size_t Ascii(uint8_t* data, size_t size, size_t max_size);

  Random* rand_;
  const FloatConstants* constants_ = nullptr;
};

// The bits of value as a float (width 4, rounded) or a double (width 8), in the low bytes.
uint64_t FloatBits(double value, size_t width);
// The value of the float (width 4) or double (width 8) with these bits.
double FloatFromBits(uint64_t bits, size_t width);
// Moves the float/double with these bits by `ulps` towards +inf (negative: towards -inf),
// across zero as IEEE orders values; saturates at +-inf. NaN bits are returned unchanged.
uint64_t StepUlps(uint64_t bits, size_t width, int64_t ulps);

}  // namespace fuzzer
