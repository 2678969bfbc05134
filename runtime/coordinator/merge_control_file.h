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
  // libFuzzer's "last failure": the last started input, if it has no FT (the one the
  // previous attempt died on); SIZE_MAX if there is none.
  size_t LastFailure() const;
};

// libFuzzer 14 refuses a control file announcing more files than this (Merger::Parse).
constexpr size_t kLibFuzzerMaxMergeFiles = 10000000;

// Parses a control file's text. Returns false, with a one-line reason, for anything
// libFuzzer 14's parser refuses (no files, first-corpus count above the file count, fewer
// path lines than announced, STARTED out of sequence, FT/COV not for the last STARTED input,
// unknown records) and for what it would misread: numbers that are not plain decimals or do
// not fit, an index past the file count, more than `max_files` files. Every number is checked
// before anything is allocated from it. Feature ids are folded into Shoal's feature space the
// way its collector folds them (libFuzzer writes raw ids, which may be larger).
bool ParseMergeControl(const std::string& text, size_t max_files, MergeControl* control,
                       std::string* error);
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
