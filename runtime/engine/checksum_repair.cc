// Implements checksum_repair.h. Worker / in-process engine, between executions.
#include "runtime/engine/checksum_repair.h"

#include <algorithm>
#include <cstring>

#include "runtime/engine/integer_bytes.h"

namespace fuzzer {

bool ChecksumRepair::Add(const ChecksumField& field, CmpLog* log) {
  if (fields_.size() == kMaxFields ||
      std::find(fields_.begin(), fields_.end(), field) != fields_.end())
    return false;
  fields_.push_back(field);
  log->Watch(field.site);
  return true;
}

bool ChecksumRepair::RepairFirst(const CmpLog& log, uint8_t* data, size_t size) const {
  for (size_t i = 0; i < log.size(); i++) {
    const CmpLogEntry& entry = log[i];
    if (entry.kind == CmpKind::kBytes) continue;
    for (const ChecksumField& field : fields_) {
      if (field.site != entry.site || field.width > entry.size) continue;
      const unsigned bits = field.width * 8u;
      const uint64_t stored = LowBits(field.stored_arg == 1 ? entry.arg1 : entry.arg2, bits);
      const uint64_t computed = LowBits(field.stored_arg == 1 ? entry.arg2 : entry.arg1, bits);
      if (stored == computed) continue;
      uint8_t pattern[8], replacement[8];
      EncodeInteger(stored, field.width, field.big_endian, pattern);
      EncodeInteger(computed, field.width, field.big_endian, replacement);
      void* found = memmem(data, size, pattern, field.width);
      if (!found) continue;
      memcpy(found, replacement, field.width);
      return true;
    }
  }
  return false;
}

}  // namespace fuzzer
