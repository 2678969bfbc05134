// The SanitizerCoverage callbacks and sanitizer weak hooks (strong definitions that replace
// the sanitizers' weak no-ops), plus CoverageState's registration code. Runs in the worker
// and the in-process engine. Every callback only touches the global CoverageState: the
// compiler-inserted calls have no way to pass a context.
#include "runtime/engine/coverage.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/engine/sanitizer_api.h"

extern "C" {
// Written by -fsanitize-coverage=stack-depth instrumentation: the lowest stack pointer seen.
__attribute__((visibility("default"),
               tls_model("initial-exec"))) thread_local uintptr_t __sancov_lowest_stack;

// User arrays in this section act as extra 8-bit counters (libFuzzer's extra counters).
extern uint8_t __start___libfuzzer_extra_counters __attribute__((weak));
extern uint8_t __stop___libfuzzer_extra_counters __attribute__((weak));
}

namespace fuzzer {
namespace internal {
[[clang::require_constant_initialization]] CoverageState global_coverage;
}  // namespace internal
namespace {
using internal::global_coverage;
// Cached for the trace-pc-guard callback (the hottest callback of that instrumentation).
uint8_t* guard_counters_fast = nullptr;
}  // namespace


void CoverageState::RegisterModule(uint8_t* begin, uint8_t* end) {
  if (num_modules_ == kMaxModules || begin >= end) return;
  modules_[num_modules_++] = CounterModule{begin, end, nullptr, nullptr};
  num_counters_ += size_t(end - begin);
}

void CoverageState::RegisterCounters(uint8_t* begin, uint8_t* end) {
  if (!extra_counters_registered_) {
    // Extra counters first so their ids are stable whatever the module order.
    extra_counters_registered_ = true;
    if (&__start___libfuzzer_extra_counters && &__stop___libfuzzer_extra_counters)
      RegisterModule(&__start___libfuzzer_extra_counters, &__stop___libfuzzer_extra_counters);
  }
  for (size_t i = 0; i < num_modules_; i++)
    if (modules_[i].begin == begin) return;  // registered already (e.g. a re-run ctor)
  RegisterModule(begin, end);
}

void CoverageState::RegisterPcTable(const PcTableEntry* begin, const PcTableEntry* end) {
  // The PC table of a module is registered right after its counters, in the same ctor.
  num_pc_tables_++;
  for (size_t i = num_modules_; i-- > 0;) {
    CounterModule& module = modules_[i];
    if (!module.pcs_begin && module.size() == size_t(end - begin)) {
      module.pcs_begin = begin;
      module.pcs_end = end;
      return;
    }
  }
}

void CoverageState::RegisterGuards(uint32_t* begin, uint32_t* end) {
  if (begin == end || *begin) return;  // empty, or initialised already
  if (!guard_counters_) {
    void* region =
        mmap(nullptr, kMaxGuards, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return;
    guard_counters_ = static_cast<uint8_t*>(region);
    guard_counters_fast = guard_counters_;
  }
  if (!guards_registered_) {
    if (num_modules_ == kMaxModules) return;
    guards_registered_ = true;
    // Slot 0 is "no guard"; the module grows as more guards are initialised.
    modules_[num_modules_++] =
        CounterModule{guard_counters_ + 1, guard_counters_ + 1, nullptr, nullptr};
  }
  for (uint32_t* guard = begin; guard < end && num_guards_ + 1 < kMaxGuards; guard++)
    *guard = uint32_t(++num_guards_);
  for (size_t i = 0; i < num_modules_; i++) {
    if (modules_[i].begin == guard_counters_ + 1) {
      num_counters_ += size_t(guard_counters_ + 1 + num_guards_ - modules_[i].end);
      modules_[i].end = guard_counters_ + 1 + num_guards_;
    }
  }
}

size_t CoverageState::NumPcTables() const { return num_pc_tables_; }

size_t CoverageState::NumTablePcs() const {
  size_t total = 0;
  for (size_t i = 0; i < num_modules_; i++)
    if (modules_[i].pcs_begin) total += size_t(modules_[i].pcs_end - modules_[i].pcs_begin);
  return total;
}

size_t CoverageState::NumExtraCounters() const {
  if (&__start___libfuzzer_extra_counters && &__stop___libfuzzer_extra_counters)
    return size_t(&__stop___libfuzzer_extra_counters - &__start___libfuzzer_extra_counters);
  return 0;
}

bool CoverageState::PcTablesMatchCounters() const {
  size_t with_tables = 0;
  for (size_t i = 0; i < num_modules_; i++)
    if (modules_[i].pcs_begin) with_tables++;
  return with_tables == num_pc_tables_;
}

std::string DescribeTablePc(uintptr_t pc, const char* format) {
  if (!__sanitizer_symbolize_pc) return "";
  char description[1024] = {};
  __sanitizer_symbolize_pc(reinterpret_cast<void*>(pc + 1), format, description,
                           sizeof(description));
  return description;
}

std::string FunctionOfTablePc(uintptr_t pc) {
  std::string function = DescribeTablePc(pc, "%F");
  return function.compare(0, 3, "in ") == 0 ? function.substr(3) : function;
}

bool CoverageState::SetFocusFunction(const std::string& name) {
  if (!__sanitizer_symbolize_pc) return false;
  size_t first = 0;
  for (size_t m = 0; m < num_modules_; m++) {
    const CounterModule& module = modules_[m];
    for (size_t i = 0; module.pcs_begin && i < module.size(); i++) {
      if (!(module.pcs_begin[i].flags & 1)) continue;  // not a function entry
      if (FunctionOfTablePc(module.pcs_begin[i].pc) != name) continue;
      focus_counter_ = module.begin + i;
      focus_edge_ = first + i;
      return true;
    }
    first += module.size();
  }
  return false;
}

__attribute__((noinline)) void CoverageState::MarkStackBaseHere() {
  volatile char marker = 0;
  stack_base_ = reinterpret_cast<uintptr_t>(&marker);
  __sancov_lowest_stack = stack_base_;
}

void CoverageState::ResetForExecution() {
  for (size_t m = 0; m < num_modules_; m++) memset(modules_[m].begin, 0, modules_[m].size());
  if (options_.use_value_profile) memset(value_profile_, 0, sizeof(value_profile_));
  if (options_.use_cmp_distance) cmp_distance_.StartExecution();
  __sancov_lowest_stack = UINTPTR_MAX;
}

uintptr_t CoverageState::PcOfCounter(size_t index) const {
  for (size_t m = 0; m < num_modules_; m++) {
    const CounterModule& module = modules_[m];
    if (index < module.size()) return module.pcs_begin ? module.pcs_begin[index].pc : 0;
    index -= module.size();
  }
  return 0;
}

void CoverageState::RecordNewPc(uintptr_t pc) {
  if (num_pending_pcs_ == pending_pcs_capacity_) {
    size_t capacity = pending_pcs_capacity_ ? 2 * pending_pcs_capacity_ : 256;
    void* grown = realloc(pending_pcs_, capacity * sizeof(uintptr_t));
    if (!grown) return;  // a NEW_PC line less, never a failed run
    pending_pcs_ = static_cast<uintptr_t*>(grown);
    pending_pcs_capacity_ = capacity;
  }
  pending_pcs_[num_pending_pcs_++] = pc;
}

void CoverageState::TakeNewlyCoveredPcs(std::vector<uintptr_t>* pcs) {
  pcs->assign(pending_pcs_, pending_pcs_ + num_pending_pcs_);
  num_pending_pcs_ = 0;
}

size_t CoverageState::TakePendingFunctions(uintptr_t* pcs, size_t max) {
  size_t n = num_pending_functions_ < max ? num_pending_functions_ : max;
  memcpy(pcs, pending_functions_, n * sizeof(uintptr_t));
  num_pending_functions_ = 0;
  return n;
}

void CoverageState::HandleMemcmp(uintptr_t pc, const uint8_t* s1, const uint8_t* s2, size_t n,
                                 bool stop_at_zero) {
  if (n <= 1) return;  // one-byte compares are found by plain mutation
  size_t len = 0;
  while (len < n && len < Word::kMaxSize) {
    if (stop_at_zero && (s1[len] == 0 || s2[len] == 0)) break;
    len++;
  }
  if (cmp_log_.on() && len > 1) cmp_log_.AddBytes(pc, s1, s2, len);
  size_t first_diff = 0;
  while (first_diff < len && s1[first_diff] == s2[first_diff]) first_diff++;
  if (options_.use_cmp && len > 1) {
    size_t hash = 0;
    for (size_t i = 0; i < len; i++) hash = hash * 31 + s2[i];
    cmp_tables_.torcw.Insert(hash ^ pc, Word(s1, len), Word(s2, len));
  }
  if (options_.use_cmp && stop_at_zero) {
    // Strings of different lengths (e.g. the input is shorter than the keyword it is
    // compared with): also offer the whole of each string, so one CMP mutation can write the
    // complete keyword where the input's string is, instead of growing it a prefix at a time.
    size_t len1 = 0, len2 = 0;
    while (len1 < n && len1 < Word::kMaxSize && s1[len1]) len1++;
    while (len2 < n && len2 < Word::kMaxSize && s2[len2]) len2++;
    if (len1 != len2 && len1 && len2 > 1)
      cmp_tables_.torcw.Insert((len1 << 8 | len2) ^ pc ^ 0x5bd1e995, Word(s1, len1),
                               Word(s2, len2));
  }
  if (options_.use_value_profile) {
    // Progress = a longer common prefix, or a closer first differing byte.
    uint64_t distance =
        first_diff < len ? uint64_t(__builtin_popcount(s1[first_diff] ^ s2[first_diff])) : 0;
    AddValueProfile(((pc & 4095) << 12 | first_diff << 3 | distance) + 1);
  }
}

void CoverageState::HandleMemmem(uintptr_t pc, const uint8_t* needle, size_t size) {
  (void)pc;
  if (options_.use_cmp && options_.use_memmem) cmp_tables_.mmt.Add(needle, size);
}

void CoverageState::HandleIndirectCall(uintptr_t caller, uintptr_t callee) {
  if (options_.use_value_profile) AddValueProfile((caller & 0xfff) << 12 | (callee & 0xfff));
}

}  // namespace fuzzer

// ---- SanitizerCoverage callbacks (see clang's SanitizerCoverage documentation) ----
using fuzzer::Coverage;
#define SHOAL_CALLER_PC() reinterpret_cast<uintptr_t>(__builtin_return_address(0))
#define SHOAL_INTERFACE extern "C" __attribute__((visibility("default"), used))

SHOAL_INTERFACE void __sanitizer_cov_8bit_counters_init(uint8_t* begin, uint8_t* end) {
  Coverage().RegisterCounters(begin, end);
}

SHOAL_INTERFACE void __sanitizer_cov_pcs_init(const uintptr_t* begin, const uintptr_t* end) {
  Coverage().RegisterPcTable(reinterpret_cast<const fuzzer::PcTableEntry*>(begin),
                             reinterpret_cast<const fuzzer::PcTableEntry*>(end));
}

SHOAL_INTERFACE void __sanitizer_cov_bool_flag_init(bool*, bool*) {}

SHOAL_INTERFACE void __sanitizer_cov_trace_pc_guard_init(uint32_t* begin, uint32_t* end) {
  Coverage().RegisterGuards(begin, end);
}

SHOAL_INTERFACE void __sanitizer_cov_trace_pc_guard(uint32_t* guard) {
  uint8_t* counters = fuzzer::guard_counters_fast;
  counters[*guard]++;
}

SHOAL_INTERFACE void __sanitizer_cov_trace_pc_indir(uintptr_t callee) {
  Coverage().HandleIndirectCall(SHOAL_CALLER_PC(), callee);
}

// A parser's hottest callbacks: when a one-byte compare has nothing to feed, they return before
// anything else, so they set up no stack frame. (With the calls of the compare log's path in the
// same body, every call pushed and popped four registers: 12% of json_rapidjson's CPU was
// __sanitizer_cov_trace_const_cmp1 doing nothing.)
SHOAL_INTERFACE void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b) {
  fuzzer::CoverageState& coverage = Coverage();
  if (__builtin_expect(!coverage.OneByteCompareHasWork(), 1)) return;
  coverage.HandleCmp(SHOAL_CALLER_PC(), a, b);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b) {
  fuzzer::CoverageState& coverage = Coverage();
  if (__builtin_expect(!coverage.OneByteCompareHasWork(), 1)) return;
  coverage.HandleCmp(SHOAL_CALLER_PC(), a, b, fuzzer::CmpKind::kConstInt);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b, fuzzer::CmpKind::kConstInt);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b, fuzzer::CmpKind::kConstInt);
}
SHOAL_INTERFACE void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), a, b, fuzzer::CmpKind::kConstInt);
}

SHOAL_INTERFACE void __sanitizer_cov_trace_switch(uint64_t value, uint64_t* cases) {
  uint64_t num_cases = cases[0];
  uint64_t bits = cases[1];
  if (!num_cases) return;
  const uint64_t* values = cases + 2;
  uintptr_t pc = SHOAL_CALLER_PC();
  fuzzer::CmpLog& log = Coverage().cmp_log();
  if (__builtin_expect(log.on(), 0)) {
    // The structured log sees every case (a transformed value may need any of them).
    uint8_t size = uint8_t(bits / 8 ? bits / 8 : 1);
    for (uint64_t i = 0; i < num_cases && i < 64; i++)
      log.AddInt(pc + i, fuzzer::CmpKind::kConstInt, size, values[i], value);
  }
  // Byte-sized values and switches are found by plain mutation; only wide ones need CMP
  // help (libFuzzer's rule). This also keeps lexers' switch-per-byte cheap.
  if (value < 256 || values[num_cases - 1] < 256) return;
  // Cases are sorted: compare against the nearest case below and above the value.
  uint64_t i = uint64_t(std::lower_bound(values, values + num_cases, value) - values);
  auto handle = [&](uint64_t case_index) {
    uint64_t case_value = values[case_index];
    uintptr_t case_pc = pc + case_index;
    // Not logged again: the loop above logged every case.
    if (bits <= 32)
      Coverage().HandleCmpUnlogged(case_pc, uint32_t(case_value), uint32_t(value),
                                   fuzzer::CmpKind::kConstInt);
    else
      Coverage().HandleCmpUnlogged(case_pc, case_value, value, fuzzer::CmpKind::kConstInt);
  };
  if (i < num_cases) handle(i);
  if (i > 0) handle(i - 1);
}

SHOAL_INTERFACE void __sanitizer_cov_trace_div4(uint32_t value) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), value, uint32_t(0));
}
SHOAL_INTERFACE void __sanitizer_cov_trace_div8(uint64_t value) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), value, uint64_t(0));
}
SHOAL_INTERFACE void __sanitizer_cov_trace_gep(uintptr_t index) {
  Coverage().HandleCmp(SHOAL_CALLER_PC(), uint64_t(index), uint64_t(0));
}

// ---- Sanitizer weak hooks: called by the sanitizers' (or Shoal's) string interceptors ----
SHOAL_INTERFACE void __sanitizer_weak_hook_memcmp(void* caller_pc, const void* s1, const void* s2,
                                                  size_t n, int result) {
  if (!Coverage().RunningTarget() || result == 0) return;
  Coverage().HandleMemcmp(reinterpret_cast<uintptr_t>(caller_pc), static_cast<const uint8_t*>(s1),
                          static_cast<const uint8_t*>(s2), n, false);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strncmp(void* caller_pc, const char* s1, const char* s2,
                                                   size_t n, int result) {
  if (!Coverage().RunningTarget() || result == 0) return;
  Coverage().HandleMemcmp(reinterpret_cast<uintptr_t>(caller_pc),
                          reinterpret_cast<const uint8_t*>(s1),
                          reinterpret_cast<const uint8_t*>(s2), n, true);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strcmp(void* caller_pc, const char* s1, const char* s2,
                                                  int result) {
  if (!Coverage().RunningTarget() || result == 0) return;
  Coverage().HandleMemcmp(reinterpret_cast<uintptr_t>(caller_pc),
                          reinterpret_cast<const uint8_t*>(s1),
                          reinterpret_cast<const uint8_t*>(s2), SIZE_MAX, true);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strncasecmp(void* caller_pc, const char* s1,
                                                       const char* s2, size_t n, int result) {
  __sanitizer_weak_hook_strncmp(caller_pc, s1, s2, n, result);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strcasecmp(void* caller_pc, const char* s1,
                                                      const char* s2, int result) {
  __sanitizer_weak_hook_strcmp(caller_pc, s1, s2, result);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strstr(void* caller_pc, const char* s1, const char* s2,
                                                  char* result) {
  (void)s1;
  (void)result;
  if (!Coverage().RunningTarget()) return;
  Coverage().HandleMemmem(reinterpret_cast<uintptr_t>(caller_pc),
                          reinterpret_cast<const uint8_t*>(s2), strlen(s2));
}

SHOAL_INTERFACE void __sanitizer_weak_hook_strcasestr(void* caller_pc, const char* s1,
                                                      const char* s2, char* result) {
  __sanitizer_weak_hook_strstr(caller_pc, s1, s2, result);
}

SHOAL_INTERFACE void __sanitizer_weak_hook_memmem(void* caller_pc, const void* s1, size_t len1,
                                                  const void* s2, size_t len2, void* result) {
  (void)s1;
  (void)len1;
  (void)result;
  if (!Coverage().RunningTarget()) return;
  Coverage().HandleMemmem(reinterpret_cast<uintptr_t>(caller_pc), static_cast<const uint8_t*>(s2),
                          len2);
}

// Lets clients detect a libFuzzer-compatible runtime through a weak reference.
SHOAL_INTERFACE void __libfuzzer_is_present() {}
