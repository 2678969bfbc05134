// FloatConstants: harvesting float and double constants from the fuzz target binary's ELF
// read-only data, with the filter and ranking described in float_constants.h. Runs once per
// fuzzing process (worker or in-process engine) when fuzzing starts; never in the fuzz loop.
#include "runtime/engine/float_constants.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace fuzzer {
namespace {

// A section larger than this is not read (a sane .rodata is far smaller).
constexpr uint64_t kMaxSectionBytes = uint64_t{256} << 20;

bool IsTextOrNul(uint8_t byte) {
  return byte == 0 || (byte >= 0x20 && byte < 0x7f) || (byte >= '\t' && byte <= '\r');
}

bool AllTextOrNul(const uint8_t* bytes, size_t size) {
  for (size_t i = 0; i < size; i++)
    if (!IsTextOrNul(bytes[i])) return false;
  return true;
}

bool AllZero(const uint8_t* bytes, size_t size) {
  for (size_t i = 0; i < size; i++)
    if (bytes[i] != 0) return false;
  return true;
}

bool ReadAt(int fd, void* out, size_t size, uint64_t offset) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, static_cast<char*>(out) + done, size - done,
                            static_cast<off_t>(offset + done));
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool IsReadOnlyDataName(const char* name) {
  return strncmp(name, ".rodata", 7) == 0 || strncmp(name, ".lrodata", 8) == 0;
}

}  // namespace

bool FloatConstants::IsLikelyDouble(const uint8_t* bytes) {
  uint64_t bits;
  memcpy(&bits, bytes, 8);
  const uint64_t exponent = (bits >> 52) & 0x7ff;
  if (exponent == 0 || exponent == 0x7ff) return false;
  // Text, unless its low half is zero: a short mantissa (2.0, 100.0, 77.25) is a constant.
  return !AllTextOrNul(bytes, 8) || AllZero(bytes, 4);
}

bool FloatConstants::IsLikelyFloat(const uint8_t* bytes) {
  uint32_t bits;
  memcpy(&bits, bytes, 4);
  const uint32_t exponent = (bits >> 23) & 0xff;
  if (exponent == 0 || exponent == 0xff) return false;
  return !AllTextOrNul(bytes, 4) || AllZero(bytes, 2);
}

void FloatConstants::Add(double value, uint8_t width) {
  if (constants_.size() >= kMaxCandidates) return;
  uint64_t key;
  if (width == 4) {
    const float f = static_cast<float>(value);
    uint32_t bits;
    memcpy(&bits, &f, 4);
    key = bits;
  } else {
    memcpy(&key, &value, 8);
  }
  if (!(width == 4 ? seen_floats_ : seen_doubles_).insert(key).second) return;
  FloatConstant constant;
  constant.value = value;
  constant.width = width;
  constants_.push_back(constant);
}

void FloatConstants::AddFromBytes(const uint8_t* data, size_t size, uint64_t address) {
  const size_t first8 = static_cast<size_t>((8 - address % 8) % 8);
  for (size_t i = first8; i + 8 <= size; i += 8) {
    if (!IsLikelyDouble(data + i)) continue;
    windows_accepted_++;
    double value;
    memcpy(&value, data + i, 8);
    Add(value, 8);
  }
  const size_t first4 = static_cast<size_t>((4 - address % 4) % 4);
  for (size_t i = first4; i + 4 <= size; i += 4) {
    if (!IsLikelyFloat(data + i)) continue;
    windows_accepted_++;
    float value;
    memcpy(&value, data + i, 4);
    Add(static_cast<double>(value), 4);
  }
}

bool FloatConstants::AddFromElf(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = false;
  Elf64_Ehdr header;
  std::vector<Elf64_Shdr> sections;
  std::vector<char> names;
  std::vector<uint8_t> bytes;
  do {
    if (!ReadAt(fd, &header, sizeof(header), 0)) break;
    if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
        header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_shentsize != sizeof(Elf64_Shdr) ||
        header.e_shnum == 0 || header.e_shstrndx >= header.e_shnum)
      break;
    sections.resize(header.e_shnum);
    if (!ReadAt(fd, sections.data(), sections.size() * sizeof(Elf64_Shdr), header.e_shoff)) break;
    const Elf64_Shdr& strtab = sections[header.e_shstrndx];
    if (strtab.sh_size == 0 || strtab.sh_size > kMaxSectionBytes) break;
    names.resize(strtab.sh_size + 1, '\0');
    if (!ReadAt(fd, names.data(), strtab.sh_size, strtab.sh_offset)) break;
    ok = true;
    for (const Elf64_Shdr& section : sections) {
      if (section.sh_type != SHT_PROGBITS || !(section.sh_flags & SHF_ALLOC) ||
          (section.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) || section.sh_name >= strtab.sh_size ||
          !IsReadOnlyDataName(names.data() + section.sh_name) || section.sh_size == 0 ||
          section.sh_size > kMaxSectionBytes)
        continue;
      bytes.resize(section.sh_size);
      if (!ReadAt(fd, bytes.data(), bytes.size(), section.sh_offset)) continue;
      AddFromBytes(bytes.data(), bytes.size(), section.sh_addr);
    }
  } while (false);
  close(fd);
  return ok;
}

size_t ShortestFloatText(double value, size_t width, char* out) {
  const int max_precision = width == 4 ? 9 : 17;
  int length = 0;
  for (int precision = 1; precision <= max_precision; precision++) {
    length = snprintf(out, 30, "%.*g", precision, value);
    const double back = strtod(out, nullptr);
    if (width == 4 ? static_cast<float>(back) == static_cast<float>(value) : back == value) break;
  }
  return static_cast<size_t>(std::max(0, std::min(length, 29)));
}

// Significant decimal digits of a shortest text ("-0.00125e+7" -> 3).
size_t SignificantDigits(const char* text, size_t size) {
  size_t first = size, last = 0, count = 0;
  for (size_t i = 0; i < size && text[i] != 'e'; i++) {
    if (text[i] < '0' || text[i] > '9') continue;
    if (text[i] != '0') {
      if (first == size) first = count;
      last = count;
    }
    count++;
  }
  return first == size ? 0 : last - first + 1;
}

bool FloatConstants::IsPlausible(double value, size_t width, size_t digits) {
  const double magnitude = std::fabs(value);
  if (width == 8) return (magnitude >= 1e-20 && magnitude <= 1e20) || digits <= 9;
  return (magnitude >= 1e-10 && magnitude <= 1e10) || digits <= 4;
}

void FloatConstants::Finish(size_t max_count) {
  seen_doubles_.clear();
  seen_floats_.clear();
  std::vector<std::pair<size_t, size_t>> order;  // (significant digits, file order)
  order.reserve(constants_.size());
  for (size_t i = 0; i < constants_.size(); i++) {
    FloatConstant& constant = constants_[i];
    constant.text_size =
        static_cast<uint8_t>(ShortestFloatText(constant.value, constant.width, constant.text));
    const size_t digits = SignificantDigits(constant.text, constant.text_size);
    if (IsPlausible(constant.value, constant.width, digits)) order.emplace_back(digits, i);
  }
  std::stable_sort(order.begin(), order.end());
  if (order.size() > max_count) order.resize(max_count);
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::vector<FloatConstant> kept;
  kept.reserve(order.size());
  for (const auto& entry : order) kept.push_back(constants_[entry.second]);
  constants_.swap(kept);
}

const FloatConstants& HarvestedFloatConstants() {
  static const FloatConstants* const constants = [] {
    auto* harvested = new FloatConstants;
    harvested->AddFromElf("/proc/self/exe");
    harvested->Finish();
    return harvested;
  }();
  return *constants;
}

}  // namespace fuzzer
