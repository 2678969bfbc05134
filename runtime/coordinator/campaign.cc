// Campaign telemetry of the coordinator process: the -stats_file rows (taken by the monitor
// thread and at exit, never on a worker's reply path). Part of Coordinator (coordinator.h),
// kept apart from coordinator.cc.
#include <algorithm>

#include "runtime/common/process.h"
#include "runtime/coordinator/coordinator.h"

namespace fuzzer {

StatsRow Coordinator::CollectStatsRow() const {
  const auto now = std::chrono::steady_clock::now();
  StatsRow row;
  row.run_elapsed_s = std::chrono::duration<double>(now - start_time_).count();
  row.execs = TotalRuns();
  row.cov = num_covered_edges_;
  row.ft = corpus_.NumFeatures();
  row.corpus_units = corpus_.NumActiveInputs();
  row.corpus_bytes = corpus_.TotalActiveBytes();
  row.crashes = crashes_;
  row.unique_crashes = crash_signatures_.size();
  row.workers = workers_.size();
  row.rss_mb = PeakRssMb();
  for (const auto& worker : workers_) {
    row.worker_restarts += worker->restarts;
    row.rss_mb = std::max(row.rss_mb, worker->peak_rss_mb);
  }
  auto since = std::max(last_new_coverage_, start_time_);
  row.secs_since_new_cov = std::chrono::duration<double>(now - since).count();
  return row;
}

}  // namespace fuzzer
