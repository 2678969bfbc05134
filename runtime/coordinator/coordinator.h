// Coordinator: the process the user started, when fuzzing with workers (the default). It
// runs N worker processes (the same binary, re-executed), hands them the seeds, collects the
// inputs that add coverage into the global corpus (written to the output directory) and
// shares them with the other workers, prints libFuzzer's status lines with totals over all
// workers, and turns every worker death (crash, sanitizer report, timeout, RSS limit,
// SIGKILL, leak) into libFuzzer's artifact and exit code, or, when asked to keep going,
// into one artifact per unique crash and a restarted worker.
//
// Include rule for runtime/coordinator/: common/, engine/ (corpus, coverage tables, libFuzzer's
// shared output helpers) and proto/ only; nothing from worker/ or driver/.
//
// Which file owns which state (all in the coordinator process):
//   coordinator.{h,cc}     phases, -runs/-max_total_time budget, monitor thread, status lines
//   run_kinds.cc           what differs between fuzzing and running inputs only (RunKind)
//   worker_pool.{h,cc}     WorkerPool: the worker slots (runs, restarts, watch), chunk queue,
//                          what a failed call means (died, garbage after inputs, garbage)
//   worker_loop.cc         one thread per worker: start, InitRequest, next request, replies
//   worker_failures.cc     a worker's death during a call: classification, lines, restart
//   death_triage.cc        deaths with no report: re-running the last inputs
//   global_corpus.{h,cc}   GlobalCorpus: corpus, cov edges, output dir, features/graph files
//   failure_log.{h,cc}     FailureLog: signatures, unique crashes, artifacts, keep-going policy
//   campaign.cc            -stats_file rows, -max_plateau_time
//   worker_dictionaries.*  WorkerDictionaries: the workers' auto-dictionaries, merged for the
//                          recommended dictionary at the end
//   worker_client.{h,cc}   one worker process's channel (its own lock)
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/common/corpus_dir_watcher.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/mutex.h"
#include "runtime/common/random.h"
#include "runtime/common/span.h"
#include "runtime/common/stats_file.h"
#include "runtime/coordinator/crash_report.h"
#include "runtime/coordinator/failure_log.h"
#include "runtime/coordinator/global_corpus.h"
#include "runtime/coordinator/stderr_forwarder.h"
#include "runtime/coordinator/worker_client.h"
#include "runtime/coordinator/worker_launcher.h"
#include "runtime/coordinator/worker_dictionaries.h"
#include "runtime/coordinator/worker_pool.h"
#include "runtime/engine/dictionary.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {

class Coordinator {
 public:
  // `options` outlive the coordinator; its RNG seeds come from options.seed.
  Coordinator(const FuzzingOptions& options, std::vector<std::string> argv, size_t num_workers);
  ~Coordinator();
  // Starts every worker process and waits until each is serving (so their
  // LLVMFuzzerInitialize output comes before anything the coordinator prints). Returns false,
  // with *exit_code set to the worker's, if a worker fails to start (e.g. Initialize exits).
  bool LaunchWorkers(int* exit_code);
  // Fuzzes until a limit, a signal or (unless keeping going) the first failure; returns the
  // process exit code.
  int Run(const std::vector<SeedFile>& seeds, const std::string& output_dir);

  using InputJob = fuzzer::InputJob;  // worker_pool.h
  using InputResultFn = std::function<void(size_t id, const std::vector<uint32_t>& features)>;
  using InputFailureFn = std::function<void(size_t id)>;
  // Runs every job once in the workers (no fuzzing), as -merge does: each result or failure
  // (crash, timeout, OOM; the worker is restarted and the artifact written) is reported
  // through the callbacks, from worker threads, one at a time. Returns the exit code
  // (0 unless interrupted or the workers cannot start).
  int RunInputsOnly(std::vector<InputJob> jobs, size_t max_len, InputResultFn on_result,
                    InputFailureFn on_failure);
  // -stats_file (owned by the driver): rows from the monitor thread and one at exit.
  void set_stats_file(StatsFile* file) { stats_file_ = file; }
  // The -dict words (before Run; this process's mutation dispatcher holds them, and must
  // outlive the coordinator): the recommended dictionary leaves them out.
  void set_manual_dictionary(const Dictionary* words) { manual_dictionary_ = words; }

 private:
  using Worker = WorkerPool::Worker;
  using SeedChunk = InputChunk;

  // ---- worker threads (worker_loop.cc, worker_failures.cc, death_triage.cc) ----
  void WorkerLoop(Worker* worker) EXCLUDES(mutex_);
  bool StartWorker(Worker* worker) EXCLUDES(mutex_);
  // Starts (or restarts) the worker's process and sends InitRequest; false = stop.
  bool EnsureWorkerStarted(Worker* worker) EXCLUDES(mutex_);
  // Takes the next job for `worker` into *request (a seed chunk into *chunk, or a Fuzz request
  // with *reserved runs of the budget); false when the run stops.
  bool NextRequest(Worker* worker, shoal::proto::Request* request, SeedChunk* chunk,
                   size_t* reserved) EXCLUDES(mutex_);
  // After a call that did not return kOk: tells a dead worker (HandleDeath) from one that
  // talked garbage (error line, restart), and discards the client; false = stop.
  bool RecoverFromFailedCall(Worker* worker, CallResult result, const std::string& error,
                             SeedChunk* unfinished_seeds) EXCLUDES(mutex_);
  void DiscardClient(Worker* worker) EXCLUDES(mutex_);
  // worker_failures.cc: handles a worker that died during a call (or, `garbled`, sent
  // garbage after running inputs); returns false if the run must stop.
  bool HandleDeath(Worker* worker, SeedChunk* unfinished_seeds, bool garbled) EXCLUDES(mutex_);
  // Writes the artifact a dying worker announced ("Test unit written to"), if it did; when
  // keeping going, also the input of a worker that was still reporting its failure.
  void KeepAnnouncedArtifact(WorkerClient& client) REQUIRES(mutex_);
  // Handles the results of chunk[response.first_position()...] (a partial or the final
  // reply); returns the position after the last result handled.
  size_t HandleRunInputsResponse(Worker* worker, const SeedChunk& chunk,
                                 const shoal::proto::RunInputsResponse& response)
      EXCLUDES(mutex_);
  void HandleFuzzResponse(Worker* worker, const shoal::proto::FuzzResponse& response)
      EXCLUDES(mutex_);
  // When a fuzzing run ends normally, asks the worker's process for its auto-dictionary (its
  // last word on it; within the monitor's grace for the last replies).
  void CollectFinalDictionary(Worker* worker) EXCLUDES(mutex_);
  // A worker died with no report of its own (DiedWithNoReport, or garbage after it ran
  // inputs): death_triage.cc. kStop: the run ends; kRestart: the worker is restarted with no
  // artifact (*unfinished_seeds queued again without *position); kCulprit: *culprit is the
  // input that does it again in a fresh worker (and *position its seed, if it was one).
  enum class NoReportVerdict { kStop, kRestart, kCulprit };
  NoReportVerdict ResolveDeathWithNoReport(Worker* worker, bool channel_broken, int exit_status,
                                           uint64_t* position, SeedChunk* unfinished_seeds,
                                           Bytes* culprit) EXCLUDES(mutex_);
  // Drops the input at `position` from *unfinished_seeds, queues the rest again (each input at
  // most kMaxChunkRetries times) and prepares the worker's restart.
  NoReportVerdict RestartWithoutCulprit(Worker* worker, uint64_t position,
                                        SeedChunk* unfinished_seeds) REQUIRES(mutex_);
  // Re-runs `recent` (newest first), each in a fresh worker; the first that ends the same way
  // (same exit code, or a broken channel), or nothing.
  std::optional<Bytes> TriageDeathWithNoReport(const std::vector<Bytes>& recent,
                                               bool channel_broken, int exit_status)
      EXCLUDES(mutex_);
  static std::string NoReportSignature(bool channel_broken, int exit_status);
  // The worker's run count as it reports it, within what is plausible: a count never goes
  // down and never jumps by more than one process can run between two reports (a target
  // that scribbles over the slot or the pipe must not make the totals absurd).
  static uint64_t PlausibleRuns(uint64_t previous, uint64_t reported);
  static double SecondsSince(std::chrono::steady_clock::time_point start);

  // ---- the global corpus, as libFuzzer's lines say it ----
  // Offers an input to the global corpus (corpus_); prints NEW / REDUCE for a fuzzing find
  // (`unit`) it takes, and tells the run's kind what changed (fuzzing shares a new input with
  // the other workers and honours -exit_on_src_pos / -exit_on_item). Returns what changed.
  GlobalCorpus::Change::Kind TakeIntoCorpus(Worker* from, Span<uint8_t> data,
                                            Span<uint32_t> features,
                                            const std::string& mutation_sequence,
                                            const std::string& base_sha1, bool unit,
                                            uint64_t at_run = UINT64_MAX) REQUIRES(mutex_);

  // ---- what differs between fuzzing and running inputs only (run_kinds.cc) ----
  class RunKind;        // defined below the class
  class FuzzingRun;     // Run()
  class InputsOnlyRun;  // RunInputsOnly()
  static std::unique_ptr<RunKind> MakeFuzzingRun();
  static std::unique_ptr<RunKind> MakeInputsOnlyRun(InputResultFn on_result,
                                                    InputFailureFn on_failure);

  // ---- phases, budget, monitor (coordinator.cc) ----
  void MonitorWorkers() EXCLUDES(mutex_);
  void Stop(int exit_code) REQUIRES(mutex_);
  uint64_t TotalRuns() const REQUIRES(mutex_);
  size_t RunBudget() REQUIRES(mutex_);
  // A status line at `runs` (by default the current total), ending in `end` (a NEW or
  // REDUCE line's is UnitLineEnd()); the fields for this kind of run come from kind_.
  void PrintStatus(StatusEvent event, const std::string& end = "\n", uint64_t runs = UINT64_MAX)
      REQUIRES(mutex_);
  void PrintFinalStats() REQUIRES(mutex_);
  // Runs the worker threads and the monitor until the queued inputs ran and the run's kind
  // (kind_) ended the run; then lets the workers exit. Returns the exit code.
  int WaitForJobsAndFinish() EXCLUDES(mutex_);
  // Fuzzing's phases: after the seeds (INITED, the checks, then fuzzing), and at the end
  // (DONE, "Done", stat::, -stats_file, keep-going minimisation).
  void BeginFuzzing() REQUIRES(mutex_);
  void EndFuzzing() EXCLUDES(mutex_);
  // Keep-going runs: minimises each unique crash, within -max_total_time; returns true if
  // SIGINT/SIGTERM interrupted it.
  bool MinimizeUniqueCrashes() EXCLUDES(mutex_);

  // Set before any worker thread starts, constant after.
  const FuzzingOptions& options_;
  std::vector<std::string> argv_;
  size_t max_len_ = 0;
  // Fuzzing or running inputs only, chosen by Run() or RunInputsOnly(). (GlobalCorpus and
  // FailureLog are told about a merge by their own set_merging.)
  std::unique_ptr<RunKind> kind_;
  std::string output_dir_;
  // The in-process engine's RNG state after ordering the seeds: worker 0's start.
  std::optional<Random::State> first_worker_rng_state_;
  std::chrono::steady_clock::time_point start_time_;
  StatsFile* stats_file_ = nullptr;  // -stats_file; written by the monitor, and at the end
  const Dictionary* manual_dictionary_ = &kNoWords;  // -dict's words (not owned)
  static inline const Dictionary kNoWords{};
  // Thread-safe themselves.
  StderrForwarder forwarder_;
  WorkerLauncher launcher_;
  // pool_'s slots, fixed at construction: for starting and joining their threads, and for
  // what each slot's own thread may use without the lock (see WorkerPool::Worker).
  std::vector<Worker*> workers_;
  // -reload: created before the threads; TakeNewFiles() on the monitor thread only, and
  // GlobalCorpus tells it (thread-safe MarkKnown) about the files it writes.
  std::unique_ptr<CorpusDirWatcher> reload_watcher_;
  std::chrono::steady_clock::time_point next_reload_;  // monitor thread only

  mutable Mutex mutex_;
  CondVar changed_;  // signalled (with mutex_) when the queue, a phase or a worker changes
  GlobalCorpus corpus_ GUARDED_BY(mutex_);
  FailureLog failures_ GUARDED_BY(mutex_);
  WorkerPool pool_ GUARDED_BY(mutex_);
  WorkerDictionaries dictionaries_ GUARDED_BY(mutex_);
  bool fuzzing_phase_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  int exit_code_ GUARDED_BY(mutex_) = 0;
  size_t reserved_runs_ GUARDED_BY(mutex_) = 0;
  size_t slowest_unit_sec_ GUARDED_BY(mutex_) = 0;
  // A worker exited with the target's own exit code (the target called _exit): the run ends
  // with that code and prints nothing more, as a single libFuzzer process would.
  bool target_exited_ GUARDED_BY(mutex_) = false;
  // ---- campaign telemetry (campaign.cc) ----
  // When cov or ft last grew (or fuzzing started, if later).
  std::chrono::steady_clock::time_point last_new_coverage_ GUARDED_BY(mutex_);
  StatsRow CollectStatsRow() const REQUIRES(mutex_);
  // -max_plateau_time: whether cov and ft have not grown for that long (then prints why the
  // run stops).
  bool PlateauReached() const REQUIRES(mutex_);
};

// What a run does that depends on its kind: fuzzing (FuzzingRun) or running given inputs once
// each, as -merge does (InputsOnlyRun). Chosen once, before any worker thread starts, so that
// no step of the worker loop, the death handling or the status line asks which kind of run it
// is in; each step calls the one method for its part. Runs in the coordinator, on worker
// threads and the main thread; the methods act on the coordinator `c` and say whether they
// need its lock. Defined in run_kinds.cc.
class Coordinator::RunKind {
 public:
  virtual ~RunKind() = default;
  // The status line's fields that depend on the kind of run ("corp:", "lim:").
  virtual void FillStatus(const Coordinator& c, StatusEvent event, StatusSnapshot* status)
      REQUIRES(c.mutex_) = 0;
  // The global corpus took an input from `from` (`change` is kNew or kReduce).
  virtual void CorpusChanged(Coordinator& c, Worker* from, Span<uint8_t> data,
                             const GlobalCorpus::Change& change) REQUIRES(c.mutex_) = 0;
  // `job` of a RunInputs chunk ran and reached `features` (after the global corpus saw it).
  virtual void InputRan(Coordinator& c, const InputJob& job,
                        const std::vector<uint32_t>& features) REQUIRES(c.mutex_) = 0;
  // Input `id` of a chunk has no result: it killed its worker, or it was skipped after
  // deaths that nobody could pin on one input.
  virtual void InputFailed(Coordinator& c, size_t id) REQUIRES(c.mutex_) = 0;
  // A worker's reply (a partial one too) is handled: a RunInputs or a Fuzz reply.
  virtual void RunInputsReplyHandled(Coordinator& c) REQUIRES(c.mutex_) = 0;
  virtual void FuzzReplyHandled(Coordinator& c) REQUIRES(c.mutex_) = 0;
  // Every queued input ran and every worker started (the run is not stopping).
  virtual void AllInputsRan(Coordinator& c) REQUIRES(c.mutex_) = 0;
  // The monitor returned (every worker thread is done); the workers have not exited yet.
  virtual void Finish(Coordinator& c) EXCLUDES(c.mutex_) = 0;
};

}  // namespace fuzzer
