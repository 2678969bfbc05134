// The Fuzzer's side of the input-to-state stage (i2s_stage.h) and of checksum repair
// (checksum_repair.h): when the stage takes a turn of the fuzz loop, running its steps with
// the compare log on, and repairing checksums after mutations. Worker / in-process engine.
#include <cstring>

#include "runtime/common/log.h"
#include "runtime/engine/fuzzer.h"

namespace fuzzer {
namespace {

// Fuzz-loop turns without stage work after which an old unit gets the stage again
// (colourised differently, with the compares its mutants reach by now).
constexpr size_t kOldUnitInterval = 4096;

}  // namespace

void Fuzzer::QueueForStage(const uint8_t* data, size_t size, const std::string& sha1) {
  if (stage_ && !(stage_skips_seeds_ && !fuzzing_started_)) stage_->Enqueue(data, size, sha1);
}

bool Fuzzer::StageTakesTurn() {
  if (!stage_ || corpus_.empty()) return false;
  // The first call starts the count, so seed runs are not counted as mutations.
  if (stage_accounted_runs_ == SIZE_MAX) stage_accounted_runs_ = total_runs_;
  if (!stage_->HasWork()) {
    if (++turns_without_stage_ < kOldUnitInterval) return false;
    turns_without_stage_ = 0;
    InputInfo& old_unit = corpus_.ChooseInputToMutate(*rand_);
    stage_->Enqueue(old_unit.bytes.data(), old_unit.bytes.size(), old_unit.sha1);
  }
  // The runs since the budget last looked were mutations (the stage's own are added by
  // RunStageStep). Only now: a fast target whose stage has no work pays nothing per turn.
  stage_budget_.AddMutationRuns(total_runs_ - stage_accounted_runs_, mutation_finds_unaccounted_);
  stage_accounted_runs_ = total_runs_;
  mutation_finds_unaccounted_ = 0;
  return stage_budget_.StageMayTakeTurn();
}

void Fuzzer::RunStageStep() {
  InputToStateStage::Step step;
  if (!stage_->Next(*rand_, &step)) return;
  const size_t size = std::min(step.input->size(), mutation_buffer_.size());
  if (size) memcpy(mutation_buffer_.data(), step.input->data(), size);
  parent_sha1_ = *step.base_sha1;
  dispatcher_->StartMutationSequence();
  dispatcher_->RecordStageStep(step.label);

  const size_t runs_before = total_runs_;
  CmpLog& log = Coverage().cmp_log();
  RunResult result;
  if (step.trace) {
    log.Start(step.trace_site ? CmpLog::Mode::kTarget : CmpLog::Mode::kAll, step.trace_site);
    hash_features_ = true;
    result = RunOne(mutation_buffer_.data(), size, true, nullptr);
    hash_features_ = false;
    log.Stop();
    stage_->Finish(features_hash_, &log);
  } else {
    // Colouring must see the path of the coloured input itself, never of a repaired one;
    // an edit is worth repairing like any mutant.
    hash_features_ = true;
    result = step.label == StageStep::kColourise
                 ? RunOne(mutation_buffer_.data(), size, true, nullptr)
                 : RunWithChecksumRepair(mutation_buffer_.data(), size, nullptr);
    hash_features_ = false;
    stage_->Finish(features_hash_, nullptr);
  }
  TryDetectingAMemoryLeak(mutation_buffer_.data(), size);
  stage_budget_.AddStageRuns(total_runs_ - runs_before, result == kNew && run_found_new_edges_);
  stage_accounted_runs_ = total_runs_;
  // The stage only appends checksums: adopt the ones not seen yet.
  const std::vector<ChecksumField>& found = stage_->checksums();
  for (; options_.checksum_repair && checksums_adopted_ < found.size(); checksums_adopted_++) {
    const ChecksumField& field = found[checksums_adopted_];
    if (checksum_repair_.Add(field, &log) && options_.verbosity >= 2)
      Printf("INFO: input-to-state: checksum compare at %p (%u bytes%s) will be repaired\n",
             reinterpret_cast<void*>(field.site), unsigned(field.width),
             field.big_endian ? ", big-endian" : "");
  }
  if (result != kNothing) ReportNewUnit(result, mutation_buffer_.data(), size);
}

Fuzzer::RunResult Fuzzer::RunWithChecksumRepair(uint8_t* data, size_t size, InputInfo* parent) {
  CmpLog& log = Coverage().cmp_log();
  const bool watch = !checksum_repair_.empty();
  for (size_t repairs = 0;; repairs++) {
    if (watch) log.Start(CmpLog::Mode::kWatched);
    RunResult result = RunOne(data, size, true, parent);
    if (watch) log.Stop();
    // A run budget (-runs, a worker's request) is never overrun by repairs.
    if (result != kNothing || !watch || repairs == ChecksumRepair::kMaxRepairsPerInput ||
        total_runs_ >= budget_end_runs_)
      return result;
    if (!checksum_repair_.RepairFirst(log, data, size)) return result;
    dispatcher_->RecordStageStep(StageStep::kChecksumRepair);
  }
}

}  // namespace fuzzer
