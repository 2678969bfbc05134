// Failure handlers of a process that runs the target (in-process engine or worker): deadly
// signals, SIGINT/SIGTERM/SIGUSR1/2/SIGXFSZ, the per-input timeout timer, the RSS-limit
// thread, sanitizer malloc hooks (malloc limit, leak heuristic, -trace_malloc), the sanitizer
// death callback and the exit() hook. They forward to the Fuzzer's crash-time methods.
#pragma once

#include "runtime/engine/fuzzer.h"

namespace fuzzer {

// Installs every handler for `fuzzer` (which must outlive the process's fuzzing). Global by
// nature: signal handlers and sanitizer callbacks take no context.
void InstallFailureHandlers(Fuzzer* fuzzer, const FuzzingOptions& options);

}  // namespace fuzzer
