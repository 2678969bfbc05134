// -minimize_crash=1 and -cleanse_crash=1 (coordinator side): libFuzzer's crash minimiser and
// cleanser, with every candidate run in a worker so that each failing candidate only costs a
// worker restart. Output lines are libFuzzer 14's (CRASH_MIN:, CLEANSE).
#pragma once

#include <string>
#include <vector>

#include "runtime/common/flags.h"

namespace fuzzer {

int RunMinimizeCrash(const Flags& flags, const std::vector<std::string>& argv, unsigned seed,
                     const std::vector<std::string>& inputs);
int RunCleanseCrash(const Flags& flags, const std::vector<std::string>& argv, unsigned seed,
                    const std::vector<std::string>& inputs);

}  // namespace fuzzer
