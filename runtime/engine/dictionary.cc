// Dictionary storage, the `-dict=` file parser and the printable rendering of words used in
// `DE:` lines and the recommended dictionary. Runs in the worker and the in-process engine;
// the parser also runs in the coordinator when it validates -dict.
#include "runtime/engine/dictionary.h"

#include <utility>

namespace fuzzer {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A name is any run of characters that cannot be confused with the rest of the syntax, so
// `kw1`, `header_png@2` and `x.y-z` all work, as in AFL dictionaries found in the wild.

}  // namespace

bool Dictionary::Contains(const Word& word) const {
  for (const DictionaryEntry& entry : entries_) {
    if (entry.word == word) return true;
  }
  return false;
}

bool Dictionary::Push(const DictionaryEntry& entry) {
  if (entries_.size() >= kCapacity || Contains(entry.word)) return false;
  entries_.push_back(entry);
  return true;
}

bool ParseDictionaryEntry(const std::string& line, std::string* bytes) {
  size_t begin = 0;
  size_t end = line.size();
  while (begin < end && IsSpace(line[begin])) begin++;
  while (end > begin && IsSpace(line[end - 1])) end--;

  // Whatever precedes the first quote (`name=`, `name@level=`) is a label and is ignored, as
  // libFuzzer does, so every dictionary libFuzzer accepts is accepted here too.
  size_t pos = line.find('"', begin);
  if (pos == std::string::npos || pos >= end) return false;

  // The value runs from the opening quote to the last non-space character, which must be the
  // closing quote. Like libFuzzer, an unescaped quote in between is taken literally.
  if (pos >= end || line[pos] != '"') return false;
  const size_t value_begin = pos + 1;
  const size_t value_end = end - 1;
  if (value_end < value_begin || line[value_end] != '"') return false;

  bytes->clear();
  for (size_t i = value_begin; i < value_end; i++) {
    uint8_t byte = static_cast<uint8_t>(line[i]);
    if (byte == '\\') {
      if (i + 1 >= value_end) return false;
      const char escaped = line[++i];
      if (escaped == '\\' || escaped == '"') {
        byte = static_cast<uint8_t>(escaped);
      } else if (escaped == 'x') {
        if (i + 2 >= value_end) return false;
        const int high = HexDigitValue(line[i + 1]);
        const int low = HexDigitValue(line[i + 2]);
        if (high < 0 || low < 0) return false;
        byte = static_cast<uint8_t>(high * 16 + low);
        i += 2;
      } else {
        return false;
      }
    }
    bytes->push_back(static_cast<char>(byte));
  }
  return !bytes->empty();
}

bool ParseDictionaryText(const std::string& text, std::vector<std::string>* entries,
                         size_t* error_line, std::string* error_text) {
  entries->clear();
  size_t line_number = 0;
  size_t line_begin = 0;
  while (line_begin < text.size()) {
    size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string line = text.substr(line_begin, line_end - line_begin);
    line_begin = line_end + 1;
    line_number++;

    size_t first = 0;
    while (first < line.size() && IsSpace(line[first])) first++;
    if (first == line.size() || line[first] == '#') continue;

    std::string entry;
    if (!ParseDictionaryEntry(line, &entry)) {
      if (error_line) *error_line = line_number;
      if (error_text) {
        *error_text = line;
        if (!error_text->empty() && error_text->back() == '\r') error_text->pop_back();
      }
      return false;
    }
    entries->push_back(std::move(entry));
  }
  return true;
}

std::vector<Word> WordsForMutators(const std::vector<std::string>& entries) {
  std::vector<Word> words;
  for (const std::string& entry : entries)
    if (entry.size() <= Word::kMaxSize)
      words.emplace_back(reinterpret_cast<const uint8_t*>(entry.data()), entry.size());
  return words;
}

std::string WordToPrintable(const Word& word) {
  std::string out;
  out.reserve(word.size() * 4);
  for (size_t i = 0; i < word.size(); i++) {
    const uint8_t byte = word.data()[i];
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte == '"') {
      out += "\\\"";
    } else if (byte >= 32 && byte <= 126) {
      out += static_cast<char>(byte);
    } else {
      out += '\\';
      out += static_cast<char>('0' + ((byte >> 6) & 7));
      out += static_cast<char>('0' + ((byte >> 3) & 7));
      out += static_cast<char>('0' + (byte & 7));
    }
  }
  return out;
}

}  // namespace fuzzer
