// ClusterFuzz's exit_fuzzer, rewritten for these tests: on an input of 8 bytes or more the
// target calls _exit($EXIT_FUZZER_CODE) (default 1). A libFuzzer process then ends with that
// code, printing nothing more and writing no artifact (its exit() hook never runs on _exit);
// ClusterFuzz's engine tests expect exactly that.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  if (size >= 8) {
    const char* code = getenv("EXIT_FUZZER_CODE");
    _exit(code ? atoi(code) : 1);
  }
  return 0;
}
