// Implements worker_session.h. Runs in the coordinator.
#include "runtime/coordinator/worker_session.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>

#include "runtime/common/log.h"

namespace fuzzer {

WorkerSession::WorkerSession(const FuzzingOptions& options, std::vector<std::string> argv,
                             size_t max_len, unsigned seed, bool quiet)
    : options_(options), argv_(std::move(argv)), max_len_(max_len), seed_(seed), quiet_(quiet) {
  signal(SIGPIPE, SIG_IGN);
  forwarder_.set_echo(!quiet);
  forwarding_ = std::thread([this] {
    while (!stop_forwarding_.load()) forwarder_.PollOnce(20);
  });
}

WorkerSession::~WorkerSession() {
  if (client_) client_->Close();
  forwarder_.WaitForEof(0, 2000);
  stop_forwarding_.store(true);
  forwarding_.join();
}

bool WorkerSession::EnsureStarted(WorkerOutcome* outcome) {
  if (client_) return true;
  WorkerLaunchOptions launch;
  launch.executable = options_.worker_executable;
  launch.argv = argv_;
  launch.slot_capacity = max_len_;
  std::string error;
  client_ = launcher_.Launch(launch, &error);
  if (!client_) {
    Printf("ERROR: cannot start a worker: %s\n", error.c_str());
    outcome->broken = true;
    return false;
  }
  forwarder_.Add(0, client_->stderr_fd());
  shoal::proto::Request init_request;
  auto* init = init_request.mutable_init();
  init->set_max_len(max_len_);
  init->set_seed(WorkerSeed(seed_, 0, restarts_++));
  shoal::proto::Response response;
  if (client_->Call(init_request, &response, &error) != CallResult::kOk) {
    *outcome = CollectDeath();
    outcome->broken = !outcome->died;
    return false;
  }
  return true;
}

DeadWorker CollectDeadWorker(WorkerClient& client, StderrForwarder& forwarder, int index) {
  client.Close();
  forwarder.WaitForEof(index, 3000);
  DeadWorker dead;
  dead.death.wait_status = client.wait_status();
  dead.death.slot_kind = client.slot().FailureKind();
  dead.input = client.slot().Current();
  dead.ran_anything = client.slot().generation() > 0;
  dead.request_position = client.slot().RequestPosition();
  dead.output = forwarder.Tail(index);
  return dead;
}

WorkerOutcome WorkerSession::CollectDeath() {
  WorkerOutcome outcome;
  DeadWorker dead = CollectDeadWorker(*client_, forwarder_, 0);
  const WorkerDeath& death = dead.death;
  outcome.wait_status = death.wait_status;
  outcome.input = std::move(dead.input);
  bool clean = WIFEXITED(death.wait_status) && WEXITSTATUS(death.wait_status) == 0;
  outcome.died = !clean || !death.slot_kind.empty();
  outcome.kind = ClassifyDeath(death);
  outcome.signature = CrashSignature(outcome.kind, dead.output, death.wait_status);
  outcome.exit_code =
      ExitCodeFor(outcome.kind, death, options_.error_exitcode, options_.timeout_exitcode);
  client_.reset();
  return outcome;
}

WorkerOutcome WorkerSession::Run(const shoal::proto::Request& request) {
  WorkerOutcome outcome;
  if (!EnsureStarted(&outcome)) return outcome;
  std::string error;
  CallResult result = client_->Call(request, &outcome.response, &error);
  if (result == CallResult::kOk) return outcome;
  outcome = CollectDeath();
  if (!outcome.died) {
    if (!quiet_) Printf("ERROR: the worker %s\n", error.c_str());
    outcome.broken = true;
  }
  return outcome;
}

WorkerOutcome WorkerSession::RunInput(const Bytes& input) {
  shoal::proto::Request request;
  request.mutable_run_inputs()->add_inputs()->set_data(input.data(), input.size());
  return Run(request);
}

}  // namespace fuzzer
