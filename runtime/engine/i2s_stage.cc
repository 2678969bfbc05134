// Implements i2s_stage.h. Worker / in-process engine, between executions.
#include "runtime/engine/i2s_stage.h"

#include <algorithm>
#include <cstring>

namespace fuzzer {
namespace {

constexpr size_t kMaxGroups = 8;  // "I2SCombined" runs per unit: all edits, then random halves
// Distance descent: compares per unit, coloured bytes it flips, passes and runs per unit.
constexpr size_t kMaxDescentCompares = 2;
constexpr size_t kMaxDescentPositions = 16;
constexpr size_t kMaxDescentPasses = 4;
constexpr size_t kMaxDescentRuns = 2048;
constexpr uint8_t kMaxDescentsPerSite = 2;

uint32_t MatchingBits(const CmpLogEntry& entry) {
  return entry.size * 8u - uint32_t(__builtin_popcountll(entry.arg1 ^ entry.arg2));
}

const CmpLogEntry* FindEntry(const CmpLog& log, const UnsolvedCompare& target) {
  for (size_t i = 0; i < log.size(); i++)
    if (log[i].site == target.site && log[i].hit == target.hit) return &log[i];
  return nullptr;
}

bool InRange(uint8_t c, uint8_t lo, uint8_t hi) { return c >= lo && c <= hi; }

}  // namespace

void InputToStateStage::Enqueue(const uint8_t* data, size_t size, const std::string& sha1) {
  if (options_.max_queue == 0) return;
  if (queue_.size() == options_.max_queue) queue_.pop_front();  // newer units go deeper
  queue_.emplace_back(Bytes(data, data + size), sha1);
}

void InputToStateStage::StartUnit() {
  original_.input = std::move(queue_.front().first);
  original_.log.clear();
  sha1_ = std::move(queue_.front().second);
  queue_.pop_front();
  if (original_.input.size() > options_.max_len) original_.input.resize(options_.max_len);
  samples_.clear();
  edits_.clear();
  phase_ = Phase::kTraceOriginal;
}

void InputToStateStage::StartColouring() {
  coloured_ = original_.input;
  ranges_.clear();
  colour_runs_ = 0;
  if (!original_.input.empty()) ranges_.push_back({0, original_.input.size()});
  phase_ = Phase::kColourise;
}

void InputToStateStage::Colour(Random& rand, const Bytes& from, const Bytes* avoid, size_t begin,
                               size_t end, Bytes* out) {
  *out = from;
  for (size_t i = begin; i < end; i++) {
    const uint8_t c = from[i];
    // Same class, so that a number stays a number, a word a word, a delimiter a delimiter
    // and white space white space: the parse (and with it the path) survives more often, and
    // ASCII fields get coloured too. Whether a byte may change at all is the path's to say.
    static const char kWhiteSpace[] = " \t\n\r\v\f";
    static const char kPunctuation[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    const char* members = nullptr;
    size_t count = 0;
    uint8_t lo = 0, hi = 255;
    if (InRange(c, '0', '9')) {
      lo = '0', hi = '9';
    } else if (InRange(c, 'a', 'z')) {
      lo = 'a', hi = 'z';
    } else if (InRange(c, 'A', 'Z')) {
      lo = 'A', hi = 'Z';
    } else if (c && strchr(kWhiteSpace, c)) {
      members = kWhiteSpace, count = sizeof(kWhiteSpace) - 1;
    } else if (c && strchr(kPunctuation, c)) {
      members = kPunctuation, count = sizeof(kPunctuation) - 1;
    }
    for (int attempt = 0; attempt < 16; attempt++) {
      const uint8_t pick =
          members ? uint8_t(members[rand(count)]) : uint8_t(lo + rand(size_t(hi - lo) + 1));
      if (pick == c || (avoid && pick == (*avoid)[i])) continue;
      (*out)[i] = pick;
      break;
    }
  }
}

std::vector<CmpLogEntry> InputToStateStage::CopyLog(const CmpLog& log) {
  std::vector<CmpLogEntry> entries(log.size());
  for (size_t i = 0; i < log.size(); i++) entries[i] = log[i];
  return entries;
}

bool InputToStateStage::Next(Random& rand, Step* step) {
  for (;;) {
    step->trace = false;
    step->trace_site = 0;
    step->base_sha1 = &sha1_;
    switch (phase_) {
      case Phase::kIdle:
        if (queue_.empty()) return false;
        StartUnit();
        continue;
      case Phase::kTraceOriginal:
      case Phase::kTraceOriginalAgain:
        step->input = &original_.input;
        step->trace = true;
        step->label = StageStep::kColourise;
        return true;
      case Phase::kColourise: {
        if (ranges_.empty() || colour_runs_ >= options_.max_colour_runs) {
          phase_ = Phase::kTraceColoured;
          continue;
        }
        trying_ = ranges_.back();
        ranges_.pop_back();
        Colour(rand, coloured_, nullptr, trying_.begin, trying_.end, &scratch_);
        if (scratch_ == coloured_) continue;  // nothing in the range can be coloured
        colour_runs_++;
        step->input = &scratch_;
        step->label = StageStep::kColourise;
        return true;
      }
      case Phase::kTraceColoured:
        if (coloured_ == original_.input) {
          Solve();
          continue;
        }
        step->input = &coloured_;
        step->trace = true;
        step->label = StageStep::kColourise;
        return true;
      case Phase::kTraceColouredAgain:
        // The same bytes coloured differently: a third sample to check learned transforms.
        // (All bytes are coloured once, then the ones the first colouring kept are put back.)
        Colour(rand, original_.input, &coloured_, 0, original_.input.size(), &scratch_);
        for (size_t i = 0; i < scratch_.size(); i++)
          if (coloured_[i] == original_.input[i]) scratch_[i] = original_.input[i];
        step->input = &scratch_;
        step->trace = true;
        step->label = StageStep::kColourise;
        return true;
      case Phase::kSingles:
        if (next_edit_ >= edits_.size()) {
          groups_left_ = options_.combine && edits_.size() >= 2 ? kMaxGroups : 0;
          phase_ = Phase::kCombined;
          continue;
        }
        ApplyReplacements(original_.input, {&edits_[next_edit_++]}, options_.max_len, &scratch_);
        step->input = &scratch_;
        step->label = StageStep::kI2S;
        return true;
      case Phase::kDescent:
        if (!NextDescentMove()) {
          if (!StartDescent()) phase_ = Phase::kIdle;
          continue;
        }
        step->input = &scratch_;
        step->trace = true;
        step->trace_site = descent_.target.site;
        step->label = StageStep::kCmpDescent;
        return true;
      case Phase::kCombined: {
        if (groups_left_ == 0) {
          phase_ = options_.descent && StartDescent() ? Phase::kDescent : Phase::kIdle;
          continue;
        }
        std::vector<const Replacement*> group;
        const bool all = groups_left_ == kMaxGroups;
        for (const Replacement& edit : edits_)
          if (all || rand.Bool()) group.push_back(&edit);
        groups_left_--;
        if (group.size() < 2) continue;
        if (ApplyReplacements(original_.input, group, options_.max_len, &scratch_) < 2) continue;
        step->input = &scratch_;
        step->label = StageStep::kI2SCombined;
        return true;
      }
    }
  }
}

void InputToStateStage::Finish(uint64_t features_hash, const CmpLog* log) {
  switch (phase_) {
    case Phase::kTraceOriginal:
      original_hash_ = features_hash;
      original_.log = log ? CopyLog(*log) : std::vector<CmpLogEntry>();
      phase_ = original_.log.empty() ? Phase::kIdle : Phase::kTraceOriginalAgain;
      return;
    case Phase::kTraceOriginalAgain: {
      // Keep the compares that came out the same: the others depend on something other
      // than the input (heap addresses of the input's copy, time) and would mislead.
      std::vector<CmpLogEntry> stable;
      for (size_t i = 0; log && i < original_.log.size() && i < log->size(); i++) {
        const CmpLogEntry& a = original_.log[i];
        const CmpLogEntry& b = (*log)[i];
        const bool same_bytes = a.kind != CmpKind::kBytes ||
                                (a.size == b.size && memcmp(a.bytes1, b.bytes1, a.size) == 0 &&
                                 memcmp(a.bytes2, b.bytes2, a.size) == 0);
        if (a.site == b.site && a.kind == b.kind && a.arg1 == b.arg1 && a.arg2 == b.arg2 &&
            same_bytes)
          stable.push_back(a);
      }
      original_.log = std::move(stable);
      if (features_hash != original_hash_ || original_.log.empty())
        phase_ = Phase::kIdle;  // not reproducible, or nothing to solve
      else
        StartColouring();
      return;
    }
    case Phase::kColourise:
      if (features_hash == original_hash_) {
        coloured_ = scratch_;
      } else if (trying_.end - trying_.begin > 1) {
        const size_t middle = trying_.begin + (trying_.end - trying_.begin) / 2;
        ranges_.push_back({middle, trying_.end});
        ranges_.push_back({trying_.begin, middle});  // the front half is tried first
      }
      return;
    case Phase::kTraceColoured:
      if (features_hash == original_hash_ && log) {
        samples_.push_back({coloured_, CopyLog(*log)});
        phase_ = Phase::kTraceColouredAgain;
      } else {
        Solve();  // not reproducible (a nondeterministic target): verbatim fields only
      }
      return;
    case Phase::kTraceColouredAgain:
      if (features_hash == original_hash_ && log) samples_.push_back({scratch_, CopyLog(*log)});
      Solve();
      return;
    case Phase::kDescent: {
      descent_runs_++;
      const CmpLogEntry* entry = log ? FindEntry(*log, descent_.target) : nullptr;
      // Same path, more bits right: keep the flips (a changed path ends the descent's use
      // of this candidate; if it was new coverage the engine kept it already).
      if (entry && features_hash == original_hash_ && MatchingBits(*entry) > descent_.best_bits) {
        descent_.best = scratch_;
        descent_.best_bits = MatchingBits(*entry);
        descent_.improved = true;
      }
      return;
    }
    case Phase::kIdle:
    case Phase::kSingles:
    case Phase::kCombined:
      return;
  }
}

bool InputToStateStage::StartDescent() {
  while (next_unsolved_ < unsolved_.size() && next_unsolved_ < kMaxDescentCompares &&
         descent_runs_ < kMaxDescentRuns) {
    const UnsolvedCompare target = unsolved_[next_unsolved_++];
    uint8_t& attempts = descents_per_site_[target.site];
    if (attempts >= kMaxDescentsPerSite) continue;
    attempts++;
    descent_ = Descent();
    descent_.target = target;
    descent_.best = original_.input;
    for (const auto& [compare, bits] : start_bits_)
      if (compare.site == target.site && compare.hit == target.hit) descent_.best_bits = bits;
    // A short input: every byte (a byte the colouring kept may still feed the compare, as
    // long as the path does not change); a longer one: the coloured bytes.
    const bool every_byte = original_.input.size() <= kMaxDescentPositions;
    for (size_t i = 0; i < original_.input.size() && i < coloured_.size(); i++)
      if ((every_byte || coloured_[i] != original_.input[i]) &&
          descent_.positions.size() < kMaxDescentPositions)
        descent_.positions.push_back(uint32_t(i));
    if (!descent_.positions.empty()) return true;
  }
  return false;
}

bool InputToStateStage::NextDescentMove() {
  if (descent_runs_ >= kMaxDescentRuns || descent_.target.site == 0) return false;
  const size_t n = descent_.positions.size();
  const size_t singles = n * 8;
  const size_t moves = singles + n * (n - 1) / 2 * 8;
  if (descent_.move == moves) {
    if (!descent_.improved || ++descent_.pass == kMaxDescentPasses) return false;
    descent_.move = 0;
    descent_.improved = false;
  }
  const size_t move = descent_.move++;
  scratch_ = descent_.best;
  if (move < singles) {
    scratch_[descent_.positions[move / 8]] ^= uint8_t(1u << (move % 8));
    return true;
  }
  // Pair number (move - singles) / 8, in the order (0,1), (0,2), ..., (1,2), ...
  size_t pair = (move - singles) / 8;
  const uint8_t bit = uint8_t(1u << ((move - singles) % 8));
  size_t first = 0;
  while (pair >= n - 1 - first) pair -= n - 1 - first++;
  scratch_[descent_.positions[first]] ^= bit;
  scratch_[descent_.positions[first + 1 + pair]] ^= bit;
  return true;
}

void InputToStateStage::Solve() {
  SolverLimits limits;
  limits.max_size = options_.max_len;
  SolverResult result = SolveInputToState(original_, samples_, limits);
  edits_ = std::move(result.replacements);
  unsolved_ = std::move(result.unsolved);
  next_unsolved_ = 0;
  descent_runs_ = 0;
  descent_ = Descent();
  start_bits_.clear();
  for (const UnsolvedCompare& compare : unsolved_)
    for (const CmpLogEntry& entry : original_.log)
      if (entry.site == compare.site && entry.hit == compare.hit)
        start_bits_.emplace_back(compare, MatchingBits(entry));
  for (const ChecksumField& field : result.checksums)
    if (std::find(checksums_.begin(), checksums_.end(), field) == checksums_.end())
      checksums_.push_back(field);
  samples_.clear();
  original_.log.clear();
  next_edit_ = 0;
  units_solved_++;
  phase_ = Phase::kSingles;
}

}  // namespace fuzzer
