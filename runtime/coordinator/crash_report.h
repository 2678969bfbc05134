// How the coordinator understands a worker's death: which kind of failure it was (from the
// worker's note in the shared slot, its exit status, or why the coordinator killed it), which
// exit code ends the run, and a signature of the top stack frames so that the same bug found
// twice in keep-going mode gives one artifact. Runs in the coordinator.
#pragma once

#include <string>

#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"

namespace fuzzer {

enum class FailureKind { kCrash, kTimeout, kOom, kLeak };

struct WorkerDeath {
  int wait_status = 0;
  std::string slot_kind;         // what the worker wrote before dying ("crash-", ...), or ""
  bool killed_for_rss = false;   // the coordinator's RSS monitor killed it
  bool killed_for_hang = false;  // the coordinator's watchdog killed it
  // The coordinator killed it because its report took too long (its death path hung).
  bool killed_while_dying = false;
};

// A failure a keep-going run survived, one per unique signature (the crash index's row, and
// what the end-of-run minimisation starts from).
struct UniqueCrash {
  FailureKind kind = FailureKind::kCrash;
  std::string signature;      // CrashSignature()
  int exit_code = 0;          // what libFuzzer would exit with
  Bytes input;                // the input it died on
  std::string artifact_path;  // where it was written
};

FailureKind ClassifyDeath(const WorkerDeath& death);
// The worker exited by itself, and none of its failure handlers said why: the target called
// _exit(), or it broke the worker's channel (closed or overwrote its descriptors). The input
// in the slot is then not known to be the culprit.
bool DiedWithNoReport(const WorkerDeath& death);
const char* ArtifactKind(FailureKind kind);  // "crash-", "timeout-", "oom-", "leak-"
// The exit code libFuzzer would use for this failure.
int ExitCodeFor(FailureKind kind, const WorkerDeath& death, int error_exitcode,
                int timeout_exitcode);
// A short, stable description of the failure from the worker's last output: the failure kind
// plus the first three stack frames that belong to the target (not to Shoal, the sanitizers
// or libc). Falls back to the SUMMARY line, then to the exit status.
std::string CrashSignature(FailureKind kind, const std::string& worker_output, int wait_status);

}  // namespace fuzzer
