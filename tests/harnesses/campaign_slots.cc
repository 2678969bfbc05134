// Harness for the shared-corpus campaign tests (tests/integration/campaign_test.cc), built
// Shoal-only and run by the coordinators and their workers: 32 independent slots picked by
// the first byte, each opened by its own 32-bit magic and then its own 16-bit one, with a
// per-slot loop whose trip count varies the hit-count features. The slots are found one by
// one over several seconds, in an order that depends on -seed, so two coordinators with
// different seeds keep finding what the other has not found yet.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

static volatile uint32_t g_sink;

template <int kSlot>
__attribute__((noinline)) static void Slot(const uint8_t* data, size_t size) {
  constexpr uint32_t kMagic = 0x9e3779b9u * (kSlot + 1) ^ 0x5bd1e995u;
  constexpr uint16_t kSecond = uint16_t(0x7f4a * (kSlot + 3) + 0x1d);
  if (size < 5) return;
  uint32_t word;
  memcpy(&word, data + 1, 4);
  if (word != kMagic) return;
  g_sink += kSlot;
  if (size < 7) return;
  uint16_t half;
  memcpy(&half, data + 5, 2);
  if (half != kSecond) return;
  g_sink += 2 * kSlot;
  for (size_t i = 7; i < size && i < 64; i++)
    if (data[i] == uint8_t(kSlot)) g_sink++;
}

template <int... kSlots>
static void Dispatch(const uint8_t* data, size_t size, int slot,
                     std::integer_sequence<int, kSlots...>) {
  ((slot == kSlots ? Slot<kSlots>(data, size) : void()), ...);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Dispatch(data, size, data[0] & 31, std::make_integer_sequence<int, 32>{});
  return 0;
}
