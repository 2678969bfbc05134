// StageBudget (stage_budget.h): the input-to-state stage's adaptive share of the runs.
// Worker / in-process engine.
#include "runtime/engine/stage_budget.h"

#include <algorithm>

namespace fuzzer {
namespace {

// Priors, in runs: the mutations' yield starts as if they had found kMutationPriorFinds in
// kMutationPriorRuns; the stage's starts at the mutations' yield, with the weight of
// kStagePriorRuns runs, so that a fresh stage gets kParityShare and a few hundred fruitless runs
// bring it down, however rare finds have become by then.
constexpr double kMutationPriorRuns = 250;
constexpr double kMutationPriorFinds = 0.25;
constexpr double kStagePriorRuns = 500;
// Finds in the window the stage needs before it gets all of a share above parity: a ratio
// learned from one or two lucky finds (on a target where mutations find almost nothing) would
// otherwise give it up to three times the parity share for a whole window.
constexpr double kFindsForFullRaise = 16;

}  // namespace

double StageBudget::Share() const {
  const double mutation_yield =
      (mutation_finds_ + kMutationPriorFinds) / (mutation_runs_ + kMutationPriorRuns);
  const double stage_yield =
      (stage_finds_ + kStagePriorRuns * mutation_yield) / (stage_runs_ + kStagePriorRuns);
  // Squared: a stage that finds a third as much per run as mutations gets a ninth of the
  // parity share, since its runs would find more as mutations (and cost more: they trace);
  // one that finds 1.5 times as much gets 2.25 times the parity share.
  double ratio = stage_yield / mutation_yield;
  if (ratio > 1) ratio = 1 + (ratio - 1) * std::min(1.0, stage_finds_ / kFindsForFullRaise);
  return std::clamp(kParityShare * ratio * ratio, kMinShare, kMaxShare);
}

void StageBudget::AddMutationRuns(size_t runs, size_t finds) {
  // Each ordinary run earns the stage share / (1 - share) runs, so that the stage ends up
  // with `share` of all runs.
  const double share = Share();
  credit_ = std::min(kMaxCredit, credit_ + double(runs) * share / (1 - share));
  mutation_runs_ += double(runs);
  mutation_finds_ += double(finds);
  Decay(runs);
}

void StageBudget::AddStageRuns(size_t runs, bool found_new_edges) {
  credit_ -= double(runs);
  stage_runs_ += double(runs);
  stage_finds_ += found_new_edges ? 1 : 0;
  Decay(runs);
}

void StageBudget::Decay(size_t runs) {
  // Runs may come in large chunks (the fuzz loop adds a stretch without stage work at once).
  for (runs_since_decay_ += double(runs); runs_since_decay_ >= kWindowRuns;
       runs_since_decay_ -= kWindowRuns) {
    stage_runs_ /= 2;
    stage_finds_ /= 2;
    mutation_runs_ /= 2;
    mutation_finds_ /= 2;
  }
}

}  // namespace fuzzer
