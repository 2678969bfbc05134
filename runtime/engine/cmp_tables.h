// CmpTables: the tables of recent comparisons (libFuzzer's "TORC") and memmem/strstr needles
// that the SanitizerCoverage trace-cmp callbacks and the memcmp/strcmp hooks fill while the
// target runs, and that the CMP mutator reads. Runs in the worker (and in-process engine).
// Fixed-size, allocation-free and lock-free on purpose: it is written from the hot path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/engine/dictionary.h"

namespace fuzzer {

// A fixed ring of operand pairs, indexed by a caller-chosen hash (e.g. a ^ b) modulo kSize.
template <class T, size_t kSize = 32>
struct RecentComparesTable {
  struct Pair {
    T arg1{};
    T arg2{};
  };
  static constexpr size_t size() { return kSize; }
  void Insert(size_t index, const T& arg1, const T& arg2) {
    Pair& slot = pairs[index % kSize];
    slot.arg1 = arg1;
    slot.arg2 = arg2;
  }
  const Pair& Get(size_t index) const { return pairs[index % kSize]; }
  Pair pairs[kSize];
};

// Needles the target searched for with memmem/strstr/strcasestr.
struct MemMemTable {
  static constexpr size_t kSize = 1024;
  void Add(const uint8_t* data, size_t size) {
    if (size <= 1) return;
    words[next++ % kSize].Set(data, size);
  }
  const Word& Get(size_t index) const { return words[index % kSize]; }
  size_t next = 0;
  Word words[kSize];
};

struct CmpTables {
  RecentComparesTable<uint32_t> torc4;  // 1/2/4-byte integer compares
  RecentComparesTable<uint64_t> torc8;  // 8-byte integer compares
  RecentComparesTable<Word> torcw;      // memcmp/strcmp/strncmp operands (<= Word::kMaxSize)
  MemMemTable mmt;
};

}  // namespace fuzzer
