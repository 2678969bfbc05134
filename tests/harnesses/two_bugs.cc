// Two different planted bugs, for keep-going and crash deduplication: a NULL write in
// CrashA() when the input starts with "AB", and abort() in CrashB() when it starts with
// "XY". Each prefix byte opens a new edge, so both are found quickly and then found again
// and again; deduplication must keep exactly one artifact per bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

static volatile int* volatile g_null = nullptr;

__attribute__((noinline)) static void CrashA() { *g_null = 1; }
__attribute__((noinline)) static void CrashB() { abort(); }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  if (data[0] == 'A' && data[1] == 'B') CrashA();
  if (data[0] == 'X' && data[1] == 'Y') CrashB();
  return 0;
}
