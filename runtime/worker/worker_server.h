// WorkerServer: the RPC server of a worker process (the fuzz target's own binary, re-executed
// by the coordinator). It reads one Request at a time from the request pipe, runs it on the
// worker's Fuzzer and writes one Response; it returns when the coordinator closes the request
// pipe (the signal to exit). It never writes files: a failing input stays in the shared input
// slot, where the coordinator reads it after this process dies.
// Include rule for runtime/worker/: common/, engine/ and proto/ only; nothing from
// coordinator/ or driver/.
#pragma once

#include <string>

#include "proto/worker.pb.h"
#include "runtime/common/worker_endpoint.h"
#include "runtime/engine/fuzzer.h"

namespace fuzzer {

// Overrides kFrameSplitSize for RunInputs replies (bytes), so that tests can make a worker
// split its replies without inputs of tens of thousands of features each.
constexpr char kReplySplitEnvironmentVariable[] = "SHOAL_REPLY_SPLIT_BYTES";

class WorkerServer {
 public:
  // `report_mutation_stats`: -print_corpus_stats, so each Fuzz response carries how often
  // each corpus input was mutated since the last one.
  WorkerServer(const WorkerEndpoint& endpoint, Fuzzer* fuzzer, Random* rand,
               bool report_mutation_stats = false);
  // Serves until the request pipe closes; returns the process exit code (0, or
  // kWorkerChannelBrokenExitCode when the channel broke under it).
  int Serve();

 private:
  shoal::proto::Response Handle(const shoal::proto::Request& request);
  // Writes one response frame; false if the channel is gone (sets channel_broken_ unless the
  // coordinator closed it).
  bool Send(const shoal::proto::Response& response);
  void FillStats(shoal::proto::WorkerStats* stats) const;
  void ReportMutationStats(shoal::proto::FuzzResponse* response);

  WorkerEndpoint endpoint_;
  Fuzzer* fuzzer_;
  Random* rand_;
  bool report_mutation_stats_;
  bool empty_input_done_ = false;
  bool channel_broken_ = false;
  size_t reply_split_bytes_;  // RunInputs results go out in frames of about this size
};

// Serves as a worker with `fuzzer` (called by the driver when kWorkerEnvironmentVariable is
// set): maps the shared slot, installs the worker's failure handlers, serves requests.
int RunWorker(const WorkerEndpoint& endpoint, const FuzzingOptions& options, Fuzzer* fuzzer,
              Random* rand);

}  // namespace fuzzer
