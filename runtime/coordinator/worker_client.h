// WorkerClient: the coordinator's side of one worker process. It starts the worker (the fuzz
// target's own binary, re-executed with kWorkerEnvironmentVariable naming its pipes and its
// shared input slot), sends it one Request at a time and reads the Response.
//
// Guarantee: one mutex guards every request write, every response read and Close(), so
// Close() can never race a write (the bug Go's fuzzing engine fixed in its workerClient).
// Close() closes the request pipe (the worker's signal to exit), drains the response pipe so
// the worker never dies of SIGPIPE, then reaps the child, escalating to SIGKILL after a grace
// period. A worker that died mid-call is reported as kWorkerGone (EOF or EPIPE), never as an
// error: the caller reads the failing input from slot() and restarts the worker.
// Kill() may be called without the lock (from a watchdog): the child is only reaped under the
// lock, so its pid cannot be reused while Kill() can still signal it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/input_slot.h"
#include "runtime/common/mutex.h"

namespace fuzzer {

// Test-only stand-in for Mutex: an unlocked client, used to prove that the stress test
// detects the close/write race the lock prevents. (Annotated as a lock so that the client's
// rules compile for both; it guards nothing.)
struct CAPABILITY("mutex") NoLockForTesting {
  void lock() ACQUIRE() {}
  void unlock() RELEASE() {}
};

enum class CallResult {
  kOk,
  kWorkerGone,     // EOF or EPIPE: the worker died (or is dying)
  kProtocolError,  // garbage, truncated or oversized frame: restart the worker
  kClosed,         // Close() already ran
};

// How many of its last inputs a worker's slot keeps, for the triage of a death with no
// report (the coordinator re-runs them to find the one that reproduces it).
constexpr size_t kRecentInputsKept = 8;

struct WorkerLaunchOptions {
  std::string executable = "/proc/self/exe";
  std::vector<std::string> argv;  // argv[0] included
  int index = 0;
  size_t slot_capacity = 1 << 20;
  bool capture_stderr = true;  // stderr through a pipe the coordinator forwards
};

// Which process runs it: the coordinator (one per worker process). Lock rules: Call() and
// Close() take mutex_ themselves (EXCLUDES); Kill(), pid(), slot(), busy() and wait_status()
// need no lock and may be called from any thread.
template <class Lockable>
class BasicWorkerClient {
 public:
  // Starts a worker process. Returns null (and sets *error) if it cannot be started.
  static std::unique_ptr<BasicWorkerClient> Launch(const WorkerLaunchOptions& options,
                                                   std::string* error);
  // Wraps descriptors the caller set up (no child process; for tests of the channel).
  BasicWorkerClient(int request_fd, int response_fd, pid_t pid, std::unique_ptr<InputSlot> slot,
                    int stderr_fd);
  ~BasicWorkerClient();
  BasicWorkerClient(const BasicWorkerClient&) = delete;
  BasicWorkerClient& operator=(const BasicWorkerClient&) = delete;

  // Partial responses (progress frames) before the final one go to on_partial, if given.
  using PartialFn = std::function<void(const shoal::proto::Response&)>;
  // on_partial runs with mutex_ held (on the calling thread): it must not call back into
  // this client.
  CallResult Call(const shoal::proto::Request& request, shoal::proto::Response* response,
                  std::string* error, const PartialFn& on_partial = nullptr) EXCLUDES(mutex_);
  void Close() EXCLUDES(mutex_);
  void Kill();

  pid_t pid() const { return pid_; }
  InputSlot& slot() { return *slot_; }
  int stderr_fd() const { return stderr_fd_; }
  // The raw wait status after Close() reaped the child (-1 if there was no child).
  int wait_status() const { return wait_status_.load(std::memory_order_acquire); }
  bool busy() const { return busy_.load(std::memory_order_acquire); }

 private:
  Lockable mutex_;
  int request_fd_ GUARDED_BY(mutex_);
  int response_fd_ GUARDED_BY(mutex_);
  FrameReader response_reader_ GUARDED_BY(mutex_);  // every frame of response_fd_
  const pid_t pid_;
  const std::unique_ptr<InputSlot> slot_;
  int stderr_fd_;  // closed by the destructor only
  std::atomic<int> wait_status_{-1};  // written under mutex_ when the child is reaped
  bool closed_ GUARDED_BY(mutex_) = false;
  std::atomic<bool> busy_{false};
  std::atomic<bool> reaped_{false};  // after this, Kill() must not signal the (reused) pid
};

using WorkerClient = BasicWorkerClient<Mutex>;
using UnlockedWorkerClientForTesting = BasicWorkerClient<NoLockForTesting>;

}  // namespace fuzzer
