// Hot-path inline parts of CoverageState (see coverage.h): feature collection after each
// execution and compare handling inside the trace-cmp callbacks. Worker / in-process engine.
#pragma once

#include <cstring>

extern "C" {
extern thread_local uintptr_t __sancov_lowest_stack;
}

namespace fuzzer {

inline uint8_t CoverageState::Bucket(uint8_t counter) {
  // AFL-style hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.
  if (counter >= 128) return 7;
  if (counter >= 32) return 6;
  if (counter >= 16) return 5;
  if (counter >= 8) return 4;
  if (counter >= 4) return 3;
  return counter - 1;  // 1..3 -> 0..2
}

template <class Handler>
size_t CoverageState::CollectFeatures(Handler&& handle) {
  if (observed_capacity_ < num_counters_) {
    size_t capacity = num_counters_ + (1 << 16);
    uint8_t* grown = static_cast<uint8_t*>(calloc((capacity + 7) / 8, 1));
    if (observed_) memcpy(grown, observed_, (observed_capacity_ + 7) / 8);
    free(observed_);
    observed_ = grown;
    observed_capacity_ = capacity;
  }
  size_t num_features = 0;
  size_t first_index = 0;
  const bool use_counters = options_.use_counters;
  for (size_t m = 0; m < num_modules_; m++) {
    const CounterModule& module = modules_[m];
    const uint8_t* counters = module.begin;
    const size_t size = module.size();
    // One non-zero counter: its feature, and whether its PC is covered for the first time.
    auto visit = [&](size_t i, uint8_t counter) {
      size_t index = first_index + i;
      uint32_t feature = use_counters ? uint32_t(index * 8 + Bucket(counter)) : uint32_t(index);
      handle(feature % kFeatureSpaceSize);
      num_features++;
      uint8_t bit = uint8_t(1u << (index % 8));
      if (!(observed_[index / 8] & bit)) {
        observed_[index / 8] |= bit;
        num_covered_pcs_++;
        if (module.pcs_begin && (module.pcs_begin[i].flags & 1) &&
            num_pending_functions_ < kMaxPendingFunctions)
          pending_functions_[num_pending_functions_++] = module.pcs_begin[i].pc;
        if (options_.record_new_pcs && module.pcs_begin) RecordNewPc(module.pcs_begin[i].pc);
      }
    };
    // Counters are mostly zero: skip 32 at a time, then visit the non-zero bytes of each
    // 8-byte word in ascending order (lowest byte first on little-endian x86-64). Fixed-size
    // memcpy compiles to plain loads; a variable-size one was a libc call per word.
    size_t i = 0;
    for (; i + 32 <= size; i += 32) {
      uint64_t words[4];
      memcpy(words, counters + i, 32);
      if (!(words[0] | words[1] | words[2] | words[3])) continue;
      for (size_t w = 0; w < 4; w++) {
        for (uint64_t word = words[w]; word;) {
          const size_t byte = size_t(__builtin_ctzll(word)) / 8;
          visit(i + w * 8 + byte, uint8_t(word >> (byte * 8)));
          word &= ~(uint64_t(0xff) << (byte * 8));
        }
      }
    }
    for (; i < size; i++)
      if (counters[i]) visit(i, counters[i]);
    first_index += size;
  }
  uint32_t next_base = uint32_t(first_index * (use_counters ? 8 : 1));
  if (options_.use_value_profile) {
    for (size_t w = 0; w < kValueProfileBits / 64; w++) {
      uint64_t bits = value_profile_[w];
      while (bits) {
        int bit = __builtin_ctzll(bits);
        bits &= bits - 1;
        handle(uint32_t(next_base + w * 64 + size_t(bit)) % kFeatureSpaceSize);
        num_features++;
      }
    }
    next_base += kValueProfileBits;
  }
  if (options_.use_cmp_distance) {
    cmp_distance_.ForEachFeature([&](uint32_t feature) {
      handle((next_base + feature) % kFeatureSpaceSize);
      num_features++;
    });
    next_base += uint32_t(CmpDistance::kFeatureSpan);
  }
  // One feature for the deepest stack the input reached (stack-depth instrumentation).
  uintptr_t lowest = __sancov_lowest_stack;
  if (stack_base_ && lowest && lowest < stack_base_) {
    uint64_t depth = (stack_base_ - lowest) / 8;
    // Exact below 16 words, then 8 steps per power of two (libFuzzer 14's resolution).
    uint32_t step = uint32_t(depth);
    if (depth >= 16) {
      uint32_t log2 = uint32_t(63 - __builtin_clzll(depth));
      step = (log2 - 2) * 8 + uint32_t((depth >> (log2 - 3)) & 7);
    }
    handle((next_base + step) % kFeatureSpaceSize);
    num_features++;
  }
  return num_features;
}

// Whether an 8-byte operand looks like a user-space address on x86-64 Linux (executables,
// heaps, ASan's heap, mappings and stacks all lie in [0x550000000000, 0x800000000000)).
// Such operands (null and bounds checks, UBSan's pointer checks, `end != text`) differ
// between processes (ASLR), so recording them would make -workers=1 leave the in-process
// path and hand the CMP mutator words that mean nothing in another process.
inline bool LooksLikeAddress(uint64_t value) {
  return value >= 0x550000000000ull && value < 0x800000000000ull;
}

template <class T>
void CoverageState::HandleCmp(uintptr_t pc, T arg1, T arg2, CmpKind kind) {
  if (sizeof(T) == 8 && (LooksLikeAddress(uint64_t(arg1)) || LooksLikeAddress(uint64_t(arg2))))
    return;
  if (__builtin_expect(cmp_log_.on(), 0))
    cmp_log_.AddInt(pc, kind, uint8_t(sizeof(T)), uint64_t(arg1), uint64_t(arg2));
  HandleCmpUnlogged(pc, arg1, arg2, kind);
}

// A number parser's overflow guard: the largest value that can take one more decimal digit
// (`if (i >= 214748364)` before `i = i * 10 + d`), 2^k / 10 for the usual widths.
inline bool IsOverflowGuard(uint64_t c) {
  return c == 214748364u || c == 429496729u || c == 922337203685477580ull ||
         c == 1844674407370955161ull;
}

// Whether a compare against `constant` (a T-sized operand) gets -cmp_distance features: magic
// values, which an input reaches only a bit at a time. Not limits, which are where the bits
// of a value getting "closer" lead to bigger sizes and counts and so to slower inputs
// (stb_image ran at a quarter of its speed): small constants (bounds, counts, characters),
// round ones (at most 3 bits set or clear, e.g. 1 << 24 or 0xFFFFFFFE), masks (one run of
// set bits, e.g. 0x7FFFFFFF or 0xFFFFFF00), multiples of 100 (decimal limits) and number
// parsers' overflow guards. Not 0 either: loops, flags and null checks test it hundreds of
// times per input (on stb_image, 308 distance records per execution, 99.7% of them against
// 0), and the OR of XORs of magic values compared with 0 that it once served is solved by
// the CmpDescent stage from the compare log (i2s_or_xor: 410-450 runs without distances).
template <class T>
inline bool WorthADistance(T constant) {
  const uint64_t c = uint64_t(constant);
  if (c <= 4096) return false;  // also keeps 0 from ctz below
  const uint64_t width_mask = sizeof(T) == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * sizeof(T))) - 1;
  const uint64_t run = c >> __builtin_ctzll(c);  // a mask if this is 2^k - 1
  return __builtin_popcountll(c) > 3 && __builtin_popcountll(~c & width_mask) > 3 &&
         ((run + 1) & run) != 0 && c % 100 != 0 && !IsOverflowGuard(c);
}

template <class T>
void CoverageState::HandleCmpUnlogged(uintptr_t pc, T arg1, T arg2, CmpKind kind) {
  if (sizeof(T) >= 4 && kind == CmpKind::kConstInt && options_.use_cmp_distance &&
      WorthADistance(arg1))
    cmp_distance_.Record(pc - ExecutableStart(),
                         uint32_t(sizeof(T) * 8) -
                             uint32_t(__builtin_popcountll(uint64_t(arg1) ^ uint64_t(arg2))));
  if (options_.use_cmp) {
    if (sizeof(T) == 8)
      cmp_tables_.torc8.Insert(size_t(uint64_t(arg1) ^ uint64_t(arg2)), uint64_t(arg1),
                               uint64_t(arg2));
    else if (sizeof(T) >= 2)
      cmp_tables_.torc4.Insert(size_t(uint32_t(arg1) ^ uint32_t(arg2)), uint32_t(arg1),
                               uint32_t(arg2));
  }
  if (options_.use_value_profile) {
    uint64_t a = uint64_t(arg1), b = uint64_t(arg2);
    // Low 12 bits only: they survive ASLR, so every worker process agrees on feature ids.
    uintptr_t slot = (pc & 0xfff) * 128;
    // Two distances, so that operands getting closer bit-wise or arithmetically is progress.
    AddValueProfile(slot + uint64_t(__builtin_popcountll(a ^ b)));
    uint64_t diff = a > b ? a - b : b - a;
    AddValueProfile(slot + 64 + (diff ? uint64_t(64 - __builtin_clzll(diff)) : 0));
  }
}

}  // namespace fuzzer
