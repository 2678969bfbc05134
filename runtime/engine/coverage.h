// Coverage: everything the SanitizerCoverage callbacks record while the target runs (inline
// 8-bit counters, PC tables, trace-pc-guard counters, extra counters, compare operands for
// the CMP mutator, value-profile bits, stack depth) and how the engine turns it into
// features after each execution. Runs in the worker and the in-process engine.
//
// This is the one place with process-global mutable state: the compiler-inserted callbacks
// take no context argument, so they must find their tables through a global.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/engine/cmp_log.h"
#include "runtime/engine/cmp_tables.h"

extern "C" {
// Defined by the linker (GNU ld and lld) at the executable's first byte.
extern char __executable_start __attribute__((weak));
}

namespace fuzzer {

// The executable's load address (0 if the linker defined no __executable_start): compare
// sites relative to it are the same in every process despite ASLR.
inline uintptr_t ExecutableStart() { return reinterpret_cast<uintptr_t>(&__executable_start); }

// Feature ids live in [0, kFeatureSpaceSize); larger raw ids wrap around (as libFuzzer's).
constexpr uint32_t kFeatureSpaceSize = 1u << 21;
constexpr size_t kValueProfileBits = 1u << 16;
constexpr size_t kMaxModules = 4096;

struct PcTableEntry {
  uintptr_t pc;
  uintptr_t flags;  // bit 0: the PC is a function entry
};

struct CounterModule {
  uint8_t* begin = nullptr;
  uint8_t* end = nullptr;
  const PcTableEntry* pcs_begin = nullptr;  // null if the module has no PC table
  const PcTableEntry* pcs_end = nullptr;
  size_t size() const { return size_t(end - begin); }
};

struct CoverageOptions {
  bool use_counters = true;        // hit-count buckets as features
  bool use_value_profile = false;  // compare-distance features
  bool use_cmp = true;             // record compare operands for the CMP mutator
  bool use_memmem = true;
  bool record_new_pcs = false;     // -print_pcs: keep every newly covered PC for NEW_PC lines
  bool use_cmp_distance = true;    // -cmp_distance: per-site matching-bits features
};

// The counter (edge) a counter feature stands for: with -use_counters each counter has 8
// hit-count bucket features (index * 8 + bucket), without it one (its index). The one place
// this layout is undone (coverage report, global corpus, merge).
inline uint64_t EdgeOfFeature(uint32_t feature, bool use_counters) {
  return use_counters ? feature / 8 : feature;
}

// -cmp_distance: for each 4- and 8-byte compare against a constant, the most bits its two
// operands had in common in one execution becomes a feature (site, bits), but only when no
// earlier execution of this process did better at that site: an input that gets one compare
// of a pair closer to its constant is kept although no branch changed, so magic values that
// must hold together are approached a step at a time, while worse distances, which random
// bytes produce all the time, never fill the corpus.
// Only compares with a constant side (whose distances do not depend on hash seeds) that
// looks like a magic value (WorthADistance in coverage_inl.h: not a limit, and not 0).
class CmpDistance {
 public:
  static constexpr size_t kSiteBits = 13;
  static constexpr size_t kSites = size_t(1) << kSiteBits;
  static constexpr size_t kFeaturesPerSite = 65;  // 0..64 matching bits
  static constexpr size_t kFeatureSpan = kSites * kFeaturesPerSite;
  static constexpr size_t kMaxTouched = 1024;

  void StartExecution() {
    if (++generation_ == 0) {  // wrapped: old stamps could look current
      memset(slots_, 0, sizeof(slots_));
      generation_ = 1;
    }
    num_touched_ = 0;
  }
  // Hot path. `site_offset` is the compare's address relative to the executable's start,
  // so that every process (ASLR) maps a compare to the same site.
  void Record(uintptr_t site_offset, uint32_t matching_bits) {
    size_t site = size_t((site_offset * 0x9E3779B97F4A7C15ull) >> (64 - kSiteBits));
    Slot& slot = slots_[site];
    if (slot.generation != generation_) {
      if (num_touched_ == kMaxTouched) return;
      slot.generation = generation_;
      slot.best = uint8_t(matching_bits);
      touched_[num_touched_++] = uint16_t(site);
    } else if (matching_bits > slot.best) {
      slot.best = uint8_t(matching_bits);
    }
  }
  // Features of the execution: the sites where it matched at least as many bits as any
  // execution before (an equal count again, so that running an input twice gives the same
  // features). Call once per execution.
  template <class Handler>
  void ForEachFeature(Handler&& handle) {
    for (size_t i = 0; i < num_touched_; i++) {
      const uint16_t site = touched_[i];
      const uint8_t matched = slots_[site].best;
      if (uint32_t(matched) + 1 < record_[site]) continue;
      record_[site] = uint8_t(matched + 1);
      handle(uint32_t(site * kFeaturesPerSite + matched));
    }
  }
  size_t NumTouched() const { return num_touched_; }

 private:
  struct Slot {
    uint16_t generation;
    uint8_t best;
  };
  Slot slots_[kSites] = {};
  uint8_t record_[kSites] = {};  // per site: the most bits ever matched, plus one (0: none)
  uint16_t touched_[kMaxTouched] = {};
  size_t num_touched_ = 0;
  uint16_t generation_ = 0;
};

// The process's coverage tables. Obtain with Coverage(); the callbacks write to it.
class CoverageState {
 public:
  void Configure(const CoverageOptions& options) { options_ = options; }
  const CoverageOptions& options() const { return options_; }

  // Registration (from module constructors; no allocation).
  void RegisterCounters(uint8_t* begin, uint8_t* end);
  void RegisterPcTable(const PcTableEntry* begin, const PcTableEntry* end);
  void RegisterGuards(uint32_t* begin, uint32_t* end);

  size_t NumModules() const { return num_modules_; }
  const CounterModule& Module(size_t i) const { return modules_[i]; }
  size_t NumCounters() const { return num_counters_; }
  // Whether `feature` is a counter's (edge or hit-count bucket): the features that say
  // which path an execution took, without the distances of its compares.
  bool IsCounterFeature(uint32_t feature) const {
    return feature < num_counters_ * (options_.use_counters ? 8 : 1);
  }
  size_t NumPcTables() const;
  size_t NumTablePcs() const;
  size_t NumGuards() const { return num_guards_; }
  size_t NumExtraCounters() const;
  bool PcTablesMatchCounters() const;

  // Called by the engine around each execution of the target.
  void ResetForExecution();
  void SetRunningTarget(bool running) { running_target_ = running; }
  bool RunningTarget() const { return running_target_; }

  // Calls handle(feature) for every feature of the last execution (in increasing order
  // within each kind) and updates the observed-PC count. Returns the number of features.
  template <class Handler>
  size_t CollectFeatures(Handler&& handle);

  // -focus_function: finds the function entry whose symbolized name is `name` (needs a
  // sanitizer's symbolizer). Returns false if there is none.
  bool SetFocusFunction(const std::string& name);
  // Its counter index (across modules), or SIZE_MAX when no focus function is set.
  size_t FocusFunctionEdge() const { return focus_edge_; }
  // The PC-table address of counter `index` (across modules); 0 if its module has no table.
  uintptr_t PcOfCounter(size_t index) const;
  // Whether the last execution entered the focus function.
  bool FocusFunctionReached() const { return focus_counter_ && *focus_counter_; }

  // Number of distinct PCs (counters) ever seen non-zero: libFuzzer's "cov:".
  size_t NumCoveredPcs() const { return num_covered_pcs_; }
  // PCs of functions newly entered since the last call (for NEW_FUNC lines); fills up to
  // max pcs and returns how many were found.
  // Inline: asked after every run, and almost always there is none.
  size_t TakeNewlyCoveredFunctions(uintptr_t* pcs, size_t max) {
    if (num_pending_functions_ == 0) return 0;
    return TakePendingFunctions(pcs, max);
  }
  // With record_new_pcs: every PC newly covered since the last call (for NEW_PC lines).
  void TakeNewlyCoveredPcs(std::vector<uintptr_t>* pcs);

  // Compare tracing (the callbacks call these). `kind` says whether arg1 is a constant.
  CmpTables& cmp_tables() { return cmp_tables_; }
  CmpLog& cmp_log() { return cmp_log_; }
  template <class T>
  void HandleCmp(uintptr_t pc, T arg1, T arg2, CmpKind kind = CmpKind::kInt);
  // Whether HandleCmp has anything to do for a one-byte compare: those feed no compare table
  // and no distance, only the stage's compare log and value profile.
  bool OneByteCompareHasWork() const { return cmp_log_.on() || options_.use_value_profile; }
  // HandleCmp without the structured log (for callers that logged the compare themselves).
  template <class T>
  void HandleCmpUnlogged(uintptr_t pc, T arg1, T arg2, CmpKind kind);
  void HandleMemcmp(uintptr_t pc, const uint8_t* s1, const uint8_t* s2, size_t n,
                    bool stop_at_zero);
  void HandleMemmem(uintptr_t pc, const uint8_t* needle, size_t size);
  void HandleIndirectCall(uintptr_t caller, uintptr_t callee);
  void AddValueProfile(uintptr_t value) {
    value %= kValueProfileBits;
    value_profile_[value / 64] |= uint64_t(1) << (value % 64);
  }

  uint8_t* guard_counters() { return guard_counters_; }
  void SetStackBase(uintptr_t sp) { stack_base_ = sp; }
  // Called right before the target: the base is a local in a frame of its own, level with
  // the target's, so only frames deeper than the target's entry count (as in libFuzzer).
  void MarkStackBaseHere();

 private:
  size_t TakePendingFunctions(uintptr_t* pcs, size_t max);
  static uint8_t Bucket(uint8_t counter);
  void RegisterModule(uint8_t* begin, uint8_t* end);

  CoverageOptions options_;
  CounterModule modules_[kMaxModules];
  size_t num_modules_ = 0;
  size_t num_counters_ = 0;
  size_t num_pc_tables_ = 0;
  // Trace-pc-guard support: each guard gets a slot in guard_counters_.
  static constexpr size_t kMaxGuards = 1 << 20;
  uint8_t* guard_counters_ = nullptr;
  size_t num_guards_ = 0;
  bool guards_registered_ = false;
  bool extra_counters_registered_ = false;
  // One bit per counter: seen non-zero at least once.
  uint8_t* observed_ = nullptr;
  size_t observed_capacity_ = 0;
  size_t num_covered_pcs_ = 0;
  static constexpr size_t kMaxPendingFunctions = 64;
  uintptr_t pending_functions_[kMaxPendingFunctions] = {};
  size_t num_pending_functions_ = 0;
  // Only with record_new_pcs; grown with realloc on new coverage only (a std::vector would
  // stop this object from being constant-initialized before the module constructors run).
  uintptr_t* pending_pcs_ = nullptr;
  size_t num_pending_pcs_ = 0;
  size_t pending_pcs_capacity_ = 0;
  void RecordNewPc(uintptr_t pc);
  uint64_t value_profile_[kValueProfileBits / 64] = {};
  CmpTables cmp_tables_;
  CmpLog cmp_log_;
  CmpDistance cmp_distance_;
  uintptr_t stack_base_ = 0;
  bool running_target_ = false;
  const uint8_t* focus_counter_ = nullptr;
  size_t focus_edge_ = SIZE_MAX;
};

namespace internal {
// The process's one coverage state (coverage.cc): reached only through Coverage().
extern CoverageState global_coverage;
}  // namespace internal
// Inline: the engine asks for it several times in every run.
inline CoverageState& Coverage() { return internal::global_coverage; }

// Symbolizes an address from a PC table with the sanitizer's symbolizer (`format` as for
// __sanitizer_symbolize_pc; "%F" is "in <function>"). The table holds the address of the
// instrumented call, so the next byte is symbolized: it lies on the right line. "" when no
// sanitizer provides a symbolizer.
std::string DescribeTablePc(uintptr_t pc, const char* format);
// The function's plain name: "%F" without its "in ".
std::string FunctionOfTablePc(uintptr_t pc);

}  // namespace fuzzer

#include "runtime/engine/coverage_inl.h"
