// StageBudget: how many of the fuzz loop's runs the input-to-state stage (i2s_stage.h) may
// take, adapted to what the stage finds. Runs in the worker and the in-process engine; the
// Fuzzer asks it before each turn of the loop (fuzzer_i2s.cc).
//
// Why adaptive: on targets the stage helps (magic values, checksums, size fields) its runs
// find new coverage several times as often as ordinary mutations, and should get their full
// share; on targets it does not help (most of a JSON parser once its keywords are known) every
// run it takes is a run lost, and the issue allows those targets at most 5% fewer executions.
// So the share follows the stage's yield (runs that found new edges, per run) relative to the
// mutations' yield, between kMinShare and kMaxShare, over a recent window of runs: a tenth of
// the runs when both find as much per run, more when the stage finds more (on stb_image its
// runs find about twice as much; up to kMaxShare), less when it finds less.
//
// Deterministic: it counts runs and finds, never time, so a -seed reproduces the schedule.
#pragma once

#include <cstddef>

namespace fuzzer {

class StageBudget {
 public:
  // The stage's share of the runs when it finds as much per run as mutations do; the most it
  // gets when it finds more (a 30% share is reached at 1.7 times the mutations' yield: the
  // rest stays with mutations, which find the units the stage works on); and the floor it
  // keeps when it finds nothing (so it still notices when it helps again).
  static constexpr double kParityShare = 0.10;
  static constexpr double kMaxShare = 0.30;
  static constexpr double kMinShare = 0.01;
  // Runs the stage may use before any share applies (the first units are solved at once),
  // and the most runs it may save up while it has no work (so it never takes a long burst).
  static constexpr double kStartCredit = 256;
  static constexpr double kMaxCredit = 1024;
  // Yields are counted over about this many recent runs (counts halve each time it passes).
  static constexpr double kWindowRuns = 1 << 16;

  // Ordinary (mutation) runs, and how many of them found new edges. Called only when the
  // stage has work, with every run since the last call (it divides: not once per run).
  void AddMutationRuns(size_t runs, size_t finds);
  // Runs the stage took for one step, and whether its input found new edges.
  void AddStageRuns(size_t runs, bool found_new_edges);
  // Whether the stage may take the next turn (it has credit left).
  bool StageMayTakeTurn() const { return credit_ > 0; }
  // The share of runs the stage gets now, in [kMinShare, kMaxShare].
  double Share() const;

 private:
  void Decay(size_t runs);

  double credit_ = kStartCredit;
  // Recent runs and finds of each side. The priors make both yields equal before any data,
  // so a fresh run starts at kMaxShare.
  double stage_runs_ = 0, stage_finds_ = 0;
  double mutation_runs_ = 0, mutation_finds_ = 0;
  double runs_since_decay_ = 0;
};

}  // namespace fuzzer
