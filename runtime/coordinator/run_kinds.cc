// Coordinator (coordinator.h): the two kinds of run (Coordinator::RunKind), chosen once by
// Run() or RunInputsOnly(), so that the worker loop, the death handling and the status line
// hold no "merge mode" branches. Runs in the coordinator process.
//
//   FuzzingRun     the global corpus feeds the search: a new input goes to the other workers,
//                  -exit_on_src_pos / -exit_on_item are checked, status lines show corp: and
//                  lim:, pulse lines follow the Fuzz replies (once the run is 2 s old), and
//                  the seeds are followed by INITED and fuzzing.
//   InputsOnlyRun  every input runs once and nothing else (-merge, -set_cover_merge): each
//                  result and failure goes to the caller's callbacks, nothing is shared or
//                  checked, status lines are libFuzzer's merge inner process's (pulse after
//                  results from the start, no corp: or lim:), and the end is one DONE line.
//
// Why objects and not a flag: the differences were one bool read in six places of four
// files, and each new step had to remember it. Here each kind is complete in one place, and a
// merge cannot reach fuzzing's sharing or exit checks at all. Both reuse the same WorkerPool,
// worker loop (worker_loop.cc) and death handling (worker_failures.cc, death_triage.cc).
#include <algorithm>
#include <utility>

#include "runtime/coordinator/coordinator.h"

namespace fuzzer {

class Coordinator::FuzzingRun final : public Coordinator::RunKind {
 public:
  void FillStatus(const Coordinator& c, StatusEvent event, StatusSnapshot* status) override
      REQUIRES(c.mutex_) {
    const Corpus& corpus = c.corpus_.corpus();
    status->show_corpus = !corpus.empty();
    size_t length_limit = c.pool_.LengthLimit();
    if (!length_limit && event == StatusEvent::kDone)
      // No worker fuzzed (e.g. -runs=0): the limit they would have started from.
      length_limit = c.options_.len_control
                         ? std::min(c.max_len_, std::max<size_t>(4, corpus.MaxInputSize()))
                         : c.max_len_;
    status->show_length_limit = (c.fuzzing_phase_ || event == StatusEvent::kDone) && length_limit;
    status->length_limit = length_limit;
  }

  void CorpusChanged(Coordinator& c, Worker* from, Span<uint8_t> data,
                     const GlobalCorpus::Change& change) override REQUIRES(c.mutex_) {
    // The other workers fuzz with it too.
    if (change.kind == GlobalCorpus::Change::kNew) c.pool_.Share(data, from);
    // Once the unit is written, as libFuzzer checks after reporting new coverage.
    ExitIfSourcePositionReached(c.options_, change.new_pcs, &c.corpus_.files());
    ExitIfItemInCorpus(c.options_, c.corpus_.corpus(), &c.corpus_.files());
  }

  void InputRan(Coordinator& c, const InputJob&, const std::vector<uint32_t>&) override
      REQUIRES(c.mutex_) {}  // a seed's part is the global corpus's
  // A failing seed is all the death handling's (lines, artifact, keep-going).
  void InputFailed(Coordinator& c, size_t) override REQUIRES(c.mutex_) {}
  void RunInputsReplyHandled(Coordinator& c) override REQUIRES(c.mutex_) {}  // no pulse on seeds

  void FuzzReplyHandled(Coordinator& c) override REQUIRES(c.mutex_) {
    if (pulse_.Due(c.TotalRuns(), [&c] { return SecondsSince(c.start_time_); }))
      c.PrintStatus(StatusEvent::kPulse);
  }

  void AllInputsRan(Coordinator& c) override REQUIRES(c.mutex_) { c.BeginFuzzing(); }
  void Finish(Coordinator& c) override EXCLUDES(c.mutex_) { c.EndFuzzing(); }

 private:
  // On the total run count, after each Fuzz reply; the coordinator's mutex_ guards it (every
  // method that uses it REQUIRES that lock).
  PulseTracker pulse_{PulseTracker::Counts::kInSteps, /*min_seconds=*/2};
};

class Coordinator::InputsOnlyRun final : public Coordinator::RunKind {
 public:
  InputsOnlyRun(InputResultFn on_result, InputFailureFn on_failure)
      : on_result_(std::move(on_result)), on_failure_(std::move(on_failure)) {}

  // libFuzzer's merge inner process shows neither corp: nor lim:.
  void FillStatus(const Coordinator& c, StatusEvent, StatusSnapshot*) override REQUIRES(c.mutex_) {}
  // The global corpus only counts cov: and ft: for the status lines: nothing is shared, and
  // -exit_on_* do not apply to inputs that are only run.
  void CorpusChanged(Coordinator& c, Worker*, Span<uint8_t>, const GlobalCorpus::Change&) override
      REQUIRES(c.mutex_) {}

  void InputRan(Coordinator& c, const InputJob& job, const std::vector<uint32_t>& features) override
      REQUIRES(c.mutex_) {
    if (on_result_) on_result_(job.id, features);
  }
  void InputFailed(Coordinator& c, size_t id) override REQUIRES(c.mutex_) {
    if (on_failure_) on_failure_(id);  // a merge records it as not finished
  }

  void RunInputsReplyHandled(Coordinator& c) override REQUIRES(c.mutex_) {
    if (pulse_.Due(c.TotalRuns(), [] { return 0.0; })) c.PrintStatus(StatusEvent::kPulse);
  }
  void FuzzReplyHandled(Coordinator& c) override REQUIRES(c.mutex_) {}  // never asked to fuzz

  void AllInputsRan(Coordinator& c) override REQUIRES(c.mutex_) {
    c.PrintStatus(StatusEvent::kDone);
    c.Stop(0);
  }
  void Finish(Coordinator& c) override EXCLUDES(c.mutex_) {}  // the caller prints the rest

 private:
  // Called from worker threads with the coordinator's mutex_ held, one at a time.
  const InputResultFn on_result_;
  const InputFailureFn on_failure_;
  // After each RunInputs reply, from the first run on; guarded by the coordinator's mutex_.
  PulseTracker pulse_{PulseTracker::Counts::kInSteps, /*min_seconds=*/0};
};

std::unique_ptr<Coordinator::RunKind> Coordinator::MakeFuzzingRun() {
  return std::make_unique<FuzzingRun>();
}

std::unique_ptr<Coordinator::RunKind> Coordinator::MakeInputsOnlyRun(InputResultFn on_result,
                                                                     InputFailureFn on_failure) {
  return std::make_unique<InputsOnlyRun>(std::move(on_result), std::move(on_failure));
}

}  // namespace fuzzer
