// SHA-1 (FIPS 180-4) for corpus and artifact names; see sha1.h for why it is hand-written.
#include "runtime/common/sha1.h"

#include <cstring>

namespace fuzzer {
namespace {

uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void ProcessBlock(const uint8_t block[64], uint32_t h[5]) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t(block[4 * i]) << 24) | (uint32_t(block[4 * i + 1]) << 16) |
           (uint32_t(block[4 * i + 2]) << 8) | uint32_t(block[4 * i + 3]);
  for (int i = 16; i < 80; i++) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    uint32_t temp = Rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

}  // namespace

void ComputeSha1(const uint8_t* data, size_t size, uint8_t digest[kSha1DigestSize]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t full_blocks = size / 64;
  for (size_t i = 0; i < full_blocks; i++) ProcessBlock(data + 64 * i, h);
  uint8_t tail[128] = {};
  size_t rest = size - full_blocks * 64;
  if (rest) memcpy(tail, data + full_blocks * 64, rest);
  tail[rest] = 0x80;
  size_t tail_size = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(size) * 8;
  for (int i = 0; i < 8; i++) tail[tail_size - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t off = 0; off < tail_size; off += 64) ProcessBlock(tail + off, h);
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) digest[4 * i + j] = uint8_t(h[i] >> (24 - 8 * j));
}

void Sha1Hex(const uint8_t* data, size_t size, char out[kSha1HexSize + 1]) {
  static const char kHex[] = "0123456789abcdef";
  uint8_t digest[kSha1DigestSize];
  ComputeSha1(data, size, digest);
  for (size_t i = 0; i < kSha1DigestSize; i++) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  out[kSha1HexSize] = 0;
}

std::string Sha1Hex(const uint8_t* data, size_t size) {
  char hex[kSha1HexSize + 1];
  Sha1Hex(data, size, hex);
  return hex;
}

}  // namespace fuzzer
