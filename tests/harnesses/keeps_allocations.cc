// Keeps every block it allocates (reachable, so not a leak), with a few branches on the first
// byte: every input mallocs more than it frees, so the engine's leak check runs each input a
// second time (counted as a run, as in libFuzzer). For the -runs budget tests: that second
// run must never take the total past -runs, whichever worker makes it.
#include <cstddef>
#include <cstdint>
#include <vector>

static std::vector<void*>* g_kept = new std::vector<void*>;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_kept->push_back(new char[1 + size % 8]);
  if (size > 0 && data[0] == 'k') g_kept->push_back(new char[2]);
  if (size > 1 && data[1] == 'e') g_kept->push_back(new char[3]);
  return 0;
}
