// CoverageReport: -print_coverage and -print_full_coverage. Which functions and edges the
// corpus reached, printed at exit as libFuzzer 14's "COVERAGE:" report (COVERED_FUNC /
// UNCOVERED_FUNC / UNCOVERED_PC lines) or "FULL COVERAGE:" report (a "U" line of uncovered
// and a "C" line of covered source lines per function), symbolized with the sanitizer's
// symbolizer. Fed with each input the corpus keeps;
// runs in the coordinator (fed with the global corpus's features) or in the in-process
// engine (fed from the counters of the execution that added an input). Both number edges by
// counter index across modules, which is the same in every process of one binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/common/fuzzing_options.h"
#include "runtime/common/span.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {

class CoverageReport {
 public:
  // Takes the PC tables of `coverage` (this process's own addresses, for symbolizing).
  CoverageReport(const CoverageState& coverage, bool use_counters);
  // An input the corpus kept, with every feature it reached.
  void AddCorpusInput(Span<uint32_t> features);
  // The same, from the counters the last execution left in `coverage`.
  void AddLastExecution(const CoverageState& coverage);
  // Prints the report (`full`: -print_full_coverage's); one line instead if nothing can
  // symbolize PCs.
  void Print(bool full) const;
  // Both reports, as the flags ask (libFuzzer's order).
  void PrintAsFlagged(const FuzzingOptions& options) const;

 private:
  void MarkCovered(size_t edge);

  const bool use_counters_;
  std::vector<uintptr_t> pcs_;            // per edge; 0 when its module has no PC table
  std::vector<bool> is_function_entry_;   // per edge
  std::vector<bool> covered_;             // per edge
  std::vector<uint32_t> entry_hits_;      // per edge: corpus inputs that reached it
  std::vector<bool> marked_this_input_;   // scratch: each edge counted once per input
  std::vector<size_t> marked_list_;
};

}  // namespace fuzzer
