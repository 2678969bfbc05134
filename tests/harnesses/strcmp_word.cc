// Planted bug: abort() when a NUL-terminated copy of the input equals the word
// "FuzzW0rd" (strcmp). Only reachable through the strcmp interceptor / weak hook
// (__sanitizer_weak_hook_strcmp). Reported as a deadly signal (77).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8 || size > 64) return 0;
  std::string copy(reinterpret_cast<const char*>(data), size);  // adds the NUL
  if (strcmp(copy.c_str(), "FuzzW0rd") == 0) abort();
  return 0;
}
