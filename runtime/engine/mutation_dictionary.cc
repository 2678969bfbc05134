// MutationDispatcher's dictionary mutators (mutation_dispatcher.h): writing a word from the
// manual, persistent-auto or CMP-derived dictionary into the input (at its position hint or
// anywhere, inserted or over existing bytes), and turning the compare tables' operand pairs
// into such words. Runs in the worker (and the in-process engine) inside the fuzz loop.
#include <algorithm>
#include <cstring>

#include "runtime/engine/integer_bytes.h"
#include "runtime/engine/mutation_dispatcher.h"
#include "runtime/engine/place_bytes.h"

namespace fuzzer {
namespace {

constexpr size_t kMaxCmpPositions = 8;

size_t Log2OfWidth(size_t width) { return width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3; }

}  // namespace

size_t MutationDispatcher::ApplyDictionaryEntry(const DictionaryEntry& entry, bool always_use_hint,
                                                uint8_t* data, size_t size, size_t max_size) {
  const Word& word = entry.word;
  const size_t length = word.size();
  if (length == 0) return 0;
  if (entry.HasPositionHint() && (always_use_hint || rand_->Bool())) {
    const size_t hint = entry.position_hint;
    if (hint <= size && length <= max_size - hint) {
      // Overwrite at the hint; a word running past the end extends the input.
      memcpy(data + hint, word.data(), length);
      return std::max(size, hint + length);
    }
  }
  return PlaceBytes(*rand_, word.data(), length, data, size, max_size);
}

size_t MutationDispatcher::AddWordFromDictionary(Dictionary* dictionary, uint8_t* data, size_t size,
                                                 size_t max_size) {
  if (dictionary->empty()) return 0;
  DictionaryEntry& entry = (*dictionary)[(*rand_)(dictionary->size())];
  const size_t new_size =
      ApplyDictionaryEntry(entry, /*always_use_hint=*/false, data, size, max_size);
  if (new_size == 0) return 0;
  entry.use_count++;
  RecordWord(entry, &entry);
  return new_size;
}

size_t MutationDispatcher::AddWordFromCmp(uint8_t* data, size_t size, size_t max_size) {
  if (!cmp_tables_) return 0;
  const CmpTables& tables = *cmp_tables_;
  DictionaryEntry entry;
  bool made = false;
  switch ((*rand_)(options_.use_memmem ? 4 : 3)) {
    case 0: {
      const auto& pair = tables.torc4.Get((*rand_)(tables.torc4.size()));
      made = MakeEntryFromIntegers(pair.arg1, pair.arg2, 4, data, size, &entry);
      break;
    }
    case 1: {
      const auto& pair = tables.torc8.Get((*rand_)(tables.torc8.size()));
      made = MakeEntryFromIntegers(pair.arg1, pair.arg2, 8, data, size, &entry);
      break;
    }
    case 2: {
      const auto& pair = tables.torcw.Get((*rand_)(tables.torcw.size()));
      made = MakeEntryFromBytes(pair.arg1.data(), pair.arg1.size(), pair.arg2.data(),
                                pair.arg2.size(), data, size, &entry);
      break;
    }
    default: {
      const size_t filled = std::min(tables.mmt.next, MemMemTable::kSize);
      if (filled == 0) return 0;
      entry.word = tables.mmt.Get((*rand_)(filled));
      made = !entry.word.empty();
      break;
    }
  }
  if (!made) return 0;
  const size_t new_size =
      ApplyDictionaryEntry(entry, /*always_use_hint=*/true, data, size, max_size);
  if (new_size == 0) return 0;
  entry.use_count = 1;
  RecordWord(entry, nullptr);
  return new_size;
}

namespace {

// Picks one of the first kMaxCmpPositions occurrences of needle in data at random.
bool FindRandomOccurrence(const uint8_t* needle, size_t needle_size, const uint8_t* data,
                          size_t size, Random* rand, size_t* position) {
  if (needle_size == 0 || needle_size > size) return false;
  size_t positions[kMaxCmpPositions];
  size_t count = 0;
  const uint8_t* cursor = data;
  const uint8_t* const last_start = data + (size - needle_size);
  while (count < kMaxCmpPositions && cursor <= last_start) {
    const void* hit = memchr(cursor, needle[0], static_cast<size_t>(last_start - cursor) + 1);
    if (!hit) break;
    cursor = static_cast<const uint8_t*>(hit);
    if (memcmp(cursor, needle, needle_size) == 0)
      positions[count++] = static_cast<size_t>(cursor - data);
    cursor++;
  }
  if (count == 0) return false;
  *position = positions[(*rand)(count)];
  return true;
}

}  // namespace

bool MutationDispatcher::MakeEntryFromIntegers(uint64_t arg1, uint64_t arg2, size_t max_width,
                                               const uint8_t* data, size_t size,
                                               DictionaryEntry* entry) {
  if (arg1 == 0 && arg2 == 0) return false;  // Never-written slot.
  // Any width from the narrowest holding both values up to the table's width: narrow
  // widths find fields stored shorter than the comparison (or in the low bytes).
  const size_t min_width = std::min(IntegerWidth(arg1 | arg2), max_width);
  const size_t width_choices = Log2OfWidth(max_width) - Log2OfWidth(min_width) + 1;
  const size_t width = min_width << (*rand_)(width_choices);
  const uint64_t mask = WidthMask(width);
  const bool big_endian = rand_->Bool();
  // Off-by-one neighbours satisfy <, <=, > and >= comparisons too.
  const uint64_t delta = static_cast<uint64_t>(static_cast<int64_t>((*rand_)(3)) - 1);

  uint8_t exact1[8], exact2[8], wanted1[8], wanted2[8];
  EncodeInteger(arg1 & mask, width, big_endian, exact1);
  EncodeInteger(arg2 & mask, width, big_endian, exact2);
  EncodeInteger((arg1 + delta) & mask, width, big_endian, wanted1);
  EncodeInteger((arg2 + delta) & mask, width, big_endian, wanted2);

  const bool search_first = rand_->Bool();
  for (int direction = 0; direction < 2; direction++) {
    const bool search_arg1 = (direction == 0) == search_first;
    size_t position;
    if (FindRandomOccurrence(search_arg1 ? exact1 : exact2, width, data, size, rand_, &position)) {
      entry->word.Set(search_arg1 ? wanted2 : wanted1, width);
      entry->position_hint = position;
      return true;
    }
  }
  entry->word.Set(search_first ? wanted2 : wanted1, width);
  entry->position_hint = DictionaryEntry::kNoPositionHint;
  return true;
}

bool MutationDispatcher::MakeEntryFromBytes(const uint8_t* bytes1, size_t size1,
                                            const uint8_t* bytes2, size_t size2,
                                            const uint8_t* data, size_t size,
                                            DictionaryEntry* entry) {
  if (size1 == 0 && size2 == 0) return false;
  const bool search_first = rand_->Bool();
  for (int direction = 0; direction < 2; direction++) {
    const bool search_arg1 = (direction == 0) == search_first;
    const uint8_t* wanted = search_arg1 ? bytes2 : bytes1;
    const size_t wanted_size = search_arg1 ? size2 : size1;
    size_t position;
    if (wanted_size > 0 &&
        FindRandomOccurrence(search_arg1 ? bytes1 : bytes2, search_arg1 ? size1 : size2, data, size,
                             rand_, &position)) {
      entry->word.Set(wanted, wanted_size);
      entry->position_hint = position;
      return true;
    }
  }
  // Neither operand occurs: place one of them somewhere random.
  const bool use_arg2 = size1 == 0 || (size2 > 0 && search_first);
  entry->word.Set(use_arg2 ? bytes2 : bytes1, use_arg2 ? size2 : size1);
  entry->position_hint = DictionaryEntry::kNoPositionHint;
  return true;
}

// ---------------------------------------------------------------------------------------
// Dictionaries and reports.

}  // namespace fuzzer
