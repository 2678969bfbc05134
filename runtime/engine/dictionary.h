// Dictionaries for the worker's mutators: words from `-dict=` files (AFL/libFuzzer format),
// words learned from comparisons, and the persistent auto-dictionary. Runs in the worker
// (and in the in-process engine); the parser also runs in the coordinator to validate -dict.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace fuzzer {

// A short byte string (at most kMaxSize bytes) stored inline so dictionaries never allocate
// in the mutation hot path.
class Word {
 public:
  static constexpr size_t kMaxSize = 64;
  Word() = default;
  Word(const uint8_t* data, size_t size) { Set(data, size); }
  void Set(const uint8_t* data, size_t size) {
    size_ = static_cast<uint8_t>(size < kMaxSize ? size : kMaxSize);
    if (size_) memcpy(data_, data, size_);
  }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool operator==(const Word& other) const {
    return size_ == other.size_ && memcmp(data_, other.data_, size_) == 0;
  }
  bool operator!=(const Word& other) const { return !(*this == other); }

 private:
  uint8_t size_ = 0;
  uint8_t data_[kMaxSize] = {};
};

// A dictionary word plus where it was seen (a hint for where to write it) and how useful it
// has been; the counters feed the "Recommended dictionary" printed at the end of a run.
struct DictionaryEntry {
  static constexpr size_t kNoPositionHint = SIZE_MAX;
  Word word;
  size_t position_hint = kNoPositionHint;
  size_t use_count = 0;
  size_t success_count = 0;
  bool HasPositionHint() const { return position_hint != kNoPositionHint; }
};

// A bounded set of entries (duplicates are ignored). Fixed capacity so it never reallocates
// while the worker fuzzes.
class Dictionary {
 public:
  static constexpr size_t kCapacity = 1 << 14;
  Dictionary() { entries_.reserve(kCapacity); }
  bool Contains(const Word& word) const;
  // Adds the entry unless full or already present; returns whether it was added.
  bool Push(const DictionaryEntry& entry);
  void Clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  DictionaryEntry& operator[](size_t i) { return entries_[i]; }
  const DictionaryEntry& operator[](size_t i) const { return entries_[i]; }
  // Every entry, in the order they were added.
  const std::vector<DictionaryEntry>& entries() const { return entries_; }

 private:
  std::vector<DictionaryEntry> entries_;
};

// Parses one entry in AFL/libFuzzer format: optional `name` or `name@level`, `=`, then a
// double-quoted string with `\\`, `\"` and `\xAB` escapes, into *bytes (any length, as
// libFuzzer 14 parses it). Returns false if malformed.
bool ParseDictionaryEntry(const std::string& line, std::string* bytes);

// Parses a whole dictionary file's text into its entries, each of any length. Blank lines
// and lines starting with '#' (after leading spaces) are skipped. *entries is cleared first.
// On a malformed line returns false and sets *error_line (1-based) and *error_text (the
// line); either pointer may be null.
bool ParseDictionaryText(const std::string& text, std::vector<std::string>* entries,
                         size_t* error_line, std::string* error_text);

// The entries the mutators use: libFuzzer 14 counts every entry of a -dict file
// ("Dictionary: N entries") but adds to its manual dictionary only those of at most
// Word::kMaxSize bytes, and so does Shoal, rather than refusing the file or cutting a long
// entry into a word the user never wrote.
std::vector<Word> WordsForMutators(const std::vector<std::string>& entries);

// Renders a word the way libFuzzer prints it in `DE:` and the recommended dictionary:
// printable ASCII as is (with `\\` and `\"` escaped), anything else as `\ooo` octal... as
// libFuzzer's PrintASCII does (e.g. "L\000\000\000", "xV4\022").
std::string WordToPrintable(const Word& word);

}  // namespace fuzzer
