// Implements coverage_report.h. Coordinator or in-process engine.
#include "runtime/engine/coverage_report.h"

#include <string>

#include "runtime/common/log.h"
#include "runtime/engine/sanitizer_api.h"

namespace fuzzer {
namespace {

// Runtime and system headers are not the user's code (as libFuzzer leaves them out).
bool IsUserFile(const std::string& file) {
  return file != "<null>" && file.find("compiler-rt/lib/") == std::string::npos &&
         file.find("/usr/include/") == std::string::npos &&
         file.find("/usr/lib/") == std::string::npos;
}

}  // namespace

CoverageReport::CoverageReport(const CoverageState& coverage, bool use_counters)
    : use_counters_(use_counters),
      pcs_(coverage.NumCounters()),
      is_function_entry_(coverage.NumCounters()),
      covered_(coverage.NumCounters()),
      entry_hits_(coverage.NumCounters()),
      marked_this_input_(coverage.NumCounters()) {
  size_t first = 0;
  for (size_t m = 0; m < coverage.NumModules(); m++) {
    const CounterModule& module = coverage.Module(m);
    if (module.pcs_begin && size_t(module.pcs_end - module.pcs_begin) == module.size()) {
      for (size_t i = 0; i < module.size(); i++) {
        pcs_[first + i] = module.pcs_begin[i].pc;
        is_function_entry_[first + i] = (module.pcs_begin[i].flags & 1) != 0;
      }
    }
    first += module.size();
  }
}

void CoverageReport::MarkCovered(size_t edge) {
  if (edge >= covered_.size() || marked_this_input_[edge]) return;
  marked_this_input_[edge] = true;
  marked_list_.push_back(edge);
  covered_[edge] = true;
  if (is_function_entry_[edge]) entry_hits_[edge]++;
}

void CoverageReport::AddCorpusInput(Span<uint32_t> features) {
  for (uint32_t feature : features) MarkCovered(EdgeOfFeature(feature, use_counters_));
  for (size_t edge : marked_list_) marked_this_input_[edge] = false;
  marked_list_.clear();
}

void CoverageReport::AddLastExecution(const CoverageState& coverage) {
  size_t first = 0;
  for (size_t m = 0; m < coverage.NumModules(); m++) {
    const CounterModule& module = coverage.Module(m);
    for (size_t i = 0; i < module.size(); i++)
      if (module.begin[i]) MarkCovered(first + i);
    first += module.size();
  }
  for (size_t edge : marked_list_) marked_this_input_[edge] = false;
  marked_list_.clear();
}

void CoverageReport::PrintAsFlagged(const FuzzingOptions& options) const {
  if (options.print_full_coverage) Print(/*full=*/true);
  if (options.print_coverage) Print(/*full=*/false);
}

void CoverageReport::Print(bool full) const {
  if (!__sanitizer_symbolize_pc) {
    Printf("INFO: __sanitizer_symbolize_pc is not available, not printing coverage\n");
    return;
  }
  Printf(full ? "FULL COVERAGE:\n" : "COVERAGE:\n");
  // A function's edges run from its entry to the next entry (or the end of its module).
  for (size_t entry = 0; entry < pcs_.size(); entry++) {
    if (!is_function_entry_[entry] || !pcs_[entry]) continue;
    size_t end = entry + 1;
    while (end < pcs_.size() && pcs_[end] && !is_function_entry_[end]) end++;
    std::string file = DescribeTablePc(pcs_[entry], "%s");
    if (!IsUserFile(file)) continue;
    std::string function = FunctionOfTablePc(pcs_[entry]);
    if (full) {
      for (bool covered_part : {false, true}) {
        std::string line = covered_part ? "C" : "U";
        for (size_t edge = entry; edge < end; edge++)
          if (covered_[edge] == covered_part) line += DescribeTablePc(pcs_[edge], " %l");
        Printf("%s\n", line.c_str());
      }
      continue;
    }
    size_t covered = 0;
    for (size_t edge = entry; edge < end; edge++) covered += covered_[edge];
    uint32_t hits = entry_hits_[entry];
    Printf("%sCOVERED_FUNC: hits: %u edges: %zd/%zd %s %s:%s\n", hits ? "" : "UN", hits, covered,
           end - entry, function.c_str(), file.c_str(), DescribeTablePc(pcs_[entry], "%l").c_str());
    if (!hits) continue;
    for (size_t edge = entry; edge < end; edge++)
      if (!covered_[edge]) Printf("  UNCOVERED_PC: %s\n", DescribeTablePc(pcs_[edge], "%s:%l").c_str());
  }
}

}  // namespace fuzzer
