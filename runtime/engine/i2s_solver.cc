// Implements i2s_solver.h. Worker / in-process engine, between executions.
#include "runtime/engine/i2s_solver.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "runtime/engine/integer_bytes.h"

namespace fuzzer {

uint64_t LowBits(uint64_t value, unsigned bits) {
  return bits >= 64 ? value : value & ((uint64_t(1) << bits) - 1);
}

uint64_t InverseOfOdd(uint64_t odd, unsigned bits) {
  // Newton's iteration doubles the number of correct low bits each step: 3 -> 6 -> ... -> 96.
  uint64_t inverse = odd;  // correct to 3 bits for any odd number
  for (int i = 0; i < 5; i++) inverse *= 2 - odd * inverse;
  return LowBits(inverse, bits);
}

bool LearnAffine(uint64_t x0, uint64_t y0, uint64_t x1, uint64_t y1, unsigned bits, uint64_t* mul,
                 uint64_t* add) {
  const uint64_t dx = LowBits(x0 - x1, bits);
  const uint64_t dy = LowBits(y0 - y1, bits);
  if (dx == 0) return false;
  const unsigned shift = unsigned(__builtin_ctzll(dx));
  if (LowBits(dy, shift) != 0) return false;  // dy must be a multiple of dx's power of two
  const unsigned free_bits = bits - shift;
  *mul = LowBits((dy >> shift) * InverseOfOdd(dx >> shift, free_bits), free_bits);
  *add = LowBits(y0 - *mul * x0, bits);
  return true;
}

std::vector<uint64_t> SolveAffine(uint64_t mul, uint64_t add, uint64_t target, unsigned bits,
                                  size_t max_solutions) {
  std::vector<uint64_t> solutions;
  mul = LowBits(mul, bits);
  if (mul == 0) return solutions;
  const uint64_t rhs = LowBits(target - add, bits);
  const unsigned shift = unsigned(__builtin_ctzll(mul));
  if (LowBits(rhs, shift) != 0) return solutions;
  const unsigned free_bits = bits - shift;
  const uint64_t first = LowBits((rhs >> shift) * InverseOfOdd(mul >> shift, free_bits), free_bits);
  // The other solutions differ by multiples of 2^free_bits.
  const uint64_t count = shift >= 63 ? UINT64_MAX : (uint64_t(1) << shift);
  for (uint64_t k = 0; k < count && solutions.size() < max_solutions; k++)
    solutions.push_back(LowBits(first + (free_bits >= 64 ? 0 : k << free_bits), bits));
  return solutions;
}

std::string SignedDecimal(uint64_t value, unsigned bits) {
  value = LowBits(value, bits);
  const bool negative = bits < 64 ? (value >> (bits - 1)) & 1 : int64_t(value) < 0;
  if (!negative) return std::to_string(value);
  const uint64_t magnitude = LowBits(~value + 1, bits);
  return "-" + std::to_string(magnitude);
}

size_t ApplyReplacements(const Bytes& input, const std::vector<const Replacement*>& edits,
                         size_t max_size, Bytes* out) {
  std::vector<const Replacement*> kept;
  for (const Replacement* edit : edits) {
    if (size_t(edit->pos) + edit->erase > input.size()) continue;
    bool overlaps = false;
    for (const Replacement* other : kept)
      overlaps |= edit->pos < other->pos + std::max<uint32_t>(other->erase, 1) &&
                  other->pos < edit->pos + std::max<uint32_t>(edit->erase, 1);
    if (!overlaps) kept.push_back(edit);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Replacement* a, const Replacement* b) { return a->pos < b->pos; });
  out->clear();
  size_t from = 0;
  for (const Replacement* edit : kept) {
    out->insert(out->end(), input.begin() + long(from), input.begin() + long(edit->pos));
    out->insert(out->end(), edit->bytes.begin(), edit->bytes.end());
    from = edit->pos + edit->erase;
  }
  out->insert(out->end(), input.begin() + long(from), input.end());
  if (out->size() > max_size) out->resize(max_size);
  return kept.size();
}

namespace {

enum class Coding : uint8_t { kLittleEndian, kBigEndian, kDecimal, kHex };

// How a field is read: binary codings have a width (1, 2, 4, 8) and, when narrower than the
// compare, an extension; ASCII codings have the length of the digits found.
struct FieldCoding {
  Coding coding;
  uint8_t width;
  bool sign_extend;
};

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }
int HexValue(uint8_t c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint64_t ReadBinary(const Bytes& in, size_t pos, size_t width, bool big_endian) {
  return DecodeInteger(in.data() + pos, width, big_endian);
}

void WriteBinary(uint64_t value, size_t width, bool big_endian, Bytes* out) {
  out->resize(width);
  EncodeInteger(value, width, big_endian, out->data());
}

// The compare operand a binary field of `width` bytes becomes in a `bits`-bit compare.
uint64_t Extend(uint64_t raw, size_t width, bool sign_extend, unsigned bits) {
  const unsigned field_bits = unsigned(width * 8);
  if (field_bits < bits && sign_extend && ((raw >> (field_bits - 1)) & 1))
    raw |= ~uint64_t(0) << field_bits;
  return LowBits(raw, bits);
}

// Reads an ASCII number starting exactly at pos (not in the middle of one). Returns its
// length in characters, 0 if there is none.
size_t ReadAscii(const Bytes& in, size_t pos, bool hex, uint64_t* value) {
  if (pos >= in.size()) return 0;
  if (pos > 0 && (hex ? HexValue(in[pos - 1]) >= 0 : (IsDigit(in[pos - 1]) || in[pos - 1] == '-')))
    return 0;
  size_t i = pos;
  const bool negative = !hex && in[i] == '-';
  if (negative) i++;
  uint64_t parsed = 0;
  size_t digits = 0;
  for (; i < in.size() && digits < (hex ? 16u : 19u); i++, digits++) {
    const int digit = hex ? HexValue(in[i]) : (IsDigit(in[i]) ? in[i] - '0' : -1);
    if (digit < 0) break;
    parsed = parsed * (hex ? 16 : 10) + uint64_t(digit);
  }
  if (digits == 0) return 0;
  *value = negative ? ~parsed + 1 : parsed;
  return i - pos;
}

std::string Hex(uint64_t value) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[value & 15]);
    value >>= 4;
  } while (value);
  return out;
}

// A map from x to y learned for one field of one compare operand.
struct Transform {
  enum Kind { kAffine, kXor } kind;
  uint64_t mul;  // kAffine
  uint64_t add;  // kAffine: the offset; kXor: the key
};

std::vector<uint64_t> Preimages(const Transform& transform, uint64_t target, unsigned bits) {
  if (transform.kind == Transform::kXor) return {LowBits(target ^ transform.add, bits)};
  return SolveAffine(transform.mul, transform.add, target, bits, 4);
}

// The per-call state of SolveInputToState.
class Solver {
 public:
  Solver(const TracedRun& original, const std::vector<TracedRun>& colourised,
         const SolverLimits& limits)
      : original_(original), colourised_(colourised), limits_(limits) {
    for (size_t s = 0; s < colourised.size(); s++) {
      index_.emplace_back();
      for (size_t i = 0; i < colourised[s].log.size(); i++)
        index_.back().emplace(std::make_pair(colourised[s].log[i].site, colourised[s].log[i].hit), i);
    }
    coloured_.assign(original.input.size(), false);
    for (const TracedRun& run : colourised)
      for (size_t i = 0; i < original.input.size() && i < run.input.size(); i++)
        if (run.input[i] != original.input[i]) coloured_[i] = true;
  }

  SolverResult Run() {
    std::set<std::tuple<uintptr_t, uint64_t, uint64_t, uint8_t>> seen;
    for (const CmpLogEntry& entry : original_.log) {
      if (OutOfWork() || primary_.size() >= limits_.max_replacements) break;
      if (!seen.emplace(entry.site, entry.arg1, entry.arg2, entry.size).second &&
          entry.kind != CmpKind::kBytes)
        continue;
      Aligned samples = Align(entry);
      if (entry.kind == CmpKind::kBytes) {
        SolveBytes(entry, samples);
        continue;
      }
      for (int side = 1; side <= 2; side++) {
        if (entry.kind == CmpKind::kConstInt && side == 1) continue;  // arg1 is the constant
        SolveInt(entry, samples, side);
      }
    }
    SolverResult result;
    result.replacements = std::move(primary_);
    for (Replacement& r : secondary_) {
      if (result.replacements.size() >= limits_.max_replacements) break;
      result.replacements.push_back(std::move(r));
    }
    result.checksums = std::move(checksums_);
    result.unsolved = std::move(unsolved_);
    result.work = work_;
    return result;
  }

 private:
  using Aligned = std::vector<std::pair<const TracedRun*, const CmpLogEntry*>>;

  bool OutOfWork() const { return work_ >= limits_.max_work; }

  Aligned Align(const CmpLogEntry& entry) const {
    Aligned aligned;
    for (size_t s = 0; s < colourised_.size(); s++) {
      auto it = index_[s].find(std::make_pair(entry.site, entry.hit));
      if (it == index_[s].end()) continue;
      const CmpLogEntry& other = colourised_[s].log[it->second];
      if (other.kind == entry.kind && other.size == entry.size)
        aligned.emplace_back(&colourised_[s], &other);
    }
    return aligned;
  }

  static uint64_t Side(const CmpLogEntry& entry, int side) {
    return side == 1 ? entry.arg1 : entry.arg2;
  }

  void Add(Replacement replacement, bool primary) {
    const Bytes& input = original_.input;
    if (input.size() - replacement.erase + replacement.bytes.size() > limits_.max_size) return;
    if (replacement.bytes.size() == replacement.erase &&
        std::equal(replacement.bytes.begin(), replacement.bytes.end(),
                   input.begin() + long(replacement.pos)))
      return;  // changes nothing
    std::string key = std::to_string(replacement.pos) + ":" + std::to_string(replacement.erase) +
                      ":" + std::string(replacement.bytes.begin(), replacement.bytes.end());
    if (!keys_.insert(key).second) return;
    (primary ? primary_ : secondary_).push_back(std::move(replacement));
  }

  // Reads field `coding` at pos of `in` as a bits-wide operand; false if it does not fit.
  bool Decode(const Bytes& in, size_t pos, const FieldCoding& coding, unsigned bits,
              uint64_t* value, size_t* length) const {
    work_++;
    if (coding.coding == Coding::kDecimal || coding.coding == Coding::kHex) {
      uint64_t parsed;
      *length = ReadAscii(in, pos, coding.coding == Coding::kHex, &parsed);
      *value = LowBits(parsed, bits);
      return *length > 0;
    }
    if (pos + coding.width > in.size()) return false;
    *length = coding.width;
    *value = Extend(ReadBinary(in, pos, coding.width, coding.coding == Coding::kBigEndian),
                    coding.width, coding.sign_extend, bits);
    return true;
  }

  // The bytes of field `coding` (at pos, `length` long in the original) holding operand x,
  // or false if x cannot be written in it.
  bool Encode(uint64_t x, size_t pos, size_t length, const FieldCoding& coding, unsigned bits,
              Replacement* out) const {
    out->pos = uint32_t(pos);
    out->erase = uint32_t(length);
    if (coding.coding == Coding::kDecimal) {
      const std::string text = SignedDecimal(x, bits);
      out->bytes.assign(text.begin(), text.end());
      return true;
    }
    if (coding.coding == Coding::kHex) {
      const std::string text = Hex(LowBits(x, bits));
      out->bytes.assign(text.begin(), text.end());
      return true;
    }
    const unsigned field_bits = unsigned(coding.width * 8);
    uint64_t raw = x;
    if (field_bits > bits) {
      // The compare sees the low bits only: keep the field's other bits as they are.
      const uint64_t old = ReadBinary(original_.input, pos, coding.width,
                                      coding.coding == Coding::kBigEndian);
      raw = (old & ~LowBits(~uint64_t(0), bits)) | x;
    } else if (field_bits < bits) {
      raw = LowBits(x, field_bits);
      if (Extend(raw, coding.width, coding.sign_extend, bits) != x) return false;
    }
    WriteBinary(raw, coding.width, coding.coding == Coding::kBigEndian, &out->bytes);
    return true;
  }

  // Whether every sample's field holds exactly its operand (`Transform` t applied).
  bool HoldsInSamples(size_t pos, const FieldCoding& coding, unsigned bits, const Aligned& samples,
                      int side, const Transform* t) const {
    for (const auto& [run, entry] : samples) {
      uint64_t x;
      size_t length;
      if (!Decode(run->input, pos, coding, bits, &x, &length)) return false;
      uint64_t y = t ? (t->kind == Transform::kXor ? (x ^ t->add) : t->mul * x + t->add) : x;
      if (LowBits(y, bits) != Side(*entry, side)) return false;
    }
    return true;
  }

  void EmitTargets(const CmpLogEntry& entry, int side, size_t pos, size_t length,
                   const FieldCoding& coding, const Transform* t, bool target_varies) {
    const unsigned bits = entry.size * 8u;
    const uint64_t target = Side(entry, 3 - side);
    const uint64_t targets[] = {target, LowBits(target + 1, bits), LowBits(target - 1, bits)};
    // Both neighbours only for a fixed target: they decide < and > compares.
    const size_t count = target_varies ? 1 : 3;
    for (size_t i = 0; i < count; i++) {
      std::vector<uint64_t> xs = t ? Preimages(*t, targets[i], bits) : std::vector<uint64_t>{targets[i]};
      for (uint64_t x : xs) {
        Replacement replacement;
        if (!Encode(x, pos, length, coding, bits, &replacement)) continue;
        Add(std::move(replacement), i == 0);
        break;  // one preimage that fits is enough
      }
    }
  }

  void SolveInt(const CmpLogEntry& entry, const Aligned& samples, int side) {
    const uint64_t y0 = Side(entry, side);
    const uint64_t t0 = Side(entry, 3 - side);
    if (y0 == t0) return;
    bool tainted = false, target_varies = false;
    for (const auto& sample : samples) {
      tainted |= Side(*sample.second, side) != y0;
      target_varies |= Side(*sample.second, 3 - side) != t0;
    }
    const size_t edits_before = primary_.size() + secondary_.size();
    FindVerbatim(entry, samples, side, y0, target_varies);
    if (tainted) FindTransformed(entry, samples, side, y0, target_varies);
    if (tainted && !target_varies && entry.kind == CmpKind::kConstInt && entry.size >= 4 &&
        primary_.size() + secondary_.size() == edits_before)
      unsolved_.push_back({entry.site, entry.hit});
  }

  // Fields that hold y0 as it is: binary patterns and ASCII text searched in the input.
  void FindVerbatim(const CmpLogEntry& entry, const Aligned& samples, int side, uint64_t y0,
                    bool target_varies) {
    const unsigned bits = entry.size * 8u;
    const Bytes& input = original_.input;
    for (uint8_t width : {8, 4, 2, 1}) {
      if (width > entry.size || (width == 1 && entry.size != 1)) continue;
      for (bool sign_extend : {false, true}) {
        if (sign_extend && width == entry.size) continue;
        for (Coding order : {Coding::kLittleEndian, Coding::kBigEndian}) {
          if (width == 1 && order == Coding::kBigEndian) continue;
          const FieldCoding coding{order, width, sign_extend};
          Replacement pattern;
          // False when y0 cannot come out of this field (it does not fit its extension).
          if (!Encode(y0, 0, 0, coding, bits, &pattern)) continue;
          ForEachOccurrence(pattern.bytes, [&](size_t pos) {
            if (!HoldsInSamples(pos, coding, bits, samples, side, nullptr)) return;
            if (target_varies && width >= 2) NoteChecksum(entry, samples, side, coding);
            EmitTargets(entry, side, pos, width, coding, nullptr, target_varies);
          });
        }
      }
    }
    for (Coding coding : {Coding::kDecimal, Coding::kHex}) {
      const std::string text =
          coding == Coding::kDecimal ? SignedDecimal(y0, bits) : Hex(LowBits(y0, bits));
      if (text.size() < 2) continue;  // one digit is everywhere
      ForEachOccurrence(Bytes(text.begin(), text.end()), [&](size_t pos) {
        uint64_t x;
        size_t length;
        const FieldCoding field{coding, 0, false};
        if (!Decode(input, pos, field, bits, &x, &length) || x != y0) return;
        if (!HoldsInSamples(pos, field, bits, samples, side, nullptr)) return;
        EmitTargets(entry, side, pos, length, field, nullptr, target_varies);
      });
    }
  }

  template <class Visit>
  void ForEachOccurrence(const Bytes& pattern, Visit&& visit) {
    const Bytes& input = original_.input;
    if (pattern.empty() || pattern.size() > input.size()) return;
    size_t found = 0;
    const uint8_t* begin = input.data();
    const uint8_t* end = begin + input.size();
    for (const uint8_t* at = begin; found < kMaxOccurrences && !OutOfWork();) {
      at = static_cast<const uint8_t*>(memmem(at, size_t(end - at), pattern.data(), pattern.size()));
      if (!at) break;
      work_++;
      found++;
      visit(size_t(at - begin));
      at++;
    }
  }

  // A checksum compare: y is read verbatim from the input, the other side changes with
  // other bytes and is not itself in the input.
  void NoteChecksum(const CmpLogEntry& entry, const Aligned& samples, int side,
                    const FieldCoding& coding) {
    const uint64_t computed = Side(entry, 3 - side);
    for (Coding order : {Coding::kLittleEndian, Coding::kBigEndian}) {
      Bytes pattern;
      WriteBinary(computed, entry.size, order == Coding::kBigEndian, &pattern);
      if (memmem(original_.input.data(), original_.input.size(), pattern.data(), pattern.size()))
        return;  // two fields compared with each other, not a checksum
    }
    (void)samples;
    ChecksumField field{entry.site, uint8_t(side), coding.width,
                        coding.coding == Coding::kBigEndian};
    if (std::find(checksums_.begin(), checksums_.end(), field) == checksums_.end())
      checksums_.push_back(field);
  }

  // Fields that were coloured and map to y through a learned transform.
  void FindTransformed(const CmpLogEntry& entry, const Aligned& samples, int side, uint64_t y0,
                       bool target_varies) {
    if (samples.empty()) return;
    const unsigned bits = entry.size * 8u;
    const Bytes& input = original_.input;
    const TracedRun& first = *samples[0].first;
    const uint64_t y1 = Side(*samples[0].second, side);
    static const FieldCoding kCodings[] = {
        {Coding::kLittleEndian, 1, false}, {Coding::kLittleEndian, 1, true},
        {Coding::kLittleEndian, 2, false}, {Coding::kLittleEndian, 2, true},
        {Coding::kBigEndian, 2, false},    {Coding::kBigEndian, 2, true},
        {Coding::kLittleEndian, 4, false}, {Coding::kLittleEndian, 4, true},
        {Coding::kBigEndian, 4, false},    {Coding::kBigEndian, 4, true},
        {Coding::kLittleEndian, 8, false}, {Coding::kBigEndian, 8, false},
        {Coding::kDecimal, 0, false},      {Coding::kHex, 0, false},
    };
    for (size_t pos = 0; pos < input.size() && !OutOfWork(); pos++) {
      for (const FieldCoding& coding : kCodings) {
        const bool ascii = coding.coding == Coding::kDecimal || coding.coding == Coding::kHex;
        if (!ascii && (coding.sign_extend && coding.width * 8u >= bits)) continue;
        if (!ascii && !AnyColoured(pos, coding.width)) continue;
        if (ascii && !coloured_[pos] && !(pos + 1 < input.size() && coloured_[pos + 1])) continue;
        uint64_t x0, x1;
        size_t length0, length1;
        if (!Decode(input, pos, coding, bits, &x0, &length0)) continue;
        if (!Decode(first.input, pos, coding, bits, &x1, &length1) || x0 == x1) continue;
        Transform candidates[2];
        size_t count = 0;
        uint64_t mul, add;
        if (LearnAffine(x0, y0, x1, y1, bits, &mul, &add) && mul != 0) {
          // Identity through a binary field was found verbatim already.
          if (!(mul == 1 && add == 0 && !ascii)) candidates[count++] = {Transform::kAffine, mul, add};
        }
        const uint64_t key = LowBits(x0 ^ y0, bits);
        if (key != 0 && LowBits(x1 ^ key, bits) == y1) candidates[count++] = {Transform::kXor, 1, key};
        for (size_t c = 0; c < count; c++) {
          const Transform& t = candidates[c];
          // Learned from two samples: it must hold on the others, or be a plain offset.
          if (samples.size() < 2 && !(t.kind == Transform::kAffine && t.mul == 1)) continue;
          if (!HoldsInSamples(pos, coding, bits, samples, side, &t)) continue;
          EmitTargets(entry, side, pos, length0, coding, &t, target_varies);
          break;
        }
      }
    }
  }

  bool AnyColoured(size_t pos, size_t width) const {
    for (size_t i = pos; i < pos + width && i < coloured_.size(); i++)
      if (coloured_[i]) return true;
    return false;
  }

  void SolveBytes(const CmpLogEntry& entry, const Aligned& samples) {
    for (int side = 1; side <= 2; side++) {
      const uint8_t* mine = side == 1 ? entry.bytes1 : entry.bytes2;
      const uint8_t* other = side == 1 ? entry.bytes2 : entry.bytes1;
      if (memcmp(mine, other, entry.size) == 0) continue;
      ForEachOccurrence(Bytes(mine, mine + entry.size), [&](size_t pos) {
        for (const auto& [run, sample] : samples) {
          const uint8_t* theirs = side == 1 ? sample->bytes1 : sample->bytes2;
          if (pos + entry.size > run->input.size() ||
              memcmp(run->input.data() + pos, theirs, entry.size) != 0)
            return;
        }
        Replacement replacement;
        replacement.pos = uint32_t(pos);
        replacement.erase = entry.size;
        replacement.bytes.assign(other, other + entry.size);
        Add(std::move(replacement), true);
      });
    }
  }

  static constexpr size_t kMaxOccurrences = 8;
  const TracedRun& original_;
  const std::vector<TracedRun>& colourised_;
  const SolverLimits& limits_;
  std::vector<std::map<std::pair<uintptr_t, uint32_t>, size_t>> index_;
  std::vector<bool> coloured_;
  std::vector<Replacement> primary_;    // exact targets
  std::vector<Replacement> secondary_;  // target +- 1
  std::set<std::string> keys_;
  std::vector<ChecksumField> checksums_;
  std::vector<UnsolvedCompare> unsolved_;
  mutable size_t work_ = 0;
};

}  // namespace

SolverResult SolveInputToState(const TracedRun& original, const std::vector<TracedRun>& colourised,
                               const SolverLimits& limits) {
  return Solver(original, colourised, limits).Run();
}

}  // namespace fuzzer
