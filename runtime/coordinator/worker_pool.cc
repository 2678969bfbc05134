// Implements worker_pool.h. Runs in the coordinator process, under its owner's lock.
#include "runtime/coordinator/worker_pool.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "runtime/common/process.h"

namespace fuzzer {

WorkerPool::WorkerPool(size_t num_workers) {
  for (size_t i = 0; i < num_workers; i++) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->index = int(i);
  }
}

void WorkerPool::Queue(std::vector<InputJob> jobs, size_t max_len) {
  InputChunk chunk;
  size_t chunk_bytes = 0;
  for (InputJob& job : jobs) {
    size_t size = std::min(job.path.empty() ? job.data.size() : job.size, max_len);
    if (!chunk.empty() &&
        (chunk.size() == kMaxChunkInputs || chunk_bytes + size > kMaxChunkBytes)) {
      queue_.push_back(std::move(chunk));
      chunk.clear();
      chunk_bytes = 0;
    }
    chunk_bytes += size;
    chunk.push_back(std::move(job));
  }
  if (!chunk.empty()) queue_.push_back(std::move(chunk));
}

void WorkerPool::Requeue(InputChunk chunk) {
  if (!chunk.empty()) queue_.push_front(std::move(chunk));
}

bool WorkerPool::TakeChunk(InputChunk* chunk) {
  if (queue_.empty()) return false;
  *chunk = std::move(queue_.front());
  queue_.pop_front();
  chunks_in_flight_++;
  return true;
}

void WorkerPool::Attach(Worker* worker, std::unique_ptr<WorkerClient> client) {
  worker->runs_of_previous_processes += worker->runs;
  worker->runs = 0;
  worker->processes_started++;
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

std::unique_ptr<WorkerClient> WorkerPool::Detach(Worker* worker) {
  worker->initialized = false;
  return std::move(worker->client);
}

void WorkerPool::PrepareRestart(Worker* worker, std::vector<Bytes> corpus) {
  worker->restarts++;
  // A fresh process knows nothing: give it the whole global corpus again.
  worker->pending.clear();
  for (Bytes& input : corpus)
    worker->pending.push_back(std::make_shared<const Bytes>(std::move(input)));
}

void WorkerPool::Share(Span<uint8_t> data, const Worker* from) {
  auto shared = std::make_shared<const Bytes>(data.begin(), data.end());
  for (auto& worker : workers_)
    if (worker.get() != from) worker->pending.push_back(shared);
}

bool WorkerPool::AllInitialized() const {
  for (const auto& worker : workers_)
    if (!worker->initialized) return false;
  return true;
}

void WorkerPool::KillAll(bool only_busy) {
  for (auto& worker : workers_)
    if (worker->client && !(only_busy && worker->thread_done.load())) worker->client->Kill();
}

void WorkerPool::Watch(std::chrono::steady_clock::time_point now, long rss_limit_mb,
                       long timeout_sec) {
  for (auto& worker : workers_) {
    if (!worker->client) continue;
    WorkerClient& client = *worker->client;
    // RSS limit, enforced here so that it holds whatever the worker is doing.
    if (rss_limit_mb > 0) {
      size_t rss = CurrentRssMb(client.pid());
      worker->peak_rss_mb = std::max(worker->peak_rss_mb, rss);
      // Grace: the worker's own check (which prints the heap profile and the mutation
      // sequence) gets a second to report first; past that, the coordinator kills it.
      size_t limit = size_t(rss_limit_mb);
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
    } else if (timeout_sec > 0 && !worker->killed_for_hang &&
               now - worker->last_progress > std::chrono::seconds(2 * timeout_sec + 5)) {
      worker->hang_seconds_at_kill = size_t(
          std::chrono::duration_cast<std::chrono::seconds>(now - worker->last_progress).count());
      worker->killed_for_hang = true;
      client.Kill();
    }
  }
}

bool WorkerPool::ExitedCleanlyOrKilled(int wait_status) {
  return (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) ||
         (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
}

WorkerPool::FailedCall WorkerPool::DiagnoseFailedCall(Worker* worker, CallResult result) {
  WorkerClient& client = *worker->client;
  if (result != CallResult::kProtocolError) return FailedCall::kDied;
  // Let it end before calling its bytes garbage: one that is dying truncates its frame too.
  client.Close();
  if (!ExitedCleanlyOrKilled(client.wait_status()) || !client.slot().FailureKind().empty())
    return FailedCall::kDied;
  return client.slot().generation() > 0 && worker->initialized ? FailedCall::kGarbageAfterInputs
                                                               : FailedCall::kGarbage;
}

std::string WorkerPool::OneLineError(const std::string& error) {
  std::string line;
  for (unsigned char c : error) {
    char piece[8] = {char(c), 0};
    if (c < 0x20 || c >= 0x7f) snprintf(piece, sizeof(piece), "\\x%02x", c);
    if (line.size() + strlen(piece) > kMaxErrorLength) {
      line += "...";
      break;
    }
    line += piece;
  }
  return line;
}

uint64_t WorkerPool::TotalRuns() const {
  uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->runs_of_previous_processes + worker->runs;
  return total;
}

size_t WorkerPool::PeakRssMb() const {
  size_t peak = 0;
  for (const auto& worker : workers_) peak = std::max(peak, worker->peak_rss_mb);
  return peak;
}

size_t WorkerPool::LengthLimit() const {
  size_t limit = 0;
  for (const auto& worker : workers_) limit = std::max(limit, worker->length_limit);
  return limit;
}

size_t WorkerPool::Restarts() const {
  size_t restarts = 0;
  for (const auto& worker : workers_) restarts += worker->restarts;
  return restarts;
}

}  // namespace fuzzer
