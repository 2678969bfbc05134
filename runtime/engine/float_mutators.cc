// FloatMutators: the IEEE-aware float/double mutators (see float_mutators.h). Runs in the
// worker (and the in-process engine) inside the fuzz loop: no allocation, no formatting on
// the common paths (constant texts are made once, at harvest), writes stay within max_size.
#include "runtime/engine/float_mutators.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "runtime/engine/place_bytes.h"

namespace fuzzer {
namespace {

constexpr size_t kMaxTextSize = 30;
constexpr uint64_t kInfBits8 = 0x7ff0000000000000ULL;
constexpr uint64_t kInfBits4 = 0x7f800000ULL;
constexpr double kPowersOfTen[] = {1e1, 1e2, 1e3, 1e4};

uint64_t LoadBits(const uint8_t* in, size_t width, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; i++)
    value |= uint64_t{in[big_endian ? width - 1 - i : i]} << (8 * i);
  return value;
}

void StoreBits(uint64_t value, size_t width, bool big_endian, uint8_t* out) {
  for (size_t i = 0; i < width; i++)
    out[big_endian ? width - 1 - i : i] = static_cast<uint8_t>(value >> (8 * i));
}

bool IsDigit(uint8_t byte) { return byte >= '0' && byte <= '9'; }

// Finds a decimal number ("-12.5e+3") around a random position in data, wrapping around once.
bool FindNumber(const uint8_t* data, size_t size, Random* rand, size_t* begin, size_t* end) {
  if (size == 0) return false;
  const size_t probe = (*rand)(size);
  size_t at = size;
  for (size_t step = 0; step < size; step++) {
    const size_t i = probe + step < size ? probe + step : probe + step - size;
    if (IsDigit(data[i])) {
      at = i;
      break;
    }
  }
  if (at == size) return false;
  size_t b = at, e = at;
  while (b > 0 && (IsDigit(data[b - 1]) || data[b - 1] == '.')) b--;
  if (b > 0 && (data[b - 1] == '-' || data[b - 1] == '+')) b--;
  while (e < size && (IsDigit(data[e]) || data[e] == '.')) e++;
  if (e < size && (data[e] == 'e' || data[e] == 'E')) {
    size_t x = e + 1;
    if (x < size && (data[x] == '-' || data[x] == '+')) x++;
    if (x < size && IsDigit(data[x])) {
      while (x < size && IsDigit(data[x])) x++;
      e = x;
    }
  }
  *begin = b;
  *end = e;
  return true;
}

}  // namespace

uint64_t FloatBits(double value, size_t width) {
  if (width == 4) {
    const float f = static_cast<float>(value);
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return bits;
  }
  uint64_t bits;
  memcpy(&bits, &value, 8);
  return bits;
}

double FloatFromBits(uint64_t bits, size_t width) {
  if (width == 4) {
    const uint32_t low = static_cast<uint32_t>(bits);
    float f;
    memcpy(&f, &low, 4);
    return static_cast<double>(f);
  }
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

uint64_t StepUlps(uint64_t bits, size_t width, int64_t ulps) {
  const uint64_t sign = width == 4 ? uint64_t{1} << 31 : uint64_t{1} << 63;
  const uint64_t inf = width == 4 ? kInfBits4 : kInfBits8;
  const uint64_t mask = width == 4 ? 0xffffffffULL : ~uint64_t{0};
  bits &= mask;
  const uint64_t magnitude = bits & ~sign;
  if (magnitude > inf) return bits;  // NaN
  // Magnitudes are below 2^63, so values map onto int64 in IEEE order (-0 and +0 to 0).
  int64_t ordered = (bits & sign) ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  const int64_t limit = static_cast<int64_t>(inf);
  int64_t moved;
  if (__builtin_add_overflow(ordered, ulps, &moved)) moved = ulps > 0 ? limit : -limit;
  if (moved > limit) moved = limit;
  if (moved < -limit) moved = -limit;
  return moved < 0 ? sign | static_cast<uint64_t>(-moved) : static_cast<uint64_t>(moved);
}

size_t FloatMutators::Mutate(uint8_t* data, size_t size, size_t max_size, Kind* applied) {
  const size_t first = (*rand_)(kKinds);
  for (size_t i = 0; i < kKinds; i++) {
    const Kind kind = static_cast<Kind>((first + i) % kKinds);
    const size_t new_size = Apply(kind, data, size, max_size);
    if (new_size != 0) {
      *applied = kind;
      return new_size;
    }
  }
  return 0;
}

size_t FloatMutators::Apply(Kind kind, uint8_t* data, size_t size, size_t max_size) {
  if (size > max_size) size = max_size;
  switch (kind) {
    case Kind::kConst:
      return Const(data, size, max_size);
    case Kind::kUlp:
      return Ulp(data, size);
    case Kind::kSign:
      return Sign(data, size);
    case Kind::kExp:
      return Exp(data, size);
    case Kind::kSpecial:
      return Special(data, size, max_size);
    case Kind::kConv:
      return Conv(data, size);
    case Kind::kAscii:
      return Ascii(data, size, max_size);
    case Kind::kCount:
      break;
  }
  return 0;
}

bool FloatMutators::PickWindow(size_t size, size_t width, Window* window) {
  if (width == 0) width = size >= 8 && rand_->Bool() ? 8 : 4;
  if (size < width) return false;
  window->width = width;
  window->offset = (*rand_)(size - width + 1);
  window->big_endian = rand_->Bool();
  return true;
}

size_t FloatMutators::Place(const uint8_t* bytes, size_t length, uint8_t* data, size_t size,
                            size_t max_size) {
  return PlaceBytes(*rand_, bytes, length, data, size, max_size);
}

size_t FloatMutators::Const(uint8_t* data, size_t size, size_t max_size) {
  if (!constants_ || constants_->empty()) return 0;
  const FloatConstant& constant = constants_->constants()[(*rand_)(constants_->size())];
  size_t width = constant.width;
  if ((*rand_)(4) == 0) width = 12 - width;  // a double constant as a float, or vice versa
  uint64_t bits = FloatBits(constant.value, width);
  // One ulp either side satisfies <, <=, > and >= compares against the constant.
  switch ((*rand_)(4)) {
    case 0:
      bits = StepUlps(bits, width, -1);
      break;
    case 1:
      bits = StepUlps(bits, width, 1);
      break;
    default:
      break;
  }
  uint8_t bytes[8];
  StoreBits(bits, width, rand_->Bool(), bytes);
  return Place(bytes, width, data, size, max_size);
}

size_t FloatMutators::Ulp(uint8_t* data, size_t size) {
  Window w;
  if (!PickWindow(size, 0, &w)) return 0;
  int64_t ulps;
  switch ((*rand_)(4)) {
    case 0:
    case 1:
      ulps = 1;
      break;
    case 2:
      ulps = static_cast<int64_t>(2 + (*rand_)(15));
      break;
    default:
      ulps = static_cast<int64_t>(1 + (*rand_)(size_t{1} << (1 + (*rand_)(20))));
      break;
  }
  if (rand_->Bool()) ulps = -ulps;
  const uint64_t bits = LoadBits(data + w.offset, w.width, w.big_endian);
  StoreBits(StepUlps(bits, w.width, ulps), w.width, w.big_endian, data + w.offset);
  return size;
}

size_t FloatMutators::Sign(uint8_t* data, size_t size) {
  Window w;
  if (!PickWindow(size, 0, &w)) return 0;
  // The sign is the top bit: the first byte in big-endian order, the last in little-endian.
  data[w.offset + (w.big_endian ? 0 : w.width - 1)] ^= 0x80;
  return size;
}

size_t FloatMutators::Exp(uint8_t* data, size_t size) {
  Window w;
  if (!PickWindow(size, 0, &w)) return 0;
  const uint64_t bits = LoadBits(data + w.offset, w.width, w.big_endian);
  uint64_t result;
  if (rand_->Bool()) {
    // The binary exponent field moved by +-1..16, kept within the normal range.
    const int shift = w.width == 4 ? 23 : 52;
    const int64_t max_exponent = w.width == 4 ? 0xff : 0x7ff;
    const int64_t exponent = static_cast<int64_t>((bits >> shift) & uint64_t(max_exponent));
    if (exponent == 0 || exponent == max_exponent) return 0;
    int64_t delta = static_cast<int64_t>(1 + (*rand_)(16));
    if (rand_->Bool()) delta = -delta;
    int64_t moved = exponent + delta;
    if (moved < 1) moved = 1;
    if (moved > max_exponent - 1) moved = max_exponent - 1;
    result = (bits & ~(uint64_t(max_exponent) << shift)) | (uint64_t(moved) << shift);
  } else {
    // The value scaled by 10^1..10^4 (decimal magnitudes matter to range checks).
    const double value = FloatFromBits(bits, w.width);
    if (!std::isfinite(value) || value == 0) return 0;
    const double scale = kPowersOfTen[(*rand_)(sizeof(kPowersOfTen) / sizeof(kPowersOfTen[0]))];
    result = FloatBits(rand_->Bool() ? value * scale : value / scale, w.width);
  }
  StoreBits(result, w.width, w.big_endian, data + w.offset);
  return size;
}

size_t FloatMutators::Special(uint8_t* data, size_t size, size_t max_size) {
  const size_t width = size >= 8 || max_size - size >= 8 ? (rand_->Bool() ? 8 : 4) : 4;
  const bool is_float = width == 4;
  uint64_t bits;
  switch ((*rand_)(11)) {
    case 0:
      bits = 0;
      break;
    case 1:
      bits = FloatBits(-0.0, width);
      break;
    case 2:
      bits = FloatBits(std::numeric_limits<double>::infinity(), width);
      break;
    case 3:
      bits = FloatBits(-std::numeric_limits<double>::infinity(), width);
      break;
    case 4:
      bits = is_float ? 0x7fc00000ULL : 0x7ff8000000000000ULL;  // the default quiet NaN
      break;
    case 5:
      bits = is_float ? FloatBits(std::numeric_limits<float>::max(), 4)
                      : FloatBits(std::numeric_limits<double>::max(), 8);
      break;
    case 6:
      bits = is_float ? FloatBits(-std::numeric_limits<float>::max(), 4)
                      : FloatBits(-std::numeric_limits<double>::max(), 8);
      break;
    case 7:
      bits = is_float ? FloatBits(std::numeric_limits<float>::min(), 4)
                      : FloatBits(std::numeric_limits<double>::min(), 8);
      break;
    case 8:
      bits = 1;  // denorm_min: the smallest bit pattern above +0, in both widths
      break;
    case 9:
      bits = FloatBits(1.0, width);
      break;
    default:
      bits = FloatBits(-1.0, width);
      break;
  }
  uint8_t bytes[8];
  StoreBits(bits, width, rand_->Bool(), bytes);
  return Place(bytes, width, data, size, max_size);
}

size_t FloatMutators::Conv(uint8_t* data, size_t size) {
  Window w;
  switch ((*rand_)(4)) {
    case 0: {  // integer -> float: the window's signed integer as a float/double of that value
      if (!PickWindow(size, 0, &w)) return 0;
      const uint64_t raw = LoadBits(data + w.offset, w.width, w.big_endian);
      const double value = w.width == 4 ? static_cast<double>(static_cast<int32_t>(raw))
                                        : static_cast<double>(static_cast<int64_t>(raw));
      StoreBits(FloatBits(value, w.width), w.width, w.big_endian, data + w.offset);
      return size;
    }
    case 1: {  // float -> integer: truncated and saturated, NaN as 0
      if (!PickWindow(size, 0, &w)) return 0;
      double value = FloatFromBits(LoadBits(data + w.offset, w.width, w.big_endian), w.width);
      if (std::isnan(value)) value = 0;
      uint64_t raw;
      if (w.width == 4) {
        const double clamped = std::fmax(-2147483648.0, std::fmin(2147483647.0, value));
        raw = static_cast<uint32_t>(static_cast<int32_t>(clamped));
      } else {
        const double clamped = std::fmax(-9223372036854775808.0, std::fmin(9223372036854774784.0, value));
        raw = static_cast<uint64_t>(static_cast<int64_t>(clamped));
      }
      StoreBits(raw, w.width, w.big_endian, data + w.offset);
      return size;
    }
    case 2: {  // float -> double in place (the 4 bytes after the float are overwritten)
      if (!PickWindow(size, 8, &w)) return 0;
      const double value = FloatFromBits(LoadBits(data + w.offset, 4, w.big_endian), 4);
      StoreBits(FloatBits(value, 8), 8, w.big_endian, data + w.offset);
      return size;
    }
    default: {  // double -> float in place (in the double's first 4 bytes)
      if (!PickWindow(size, 8, &w)) return 0;
      const double value = FloatFromBits(LoadBits(data + w.offset, 8, w.big_endian), 8);
      StoreBits(FloatBits(value, 4), 4, w.big_endian, data + w.offset);
      return size;
    }
  }
}

size_t FloatMutators::Ascii(uint8_t* data, size_t size, size_t max_size) {
  if (!constants_ || constants_->empty()) return 0;
  const FloatConstant& constant = constants_->constants()[(*rand_)(constants_->size())];
  char buffer[kMaxTextSize + 2];
  const char* text = constant.text;
  size_t length = constant.text_size;
  if ((*rand_)(4) == 0) {  // one ulp either side, for text compared with < or >
    const uint64_t bits =
        StepUlps(FloatBits(constant.value, constant.width), constant.width, rand_->Bool() ? 1 : -1);
    const int written = snprintf(buffer, sizeof(buffer), constant.width == 4 ? "%.9g" : "%.17g",
                                 FloatFromBits(bits, constant.width));
    if (written <= 0 || size_t(written) >= sizeof(buffer)) return 0;
    text = buffer;
    length = size_t(written);
  }
  if (length == 0) return 0;
  size_t begin, end;
  if (rand_->Bool() && FindNumber(data, size, rand_, &begin, &end)) {
    const size_t old_length = end - begin;
    if (size - old_length + length > max_size) return 0;
    memmove(data + begin + length, data + end, size - end);
    memcpy(data + begin, text, length);
    return size - old_length + length;
  }
  return Place(reinterpret_cast<const uint8_t*>(text), length, data, size, max_size);
}

}  // namespace fuzzer
