// -merge=1 / -set_cover_merge=1 (runs in the coordinator): libFuzzer's crash-resistant,
// resumable corpus merge, with the inputs run in worker processes so that a crashing or
// hanging input only costs a worker restart, never the merge.
#pragma once

#include <string>
#include <vector>

#include "runtime/common/fuzzing_options.h"

namespace fuzzer {

// dirs[0] is the output corpus; returns the process exit code.
// Its workers' RNG seeds come from options.seed.
int RunMerge(const FuzzingOptions& options, const std::vector<std::string>& argv,
             size_t num_workers, const std::vector<std::string>& dirs);

}  // namespace fuzzer
