// Planted "bug": the target SIGKILLs itself (as the kernel's OOM killer would) when the
// input starts with "KIL". No handler can run, so only the coordinator, reading the shared
// input slot after the worker is gone, can report the input.
#include <signal.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && data[0] == 'K')
    if (data[1] == 'I')
      if (data[2] == 'L') kill(getpid(), SIGKILL);
  return 0;
}
