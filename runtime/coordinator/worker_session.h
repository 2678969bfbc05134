// WorkerSession: one worker at a time for the coordinator's sequential modes (-minimize_crash,
// -cleanse_crash). Each Run() sends one request, starting a worker first if none is alive;
// when the worker dies instead of answering, the outcome carries the failure kind, its stack
// signature, the exit code and the input it died on (from the shared slot). Coordinator side.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/coordinator/crash_report.h"
#include "runtime/coordinator/stderr_forwarder.h"
#include "runtime/coordinator/worker_client.h"
#include "runtime/coordinator/worker_launcher.h"

namespace fuzzer {

struct WorkerOutcome {
  bool died = false;    // the worker failed (crash, timeout, OOM, leak)
  bool broken = false;  // it could not be started or sent garbage
  FailureKind kind = FailureKind::kCrash;
  std::string signature;            // CrashSignature() of its last report
  int exit_code = 0;                // what libFuzzer would exit with for this failure
  int wait_status = -1;             // the worker's raw wait status when it did not answer
  Bytes input;                      // the input it was running when it died
  shoal::proto::Response response;  // when it answered
};

// What a dead worker left behind, read once: how it ended (killed_* are the caller's to
// fill), the input in its slot and where it was in its request, and its last output.
struct DeadWorker {
  WorkerDeath death;
  Bytes input;                  // the newest input of its slot
  bool ran_anything = false;    // the slot saw at least one input
  uint64_t request_position = 0;  // InputSlot::RequestPosition()
  std::string output;           // the tail of its forwarded stderr
};
// Closes `client` (reaping the process; a no-op if closed already), waits up to 3 s until its
// stderr (forwarded as `index`) reaches EOF, and reads what it left. The one place the
// coordinator's modes collect a dead worker's details. Takes no coordinator lock.
DeadWorker CollectDeadWorker(WorkerClient& client, StderrForwarder& forwarder, int index);

class WorkerSession {
 public:
  // quiet: the workers' output is not printed (only used for crash signatures).
  // seed: the session's run seed (WorkerSeed), options.seed or one of its own.
  WorkerSession(const FuzzingOptions& options, std::vector<std::string> argv, size_t max_len,
                unsigned seed, bool quiet = false);
  ~WorkerSession();
  WorkerOutcome Run(const shoal::proto::Request& request);
  // Runs one input; died means it fails.
  WorkerOutcome RunInput(const Bytes& input);

 private:
  bool EnsureStarted(WorkerOutcome* outcome);
  // The outcome of the worker's death (CollectDeadWorker), and forgets the worker.
  WorkerOutcome CollectDeath();

  const FuzzingOptions& options_;
  std::vector<std::string> argv_;
  size_t max_len_;
  unsigned seed_;
  unsigned restarts_ = 0;
  bool quiet_;
  WorkerLauncher launcher_;
  StderrForwarder forwarder_;
  std::unique_ptr<WorkerClient> client_;
  std::atomic<bool> stop_forwarding_{false};
  std::thread forwarding_;
};

}  // namespace fuzzer
