// Implements encoding.h: the byte renderings in libFuzzer's artifact block and status lines.
#include "runtime/common/encoding.h"

#include <cstdio>

namespace fuzzer {

std::string Base64(const uint8_t* data, size_t size) {
  static const char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == size) {
    uint32_t v = uint32_t(data[i]) << 16;
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == size) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string HexBytes(const uint8_t* data, size_t size) {
  std::string out;
  char buf[8];
  for (size_t i = 0; i < size; i++) {
    snprintf(buf, sizeof(buf), "0x%x,", data[i]);
    out += buf;
  }
  return out;
}

std::string EscapedAscii(const uint8_t* data, size_t size) {
  std::string out;
  char buf[8];
  for (size_t i = 0; i < size; i++) {
    uint8_t byte = data[i];
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte == '"') {
      out += "\\\"";
    } else if (byte >= 32 && byte < 127) {
      out += char(byte);
    } else {
      snprintf(buf, sizeof(buf), "\\%03o", byte);
      out += buf;
    }
  }
  return out;
}

std::string FormatSize(size_t bytes) {
  char buf[32];
  if (bytes < (1 << 14))
    snprintf(buf, sizeof(buf), "%zub", bytes);
  else if (bytes < (1 << 24))
    snprintf(buf, sizeof(buf), "%zuKb", bytes >> 10);
  else
    snprintf(buf, sizeof(buf), "%zuMb", bytes >> 20);
  return buf;
}

}  // namespace fuzzer
