// Corpus: the inputs the engine keeps because they reached features nothing smaller did,
// with libFuzzer's feature bookkeeping (smallest input per feature, unique features per input,
// REDUCE replacement) and the entropic power schedule that picks which input to mutate next.
// Runs in the worker and the in-process engine (the coordinator keeps its own global copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/random.h"
#include "runtime/common/zeroed_array.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {

struct InputInfo {
  Bytes bytes;
  std::string sha1;
  // Features this input was the first (or smallest) to reach; sorted.
  std::vector<uint32_t> unique_features;
  // How many features still name this input as their smallest carrier; 0 = evicted.
  size_t num_features = 0;
  size_t num_executed_mutations = 0;
  size_t num_successful_mutations = 0;
  // The counts above when a worker last reported them (-print_corpus_stats).
  size_t reported_executed_mutations = 0;
  size_t reported_successful_mutations = 0;
  uint64_t exec_time_usec = 0;
  bool may_delete_file = false;  // written by this session into the output corpus
  bool never_reduce = false;     // -keep_seed
  bool reduced = false;
  bool touches_focus_function = false;  // -focus_function: it entered that function
  // Entropic schedule: how often this input's mutants hit each currently rare feature.
  std::vector<std::pair<uint32_t, uint16_t>> rare_feature_hits;
  uint64_t rare_hit_total = 0;
  double energy = 1.0;
  bool needs_energy_update = false;
};

struct EntropicOptions {
  bool enabled = true;
  size_t feature_frequency_threshold = 0xFF;
  size_t number_of_rarest_features = 100;
  bool scale_per_exec_time = false;
};

class Corpus {
 public:
  explicit Corpus(const EntropicOptions& entropic);
  Corpus(const Corpus&) = delete;
  Corpus& operator=(const Corpus&) = delete;

  // Feature bookkeeping for one execution of an input of `input_size` bytes. Returns true if
  // the feature is new (or, with shrink, now reached by a smaller input). Ids out of the
  // feature space (only a broken worker sends them) are never new.
  bool AddFeature(uint32_t feature, uint32_t input_size, bool shrink);
  // Whether AddFeature would return true for any of `features` (changes nothing).
  bool HasNewFeature(const std::vector<uint32_t>& features, uint32_t input_size,
                     bool shrink) const;
  // Entropic: count `feature` as hit by a mutant of `parent` (may be null).
  void UpdateFeatureFrequency(InputInfo* parent, uint32_t feature);

  InputInfo* AddInput(const uint8_t* data, size_t size, std::vector<uint32_t> unique_features,
                      bool may_delete_file, bool never_reduce, uint64_t exec_time_usec);
  // REDUCE: the smaller input replaces `input` (same unique features). Returns the old sha1.
  std::string Replace(InputInfo* input, const uint8_t* data, size_t size);

  size_t NumActiveInputs() const { return num_active_; }
  size_t TotalActiveBytes() const { return total_active_bytes_; }
  size_t MaxInputSize() const { return active_sizes_.empty() ? 0 : *active_sizes_.rbegin(); }
  // An active input with these contents, or null. Several active inputs may share contents
  // (in the coordinator's global corpus two workers can report the same bytes), and they
  // share one output-corpus file.
  InputInfo* FindActive(const std::string& sha1);
  size_t NumFeatures() const { return num_features_; }
  // -focus_function: `input` (just added) entered the focus function; the vanilla schedule
  // then weighs it 1000 times as much.
  void MarkTouchesFocusFunction(InputInfo* input);
  size_t NumInputsThatTouchFocusFunction() const { return num_touching_focus_; }
  bool empty() const { return num_active_ == 0; }
  size_t size() const { return inputs_.size(); }
  InputInfo& operator[](size_t i) { return *inputs_[i]; }
  bool IsActive(size_t i) const { return inputs_[i]->num_features > 0 || inputs_[i]->never_reduce; }

  InputInfo& ChooseInputToMutate(Random& rand);
  // One execution of a mutant of `input` (libFuzzer counts runs, not sequences, both for
  // the entropic schedule and for -print_corpus_stats).
  void CountMutationRun(InputInfo& input);
  InputInfo& ChooseCrossOverPartner(Random& rand, bool uniform);
  // Paths of files evicted from the output corpus since the last call (to delete). A path is
  // listed only once no active input has those contents any more: a file is never deleted
  // while a unit in the corpus is still stored in it.
  std::vector<std::string> TakeEvictedFiles() { return std::move(evicted_); }
  void SetOutputDir(const std::string& dir) { output_dir_ = dir; }

 private:
  void Evict(size_t index);
  void IndexActive(const std::string& sha1, size_t index);
  // Forgets that inputs_[index] (no longer) has these contents; queues the file for deletion
  // if the input owned it and no other active input has the same contents.
  void UnindexActive(const std::string& sha1, size_t index, bool owned_file);
  bool Improves(uint32_t feature, uint32_t input_size, bool shrink) const;
  void AddRareFeature(uint32_t feature);
  void UpdateEnergy(InputInfo& input);
  void RebuildSchedule();
  size_t SampleBySchedule(Random& rand);

  EntropicOptions entropic_;
  std::vector<std::unique_ptr<InputInfo>> inputs_;
  ZeroedArray<uint32_t> smallest_size_;     // per feature, 0 = unseen
  ZeroedArray<uint32_t> smallest_owner_;    // per feature, index into inputs_
  ZeroedArray<uint16_t> global_frequency_;  // per feature (entropic)
  std::vector<uint32_t> rare_features_;
  ZeroedArray<uint64_t> is_rare_;  // one bit per feature: in rare_features_
  uint16_t most_abundant_rare_frequency_ = 0;
  size_t num_features_ = 0;
  size_t num_active_ = 0;
  size_t num_touching_focus_ = 0;  // active inputs that entered the focus function
  // Kept up to date so that status lines ("L: n/max") and REDUCE lookups cost no scan.
  std::multiset<size_t> active_sizes_;
  // Indices into inputs_ of the active inputs with each content (usually one).
  std::unordered_map<std::string, std::vector<size_t>> active_by_sha1_;
  size_t total_active_bytes_ = 0;
  uint64_t total_executed_mutations_ = 0;
  // Cumulative weights for sampling; rebuilt when inputs change or energies are refreshed.
  std::vector<double> cumulative_weights_;
  bool schedule_dirty_ = true;
  size_t choices_since_rebuild_ = 0;
  std::string output_dir_;
  std::vector<std::string> evicted_;
};

}  // namespace fuzzer
