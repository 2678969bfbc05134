// Campaign telemetry of the coordinator process: the -stats_file rows (taken by the monitor
// thread and at exit, never on a worker's reply path) and -max_plateau_time. Part of
// Coordinator (coordinator.h); the unique-crash index is FailureLog's (failure_log.h).
#include <algorithm>

#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/coordinator/coordinator.h"

namespace fuzzer {

StatsRow Coordinator::CollectStatsRow() const {
  const auto now = std::chrono::steady_clock::now();
  StatsRow row;
  row.run_elapsed_s = std::chrono::duration<double>(now - start_time_).count();
  row.execs = TotalRuns();
  row.cov = corpus_.num_covered_edges();
  row.ft = corpus_.corpus().NumFeatures();
  row.corpus_units = corpus_.corpus().NumActiveInputs();
  row.corpus_bytes = corpus_.corpus().TotalActiveBytes();
  row.crashes = failures_.crashes();
  row.unique_crashes = failures_.unique_signatures();
  row.workers = pool_.size();
  row.rss_mb = std::max(PeakRssMb(), pool_.PeakRssMb());
  row.worker_restarts = pool_.Restarts();
  auto since = std::max(last_new_coverage_, start_time_);
  row.secs_since_new_cov = std::chrono::duration<double>(now - since).count();
  return row;
}

bool Coordinator::PlateauReached() const {
  if (options_.max_plateau_time_sec <= 0 || !fuzzing_phase_) return false;
  auto since = std::max(last_new_coverage_, start_time_);
  if (std::chrono::steady_clock::now() - since <
      std::chrono::seconds(options_.max_plateau_time_sec))
    return false;
  PrintPlateauReached(options_.max_plateau_time_sec);
  return true;
}

}  // namespace fuzzer
