// Implements corpus.h: feature ownership, REDUCE replacement, eviction and the entropic
// schedule. Worker / in-process engine.
#include "runtime/engine/corpus.h"

#include <algorithm>
#include <cmath>

#include "runtime/common/sha1.h"

namespace fuzzer {

Corpus::Corpus(const EntropicOptions& entropic)
    : entropic_(entropic),
      smallest_size_(MakeZeroedArray<uint32_t>(kFeatureSpaceSize)),
      smallest_owner_(MakeZeroedArray<uint32_t>(kFeatureSpaceSize)),
      global_frequency_(entropic.enabled ? MakeZeroedArray<uint16_t>(kFeatureSpaceSize) : nullptr),
      is_rare_(entropic.enabled ? MakeZeroedArray<uint64_t>(kFeatureSpaceSize / 64) : nullptr) {}

// Sizes are stored +1 so that 0 means "never seen" even for the empty input.
bool Corpus::Improves(uint32_t feature, uint32_t input_size, bool shrink) const {
  uint32_t old = smallest_size_[feature];
  return old == 0 || (shrink && old > input_size + 1);
}

bool Corpus::HasNewFeature(const std::vector<uint32_t>& features, uint32_t input_size,
                           bool shrink) const {
  for (uint32_t feature : features)
    if (feature < kFeatureSpaceSize && Improves(feature, input_size, shrink)) return true;
  return false;
}

bool Corpus::AddFeature(uint32_t feature, uint32_t input_size, bool shrink) {
  if (feature >= kFeatureSpaceSize || !Improves(feature, input_size, shrink)) return false;
  uint32_t old = smallest_size_[feature];
  if (old != 0) {
    InputInfo& owner = *inputs_[smallest_owner_[feature]];
    if (owner.num_features > 0 && --owner.num_features == 0 && !owner.never_reduce)
      Evict(smallest_owner_[feature]);
  } else {
    num_features_++;
    if (entropic_.enabled) AddRareFeature(feature);
  }
  smallest_size_[feature] = input_size + 1;
  // The caller adds the input that reached this feature right after the execution.
  smallest_owner_[feature] = uint32_t(inputs_.size());
  return true;
}

void Corpus::AddRareFeature(uint32_t feature) {
  // Make room: drop the most abundant rare features while over the count or threshold.
  while (rare_features_.size() >= entropic_.number_of_rarest_features ||
         most_abundant_rare_frequency_ > entropic_.feature_frequency_threshold) {
    if (rare_features_.empty()) break;
    size_t most = 0;
    for (size_t i = 1; i < rare_features_.size(); i++)
      if (global_frequency_[rare_features_[i]] > global_frequency_[rare_features_[most]]) most = i;
    uint32_t dropped = rare_features_[most];
    rare_features_[most] = rare_features_.back();
    rare_features_.pop_back();
    is_rare_[dropped / 64] &= ~(uint64_t(1) << (dropped % 64));
    for (auto& input : inputs_) {
      auto& hits = input->rare_feature_hits;
      auto it = std::lower_bound(hits.begin(), hits.end(), std::make_pair(dropped, uint16_t(0)));
      if (it != hits.end() && it->first == dropped) {
        input->rare_hit_total -= it->second;
        hits.erase(it);
        input->needs_energy_update = true;
      }
    }
    most_abundant_rare_frequency_ = 0;
    for (uint32_t f : rare_features_)
      most_abundant_rare_frequency_ = std::max(most_abundant_rare_frequency_, global_frequency_[f]);
  }
  rare_features_.push_back(feature);
  is_rare_[feature / 64] |= uint64_t(1) << (feature % 64);
  global_frequency_[feature] = 0;
  for (auto& input : inputs_) input->needs_energy_update = true;
}

void Corpus::UpdateFeatureFrequency(InputInfo* parent, uint32_t feature) {
  uint16_t& frequency = global_frequency_[feature];
  if (frequency < UINT16_MAX) frequency++;
  // Most features are abundant: this check keeps the hot path cheap.
  if (frequency > entropic_.feature_frequency_threshold + 1) return;
  if (!(is_rare_[feature / 64] >> (feature % 64) & 1)) return;
  most_abundant_rare_frequency_ = std::max(most_abundant_rare_frequency_, frequency);
  if (!parent) return;
  auto& hits = parent->rare_feature_hits;
  auto it = std::lower_bound(hits.begin(), hits.end(), std::make_pair(feature, uint16_t(0)));
  if (it != hits.end() && it->first == feature) {
    if (it->second < UINT16_MAX) it->second++;
  } else {
    hits.insert(it, {feature, uint16_t(1)});
  }
  parent->rare_hit_total++;
  parent->needs_energy_update = true;
}

void Corpus::UpdateEnergy(InputInfo& input) {
  input.needs_energy_update = false;
  // Entropy of the input's (add-one smoothed) distribution of rare-feature hits: inputs
  // whose mutants keep discovering different rare features score high, inputs whose
  // mutants always hit the same few score low.
  double total = double(rare_features_.size());
  for (const auto& hit : input.rare_feature_hits) total += hit.second;
  if (total <= 0) {
    input.energy = 0;
    return;
  }
  double sum_plogp = 0;
  for (const auto& hit : input.rare_feature_hits) {
    double count = double(hit.second) + 1;
    sum_plogp += count * std::log(count);
  }
  input.energy = std::log(total) - sum_plogp / total;
  if (entropic_.scale_per_exec_time && num_active_) {
    uint64_t total_time = 0;
    for (auto& other : inputs_)
      if (other->num_features) total_time += other->exec_time_usec;
    double average = double(total_time) / double(num_active_);
    double ratio = average > 0 ? double(input.exec_time_usec) / average : 1;
    input.energy *= ratio > 10     ? 0.1
                    : ratio > 4    ? 0.25
                    : ratio > 2    ? 0.5
                    : ratio < 0.25 ? 3
                    : ratio < 0.33 ? 2
                    : ratio < 0.5  ? 1.5
                                   : 1;
  }
}

InputInfo* Corpus::AddInput(const uint8_t* data, size_t size, std::vector<uint32_t> unique_features,
                            bool may_delete_file, bool never_reduce, uint64_t exec_time_usec) {
  auto input = std::make_unique<InputInfo>();
  input->bytes.assign(data, data + size);
  input->sha1 = Sha1Hex(data, size);
  input->num_features = unique_features.size();
  input->unique_features = std::move(unique_features);
  std::sort(input->unique_features.begin(), input->unique_features.end());
  input->may_delete_file = may_delete_file;
  input->never_reduce = never_reduce;
  input->exec_time_usec = exec_time_usec;
  input->needs_energy_update = true;
  num_active_++;
  total_active_bytes_ += size;
  active_sizes_.insert(size);
  IndexActive(input->sha1, inputs_.size());
  inputs_.push_back(std::move(input));
  schedule_dirty_ = true;
  return inputs_.back().get();
}

std::string Corpus::Replace(InputInfo* input, const uint8_t* data, size_t size) {
  std::string old_sha1 = input->sha1;
  size_t index = SIZE_MAX;
  auto indexed = active_by_sha1_.find(old_sha1);
  if (indexed != active_by_sha1_.end())
    for (size_t i : indexed->second)
      if (inputs_[i].get() == input) index = i;
  total_active_bytes_ -= input->bytes.size();
  total_active_bytes_ += size;
  active_sizes_.erase(active_sizes_.find(input->bytes.size()));
  active_sizes_.insert(size);
  input->bytes.assign(data, data + size);
  input->sha1 = Sha1Hex(data, size);
  if (index != SIZE_MAX) {
    // The new contents first: a file that both names stay with is never queued.
    IndexActive(input->sha1, index);
    UnindexActive(old_sha1, index, input->may_delete_file);
  }
  input->reduced = true;
  input->may_delete_file = true;
  for (uint32_t feature : input->unique_features)
    if (smallest_size_[feature] > size + 1) smallest_size_[feature] = uint32_t(size + 1);
  return old_sha1;
}

void Corpus::IndexActive(const std::string& sha1, size_t index) {
  active_by_sha1_[sha1].push_back(index);
}

void Corpus::UnindexActive(const std::string& sha1, size_t index, bool owned_file) {
  auto it = active_by_sha1_.find(sha1);
  if (it == active_by_sha1_.end()) return;
  std::vector<size_t>& indices = it->second;
  indices.erase(std::remove(indices.begin(), indices.end(), index), indices.end());
  if (!indices.empty()) return;  // another active input is stored in the same file
  active_by_sha1_.erase(it);
  if (owned_file && !output_dir_.empty()) evicted_.push_back(JoinPath(output_dir_, sha1));
}

void Corpus::Evict(size_t index) {
  InputInfo& input = *inputs_[index];
  num_active_--;
  if (input.touches_focus_function) num_touching_focus_--;
  total_active_bytes_ -= input.bytes.size();
  active_sizes_.erase(active_sizes_.find(input.bytes.size()));
  UnindexActive(input.sha1, index, input.may_delete_file);
  input.bytes.clear();
  input.bytes.shrink_to_fit();
  input.energy = 0;
  schedule_dirty_ = true;
}

void Corpus::MarkTouchesFocusFunction(InputInfo* input) {
  if (input->touches_focus_function) return;
  input->touches_focus_function = true;
  num_touching_focus_++;
  schedule_dirty_ = true;
}

InputInfo* Corpus::FindActive(const std::string& sha1) {
  auto it = active_by_sha1_.find(sha1);
  return it == active_by_sha1_.end() ? nullptr : inputs_[it->second.front()].get();
}

void Corpus::RebuildSchedule() {
  schedule_dirty_ = false;
  choices_since_rebuild_ = 0;
  cumulative_weights_.resize(inputs_.size());
  double average_mutations =
      num_active_ ? double(total_executed_mutations_) / double(num_active_) : 0;
  double total = 0;
  bool use_energy = entropic_.enabled && !rare_features_.empty();
  if (use_energy) {
    for (size_t i = 0; i < inputs_.size(); i++) {
      InputInfo& input = *inputs_[i];
      double weight = 0;
      if (IsActive(i)) {
        if (input.needs_energy_update) UpdateEnergy(input);
        // Inputs mutated far more often than average have had their chance.
        weight = double(input.num_executed_mutations) / 20 > average_mutations ? 0 : input.energy;
      }
      total += weight;
      cumulative_weights_[i] = total;
    }
  }
  if (total <= 0) {
    // Vanilla schedule: newer inputs are preferred, and those reaching -focus_function much
    // more.
    total = 0;
    for (size_t i = 0; i < inputs_.size(); i++) {
      if (IsActive(i)) total += double(i + 1) * (inputs_[i]->touches_focus_function ? 1000 : 1);
      cumulative_weights_[i] = total;
    }
  }
}

size_t Corpus::SampleBySchedule(Random& rand) {
  if (schedule_dirty_ || (entropic_.enabled && ++choices_since_rebuild_ >= 100)) RebuildSchedule();
  double total = cumulative_weights_.empty() ? 0 : cumulative_weights_.back();
  if (total <= 0) return 0;
  double point = double(rand.Next() >> 11) * (1.0 / 9007199254740992.0) * total;
  size_t index =
      size_t(std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), point) -
             cumulative_weights_.begin());
  if (index >= inputs_.size()) index = inputs_.size() - 1;
  while (index > 0 && !IsActive(index)) index--;
  return index;
}

InputInfo& Corpus::ChooseInputToMutate(Random& rand) { return *inputs_[SampleBySchedule(rand)]; }

void Corpus::CountMutationRun(InputInfo& input) {
  input.num_executed_mutations++;
  total_executed_mutations_++;
}

InputInfo& Corpus::ChooseCrossOverPartner(Random& rand, bool uniform) {
  if (!uniform) return *inputs_[SampleBySchedule(rand)];
  for (int tries = 0; tries < 16; tries++) {
    size_t index = rand(inputs_.size());
    if (IsActive(index)) return *inputs_[index];
  }
  return *inputs_[SampleBySchedule(rand)];
}

}  // namespace fuzzer
