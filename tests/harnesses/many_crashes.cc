// Target with sixteen distinct crashes: an input whose first byte is 'A'..'P' crashes in one
// of sixteen different functions (sixteen stack signatures), so a keep-going run collects
// sixteen unique crashes, each minimised at the end (within -max_total_time).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#define CRASH_FUNCTION(n) \
  __attribute__((noinline)) void Crash##n(const uint8_t* data) { \
    if (data[1] == 'X') abort(); \
  }
CRASH_FUNCTION(0) CRASH_FUNCTION(1) CRASH_FUNCTION(2) CRASH_FUNCTION(3)
CRASH_FUNCTION(4) CRASH_FUNCTION(5) CRASH_FUNCTION(6) CRASH_FUNCTION(7)
CRASH_FUNCTION(8) CRASH_FUNCTION(9) CRASH_FUNCTION(10) CRASH_FUNCTION(11)
CRASH_FUNCTION(12) CRASH_FUNCTION(13) CRASH_FUNCTION(14) CRASH_FUNCTION(15)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  void (*crashes[16])(const uint8_t*) = {Crash0, Crash1, Crash2,  Crash3,  Crash4,  Crash5,
                                         Crash6, Crash7, Crash8,  Crash9,  Crash10, Crash11,
                                         Crash12, Crash13, Crash14, Crash15};
  if (data[0] >= 'A' && data[0] <= 'P') crashes[data[0] - 'A'](data);
  return 0;
}
