// WorkerPool: the worker slots of a run and the queue of input chunks they take, in the
// coordinator process. It owns each slot's bookkeeping (its client, the run counts of its
// processes, restarts, the global inputs still to send it, and what the monitor watches: RSS,
// a death path that hangs, an input that hangs) and the chunk queue (seeds, -reload files,
// merge inputs), and it sums the slots up (runs, peak RSS, "lim:").
//
// Not thread-safe: its owner guards it (Coordinator::mutex_, GUARDED_BY). A slot (Worker) has
// a stable address; its own thread keeps a pointer to it and may use the fields its comment
// marks "thread" without the lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/span.h"
#include "runtime/coordinator/worker_client.h"

namespace fuzzer {

// An input to run once: read from `path` (of `size` bytes when listed) when sent to a
// worker, or given as `data`.
struct InputJob {
  size_t id = 0;
  std::string path;
  size_t size = 0;
  Bytes data;
  bool reloaded = false;  // found in the output corpus by -reload
  // Times its chunk was queued again after a worker death nobody could pin on one input.
  uint32_t retries = 0;
};
using InputChunk = std::vector<InputJob>;

class WorkerPool {
 public:
  // One worker process slot: its client and the bookkeeping of the processes it has had.
  // Fields are written under the owner's lock except those marked "thread" (the slot's own
  // thread's); that thread may read `client` without the lock, and it alone replaces it
  // (under the lock, which the monitor holds while it uses it).
  struct Worker {
    int index = 0;
    std::unique_ptr<WorkerClient> client;
    bool initialized = false;  // InitRequest answered by the current process
    std::thread thread;
    std::atomic<bool> thread_done{false};  // its loop returned (thread can be joined)
    uint64_t runs_of_previous_processes = 0;
    uint64_t runs = 0;  // current process
    uint64_t num_counters = 0;
    size_t length_limit = 0;
    size_t peak_rss_mb = 0;
    size_t restarts = 0;
    // Processes this slot has had, the current one included (Attach counts them, whatever
    // replaced the previous one): which process a report is from (WorkerDictionaries).
    uint64_t processes_started = 0;
    size_t consecutive_start_failures = 0;  // thread
    // Global inputs this worker's corpus does not have yet: one copy of each, shared by every
    // worker it goes to (64 workers held 63 copies of each new unit before).
    std::deque<std::shared_ptr<const Bytes>> pending;
    std::atomic<bool> killed_for_rss{false};
    std::atomic<bool> killed_for_hang{false};
    std::atomic<bool> killed_while_dying{false};
    // When the monitor first saw the worker's slot say "dying" (zero: not dying).
    std::chrono::steady_clock::time_point dying_since;
    uint64_t dying_cpu_ticks = 0;  // its process group's CPU time at the last check
    // Of the chunk in flight: how many leading inputs' results came in partial replies.
    size_t chunk_results_done = 0;  // thread
    size_t rss_at_kill_mb = 0;
    size_t hang_seconds_at_kill = 0;  // how long its input had run when the watchdog killed it
    std::chrono::steady_clock::time_point over_rss_limit_since;
    uint64_t last_generation = 0;
    std::chrono::steady_clock::time_point last_progress;
  };

  // A worker whose failure handler started reporting may spend this long without using any
  // CPU before it is killed: a corrupted heap can deadlock its death path (malloc locks), and
  // nothing else would end it.
  static constexpr std::chrono::seconds kDyingGrace{10};
  static constexpr size_t kMaxChunkInputs = 256;
  static constexpr size_t kMaxChunkBytes = 8 << 20;

  explicit WorkerPool(size_t num_workers);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return workers_.size(); }
  Worker* worker(size_t i) { return workers_[i].get(); }
  const Worker* worker(size_t i) const { return workers_[i].get(); }

  // ---- the chunk queue ----
  // Cuts `jobs` into chunks (at most kMaxChunkInputs inputs and, reading files only up to
  // max_len, about kMaxChunkBytes each) at the back of the queue.
  void Queue(std::vector<InputJob> jobs, size_t max_len);
  // The chunk a dead worker did not finish, at the front (it runs next).
  void Requeue(InputChunk chunk);
  bool HasQueuedChunk() const { return !queue_.empty(); }
  // Takes the front chunk, counted as in flight until ChunkDone(); false if none is queued.
  bool TakeChunk(InputChunk* chunk);
  void ChunkDone() { chunks_in_flight_--; }
  // No chunk queued or in flight.
  bool Idle() const { return queue_.empty() && chunks_in_flight_ == 0; }

  // ---- the slots ----
  // A freshly started process takes over the slot (its counts start again at zero, and
  // processes_started counts it).
  void Attach(Worker* worker, std::unique_ptr<WorkerClient> client);
  // The slot's client, to be closed outside the lock; the slot needs a new process.
  std::unique_ptr<WorkerClient> Detach(Worker* worker);
  // The slot will be started afresh: a new seed, and every input of the global corpus.
  void PrepareRestart(Worker* worker, std::vector<Bytes> corpus);
  // Gives a new global input to every slot but `from`.
  void Share(Span<uint8_t> data, const Worker* from);
  bool AllInitialized() const;
  // Kills every live worker (all, or only those whose thread has not finished).
  void KillAll(bool only_busy);
  // The monitor's check of every live worker at `now`: RSS over rss_limit_mb (if > 0) for a
  // second, a death path that has used no CPU for kDyingGrace, an input running for more than
  // 2 x timeout_sec + 5 s (if timeout_sec > 0). Kills the worker and marks why.
  void Watch(std::chrono::steady_clock::time_point now, long rss_limit_mb, long timeout_sec);

  // ---- a slot's process that did not answer ----
  // What a call that ended in neither kOk nor kClosed says about the slot's process:
  //   kDied               it crashed, reported a failure or was killed (a death to handle);
  //   kGarbageAfterInputs it sent garbage (a bad frame, bytes that do not parse, an error it
  //                       should not report) after it ran inputs, which the target may have
  //                       written into its pipe: handled as a death with no report;
  //   kGarbage            it sent garbage before running anything: one error line, restart.
  enum class FailedCall { kDied, kGarbageAfterInputs, kGarbage };
  // Tells which, after Close() (which waits for the process, and kills it after a grace) when
  // the call saw garbage: a worker that dies while writing also truncates its frame. For the
  // slot's own thread, without the owner's lock (it blocks); reads the slot's `client` and
  // `initialized`, which only that thread changes.
  static FailedCall DiagnoseFailedCall(Worker* worker, CallResult result);
  // Whether a wait status is a clean exit or the SIGKILL Close() sends after its grace.
  static bool ExitedCleanlyOrKilled(int wait_status);
  // `error` (a WorkerClient's, which may quote what the process sent) as one printable line:
  // control and non-ASCII bytes escaped as \xNN, cut (with "...") to at most kMaxErrorLength
  // bytes before the dots.
  static std::string OneLineError(const std::string& error);
  static constexpr size_t kMaxErrorLength = 200;

  // ---- totals ----
  uint64_t TotalRuns() const;  // every process of every slot
  size_t PeakRssMb() const;    // the largest of the workers' (not this process's)
  size_t LengthLimit() const;  // the largest "lim:" a worker reported
  size_t Restarts() const;

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<InputChunk> queue_;
  size_t chunks_in_flight_ = 0;
};

}  // namespace fuzzer
