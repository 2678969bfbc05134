// WorkerLauncher: the coordinator's one thread that forks worker processes (runs in the
// coordinator; used by the fuzzing coordinator and by WorkerSession alike). What a worker
// runs and its RNG seed are FuzzingOptions::worker_executable and WorkerSeed
// (runtime/common/fuzzing_options.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "runtime/common/mutex.h"
#include "runtime/coordinator/worker_client.h"

namespace fuzzer {

// Forks worker processes from one thread that outlives them all. PR_SET_PDEATHSIG (which
// stops workers from outliving a coordinator that dies) fires when the *thread* that forked
// the child exits, so the per-worker threads, which come and go, must not fork.
class WorkerLauncher {
 public:
  WorkerLauncher();
  ~WorkerLauncher();
  // Forks and executes the worker on the launcher's thread. Any thread may call it; one
  // launch runs at a time.
  std::unique_ptr<WorkerClient> Launch(const WorkerLaunchOptions& options, std::string* error)
      EXCLUDES(mutex_);

 private:
  void Serve() EXCLUDES(mutex_);  // the launcher thread: runs each job_ until stop_

  Mutex mutex_;
  CondVar wake_;  // a job was posted or finished, or stop_ was set
  std::function<void()> job_ GUARDED_BY(mutex_);
  bool stop_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace fuzzer
