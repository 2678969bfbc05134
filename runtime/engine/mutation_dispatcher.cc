// MutationDispatcher: the libFuzzer-compatible mutators, their random selection, the
// dictionaries they draw from and the "MS: ... DE: ..." / recommended-dictionary reports.
// Runs in the worker (and the in-process engine) inside the fuzz loop, millions of times per
// second: no allocation per mutation, every write stays within max_size.
#include "runtime/engine/mutation_dispatcher.h"

#include <algorithm>
#include <cstring>

#include "runtime/engine/integer_bytes.h"

namespace fuzzer {
namespace {

constexpr const char* kMutatorNames[] = {
    "EraseBytes", "InsertByte",   "InsertRepeatedBytes", "ChangeByte",
    "ChangeBit",  "ShuffleBytes", "ChangeASCIIInt",      "ChangeBinInt",
    "CopyPart",   "CrossOver",    "ManualDict",          "PersAutoDict",
    "CMP",        "Custom",       "CustomCrossOver",     "Colourise",
    "I2S",        "I2SCombined",  "ChecksumRepair",      "CmpDescent",
    "FloatConst",
    "FloatUlp",   "FloatSign",    "FloatExp",            "FloatSpecial",
    "FloatConv",  "FloatASCII",
};

// Bytes that often matter to parsers (delimiters, digits, letters at both ends of the
// alphabet, 0xff and 0x00); the "special" half of InsertByte/ChangeByte picks.
constexpr uint8_t kSpecialBytes[] = {
    '!', '*', '\'', '(', ')', ';', ':', '@', '&', '=', '+', '$', ',', '/',  '?',
    '%', '#', '[',  ']', '0', '1', '2', 'A', 'z', '-', '`', '~', '.', 0xff, 0x00,
};

constexpr size_t kMaxMutationAttempts = 100;
constexpr size_t kMinRepeatedBytes = 3;
constexpr size_t kMaxRepeatedBytes = 128;
constexpr size_t kMaxShuffleWindow = 8;
constexpr size_t kMaxAsciiIntDigits = 19;  // Always fits in uint64_t.
constexpr size_t kSizeHintOffsetLimit = 64;

bool IsDigit(uint8_t byte) { return byte >= '0' && byte <= '9'; }

// Writes value in decimal into out (room for 20 digits) and returns the digit count.
size_t FormatDecimal(uint64_t value, char* out) {
  char reversed[20];
  size_t length = 0;
  do {
    reversed[length++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < length; i++) out[i] = reversed[length - 1 - i];
  return length;
}

// -only_ascii: clear the high bit, then map what is neither printable nor whitespace to ' '.
void MakeAscii(uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; i++) {
    uint8_t byte = data[i] & 0x7f;
    const bool printable = byte >= 32 && byte <= 126;
    const bool whitespace = byte >= '\t' && byte <= '\r';
    data[i] = printable || whitespace ? byte : ' ';
  }
}

}  // namespace

MutationDispatcher::MutationDispatcher(Random* rand, const MutationOptions& options,
                                       const CmpTables* cmp_tables)
    : rand_(rand), options_(options), cmp_tables_(cmp_tables), float_(rand) {}

void MutationDispatcher::SetCrossOverPartner(const uint8_t* data, size_t size) {
  partner_data_ = data;
  partner_size_ = data ? size : 0;
}

void MutationDispatcher::StartMutationSequence() {
  sequence_length_ = 0;
  recorded_word_count_ = 0;
}

size_t MutationDispatcher::Mutate(uint8_t* data, size_t size, size_t max_size) {
  return MutateImpl(data, size, max_size, /*allow_custom=*/true);
}

size_t MutationDispatcher::DefaultMutate(uint8_t* data, size_t size, size_t max_size) {
  return MutateImpl(data, size, max_size, /*allow_custom=*/false);
}

size_t MutationDispatcher::MutateImpl(uint8_t* data, size_t size, size_t max_size,
                                      bool allow_custom) {
  if (max_size == 0) return 0;  // Nothing can be written.
  size = std::min(size, max_size);
  EnsureScratch(max_size);

  size_t candidate_count = 0;
  const MutatorId* candidates = ApplicableMutators(allow_custom, &candidate_count);
  for (size_t attempt = 0; attempt < kMaxMutationAttempts; attempt++) {
    const MutatorId id = candidates[(*rand_)(candidate_count)];
    const size_t new_size = ApplyMutator(id, data, size, max_size);
    if (new_size == 0 || new_size > max_size) continue;
    if (options_.only_ascii) MakeAscii(data, new_size);
    RecordMutator(id == MutatorId::kFloatConst ? applied_float_ : id);
    return new_size;
  }
  // Every attempt failed (e.g. custom mutator keeps returning 0): fall back to one space and
  // name it after the basic edit it amounts to.
  RecordMutator(size == 0   ? MutatorId::kInsertByte
                : size == 1 ? MutatorId::kChangeByte
                            : MutatorId::kEraseBytes);
  data[0] = ' ';
  return 1;
}

const MutationDispatcher::MutatorId* MutationDispatcher::ApplicableMutators(bool allow_custom,
                                                                           size_t* count) {
  // Everything CollectApplicableMutators reads that can change after construction.
  const unsigned key = unsigned(allow_custom) | unsigned(partner_size_ > 0) << 1 |
                       unsigned(!manual_dictionary_.empty()) << 2 |
                       unsigned(!persistent_auto_dictionary_.empty()) << 3 |
                       unsigned(custom_mutator_ != nullptr) << 4 |
                       unsigned(custom_cross_over_ != nullptr) << 5;
  if (key != applicable_key_) {
    applicable_count_ = CollectApplicableMutators(allow_custom, applicable_);
    applicable_key_ = key;
  }
  *count = applicable_count_;
  return applicable_;
}

size_t MutationDispatcher::CollectApplicableMutators(bool allow_custom, MutatorId* out) const {
  size_t count = 0;
  const bool has_partner = options_.cross_over && partner_size_ > 0;
  if (allow_custom && custom_mutator_) {
    out[count++] = MutatorId::kCustom;
  } else {
    for (MutatorId id :
         {MutatorId::kEraseBytes, MutatorId::kInsertByte, MutatorId::kInsertRepeatedBytes,
          MutatorId::kChangeByte, MutatorId::kChangeBit, MutatorId::kShuffleBytes,
          MutatorId::kChangeASCIIInt, MutatorId::kChangeBinInt, MutatorId::kCopyPart}) {
      out[count++] = id;
    }
    if (has_partner) out[count++] = MutatorId::kCrossOver;
    if (!manual_dictionary_.empty()) out[count++] = MutatorId::kManualDict;
    if (!persistent_auto_dictionary_.empty()) out[count++] = MutatorId::kPersAutoDict;
    if (options_.use_cmp && cmp_tables_) out[count++] = MutatorId::kCmp;
    if (options_.float_mutators) out[count++] = MutatorId::kFloatConst;  // the Float* family
  }
  if (allow_custom && custom_cross_over_ && has_partner) {
    out[count++] = MutatorId::kCustomCrossOver;
  }
  return count;
}

size_t MutationDispatcher::ApplyMutator(MutatorId id, uint8_t* data, size_t size, size_t max_size) {
  switch (id) {
    case MutatorId::kEraseBytes:
      return EraseBytes(data, size);
    case MutatorId::kInsertByte:
      return InsertByte(data, size, max_size);
    case MutatorId::kInsertRepeatedBytes:
      return InsertRepeatedBytes(data, size, max_size);
    case MutatorId::kChangeByte:
      return ChangeByte(data, size);
    case MutatorId::kChangeBit:
      return ChangeBit(data, size);
    case MutatorId::kShuffleBytes:
      return ShuffleBytes(data, size);
    case MutatorId::kChangeASCIIInt:
      return ChangeASCIIInt(data, size, max_size);
    case MutatorId::kChangeBinInt:
      return ChangeBinInt(data, size);
    case MutatorId::kCopyPart:
      return CopyPart(data, size, max_size);
    case MutatorId::kCrossOver:
      return CrossOver(data, size, max_size);
    case MutatorId::kManualDict:
      return AddWordFromDictionary(&manual_dictionary_, data, size, max_size);
    case MutatorId::kPersAutoDict:
      return AddWordFromDictionary(&persistent_auto_dictionary_, data, size, max_size);
    case MutatorId::kCmp:
      return AddWordFromCmp(data, size, max_size);
    case MutatorId::kCustom:
      return custom_mutator_(data, size, max_size, static_cast<unsigned int>(rand_->Next()));
    case MutatorId::kCustomCrossOver:
      return CustomCrossOver(data, size, max_size);
    case MutatorId::kFloatConst: {
      FloatMutators::Kind kind = FloatMutators::Kind::kConst;
      const size_t new_size = float_.Mutate(data, size, max_size, &kind);
      applied_float_ = static_cast<MutatorId>(static_cast<size_t>(MutatorId::kFloatConst) +
                                              static_cast<size_t>(kind));
      return new_size;
    }
    case MutatorId::kColourise:  // stage steps: recorded only, never chosen by Mutate
    case MutatorId::kI2S:
    case MutatorId::kI2SCombined:
    case MutatorId::kChecksumRepair:
    case MutatorId::kCmpDescent:
    case MutatorId::kFloatUlp:  // recorded only; never a candidate of its own
    case MutatorId::kFloatSign:
    case MutatorId::kFloatExp:
    case MutatorId::kFloatSpecial:
    case MutatorId::kFloatConv:
    case MutatorId::kFloatASCII:
    case MutatorId::kCount:
      break;
  }
  return 0;
}

void MutationDispatcher::EnsureScratch(size_t max_size) {
  if (scratch_.size() < max_size) scratch_.resize(max_size);
}

void MutationDispatcher::RecordMutator(MutatorId id) {
  if (sequence_length_ < kMaxRecordedMutators) recorded_mutators_[sequence_length_] = id;
  sequence_length_++;
}

void MutationDispatcher::RecordWord(const DictionaryEntry& entry, DictionaryEntry* source) {
  if (recorded_word_count_ >= kMaxRecordedWords) return;
  recorded_words_[recorded_word_count_].entry = entry;
  recorded_words_[recorded_word_count_].source = source;
  recorded_word_count_++;
}

uint8_t MutationDispatcher::RandomSpecialByte() {
  if (rand_->Bool()) return static_cast<uint8_t>(rand_->Next());
  return kSpecialBytes[(*rand_)(sizeof(kSpecialBytes))];
}

// ---------------------------------------------------------------------------------------
// The basic mutators. Each returns the new size, or 0 (leaving data untouched) when it
// cannot apply to this input/max_size.

size_t MutationDispatcher::EraseBytes(uint8_t* data, size_t size) {
  if (size <= 1) return 0;
  // At most half the input so the result is never empty and large inputs survive.
  const size_t erase_count = 1 + (*rand_)(size / 2);
  const size_t start = (*rand_)(size - erase_count + 1);
  memmove(data + start, data + start + erase_count, size - start - erase_count);
  return size - erase_count;
}

size_t MutationDispatcher::InsertByte(uint8_t* data, size_t size, size_t max_size) {
  if (size >= max_size) return 0;
  const size_t position = (*rand_)(size + 1);
  memmove(data + position + 1, data + position, size - position);
  data[position] = RandomSpecialByte();
  return size + 1;
}

size_t MutationDispatcher::InsertRepeatedBytes(uint8_t* data, size_t size, size_t max_size) {
  if (size >= max_size || max_size - size < kMinRepeatedBytes) return 0;
  const size_t room = std::min(max_size - size, kMaxRepeatedBytes);
  const size_t count = rand_->Range(kMinRepeatedBytes, room);
  const size_t position = (*rand_)(size + 1);
  uint8_t byte;
  if (rand_->Bool()) {
    byte = static_cast<uint8_t>(rand_->Next());
  } else {
    byte = rand_->Bool() ? 0xff : 0x00;
  }
  memmove(data + position + count, data + position, size - position);
  memset(data + position, byte, count);
  return size + count;
}

size_t MutationDispatcher::ChangeByte(uint8_t* data, size_t size) {
  if (size == 0) return 0;
  data[(*rand_)(size)] = RandomSpecialByte();
  return size;
}

size_t MutationDispatcher::ChangeBit(uint8_t* data, size_t size) {
  if (size == 0) return 0;
  data[(*rand_)(size)] ^= static_cast<uint8_t>(1u << (*rand_)(8));
  return size;
}

size_t MutationDispatcher::ShuffleBytes(uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t window = 1 + (*rand_)(std::min(size, kMaxShuffleWindow));
  uint8_t* start = data + (*rand_)(size - window + 1);
  for (size_t i = window - 1; i > 0; i--) std::swap(start[i], start[(*rand_)(i + 1)]);
  return size;
}

size_t MutationDispatcher::ChangeASCIIInt(uint8_t* data, size_t size, size_t max_size) {
  if (size == 0) return 0;
  // Look for a digit from a random position onwards, wrapping around once.
  const size_t probe = (*rand_)(size);
  size_t begin = size;
  for (size_t step = 0; step < size; step++) {
    const size_t i = probe + step < size ? probe + step : probe + step - size;
    if (IsDigit(data[i])) {
      begin = i;
      break;
    }
  }
  if (begin == size) return 0;
  while (begin > 0 && IsDigit(data[begin - 1])) begin--;  // Take the whole number.
  size_t end = begin;
  while (end < size && end - begin < kMaxAsciiIntDigits && IsDigit(data[end])) end++;
  const size_t old_length = end - begin;

  uint64_t value = 0;
  for (size_t i = begin; i < end; i++) value = value * 10 + (data[i] - '0');
  switch ((*rand_)(5)) {
    case 0:
      value++;
      break;
    case 1:
      value = value > 0 ? value - 1 : 1;
      break;  // 0 has no predecessor.
    case 2:
      value /= 2;
      break;
    case 3:
      value *= 2;
      break;
    default: {
      const uint64_t bound = value > 0xffffffffULL ? ~uint64_t{0} : value * value;
      value = bound == 0 ? 0 : rand_->Next() % bound;
      break;
    }
  }

  char digits[20];
  size_t new_length = FormatDecimal(value, digits);
  // Zero-padded fields ("0042") keep their width when the number gets shorter.
  size_t padding = 0;
  if (data[begin] == '0' && old_length > 1 && new_length < old_length) {
    padding = old_length - new_length;
  }
  const size_t written_length = padding + new_length;
  const size_t new_size = size - old_length + written_length;
  if (new_size > max_size) return 0;
  memmove(data + begin + written_length, data + end, size - end);
  memset(data + begin, '0', padding);
  memcpy(data + begin + padding, digits, new_length);
  return new_size;
}

size_t MutationDispatcher::ChangeBinInt(uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t width = size_t{1} << (*rand_)(4);
  while (width > size) width >>= 1;
  const size_t offset = (*rand_)(size - width + 1);
  const bool big_endian = rand_->Bool();
  const uint64_t mask = WidthMask(width);
  uint64_t value;
  if (offset < kSizeHintOffsetLimit && (*rand_)(4) == 0) {
    // Length fields near the start are common; try the real input size.
    value = size & mask;
  } else {
    value = DecodeInteger(data + offset, width, big_endian);
    const uint64_t delta = static_cast<uint64_t>(static_cast<int64_t>((*rand_)(21)) - 10);
    value = (value + delta) & mask;
    if (delta == 0 || (*rand_)(4) == 0) value = (0 - value) & mask;
  }
  EncodeInteger(value, width, big_endian, data + offset);
  return size;
}

size_t MutationDispatcher::CopyPart(uint8_t* data, size_t size, size_t max_size) {
  if (size == 0) return 0;
  const bool insert = size < max_size && rand_->Bool();
  if (!insert) {
    const size_t length = 1 + (*rand_)(size);
    const size_t from = (*rand_)(size - length + 1);
    const size_t to = (*rand_)(size - length + 1);
    memmove(data + to, data + from, length);
    return size;
  }
  const size_t length = 1 + (*rand_)(std::min(size, max_size - size));
  const size_t from = (*rand_)(size - length + 1);
  const size_t to = (*rand_)(size + 1);
  // The copied part may overlap the tail being moved, so stash it first.
  uint8_t* part = scratch_.data();
  memcpy(part, data + from, length);
  memmove(data + to + length, data + to, size - to);
  memcpy(data + to, part, length);
  return size + length;
}

size_t MutationDispatcher::CrossOver(uint8_t* data, size_t size, size_t max_size) {
  if (!options_.cross_over || partner_size_ == 0) return 0;
  enum { kInterleave, kInsertPart, kOverwritePart } mode;
  switch ((*rand_)(3)) {
    case 0:
      mode = kInterleave;
      break;
    case 1:
      mode = kInsertPart;
      break;
    default:
      mode = kOverwritePart;
      break;
  }
  if (mode == kInsertPart && size >= max_size) mode = kOverwritePart;
  if (mode == kOverwritePart && size == 0) mode = kInterleave;

  uint8_t* out = scratch_.data();
  switch (mode) {
    case kInterleave: {
      // Alternate runs from the input and the partner, each continuing where it left off.
      size_t out_size = 0;
      size_t input_pos = 0;
      size_t partner_pos = 0;
      bool from_input = rand_->Bool();
      while (out_size < max_size && (input_pos < size || partner_pos < partner_size_)) {
        const uint8_t* source = from_input ? data : partner_data_;
        size_t& pos = from_input ? input_pos : partner_pos;
        const size_t available = (from_input ? size : partner_size_) - pos;
        if (available > 0) {
          const size_t run = 1 + (*rand_)(std::min(available, max_size - out_size));
          memcpy(out + out_size, source + pos, run);
          out_size += run;
          pos += run;
        }
        from_input = !from_input;
      }
      memcpy(data, out, out_size);
      return out_size;
    }
    case kInsertPart: {
      const size_t length = 1 + (*rand_)(std::min(partner_size_, max_size - size));
      const size_t from = (*rand_)(partner_size_ - length + 1);
      const size_t to = (*rand_)(size + 1);
      memcpy(out, partner_data_ + from, length);  // The partner might alias data.
      memmove(data + to + length, data + to, size - to);
      memcpy(data + to, out, length);
      return size + length;
    }
    case kOverwritePart: {
      const size_t length = 1 + (*rand_)(std::min(partner_size_, size));
      const size_t from = (*rand_)(partner_size_ - length + 1);
      const size_t to = (*rand_)(size - length + 1);
      memmove(data + to, partner_data_ + from, length);
      return size;
    }
  }
  return 0;
}

size_t MutationDispatcher::CustomCrossOver(uint8_t* data, size_t size, size_t max_size) {
  if (!custom_cross_over_ || !options_.cross_over || partner_size_ == 0) return 0;
  // Grown here, not in EnsureScratch: a nested DefaultMutate must never move this buffer.
  if (cross_over_out_.size() < max_size) cross_over_out_.resize(max_size);
  uint8_t* out = cross_over_out_.data();
  const size_t new_size = custom_cross_over_(data, size, partner_data_, partner_size_, out,
                                             max_size, static_cast<unsigned int>(rand_->Next()));
  if (new_size == 0 || new_size > max_size) return 0;
  memcpy(data, out, new_size);
  return new_size;
}

// ---------------------------------------------------------------------------------------
// Dictionary-based mutators.

void MutationDispatcher::AddManualDictionaryWord(const Word& word) {
  if (word.empty()) return;
  DictionaryEntry entry;
  entry.word = word;
  manual_dictionary_.Push(entry);
}

void MutationDispatcher::RecordSuccessfulMutationSequence() {
  for (size_t i = 0; i < recorded_word_count_; i++) {
    UsedWord& used = recorded_words_[i];
    DictionaryEntry* counted = used.source ? used.source : &used.entry;
    counted->success_count++;
    // No-op when the word came from the persistent dictionary or is already there.
    persistent_auto_dictionary_.Push(*counted);
  }
}

void MutationDispatcher::RecordStageStep(StageStep step) {
  RecordMutator(static_cast<MutatorId>(static_cast<size_t>(MutatorId::kColourise) +
                                       static_cast<size_t>(step)));
}

std::string MutationDispatcher::DescribeMutationSequence(bool verbose) const {
  static_assert(sizeof(kMutatorNames) / sizeof(kMutatorNames[0]) == kMaxMutators,
                "one name per MutatorId");
  static_assert(static_cast<size_t>(MutatorId::kCount) - static_cast<size_t>(MutatorId::kFloatConst) ==
                    FloatMutators::kKinds,
                "one MutatorId per FloatMutators::Kind");
  if (sequence_length_ == 0) return "";
  const size_t recorded = std::min(sequence_length_, kMaxRecordedMutators);
  std::string out = "MS: " + std::to_string(sequence_length_) + " " +
                    JoinMutatorNames(verbose ? recorded : std::min(recorded, kMaxItemsToPrint));
  if (recorded_word_count_ > 0) {
    out += " DE: ";
    const size_t words =
        verbose ? recorded_word_count_ : std::min(recorded_word_count_, kMaxItemsToPrint);
    for (size_t i = 0; i < words; i++) {
      out += '"';
      out += WordToPrintable(recorded_words_[i].entry.word);
      out += "\"-";
    }
  }
  return out;
}

std::string MutationDispatcher::JoinMutatorNames(size_t count) const {
  std::string out;
  for (size_t i = 0; i < count; i++) {
    out += kMutatorNames[static_cast<size_t>(recorded_mutators_[i])];
    out += '-';
  }
  return out;
}

std::string MutationDispatcher::MutationNames() const {
  return JoinMutatorNames(std::min(sequence_length_, kMaxRecordedMutators));
}

}  // namespace fuzzer
