// Planted bug behind checksum-protected records (issue 9, class 4): a sequence of records
// [1 length byte][4 + (length & 7) payload bytes][checksum of the length byte and the
// payload], each verified
// before the next is read; abort() once I2S_RECORDS records (default 3) are valid and the
// last one's payload starts with "BUG!". The check of that payload is reached only with a
// valid checksum, and writing "BUG!" breaks it: the repair must land in the same execution
// as the mutation (libFuzzer's CMP table alone can fix a checksum, but not both at once).
// I2S_MODE picks the checksum (default 1):
//   1: CRC-32 (zlib's), stored little-endian
//   2: Adler-32, stored big-endian (as zlib stores it)
//   3: 16-bit sum of the bytes plus 0x5A5A, stored little-endian
// (The length byte is checksummed too and the sum does not start at 0, so that no input of
// all-equal bytes passes by accident: CRC-32 of four 0xFF bytes is 0xFFFFFFFF.)
// Run by the fuzzing process (worker or in-process engine) for every input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifndef I2S_MODE
#define I2S_MODE 1
#endif
#ifndef I2S_RECORDS
#define I2S_RECORDS 3
#endif

namespace {

#if I2S_MODE == 1
struct Crc32Table {
  uint32_t entries[256];
  Crc32Table() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
      entries[i] = c;
    }
  }
};
const Crc32Table kCrc;

uint32_t Checksum(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = kCrc.entries[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}
constexpr size_t kStored = 4;
uint32_t Stored(const uint8_t* p) { return uint32_t(p[0]) | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
#elif I2S_MODE == 2
uint32_t Checksum(const uint8_t* p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; i++) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}
constexpr size_t kStored = 4;
uint32_t Stored(const uint8_t* p) { return uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
#else
uint32_t Checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0x5A5A;
  for (size_t i = 0; i < n; i++) sum += p[i];
  return sum & 0xFFFF;
}
constexpr size_t kStored = 2;
uint32_t Stored(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t pos = 0;
  const uint8_t* last_payload = nullptr;
  for (int record = 0; record < I2S_RECORDS; record++) {
    if (pos >= size) return 0;
    const size_t length = 4 + (data[pos] & 7);
    if (pos + 1 + length + kStored > size) return 0;
    if (Checksum(data + pos, 1 + length) != Stored(data + pos + 1 + length)) return 0;
    last_payload = data + pos + 1;
    pos += 1 + length + kStored;
  }
  if (memcmp(last_payload, "BUG!", 4) == 0) abort();
  return 0;
}
