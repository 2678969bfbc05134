// Hostile target, built without sanitizers: on an input starting with "HC" it writes past a
// malloc'ed block over the heap's top chunk, so the next malloc aborts inside glibc
// ("malloc(): corrupted top size") while holding the arena lock. A failure handler that
// allocates then deadlocks in its own death path; the coordinator must still end the run,
// keep the input, and leave no process behind.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

static void* volatile g_keep;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'H' && data[1] == 'C') {
    // Too large for glibc's per-thread caches and bins: carved from the top chunk, so the
    // top chunk's header follows it.
    char* block = static_cast<char*>(malloc(5000));
    g_keep = block;                  // (or the compiler drops the block and the write)
    memset(block, 0xff, 5000 + 16);  // over the top chunk's size
    g_keep = malloc(1 << 16);         // glibc notices, aborts with the arena lock held
  }
  return 0;
}
