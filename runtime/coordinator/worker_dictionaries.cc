// Implements worker_dictionaries.h. Runs in the coordinator process.
#include "runtime/coordinator/worker_dictionaries.h"

namespace fuzzer {

size_t WorkerDictionaries::IndexOf(const Word& word) {
  std::string key(reinterpret_cast<const char*>(word.data()), word.size());
  auto found = index_.find(key);
  if (found != index_.end()) return found->second;
  if (words_.size() >= Dictionary::kCapacity) return SIZE_MAX;
  index_.emplace(std::move(key), words_.size());
  words_.push_back(word);
  retired_uses_.push_back(0);
  return words_.size() - 1;
}

void WorkerDictionaries::Report(size_t worker, uint64_t generation,
                                const shoal::proto::AutoDictionary& report) {
  if (worker >= slots_.size()) slots_.resize(worker + 1);
  Slot& slot = slots_[worker];
  if (slot.reported && generation < slot.generation) return;  // a late word from the past
  const bool same_process = slot.reported && generation == slot.generation;
  if (slot.reported && !same_process) {
    // The slot's previous process is gone: its last report stays as it was.
    for (const auto& [index, uses] : slot.latest) retired_uses_[index] += uses;
    slot.latest.clear();
  }
  std::vector<std::pair<size_t, uint64_t>> latest;
  latest.reserve(size_t(report.words_size()));
  for (const auto& entry : report.words()) {
    if (entry.word().empty()) continue;
    const Word word(reinterpret_cast<const uint8_t*>(entry.word().data()), entry.word().size());
    // A process's dictionary only grows at its end, so its earlier report's words come
    // first again in the same places: found without a lookup (checked, not trusted).
    const size_t position = latest.size();
    size_t index = SIZE_MAX;
    if (same_process && position < slot.latest.size() &&
        words_[slot.latest[position].first] == word)
      index = slot.latest[position].first;
    else
      index = IndexOf(word);
    if (index != SIZE_MAX) latest.emplace_back(index, entry.uses());
  }
  slot.generation = generation;
  slot.reported = true;
  slot.latest = std::move(latest);
}

std::vector<DictionaryEntry> WorkerDictionaries::Merged() const {
  std::vector<uint64_t> uses = retired_uses_;
  for (const Slot& slot : slots_)
    for (const auto& [index, count] : slot.latest) uses[index] += count;
  std::vector<DictionaryEntry> merged(words_.size());
  for (size_t i = 0; i < words_.size(); i++) {
    merged[i].word = words_[i];
    merged[i].use_count = size_t(uses[i]);
  }
  return merged;
}

}  // namespace fuzzer
