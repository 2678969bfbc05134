// Implements coordinator.h: the run's phases (seeds, INITED, fuzzing, the end), its budget
// (-runs, -max_total_time, stop file, plateau), the monitor thread (signals, the worker pool's
// watch, -reload, -stats_file) and libFuzzer's status and final lines.
// The worker threads' side is worker_loop.cc; failures are worker_failures.cc and
// death_triage.cc. Runs in the coordinator process.
#include "runtime/coordinator/coordinator.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "runtime/common/encoding.h"
#include "runtime/common/files.h"
#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
namespace {

constexpr int kInterruptExitCode = 72;
// Once the run stops (a limit, a signal, a failure), workers get this long to answer their
// last request; then they are killed, so the run always ends close to its budget.
constexpr auto kStopGrace = std::chrono::seconds(3);

// Set by the coordinator's signal handlers, read by its monitor loop: handlers take no context.
std::atomic<int> pending_signal{0};

void RecordSignal(int signum) { pending_signal.store(signum); }

void InstallCoordinatorSignalHandlers(const FuzzingOptions& options) {
  signal(SIGPIPE, SIG_IGN);  // a dead worker's pipe is EPIPE, handled as "worker gone"
  struct sigaction action = {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = RecordSignal;
  if (options.handle.interrupt) sigaction(SIGINT, &action, nullptr);
  if (options.handle.term) sigaction(SIGTERM, &action, nullptr);
  if (options.handle.usr1) sigaction(SIGUSR1, &action, nullptr);
  if (options.handle.usr2) sigaction(SIGUSR2, &action, nullptr);
}

}  // namespace

double Coordinator::SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Coordinator::Coordinator(const FuzzingOptions& options, std::vector<std::string> argv,
                         size_t num_workers)
    : options_(options),
      argv_(std::move(argv)),
      start_time_(std::chrono::steady_clock::now()),
      corpus_(options),
      failures_(options),
      pool_(num_workers) {
  for (size_t i = 0; i < num_workers; i++) workers_.push_back(pool_.worker(i));
}

Coordinator::~Coordinator() {
  for (auto& worker : workers_)
    if (worker->thread.joinable()) worker->thread.join();
}

uint64_t Coordinator::TotalRuns() const { return pool_.TotalRuns(); }

size_t Coordinator::RunBudget() {
  if (options_.runs < 0) return 0;  // unlimited
  uint64_t done = TotalRuns() + reserved_runs_;
  if (done >= uint64_t(options_.runs)) return SIZE_MAX;  // nothing left
  size_t left = size_t(uint64_t(options_.runs) - done);
  return std::max<size_t>(1, left / pool_.size());
}

void Coordinator::PrintStatus(StatusEvent event, const std::string& end, uint64_t runs) {
  if (options_.verbosity <= 0) return;
  const Corpus& corpus = corpus_.corpus();
  size_t peak_rss = std::max(PeakRssMb(), pool_.PeakRssMb());
  if (runs == UINT64_MAX) runs = TotalRuns();
  double seconds = SecondsSince(start_time_);
  StatusSnapshot status;
  status.runs = runs;
  status.covered_edges = corpus_.num_covered_edges();
  status.features = corpus.NumFeatures();
  status.corpus_units = corpus.NumActiveInputs();
  status.corpus_bytes = corpus.TotalActiveBytes();
  status.inputs_touching_focus = corpus.NumInputsThatTouchFocusFunction();
  status.execs_per_second = seconds >= 1 ? size_t(double(runs) / seconds) : 0;
  status.peak_rss_mb = peak_rss;
  kind_->FillStatus(*this, event, &status);  // corp:, lim:
  RawPrint(FormatStatusLine(event, status, end.c_str()).c_str());
}

void Coordinator::PrintFinalStats() {
  // before the stats
  if (corpus_.coverage_report()) corpus_.coverage_report()->PrintAsFlagged(options_);
  if (options_.print_corpus_stats) {
    Corpus& corpus = corpus_.corpus();
    for (size_t i = 0; i < corpus.size(); i++) {
      const InputInfo& input = corpus[i];
      GlobalCorpus::MutationCounts counts = corpus_.MutationCountsOf(input.sha1);
      PrintCorpusStatsLine(i, input.sha1, input.bytes.size(), counts.executed, counts.successful,
                           input.touches_focus_function);
    }
  }
  if (!options_.print_final_stats) return;
  const double seconds = SecondsSince(start_time_);
  FinalStats stats;
  stats.runs = TotalRuns();
  stats.execs_per_second = seconds >= 1 ? size_t(double(TotalRuns()) / seconds) : 0;
  stats.new_units_added = corpus_.units_added();
  stats.slowest_unit_seconds = slowest_unit_sec_;
  stats.peak_rss_mb = std::max(PeakRssMb(), pool_.PeakRssMb());
  // Shoal's own lines, only where failures do not end the run (libFuzzer prints five).
  stats.show_crashes = options_.final_stats_show_crashes;
  stats.crashes = failures_.crashes();
  stats.unique_crashes = failures_.unique_signatures();
  char text[kFinalStatsBufferSize];
  FormatFinalStats(stats, text, sizeof(text));
  RawPrint(text);
}

void Coordinator::Stop(int exit_code) {
  if (!stopping_) exit_code_ = exit_code;
  stopping_ = true;
  changed_.NotifyAll();
  forwarder_.Wake();  // the monitor acts on the stop now, not after its poll timeout
}

void Coordinator::MonitorWorkers() {
  auto last_check = std::chrono::steady_clock::now();
  bool interrupted = false;
  bool graceful = false;
  for (;;) {
    forwarder_.PollOnce(50);
    int signum = pending_signal.exchange(0);
    MutexLock lock(&mutex_);
    if (signum == SIGINT || signum == SIGTERM) {
      interrupted = true;
      Stop(kInterruptExitCode);
    } else if (signum == SIGUSR1 || signum == SIGUSR2) {
      PrintGracefulExitRequested();
      graceful = true;
      Stop(0);
    }
    if (!stopping_ && fuzzing_phase_) {
      if (options_.max_total_time_sec > 0 &&
          SecondsSince(start_time_) >= double(options_.max_total_time_sec))
        Stop(0);
      if (options_.runs >= 0 && TotalRuns() >= uint64_t(options_.runs)) Stop(0);
      if (options_.stop_file && access(options_.stop_file->c_str(), F_OK) == 0) Stop(0);
      if (PlateauReached()) Stop(0);  // -max_plateau_time
    }
    if (stopping_) {
      // After a failure or a signal, nothing running is needed; after a limit, the last
      // requests (at most kFuzzRequestMs) finish so their finds are kept.
      if (interrupted || exit_code_ != 0 || target_exited_) pool_.KillAll(/*only_busy=*/false);
      lock.Unlock();
      // Keep forwarding output until every worker thread is done: one may be waiting for
      // the last lines of its dead worker (HandleDeath), which only this loop delivers.
      // A worker that has not answered within the grace is killed (hung, or deadlocked in
      // its own death path), so that the run ends close to its budget whatever the target.
      const auto grace_end = std::chrono::steady_clock::now() + kStopGrace;
      bool killed_stragglers = false;
      for (;;) {
        bool all_done = true;
        for (Worker* worker : workers_)
          all_done = all_done && (!worker->thread.joinable() || worker->thread_done.load());
        if (all_done) break;
        forwarder_.PollOnce(10);
        if (!killed_stragglers && std::chrono::steady_clock::now() >= grace_end) {
          killed_stragglers = true;
          MutexLock relock(&mutex_);
          pool_.KillAll(/*only_busy=*/true);
        }
      }
      for (Worker* worker : workers_)
        if (worker->thread.joinable()) worker->thread.join();
      if (interrupted) PrintRunInterrupted(getpid());
      if (graceful) PrintExitingAsRequested(getpid());
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_check < std::chrono::milliseconds(250)) continue;
    last_check = now;
    pool_.Watch(now, long(options_.rss_limit_mb), long(options_.timeout_sec));
    if (reload_watcher_ && fuzzing_phase_ && now >= next_reload_) {
      // -reload: what other processes put into the output corpus runs like a seed chunk.
      next_reload_ = now + std::chrono::seconds(options_.reload_sec);
      lock.Unlock();
      std::vector<SizedFile> fresh = reload_watcher_->TakeNewFiles();
      lock.Lock();
      if (!fresh.empty() && !stopping_) {
        std::vector<InputJob> jobs;
        for (SizedFile& file : fresh)
          jobs.push_back(InputJob{jobs.size(), std::move(file.path), file.size, {}, true});
        pool_.Queue(std::move(jobs), max_len_);
        changed_.NotifyAll();
      }
    }
    if (stats_file_ && stats_file_->Due(now)) {  // -stats_file: written outside the lock
      StatsRow row = CollectStatsRow();
      lock.Unlock();
      stats_file_->Append(row);
      lock.Lock();
    }
  }
}

int Coordinator::Run(const std::vector<SeedFile>& seeds, const std::string& output_dir) {
  kind_ = MakeFuzzingRun();
  output_dir_ = output_dir;
  if (!SetUpFocusFunction(options_)) return 1;
  if (options_.reload_sec > 0 && !output_dir.empty()) {
    reload_watcher_ = std::make_unique<CorpusDirWatcher>(output_dir);
    for (const SeedFile& seed : seeds) reload_watcher_->MarkKnown(seed.path);
    next_reload_ = std::chrono::steady_clock::now() + std::chrono::seconds(options_.reload_sec);
  }
  InstallCoordinatorSignalHandlers(options_);
  max_len_ = ChooseMaxLen(options_, seeds);
  // Seeds, in libFuzzer's order.
  PrintSeedCorpusInfo(seeds);
  std::vector<InputJob> jobs;
  if (seeds.empty()) {
    jobs.push_back(InputJob{0, "", 1, Bytes{'\n'}});
  } else {
    Random rand(options_.seed);
    for (const SeedFile& seed : OrderSeeds(seeds, options_, &rand))
      jobs.push_back(InputJob{jobs.size(), seed.path, seed.size, {}});
    first_worker_rng_state_ = rand.state();
  }
  {
    MutexLock lock(&mutex_);
    corpus_.SetOutputDir(output_dir, reload_watcher_.get());
    if (options_.print_coverage || options_.print_full_coverage) corpus_.EnableCoverageReport();
    pool_.Queue(std::move(jobs), max_len_);
  }
  if (options_.fork_mode)  // the line libFuzzer's fork mode prints; tools look for it
    Printf("INFO: -fork=%lld: fuzzing in separate process(s)\n", (long long)options_.fork);
  Printf("INFO: fuzzing with %zd worker process(es)\n", workers_.size());
  return WaitForJobsAndFinish();
}

bool Coordinator::MinimizeUniqueCrashes() {
  std::vector<UniqueCrash> crashes;
  std::string artifact_prefix;
  {
    MutexLock lock(&mutex_);
    if (exit_code_ != 0) return false;
    crashes = failures_.CrashesToMinimize();
    artifact_prefix = failures_.artifact_prefix();
  }
  // -max_total_time bounds the whole run, minimisation included.
  auto budget_end = std::chrono::steady_clock::time_point::max();
  if (options_.max_total_time_sec > 0)
    budget_end = start_time_ + std::chrono::seconds(options_.max_total_time_sec);
  return fuzzer::MinimizeUniqueCrashes(
      options_, argv_, max_len_, options_.seed + 1, crashes, artifact_prefix, budget_end,
      [] { return pending_signal.load() == SIGINT || pending_signal.load() == SIGTERM; },
      [this](const std::string& artifact, const std::string& minimized, size_t size) {
        MutexLock lock(&mutex_);
        failures_.RecordMinimizedCrash(artifact, minimized, size);
      });
}

int Coordinator::RunInputsOnly(std::vector<InputJob> jobs, size_t max_len, InputResultFn on_result,
                               InputFailureFn on_failure) {
  kind_ = MakeInputsOnlyRun(std::move(on_result), std::move(on_failure));
  InstallCoordinatorSignalHandlers(options_);
  max_len_ = max_len;
  {
    MutexLock lock(&mutex_);
    corpus_.set_merging();
    failures_.set_merging();
    pool_.Queue(std::move(jobs), max_len_);
  }
  return WaitForJobsAndFinish();
}

void Coordinator::BeginFuzzing() {
  PrintStatus(StatusEvent::kInited);
  PrintFocusFunctionTouches(options_, corpus_.corpus());
  if (corpus_.corpus().empty() && options_.runs != 0) {
    PrintNoInterestingInputs();
    Stop(1);
  } else if (options_.runs == 0) {
    Stop(0);
  } else {
    fuzzing_phase_ = true;
    last_new_coverage_ = std::chrono::steady_clock::now();  // counted from here on
    changed_.NotifyAll();
  }
}

void Coordinator::EndFuzzing() {
  {
    MutexLock lock(&mutex_);
    if (exit_code_ == 0 && !target_exited_ && (fuzzing_phase_ || options_.runs == 0)) {
      PrintStatus(StatusEvent::kDone);
      // What the workers learned (CollectFinalDictionary), where the engine prints it.
      std::string recommended =
          FormatRecommendedDictionary(dictionaries_.Merged(), *manual_dictionary_);
      if (!recommended.empty()) RawPrint(recommended.c_str());
      PrintDoneLine(TotalRuns(), size_t(SecondsSince(start_time_)));
    }
    if (!target_exited_) PrintFinalStats();
    if (stats_file_) stats_file_->Append(CollectStatsRow());  // agrees with stat::
  }
  if (pending_signal.load() == 0 && MinimizeUniqueCrashes()) {
    MutexLock lock(&mutex_);
    PrintRunInterrupted(getpid());
    exit_code_ = kInterruptExitCode;
  }
}

int Coordinator::WaitForJobsAndFinish() {
  for (Worker* worker : workers_) {
    worker->thread_done.store(false);
    worker->thread = std::thread([this, worker] {
      WorkerLoop(worker);
      worker->thread_done.store(true);
    });
  }
  // Wait for the seeds, then print INITED and start fuzzing.
  std::thread monitor([this] { MonitorWorkers(); });
  {
    MutexLock lock(&mutex_);
    // Every worker has started, too: its counted empty-input run belongs before INITED and
    // inside the -runs budget, as in a single libFuzzer process.
    while (!stopping_ && !(pool_.Idle() && pool_.AllInitialized()))
      changed_.Wait(&mutex_);
    if (!stopping_) kind_->AllInputsRan(*this);  // fuzzing starts, or the run ends
  }
  monitor.join();
  kind_->Finish(*this);
  // Workers exit now (after libFuzzer's last lines, as its at-exit leak report would come).
  // Every worker thread is done: the lock is only for the analysis.
  for (Worker* worker : workers_) {
    if (!worker->client) continue;
    worker->client->Close();
    // A worker that failed while the run was stopping may have printed its artifact line.
    MutexLock lock(&mutex_);
    if (exit_code_ != 0) KeepAnnouncedArtifact(*worker->client);
  }
  for (Worker* worker : workers_)
    for (int i = 0; i < 100 && !forwarder_.WaitForEof(worker->index, 0); i++)
      forwarder_.PollOnce(10);
  MutexLock lock(&mutex_);
  // A worker that failed while exiting (e.g. LeakSanitizer's report at exit with
  // -detect_leaks=0) fails the run, as the single libFuzzer process would.
  if (exit_code_ == 0)
    for (Worker* worker : workers_)
      if (worker->client && WIFEXITED(worker->client->wait_status()) &&
          WEXITSTATUS(worker->client->wait_status()) != 0)
        exit_code_ = WEXITSTATUS(worker->client->wait_status());
  corpus_.files().DiscardSpares();  // the run's only way out (-exit_on_* discards its own)
  return exit_code_;
}

}  // namespace fuzzer
