// Implements coordinator.h. Runs in the coordinator process.
#include "runtime/coordinator/coordinator.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/common/encoding.h"
#include "runtime/common/files.h"
#include "runtime/common/feature_files.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/log.h"
#include "runtime/common/mutation_graph.h"
#include "runtime/common/process.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/crash_tools.h"
#include "runtime/coordinator/worker_session.h"

namespace fuzzer {
namespace {

constexpr size_t kFuzzRequestMs = 200;
constexpr size_t kMaxSeedChunkInputs = 256;
constexpr size_t kMaxSeedChunkBytes = 8 << 20;
constexpr size_t kMaxStartFailures = 3;
constexpr int kInterruptExitCode = 72;
// Once the run stops (a limit, a signal, a failure), workers get this long to answer their
// last request; then they are killed, so the run always ends close to its budget.
constexpr auto kStopGrace = std::chrono::seconds(3);
// The other workers' finds sent with one Fuzz request (the rest wait for the next one), so
// that a restarted worker's catch-up never makes a request near the frame limit.
constexpr size_t kMaxSharedBytesPerRequest = 8 << 20;
// No worker process runs more inputs than this between two reports (200 ms apart).
constexpr uint64_t kMaxRunsPerReport = uint64_t(1) << 32;

// Set by the coordinator's signal handlers, read by its monitor loop: handlers take no context.
std::atomic<int> pending_signal{0};

void RecordSignal(int signum) { pending_signal.store(signum); }

void InstallCoordinatorSignalHandlers(const Flags& flags) {
  signal(SIGPIPE, SIG_IGN);  // a dead worker's pipe is EPIPE, handled as "worker gone"
  struct sigaction action = {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = RecordSignal;
  if (flags.handle_int) sigaction(SIGINT, &action, nullptr);
  if (flags.handle_term) sigaction(SIGTERM, &action, nullptr);
  if (flags.handle_usr1) sigaction(SIGUSR1, &action, nullptr);
  if (flags.handle_usr2) sigaction(SIGUSR2, &action, nullptr);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Coordinator::Coordinator(const Flags& flags, std::vector<std::string> argv, size_t num_workers,
                         unsigned seed)
    : flags_(flags),
      argv_(std::move(argv)),
      seed_(seed),
      start_time_(std::chrono::steady_clock::now()),
      corpus_(EntropicOptions{false, 0, 0, false}) {
  artifact_prefix_ = flags.artifact_prefix ? flags.artifact_prefix : "./";
  for (size_t i = 0; i < num_workers; i++) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->index = int(i);
  }
}

Coordinator::~Coordinator() {
  for (auto& worker : workers_)
    if (worker->thread.joinable()) worker->thread.join();
}

uint64_t Coordinator::PlausibleRuns(uint64_t previous, uint64_t reported) {
  if (reported < previous || reported - previous > kMaxRunsPerReport) return previous;
  return reported;
}

bool Coordinator::CrossedPulse(uint64_t runs) {
  bool crossed = false;
  // The bound keeps the doubling from overflowing (and spinning) on any count.
  for (; next_pulse_ <= runs && next_pulse_ <= (UINT64_MAX >> 1); next_pulse_ *= 2) crossed = true;
  return crossed;
}

uint64_t Coordinator::TotalRuns() const {
  uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->runs_of_previous_processes + worker->runs;
  return total;
}

size_t Coordinator::RunBudget() {
  if (flags_.runs < 0) return 0;  // unlimited
  uint64_t done = TotalRuns() + reserved_runs_;
  if (done >= uint64_t(flags_.runs)) return SIZE_MAX;  // nothing left
  size_t left = size_t(uint64_t(flags_.runs) - done);
  return std::max<size_t>(1, left / workers_.size());
}

bool Coordinator::AnyFailureIsSurvived() const {
  for (FailureKind kind :
       {FailureKind::kCrash, FailureKind::kTimeout, FailureKind::kOom, FailureKind::kLeak})
    if (KeepGoingAfter(kind)) return true;
  return false;
}

bool Coordinator::KeepGoingAfter(FailureKind kind) const {
  if (flags_.keep_going || inputs_only_) return true;
  // libFuzzer's fork mode ignores timeouts and OOMs by default; without -fork only an
  // explicit -ignore_* flag does.
  bool fork_mode = flags_.fork > 0;
  switch (kind) {
    case FailureKind::kTimeout:
      return flags_.IsSet("ignore_timeouts") || fork_mode ? flags_.ignore_timeouts != 0 : false;
    case FailureKind::kOom:
      return flags_.IsSet("ignore_ooms") || fork_mode ? flags_.ignore_ooms != 0 : false;
    case FailureKind::kCrash:
    case FailureKind::kLeak:
      return flags_.ignore_crashes != 0;
  }
  return false;
}

void Coordinator::PrintStatus(const char* where, const std::string& suffix, uint64_t runs) {
  if (flags_.verbosity <= 0) return;
  size_t peak_rss = PeakRssMb();
  size_t length_limit = 0;
  for (const auto& worker : workers_) {
    peak_rss = std::max(peak_rss, worker->peak_rss_mb);
    length_limit = std::max(length_limit, worker->length_limit);
  }
  if (runs == UINT64_MAX) runs = TotalRuns();
  double seconds = SecondsSince(start_time_);
  char line[512];
  int n = snprintf(line, sizeof(line), "#%llu\t%s", (unsigned long long)runs, where);
  if (num_covered_edges_)
    n += snprintf(line + n, sizeof(line) - size_t(n), " cov: %zd", num_covered_edges_);
  if (corpus_.NumFeatures())
    n += snprintf(line + n, sizeof(line) - size_t(n), " ft: %zd", corpus_.NumFeatures());
  if (!corpus_.empty() && !inputs_only_)
    n += snprintf(line + n, sizeof(line) - size_t(n), " corp: %zd/%s", corpus_.NumActiveInputs(),
                  FormatSize(corpus_.TotalActiveBytes()).c_str());
  if (size_t focus = corpus_.NumInputsThatTouchFocusFunction())
    n += snprintf(line + n, sizeof(line) - size_t(n), " focus: %zd", focus);
  if (!length_limit && !strcmp(where, "DONE  ") && !inputs_only_)
    // No worker fuzzed (e.g. -runs=0): the limit they would have started from.
    length_limit = flags_.len_control
                       ? std::min(max_len_, std::max<size_t>(4, corpus_.MaxInputSize()))
                       : max_len_;
  if ((fuzzing_phase_ || (!strcmp(where, "DONE  ") && !inputs_only_)) && length_limit)
    n += snprintf(line + n, sizeof(line) - size_t(n), " lim: %zd", length_limit);
  snprintf(line + n, sizeof(line) - size_t(n), " exec/s: %zd rss: %zdMb%s\n",
           seconds >= 1 ? size_t(double(runs) / seconds) : 0, peak_rss, suffix.c_str());
  RawPrint(line);
}

void Coordinator::PrintFinalStats() {
  if (coverage_report_) coverage_report_->PrintAsFlagged(flags_);  // before the stats
  if (flags_.print_corpus_stats) {
    for (size_t i = 0; i < corpus_.size(); i++) {
      const InputInfo& input = corpus_[i];
      auto counts = mutation_counts_.find(input.sha1);
      bool known = counts != mutation_counts_.end();
      PrintCorpusStatsLine(i, input.sha1, input.bytes.size(), known ? counts->second.executed : 0,
                           known ? counts->second.successful : 0, input.touches_focus_function);
    }
  }
  if (!flags_.print_final_stats) return;
  double seconds = SecondsSince(start_time_);
  size_t peak_rss = PeakRssMb();
  for (const auto& worker : workers_) peak_rss = std::max(peak_rss, worker->peak_rss_mb);
  Printf("stat::number_of_executed_units: %llu\n", (unsigned long long)TotalRuns());
  Printf("stat::average_exec_per_sec:     %zd\n",
         seconds >= 1 ? size_t(double(TotalRuns()) / seconds) : 0);
  Printf("stat::new_units_added:          %zd\n", new_units_added_);
  Printf("stat::slowest_unit_time_sec:    %zd\n", slowest_unit_sec_);
  Printf("stat::peak_rss_mb:              %zd\n", peak_rss);
  // Shoal's own lines, only where failures do not end the run (libFuzzer prints five).
  if (flags_.keep_going || flags_.ignore_crashes || flags_.fork > 0) {
    Printf("stat::crashes:                  %zd\n", crashes_);
    Printf("stat::unique_crashes:           %zd\n", crash_signatures_.size());
  }
}

void Coordinator::Stop(int exit_code) {
  if (!stopping_) exit_code_ = exit_code;
  stopping_ = true;
  changed_.notify_all();
  forwarder_.Wake();  // the monitor acts on the stop now, not after its poll timeout
}

std::vector<uintptr_t> Coordinator::MarkCoveredEdges(const std::vector<uint32_t>& features,
                                                    uint64_t num_counters) {
  // "cov:" counts distinct edges: features below num_counters*8 are edge x bucket.
  std::vector<uintptr_t> new_pcs;
  for (uint32_t feature : features) {
    uint64_t edge = flags_.use_counters ? feature / 8 : feature;
    if (edge >= num_counters) continue;
    if (covered_edges_.size() <= edge) covered_edges_.resize(edge + 1);
    if (!covered_edges_[edge]) {
      covered_edges_[edge] = 1;
      num_covered_edges_++;
      // Edges are counter indices, the same in this process: its PC table names the PC.
      if (flags_.exit_on_src_pos) new_pcs.push_back(Coverage().PcOfCounter(edge));
    }
  }
  return new_pcs;
}

Coordinator::CorpusChange Coordinator::AddToGlobalCorpus(Worker* from, const Bytes& data,
                                                        const std::vector<uint32_t>& features,
                                                        const std::string& mutation_sequence,
                                                        const std::string& base_sha1, bool print,
                                                        uint64_t at_run) {
  std::vector<uint32_t> new_features;
  std::vector<uintptr_t> new_pcs;
  for (uint32_t feature : features)
    if (corpus_.AddFeature(feature, uint32_t(data.size()), flags_.shrink != 0))
      new_features.push_back(feature);
  const char* what = nullptr;
  if (!new_features.empty()) {
    last_new_coverage_ = std::chrono::steady_clock::now();
    new_pcs = MarkCoveredEdges(new_features, from ? from->num_counters : 0);
    InputInfo* added = corpus_.AddInput(data.data(), data.size(), new_features, print, false, 0);
    if (flags_.features_dir && !inputs_only_)
      WriteFeatureFile(flags_.features_dir, added->sha1, added->unique_features);
    // -focus_function: the worker's features say whether the input entered it.
    const size_t focus_edge = Coverage().FocusFunctionEdge();
    if (focus_edge != SIZE_MAX &&
        std::any_of(features.begin(), features.end(), [&](uint32_t feature) {
          return (flags_.use_counters ? feature / 8 : feature) == focus_edge;
        }))
      corpus_.MarkTouchesFocusFunction(added);
    if (coverage_report_) coverage_report_->AddCorpusInput(features);
    what = "NEW   ";
  } else if (!base_sha1.empty() && flags_.reduce_inputs) {
    // A worker's REDUCE: replace the global input it came from if this one is smaller and
    // still reaches every feature that input is the only carrier of.
    InputInfo* input = corpus_.FindActive(base_sha1);
    if (input && input->bytes.size() > data.size()) {
      std::vector<uint32_t> sorted = features;
      std::sort(sorted.begin(), sorted.end());
      if (std::includes(sorted.begin(), sorted.end(), input->unique_features.begin(),
                        input->unique_features.end())) {
        std::string old_sha1 = corpus_.Replace(input, data.data(), data.size());
        if (flags_.features_dir) RenameFeatureFile(flags_.features_dir, old_sha1, input->sha1);
        what = "REDUCE";
      }
    }
  }
  if (!what) return CorpusChange::kNone;
  if (print) new_units_added_++;  // seeds are not "new units", as in libFuzzer
  for (const std::string& path : corpus_.TakeEvictedFiles()) RemoveFile(path);
  if (print) {
    if (!output_dir_.empty()) {
      std::string path = JoinPath(output_dir_, Sha1Hex(data.data(), data.size()));
      if (reload_watcher_) reload_watcher_->MarkKnown(path);
      if (!WriteFileAtomically(path, data.data(), data.size()) && !corpus_write_failed_) {
        corpus_write_failed_ = true;
        Printf("WARNING: failed to write the corpus file '%s' (%s); new units stay in memory "
               "only and are lost at exit (this warning is not repeated)\n",
               path.c_str(), strerror(errno));
      }
    }
    char size_part[64];
    snprintf(size_part, sizeof(size_part), " L: %zd/%zd ", data.size(), corpus_.MaxInputSize());
    PrintStatus(what, size_part + mutation_sequence, at_run);
  }
  // Other workers fuzz with it too (merges only run inputs: nothing to share).
  if (what[0] == 'N' && !inputs_only_)
    for (auto& worker : workers_)
      if (worker.get() != from) worker->pending.push_back(data);
  if (!inputs_only_) {
    // Once the unit is written, as libFuzzer checks after reporting new coverage.
    ExitIfSourcePositionReached(flags_, new_pcs);
    ExitIfItemInCorpus(flags_, corpus_);
  }
  return what[0] == 'N' ? CorpusChange::kNew : CorpusChange::kReduce;
}

void Coordinator::DiscardClient(Worker* worker) {
  std::unique_ptr<WorkerClient> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);  // the monitor reads worker->client under it
    old = std::move(worker->client);
    worker->initialized = false;
  }
  // Destroyed outside the lock: Close() may wait for the process.
}

bool Coordinator::StartWorker(Worker* worker) {
  WorkerLaunchOptions options;
  // SHOAL_WORKER_EXECUTABLE runs workers through another program (a debugging wrapper, or a
  // misbehaving fake worker in tests); by default the fuzz target re-executes itself.
  if (const char* executable = getenv("SHOAL_WORKER_EXECUTABLE")) options.executable = executable;
  options.argv = argv_;
  options.index = worker->index;
  // Sparse until written, so the largest -max_len Shoal would pick costs nothing.
  options.slot_capacity = std::max(
      max_len_, std::max<size_t>(DefaultMaxLen(SIZE_MAX), size_t(std::max(0L, flags_.max_len))));
  std::string error;
  std::unique_ptr<WorkerClient> client = launcher_.Launch(options, &error);
  if (!client) {
    Printf("ERROR: cannot start worker %d: %s\n", worker->index, error.c_str());
    return false;
  }
  forwarder_.Add(worker->index, client->stderr_fd());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    worker->runs_of_previous_processes += worker->runs;
    worker->runs = 0;
    worker->killed_for_rss = false;
    worker->killed_for_hang = false;
    worker->killed_while_dying = false;
    worker->dying_since = {};
    worker->over_rss_limit_since = {};
    worker->last_generation = client->slot().generation();
    worker->last_progress = std::chrono::steady_clock::now();
    worker->client = std::move(client);
    worker->initialized = false;
  }
  return true;
}

bool Coordinator::LaunchWorkers(int* exit_code) {
  for (auto& worker : workers_) {
    for (size_t attempt = 0;; attempt++) {
      if (!StartWorker(worker.get())) {
        *exit_code = 1;
        return false;
      }
      shoal::proto::Request ping;
      ping.mutable_ping();
      shoal::proto::Response response;
      std::string error;
      CallResult result = worker->client->Call(ping, &response, &error);
      if (result == CallResult::kOk) break;
      worker->client->Close();
      for (int i = 0; i < 100 && !forwarder_.WaitForEof(worker->index, 0); i++)
        forwarder_.PollOnce(10);
      int status = worker->client->wait_status();
      bool clean_or_our_kill = (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                               (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
      if (result == CallResult::kProtocolError && clean_or_our_kill &&
          attempt + 1 < kMaxStartFailures) {
        Printf("ERROR: worker %d (pid %d) %s; restarting it\n", worker->index,
               int(worker->client->pid()), error.c_str());
        DiscardClient(worker.get());
        continue;
      }
      // It died before serving: LLVMFuzzerInitialize failed, argv[0] was changed, or the
      // target crashed at start-up. Its own message (forwarded above) says which.
      *exit_code = WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
      return false;
    }
  }
  // Let what the workers printed while starting come out first.
  forwarder_.PollOnce(0);
  return true;
}

size_t Coordinator::HandleRunInputsResponse(Worker* worker, const SeedChunk& chunk,
                                            const shoal::proto::RunInputsResponse& response) {
  std::lock_guard<std::mutex> lock(mutex_);
  worker->runs = PlausibleRuns(worker->runs, response.stats().total_runs());
  worker->peak_rss_mb = response.stats().peak_rss_mb();
  bool reloaded_kept = false;
  // Results come in request order: a reply that does not continue where the last one ended
  // is not believed.
  const size_t first = worker->chunk_results_done;
  if (response.first_position() != first) return first;
  size_t position = first;
  for (int i = 0; i < response.results_size() && position < chunk.size(); i++, position++) {
    const auto& result = response.results(i);
    const InputJob& job = chunk[position];
    CorpusChange change = CorpusChange::kNone;
    // A reloaded file may be gone already (another machine's REDUCE replaced it): skipped
    // without a word, as libFuzzer and the in-process engine do.
    if (result.unreadable() && !job.reloaded)
      Printf("WARNING: could not read '%s'\n", job.path.c_str());
    std::vector<uint32_t> features(result.features().begin(), result.features().end());
    // Seeds are not copied into the output corpus (libFuzzer does not either). Globally new
    // ones reach the other workers through AddToGlobalCorpus's pending lists; the worker
    // read the file, so the bytes are read here only for those.
    Bytes file_data;
    const Bytes* data = &job.data;
    if (!job.path.empty()) {
      bool wanted =
          corpus_.HasNewFeature(features, std::min(job.size, max_len_), flags_.shrink != 0);
      data = wanted && ReadFile(job.path, &file_data, max_len_) ? &file_data : nullptr;
    }
    if (data) change = AddToGlobalCorpus(worker, *data, features, "", "", false);
    if (change == CorpusChange::kNew) AddToMutationGraph(*data, "", "");
    reloaded_kept |= change != CorpusChange::kNone && job.reloaded;
    if (on_result_) on_result_(job.id, features);
  }
  if (reloaded_kept) PrintStatus("RELOAD", "");
  if (inputs_only_ && CrossedPulse(TotalRuns())) PrintStatus("pulse ", "");
  worker->chunk_results_done = position;
  return position;
}

void Coordinator::HandleFuzzResponse(Worker* worker, const shoal::proto::FuzzResponse& response) {
  std::lock_guard<std::mutex> lock(mutex_);
  worker->runs = PlausibleRuns(worker->runs, response.stats().total_runs());
  worker->peak_rss_mb = response.stats().peak_rss_mb();
  worker->length_limit = std::min<uint64_t>(response.stats().length_limit(), max_len_);
  slowest_unit_sec_ = std::max<size_t>(slowest_unit_sec_, response.stats().slowest_unit_sec());
  for (const auto& stats : response.mutation_stats()) {
    MutationCounts& counts = mutation_counts_[stats.sha1()];
    counts.executed += stats.executed();
    counts.successful += stats.successful();
  }
  // Each unit is shown at the total run count when it was found: the other workers' runs
  // so far plus this worker's count at that moment.
  uint64_t others = TotalRuns() - worker->runs;  // includes this worker's earlier processes
  for (const auto& unit : response.new_inputs()) {
    Bytes data(unit.data().begin(), unit.data().end());
    std::vector<uint32_t> features(unit.features().begin(), unit.features().end());
    if (AddToGlobalCorpus(worker, data, features, unit.mutation_sequence(), unit.base_sha1(),
                          true, others + std::min<uint64_t>(unit.found_at_run(), worker->runs)) ==
        CorpusChange::kNew)
      AddToMutationGraph(data, unit.base_sha1(), unit.mutation_names());
  }
  // libFuzzer's "pulse" at every power of two of the total run count, once past 2 s.
  if (CrossedPulse(TotalRuns()) && SecondsSince(start_time_) >= 2) PrintStatus("pulse ", "");
}

void Coordinator::AddToMutationGraph(const Bytes& data, const std::string& base_sha1,
                                     const std::string& mutation_names) {
  if (flags_.mutation_graph_file && !inputs_only_)
    AppendToMutationGraph(flags_.mutation_graph_file, Sha1Hex(data.data(), data.size()),
                          base_sha1, mutation_names);
}

bool Coordinator::EnsureWorkerStarted(Worker* worker) {
  while (!worker->initialized) {
    if (!worker->client && !StartWorker(worker)) {
      std::lock_guard<std::mutex> lock(mutex_);
      Stop(1);
      return false;
    }
    shoal::proto::Request request;
    auto* init = request.mutable_init();
    init->set_max_len(max_len_);
    init->set_seed(uint64_t(seed_) + uint64_t(worker->index) * 7919 + worker->restarts * 104729);
    const bool first_process = worker->index == 0 && worker->restarts == 0;
    init->set_count_empty_input_run(first_process);
    init->set_replacement(worker->restarts > 0);
    if (first_process && first_worker_rng_state_)
      for (uint64_t word : *first_worker_rng_state_) init->add_rng_state(word);
    init->set_worker_index(uint32_t(worker->index));
    init->set_announce_artifacts(!AnyFailureIsSurvived());
    shoal::proto::Response response;
    std::string error;
    CallResult result = worker->client->Call(request, &response, &error);
    if (result == CallResult::kOk) {
      std::lock_guard<std::mutex> lock(mutex_);
      worker->num_counters = response.init().num_counters();
      worker->runs = response.init().stats().total_runs();
      worker->consecutive_start_failures = 0;
      worker->initialized = true;
      changed_.notify_all();  // INITED waits for every worker's start
      return true;
    }
    if (result == CallResult::kClosed) return false;
    bool keep_going = RecoverFromFailedCall(worker, result, error, nullptr);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!keep_going) return false;
    if (++worker->consecutive_start_failures >= kMaxStartFailures) {
      Printf("ERROR: worker %d keeps failing at start-up; stopping\n", worker->index);
      Stop(exit_code_ ? exit_code_ : 1);
      return false;
    }
  }
  return true;
}

void Coordinator::WorkerLoop(Worker* worker) {
  for (;;) {
    if (!EnsureWorkerStarted(worker)) return;
    shoal::proto::Request request;
    SeedChunk chunk;
    bool is_seed_chunk = false;
    size_t reserved = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || !seed_queue_.empty() || (fuzzing_phase_ && RunBudget() != SIZE_MAX);
      });
      if (stopping_) return;
      if (!seed_queue_.empty()) {
        chunk = std::move(seed_queue_.front());
        seed_queue_.pop_front();
        seed_chunks_in_flight_++;
        is_seed_chunk = true;
        for (const InputJob& job : chunk) {
          // Files are read by the worker: in parallel, and never all in memory at once.
          auto* source = request.mutable_run_inputs()->add_inputs();
          if (job.path.empty())
            source->set_data(job.data.data(), job.data.size());
          else
            source->set_path(job.path);
        }
      } else {
        auto* fuzz = request.mutable_fuzz();
        reserved = RunBudget();
        reserved_runs_ += reserved;
        fuzz->set_max_runs(reserved);
        size_t time_ms = kFuzzRequestMs;
        if (flags_.max_total_time > 0) {
          double left = double(flags_.max_total_time) - SecondsSince(start_time_);
          time_ms = std::min(time_ms, size_t(std::max(1.0, left * 1000)));
        }
        fuzz->set_max_time_ms(time_ms);
        size_t shared_bytes = 0, shared = 0;
        for (; shared < worker->pending.size(); shared++) {
          const Bytes& input = worker->pending[shared];
          if (shared && shared_bytes + input.size() > kMaxSharedBytesPerRequest) break;
          // Each shared input is a run: never more than the request's -runs budget.
          if (reserved && shared >= reserved) break;
          shared_bytes += input.size();
          fuzz->add_inputs_from_others(input.data(), input.size());
        }
        worker->pending.erase(worker->pending.begin(),
                              worker->pending.begin() + ptrdiff_t(shared));
      }
    }
    worker->chunk_results_done = 0;
    shoal::proto::Response response;
    std::string error;
    CallResult result = worker->client->Call(
        request, &response, &error, [&](const shoal::proto::Response& progress) {
          if (is_seed_chunk && progress.has_run_inputs())
            HandleRunInputsResponse(worker, chunk, progress.run_inputs());
          else if (progress.has_fuzz())
            HandleFuzzResponse(worker, progress.fuzz());
        });
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reserved_runs_ -= reserved;
    }
    bool keep_going = true;
    if (result == CallResult::kOk) {
      if (is_seed_chunk)
        HandleRunInputsResponse(worker, chunk, response.run_inputs());
      else
        HandleFuzzResponse(worker, response.fuzz());
    } else if (result == CallResult::kClosed) {
      keep_going = false;
    } else {
      // Inputs whose results came in partial replies are done; the rest of the chunk is not.
      SeedChunk unfinished;
      if (is_seed_chunk)
        unfinished.assign(std::make_move_iterator(chunk.begin() +
                                                  ptrdiff_t(std::min(worker->chunk_results_done,
                                                                     chunk.size()))),
                          std::make_move_iterator(chunk.end()));
      keep_going =
          RecoverFromFailedCall(worker, result, error, is_seed_chunk ? &unfinished : nullptr);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (is_seed_chunk) seed_chunks_in_flight_--;
    changed_.notify_all();
    if (!keep_going) return;
  }
}

void Coordinator::MonitorWorkers() {
  auto last_check = std::chrono::steady_clock::now();
  bool interrupted = false;
  bool graceful = false;
  for (;;) {
    forwarder_.PollOnce(50);
    int signum = pending_signal.exchange(0);
    std::unique_lock<std::mutex> lock(mutex_);
    if (signum == SIGINT || signum == SIGTERM) {
      interrupted = true;
      Stop(kInterruptExitCode);
    } else if (signum == SIGUSR1 || signum == SIGUSR2) {
      RawPrint("INFO: signal received, trying to exit gracefully\n");
      graceful = true;
      Stop(0);
    }
    if (!stopping_ && fuzzing_phase_) {
      if (flags_.max_total_time > 0 && SecondsSince(start_time_) >= double(flags_.max_total_time))
        Stop(0);
      if (flags_.runs >= 0 && TotalRuns() >= uint64_t(flags_.runs)) Stop(0);
      if (flags_.stop_file && access(flags_.stop_file, F_OK) == 0) Stop(0);
      if (PlateauReached()) Stop(0);  // -max_plateau_time
    }
    if (stopping_) {
      // Anything still running is not needed any more.
      // After a failure or a signal, nothing running is needed; after a limit, the last
      // requests (at most kFuzzRequestMs) finish so their finds are kept.
      if (interrupted || exit_code_ != 0 || target_exited_)
        for (auto& worker : workers_)
          if (worker->client) worker->client->Kill();
      lock.unlock();
      // Keep forwarding output until every worker thread is done: one may be waiting for
      // the last lines of its dead worker (HandleDeath), which only this loop delivers.
      // A worker that has not answered within the grace is killed (hung, or deadlocked in
      // its own death path), so that the run ends close to its budget whatever the target.
      const auto grace_end = std::chrono::steady_clock::now() + kStopGrace;
      bool killed_stragglers = false;
      for (;;) {
        bool all_done = true;
        for (auto& worker : workers_)
          all_done = all_done && (!worker->thread.joinable() || worker->thread_done.load());
        if (all_done) break;
        forwarder_.PollOnce(10);
        if (!killed_stragglers && std::chrono::steady_clock::now() >= grace_end) {
          killed_stragglers = true;
          std::lock_guard<std::mutex> relock(mutex_);
          for (auto& worker : workers_)
            if (worker->client && !worker->thread_done.load()) worker->client->Kill();
        }
      }
      for (auto& worker : workers_)
        if (worker->thread.joinable()) worker->thread.join();
      if (interrupted) Printf("==%d== libFuzzer: run interrupted; exiting\n", getpid());
      if (graceful) Printf("==%d== INFO: libFuzzer: exiting as requested\n", getpid());
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_check < std::chrono::milliseconds(250)) continue;
    last_check = now;
    for (auto& worker : workers_) {
      if (!worker->client) continue;
      WorkerClient& client = *worker->client;
      // RSS limit, enforced here so that it holds whatever the worker is doing.
      if (flags_.rss_limit_mb > 0) {
        size_t rss = CurrentRssMb(client.pid());
        worker->peak_rss_mb = std::max(worker->peak_rss_mb, rss);
        // Grace: the worker's own check (which prints the heap profile and the mutation
        // sequence) gets a second to report first; past that, the coordinator kills it.
        size_t limit = size_t(flags_.rss_limit_mb);
        if (rss <= limit)
          worker->over_rss_limit_since = {};
        else if (worker->over_rss_limit_since == std::chrono::steady_clock::time_point{})
          worker->over_rss_limit_since = now;
        if (rss > limit && now - worker->over_rss_limit_since > std::chrono::seconds(1) &&
            !worker->killed_for_rss) {
          worker->rss_at_kill_mb = rss;
          worker->killed_for_rss = true;
          client.Kill();
        }
      }
      // A report that does not finish: the death path deadlocked (e.g. on malloc's lock in a
      // corrupted heap). The input is in the slot already; the worker is not needed.
      // The grace counts time without real CPU use in the worker's process group:
      // symbolizing a large target's stack can take longer, a deadlock uses next to none (a
      // tick or two of its RSS thread: busy means a fifth of a core or more).
      if (client.slot().Dying() && !worker->killed_while_dying) {
        uint64_t ticks = ProcessGroupCpuTicks(client.pid());
        const bool busy = ticks >= worker->dying_cpu_ticks + 5;  // 50 ms in 250 ms
        worker->dying_cpu_ticks = ticks;
        if (worker->dying_since == std::chrono::steady_clock::time_point{} || busy) {
          worker->dying_since = now;
        } else if (now - worker->dying_since > kDyingGrace) {
          worker->killed_while_dying = true;
          client.Kill();
        }
      }
      // Watchdog: an input running far past -timeout that the worker's own timer could not
      // report (signals blocked, stuck in the kernel, ...).
      uint64_t generation = client.slot().generation();
      if (generation != worker->last_generation || !client.busy()) {
        worker->last_generation = generation;
        worker->last_progress = now;
      } else if (flags_.timeout > 0 && !worker->killed_for_hang &&
                 now - worker->last_progress > std::chrono::seconds(2 * flags_.timeout + 5)) {
        worker->killed_for_hang = true;
        client.Kill();
      }
    }
    if (reload_watcher_ && fuzzing_phase_ && now >= next_reload_) {
      // -reload: what other processes put into the output corpus runs like a seed chunk.
      next_reload_ = now + std::chrono::seconds(flags_.reload);
      lock.unlock();
      std::vector<SizedFile> fresh = reload_watcher_->TakeNewFiles();
      lock.lock();
      if (!fresh.empty() && !stopping_) {
        std::vector<InputJob> jobs;
        for (SizedFile& file : fresh)
          jobs.push_back(InputJob{jobs.size(), std::move(file.path), file.size, {}, true});
        QueueJobs(std::move(jobs));
        changed_.notify_all();
      }
    }
    if (stats_file_ && stats_file_->Due(now)) {  // -stats_file: written outside the lock
      StatsRow row = CollectStatsRow();
      lock.unlock();
      stats_file_->Append(row);
    }
  }
}

int Coordinator::Run(const std::vector<SeedFile>& seeds, const std::string& output_dir) {
  output_dir_ = output_dir;
  corpus_.SetOutputDir(output_dir);
  if (!SetUpFocusFunction(flags_)) return 1;
  if (flags_.print_coverage || flags_.print_full_coverage)
    coverage_report_ = std::make_unique<CoverageReport>(Coverage(), flags_.use_counters != 0);
  if (flags_.reload > 0 && !output_dir.empty()) {
    reload_watcher_ = std::make_unique<CorpusDirWatcher>(output_dir);
    for (const SeedFile& seed : seeds) reload_watcher_->MarkKnown(seed.path);
    next_reload_ = std::chrono::steady_clock::now() + std::chrono::seconds(flags_.reload);
  }
  InstallCoordinatorSignalHandlers(flags_);
  max_len_ = ChooseMaxLen(flags_, seeds);
  // Seeds, in libFuzzer's order.
  PrintSeedCorpusInfo(seeds);
  std::vector<InputJob> jobs;
  if (seeds.empty()) {
    jobs.push_back(InputJob{0, "", 1, Bytes{'\n'}});
  } else {
    Random rand(seed_);
    for (const SeedFile& seed : OrderSeeds(seeds, flags_, &rand))
      jobs.push_back(InputJob{jobs.size(), seed.path, seed.size, {}});
    first_worker_rng_state_ = rand.state();
  }
  QueueJobs(std::move(jobs));
  return WaitForJobsAndFinish(/*then_fuzz=*/true);
}

void Coordinator::QueueJobs(std::vector<InputJob> jobs) {
  // Cut into chunks the workers take one at a time.
  SeedChunk chunk;
  size_t chunk_bytes = 0;
  for (InputJob& job : jobs) {
    size_t size = std::min(job.path.empty() ? job.data.size() : job.size, max_len_);
    if (!chunk.empty() &&
        (chunk.size() == kMaxSeedChunkInputs || chunk_bytes + size > kMaxSeedChunkBytes)) {
      seed_queue_.push_back(std::move(chunk));
      chunk.clear();
      chunk_bytes = 0;
    }
    chunk_bytes += size;
    chunk.push_back(std::move(job));
  }
  if (!chunk.empty()) seed_queue_.push_back(std::move(chunk));
}

bool Coordinator::MinimizeUniqueCrashes() {
  constexpr auto kTimePerCrash = std::chrono::seconds(10);
  // Steps of at most a second, so that Ctrl-C is honoured within about that.
  constexpr auto kStep = std::chrono::seconds(1);
  std::vector<shoal::proto::CrashDescription> crashes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (exit_code_ != 0) return false;
    for (const auto& crash : unique_crashes_)
      if (crash.kind() == ArtifactKind(FailureKind::kCrash)) crashes.push_back(crash);
  }
  if (crashes.empty()) return false;
  // -max_total_time bounds the whole run, minimisation included.
  auto budget_end = std::chrono::steady_clock::time_point::max();
  if (flags_.max_total_time > 0)
    budget_end = start_time_ + std::chrono::seconds(flags_.max_total_time);
  WorkerSession session(flags_, argv_, max_len_, seed_ + 1, /*quiet=*/true);
  size_t not_minimized = 0;
  for (const auto& crash : crashes) {
    if (pending_signal.load() == SIGINT || pending_signal.load() == SIGTERM) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= budget_end) {
      not_minimized++;
      continue;
    }
    Bytes original(crash.input().begin(), crash.input().end());
    Bytes smallest = original;
    auto deadline = std::min(budget_end, now + kTimePerCrash);
    while (std::chrono::steady_clock::now() < deadline && smallest.size() > 1) {
      if (pending_signal.load() == SIGINT || pending_signal.load() == SIGTERM) return true;
      auto step_end = std::min(deadline, std::chrono::steady_clock::now() + kStep);
      smallest = MinimizeFailingInput(&session, flags_, smallest, crash.signature(),
                                      /*max_runs=*/0, step_end);
    }
    if (smallest.size() >= original.size()) {
      Printf("INFO: %s (%zd bytes) could not be minimized further\n",
             crash.artifact_path().c_str(), original.size());
      continue;
    }
    std::string path =
        artifact_prefix_ + "minimized-from-" + Sha1Hex(original.data(), original.size());
    if (WriteFileAtomically(path, smallest.data(), smallest.size())) {
      Printf("INFO: minimized %s (%zd bytes) into %s (%zd bytes)\n",
             crash.artifact_path().c_str(), original.size(), path.c_str(), smallest.size());
      RecordMinimizedCrash(crash.artifact_path(), path, smallest.size());
    }
  }
  if (not_minimized)
    Printf("INFO: %zd unique crash(es) not minimized: the -max_total_time budget is spent; "
           "their artifacts are kept as found\n",
           not_minimized);
  return false;
}

int Coordinator::RunInputsOnly(std::vector<InputJob> jobs, size_t max_len, InputResultFn on_result,
                               InputFailureFn on_failure) {
  InstallCoordinatorSignalHandlers(flags_);
  inputs_only_ = true;
  max_len_ = max_len;
  on_result_ = std::move(on_result);
  on_failure_ = std::move(on_failure);
  QueueJobs(std::move(jobs));
  return WaitForJobsAndFinish(/*then_fuzz=*/false);
}

int Coordinator::WaitForJobsAndFinish(bool then_fuzz) {
  if (then_fuzz && flags_.fork > 0)  // the line libFuzzer's fork mode prints; tools look for it
    Printf("INFO: -fork=%lld: fuzzing in separate process(s)\n", (long long)flags_.fork);
  if (then_fuzz) Printf("INFO: fuzzing with %zd worker process(es)\n", workers_.size());
  for (auto& worker : workers_) {
    Worker* raw = worker.get();
    worker->thread_done.store(false);
    worker->thread = std::thread([this, raw] {
      WorkerLoop(raw);
      raw->thread_done.store(true);
    });
  }
  // Wait for the seeds, then print INITED and start fuzzing.
  std::thread monitor([this] { MonitorWorkers(); });
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(
        lock, [&] {
          // Every worker has started, too: its counted empty-input run belongs before INITED
          // and inside the -runs budget, as in a single libFuzzer process.
          return stopping_ ||
                 (seed_queue_.empty() && seed_chunks_in_flight_ == 0 &&
                  std::all_of(workers_.begin(), workers_.end(),
                              [](const std::unique_ptr<Worker>& worker) { return worker->initialized; }));
        });
    if (!stopping_ && !then_fuzz) {
      PrintStatus("DONE  ", "");
      Stop(0);
    } else if (!stopping_) {
      PrintStatus("INITED", "");
      PrintFocusFunctionTouches(flags_, corpus_);
      if (corpus_.empty() && flags_.runs != 0) {
        Printf(
            "ERROR: no interesting inputs were found. Is the code instrumented for coverage? "
            "Exiting.\n");
        Stop(1);
      } else if (flags_.runs == 0) {
        Stop(0);
      } else {
        fuzzing_phase_ = true;
        last_new_coverage_ = std::chrono::steady_clock::now();  // counted from here on
        changed_.notify_all();
      }
    }
  }
  monitor.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (then_fuzz && exit_code_ == 0 && !target_exited_ && (fuzzing_phase_ || flags_.runs == 0)) {
      PrintStatus("DONE  ", "");
      Printf("Done %llu runs in %zd second(s)\n", (unsigned long long)TotalRuns(),
             size_t(SecondsSince(start_time_)));
    }
    if (then_fuzz && !target_exited_) PrintFinalStats();
    if (then_fuzz && stats_file_) stats_file_->Append(CollectStatsRow());  // agrees with stat::
  }
  if (then_fuzz && pending_signal.load() == 0 && MinimizeUniqueCrashes()) {
    std::lock_guard<std::mutex> lock(mutex_);
    Printf("==%d== libFuzzer: run interrupted; exiting\n", getpid());
    exit_code_ = kInterruptExitCode;
  }
  // Workers exit now (after libFuzzer's last lines, as its at-exit leak report would come).
  for (auto& worker : workers_) {
    if (!worker->client) continue;
    worker->client->Close();
    // A worker that failed while the run was stopping may have printed its artifact line.
    if (exit_code_ != 0) KeepAnnouncedArtifact(*worker->client);
  }
  for (auto& worker : workers_)
    for (int i = 0; i < 100 && !forwarder_.WaitForEof(worker->index, 0); i++)
      forwarder_.PollOnce(10);
  std::lock_guard<std::mutex> lock(mutex_);
  // A worker that failed while exiting (e.g. LeakSanitizer's report at exit with
  // -detect_leaks=0) fails the run, as the single libFuzzer process would.
  if (exit_code_ == 0)
    for (auto& worker : workers_)
      if (worker->client && WIFEXITED(worker->client->wait_status()) &&
          WEXITSTATUS(worker->client->wait_status()) != 0)
        exit_code_ = WEXITSTATUS(worker->client->wait_status());
  return exit_code_;
}

}  // namespace fuzzer
