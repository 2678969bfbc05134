// Unit tests for StageBudget (engine, worker side): the input-to-state stage's share of the
// runs starts at the parity share, falls to the floor when the stage finds nothing while
// mutations still do, rises to the most when the stage finds more per run, and never takes a
// long burst after an idle period.
#include "runtime/engine/stage_budget.h"

#include <gtest/gtest.h>

namespace fuzzer {
namespace {

// A simulated fuzz loop: each turn the stage runs one input if it may, otherwise mutations
// run a sequence of 5. Every `mutation_find_every`-th mutation run finds new edges, and so
// does every `stage_find_every`-th stage run (0: never). Returns the stage's share of runs.
double SimulateShare(StageBudget& budget, size_t total_runs, size_t mutation_find_every,
                     size_t stage_find_every) {
  size_t runs = 0, stage_runs = 0, mutation_runs = 0;
  while (runs < total_runs) {
    if (budget.StageMayTakeTurn()) {
      stage_runs++;
      budget.AddStageRuns(1, stage_find_every && stage_runs % stage_find_every == 0);
      runs++;
    } else {
      size_t finds = 0;
      for (int i = 0; i < 5; i++)
        if (++mutation_runs % mutation_find_every == 0) finds++;
      budget.AddMutationRuns(5, finds);
      runs += 5;
    }
  }
  return double(stage_runs) / double(runs);
}

TEST(StageBudgetTest, AFreshBudgetGivesTheParityShareAndAStartAllowance) {
  StageBudget budget;
  EXPECT_DOUBLE_EQ(budget.Share(), StageBudget::kParityShare);
  for (int i = 0; i < int(StageBudget::kStartCredit); i++) {
    ASSERT_TRUE(budget.StageMayTakeTurn()) << i;
    budget.AddStageRuns(1, false);
  }
  EXPECT_FALSE(budget.StageMayTakeTurn());
}

TEST(StageBudgetTest, AFruitlessStageFallsToTheFloor) {
  StageBudget budget;
  const double share = SimulateShare(budget, 2000000, 1000, 0);
  EXPECT_DOUBLE_EQ(budget.Share(), StageBudget::kMinShare);
  // Over the whole run, including the start allowance and the time the yields took to
  // tell the stage apart: little more than the floor.
  EXPECT_LT(share, 0.02);
  EXPECT_GT(share, StageBudget::kMinShare * 0.9);
}

TEST(StageBudgetTest, AStageThatFindsMoreGetsTheMost) {
  StageBudget budget;
  const double share = SimulateShare(budget, 2000000, 1000, 300);
  EXPECT_DOUBLE_EQ(budget.Share(), StageBudget::kMaxShare);
  EXPECT_NEAR(share, StageBudget::kMaxShare, 0.01);
}

TEST(StageBudgetTest, AStageThatFindsAsMuchGetsTheParityShare) {
  StageBudget budget;
  const double share = SimulateShare(budget, 2000000, 1000, 1000);
  EXPECT_NEAR(budget.Share(), StageBudget::kParityShare, StageBudget::kParityShare / 4);
  EXPECT_NEAR(share, StageBudget::kParityShare, StageBudget::kParityShare / 4);
}

TEST(StageBudgetTest, AStageThatFindsHalfAsMuchGetsAQuarterOfTheParityShare) {
  StageBudget budget;
  SimulateShare(budget, 2000000, 1000, 2000);
  EXPECT_NEAR(budget.Share(), StageBudget::kParityShare / 4, StageBudget::kParityShare / 10);
}

TEST(StageBudgetTest, TheShareFollowsTheRecentWindow) {
  StageBudget budget;
  SimulateShare(budget, 1000000, 1000, 0);
  ASSERT_LT(budget.Share(), 2 * StageBudget::kMinShare);
  // The stage starts finding again (e.g. the mutations reached a new format), 20 times as
  // much per run as mutations: it is back to the most within a few windows.
  SimulateShare(budget, 1000000, 1000, 50);
  EXPECT_DOUBLE_EQ(budget.Share(), StageBudget::kMaxShare);
}

TEST(StageBudgetTest, AnIdleStageSavesUpAtMostTheCreditCap) {
  StageBudget budget;
  // A million mutation runs while the stage had no work: no burst of a hundred thousand.
  for (int i = 0; i < 200000; i++) budget.AddMutationRuns(5, 0);
  size_t burst = 0;
  while (budget.StageMayTakeTurn()) {
    budget.AddStageRuns(1, false);
    burst++;
  }
  EXPECT_LE(burst, size_t(StageBudget::kMaxCredit) + 1);
  EXPECT_GT(burst, 0u);
}

}  // namespace
}  // namespace fuzzer
