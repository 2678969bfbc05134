// Coordinator: what happens when a worker fails during a call (runs in the coordinator, on
// that worker's thread): the failure is classified, libFuzzer's lines and the artifact are
// written (or, keeping going, one artifact per unique signature), the seeds it was running
// are queued again, and the worker is prepared for a restart. Deaths with no report of their
// own go through death_triage.cc first.
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "runtime/common/files.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/log.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/coordinator.h"
#include "runtime/coordinator/worker_session.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {

void Coordinator::KeepAnnouncedArtifact(WorkerClient& client) {
  if (!client.slot().ArtifactAnnounced()) {
    // Keeping going, a worker caught in its own failure report when the run stopped (e.g.
    // killed after the stop grace) still found something: its input is kept too.
    if (!client.slot().Dying() || !failures_.KeepsInterruptedReports()) return;
    WorkerDeath death;
    death.wait_status = client.wait_status();
    death.slot_kind = client.slot().FailureKind();
    std::string path = failures_.WriteArtifact(ClassifyDeath(death), client.slot().Current());
    if (!path.empty())
      Printf("INFO: a worker was reporting a failure when the run stopped; its input is kept: "
             "artifact_prefix='%s'; Test unit written to %s\n",
             failures_.artifact_prefix().c_str(), path.c_str());
    return;
  }
  WorkerDeath death;
  death.wait_status = client.wait_status();
  death.slot_kind = client.slot().FailureKind();
  failures_.WriteArtifact(ClassifyDeath(death), client.slot().Current());
}

bool Coordinator::HandleDeath(Worker* worker, SeedChunk* unfinished_seeds, bool garbled) {
  WorkerClient& client = *worker->client;
  client.Close();  // reaps the process (it is dead or dying)
  {
    // Already stopping (another worker's failure, or a signal): only keep a promise this
    // worker made by printing "Test unit written to", and do not wait for its output.
    MutexLock lock(&mutex_);
    if (stopping_) {
      KeepAnnouncedArtifact(client);
      return false;
    }
  }
  DeadWorker dead = CollectDeadWorker(client, forwarder_, worker->index);
  WorkerDeath& death = dead.death;
  death.killed_for_rss = worker->killed_for_rss.load();
  death.killed_for_hang = worker->killed_for_hang.load();
  death.killed_while_dying = worker->killed_while_dying.load();
  Bytes& input = dead.input;
  const bool ran_anything = dead.ran_anything;
  // Positions count from the start of the request; the chunk lost its reported head.
  uint64_t position = dead.request_position >= worker->chunk_results_done
                          ? dead.request_position - worker->chunk_results_done
                          : InputSlot::kNoPosition;
  const std::string& output = dead.output;
  const int exit_status = WIFEXITED(death.wait_status) ? WEXITSTATUS(death.wait_status) : -1;
  const bool channel_broken = garbled || exit_status == kWorkerChannelBrokenExitCode;
  const bool no_report = garbled || DiedWithNoReport(death);
  {
    MutexLock lock(&mutex_);
    // The runs of the request it died in never came back in a response; the slot counts
    // every execution the process started.
    worker->runs = PlausibleRuns(worker->runs, client.slot().generation());
    if (stopping_) {
      // Another failure stopped the run while this one's output was awaited: it may still
      // have promised its artifact.
      KeepAnnouncedArtifact(client);
      return false;
    }
  }
  if (no_report) {
    switch (ResolveDeathWithNoReport(worker, channel_broken, exit_status, &position,
                                     unfinished_seeds, &input)) {
      case NoReportVerdict::kStop:
        return false;
      case NoReportVerdict::kRestart:
        return true;
      case NoReportVerdict::kCulprit:
        break;
    }
  }

  MutexLock lock(&mutex_);
  FailureKind kind = no_report ? FailureKind::kCrash : ClassifyDeath(death);
  pid_t pid = client.pid();
  // The worker printed libFuzzer's banner itself unless it was killed from outside.
  if (death.killed_for_rss) {
    PrintRssLimitBanner(pid, worker->rss_at_kill_mb, options_.rss_limit_mb);
  } else if (death.killed_for_hang) {
    // The ALARM says how long the input ran (the watchdog waits 2 x timeout + 5 s); the
    // banner names the -timeout it went past, as the worker's own report would.
    PrintTimeoutAlarm(worker->hang_seconds_at_kill, size_t(options_.timeout_sec));
    PrintTimeoutBanner(pid, size_t(options_.timeout_sec));
  } else if (death.killed_while_dying) {
    // Its banner is out already: the report hung after it.
    Printf("INFO: worker %d started reporting a failure but stopped making progress for %lld s "
           "(a corrupted heap can deadlock the report); it was killed\n",
           worker->index, (long long)WorkerPool::kDyingGrace.count());
  } else if (WIFSIGNALED(death.wait_status) && death.slot_kind.empty()) {
    PrintErrorBanner(pid, "deadly signal");
    Printf("INFO: worker %d was killed by signal %d (%s)%s\n", worker->index,
           WTERMSIG(death.wait_status), strsignal(WTERMSIG(death.wait_status)),
           WTERMSIG(death.wait_status) == SIGKILL ? ", possibly by the kernel's OOM killer" : "");
  } else if (no_report) {
    PrintErrorBanner(pid, channel_broken ? "the target broke the worker's channel"
                                         : "fuzz target exited");
  }
  std::string signature = no_report ? NoReportSignature(channel_broken, exit_status)
                                    : CrashSignature(kind, output, death.wait_status);
  bool unique = failures_.Count(signature);
  if (!ran_anything) Printf("INFO: worker %d failed before running any input\n", worker->index);
  const bool keep_going = failures_.KeepGoingAfter(kind);
  if (client.slot().ArtifactAnnounced()) {
    // The worker printed the whole block already; the file is ours to write.
    if (failures_.WriteArtifact(kind, input).empty())
      Printf("ERROR: the artifact above was not written\n");
  } else if (unique || !keep_going) {
    // The worker could not print them. As libFuzzer, the "MS:" line always, the bytes only
    // up to kMaxUnitSizeToPrint (PrintUnitLines' rule).
    if (death.slot_kind.empty()) PrintUnitLines("", "", input.data(), input.size());
    std::string path = failures_.WriteArtifact(kind, input);
    if (!path.empty()) PrintArtifactWritten(failures_.artifact_prefix(), path);
    if (!path.empty() && keep_going && failures_.KeepsUniqueCrashes()) {
      UniqueCrash crash;
      crash.kind = kind;
      crash.signature = signature;
      crash.exit_code =
          ExitCodeFor(kind, death, options_.error_exitcode, options_.timeout_exitcode);
      crash.input = input;
      crash.artifact_path = path;
      failures_.AddUniqueCrash(std::move(crash));
    }
    PrintBase64Line(input.data(), input.size());
  } else {
    Printf("INFO: worker %d found a known failure again (%s); no new artifact\n", worker->index,
           signature.c_str());
  }
  if (kind == FailureKind::kTimeout && death.killed_for_hang)
    PrintSummaryLine("timeout");
  if (kind == FailureKind::kOom && death.killed_for_rss)
    PrintSummaryLine("out-of-memory");
  if (unfinished_seeds) {
    // Its results were lost with the worker: run the chunk again without the input it died
    // on (the slot says which), or all of it if it died before running any.
    if (position < unfinished_seeds->size()) {
      kind_->InputFailed(*this, (*unfinished_seeds)[position].id);
      unfinished_seeds->erase(unfinished_seeds->begin() + ptrdiff_t(position));
    }
    pool_.Requeue(std::move(*unfinished_seeds));
  }
  if (!keep_going) {
    Stop(ExitCodeFor(kind, death, options_.error_exitcode, options_.timeout_exitcode));
    return false;
  }
  pool_.PrepareRestart(worker, corpus_.ActiveInputs());
  return true;
}

bool Coordinator::RecoverFromFailedCall(Worker* worker, CallResult result, const std::string& error,
                                        SeedChunk* unfinished_seeds) {
  bool keep_going = true;
  switch (WorkerPool::DiagnoseFailedCall(worker, result)) {
    case WorkerPool::FailedCall::kDied:
      keep_going = HandleDeath(worker, unfinished_seeds, /*garbled=*/false);
      break;
    case WorkerPool::FailedCall::kGarbageAfterInputs:
      // The target may have written into the worker's pipe. Find out which input does that,
      // as for a death with no report.
      {
        MutexLock lock(&mutex_);
        Printf("ERROR: worker %d (pid %d) %s\n", worker->index, int(worker->client->pid()),
               WorkerPool::OneLineError(error).c_str());
      }
      keep_going = HandleDeath(worker, unfinished_seeds, /*garbled=*/true);
      break;
    case WorkerPool::FailedCall::kGarbage: {
      MutexLock lock(&mutex_);
      Printf("ERROR: worker %d (pid %d) %s; restarting it\n", worker->index,
             int(worker->client->pid()), WorkerPool::OneLineError(error).c_str());
      if (unfinished_seeds) pool_.Requeue(std::move(*unfinished_seeds));
      break;
    }
  }
  DiscardClient(worker);
  return keep_going;
}

}  // namespace fuzzer
