// Implements worker_launcher.h. Runs in the coordinator.
#include "runtime/coordinator/worker_launcher.h"

#include <sys/prctl.h>

#include <cstdlib>

namespace fuzzer {

std::string WorkerExecutable() {
  const char* executable = getenv("SHOAL_WORKER_EXECUTABLE");
  return executable ? executable : "/proc/self/exe";
}

uint64_t WorkerSeed(unsigned run_seed, size_t index, size_t restarts) {
  return uint64_t(run_seed) + uint64_t(index) * 7919 + uint64_t(restarts) * 104729;
}

WorkerLauncher::WorkerLauncher() {
  // Orphans of the workers (a target's child that called setsid) become this process's
  // children, so WorkerClient can kill them instead of leaving them to hold a dead worker's
  // pipes (and to outlive the run).
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || job_; });
      if (job_) {
        job_();
        job_ = nullptr;
        wake_.notify_all();
      } else if (stop_) {
        return;
      }
    }
  });
}

WorkerLauncher::~WorkerLauncher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::unique_ptr<WorkerClient> WorkerLauncher::Launch(const WorkerLaunchOptions& options,
                                                     std::string* error) {
  std::unique_ptr<WorkerClient> client;
  bool done = false;
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return !job_; });  // one launch at a time
  job_ = [&] {
    client = WorkerClient::Launch(options, error);
    done = true;
  };
  wake_.notify_all();
  wake_.wait(lock, [&] { return done; });
  return client;
}

}  // namespace fuzzer
