// Implements failure_log.h. Runs in the coordinator process.
#include "runtime/coordinator/failure_log.h"

#include <time.h>
#include <unistd.h>

#include <climits>

#include "runtime/common/log.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/crash_tools.h"
#include "runtime/coordinator/worker_session.h"

namespace fuzzer {
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

FailureLog::FailureLog(const FuzzingOptions& options) : options_(options) {}

bool FailureLog::AnyFailureIsSurvived() const {
  for (FailureKind kind :
       {FailureKind::kCrash, FailureKind::kTimeout, FailureKind::kOom, FailureKind::kLeak})
    if (KeepGoingAfter(kind)) return true;
  return false;
}

bool FailureLog::KeepGoingAfter(FailureKind kind) const {
  if (options_.keep_going || merging_) return true;
  switch (kind) {
    case FailureKind::kTimeout:
      return options_.keep_going_after_timeout;
    case FailureKind::kOom:
      return options_.keep_going_after_oom;
    case FailureKind::kCrash:
    case FailureKind::kLeak:
      return options_.keep_going_after_crash;
  }
  return false;
}

std::string FailureLog::WriteArtifact(FailureKind kind, const Bytes& data) const {
  std::string path = options_.ArtifactPath(ArtifactKind(kind), Sha1Hex(data.data(), data.size()));
  if (!WriteFileAtomically(path, data.data(), data.size())) {
    Printf("ERROR: failed to write the artifact '%s'\n", path.c_str());
    return "";
  }
  return path;
}

bool FailureLog::Count(const std::string& signature) {
  crashes_++;
  return signatures_.insert(signature).second;
}

void FailureLog::AddUniqueCrash(UniqueCrash crash) {
  // The index is for campaigns only: a plain -fork=N run (ClusterFuzz's) that survives a
  // timeout leaves its artifact directory as libFuzzer's fork mode would.
  if (options_.keep_going || options_.stats_file) {
    if (!crash_index_)
      crash_index_ = std::make_unique<CrashIndex>(options_.artifact_prefix + "crashes.csv");
    CrashRecord record;
    record.first_seen_unix = NowUnixSeconds();
    record.kind = ArtifactKind(crash.kind);
    record.signature = crash.signature;
    record.artifact = crash.artifact_path;
    record.artifact_size = crash.input.size();
    record.exit_code = crash.exit_code;
    record.target = SelfExecutable();
    crash_index_->Add(record);
  }
  unique_crashes_.push_back(std::move(crash));
}

std::vector<UniqueCrash> FailureLog::CrashesToMinimize() const {
  std::vector<UniqueCrash> crashes;
  for (const UniqueCrash& crash : unique_crashes_)
    if (crash.kind == FailureKind::kCrash) crashes.push_back(crash);
  return crashes;
}

void FailureLog::RecordMinimizedCrash(const std::string& artifact, const std::string& minimized,
                                      size_t size) {
  if (crash_index_) crash_index_->SetMinimized(artifact, minimized, size);
}

bool MinimizeUniqueCrashes(
    const FuzzingOptions& options, const std::vector<std::string>& argv, size_t max_len,
    unsigned seed, const std::vector<UniqueCrash>& crashes, const std::string& artifact_prefix,
    std::chrono::steady_clock::time_point budget_end, const std::function<bool()>& interrupted,
    const std::function<void(const std::string& artifact, const std::string& minimized,
                             size_t size)>& on_minimized) {
  constexpr auto kTimePerCrash = std::chrono::seconds(10);
  // Steps of at most a second, so that Ctrl-C is honoured within about that.
  constexpr auto kStep = std::chrono::seconds(1);
  if (crashes.empty()) return false;
  WorkerSession session(options, argv, max_len, seed, /*quiet=*/true);
  size_t not_minimized = 0;
  for (const UniqueCrash& crash : crashes) {
    if (interrupted()) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= budget_end) {
      not_minimized++;
      continue;
    }
    const Bytes& original = crash.input;
    Bytes smallest = original;
    auto deadline = std::min(budget_end, now + kTimePerCrash);
    while (std::chrono::steady_clock::now() < deadline && smallest.size() > 1) {
      if (interrupted()) return true;
      auto step_end = std::min(deadline, std::chrono::steady_clock::now() + kStep);
      smallest = MinimizeFailingInput(&session, options, smallest, crash.signature,
                                      /*max_runs=*/0, step_end);
    }
    if (smallest.size() >= original.size()) {
      Printf("INFO: %s (%zd bytes) could not be minimized further\n",
             crash.artifact_path.c_str(), original.size());
      continue;
    }
    std::string path =
        artifact_prefix + "minimized-from-" + Sha1Hex(original.data(), original.size());
    if (WriteFileAtomically(path, smallest.data(), smallest.size())) {
      Printf("INFO: minimized %s (%zd bytes) into %s (%zd bytes)\n",
             crash.artifact_path.c_str(), original.size(), path.c_str(), smallest.size());
      on_minimized(crash.artifact_path, path, smallest.size());
    }
  }
  if (not_minimized)
    Printf("INFO: %zd unique crash(es) not minimized: the -max_total_time budget is spent; "
           "their artifacts are kept as found\n",
           not_minimized);
  return false;
}

}  // namespace fuzzer
