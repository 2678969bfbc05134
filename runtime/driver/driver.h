// The driver: what `main` of a Shoal-linked fuzz target runs, in the process the user started.
// It calls LLVMFuzzerInitialize, parses flags (runtime/common/flags.def), prints libFuzzer's
// start-up lines and dispatches to a mode (fuzz, reproduce files, ...).
// Include rule for runtime/driver/: anything in runtime/ and proto/ (it is the top layer).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fuzzer {

using UserCallback = int (*)(const uint8_t* data, size_t size);

int FuzzerDriver(int* argc, char*** argv, UserCallback callback);

}  // namespace fuzzer
