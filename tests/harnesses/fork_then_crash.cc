// Hostile target: on an input starting with "FK" it starts a child that leaves the worker's
// process group and session (setsid) and sleeps, holding every descriptor the worker had,
// then crashes. The worker's pipes never reach EOF; the coordinator must see the death by
// the worker's pid, report the crash at once as a crash (not a timeout), and leave no
// process behind.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'F' && data[1] == 'K') {
    if (fork() == 0) {
      setsid();
      sleep(300);
      _exit(0);
    }
    abort();
  }
  return 0;
}
