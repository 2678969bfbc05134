// Implements merge_control_file.h. Runs in the coordinator.
#include "runtime/coordinator/merge_control_file.h"

#include <algorithm>
#include <numeric>
#include <sstream>
#include <unordered_set>

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

bool ParseMergeControl(const std::string& text, MergeControl* control, std::string* error) {
  std::istringstream in(text);
  std::string line;
  size_t num_files = 0, num_first = 0;
  auto parse_count = [&](size_t* out) {
    if (!std::getline(in, line)) return false;
    if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoull(line);
    return true;
  };
  if (!parse_count(&num_files) || !parse_count(&num_first) || num_first > num_files ||
      num_files > (1u << 28)) {
    *error = "the header is not two counts";
    return false;
  }
  control->num_in_first_corpus = num_first;
  control->inputs.assign(num_files, MergeInput());
  for (size_t i = 0; i < num_files; i++) {
    if (!std::getline(in, control->inputs[i].path)) {
      *error = "it lists fewer paths than it announces";
      return false;
    }
  }
  size_t line_number = num_files + 2;
  while (std::getline(in, line)) {
    line_number++;
    if (line.empty()) continue;
    std::istringstream words(line);
    std::string kind;
    size_t index;
    if (!(words >> kind >> index) || index >= num_files) {
      *error = "line " + std::to_string(line_number) + " is not STARTED/FT/COV <index> ...";
      return false;
    }
    MergeInput& input = control->inputs[index];
    if (kind == "STARTED") {
      input.started = true;
      words >> input.size;
    } else if (kind == "FT" || kind == "COV") {
      std::vector<uint32_t>& values = kind == "FT" ? input.features : input.edges;
      values.clear();
      uint64_t value;
      while (words >> value) values.push_back(uint32_t(value));
      if (kind == "FT") input.finished = true;
    } else {
      *error = "line " + std::to_string(line_number) + " has an unknown record '" + kind + "'";
      return false;
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
