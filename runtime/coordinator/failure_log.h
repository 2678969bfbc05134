// FailureLog: what a run knows about the failures its workers met, in the coordinator
// process. It owns the signatures seen and the failure count, one UniqueCrash per signature,
// the artifacts (<artifact_prefix><kind><sha1>, or -exact_artifact_path), the keep-going policy
// (which failures the run survives) and the unique-crash index (crashes.csv). The end-of-run
// minimisation of unique crashes is MinimizeUniqueCrashes below.
//
// Not thread-safe: its owner guards it (the Coordinator's mutex_, GUARDED_BY).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/coordinator/crash_index.h"
#include "runtime/coordinator/crash_report.h"

namespace fuzzer {

class FailureLog {
 public:
  // A merge survives every failure (the input is recorded as failed) and keeps no unique
  // crash of its own. Before the first failure.
  void set_merging() { merging_ = true; }
  explicit FailureLog(const FuzzingOptions& options);
  FailureLog(const FailureLog&) = delete;
  FailureLog& operator=(const FailureLog&) = delete;

  const std::string& artifact_prefix() const { return options_.artifact_prefix; }
  // Whether the run goes on after a failure of this kind (-keep_going, -ignore_*, -fork's
  // defaults, or a merge) instead of ending with its exit code.
  bool KeepGoingAfter(FailureKind kind) const;
  bool AnyFailureIsSurvived() const;
  // Whether a fuzzing run keeps the input of a worker still reporting its failure when the
  // run stopped (it would have survived it).
  bool KeepsInterruptedReports() const { return !merging_ && AnyFailureIsSurvived(); }
  // Whether a new unique crash the run survives is kept (AddUniqueCrash): not in a merge.
  bool KeepsUniqueCrashes() const { return !merging_; }

  // Writes the artifact atomically; its path, or "" (with an ERROR line) if it failed.
  std::string WriteArtifact(FailureKind kind, const Bytes& data) const;
  // Counts a failure with this signature; true if the signature is new.
  bool Count(const std::string& signature);
  bool Known(const std::string& signature) const { return signatures_.count(signature) != 0; }
  // A unique crash whose artifact is written (KeepsUniqueCrashes()): a row in the crash
  // index of campaigns (-keep_going or -stats_file), and a candidate for minimisation.
  void AddUniqueCrash(UniqueCrash crash);
  // The unique crashes of kind kCrash (the ones the end of a keep-going run minimises).
  std::vector<UniqueCrash> CrashesToMinimize() const;
  void RecordMinimizedCrash(const std::string& artifact, const std::string& minimized,
                            size_t size);

  size_t crashes() const { return crashes_; }
  size_t unique_signatures() const { return signatures_.size(); }

 private:
  const FuzzingOptions& options_;  // outlives this log
  bool merging_ = false;
  size_t crashes_ = 0;
  std::set<std::string> signatures_;  // every signature seen
  std::vector<UniqueCrash> unique_crashes_;
  std::unique_ptr<CrashIndex> crash_index_;  // created with its first row
};

// Keep-going runs, at the end: minimises each crash in a fresh worker, 10 s per crash within
// `budget_end` (-max_total_time), in steps of at most a second; writes
// <prefix>minimized-from-<sha1> and calls on_minimized for each. Returns true if `interrupted`
// said so between steps. Takes no lock; on_minimized runs on the calling thread.
bool MinimizeUniqueCrashes(
    const FuzzingOptions& options, const std::vector<std::string>& argv, size_t max_len,
    unsigned seed, const std::vector<UniqueCrash>& crashes, const std::string& artifact_prefix,
    std::chrono::steady_clock::time_point budget_end, const std::function<bool()>& interrupted,
    const std::function<void(const std::string& artifact, const std::string& minimized,
                             size_t size)>& on_minimized);

}  // namespace fuzzer
