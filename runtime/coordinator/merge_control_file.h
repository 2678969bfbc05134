// MergeControlFile: libFuzzer's merge control file, the record that makes -merge resumable
// and crash-resistant (runs in the coordinator). Same format as libFuzzer 14's, so a merge
// that libFuzzer started can be resumed by Shoal and the other way round:
//   <number of files>
//   <how many of them are in the first (output) corpus dir>
//   <one path per line>
//   STARTED <index> <size>      an input began to run
//   FT <index> <feature>...     it finished, with these features
//   COV <index> <edge>...       and these covered edges
// An input with STARTED but no FT crashed (or hung) and is skipped on the next attempt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzzer {

struct MergeInput {
  std::string path;
  size_t size = 0;
  bool started = false;
  bool finished = false;  // has FT
  std::vector<uint32_t> features;
  std::vector<uint32_t> edges;
};

struct MergeControl {
  size_t num_in_first_corpus = 0;
  std::vector<MergeInput> inputs;
  // Index of the first input with no STARTED line (== inputs.size() if all were started).
  size_t FirstUnstarted() const;
  size_t NumStarted() const;
};

// Parses a control file's text. Returns false (with a one-line reason) if it is malformed.
bool ParseMergeControl(const std::string& text, MergeControl* control, std::string* error);
// The header: counts and paths.
std::string MergeControlHeader(const MergeControl& control);
std::string MergeStartedLine(size_t index, size_t size);
std::string MergeResultLines(size_t index, const std::vector<uint32_t>& features,
                             const std::vector<uint32_t>& edges);

// libFuzzer's merge: the features of the first corpus count as known; then other finished
// inputs, smallest first (more features first among equal sizes), are taken if they add a
// feature. Returns the indices taken; *new_features / *new_edges count what they add.
std::vector<size_t> SelectForMerge(const MergeControl& control, size_t* new_features,
                                   size_t* new_edges);
// -set_cover_merge: greedy set cover; repeatedly takes the input adding the most features.
std::vector<size_t> SelectForSetCoverMerge(const MergeControl& control, size_t* new_features,
                                           size_t* new_edges);

}  // namespace fuzzer
