// ChecksumRepair: keeps the checksum compares the input-to-state stage recognised (one
// operand read verbatim from input bytes, the other computed from other bytes) and, after a
// run with those sites watched in the compare log, writes the computed value into the field
// of the first one that failed, in execution order. The engine runs the repaired input again,
// a bounded number of times, so a chain of records is repaired one by one (fuzzer_i2s.cc).
// Runs in the worker and the in-process engine, between executions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/engine/cmp_log.h"
#include "runtime/engine/i2s_solver.h"

namespace fuzzer {

class ChecksumRepair {
 public:
  // Most repairs of one input (each costs one more execution).
  static constexpr size_t kMaxRepairsPerInput = 4;
  static constexpr size_t kMaxFields = 64;

  // Adds a checksum compare and watches its site in `log`; returns false if it was known
  // already or the table is full.
  bool Add(const ChecksumField& field, CmpLog* log);
  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }

  // After a run logged with CmpLog::Mode::kWatched (or kAll): finds the first logged
  // checksum compare whose operands differ and whose stored value is in data (first
  // occurrence, in the learned width and byte order), and overwrites it with the computed
  // value. Returns whether data changed.
  bool RepairFirst(const CmpLog& log, uint8_t* data, size_t size) const;

 private:
  std::vector<ChecksumField> fields_;
};

}  // namespace fuzzer
