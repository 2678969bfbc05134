// Implements worker_launcher.h. Runs in the coordinator.
#include "runtime/coordinator/worker_launcher.h"

#include <sys/prctl.h>

#include <cstdlib>

namespace fuzzer {

WorkerLauncher::WorkerLauncher() {
  // Orphans of the workers (a target's child that called setsid) become this process's
  // children, so WorkerClient can kill them instead of leaving them to hold a dead worker's
  // pipes (and to outlive the run).
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  thread_ = std::thread([this] { Serve(); });
}

void WorkerLauncher::Serve() {
  MutexLock lock(&mutex_);
  for (;;) {
    while (!stop_ && !job_) wake_.Wait(&mutex_);
    if (job_) {
      job_();
      job_ = nullptr;
      wake_.NotifyAll();
    } else if (stop_) {
      return;
    }
  }
}

WorkerLauncher::~WorkerLauncher() {
  {
    MutexLock lock(&mutex_);
    stop_ = true;
  }
  wake_.NotifyAll();
  thread_.join();
}

std::unique_ptr<WorkerClient> WorkerLauncher::Launch(const WorkerLaunchOptions& options,
                                                     std::string* error) {
  std::unique_ptr<WorkerClient> client;
  bool done = false;
  MutexLock lock(&mutex_);
  while (job_) wake_.Wait(&mutex_);  // one launch at a time
  // Runs on the launcher thread, with mutex_ held there.
  job_ = [&] {
    client = WorkerClient::Launch(options, error);
    done = true;
  };
  wake_.NotifyAll();
  while (!done) wake_.Wait(&mutex_);
  return client;
}

}  // namespace fuzzer
