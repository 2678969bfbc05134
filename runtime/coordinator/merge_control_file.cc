// Implements merge_control_file.h. Runs in the coordinator.
#include "runtime/coordinator/merge_control_file.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "runtime/engine/coverage.h"

namespace fuzzer {

size_t MergeControl::FirstUnstarted() const {
  for (size_t i = 0; i < inputs.size(); i++)
    if (!inputs[i].started) return i;
  return inputs.size();
}

size_t MergeControl::NumStarted() const {
  size_t n = 0;
  for (const MergeInput& input : inputs) n += input.started;
  return n;
}

size_t MergeControl::LastFailure() const {
  for (size_t i = inputs.size(); i-- > 0;)
    if (inputs[i].started) return inputs[i].finished ? SIZE_MAX : i;
  return SIZE_MAX;
}

namespace {

// Reads the text one '\n'-terminated line at a time, without copying it.
class LineReader {
 public:
  explicit LineReader(const std::string& text) : text_(text) {}
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    *line = std::string_view(text_).substr(pos_, end - pos_);
    pos_ = end + 1;
    number_++;
    return true;
  }
  // How many lines are left, counted without allocating anything.
  size_t Remaining() const {
    if (pos_ >= text_.size()) return 0;
    size_t newlines = size_t(std::count(text_.begin() + ptrdiff_t(pos_), text_.end(), '\n'));
    return newlines + (text_.back() != '\n');
  }
  size_t number() const { return number_; }

 private:
  const std::string& text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) i++;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) i++;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// A plain decimal no larger than `max`; no sign, exponent or trailing junk, and no overflow
// (a 20-digit count must be refused, not wrapped or thrown).
bool ParseDecimal(std::string_view word, uint64_t max, uint64_t* out) {
  if (word.empty()) return false;
  uint64_t value = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = uint64_t(c - '0');
    if (digit > max || value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

// Sorted, without duplicates: folding can map two raw ids to one.
void SortUnique(std::vector<uint32_t>* values) {
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

}  // namespace

bool ParseMergeControl(const std::string& text, size_t max_files, MergeControl* control,
                       std::string* error) {
  LineReader lines(text);
  std::string_view line;
  auto fail = [&](const std::string& why) {
    *error = "line " + std::to_string(lines.number()) + ": " + why;
    return false;
  };
  // The two counts. Nothing is allocated before the file count has been checked against
  // max_files and against the number of path lines the text really has.
  uint64_t num_files = 0, num_first = 0;
  std::vector<std::string_view> words;
  if (!lines.Next(&line)) return fail("no file count");
  words = Words(line);
  if (words.size() != 1 || !ParseDecimal(words[0], UINT64_MAX, &num_files) || num_files == 0)
    return fail("the file count is not a positive number");
  if (num_files > max_files)
    return fail("it announces " + std::to_string(num_files) + " files, more than " +
                std::to_string(max_files));
  if (!lines.Next(&line)) return fail("no first-corpus count");
  words = Words(line);
  if (words.size() != 1 || !ParseDecimal(words[0], num_files, &num_first))
    return fail("the first-corpus count is not a number up to the file count");
  if (lines.Remaining() < num_files)
    return fail("it announces " + std::to_string(num_files) + " files but has only " +
                std::to_string(lines.Remaining()) + " more lines");
  control->num_in_first_corpus = size_t(num_first);
  control->inputs.assign(size_t(num_files), MergeInput());
  for (MergeInput& input : control->inputs) {
    lines.Next(&line);
    if (line.empty()) return fail("an empty path");
    input.path.assign(line.data(), line.size());
  }
  // The records, in the order libFuzzer writes them: STARTED for input 0, 1, 2, ... and,
  // when the input finished, its FT and COV lines right after its STARTED line.
  size_t next_started = 0;
  size_t last_started = SIZE_MAX;
  while (lines.Next(&line)) {
    words = Words(line);
    uint64_t index = 0;
    if (words.size() < 2 || !ParseDecimal(words[1], UINT32_MAX, &index))
      return fail("not '<record> <index> ...'");
    if (index >= num_files)
      return fail("index " + std::to_string(index) + " is past the " + std::to_string(num_files) +
                  " files");
    MergeInput& input = control->inputs[size_t(index)];
    if (words[0] == "STARTED") {
      uint64_t size = 0;
      if (index != next_started)
        return fail("STARTED " + std::to_string(index) + " where input " +
                    std::to_string(next_started) + " was expected");
      if (words.size() > 3 || (words.size() == 3 && !ParseDecimal(words[2], SIZE_MAX, &size)))
        return fail("STARTED with a bad size");
      input.started = true;
      input.size = size_t(size);
      last_started = next_started++;
    } else if (words[0] == "FT" || words[0] == "COV") {
      if (index != last_started)
        return fail(std::string(words[0]) + " for an input not started last");
      bool is_ft = words[0] == "FT";
      std::vector<uint32_t>& values = is_ft ? input.features : input.edges;
      values.clear();
      values.reserve(words.size() - 2);
      for (size_t i = 2; i < words.size(); i++) {
        uint64_t value = 0;
        if (!ParseDecimal(words[i], UINT32_MAX, &value))
          return fail(std::string(words[0]) + " value '" + std::string(words[i]) +
                      "' is not a 32-bit number");
        values.push_back(is_ft ? uint32_t(value % kFeatureSpaceSize) : uint32_t(value));
      }
      SortUnique(&values);
      if (is_ft) input.finished = true;
    } else {
      return fail("unknown record '" + std::string(words[0]) + "'");
    }
  }
  return true;
}

std::string MergeControlHeader(const MergeControl& control) {
  std::string header = std::to_string(control.inputs.size()) + "\n" +
                       std::to_string(control.num_in_first_corpus) + "\n";
  for (const MergeInput& input : control.inputs) header += input.path + "\n";
  return header;
}

std::string MergeStartedLine(size_t index, size_t size) {
  return "STARTED " + std::to_string(index) + " " + std::to_string(size) + "\n";
}

std::string MergeResultLines(size_t index, const std::vector<uint32_t>& features,
                             const std::vector<uint32_t>& edges) {
  std::string lines = "FT " + std::to_string(index);
  for (uint32_t feature : features) lines += " " + std::to_string(feature);
  lines += "\nCOV " + std::to_string(index);
  for (uint32_t edge : edges) lines += " " + std::to_string(edge);
  return lines + "\n";
}

namespace {

struct Known {
  std::unordered_set<uint32_t> features, edges;
  void AddFirstCorpus(const MergeControl& control) {
    for (size_t i = 0; i < control.num_in_first_corpus; i++) {
      features.insert(control.inputs[i].features.begin(), control.inputs[i].features.end());
      edges.insert(control.inputs[i].edges.begin(), control.inputs[i].edges.end());
    }
  }
  size_t CountNew(const MergeInput& input) const {
    size_t n = 0;
    for (uint32_t feature : input.features) n += !features.count(feature);
    return n;
  }
  void Take(const MergeInput& input, size_t* new_features, size_t* new_edges) {
    for (uint32_t feature : input.features) *new_features += features.insert(feature).second;
    for (uint32_t edge : input.edges) *new_edges += edges.insert(edge).second;
  }
};

}  // namespace

std::vector<size_t> SelectForMerge(const MergeControl& control, size_t* new_features,
                                   size_t* new_edges) {
  *new_features = *new_edges = 0;
  Known known;
  known.AddFirstCorpus(control);
  std::vector<size_t> order;
  for (size_t i = control.num_in_first_corpus; i < control.inputs.size(); i++)
    if (control.inputs[i].finished) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const MergeInput& x = control.inputs[a];
    const MergeInput& y = control.inputs[b];
    if (x.size != y.size) return x.size < y.size;
    return x.features.size() > y.features.size();
  });
  std::vector<size_t> taken;
  for (size_t i : order) {
    if (!known.CountNew(control.inputs[i])) continue;
    known.Take(control.inputs[i], new_features, new_edges);
    taken.push_back(i);
  }
  return taken;
}

std::vector<size_t> SelectForSetCoverMerge(const MergeControl& control, size_t* new_features,
                                           size_t* new_edges) {
  *new_features = *new_edges = 0;
  Known known;
  known.AddFirstCorpus(control);
  std::vector<size_t> remaining;
  for (size_t i = control.num_in_first_corpus; i < control.inputs.size(); i++)
    if (control.inputs[i].finished) remaining.push_back(i);
  std::vector<size_t> taken;
  for (;;) {
    size_t best = SIZE_MAX, best_gain = 0;
    for (size_t i : remaining) {
      size_t gain = known.CountNew(control.inputs[i]);
      if (gain > best_gain ||
          (gain == best_gain && gain && control.inputs[i].size < control.inputs[best].size)) {
        best = i;
        best_gain = gain;
      }
    }
    if (!best_gain) break;
    known.Take(control.inputs[best], new_features, new_edges);
    taken.push_back(best);
    remaining.erase(std::find(remaining.begin(), remaining.end(), best));
  }
  return taken;
}

}  // namespace fuzzer
