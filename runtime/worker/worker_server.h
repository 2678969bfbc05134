// WorkerServer: the RPC server of a worker process (the fuzz target's own binary, re-executed
// by the coordinator). It reads one Request at a time from the request pipe, runs it on the
// worker's Fuzzer and writes one Response; it returns when the coordinator closes the request
// pipe (the signal to exit). It is also the engine's reporter in a worker (EngineReporter):
// each unit the engine keeps goes out at once as a partial response, and a failing input's
// kind goes into the shared input slot. Its persistent auto-dictionary goes to the
// coordinator now and then in a Fuzz reply, and once more when the run ends, for the
// "Recommended dictionary" the coordinator prints. It never writes files: a failing input
// stays in the slot, where the coordinator reads it after this process dies.
// Include rule for runtime/worker/: common/, engine/ and proto/ only; nothing from
// coordinator/ or driver/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "proto/worker.pb.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/worker_endpoint.h"
#include "runtime/engine/engine_reporter.h"
#include "runtime/engine/fuzzer.h"

namespace fuzzer {

// Overrides kFrameSplitSize for RunInputs replies (bytes), so that tests can make a worker
// split its replies without inputs of tens of thousands of features each.
constexpr char kReplySplitEnvironmentVariable[] = "SHOAL_REPLY_SPLIT_BYTES";

class WorkerServer final : public EngineReporter {
 public:
  // With -print_corpus_stats each Fuzz response carries how often each corpus input was
  // mutated since the last one. `options` and `fuzzer` outlive the server.
  WorkerServer(const WorkerEndpoint& endpoint, const FuzzingOptions& options, Fuzzer* fuzzer,
               Random* rand);
  // Serves until the request pipe closes; returns the process exit code (0, or
  // kWorkerChannelBrokenExitCode when the channel broke under it).
  int Serve();

  // ---- EngineReporter (called by the Fuzzer) ----
  bool SpeaksForTheRun() const override { return false; }  // the coordinator does
  bool WantsAllFeatures() const override { return true; }  // the coordinator merges them
  // Sends the unit at once in a partial Fuzz response: if the target kills this process
  // later in the request, the coordinator has it already.
  void UnitKept(const KeptUnit& unit) override;
  // Crash path: the kind into the slot, libFuzzer's unit lines, and "Test unit written to"
  // for the file the coordinator will write (only when the Init request asked for it).
  void FailingInput(const FailingUnit& unit) override;

 private:
  shoal::proto::Response Handle(const shoal::proto::Request& request);
  // Writes one response frame; false if the channel is gone (sets channel_broken_ unless the
  // coordinator closed it).
  bool Send(const shoal::proto::Response& response);
  void FillStats(shoal::proto::WorkerStats* stats) const;
  void ReportMutationStats(shoal::proto::FuzzResponse* response);
  // The whole persistent auto-dictionary, in its order, with each word's use count.
  void FillAutoDictionary(shoal::proto::AutoDictionary* out) const;
  // Into a Fuzz request's final reply: the dictionary, if kAutoDictionaryReportInterval has
  // passed since the last look and it changed since it was last sent (so at most one copy
  // every 2 s).
  void MaybeReportAutoDictionary(shoal::proto::FuzzResponse* response);

  WorkerEndpoint endpoint_;
  const FuzzingOptions& options_;
  Fuzzer* fuzzer_;
  Random* rand_;
  bool report_mutation_stats_;
  bool empty_input_done_ = false;
  bool channel_broken_ = false;
  bool announce_artifacts_ = false;  // from the Init request; read on the crash path
  size_t reply_split_bytes_;  // RunInputs results go out in frames of about this size
  // What the auto-dictionary looked like when it was last sent (its size and the sum of its
  // use counts; both only grow), and when it was last looked at.
  size_t reported_dictionary_size_ = 0;
  uint64_t reported_dictionary_uses_ = 0;
  std::chrono::steady_clock::time_point dictionary_checked_at_;
};

// Serves as a worker with `fuzzer` (called by the driver when kWorkerEnvironmentVariable is
// set): maps the shared slot, installs the worker's failure handlers, serves requests.
int RunWorker(const WorkerEndpoint& endpoint, const FuzzingOptions& options, Fuzzer* fuzzer,
              Random* rand);

}  // namespace fuzzer
