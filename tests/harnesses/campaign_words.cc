// Harness for the four-coordinator campaign test (tests/integration/campaign_test.cc), built
// Shoal-only and run by the coordinators and their workers: 8 slots picked by the first byte,
// each opened by its own 4-byte word (a memcmp, so the CMP mutator finds it) and then a loop
// whose count of the slot's byte varies the hit-count features. Its coverage is reachable:
// one worker covers every edge within about 100k-300k runs (whatever the seed), while
// features keep coming for longer, so coordinators sharing a directory have finds to take
// and runs with generous -runs budgets end with the same, full, coverage.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

static volatile uint32_t g_sink;

template <int kSlot>
__attribute__((noinline)) static void Slot(const uint8_t* data, size_t size) {
  static const char kWord[4] = {char('a' + kSlot % 26), char('A' + kSlot * 7 % 26),
                                char('0' + kSlot % 10), char('a' + kSlot * 11 % 26)};
  if (size < 5 || memcmp(data + 1, kWord, 4) != 0) return;
  g_sink += kSlot;
  for (size_t i = 5; i < size && i < 24; i++)
    if (data[i] == uint8_t(kSlot)) g_sink++;
}

template <int... kSlots>
static void Dispatch(const uint8_t* data, size_t size, int slot,
                     std::integer_sequence<int, kSlots...>) {
  ((slot == kSlots ? Slot<kSlots>(data, size) : void()), ...);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Dispatch(data, size, data[0] % 8, std::make_integer_sequence<int, 8>{});
  return 0;
}
