// SHA-1 of a byte string, used by every process to name corpus files and artifacts the way
// libFuzzer does (`crash-<sha1>`). Hand-written and allocation-free because the worker's
// crash path calls it from signal handlers and sanitizer death callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzzer {

constexpr size_t kSha1DigestSize = 20;
constexpr size_t kSha1HexSize = 2 * kSha1DigestSize;

void ComputeSha1(const uint8_t* data, size_t size, uint8_t digest[kSha1DigestSize]);
// Writes 40 lowercase hex digits and a NUL into out (kSha1HexSize + 1 bytes).
void Sha1Hex(const uint8_t* data, size_t size, char out[kSha1HexSize + 1]);
std::string Sha1Hex(const uint8_t* data, size_t size);

}  // namespace fuzzer
