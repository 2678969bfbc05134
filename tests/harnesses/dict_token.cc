// Planted bug: NULL write when the input contains the 13-byte token
// "SHOAL\xffTOKEN42" anywhere. The token is stored XOR-masked and matched
// branch-free (differences OR-ed into a volatile), so neither CMP tracing nor
// per-byte edges/hit counts reveal it: it is found only with -dict=dict_token.dict.
#include <cstddef>
#include <cstdint>

static volatile int* volatile g_null = nullptr;

static constexpr uint8_t kMask = 0xA5;
// "SHOAL\xffTOKEN42", each byte XOR kMask.
static const uint8_t kMaskedToken[] = {
    'S' ^ kMask, 'H' ^ kMask, 'O' ^ kMask, 'A' ^ kMask, 'L' ^ kMask, 0xff ^ kMask, 'T' ^ kMask,
    'O' ^ kMask, 'K' ^ kMask, 'E' ^ kMask, 'N' ^ kMask, '4' ^ kMask, '2' ^ kMask};
static constexpr size_t kTokenLen = sizeof(kMaskedToken);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kTokenLen) return 0;
  volatile uint8_t found = 0;  // volatile: stops the compiler turning this into memcmp/bcmp
  for (size_t pos = 0; pos + kTokenLen <= size; pos++) {
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < kTokenLen; i++)
      diff = diff | static_cast<uint8_t>(data[pos + i] ^ kMaskedToken[i] ^ kMask);
    found = found | static_cast<uint8_t>(diff == 0);
  }
  if (found) *g_null = 1;
  return 0;
}
