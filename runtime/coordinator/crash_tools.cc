// Implements crash_tools.h. Runs in the coordinator.
#include "runtime/coordinator/crash_tools.h"

#include <algorithm>
#include <chrono>

#include "runtime/common/encoding.h"
#include "runtime/common/files.h"
#include "runtime/common/log.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/crash_report.h"
#include "runtime/coordinator/worker_session.h"
#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
namespace {

constexpr long kDefaultMinimizeSeconds = 600;

void PrintArtifactLines(const FuzzingOptions& options, const std::string& path, const Bytes& data) {
  PrintArtifactWritten(options.artifact_prefix, path);
  PrintBase64Line(data.data(), data.size());
}

}  // namespace

Bytes MinimizeFailingInput(WorkerSession* session, const FuzzingOptions& options, Bytes input,
                           std::string signature, size_t max_runs,
                           std::chrono::steady_clock::time_point deadline) {
  (void)options;
  while (input.size() > 1) {
    long left_ms = long(std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count());
    if (left_ms <= 0) break;
    shoal::proto::Request request;
    auto* minimize = request.mutable_minimize();
    minimize->set_input(input.data(), input.size());
    minimize->set_max_runs(max_runs);
    minimize->set_max_time_ms(uint64_t(left_ms));
    WorkerOutcome step = session->Run(request);
    if (step.broken || !step.died || step.input.empty() || step.input.size() >= input.size()) break;
    if (!signature.empty() && step.signature != signature) break;  // another bug
    input = step.input;
  }
  return input;
}

int RunMinimizeCrash(const FuzzingOptions& options, const std::vector<std::string>& argv,
                     const std::vector<std::string>& inputs) {
  if (inputs.size() != 1) {
    Printf("ERROR: -minimize_crash should be given one input file\n");
    return 1;
  }
  long max_total_time = long(options.max_total_time_sec);
  if (options.runs <= 0 && max_total_time <= 0) {
    Printf(
        "INFO: you need to specify -runs=N or -max_total_time=N with -minimize_crash=1\n"
        "INFO: defaulting to -max_total_time=%ld\n",
        kDefaultMinimizeSeconds);
    max_total_time = kDefaultMinimizeSeconds;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_total_time);
  std::string current_path = inputs[0];
  Bytes current;
  if (!ReadFile(current_path, &current)) {
    Printf("ERROR: could not read the input file '%s'\n", current_path.c_str());
    return 1;
  }
  WorkerSession session(options, argv, std::max<size_t>(current.size(), 1), options.seed);
  std::string first_signature;
  for (;;) {
    if (current.size() <= 1) {
      Printf("INFO: The input is small enough, exiting\n");
      return 0;
    }
    Printf("CRASH_MIN: minimizing crash input: '%s' (%zd bytes)\n", current_path.c_str(),
           current.size());
    WorkerOutcome check = session.RunInput(current);
    if (check.broken) return 1;
    if (!check.died) {
      Printf("ERROR: the input %s did not crash\n", current_path.c_str());
      return 1;
    }
    if (first_signature.empty()) first_signature = check.signature;
    Printf("CRASH_MIN: '%s' (%zd bytes) caused a crash. Will try to minimize it further\n",
           current_path.c_str(), current.size());
    long left_ms = long(std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count());
    if (max_total_time > 0 && left_ms <= 0) break;
    shoal::proto::Request request;
    auto* minimize = request.mutable_minimize();
    minimize->set_input(current.data(), current.size());
    minimize->set_max_runs(options.runs > 0 ? uint64_t(options.runs) : 0);
    minimize->set_max_time_ms(max_total_time > 0 ? uint64_t(left_ms) : 0);
    WorkerOutcome step = session.Run(request);
    if (step.broken) return 1;
    if (!step.died || step.input.empty() || step.input.size() >= current.size()) break;
    if (step.signature != first_signature) {
      Printf(
          "CRASH_MIN: mismatch in dedup tokens (looks like a different bug). Won't minimize "
          "further\n");
      break;
    }
    std::string path =
        options.ArtifactPath("minimized-from-", Sha1Hex(current.data(), current.size()));
    if (!WriteFileAtomically(path, step.input.data(), step.input.size())) {
      Printf("ERROR: failed to write '%s'\n", path.c_str());
      return 1;
    }
    PrintArtifactLines(options, path, step.input);
    Printf("*********************************\n");
    current = step.input;
    current_path = path;
  }
  Printf("CRASH_MIN: failed to minimize beyond %s (%zd bytes), exiting\n", current_path.c_str(),
         current.size());
  return 0;
}

int RunCleanseCrash(const FuzzingOptions& options, const std::vector<std::string>& argv,
                    const std::vector<std::string>& inputs) {
  if (inputs.size() != 1 || !options.exact_artifact_path) {
    Printf("ERROR: -cleanse_crash should be given one input file and -exact_artifact_path\n");
    return 1;
  }
  Bytes data;
  if (!ReadFile(inputs[0], &data)) {
    Printf("ERROR: could not read the input file '%s'\n", inputs[0].c_str());
    return 1;
  }
  // As libFuzzer's cleanse, which runs each candidate in a child whose output goes to
  // /dev/null, the workers are quiet: every attempt's crash report would otherwise be
  // printed, one per byte tried. The input itself is not checked first (libFuzzer does not
  // check it either): if it does not crash, no byte is replaced and no file is written.
  WorkerSession session(options, argv, std::max<size_t>(data.size(), 1), options.seed,
                        /*quiet=*/true);
  // Replace every byte that the crash does not need with ' ' or 0xff, in up to 5 passes.
  // libFuzzer prints the "Trying" line for every byte, even one that is already ' ' or 0xff,
  // and writes the output after each replacement, so an interrupted cleanse keeps its
  // progress.
  static const uint8_t kReplacements[] = {' ', 0xff};
  bool changed = true;
  for (int pass = 0; pass < 5 && changed; pass++) {
    changed = false;
    for (size_t i = 0; i < data.size(); i++) {
      Printf("CLEANSE[%d]: Trying to replace byte %zd of %zd\n", pass, i, data.size());
      uint8_t original = data[i];
      if (original == kReplacements[0] || original == kReplacements[1]) continue;
      for (uint8_t replacement : kReplacements) {
        data[i] = replacement;
        WorkerOutcome outcome = session.RunInput(data);
        if (outcome.broken) return 1;
        if (outcome.died) {
          changed = true;
          Printf("CLEANSE: Replaced byte %zd with 0x%x\n", i, replacement);
          if (!WriteFileAtomically(*options.exact_artifact_path, data.data(), data.size())) {
            Printf("ERROR: failed to write '%s'\n", options.exact_artifact_path->c_str());
            return 1;
          }
          break;
        }
        data[i] = original;
      }
    }
  }
  return 0;
}

}  // namespace fuzzer
