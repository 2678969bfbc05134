// EngineReporter: where the engine's findings go. The Fuzzer calls it when it keeps a new unit
// and when an input fails, instead of asking which process it runs in. Runs in the process
// that runs the target (a worker, or the in-process engine). Implementations:
//   - Fuzzer::InProcessReporter (fuzzer_reporting.cc), the in-process engine's default:
//     libFuzzer's NEW/REDUCE lines, output-corpus files, artifacts;
//   - WorkerServer (runtime/worker/worker_server.*): each unit as a partial response to the
//     coordinator, a failure's kind in the shared input slot (the coordinator writes files);
//   - SilentReporter: reproduce mode, and reports at exit that are not about one input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common/input_slot.h"

namespace fuzzer {

class MutationDispatcher;

// A unit the engine just kept (its corpus took it as new or as a smaller parent).
struct KeptUnit {
  bool reduced = false;  // it replaced its parent (REDUCE) instead of adding features (NEW)
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::vector<uint32_t> features;  // every feature it reached; only if WantsAllFeatures()
  std::string mutation_sequence;   // libFuzzer's "MS:" text (verbose with -verbosity>=2)
  std::string mutation_names;      // the mutators' names, for the mutation graph
  std::string base_sha1;           // the corpus input it was mutated from
  size_t found_at_run = 0;
};

// An input that failed (or ran slowly): what an artifact block and file are made of.
struct FailingUnit {
  const char* kind = "";      // artifact kind: "crash-", "timeout-", "oom-", "leak-", ...
  InputSlot* slot = nullptr;  // holds the input (data(), size())
  const MutationDispatcher* dispatcher = nullptr;  // the input's mutation sequence
  bool verbose_sequence = false;                   // -verbosity>=2
  const std::string* base_sha1 = nullptr;
};

// libFuzzer's lines before an artifact's path: the mutation sequence, the base unit and the
// input's bytes (PrintUnitLines).
void PrintFailingUnitLines(const FailingUnit& unit);

// The interface. An implementation is not owned by the Fuzzer (Fuzzer::UseReporter) and must
// outlive its use, crash-time calls included.
class EngineReporter {
 public:
  virtual ~EngineReporter() = default;
  // Whether this process speaks for the whole run: pulse status lines, the final stat::
  // lines, -exit_on_src_pos and the mutation graph. A worker does not: its coordinator does.
  virtual bool SpeaksForTheRun() const { return true; }
  // Whether UnitKept needs KeptUnit::features (the engine runs the unit once more for them).
  virtual bool WantsAllFeatures() const { return false; }
  // On the fuzzing thread, between executions.
  virtual void UnitKept(const KeptUnit& unit) = 0;
  // On the crash path: from a signal handler, a sanitizer callback, the RSS thread or the
  // timer, once per process (AcquireCrashState decided who), with the heap possibly corrupt;
  // also for a slow unit. Only what the existing libFuzzer-style report does is allowed
  // here: formatted writes to the output fd, one file write, slot stores. No locks.
  virtual void FailingInput(const FailingUnit& unit) = 0;
};

// Reports nothing: reproduce mode writes no artifacts, and a leak report at exit is not about
// one input.
class SilentReporter final : public EngineReporter {
 public:
  void UnitKept(const KeptUnit&) override {}
  void FailingInput(const FailingUnit&) override {}
};

}  // namespace fuzzer
