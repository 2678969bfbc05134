// CmpLog: the structured compare log of one execution, for the input-to-state stage
// (i2s_stage.h) and checksum repair (checksum_repair.h). Unlike libFuzzer's 32-entry
// recent-compares ring (cmp_tables.h, which stays as it is), it keeps every compare of the
// run in order: its site (the caller's return address), width, both operands and how many
// times the site was hit before. Runs in the worker and the in-process engine.
//
// Written from the SanitizerCoverage callbacks: fixed-size, no allocation, no locks. It is
// off for ordinary executions (one predictable branch per compare); the engine switches it on
// for the few tracing runs of the stage (kAll), or to watch only known checksum sites
// (kWatched, a bitmap test per compare).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fuzzer {

enum class CmpKind : uint8_t {
  kInt,       // an integer compare whose operands are both computed
  kConstInt,  // arg1 is a compile-time constant (trace_const_cmp, switch cases, div, gep)
  kBytes,     // memcmp / strncmp / strcmp (and their case-insensitive forms)
};

struct CmpLogEntry {
  static constexpr size_t kMaxBytes = 32;
  uintptr_t site = 0;
  uint32_t hit = 0;  // how many earlier entries of this run have the same site
  CmpKind kind = CmpKind::kInt;
  uint8_t size = 0;  // operand width in bytes (ints: 1, 2, 4, 8; bytes: up to kMaxBytes)
  uint64_t arg1 = 0;
  uint64_t arg2 = 0;
  uint8_t bytes1[kMaxBytes] = {};  // kBytes only
  uint8_t bytes2[kMaxBytes] = {};
};

class CmpLog {
 public:
  // kTarget: only the one site given to Start (the distance descent's compare).
  enum class Mode : uint8_t { kOff, kAll, kWatched, kTarget };
  static constexpr size_t kMaxEntries = 4096;
  static constexpr size_t kMaxHitsPerSite = 16;  // loops: later hits add little
  static constexpr size_t kWatchBits = 4096;

  bool on() const { return mode_ != Mode::kOff; }
  Mode mode() const { return mode_; }
  // Starts logging for the next execution (clears the entries). kWatched records only sites
  // added with Watch(), kTarget only `target_site`.
  void Start(Mode mode, uintptr_t target_site = 0);
  void Stop() { mode_ = Mode::kOff; }
  void Watch(uintptr_t site) { watch_[WatchBit(site) / 64] |= uint64_t(1) << (WatchBit(site) % 64); }
  void ClearWatches() { memset(watch_, 0, sizeof(watch_)); }

  size_t size() const { return num_entries_; }
  const CmpLogEntry& operator[](size_t i) const { return entries_[i]; }

  // Hot path (callbacks); only called while on().
  void AddInt(uintptr_t site, CmpKind kind, uint8_t size, uint64_t arg1, uint64_t arg2) {
    CmpLogEntry* entry = NewEntry(site);
    if (!entry) return;
    entry->kind = kind;
    entry->size = size;
    entry->arg1 = arg1;
    entry->arg2 = arg2;
  }
  void AddBytes(uintptr_t site, const uint8_t* s1, const uint8_t* s2, size_t n) {
    CmpLogEntry* entry = NewEntry(site);
    if (!entry) return;
    if (n > CmpLogEntry::kMaxBytes) n = CmpLogEntry::kMaxBytes;
    entry->kind = CmpKind::kBytes;
    entry->size = uint8_t(n);
    memcpy(entry->bytes1, s1, n);
    memcpy(entry->bytes2, s2, n);
  }

 private:
  static size_t WatchBit(uintptr_t site) { return size_t((site * 0x9E3779B97F4A7C15ull) >> 52); }
  CmpLogEntry* NewEntry(uintptr_t site);

  Mode mode_ = Mode::kOff;
  uintptr_t target_site_ = 0;
  size_t num_entries_ = 0;
  CmpLogEntry entries_[kMaxEntries];
  // Hits per site in this run: open addressing on the site's hash. A slot whose generation
  // is not the run's is empty, so Start() costs nothing per slot (it runs before every
  // execution while checksum sites are watched).
  static constexpr size_t kSiteSlots = 8192;
  struct SiteSlot {
    uintptr_t site;
    uint32_t generation;
    uint32_t hits;
  };
  SiteSlot slots_[kSiteSlots] = {};
  uint32_t generation_ = 0;
  uint64_t watch_[kWatchBits / 64] = {};
};

}  // namespace fuzzer
