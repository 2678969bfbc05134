// Text renderings of inputs that libFuzzer prints and tools parse (used by the coordinator
// and by the worker's crash path): Base64, the "0x48,0x49," hex dump, the escaped ASCII
// line, and human-readable sizes ("6b", "17Kb").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzzer {

// libFuzzer prints an input's hex dump, ASCII line and Base64 only up to this size.
constexpr size_t kMaxUnitSizeToPrint = 256;

std::string Base64(const uint8_t* data, size_t size);
// "0x48,0x49,0x21," (every byte, comma-terminated).
std::string HexBytes(const uint8_t* data, size_t size);
// Printable bytes as is, '\\' and '"' escaped, others as \ooo octal.
std::string EscapedAscii(const uint8_t* data, size_t size);
// libFuzzer's corpus-size format: <16 KiB as "Nb", <16 MiB as "NKb", else "NMb".
std::string FormatSize(size_t bytes);

}  // namespace fuzzer
