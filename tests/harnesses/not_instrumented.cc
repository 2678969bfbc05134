// Helper target built with all SanitizerCoverage instrumentation turned off
// (-fno-sanitize-coverage=...). Expect no "INFO: Loaded" lines and
// "ERROR: no interesting inputs were found. Is the code instrumented for
// coverage? Exiting." with exit code 1.
#include <cstddef>
#include <cstdint>

static volatile int g_sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 'x') g_sink = 1;
  return 0;
}
