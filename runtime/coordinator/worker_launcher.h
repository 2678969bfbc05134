// WorkerLauncher: the coordinator's one thread that forks worker processes (runs in the
// coordinator; used by the fuzzing coordinator and by WorkerSession alike).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/coordinator/worker_client.h"

namespace fuzzer {

// Forks worker processes from one thread that outlives them all. PR_SET_PDEATHSIG (which
// stops workers from outliving a coordinator that dies) fires when the *thread* that forked
// the child exits, so the per-worker threads, which come and go, must not fork.
class WorkerLauncher {
 public:
  WorkerLauncher();
  ~WorkerLauncher();
  std::unique_ptr<WorkerClient> Launch(const WorkerLaunchOptions& options, std::string* error);

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::function<void()> job_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fuzzer
