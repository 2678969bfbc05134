// Planted bug: a 40-byte leak (new int[10] never freed) when the input starts with
// "LK". Needs LeakSanitizer (ASan build): expect "ERROR: LeakSanitizer: detected
// memory leaks", a leak-<sha1> artifact and exit 77.
// Defensive: the in-process leak check scans the stack conservatively, so a stale
// copy of the pointer in a dead frame (ours or the allocator's) could hide the
// leak; allocation happens in a noinline helper and the dead stack is zeroed.
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_sink;

__attribute__((noinline)) static void Leak() {
  g_sink = new int[10];
  g_sink = nullptr;  // drop the only reference: now unreachable
}

__attribute__((noinline)) static void ScrubDeadStack() {
  volatile char scratch[16384];
  for (size_t i = 0; i < sizeof(scratch); i++) scratch[i] = 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 'L' && data[1] == 'K') {
    Leak();
    ScrubDeadStack();
  }
  return 0;
}
