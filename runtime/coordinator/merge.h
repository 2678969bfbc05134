// -merge=1 / -set_cover_merge=1 (runs in the coordinator): libFuzzer's crash-resistant,
// resumable corpus merge, with the inputs run in worker processes so that a crashing or
// hanging input only costs a worker restart, never the merge.
#pragma once

#include <string>
#include <vector>

#include "runtime/common/flags.h"

namespace fuzzer {

// dirs[0] is the output corpus; returns the process exit code.
int RunMerge(const Flags& flags, const std::vector<std::string>& argv, size_t num_workers,
             unsigned seed, const std::vector<std::string>& dirs);

}  // namespace fuzzer
