// Unit tests for the dictionary code the worker and in-process engine use: the `-dict=` file
// parser (also used by the coordinator), Dictionary dedup/capacity and WordToPrintable.
#include "runtime/engine/dictionary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fuzzer {
namespace {

std::string WordBytes(const Word& word) {
  return std::string(reinterpret_cast<const char*>(word.data()), word.size());
}

Word MakeWord(const std::string& bytes) {
  return Word(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string ParseOrDie(const std::string& line) {
  std::string bytes;
  EXPECT_TRUE(ParseDictionaryEntry(line, &bytes)) << line;
  return bytes;
}

bool Parses(const std::string& line) {
  std::string bytes;
  return ParseDictionaryEntry(line, &bytes);
}

TEST(ParseDictionaryEntryTest, AcceptsEntriesWithAndWithoutNames) {
  EXPECT_EQ(ParseOrDie("\"foo\""), "foo");
  EXPECT_EQ(ParseOrDie("kw1=\"foo bar\""), "foo bar");
  EXPECT_EQ(ParseOrDie("header_png@2=\"PNG\""), "PNG");
  EXPECT_EQ(ParseOrDie("  name   =   \"x\"   "), "x");
  EXPECT_EQ(ParseOrDie("\t\"tabbed\"\t"), "tabbed");
  EXPECT_EQ(ParseOrDie("a=\"Elvis\"\r"), "Elvis");  // CRLF files.
  // Like libFuzzer, anything before the first quote is a label and is not checked.
  EXPECT_EQ(ParseOrDie("name \"x\""), "x");
  EXPECT_EQ(ParseOrDie("=\"x\""), "x");
  EXPECT_EQ(ParseOrDie("a-b.c@=\"x\""), "x");
}

TEST(ParseDictionaryEntryTest, DecodesEscapes) {
  EXPECT_EQ(ParseOrDie(R"("a\\b")"), "a\\b");
  EXPECT_EQ(ParseOrDie(R"("say \"hi\"")"), "say \"hi\"");
  EXPECT_EQ(ParseOrDie(R"("\x41\x62\xfF\x00")"), std::string("Ab\xff\0", 4));
  EXPECT_EQ(ParseOrDie(R"(kw="\x89PNG\x0d\x0a")"), "\x89PNG\r\n");
}

TEST(ParseDictionaryEntryTest, RejectsMalformedEntries) {
  EXPECT_FALSE(Parses(""));
  EXPECT_FALSE(Parses("foo"));
  EXPECT_FALSE(Parses("\"foo"));
  EXPECT_FALSE(Parses("foo\""));
  EXPECT_FALSE(Parses("\""));
  EXPECT_FALSE(Parses("\"\""));         // Empty word.
  EXPECT_FALSE(Parses("a=\"\""));       // Empty word with a name.
  EXPECT_FALSE(Parses("\"ab\" tail"));  // Closing quote must be last.
  EXPECT_FALSE(Parses(R"("\q")"));      // Unknown escape.
  EXPECT_FALSE(Parses(R"("\n")"));
  EXPECT_FALSE(Parses(R"("\x4")"));  // One hex digit.
  EXPECT_FALSE(Parses(R"("\xZZ")"));
  EXPECT_FALSE(Parses(R"("abc\")"));  // Backslash eats the closing quote.
}

TEST(ParseDictionaryEntryTest, ParsesEntriesOfAnyLengthLikeLibFuzzer14) {
  const std::string longest(Word::kMaxSize, 'w');
  EXPECT_EQ(ParseOrDie("\"" + longest + "\""), longest);
  EXPECT_EQ(ParseOrDie("\"" + longest + "w\""), longest + "w");
  std::string escaped;
  for (size_t i = 0; i < 300; i++) escaped += "\\x41";
  EXPECT_EQ(ParseOrDie("k=\"" + escaped + "\""), std::string(300, 'A'));
}

TEST(WordsForMutatorsTest, KeepsEntriesUpToTheWordSizeAndDropsLongerOnes) {
  // The limit applies to decoded bytes, not to the escaped text.
  std::string escaped;
  for (size_t i = 0; i < Word::kMaxSize; i++) escaped += "\\x41";
  const std::string text = "a=\"" + escaped + "\"\n" +       // 64 bytes
                           "b=\"" + escaped + "\\x41\"\n" +  // 65 bytes
                           "c=\"short\"\n";
  std::vector<std::string> entries;
  ASSERT_TRUE(ParseDictionaryText(text, &entries, nullptr, nullptr));
  ASSERT_EQ(entries.size(), 3u);  // what "Dictionary: N entries" counts
  EXPECT_EQ(entries[1], std::string(Word::kMaxSize + 1, 'A'));
  std::vector<Word> words = WordsForMutators(entries);
  ASSERT_EQ(words.size(), 2u);  // the 65-byte entry is dropped, not cut to 64 bytes
  EXPECT_EQ(WordBytes(words[0]), std::string(Word::kMaxSize, 'A'));
  EXPECT_EQ(WordBytes(words[1]), "short");
}

TEST(ParseDictionaryTextTest, SkipsCommentsAndBlankLines) {
  const std::string text =
      "# Dictionary for a test\n"
      "\n"
      "   \t\n"
      "a=\"Elvis\"\n"
      "   # indented comment \"not a word\n"
      "\"Presley\"\r\n"
      "b@1=\"\\x00\\x01\"";  // No trailing newline.
  std::vector<std::string> words = {"stale"};
  size_t error_line = 0;
  std::string error_text;
  ASSERT_TRUE(ParseDictionaryText(text, &words, &error_line, &error_text));
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0], "Elvis");
  EXPECT_EQ(words[1], "Presley");
  EXPECT_EQ(words[2], std::string("\0\1", 2));
}

TEST(ParseDictionaryTextTest, ReportsOneBasedLineAndTextOfFirstError) {
  const std::string text =
      "# comment\n"
      "ok=\"fine\"\n"
      "\n"
      "bad line here\n"
      "also bad\n";
  std::vector<std::string> words;
  size_t error_line = 0;
  std::string error_text;
  EXPECT_FALSE(ParseDictionaryText(text, &words, &error_line, &error_text));
  EXPECT_EQ(error_line, 4u);
  EXPECT_EQ(error_text, "bad line here");
}

TEST(ParseDictionaryTextTest, ReportsErrorsOnTheFirstLine) {
  std::vector<std::string> words;
  size_t error_line = 0;
  std::string error_text;
  EXPECT_FALSE(ParseDictionaryText("\"\\q\"\r\n\"ok\"\n", &words, &error_line, &error_text));
  EXPECT_EQ(error_line, 1u);
  EXPECT_EQ(error_text, "\"\\q\"");
}

TEST(ParseDictionaryTextTest, AcceptsNullErrorOutputs) {
  std::vector<std::string> words;
  EXPECT_FALSE(ParseDictionaryText("nope\n", &words, nullptr, nullptr));
  EXPECT_TRUE(ParseDictionaryText("", &words, nullptr, nullptr));
  EXPECT_TRUE(words.empty());
}

TEST(WordToPrintableTest, MatchesLibFuzzerRendering) {
  EXPECT_EQ(WordToPrintable(MakeWord(std::string("L\0\0\0", 4))), "L\\000\\000\\000");
  const uint8_t little_endian_0x12345678[] = {0x78, 0x56, 0x34, 0x12};
  EXPECT_EQ(WordToPrintable(Word(little_endian_0x12345678, 4)), "xV4\\022");
  EXPECT_EQ(WordToPrintable(MakeWord("DEADBEEF")), "DEADBEEF");
  EXPECT_EQ(WordToPrintable(MakeWord("a\\b\"c")), "a\\\\b\\\"c");
  EXPECT_EQ(WordToPrintable(MakeWord(" ~\x7f\xff\n")), " ~\\177\\377\\012");
  EXPECT_EQ(WordToPrintable(Word()), "");
}

TEST(DictionaryTest, IgnoresDuplicates) {
  Dictionary dictionary;
  DictionaryEntry entry;
  entry.word = MakeWord("foo");
  EXPECT_FALSE(dictionary.Contains(entry.word));
  EXPECT_TRUE(dictionary.Push(entry));
  EXPECT_TRUE(dictionary.Contains(MakeWord("foo")));
  EXPECT_FALSE(dictionary.Contains(MakeWord("fo")));
  EXPECT_FALSE(dictionary.Contains(MakeWord(std::string("foo\0", 4))));

  DictionaryEntry duplicate;
  duplicate.word = MakeWord("foo");
  duplicate.position_hint = 3;  // Same word, different hint: still a duplicate.
  EXPECT_FALSE(dictionary.Push(duplicate));
  EXPECT_EQ(dictionary.size(), 1u);
  EXPECT_FALSE(dictionary[0].HasPositionHint());

  DictionaryEntry other;
  other.word = MakeWord("bar");
  EXPECT_TRUE(dictionary.Push(other));
  EXPECT_EQ(dictionary.size(), 2u);
  EXPECT_EQ(WordBytes(dictionary[1].word), "bar");

  dictionary.Clear();
  EXPECT_TRUE(dictionary.empty());
  EXPECT_FALSE(dictionary.Contains(MakeWord("foo")));
}

TEST(DictionaryTest, StopsAtCapacity) {
  Dictionary dictionary;
  DictionaryEntry entry;
  for (size_t i = 0; i < Dictionary::kCapacity; i++) {
    const uint8_t bytes[3] = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 0x5a};
    entry.word.Set(bytes, sizeof(bytes));
    ASSERT_TRUE(dictionary.Push(entry)) << i;
  }
  entry.word = MakeWord("one too many");
  EXPECT_FALSE(dictionary.Push(entry));
  EXPECT_EQ(dictionary.size(), Dictionary::kCapacity);
}

}  // namespace
}  // namespace fuzzer
