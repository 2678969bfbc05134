// Implements worker_server.h. Runs in a worker process.
#include "runtime/worker/worker_server.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "runtime/common/files.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/input_slot.h"
#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/common/sha1.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/failure_handlers.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
namespace {

// The least time between two copies of the auto-dictionary in Fuzz replies (which come every
// 200 ms); the last copy is asked for separately when the run ends.
constexpr auto kAutoDictionaryReportInterval = std::chrono::seconds(2);

}  // namespace

WorkerServer::WorkerServer(const WorkerEndpoint& endpoint, const FuzzingOptions& options,
                           Fuzzer* fuzzer, Random* rand)
    : endpoint_(endpoint),
      options_(options),
      fuzzer_(fuzzer),
      rand_(rand),
      report_mutation_stats_(options.print_corpus_stats),
      reply_split_bytes_(kFrameSplitSize),
      dictionary_checked_at_(std::chrono::steady_clock::now()) {
  if (const char* split = getenv(kReplySplitEnvironmentVariable))
    reply_split_bytes_ = std::max<size_t>(1, strtoull(split, nullptr, 10));
}

int WorkerServer::Serve() {
  std::string payload;
  for (;;) {
    FrameStatus status = ReadFrame(endpoint_.request_fd, &payload);
    if (status == FrameStatus::kClosed) return 0;  // the coordinator asked us to exit
    shoal::proto::Request request;
    if (status != FrameStatus::kOk || !request.ParseFromString(payload)) {
      // The coordinator only sends whole, valid frames: the target broke the channel.
      Printf("ERROR: shoal worker %d: unreadable request (%s); the target may have closed or "
             "written to the worker's descriptors\n",
             endpoint_.index,
             status == FrameStatus::kOk ? "bytes that do not parse" : FrameStatusText(status));
      return kWorkerChannelBrokenExitCode;
    }
    shoal::proto::Response response = Handle(request);
    if (!Send(response)) return channel_broken_ ? kWorkerChannelBrokenExitCode : 0;
  }
}

bool WorkerServer::Send(const shoal::proto::Response& response) {
  FrameStatus status = WriteFrame(endpoint_.response_fd, response.SerializeAsString());
  if (status == FrameStatus::kOk) return true;
  // EPIPE: the coordinator is gone (this worker exits quietly). Anything else: the target
  // closed or replaced the descriptor.
  if (status != FrameStatus::kClosed) {
    channel_broken_ = true;
    Printf("ERROR: shoal worker %d: cannot send a response (%s); the target may have closed "
           "the worker's descriptors\n",
           endpoint_.index, FrameStatusText(status));
  }
  return false;
}

void WorkerServer::FillStats(shoal::proto::WorkerStats* stats) const {
  stats->set_total_runs(fuzzer_->total_runs());
  stats->set_peak_rss_mb(PeakRssMb());
  stats->set_length_limit(fuzzer_->length_limit());
  stats->set_slowest_unit_sec(fuzzer_->slowest_unit_seconds());
}

void WorkerServer::ReportMutationStats(shoal::proto::FuzzResponse* response) {
  Corpus& corpus = fuzzer_->corpus();
  for (size_t i = 0; i < corpus.size(); i++) {
    InputInfo& input = corpus[i];
    size_t executed = input.num_executed_mutations - input.reported_executed_mutations;
    size_t successful = input.num_successful_mutations - input.reported_successful_mutations;
    if (!executed && !successful) continue;
    auto* stats = response->add_mutation_stats();
    stats->set_sha1(input.sha1);
    stats->set_executed(executed);
    stats->set_successful(successful);
    input.reported_executed_mutations = input.num_executed_mutations;
    input.reported_successful_mutations = input.num_successful_mutations;
  }
}

void WorkerServer::FillAutoDictionary(shoal::proto::AutoDictionary* out) const {
  for (const DictionaryEntry& entry :
       fuzzer_->mutation_dispatcher().persistent_auto_dictionary().entries()) {
    auto* word = out->add_words();
    word->set_word(entry.word.data(), entry.word.size());
    word->set_uses(entry.use_count);
  }
}

void WorkerServer::MaybeReportAutoDictionary(shoal::proto::FuzzResponse* response) {
  const auto now = std::chrono::steady_clock::now();
  if (now - dictionary_checked_at_ < kAutoDictionaryReportInterval) return;
  dictionary_checked_at_ = now;
  // Outside the fuzz loop, at most every 2 s: one pass over at most Dictionary::kCapacity
  // entries, and a copy only when something changed.
  const std::vector<DictionaryEntry>& entries =
      fuzzer_->mutation_dispatcher().persistent_auto_dictionary().entries();
  uint64_t uses = 0;
  for (const DictionaryEntry& entry : entries) uses += entry.use_count;
  if (entries.size() == reported_dictionary_size_ && uses == reported_dictionary_uses_) return;
  FillAutoDictionary(response->mutable_auto_dictionary());
  reported_dictionary_size_ = entries.size();
  reported_dictionary_uses_ = uses;
}

shoal::proto::Response WorkerServer::Handle(const shoal::proto::Request& request) {
  shoal::proto::Response response;
  switch (request.kind_case()) {
    case shoal::proto::Request::kInit: {
      const auto& init = request.init();
      if (init.max_len()) fuzzer_->set_max_input_len(init.max_len());
      if (init.rng_state_size() == 4)
        rand_->set_state({init.rng_state(0), init.rng_state(1), init.rng_state(2),
                          init.rng_state(3)});
      else
        rand_->Reseed(init.seed());
      announce_artifacts_ = init.announce_artifacts();
      if (init.replacement()) fuzzer_->set_stage_skips_seeds(true);
      if (!empty_input_done_) {
        fuzzer_->RunEmptyInput(init.count_empty_input_run());
        empty_input_done_ = true;
      }
      response.mutable_init()->set_pid(uint64_t(getpid()));
      response.mutable_init()->set_num_counters(Coverage().NumCounters());
      FillStats(response.mutable_init()->mutable_stats());
      break;
    }
    case shoal::proto::Request::kRunInputs: {
      auto* out = response.mutable_run_inputs();
      out->set_first_position(0);
      InputSlot* slot = fuzzer_->input_slot();
      std::vector<uint32_t> features;
      Bytes file_data;
      const auto& inputs = request.run_inputs().inputs();
      size_t out_bytes = 0;
      for (int i = 0; i < inputs.size(); i++) {
        if (out_bytes >= reply_split_bytes_) {
          // Inputs with many features each (90k and more) would make one reply for the whole
          // chunk exceed the frame limit: what is done so far goes out as a partial reply.
          FillStats(out->mutable_stats());
          response.set_partial(true);
          if (!Send(response)) _exit(channel_broken_ ? kWorkerChannelBrokenExitCode : 0);
          response.Clear();
          out = response.mutable_run_inputs();
          out->set_first_position(uint64_t(i));
          out_bytes = 0;
        }
        auto* result = out->add_results();
        const uint8_t* data = reinterpret_cast<const uint8_t*>(inputs[i].data().data());
        size_t size = inputs[i].data().size();
        if (inputs[i].has_path()) {
          if (!ReadFile(inputs[i].path(), &file_data, fuzzer_->max_input_len())) {
            result->set_unreadable(true);
            continue;
          }
          data = file_data.data();
          size = file_data.size();
        }
        // Set before the input goes into the slot, so a death while it runs is blamed on it.
        if (slot) slot->SetRequestPosition(uint64_t(i));
        fuzzer_->RunSeed(data, size, &features);
        result->mutable_features()->Add(features.begin(), features.end());
        out_bytes += features.size() * 4 + 8;
      }
      if (slot) slot->SetRequestPosition(InputSlot::kNoPosition);
      FillStats(out->mutable_stats());
      break;
    }
    case shoal::proto::Request::kFuzz: {
      const auto& fuzz = request.fuzz();
      size_t runs_before = fuzzer_->total_runs();
      fuzzer_->SetRunBudget(fuzz.max_runs());  // FuzzFor below continues it
      // The others' inputs count against the run budget too (so -runs=N stays exact). The
      // coordinator sends at most one per run of the budget, but an input's leak check may
      // take a second run: the ones the budget has no room for are left out (the budget ends
      // the whole run soon; the units are in the global corpus and on disk all the same).
      for (const std::string& input : fuzz.inputs_from_others()) {
        if (fuzz.max_runs() && fuzzer_->total_runs() - runs_before >= fuzz.max_runs()) break;
        fuzzer_->RunSeed(reinterpret_cast<const uint8_t*>(input.data()), input.size(), nullptr);
      }
      size_t used = fuzzer_->total_runs() - runs_before;
      // Each new unit goes out at once (UnitKept).
      if (!fuzz.max_runs() || used < fuzz.max_runs())
        fuzzer_->FuzzFor(fuzz.max_runs() ? fuzz.max_runs() - used : 0, fuzz.max_time_ms());
      fuzzer_->SetRunBudget(0);  // seeds and -reload files run outside the -runs budget
      FillStats(response.mutable_fuzz()->mutable_stats());
      if (report_mutation_stats_) ReportMutationStats(response.mutable_fuzz());
      MaybeReportAutoDictionary(response.mutable_fuzz());
      break;
    }
    case shoal::proto::Request::kAutoDictionary:
      FillAutoDictionary(response.mutable_auto_dictionary());
      break;
    case shoal::proto::Request::kMinimize: {
      const auto& minimize = request.minimize();
      Bytes input(minimize.input().begin(), minimize.input().end());
      response.mutable_minimize()->set_runs(
          fuzzer_->MinimizeCrashStep(input, minimize.max_runs(), minimize.max_time_ms()));
      break;
    }
    case shoal::proto::Request::kPing:
      response.mutable_ping()->set_pid(uint64_t(getpid()));
      break;
    case shoal::proto::Request::KIND_NOT_SET:
      response.set_error("empty request");
      break;
  }
  return response;
}

void WorkerServer::UnitKept(const KeptUnit& unit) {
  if (unit.size + unit.features.size() * 4 > kMaxFrameSize - (1 << 20)) {
    Printf(
        "WARNING: shoal worker %d: a new unit of %zd bytes is too large to send to "
        "the coordinator; it is not kept\n",
        endpoint_.index, unit.size);
    return;
  }
  shoal::proto::Response progress;
  progress.set_partial(true);
  auto* added = progress.mutable_fuzz()->add_new_inputs();
  added->set_data(unit.data, unit.size);
  for (uint32_t feature : unit.features) added->add_features(feature);
  added->set_mutation_sequence(unit.mutation_sequence);
  added->set_mutation_names(unit.mutation_names);
  added->set_base_sha1(unit.base_sha1);
  added->set_found_at_run(unit.found_at_run);
  FillStats(progress.mutable_fuzz()->mutable_stats());
  if (!Send(progress)) _exit(channel_broken_ ? kWorkerChannelBrokenExitCode : 0);
}

void WorkerServer::FailingInput(const FailingUnit& unit) {
  unit.slot->SetFailureKind(unit.kind);
  PrintFailingUnitLines(unit);
  // This process never writes files: the coordinator writes this one from the slot after
  // this process is gone. It may announce it first, so the lines keep libFuzzer's order.
  if (!announce_artifacts_) return;
  const uint8_t* data = unit.slot->data();
  size_t size = unit.slot->size();
  unit.slot->SetArtifactAnnounced();
  PrintArtifactWritten(options_.artifact_prefix,
                       options_.ArtifactPath(unit.kind, Sha1Hex(data, size)));
  PrintBase64Line(data, size);
}

int RunWorker(const WorkerEndpoint& endpoint, const FuzzingOptions& options, Fuzzer* fuzzer,
              Random* rand) {
  // The coordinator owns Ctrl-C, SIGTERM and SIGUSR1/2 and stops workers by closing their
  // pipes (a worker's options do not handle them either). The worker keeps its own RSS check
  // (it can print the heap profile); the coordinator's, with some headroom, catches what that
  // one cannot.
  signal(SIGINT, SIG_IGN);
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);
  std::unique_ptr<InputSlot> slot = InputSlot::Attach(endpoint.slot_fd);
  if (!slot) {
    Printf("ERROR: shoal worker %d: cannot map the shared input slot\n", endpoint.index);
    return 1;
  }
  fuzzer->set_max_input_len(slot->capacity());
  fuzzer->UseInputSlot(std::move(slot));
  WorkerServer server(endpoint, options, fuzzer, rand);
  fuzzer->UseReporter(&server);
  InstallFailureHandlers(fuzzer, options);
  // The coordinator resolved -focus_function already (and stopped if it could not).
  if (options.focus_function) Coverage().SetFocusFunction(options.focus_function->c_str());
  int code = server.Serve();
  fuzzer->ReportNothingMore();  // leaks at exit are not about one input
  return code;
}

}  // namespace fuzzer
