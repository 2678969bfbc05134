// Coordinator (coordinator.h), the worker threads' side: starting a worker process and
// sending it InitRequest, taking its next job (a seed chunk or a Fuzz request within the -runs
// budget, with the other workers' finds), and turning its replies into the global corpus and
// libFuzzer's NEW / REDUCE / RELOAD / pulse lines. One thread per worker; runs in the
// coordinator process.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>

#include "runtime/common/log.h"
#include "runtime/coordinator/coordinator.h"

namespace fuzzer {
namespace {

constexpr size_t kFuzzRequestMs = 200;
constexpr size_t kMaxStartFailures = 3;
// The other workers' finds sent with one Fuzz request (the rest wait for the next one), so
// that a restarted worker's catch-up never makes a request near the frame limit.
constexpr size_t kMaxSharedBytesPerRequest = 8 << 20;
// No worker process runs more inputs than this between two reports (200 ms apart).
constexpr uint64_t kMaxRunsPerReport = uint64_t(1) << 32;

}  // namespace

uint64_t Coordinator::PlausibleRuns(uint64_t previous, uint64_t reported) {
  if (reported < previous || reported - previous > kMaxRunsPerReport) return previous;
  return reported;
}

GlobalCorpus::Change::Kind Coordinator::TakeIntoCorpus(Worker* from, Span<uint8_t> data,
                                                       Span<uint32_t> features,
                                                       const std::string& mutation_sequence,
                                                       const std::string& base_sha1, bool unit,
                                                       uint64_t at_run) {
  GlobalCorpus::Change change =
      corpus_.Add(data, features, base_sha1, unit, from ? from->num_counters : 0);
  if (change.kind == GlobalCorpus::Change::kNone) return change.kind;
  if (change.kind == GlobalCorpus::Change::kNew)
    last_new_coverage_ = std::chrono::steady_clock::now();
  if (!change.first_write_failure.empty())
    PrintCorpusWriteFailure(change.first_write_failure, change.write_error);
  if (unit)
    PrintStatus(
        change.kind == GlobalCorpus::Change::kNew ? StatusEvent::kNew : StatusEvent::kReduce,
        UnitLineEnd(data.size(), corpus_.corpus().MaxInputSize(), mutation_sequence), at_run);
  kind_->CorpusChanged(*this, from, data, change);  // fuzzing: shared, -exit_on_* checked
  return change.kind;
}

void Coordinator::DiscardClient(Worker* worker) {
  std::unique_ptr<WorkerClient> old;
  {
    MutexLock lock(&mutex_);  // the monitor reads worker->client under it
    old = pool_.Detach(worker);
  }
  // Destroyed outside the lock: Close() may wait for the process.
}

bool Coordinator::StartWorker(Worker* worker) {
  WorkerLaunchOptions options;
  options.executable = options_.worker_executable;
  options.argv = argv_;
  options.index = worker->index;
  // Sparse until written, so the largest -max_len Shoal would pick costs nothing.
  options.slot_capacity = std::max(max_len_, options_.worker_slot_capacity);
  std::string error;
  std::unique_ptr<WorkerClient> client = launcher_.Launch(options, &error);
  if (!client) {
    Printf("ERROR: cannot start worker %d: %s\n", worker->index, error.c_str());
    return false;
  }
  forwarder_.Add(worker->index, client->stderr_fd());
  {
    MutexLock lock(&mutex_);
    pool_.Attach(worker, std::move(client));
  }
  return true;
}

bool Coordinator::LaunchWorkers(int* exit_code) {
  for (Worker* worker : workers_) {
    for (size_t attempt = 0;; attempt++) {
      if (!StartWorker(worker)) {
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
      if (result == CallResult::kProtocolError && WorkerPool::ExitedCleanlyOrKilled(status) &&
          attempt + 1 < kMaxStartFailures) {
        Printf("ERROR: worker %d (pid %d) %s; restarting it\n", worker->index,
               int(worker->client->pid()), WorkerPool::OneLineError(error).c_str());
        DiscardClient(worker);
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
  MutexLock lock(&mutex_);
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
    GlobalCorpus::Change::Kind change = GlobalCorpus::Change::kNone;
    // A reloaded file may be gone already (another machine's REDUCE replaced it): skipped
    // without a word, as libFuzzer and the in-process engine do.
    if (result.unreadable() && !job.reloaded)
      Printf("WARNING: could not read '%s'\n", job.path.c_str());
    std::vector<uint32_t> features(result.features().begin(), result.features().end());
    // Seeds are not copied into the output corpus (libFuzzer does not either). Globally new
    // ones reach the other workers through TakeIntoCorpus's pending lists; the worker read
    // the file, so the bytes are read here only for those.
    Bytes file_data;
    const Bytes* data = &job.data;
    if (!job.path.empty()) {
      bool wanted = corpus_.WouldTake(features, std::min(job.size, max_len_));
      data = wanted && ReadFile(job.path, &file_data, max_len_) ? &file_data : nullptr;
    }
    if (data) change = TakeIntoCorpus(worker, *data, features, "", "", false);
    if (change == GlobalCorpus::Change::kNew) corpus_.AddToMutationGraph(*data, "", "");
    reloaded_kept |= change != GlobalCorpus::Change::kNone && job.reloaded;
    kind_->InputRan(*this, job, features);
  }
  if (reloaded_kept) PrintStatus(StatusEvent::kReload);
  kind_->RunInputsReplyHandled(*this);
  worker->chunk_results_done = position;
  return position;
}

void Coordinator::HandleFuzzResponse(Worker* worker, const shoal::proto::FuzzResponse& response) {
  MutexLock lock(&mutex_);
  worker->runs = PlausibleRuns(worker->runs, response.stats().total_runs());
  worker->peak_rss_mb = response.stats().peak_rss_mb();
  worker->length_limit = std::min<uint64_t>(response.stats().length_limit(), max_len_);
  slowest_unit_sec_ = std::max<size_t>(slowest_unit_sec_, response.stats().slowest_unit_sec());
  corpus_.AddMutationStats(response.mutation_stats());
  // Each unit is shown at the total run count when it was found: the other workers' runs
  // so far plus this worker's count at that moment.
  uint64_t others = TotalRuns() - worker->runs;  // includes this worker's earlier processes
  for (const auto& unit : response.new_inputs()) {
    // Views of the parsed response: most units are not taken, so nothing is copied for them.
    const Span<uint8_t> data(reinterpret_cast<const uint8_t*>(unit.data().data()),
                             unit.data().size());
    const Span<uint32_t> features(unit.features().data(), size_t(unit.features_size()));
    if (TakeIntoCorpus(worker, data, features, unit.mutation_sequence(), unit.base_sha1(), true,
                       others + std::min<uint64_t>(unit.found_at_run(), worker->runs)) ==
        GlobalCorpus::Change::kNew)
      corpus_.AddToMutationGraph(data, unit.base_sha1(), unit.mutation_names());
  }
  // Now and then (the worker decides), for the recommended dictionary at the end.
  if (response.has_auto_dictionary())
    dictionaries_.Report(size_t(worker->index), worker->processes_started,
                         response.auto_dictionary());
  kind_->FuzzReplyHandled(*this);  // libFuzzer's pulse lines
}

void Coordinator::CollectFinalDictionary(Worker* worker) {
  {
    MutexLock lock(&mutex_);
    // Only the normal end of fuzzing prints the block (EndFuzzing); a failure or a signal
    // ends the run at once, and a merge has no dictionary.
    if (!fuzzing_phase_ || exit_code_ != 0 || target_exited_ || !worker->client ||
        !worker->initialized)
      return;
  }
  shoal::proto::Request request;
  request.mutable_auto_dictionary();
  shoal::proto::Response response;
  std::string error;
  // The worker answers at once (it is between requests). If it died or does not answer
  // within the monitor's grace (it is killed), its last report in a Fuzz reply stands.
  if (worker->client->Call(request, &response, &error) != CallResult::kOk ||
      !response.has_auto_dictionary())
    return;
  MutexLock lock(&mutex_);
  dictionaries_.Report(size_t(worker->index), worker->processes_started,
                         response.auto_dictionary());
}

bool Coordinator::EnsureWorkerStarted(Worker* worker) {
  while (!worker->initialized) {
    if (!worker->client && !StartWorker(worker)) {
      MutexLock lock(&mutex_);
      Stop(1);
      return false;
    }
    shoal::proto::Request request;
    auto* init = request.mutable_init();
    init->set_max_len(max_len_);
    init->set_seed(WorkerSeed(options_.seed, size_t(worker->index), worker->restarts));
    const bool first_process = worker->index == 0 && worker->restarts == 0;
    init->set_count_empty_input_run(first_process);
    init->set_replacement(worker->restarts > 0);
    if (first_process && first_worker_rng_state_)
      for (uint64_t word : *first_worker_rng_state_) init->add_rng_state(word);
    init->set_worker_index(uint32_t(worker->index));
    {
      MutexLock lock(&mutex_);
      init->set_announce_artifacts(!failures_.AnyFailureIsSurvived());
    }
    shoal::proto::Response response;
    std::string error;
    CallResult result = worker->client->Call(request, &response, &error);
    if (result == CallResult::kOk) {
      MutexLock lock(&mutex_);
      worker->num_counters = response.init().num_counters();
      worker->runs = response.init().stats().total_runs();
      worker->consecutive_start_failures = 0;
      worker->initialized = true;
      changed_.NotifyAll();  // INITED waits for every worker's start
      return true;
    }
    if (result == CallResult::kClosed) return false;
    bool keep_going = RecoverFromFailedCall(worker, result, error, nullptr);
    MutexLock lock(&mutex_);
    if (!keep_going) return false;
    if (++worker->consecutive_start_failures >= kMaxStartFailures) {
      Printf("ERROR: worker %d keeps failing at start-up; stopping\n", worker->index);
      Stop(exit_code_ ? exit_code_ : 1);
      return false;
    }
  }
  return true;
}

bool Coordinator::NextRequest(Worker* worker, shoal::proto::Request* request, SeedChunk* chunk,
                              size_t* reserved) {
  MutexLock lock(&mutex_);
  while (!stopping_ && !pool_.HasQueuedChunk() && !(fuzzing_phase_ && RunBudget() != SIZE_MAX))
    changed_.Wait(&mutex_);
  if (stopping_) return false;
  if (pool_.TakeChunk(chunk)) {
    for (const InputJob& job : *chunk) {
      // Files are read by the worker: in parallel, and never all in memory at once.
      auto* source = request->mutable_run_inputs()->add_inputs();
      if (job.path.empty())
        source->set_data(job.data.data(), job.data.size());
      else
        source->set_path(job.path);
    }
    return true;
  }
  auto* fuzz = request->mutable_fuzz();
  *reserved = RunBudget();
  reserved_runs_ += *reserved;
  fuzz->set_max_runs(*reserved);
  size_t time_ms = kFuzzRequestMs;
  if (options_.max_total_time_sec > 0) {
    double left = double(options_.max_total_time_sec) - SecondsSince(start_time_);
    time_ms = std::min(time_ms, size_t(std::max(1.0, left * 1000)));
  }
  fuzz->set_max_time_ms(time_ms);
  size_t shared_bytes = 0, shared = 0;
  for (; shared < worker->pending.size(); shared++) {
    const Bytes& input = *worker->pending[shared];
    if (shared && shared_bytes + input.size() > kMaxSharedBytesPerRequest) break;
    // Each shared input is a run: never more than the request's -runs budget.
    if (*reserved && shared >= *reserved) break;
    shared_bytes += input.size();
    fuzz->add_inputs_from_others(input.data(), input.size());
  }
  worker->pending.erase(worker->pending.begin(), worker->pending.begin() + ptrdiff_t(shared));
  return true;
}

void Coordinator::WorkerLoop(Worker* worker) {
  for (;;) {
    if (!EnsureWorkerStarted(worker)) return;
    shoal::proto::Request request;
    SeedChunk chunk;
    size_t reserved = 0;
    if (!NextRequest(worker, &request, &chunk, &reserved)) {
      CollectFinalDictionary(worker);
      return;
    }
    const bool is_seed_chunk = request.has_run_inputs();
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
    MutexLock lock(&mutex_);
    // The reservation ends only now that the request's last runs are in TotalRuns() (the
    // final reply, or the slot's count of a dead worker): released any earlier, another
    // worker's budget would leave those runs out and -runs would overshoot.
    reserved_runs_ -= reserved;
    if (is_seed_chunk) pool_.ChunkDone();
    changed_.NotifyAll();
    if (!keep_going) return;
  }
}

}  // namespace fuzzer
