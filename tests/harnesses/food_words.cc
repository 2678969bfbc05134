// Helper for ClusterFuzz's merge tests (its engine_test's analyze_dict_fuzzer does the same):
// one branch per word found anywhere in the input ("APPLE", "GINGER", "BEET"), and nothing
// else depends on the bytes or the size. So "APPLE" (5 bytes) and "APPLEO" (6 bytes) reach
// exactly the same features, and a merge must keep the smaller one. Runs in the fuzzed process
// (a Shoal worker or libFuzzer's process); never crashes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

static volatile int g_found;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // strstr needs a NUL-terminated copy; the words are found wherever they are.
  std::string text(reinterpret_cast<const char*>(data), size);
  int found = 0;
  if (strstr(text.c_str(), "APPLE")) found |= 1;
  if (strstr(text.c_str(), "GINGER")) found |= 2;
  if (strstr(text.c_str(), "BEET")) found |= 4;
  g_found = found;
  return 0;
}
