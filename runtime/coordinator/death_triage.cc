// Coordinator: what to make of a worker that died with no report of its own (DiedWithNoReport,
// or garbage in its pipe after it ran inputs). Nothing says which input did it, and the slot
// holds whatever ran last, which is often not the culprit: the default run behaves as a
// libFuzzer process would on the target's _exit(N); otherwise the worker's last inputs are
// re-run, each alone in a fresh worker (Centipede's batch triage), and only an input that
// does it again is kept. Runs in the coordinator, on the dead worker's thread.
#include <sys/wait.h>

#include <string>

#include "runtime/common/frame_channel.h"
#include "runtime/common/log.h"
#include "runtime/coordinator/coordinator.h"
#include "runtime/coordinator/worker_session.h"

namespace fuzzer {
namespace {

constexpr uint32_t kMaxChunkRetries = 3;

// The position of the job whose bytes are `input` (files read up to max_len), or npos.
size_t FindJobWithBytes(const std::vector<Coordinator::InputJob>& jobs, const Bytes& input,
                        size_t max_len) {
  for (size_t i = 0; i < jobs.size(); i++) {
    Bytes bytes;
    if (jobs[i].path.empty()) {
      bytes.assign(jobs[i].data.begin(),
                   jobs[i].data.begin() + ptrdiff_t(std::min(jobs[i].data.size(), max_len)));
    } else if (!ReadFile(jobs[i].path, &bytes, max_len)) {
      continue;
    }
    if (bytes == input) return i;
  }
  return std::string::npos;
}

}  // namespace

std::string Coordinator::NoReportSignature(bool channel_broken, int exit_status) {
  return channel_broken ? "crash-broken-channel" : "crash-exit-" + std::to_string(exit_status);
}

std::optional<Bytes> Coordinator::TriageDeathWithNoReport(const std::vector<Bytes>& recent,
                                                          bool channel_broken, int exit_status) {
  // Newest first: the input it was running is the likeliest. Each runs alone in a fresh
  // worker, so no earlier input's damage (closed descriptors, a scribbled heap) carries over.
  for (const Bytes& input : recent) {
    {
      MutexLock lock(&mutex_);
      if (stopping_) return std::nullopt;
    }
    WorkerSession session(options_, argv_, max_len_, options_.seed, /*quiet=*/true);
    WorkerOutcome outcome = session.RunInput(input);
    if (outcome.wait_status == -1) continue;  // it answered: not this input
    const bool exited = WIFEXITED(outcome.wait_status);
    const int status = exited ? WEXITSTATUS(outcome.wait_status) : -1;
    const bool same =
        channel_broken
            // Garbage instead of an answer, or the worker saying its channel broke.
            ? (outcome.broken && !outcome.died) || status == kWorkerChannelBrokenExitCode
            : exited && status == exit_status;
    if (same) return input;
  }
  return std::nullopt;
}

Coordinator::NoReportVerdict Coordinator::RestartWithoutCulprit(Worker* worker,
                                                                uint64_t position,
                                                                SeedChunk* unfinished_seeds) {
  if (unfinished_seeds) {
    // The input it was running may do the same on every try: it is not queued again.
    if (position < unfinished_seeds->size())
      unfinished_seeds->erase(unfinished_seeds->begin() + ptrdiff_t(position));
    // A chunk that keeps breaking workers with no input to blame would be queued forever
    // (the budget only counts once fuzzing starts): after a few tries its inputs are
    // skipped, and said so.
    SeedChunk retry;
    for (InputJob& job : *unfinished_seeds) {
      if (++job.retries <= kMaxChunkRetries) {
        retry.push_back(std::move(job));
        continue;
      }
      if (!job.path.empty())
        Printf("INFO: skipping '%s': workers running it died %u times with no report\n",
               job.path.c_str(), job.retries);
      kind_->InputFailed(*this, job.id);  // a merge records it as not finished
    }
    pool_.Requeue(std::move(retry));
  }
  pool_.PrepareRestart(worker, corpus_.ActiveInputs());
  return NoReportVerdict::kRestart;
}

Coordinator::NoReportVerdict Coordinator::ResolveDeathWithNoReport(
    Worker* worker, bool channel_broken, int exit_status, uint64_t* position,
    SeedChunk* unfinished_seeds, Bytes* culprit) {
  WorkerClient& client = *worker->client;
  const pid_t pid = client.pid();
  const std::string what = channel_broken ? "broke its channel to the coordinator"
                                          : "exited with code " + std::to_string(exit_status);
  const std::string signature = NoReportSignature(channel_broken, exit_status);
  {
    MutexLock lock(&mutex_);
    const bool keep_going = failures_.KeepGoingAfter(FailureKind::kCrash);
    if (!channel_broken && !keep_going) {
      // The target called _exit(N): a libFuzzer process would be gone with code N, printing
      // nothing more and writing no artifact; so is this run (ClusterFuzz reads the code and
      // files no reproducer).
      Printf("INFO: worker %d (pid %d) exited with code %d while running an input and "
             "reported nothing (the target called _exit?); exiting with its code, as "
             "libFuzzer does\n",
             worker->index, int(pid), exit_status);
      target_exited_ = true;
      Stop(exit_status);
      return NoReportVerdict::kStop;
    }
    if (keep_going && failures_.Known(signature)) {
      failures_.Count(signature);
      Printf("INFO: worker %d (pid %d) %s again; no new artifact\n", worker->index, int(pid),
             what.c_str());
      return RestartWithoutCulprit(worker, *position, unfinished_seeds);
    }
  }
  const std::vector<Bytes> recent = client.slot().Recent();  // copied out of the slot once
  std::optional<Bytes> found = TriageDeathWithNoReport(recent, channel_broken,
                                                       exit_status);
  MutexLock lock(&mutex_);
  if (stopping_) return NoReportVerdict::kStop;
  if (!found) {
    Printf("INFO: worker %d (pid %d) %s and reported nothing; none of its last %zd inputs "
           "does it again in a fresh worker, so no artifact is written; restarting it\n",
           worker->index, int(pid), what.c_str(), recent.size());
    return RestartWithoutCulprit(worker, *position, unfinished_seeds);
  }
  *culprit = std::move(*found);
  // A worker that answered before its garbage was noticed had left its seed chunk's last
  // position: find the seed by its bytes, so it is not queued again.
  if (unfinished_seeds && *position >= unfinished_seeds->size())
    *position = FindJobWithBytes(*unfinished_seeds, *culprit, max_len_);
  Printf("INFO: worker %d (pid %d) %s on this input (it does so again in a fresh worker)\n",
         worker->index, int(pid), what.c_str());
  return NoReportVerdict::kCulprit;
}

}  // namespace fuzzer
