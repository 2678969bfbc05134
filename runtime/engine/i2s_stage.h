// InputToStateStage: the schedule of the input-to-state stage for one corpus unit at a time,
// as a state machine that hands the engine one input to run per step, so that the stage is
// interleaved with ordinary mutations and stops and resumes at any run budget (a worker's
// request ends wherever its run budget ends; -workers=1 and -workers=0 stay on one path).
// Runs in the worker and the in-process engine; the Fuzzer drives it (fuzzer_i2s.cc).
//
// For a unit O it (1) runs O twice with the compare log on, and drops the compares whose
// operands differ between the two (pointers, clocks: noise); (2) colourises O: replaces ranges of
// bytes with random bytes of the same class (digit, letter, other) and keeps every range
// whose run keeps O's features, halving the ranges that do not (REDQUEEN's colourisation);
// (3) runs the coloured input and a second, differently coloured one with the log on;
// (4) solves (i2s_solver.h); (5) runs each edit alone ("I2S"), then all together and in
// random groups ("I2SCombined"), so that compares that must hold at once are solved at once;
// (6) for a compare against a constant that follows the coloured bytes through no known
// encoding, a bit-level descent on its distance: flips single bits, then the same bit of two
// bytes at once, of the coloured bytes, keeping each flip that makes more of the compare's
// bits match ("CmpDescent"; pairs solve ((a ^ K1) | (b ^ K2)) == 0, where a bit of the result
// only clears once both inputs' bits are right).
// Checksum compares it finds are handed to the ChecksumRepair (checksum_repair.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/random.h"
#include "runtime/engine/cmp_log.h"
#include "runtime/engine/i2s_solver.h"
#include "runtime/engine/mutation_dispatcher.h"

namespace fuzzer {

struct InputToStateOptions {
  bool combine = true;            // -i2s_combine: the grouped replacements
  bool descent = true;            // -i2s_descent: the distance descent
  size_t max_len = 4096;          // edits never grow an input past it
  size_t max_colour_runs = 256;   // colourisation runs per unit, at most
  size_t max_queue = 256;         // units waiting for the stage; older ones are dropped
};

class InputToStateStage {
 public:
  explicit InputToStateStage(const InputToStateOptions& options) : options_(options) {}
  // Edits never make an input longer than this (the engine's -max_len, known after seeds).
  void set_max_len(size_t max_len) { options_.max_len = max_len; }

  // Queues a corpus unit (copied) for the stage.
  void Enqueue(const uint8_t* data, size_t size, const std::string& sha1);
  // Whether a unit is queued or being worked on.
  bool HasWork() const { return phase_ != Phase::kIdle || !queue_.empty(); }
  size_t QueueSize() const { return queue_.size(); }

  struct Step {
    const Bytes* input = nullptr;  // valid until the next call
    bool trace = false;            // run it with the compare log on (CmpLog::Mode::kAll)
    uintptr_t trace_site = 0;      // if set, log only this site (CmpLog::Mode::kTarget)
    StageStep label = StageStep::kI2S;
    const std::string* base_sha1 = nullptr;  // the unit being worked on
  };
  // The next input to run; false when there is no work. Call Finish() with its result
  // before the next call.
  bool Next(Random& rand, Step* step);
  // The result of the step's run: a hash of its features, and its compare log if it traced.
  void Finish(uint64_t features_hash, const CmpLog* log);

  // Checksum compares found so far (new ones appended; never removed).
  const std::vector<ChecksumField>& checksums() const { return checksums_; }
  // Solver calls and replacements so far (for tests and -verbosity).
  size_t units_solved() const { return units_solved_; }

 private:
  enum class Phase : uint8_t {
    kIdle,
    kTraceOriginal,
    kTraceOriginalAgain,
    kColourise,
    kTraceColoured,
    kTraceColouredAgain,
    kSingles,
    kCombined,
    kDescent,
  };
  // The distance descent on one unsolved compare.
  struct Descent {
    UnsolvedCompare target;
    Bytes best;
    uint32_t best_bits = 0;
    std::vector<uint32_t> positions;  // the coloured bytes it may flip
    size_t pass = 0;
    size_t move = 0;  // next single (position, bit) or pair (positions, bit) of this pass
    bool improved = false;
  };
  struct Range {
    size_t begin, end;
  };

  void StartUnit();
  // Sets descent_ up for the next unsolved compare; false when none is left.
  bool StartDescent();
  // The descent's next candidate into scratch_; false when its passes are over.
  bool NextDescentMove();
  void StartColouring();
  void Solve();
  // Bytes of `from` in [begin, end) replaced with random bytes of the same class that differ
  // from both `from` and `avoid` (when given).
  static void Colour(Random& rand, const Bytes& from, const Bytes* avoid, size_t begin,
                     size_t end, Bytes* out);
  static std::vector<CmpLogEntry> CopyLog(const CmpLog& log);

  InputToStateOptions options_;
  std::deque<std::pair<Bytes, std::string>> queue_;
  Phase phase_ = Phase::kIdle;

  // The unit being worked on.
  TracedRun original_;  // the unit and its compare log
  std::string sha1_;
  uint64_t original_hash_ = 0;
  Bytes coloured_;                // the best colouring so far
  std::vector<Range> ranges_;     // still to try, largest last
  Range trying_{0, 0};
  size_t colour_runs_ = 0;
  std::vector<TracedRun> samples_;  // coloured inputs with their logs
  std::vector<Replacement> edits_;
  size_t next_edit_ = 0;
  size_t groups_left_ = 0;
  std::vector<UnsolvedCompare> unsolved_;
  std::vector<std::pair<UnsolvedCompare, uint32_t>> start_bits_;  // matching bits in O
  size_t next_unsolved_ = 0;
  size_t descent_runs_ = 0;
  // Descents started per compare site over the whole run: a site no descent solved twice is
  // left to the fuzz loop (and the distance feedback), so real parsers with many such
  // compares do not spend their runs on it.
  std::map<uintptr_t, uint8_t> descents_per_site_;
  Descent descent_;
  Bytes scratch_;

  std::vector<ChecksumField> checksums_;
  size_t units_solved_ = 0;
};

}  // namespace fuzzer
