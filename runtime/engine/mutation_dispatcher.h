// MutationDispatcher: libFuzzer's set of mutators (the names printed after `MS:`), the
// manual (-dict), CMP-derived and persistent auto dictionaries, and the user's custom
// mutator / cross-over hooks. Runs in the worker (and in the in-process engine), inside the
// fuzz loop: no allocation per mutation once constructed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common/random.h"
#include "runtime/engine/cmp_tables.h"
#include "runtime/engine/dictionary.h"
#include "runtime/engine/float_mutators.h"

namespace fuzzer {

struct MutationOptions {
  bool only_ascii = false;  // -only_ascii: every result is made printable ASCII
  bool use_cmp = true;      // -use_cmp: the CMP mutator (words from CmpTables)
  bool use_memmem = true;   // -use_memmem: memmem/strstr needles take part in CMP
  bool cross_over = true;   // -cross_over: CrossOver / CustomCrossOver
  bool float_mutators = true;  // -float_mutators: the Float* family (float_mutators.h)
};

// Steps of Shoal's input-to-state stage (i2s_stage.h) that produce inputs; recorded in the
// mutation sequence like mutators, so their units name them after "MS:".
enum class StageStep : uint8_t { kColourise, kI2S, kI2SCombined, kChecksumRepair, kCmpDescent };

using CustomMutatorFn = size_t (*)(uint8_t* data, size_t size, size_t max_size, unsigned int seed);
using CustomCrossOverFn = size_t (*)(const uint8_t* data1, size_t size1, const uint8_t* data2,
                                     size_t size2, uint8_t* out, size_t max_out_size,
                                     unsigned int seed);

class MutationDispatcher {
 public:
  // `cmp_tables` may be null (no CMP mutator). Both pointers must outlive the dispatcher.
  MutationDispatcher(Random* rand, const MutationOptions& options, const CmpTables* cmp_tables);

  // With a custom mutator, Mutate() calls only it (MS name "Custom"); the default mutators
  // stay reachable through DefaultMutate (what LLVMFuzzerMutate calls).
  void SetCustomMutator(CustomMutatorFn fn) { custom_mutator_ = fn; }
  void SetCustomCrossOver(CustomCrossOverFn fn) { custom_cross_over_ = fn; }
  bool HasCustomMutator() const { return custom_mutator_ != nullptr; }
  // The constants FloatConst and FloatASCII draw from (may be null); must outlive this object.
  void SetFloatConstants(const FloatConstants* constants) { float_.SetConstants(constants); }

  // The partner for CrossOver / CustomCrossOver in the next mutations; may be null or empty.
  // The bytes must stay valid until the next call.
  void SetCrossOverPartner(const uint8_t* data, size_t size);

  // Starts a new mutation sequence (clears the recorded names and dictionary words).
  void StartMutationSequence();
  // Applies one mutation in place; data has room for max_size bytes. Returns the new size
  // (1..max_size; 0 only if max_size is 0). An input longer than max_size is treated as
  // truncated to it. Records the mutator's name in the current sequence.
  size_t Mutate(uint8_t* data, size_t size, size_t max_size);
  // Like Mutate but never uses the custom mutator.
  size_t DefaultMutate(uint8_t* data, size_t size, size_t max_size);

  // Records a step of the input-to-state stage in the current sequence.
  void RecordStageStep(StageStep step);

  // Call when the current sequence produced new coverage: the dictionary words it used are
  // promoted to the persistent auto-dictionary and their success counters bumped.
  void RecordSuccessfulMutationSequence();

  // "MS: 3 InsertRepeatedBytes-CopyPart-CMP- DE: \"DEADBEEF\"-" (at most 10 names and words
  // unless verbose); "" when the sequence is empty.
  std::string DescribeMutationSequence(bool verbose) const;
  // Just the recorded mutator names, "InsertRepeatedBytes-CopyPart-CMP-" (the label of a
  // -mutation_graph_file edge).
  std::string MutationNames() const;
  size_t MutationSequenceLength() const { return sequence_length_; }

  void AddManualDictionaryWord(const Word& word);
  size_t ManualDictionarySize() const { return manual_dictionary_.size(); }

  const Dictionary& manual_dictionary() const { return manual_dictionary_; }
  // Words of successful mutation sequences, with their use counts, in the order they were
  // promoted: what the end of a run recommends (FormatRecommendedDictionary in
  // libfuzzer_output.h; a worker sends them to the coordinator, which prints the block).
  const Dictionary& persistent_auto_dictionary() const { return persistent_auto_dictionary_; }

  // ... private members as the implementation needs.
 private:
  // "Name1-Name2-" for the first `count` recorded mutators.
  std::string JoinMutatorNames(size_t count) const;
  enum class MutatorId : uint8_t {
    kEraseBytes,
    kInsertByte,
    kInsertRepeatedBytes,
    kChangeByte,
    kChangeBit,
    kShuffleBytes,
    kChangeASCIIInt,
    kChangeBinInt,
    kCopyPart,
    kCrossOver,
    kManualDict,
    kPersAutoDict,
    kCmp,
    kCustom,
    kCustomCrossOver,
    // Input-to-state stage steps, in StageStep's order (never chosen by Mutate).
    kColourise,
    kI2S,
    kI2SCombined,
    kChecksumRepair,
    kCmpDescent,
    // The Float* family: one slot among the candidates (kFloatConst stands for it), and the
    // member FloatMutators applied is what gets recorded. Same order as FloatMutators::Kind.
    kFloatConst,
    kFloatUlp,
    kFloatSign,
    kFloatExp,
    kFloatSpecial,
    kFloatConv,
    kFloatASCII,
    kCount,
  };
  static constexpr size_t kMaxMutators = static_cast<size_t>(MutatorId::kCount);
  // Names/words kept per sequence; the count in "MS: <n>" stays exact beyond these.
  static constexpr size_t kMaxRecordedMutators = 1024;
  static constexpr size_t kMaxRecordedWords = 16;
  static constexpr size_t kMaxItemsToPrint = 10;

  // A dictionary word used by the current sequence; `source` is the manual or persistent
  // entry it came from (its counters are updated), null for words made from CmpTables.
  struct UsedWord {
    DictionaryEntry entry;
    DictionaryEntry* source = nullptr;
  };

  size_t MutateImpl(uint8_t* data, size_t size, size_t max_size, bool allow_custom);
  // The mutators Mutate may pick from; rebuilt only when what decides it changed (the
  // partner's presence, a dictionary's emptiness, the custom hooks), not for every mutation.
  const MutatorId* ApplicableMutators(bool allow_custom, size_t* count);
  size_t CollectApplicableMutators(bool allow_custom, MutatorId* out) const;
  size_t ApplyMutator(MutatorId id, uint8_t* data, size_t size, size_t max_size);
  void EnsureScratch(size_t max_size);
  void RecordMutator(MutatorId id);
  void RecordWord(const DictionaryEntry& entry, DictionaryEntry* source);
  uint8_t RandomSpecialByte();

  size_t EraseBytes(uint8_t* data, size_t size);
  size_t InsertByte(uint8_t* data, size_t size, size_t max_size);
  size_t InsertRepeatedBytes(uint8_t* data, size_t size, size_t max_size);
  size_t ChangeByte(uint8_t* data, size_t size);
  size_t ChangeBit(uint8_t* data, size_t size);
  size_t ShuffleBytes(uint8_t* data, size_t size);
  size_t ChangeASCIIInt(uint8_t* data, size_t size, size_t max_size);
  size_t ChangeBinInt(uint8_t* data, size_t size);
  size_t CopyPart(uint8_t* data, size_t size, size_t max_size);
  size_t CrossOver(uint8_t* data, size_t size, size_t max_size);
  size_t AddWordFromDictionary(Dictionary* dictionary, uint8_t* data, size_t size, size_t max_size);
  size_t AddWordFromCmp(uint8_t* data, size_t size, size_t max_size);
  size_t CustomCrossOver(uint8_t* data, size_t size, size_t max_size);

  // Writes `entry` into data (at its position hint or a random place, inserting or
  // overwriting); returns the new size or 0 if it does not fit.
  size_t ApplyDictionaryEntry(const DictionaryEntry& entry, bool always_use_hint, uint8_t* data,
                              size_t size, size_t max_size);
  // Builds a CMP entry from an integer pair of the table's width `max_width` (4 or 8).
  bool MakeEntryFromIntegers(uint64_t arg1, uint64_t arg2, size_t max_width, const uint8_t* data,
                             size_t size, DictionaryEntry* entry);
  // Builds a CMP entry from two byte strings: find one in data, write the other there.
  bool MakeEntryFromBytes(const uint8_t* bytes1, size_t size1, const uint8_t* bytes2, size_t size2,
                          const uint8_t* data, size_t size, DictionaryEntry* entry);

  Random* rand_;
  MutationOptions options_;
  // ApplicableMutators' last list and the facts it was built from (kNoKey: none yet).
  static constexpr unsigned kNoKey = ~0u;
  unsigned applicable_key_ = kNoKey;
  size_t applicable_count_ = 0;
  MutatorId applicable_[kMaxMutators] = {};
  const CmpTables* cmp_tables_;
  CustomMutatorFn custom_mutator_ = nullptr;
  CustomCrossOverFn custom_cross_over_ = nullptr;
  FloatMutators float_;
  MutatorId applied_float_ = MutatorId::kFloatConst;  // the member of the last family pick
  const uint8_t* partner_data_ = nullptr;
  size_t partner_size_ = 0;

  Dictionary manual_dictionary_;
  Dictionary persistent_auto_dictionary_;

  // Grown only when max_size grows. Separate buffers because a custom cross-over writes into
  // cross_over_out_ and may call LLVMFuzzerMutate (DefaultMutate, which uses scratch_) on it.
  std::vector<uint8_t> scratch_;
  std::vector<uint8_t> cross_over_out_;

  MutatorId recorded_mutators_[kMaxRecordedMutators] = {};
  size_t sequence_length_ = 0;
  UsedWord recorded_words_[kMaxRecordedWords];
  size_t recorded_word_count_ = 0;
};

}  // namespace fuzzer
