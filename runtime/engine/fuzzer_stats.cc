// The in-process engine's -stats_file rows and -max_plateau_time (-workers=0): part of Fuzzer
// (fuzzer.h), called from Loop between mutation sequences and at exit, never per execution,
// and from the crash and SIGINT handlers just before the process exits. Runs in the process
// the user started; workers leave the stats file to their coordinator.
#include <time.h>

#include <algorithm>

#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/fuzzer_internal.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
void Fuzzer::MaybeWriteStatsRow(bool force) {
  if (!stats_file_) return;
  const int64_t now = NowUsec();
  const int64_t interval_usec = options_.stats_interval_sec * 1000000;
  if (next_stats_usec_ == 0) next_stats_usec_ = start_usec_ + interval_usec;
  if (!force && now < next_stats_usec_) return;
  next_stats_usec_ = now + interval_usec;
  stats_file_->Append(CollectStatsRow(now));
}

StatsRow Fuzzer::CollectStatsRow(int64_t now) const {
  StatsRow row;
  row.run_elapsed_s = double(now - start_usec_) / 1e6;
  row.execs = total_runs_;
  row.cov = Coverage().NumCoveredPcs();
  row.ft = corpus_.NumFeatures();
  row.corpus_units = corpus_.NumActiveInputs();
  row.corpus_bytes = corpus_.TotalActiveBytes();
  row.rss_mb = PeakRssMb();
  row.secs_since_new_cov = double(now - std::max(last_new_coverage_usec_, start_usec_)) / 1e6;
  return row;
}

void Fuzzer::FinishStatsAtDeath(bool crashed) {
  corpus_files_.DiscardSpares();  // every death path comes here (unlink is signal-safe)
  PrintFinalStats();
  // Only getters, clock_gettime and getrusage until the row's single write(2) (see
  // StatsFile::AppendAtDeath), so it is safe enough in a signal handler.
  if (!stats_file_) return;
  StatsRow row = CollectStatsRow(NowUsec());
  row.crashes = row.unique_crashes = crashed ? 1 : 0;
  stats_file_->AppendAtDeath(row);
}

bool Fuzzer::PlateauReached() const {
  if (options_.max_plateau_time_sec <= 0) return false;
  int64_t since = std::max(last_new_coverage_usec_, start_usec_);
  if (NowUsec() - since < int64_t(options_.max_plateau_time_sec) * 1000000) return false;
  PrintPlateauReached(options_.max_plateau_time_sec);
  return true;
}

}  // namespace fuzzer
