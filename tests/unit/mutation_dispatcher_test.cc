// Unit tests for the MutationDispatcher the worker and in-process engine mutate with: every
// libFuzzer mutator name shows up, size bounds hold for random inputs, dictionaries, CMP
// tables and custom hooks are used, and the MS:/DE:/recommended-dictionary texts match.
#include "runtime/engine/mutation_dispatcher.h"
#include "runtime/engine/libfuzzer_output.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace fuzzer {
namespace {

Word MakeWord(const std::string& bytes) {
  return Word(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string AsString(const std::vector<uint8_t>& bytes, size_t size) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), size);
}

// The mutator names of a description, e.g. "MS: 2 A-B- DE: ..." -> {A, B}.
std::vector<std::string> NamesOf(const std::string& description) {
  std::vector<std::string> names;
  size_t pos = description.find(' ', 4);  // After "MS: <n>".
  if (pos == std::string::npos) return names;
  pos++;
  while (pos < description.size() && description[pos] != ' ') {
    const size_t dash = description.find('-', pos);
    if (dash == std::string::npos) break;
    names.push_back(description.substr(pos, dash - pos));
    pos = dash + 1;
  }
  return names;
}

// Mutates a fresh copy of `input` once per trial in its own sequence; returns true as soon
// as `accept(output, description)` holds.
template <class Accept>
bool MutateUntil(MutationDispatcher* dispatcher, const std::string& input, size_t max_size,
                 size_t trials, Accept accept) {
  std::vector<uint8_t> buffer(max_size);
  for (size_t trial = 0; trial < trials; trial++) {
    memcpy(buffer.data(), input.data(), input.size());
    dispatcher->StartMutationSequence();
    const size_t size = dispatcher->Mutate(buffer.data(), input.size(), max_size);
    if (accept(AsString(buffer, size), dispatcher->DescribeMutationSequence(false))) return true;
  }
  return false;
}

void FillCmpTables(CmpTables* tables) {
  for (size_t i = 0; i < tables->torc4.size(); i++) tables->torc4.Insert(i, 0x41424344, 0x61626364);
  for (size_t i = 0; i < tables->torc8.size(); i++) {
    tables->torc8.Insert(i, 0x1122334455667788ULL, 0x8877665544332211ULL);
  }
  const Word hello = MakeWord("hello");
  const Word world = MakeWord("world");
  for (size_t i = 0; i < tables->torcw.size(); i++) tables->torcw.Insert(i, hello, world);
  tables->mmt.Add(reinterpret_cast<const uint8_t*>("needle"), 6);
}

TEST(MutationDispatcherTest, EveryMutatorNameAppears) {
  Random rand(1);
  auto tables = std::make_unique<CmpTables>();
  FillCmpTables(tables.get());
  MutationOptions options;
  options.float_mutators = false;  // libFuzzer's set; the Float* family: float_mutators_test
  MutationDispatcher dispatcher(&rand, options, tables.get());
  dispatcher.AddManualDictionaryWord(MakeWord("manual"));
  const std::string partner = "partner-bytes";
  dispatcher.SetCrossOverPartner(reinterpret_cast<const uint8_t*>(partner.data()), partner.size());
  // Promote a manual word so the persistent auto-dictionary is non-empty.
  ASSERT_TRUE(MutateUntil(&dispatcher, "abc", 64, 10000,
                          [](const std::string&, const std::string& description) {
                            return description.find("ManualDict") != std::string::npos;
                          }));
  dispatcher.RecordSuccessfulMutationSequence();

  std::set<std::string> seen;
  MutateUntil(&dispatcher, "x=12345;hello world\x01\x02\x03\x04", 128, 20000,
              [&seen](const std::string&, const std::string& description) {
                for (const std::string& name : NamesOf(description)) seen.insert(name);
                return false;
              });
  const std::set<std::string> expected = {
      "EraseBytes", "InsertByte",   "InsertRepeatedBytes", "ChangeByte",
      "ChangeBit",  "ShuffleBytes", "ChangeASCIIInt",      "ChangeBinInt",
      "CopyPart",   "CrossOver",    "ManualDict",          "PersAutoDict",
      "CMP"};
  EXPECT_EQ(seen, expected);
}

TEST(MutationDispatcherTest, OptionalMutatorsAreOffWhenNotApplicable) {
  Random rand(2);
  CmpTables tables;
  FillCmpTables(&tables);
  MutationOptions options;
  options.cross_over = false;
  options.use_cmp = false;
  options.float_mutators = false;
  MutationDispatcher dispatcher(&rand, options, &tables);
  const std::string partner = "partner";
  dispatcher.SetCrossOverPartner(reinterpret_cast<const uint8_t*>(partner.data()), partner.size());
  std::set<std::string> seen;
  MutateUntil(&dispatcher, "abc123", 64, 5000,
              [&seen](const std::string&, const std::string& description) {
                for (const std::string& name : NamesOf(description)) seen.insert(name);
                return false;
              });
  for (const char* name :
       {"CrossOver", "ManualDict", "PersAutoDict", "CMP", "Custom", "FloatConst", "FloatUlp"}) {
    EXPECT_EQ(seen.count(name), 0u) << name;
  }
  EXPECT_EQ(seen.size(), 9u);
}

// Fuzz-ish property test: random sizes, limits, contents and options; results stay in
// 1..max_size, and the exact-size heap buffers let ASan catch any write past max_size.
TEST(MutationDispatcherTest, ResultsStayWithinBoundsForRandomInputs) {
  Random rand(3);
  Random test_rand(4);
  auto tables = std::make_unique<CmpTables>();
  FillCmpTables(tables.get());
  MutationOptions options;
  MutationDispatcher dispatcher(&rand, options, tables.get());
  dispatcher.AddManualDictionaryWord(MakeWord(std::string(Word::kMaxSize, 'M')));
  dispatcher.AddManualDictionaryWord(MakeWord("k"));
  MutationOptions ascii_options;
  ascii_options.only_ascii = true;
  MutationDispatcher ascii_dispatcher(&rand, ascii_options, tables.get());

  for (size_t trial = 0; trial < 100000; trial++) {
    const size_t max_size = 1 + test_rand.SkewedSmall(300);
    const size_t size = test_rand(max_size + 1);
    std::vector<uint8_t> data(max_size);
    for (size_t i = 0; i < size; i++) data[i] = static_cast<uint8_t>(test_rand.Next());
    if (test_rand(4) == 0 && size > 0) data[test_rand(size)] = '7';  // Some ASCII ints.
    std::vector<uint8_t> partner(test_rand(2 * max_size + 1));
    for (uint8_t& byte : partner) byte = static_cast<uint8_t>(test_rand.Next());

    MutationDispatcher& target = trial % 4 == 0 ? ascii_dispatcher : dispatcher;
    target.SetCrossOverPartner(partner.data(), partner.size());
    target.StartMutationSequence();
    const size_t depth = 1 + test_rand(5);
    size_t current = size;
    for (size_t step = 0; step < depth; step++) {
      current = target.Mutate(data.data(), current, max_size);
      ASSERT_GE(current, 1u) << "trial " << trial;
      ASSERT_LE(current, max_size) << "trial " << trial;
    }
    ASSERT_EQ(target.MutationSequenceLength(), depth);
    if (test_rand(64) == 0) target.RecordSuccessfulMutationSequence();
  }
}

TEST(MutationDispatcherTest, HandlesEmptyInputAndTinyMaxSize) {
  Random rand(5);
  CmpTables tables;
  FillCmpTables(&tables);
  MutationDispatcher dispatcher(&rand, MutationOptions(), &tables);
  dispatcher.AddManualDictionaryWord(MakeWord("toolong"));
  for (size_t trial = 0; trial < 2000; trial++) {
    auto one_byte = std::make_unique<uint8_t[]>(1);
    one_byte[0] = 'q';
    EXPECT_EQ(dispatcher.Mutate(one_byte.get(), trial % 2, 1), 1u);
    auto two_bytes = std::make_unique<uint8_t[]>(2);
    const size_t size = dispatcher.Mutate(two_bytes.get(), 0, 2);
    EXPECT_TRUE(size == 1 || size == 2);
  }
  // An input larger than max_size is treated as truncated, never grown further.
  std::vector<uint8_t> data(8, 'a');
  for (size_t trial = 0; trial < 1000; trial++) EXPECT_LE(dispatcher.Mutate(data.data(), 8, 4), 4u);
  EXPECT_EQ(dispatcher.Mutate(data.data(), 8, 0), 0u);
}

TEST(MutationDispatcherTest, OnlyAsciiProducesPrintableOrWhitespace) {
  Random rand(6);
  MutationOptions options;
  options.only_ascii = true;
  MutationDispatcher dispatcher(&rand, options, nullptr);
  dispatcher.AddManualDictionaryWord(MakeWord("\xff\x01\x80zz"));
  std::vector<uint8_t> data(64);
  size_t size = 0;
  for (size_t trial = 0; trial < 20000; trial++) {
    size = dispatcher.Mutate(data.data(), size, data.size());
    for (size_t i = 0; i < size; i++) {
      const uint8_t byte = data[i];
      ASSERT_TRUE((byte >= 32 && byte <= 126) || (byte >= '\t' && byte <= '\r'))
          << "byte " << int(byte) << " at trial " << trial;
    }
  }
}

TEST(MutationDispatcherTest, ManualDictionaryWordGetsInserted) {
  Random rand(7);
  MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
  dispatcher.AddManualDictionaryWord(MakeWord("SHOALWORD"));
  dispatcher.AddManualDictionaryWord(MakeWord("SHOALWORD"));  // Deduplicated.
  EXPECT_EQ(dispatcher.ManualDictionarySize(), 1u);
  std::string description;
  EXPECT_TRUE(MutateUntil(&dispatcher, "aaaaaaaaaaaaaaaa", 64, 2000,
                          [&description](const std::string& output, const std::string& d) {
                            description = d;
                            return output.find("SHOALWORD") != std::string::npos;
                          }));
  EXPECT_EQ(description, "MS: 1 ManualDict- DE: \"SHOALWORD\"-");
}

TEST(MutationDispatcherTest, CmpWritesOtherOperandWhereFirstOccurs) {
  Random rand(8);
  auto tables = std::make_unique<CmpTables>();
  for (size_t i = 0; i < tables->torc4.size(); i++) tables->torc4.Insert(i, 0x41424344, 0x61626364);
  MutationDispatcher dispatcher(&rand, MutationOptions(), tables.get());

  // 0x41424344 in little-endian memory order is "DCBA"; 0x61626364 is "dcba".
  const std::string input = "xxxxxDCBAyyyyyyy";
  const std::string expected = "xxxxxdcbayyyyyyy";
  std::string description;
  EXPECT_TRUE(MutateUntil(&dispatcher, input, 32, 20000,
                          [&](const std::string& output, const std::string& d) {
                            description = d;
                            return output == expected;
                          }));
  EXPECT_EQ(description, "MS: 1 CMP- DE: \"dcba\"-");
}

TEST(MutationDispatcherTest, CmpReplacesMemcmpOperandAndFindsNarrowIntegers) {
  Random rand(9);
  auto tables = std::make_unique<CmpTables>();
  for (size_t i = 0; i < tables->torcw.size(); i++) {
    tables->torcw.Insert(i, MakeWord("hello"), MakeWord("world"));
  }
  MutationDispatcher dispatcher(&rand, MutationOptions(), tables.get());
  EXPECT_TRUE(MutateUntil(
      &dispatcher, "say hello!", 32, 20000,
      [](const std::string& output, const std::string&) { return output == "say world!"; }));

  // A 4-byte comparison of small values must also hit a 2-byte big-endian field.
  auto narrow = std::make_unique<CmpTables>();
  for (size_t i = 0; i < narrow->torc4.size(); i++) narrow->torc4.Insert(i, 0x1234, 0x4321);
  MutationDispatcher narrow_dispatcher(&rand, MutationOptions(), narrow.get());
  EXPECT_TRUE(MutateUntil(&narrow_dispatcher,
                          std::string("ab\x12\x34"
                                      "cd",
                                      6),
                          32, 20000, [](const std::string& output, const std::string&) {
                            return output == std::string(
                                                 "ab\x43\x21"
                                                 "cd",
                                                 6);
                          }));
}

TEST(MutationDispatcherTest, CmpIsOffWithoutTablesOrWithUseCmpZero) {
  Random rand(10);
  auto tables = std::make_unique<CmpTables>();
  FillCmpTables(tables.get());
  MutationOptions no_cmp;
  no_cmp.use_cmp = false;
  MutationDispatcher disabled(&rand, no_cmp, tables.get());
  MutationDispatcher without_tables(&rand, MutationOptions(), nullptr);
  for (MutationDispatcher* dispatcher : {&disabled, &without_tables}) {
    EXPECT_FALSE(MutateUntil(dispatcher, "hello DCBA", 32, 3000,
                             [](const std::string&, const std::string& description) {
                               return description.find("CMP") != std::string::npos;
                             }));
  }
}

// Writes the seed it was given, so the test can see that seeds vary.
size_t SeedWritingMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  if (max_size < sizeof(seed)) return 0;
  memcpy(data, &seed, sizeof(seed));
  return size > sizeof(seed) ? size : sizeof(seed);
}

size_t FailingMutator(uint8_t*, size_t, size_t max_size, unsigned int) { return max_size + 1; }

size_t NonAsciiMutator(uint8_t* data, size_t, size_t max_size, unsigned int) {
  memset(data, 0xc1, max_size);
  return max_size;
}

// Concatenates both inputs (truncated), then lets the default mutators run on the result
// the way a user's LLVMFuzzerCustomCrossOver may call LLVMFuzzerMutate.
size_t ConcatCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2,
                       uint8_t* out, size_t max_out_size, unsigned int) {
  size_t size = 0;
  for (size_t i = 0; i < size1 && size < max_out_size; i++) out[size++] = data1[i];
  for (size_t i = 0; i < size2 && size < max_out_size; i++) out[size++] = data2[i];
  return size;
}

TEST(MutationDispatcherTest, CustomMutatorIsTheOnlyOneUsed) {
  Random rand(11);
  auto tables = std::make_unique<CmpTables>();
  FillCmpTables(tables.get());
  MutationDispatcher dispatcher(&rand, MutationOptions(), tables.get());
  dispatcher.AddManualDictionaryWord(MakeWord("manual"));
  const std::string partner = "partner";
  dispatcher.SetCrossOverPartner(reinterpret_cast<const uint8_t*>(partner.data()), partner.size());
  dispatcher.SetCustomMutator(SeedWritingMutator);
  ASSERT_TRUE(dispatcher.HasCustomMutator());

  std::set<unsigned int> seeds;
  std::vector<uint8_t> data(16, 'z');
  for (size_t trial = 0; trial < 1000; trial++) {
    dispatcher.StartMutationSequence();
    ASSERT_EQ(dispatcher.Mutate(data.data(), 2, data.size()), 4u);
    ASSERT_EQ(dispatcher.DescribeMutationSequence(false), "MS: 1 Custom-");
    unsigned int seed;
    memcpy(&seed, data.data(), sizeof(seed));
    seeds.insert(seed);
  }
  EXPECT_GT(seeds.size(), 990u);

  // DefaultMutate (LLVMFuzzerMutate) still reaches the built-in mutators, never Custom.
  std::set<std::string> seen;
  for (size_t trial = 0; trial < 3000; trial++) {
    dispatcher.StartMutationSequence();
    dispatcher.DefaultMutate(data.data(), 8, data.size());
    for (const std::string& name : NamesOf(dispatcher.DescribeMutationSequence(false))) {
      seen.insert(name);
    }
  }
  EXPECT_EQ(seen.count("Custom"), 0u);
  EXPECT_EQ(seen.count("CustomCrossOver"), 0u);
  EXPECT_GT(seen.size(), 10u);
}

TEST(MutationDispatcherTest, CustomCrossOverIsAppendedOnlyWithPartnerAndCrossOver) {
  Random rand(12);
  MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
  dispatcher.SetCustomCrossOver(ConcatCrossOver);
  const std::string partner = "PARTNER";
  dispatcher.SetCrossOverPartner(reinterpret_cast<const uint8_t*>(partner.data()), partner.size());
  EXPECT_TRUE(MutateUntil(&dispatcher, "input", 9, 2000,
                          [](const std::string& output, const std::string& description) {
                            return description == "MS: 1 CustomCrossOver-" && output == "inputPART";
                          }));

  // With a custom mutator too, the two custom hooks are the only candidates.
  dispatcher.SetCustomMutator(SeedWritingMutator);
  std::set<std::string> seen;
  MutateUntil(&dispatcher, "input", 16, 500,
              [&seen](const std::string&, const std::string& description) {
                for (const std::string& name : NamesOf(description)) seen.insert(name);
                return false;
              });
  EXPECT_EQ(seen, (std::set<std::string>{"Custom", "CustomCrossOver"}));

  MutationOptions no_cross_over;
  no_cross_over.cross_over = false;
  MutationDispatcher disabled(&rand, no_cross_over, nullptr);
  disabled.SetCustomCrossOver(ConcatCrossOver);
  disabled.SetCrossOverPartner(reinterpret_cast<const uint8_t*>(partner.data()), partner.size());
  EXPECT_FALSE(MutateUntil(&disabled, "input", 16, 2000,
                           [](const std::string&, const std::string& description) {
                             return description.find("CrossOver") != std::string::npos;
                           }));
}

TEST(MutationDispatcherTest, FailingCustomMutatorFallsBackToOneSpace) {
  Random rand(13);
  MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
  dispatcher.SetCustomMutator(FailingMutator);
  std::vector<uint8_t> data(8, 'a');
  dispatcher.StartMutationSequence();
  EXPECT_EQ(dispatcher.Mutate(data.data(), 5, data.size()), 1u);
  EXPECT_EQ(data[0], ' ');
  EXPECT_EQ(dispatcher.MutationSequenceLength(), 1u);
  EXPECT_EQ(dispatcher.DescribeMutationSequence(false), "MS: 1 EraseBytes-");
}

TEST(MutationDispatcherTest, OnlyAsciiAlsoAppliesToCustomMutatorOutput) {
  Random rand(14);
  MutationOptions options;
  options.only_ascii = true;
  MutationDispatcher dispatcher(&rand, options, nullptr);
  dispatcher.SetCustomMutator(NonAsciiMutator);
  std::vector<uint8_t> data(8, 'a');
  ASSERT_EQ(dispatcher.Mutate(data.data(), 3, data.size()), 8u);
  // 0xc1 loses its high bit: 0x41 == 'A'.
  EXPECT_EQ(AsString(data, 8), "AAAAAAAA");
}

TEST(MutationDispatcherTest, DescribeMutationSequenceFormat) {
  Random rand(15);
  MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
  EXPECT_EQ(dispatcher.DescribeMutationSequence(false), "");
  std::vector<uint8_t> data(32, 'a');
  size_t size = 10;
  dispatcher.StartMutationSequence();
  for (int i = 0; i < 3; i++) size = dispatcher.Mutate(data.data(), size, data.size());
  std::string description = dispatcher.DescribeMutationSequence(false);
  EXPECT_EQ(description.rfind("MS: 3 ", 0), 0u) << description;
  EXPECT_EQ(NamesOf(description).size(), 3u);
  EXPECT_EQ(description.back(), '-');
  EXPECT_EQ(description.find("DE:"), std::string::npos);

  // More than 10 mutations: the count is exact, names are capped unless verbose.
  for (int i = 0; i < 9; i++) size = dispatcher.Mutate(data.data(), size, data.size());
  description = dispatcher.DescribeMutationSequence(false);
  EXPECT_EQ(description.rfind("MS: 12 ", 0), 0u) << description;
  EXPECT_EQ(NamesOf(description).size(), 10u);
  const std::string verbose = dispatcher.DescribeMutationSequence(true);
  EXPECT_EQ(NamesOf(verbose).size(), 12u);
  EXPECT_EQ(verbose.rfind(description, 0), 0u);  // Verbose extends the short form.

  dispatcher.StartMutationSequence();
  EXPECT_EQ(dispatcher.DescribeMutationSequence(true), "");
  EXPECT_EQ(dispatcher.MutationSequenceLength(), 0u);
}

TEST(MutationDispatcherTest, DescribeListsDictionaryWordsPrintably) {
  Random rand(16);
  MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
  dispatcher.AddManualDictionaryWord(MakeWord(std::string("L\0\0\0", 4)));
  std::string description;
  ASSERT_TRUE(MutateUntil(&dispatcher, "abcdefgh", 32, 2000,
                          [&description](const std::string&, const std::string& d) {
                            description = d;
                            return d.find("ManualDict") != std::string::npos;
                          }));
  EXPECT_EQ(description, "MS: 1 ManualDict- DE: \"L\\000\\000\\000\"-");

  // Words are listed in order of use, one per dictionary mutation, capped at 10.
  std::vector<uint8_t> data(4096, 'a');
  size_t size = 8;
  dispatcher.StartMutationSequence();
  size_t dictionary_uses = 0;
  while (dictionary_uses < 12) {
    size = dispatcher.Mutate(data.data(), size, 64);
    const std::vector<std::string> names = NamesOf(dispatcher.DescribeMutationSequence(true));
    if (names.back() == "ManualDict") dictionary_uses++;
  }
  std::string word_list;
  for (int i = 0; i < 10; i++) word_list += "\"L\\000\\000\\000\"-";
  description = dispatcher.DescribeMutationSequence(false);
  EXPECT_EQ(description.substr(description.find(" DE: ")), " DE: " + word_list);
  const std::string verbose = dispatcher.DescribeMutationSequence(true);
  EXPECT_EQ(verbose.substr(verbose.find(" DE: ")),
            " DE: " + word_list + "\"L\\000\\000\\000\"-\"L\\000\\000\\000\"-");
}

// The block the end of an in-process run prints (fuzzer.cc).
std::string Recommended(const MutationDispatcher& dispatcher) {
  return FormatRecommendedDictionary(dispatcher.persistent_auto_dictionary().entries(),
                                     dispatcher.manual_dictionary());
}

TEST(MutationDispatcherTest, RecommendedDictionaryAfterSuccessfulSequences) {
  Random rand(17);
  auto tables = std::make_unique<CmpTables>();
  for (size_t i = 0; i < tables->torcw.size(); i++) {
    tables->torcw.Insert(i, MakeWord("DEADBEEF"), MakeWord("xV4\x12"));
  }
  MutationDispatcher dispatcher(&rand, MutationOptions(), tables.get());
  dispatcher.AddManualDictionaryWord(MakeWord("manual"));
  EXPECT_EQ(Recommended(dispatcher), "");

  // A successful sequence that used only a -dict word recommends nothing: the user has it.
  ASSERT_TRUE(MutateUntil(&dispatcher, "0123456789", 32, 2000,
                          [](const std::string&, const std::string& description) {
                            return description == "MS: 1 ManualDict- DE: \"manual\"-";
                          }));
  dispatcher.RecordSuccessfulMutationSequence();
  EXPECT_EQ(Recommended(dispatcher), "");

  // "DEADBEEF" is in the input, so the CMP mutator writes the other operand over it.
  ASSERT_TRUE(MutateUntil(&dispatcher, "--DEADBEEF--", 32, 20000,
                          [](const std::string& output, const std::string& description) {
                            return description == "MS: 1 CMP- DE: \"xV4\\022\"-" &&
                                   output ==
                                       "--xV4\x12"
                                       "BEEF--";  // Overwritten, not replaced.
                          }));
  EXPECT_EQ(Recommended(dispatcher), "");  // Not successful yet.
  dispatcher.RecordSuccessfulMutationSequence();
  EXPECT_EQ(Recommended(dispatcher),
            "###### Recommended dictionary. ######\n"
            "\"xV4\\022\" # Uses: 1\n"
            "###### End of recommended dictionary. ######\n");

  // Further PersAutoDict picks of the promoted word count as uses.
  size_t persistent_uses = 0;
  MutateUntil(&dispatcher, "abc", 32, 3000,
              [&persistent_uses](const std::string&, const std::string& description) {
                if (description == "MS: 1 PersAutoDict- DE: \"xV4\\022\"-") persistent_uses++;
                return false;
              });
  ASSERT_GT(persistent_uses, 0u);
  // The promoted "manual" word is picked by PersAutoDict too, so count only "xV4\022".
  const std::string recommended = Recommended(dispatcher);
  EXPECT_NE(recommended.find("\"xV4\\022\" # Uses: " + std::to_string(1 + persistent_uses) + "\n"),
            std::string::npos)
      << recommended;
  EXPECT_EQ(recommended.find("manual"), std::string::npos);
}

TEST(MutationDispatcherTest, SameSeedGivesSameMutations) {
  auto run = [](uint64_t seed) {
    Random rand(seed);
    MutationDispatcher dispatcher(&rand, MutationOptions(), nullptr);
    dispatcher.AddManualDictionaryWord(MakeWord("word"));
    std::vector<uint8_t> data(128, 'a');
    size_t size = 16;
    std::string trace;
    for (int i = 0; i < 500; i++) {
      dispatcher.StartMutationSequence();
      size = dispatcher.Mutate(data.data(), size, data.size());
      trace += AsString(data, size) + dispatcher.DescribeMutationSequence(true);
    }
    return trace;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

}  // namespace
}  // namespace fuzzer
