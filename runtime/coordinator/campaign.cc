// Campaign telemetry of the coordinator process: the -stats_file rows (taken by the monitor
// thread and at exit, never on a worker's reply path), -max_plateau_time, and the
// unique-crash index of keep-going runs. Part of Coordinator (coordinator.h), kept apart from coordinator.cc.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "runtime/common/log.h"
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

bool Coordinator::PlateauReached() const {
  if (flags_.max_plateau_time <= 0 || !fuzzing_phase_) return false;
  auto since = std::max(last_new_coverage_, start_time_);
  if (std::chrono::steady_clock::now() - since < std::chrono::seconds(flags_.max_plateau_time))
    return false;
  Printf("INFO: no new coverage (cov, ft) for %ld seconds (-max_plateau_time=%ld); stopping\n",
         flags_.max_plateau_time, flags_.max_plateau_time);
  return true;
}

namespace {

std::string NowUnixSeconds() {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char text[32];
  snprintf(text, sizeof(text), "%lld.%03ld", (long long)now.tv_sec, now.tv_nsec / 1000000);
  return text;
}

// This program's absolute path: the fuzz target, which reproduces a crash given its file.
std::string SelfExecutable() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, size_t(n)) : std::string();
}

}  // namespace

void Coordinator::RecordUniqueCrash(const shoal::proto::CrashDescription& crash) {
  // Campaigns only: a plain -fork=N run (ClusterFuzz's) that survives a timeout leaves its
  // artifact directory as libFuzzer's fork mode would.
  if (!flags_.keep_going && !flags_.stats_file) return;
  if (!crash_index_) crash_index_ = std::make_unique<CrashIndex>(artifact_prefix_ + "crashes.csv");
  CrashRecord record;
  record.first_seen_unix = NowUnixSeconds();
  record.kind = crash.kind();
  record.signature = crash.signature();
  record.artifact = crash.artifact_path();
  record.artifact_size = crash.input().size();
  record.exit_code = crash.exit_code();
  record.target = SelfExecutable();
  crash_index_->Add(record);
}

void Coordinator::RecordMinimizedCrash(const std::string& artifact, const std::string& minimized,
                                       size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (crash_index_) crash_index_->SetMinimized(artifact, minimized, size);
}

}  // namespace fuzzer
