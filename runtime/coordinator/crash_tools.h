// -minimize_crash=1 and -cleanse_crash=1 (coordinator side): libFuzzer's crash minimiser and
// cleanser, with every candidate run in a worker so that each failing candidate only costs a
// worker restart. Output lines are libFuzzer 14's (CRASH_MIN:, CLEANSE).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"

namespace fuzzer {

class WorkerSession;

// Shrinks a failing input while it keeps failing with `signature` (an empty signature
// accepts the first failure's), for at most max_runs per step / until deadline. Prints
// libFuzzer's CRASH_MIN lines when verbose. Returns the smallest failing input found.
Bytes MinimizeFailingInput(WorkerSession* session, const FuzzingOptions& options, Bytes input,
                           std::string signature, size_t max_runs,
                           std::chrono::steady_clock::time_point deadline);

// The run seed of their worker sessions is options.seed.
int RunMinimizeCrash(const FuzzingOptions& options, const std::vector<std::string>& argv,
                     const std::vector<std::string>& inputs);
int RunCleanseCrash(const FuzzingOptions& options, const std::vector<std::string>& argv,
                    const std::vector<std::string>& inputs);

}  // namespace fuzzer
