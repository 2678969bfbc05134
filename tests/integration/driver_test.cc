// Integration tests: the driver's command-line behaviour and log grammar, as
// tools (ClusterFuzz, OSS-Fuzz) parse it: start-up banner, INITED/NEW/DONE
// status lines with non-zero coverage under ASan, UBSan-only and no-sanitizer
// builds, seed corpora and output corpus naming, final stats, -help, unknown and
// "--" flags, -ignore_remaining_args, LLVMFuzzerInitialize, reproduce mode,
// dictionaries, missing directories, uninstrumented and protobuf-linking targets.
#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

constexpr char kNote1[] = "***";
constexpr char kNote2[] = "*** NOTE: fuzzing was not performed, you have only";
constexpr char kNote3[] = "***       executed the target code on a fixed set of inputs.";
constexpr char kLoadedModules[] =
    R"(INFO: Loaded 1 modules   \((\d+) inline 8-bit counters\): (\d+) \[0x([0-9a-f]+), 0x([0-9a-f]+)\),\s*)";
constexpr char kLoadedPcTables[] =
    R"(INFO: Loaded 1 PC tables \((\d+) PCs\): (\d+) \[0x([0-9a-f]+),0x([0-9a-f]+)\),\s*)";

unsigned long long Hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

void MakeDir(const TempDir& dir, const std::string& name) {
  ASSERT_EQ(mkdir(dir.Join(name).c_str(), 0755), 0) << name;
}

// Start-up banner + status-line grammar of a 1000-run fuzzing session of the
// branchy harness, for the given build flavour. Coverage must be non-zero: the
// sanitizer runtimes' weak no-op coverage callbacks must not win the link.
void CheckBannerAndStatusLines(const std::string& harness_name) {
  SCOPED_TRACE(harness_name);
  TempDir dir;
  RunResult run = RunProcess(Harness(harness_name), {kSeed, "-runs=1000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  const std::string& out = run.output;
  EXPECT_TRUE(HasLine(out, "INFO: Running with entropic power schedule (0xFF, 100).")) << out;
  EXPECT_TRUE(HasLine(out, "INFO: Seed: 1")) << out;

  auto modules = FindLine(out, kLoadedModules);
  ASSERT_TRUE(modules) << "no/garbled \"INFO: Loaded 1 modules\" line\n" << out;
  const int counters = std::stoi((*modules)[1]);
  EXPECT_GT(counters, 0);
  EXPECT_EQ((*modules)[2], (*modules)[1]);
  EXPECT_EQ(Hex((*modules)[4]) - Hex((*modules)[3]), static_cast<unsigned long long>(counters))
      << "counter range must span one byte per counter";
  auto pcs = FindLine(out, kLoadedPcTables);
  ASSERT_TRUE(pcs) << "no/garbled \"INFO: Loaded 1 PC tables\" line\n" << out;
  EXPECT_EQ((*pcs)[1], (*modules)[1]) << "one PC-table entry per counter";
  EXPECT_EQ((*pcs)[2], (*pcs)[1]);
  EXPECT_EQ(Hex((*pcs)[4]) - Hex((*pcs)[3]), 2ull * sizeof(void*) * counters)
      << "PC table entries are {PC, flags} pairs";

  EXPECT_TRUE(HasLine(
      out,
      "INFO: -max_len is not provided; libFuzzer will not generate inputs larger than 4096 bytes"))
      << out;
  EXPECT_TRUE(HasLine(out, "INFO: A corpus is not provided, starting from an empty corpus")) << out;

  auto inited =
      FindLine(out, R"(#2\tINITED cov: (\d+) ft: (\d+) corp: 1/1b exec/s: \d+ rss: \d+Mb)");
  ASSERT_TRUE(inited) << "no/garbled \"#2\\tINITED\" line\n" << out;
  const int inited_cov = std::stoi((*inited)[1]);
  EXPECT_GT(inited_cov, 0) << "coverage is zero: the instrumentation callbacks are not wired up";
  EXPECT_LE(inited_cov, counters);
  EXPECT_GE(std::stoi((*inited)[2]), inited_cov) << "ft counts at least the covered edges";

  EXPECT_GE(
      CountLines(
          out,
          R"(#\d+\tNEW    cov: \d+ ft: \d+ corp: \d+/\d+b lim: \d+ exec/s: \d+ rss: \d+Mb L: \d+/\d+ MS: \d+ \S+)"),
      1)
      << "branchy gains coverage quickly; expected NEW lines\n"
      << out;
  auto done = FindLine(
      out,
      R"(#1000\tDONE   cov: (\d+) ft: (\d+) corp: (\d+)/\d+b lim: \d+ exec/s: \d+ rss: \d+Mb)");
  ASSERT_TRUE(done) << "no/garbled \"#1000\\tDONE\" line\n" << out;
  EXPECT_GT(std::stoi((*done)[1]), inited_cov);
  EXPECT_GT(std::stoi((*done)[3]), 1) << "corpus must have grown";
  EXPECT_TRUE(FindLine(out, R"(Done 1000 runs in \d+ second\(s\))")) << out;

  // Status lines are numbered by total executions: never decreasing.
  long long last = 0;
  for (const std::string& line : Lines(out)) {
    auto m = FindLine(line, R"(#(\d+)\t(INITED|NEW   |REDUCE|pulse |DONE  ) .*)");
    if (!m) continue;
    long long n = std::stoll((*m)[1]);
    EXPECT_GE(n, last) << line;
    last = n;
  }
}

TEST(Driver, BannerAndStatusLinesAsanUbsanBuild) { CheckBannerAndStatusLines("branchy"); }
TEST(Driver, BannerAndStatusLinesUbsanOnlyBuild) { CheckBannerAndStatusLines("branchy_ubsan"); }
TEST(Driver, BannerAndStatusLinesNoSanitizerBuild) { CheckBannerAndStatusLines("branchy_nosan"); }

TEST(Driver, RunsZeroExecutesTheSeedCorpusOnly) {
  TempDir dir;
  MakeDir(dir, "corp");
  WriteFile(dir.Join("corp/1"), "a");
  WriteFile(dir.Join("corp/2"), "bb");
  WriteFile(dir.Join("corp/3"), "ccc");
  RunResult run = RunProcess(Harness("branchy"), {"-runs=0", "corp"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "INFO:        3 files found in corp")) << run.output;
  EXPECT_TRUE(
      FindLine(run.output, R"(INFO: seed corpus: files: 3 min: 1b max: 3b total: 6b rss: \d+Mb)"))
      << run.output;
  // 1 empty-input run + 3 seeds.
  EXPECT_TRUE(
      FindLine(run.output, R"(#4\tINITED cov: [1-9]\d* ft: \d+ corp: 3/6b exec/s: \d+ rss: \d+Mb)"))
      << run.output;
  EXPECT_TRUE(FindLine(
      run.output, R"(#4\tDONE   cov: [1-9]\d* ft: \d+ corp: 3/6b lim: \d+ exec/s: \d+ rss: \d+Mb)"))
      << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 4 runs in \d+ second\(s\))")) << run.output;
  EXPECT_EQ(ListDir(dir.Join("corp")), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(Driver, NewCorpusFilesAreNamedBySha1OfTheirContents) {
  TempDir dir;
  MakeDir(dir, "out");
  MakeDir(dir, "seeds");
  WriteFile(dir.Join("seeds/s"), "seed-input");
  RunResult run = RunProcess(Harness("branchy"), {kSeed, "-runs=3000", "out", "seeds"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> files = ListDir(dir.Join("out"));
  ASSERT_FALSE(files.empty()) << "no corpus files written to the first dir\n" << run.output;
  std::set<std::string> contents;
  for (const std::string& f : files) {
    std::string bytes = ReadFile(dir.Join("out/" + f));
    EXPECT_EQ(f, Sha1Hex(bytes)) << "corpus file name must be the SHA-1 of its contents";
    contents.insert(bytes);
  }
  EXPECT_EQ(ListDir(dir.Join("seeds")), std::vector<std::string>{"s"})
      << "only the first corpus dir receives new units";
  // The written corpus is loadable as a seed corpus again.
  RunResult again = RunProcess(Harness("branchy"), {"-runs=0", "out"}, dir.path());
  SHOAL_EXPECT_EXIT(again, 0);
  EXPECT_TRUE(
      HasLine(again.output, "INFO: " + std::string(8 - std::to_string(files.size()).size(), ' ') +
                                std::to_string(files.size()) + " files found in out"))
      << again.output;
}

// Runs reload_key on an empty corpus dir with `flags`. Once fuzzing has begun (the
// engine wrote its first unit there), another "fuzzer" drops the key into the dir, the way
// libFuzzer -jobs or an ensemble partner shares its finds.
RunResult FuzzWhileAnotherProcessDropsTheKey(const TempDir& dir, std::vector<std::string> flags) {
  MakeDir(dir, "corpus");
  std::thread other_fuzzer([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ListDir(dir.Join("corpus")).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // libFuzzer skips a directory whose modification time, in whole seconds, has not moved
    // since its last look: drop the key in a later second than the engine's own write.
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    WriteFile(dir.Join(".key.partial"), "shoal-reload-key");
    rename(dir.Join(".key.partial").c_str(), dir.Join("corpus/from-another-fuzzer").c_str());
  });
  flags.push_back("corpus");
  RunResult run = RunProcess(Harness("reload_key"), flags, dir.path());
  other_fuzzer.join();
  return run;
}

TEST(Driver, ReloadRunsWhatAnotherProcessPutIntoTheCorpusDir) {
  TempDir dir;
  RunResult run =
      FuzzWhileAnotherProcessDropsTheKey(dir, {kSeed, "-reload=1", "-max_total_time=60"});
  SHOAL_EXPECT_EXIT(run, 1);
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes, "shoal-reload-key");
}

TEST(Driver, ReloadAlsoWorksInProcess) {
  // -workers=0 is Shoal's in-process engine; libFuzzer only warns about the flag.
  TempDir dir;
  RunResult run = FuzzWhileAnotherProcessDropsTheKey(
      dir, {kSeed, "-workers=0", "-reload=1", "-max_total_time=60"});
  SHOAL_EXPECT_EXIT(run, 1);
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes, "shoal-reload-key");
}

TEST(Driver, WithoutReloadTheCorpusDirIsReadOnlyAtStart) {
  TempDir dir;
  RunResult run =
      FuzzWhileAnotherProcessDropsTheKey(dir, {kSeed, "-reload=0", "-max_total_time=4"});
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to")) << run.output;
}

TEST(Driver, MutationGraphFileHasAVertexPerNewUnitAndEdgesFromTheirBases) {
  TempDir dir;
  MakeDir(dir, "out");
  RunResult run = RunProcess(Harness("branchy"),
                             {kSeed, "-runs=20000", "-mutation_graph_file=graph.dot", "out"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::string graph = ReadFile(dir.Join("graph.dot"));
  std::set<std::string> vertices;
  int edges = 0;
  for (const std::string& line : Lines(graph)) {
    if (auto vertex = FindLine(line, R"re("([0-9a-f]{40})")re")) {
      vertices.insert((*vertex)[1]);
    } else if (auto edge = FindLine(
                   line, R"re("([0-9a-f]{40})" -> "([0-9a-f]{40})" \[label="([A-Za-z0-9]+-)*"\];)re")) {
      edges++;
      EXPECT_TRUE(vertices.count((*edge)[2])) << "edge before its vertex: " << line;
    } else {
      ADD_FAILURE() << "not a vertex or edge line: '" << line << "'\n" << graph;
    }
  }
  // One vertex per NEW unit, and one (without an edge) for the "\n" seed of an empty corpus.
  EXPECT_TRUE(vertices.count(Sha1Hex("\n"))) << graph;
  EXPECT_EQ(int(vertices.size()), CountLines(run.output, R"(#\d+\tNEW .*)") + 1)
      << graph << run.output;
  EXPECT_GT(edges, 0) << graph;
}

// The covered and total edge counts of LLVMFuzzerTestOneInput in a -print_coverage report.
std::pair<int, int> TargetFunctionEdges(const RunResult& run) {
  auto line = FindLine(
      run.output,
      R"(COVERED_FUNC: hits: [1-9]\d* edges: (\d+)/(\d+) LLVMFuzzerTestOneInput .*branchy\.cc:\d+)");
  if (!line) {
    ADD_FAILURE() << "no COVERED_FUNC line for LLVMFuzzerTestOneInput\n" << run.output;
    return {0, 0};
  }
  return {std::stoi((*line)[1]), std::stoi((*line)[2])};
}

TEST(Driver, PrintCoverageReportsCoveredFunctionsAndUncoveredEdges) {
  TempDir dir;
  RunResult seed_only =
      RunProcess(Harness("branchy"), {kSeed, "-runs=0", "-print_coverage=1"}, dir.path());
  SHOAL_EXPECT_EXIT(seed_only, 0);
  EXPECT_TRUE(HasLine(seed_only.output, "COVERAGE:")) << seed_only.output;
  auto [covered_by_seed, total] = TargetFunctionEdges(seed_only);
  EXPECT_GT(covered_by_seed, 0);
  EXPECT_LT(covered_by_seed, total);
  EXPECT_TRUE(FindLine(seed_only.output, R"(  UNCOVERED_PC: .*branchy\.cc:\d+)"))
      << seed_only.output;
  // Fuzzing covers more of the same function.
  RunResult fuzzed =
      RunProcess(Harness("branchy"), {kSeed, "-runs=20000", "-print_coverage=1"}, dir.path());
  SHOAL_EXPECT_EXIT(fuzzed, 0);
  auto [covered_by_fuzzing, total_again] = TargetFunctionEdges(fuzzed);
  EXPECT_GT(covered_by_fuzzing, covered_by_seed) << fuzzed.output;
  EXPECT_EQ(total_again, total);
  // -print_full_coverage: per function, the source lines of uncovered ("U") and covered ("C")
  // edges.
  RunResult full =
      RunProcess(Harness("branchy"), {kSeed, "-runs=0", "-print_full_coverage=1"}, dir.path());
  SHOAL_EXPECT_EXIT(full, 0);
  ExpectLinesInOrder(full.output, {"FULL COVERAGE:", R"(U( \d+)+)", R"(C( \d+)+)"});
  EXPECT_FALSE(HasLine(full.output, "COVERAGE:")) << full.output;
}

TEST(Driver, FocusFunctionIsResolvedAndCountedAndTheEntropicScheduleIsOff) {
  TempDir dir;
  MakeDir(dir, "corpus");
  WriteFile(dir.Join("corpus/focus"), "Fab");
  WriteFile(dir.Join("corpus/other"), "abc");
  RunResult run = RunProcess(Harness("focus_target"),
                             {kSeed, "-runs=3000", "-focus_function=FocusHere", "corpus"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_FALSE(HasLineContaining(run.output, "entropic power schedule")) << run.output;
  ExpectLinesInOrder(run.output, {"INFO: Focus function is set to 'FocusHere'",
                                  R"(#\d+\tINITED .* corp: 2/\d+b focus: 1 .*)",
                                  R"(INFO: 1/2 inputs touch the focus function)"});
  EXPECT_TRUE(FindLine(run.output, R"(#\d+\tDONE   .* focus: [1-9]\d* .*)")) << run.output;

  RunResult wrong = RunProcess(Harness("focus_target"),
                               {kSeed, "-runs=10", "-focus_function=NoSuchFunction"}, dir.path());
  SHOAL_EXPECT_EXIT(wrong, 1);
  EXPECT_TRUE(HasLine(wrong.output,
                      "ERROR: Failed to set focus function. Make sure the function name is valid "
                      "(NoSuchFunction) and symbolization is enabled."))
      << wrong.output;
}

TEST(Driver, AnalyzeDictReportsWordsWhoseMaskingChangesNothing) {
  // branchy looks at bytes 0-3 and the size: masking "A" (byte 0) or "\n" (byte 3) changes
  // its path; masking "zzzz" (bytes 4-7) does not.
  TempDir dir;
  MakeDir(dir, "corpus");
  WriteFile(dir.Join("corpus/input"), "Aab\nzzzzzz");
  WriteFile(dir.Join("words.dict"), "first=\"A\"\nnewline=\"\\x0a\"\nfiller=\"zzzz\"\n");
  RunResult run = RunProcess(Harness("branchy"),
                             {"-analyze_dict=1", "-dict=words.dict", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectLinesInOrder(run.output, {"Loading corpus dir: corpus",
                                  R"(Started dictionary minimization \(up to 6 tests\))",
                                  "###### Useless dictionary elements. ######",
                                  R"("zzzz" # Score: -1, Used: 1)",
                                  "###### End of useless dictionary elements. ######",
                                  "Dictionary analysis succeeded"});
  EXPECT_FALSE(HasLineContaining(run.output, "\"A\" # Score")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "# Score: 2")) << run.output;

  RunResult no_corpus =
      RunProcess(Harness("branchy"), {"-analyze_dict=1", "-dict=words.dict"}, dir.path());
  SHOAL_EXPECT_EXIT(no_corpus, 1);
  EXPECT_TRUE(HasLine(no_corpus.output, "ERROR: can't analyze dict without dict and corpus provided"))
      << no_corpus.output;
}

TEST(Driver, FeaturesDirHasAFeatureFileForEveryCorpusFile) {
  TempDir dir;
  MakeDir(dir, "out");
  MakeDir(dir, "features");
  RunResult run = RunProcess(Harness("branchy"),
                             {kSeed, "-runs=5000", "-features_dir=features", "out"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> corpus = ListDir(dir.Join("out"));
  std::vector<std::string> features = ListDir(dir.Join("features"));
  ASSERT_FALSE(corpus.empty()) << run.output;
  std::set<std::string> with_features(features.begin(), features.end());
  for (const std::string& name : corpus)
    EXPECT_TRUE(with_features.count(name)) << "no feature file for corpus file " << name;
  for (const std::string& name : features) {
    EXPECT_TRUE(FindLine(name, "[0-9a-f]{40}")) << name;
    std::string bytes = ReadFile(dir.Join("features/" + name));
    EXPECT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(bytes.size() % 4, 0u) << name << " is not a whole number of uint32 features";
  }
  // A missing directory is an error, as for the corpus.
  RunResult missing = RunProcess(Harness("branchy"), {"-runs=10", "-features_dir=nowhere"},
                                 dir.path());
  SHOAL_EXPECT_EXIT(missing, 1);
  EXPECT_TRUE(HasLineContaining(missing.output, "nowhere")) << missing.output;
}

TEST(Driver, PrintCorpusStatsListsEveryCorpusInputWithItsMutations) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("branchy"), {kSeed, "-runs=5000", "-print_corpus_stats=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  auto done = FindLine(run.output, R"(#\d+\tDONE   .* corp: (\d+)/.*)");
  ASSERT_TRUE(done) << run.output;
  size_t lines = 0, runs = 0, successes = 0;
  for (const std::string& line : Lines(run.output)) {
    auto m = FindLine(
        line, R"(  \[ *\d+ [0-9a-f]{40}\] sz: +\d+ runs: +(\d+) succ: +(\d+) focus: 0)");
    if (!m) continue;
    lines++;
    runs += std::stoul((*m)[1]);
    successes += std::stoul((*m)[2]);
  }
  EXPECT_GE(lines, std::stoul((*done)[1])) << run.output;  // evicted inputs are listed too
  EXPECT_GE(successes, 1u) << run.output;
  EXPECT_GE(runs, successes) << run.output;
  // The list comes before the final stats would (none asked for here) and after DONE.
  ExpectLinesInOrder(run.output, {R"(#\d+\tDONE   .*)", R"(  \[ *0 [0-9a-f]{40}\] .*)"});
}

TEST(Driver, NewPcAndNewFuncLinesNameWhatFuzzingNewlyCovered) {
  // The "\n" seed goes Elsewhere; fuzzing then enters FocusHere for the first time.
  TempDir dir;
  RunResult run =
      RunProcess(Harness("focus_target"), {kSeed, "-runs=20000", "-print_pcs=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectLinesInOrder(run.output,
                     {R"(#\d+\tINITED .*)", R"(\tNEW_PC: 0x[0-9a-f]+ in \w+ .*focus_target\.cc:\d+.*)",
                      R"(\tNEW_FUNC\[1/1\]: 0x[0-9a-f]+ in FocusHere .*focus_target\.cc:\d+.*)"});
  std::vector<std::string> lines = Lines(run.output);
  auto inited = std::find_if(lines.begin(), lines.end(),
                             [](const std::string& line) { return FindLine(line, R"(#\d+\tINITED .*)").has_value(); });
  EXPECT_TRUE(std::none_of(lines.begin(), inited, [](const std::string& line) {
    return line.find("NEW_PC") != std::string::npos;
  })) << "the seeds' coverage is not new\n" << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, " in in ")) << run.output;
}

TEST(Driver, ExitOnSrcPosEndsTheRunWhenFuzzingReachesTheLine) {
  // Line 10 of focus_target.cc is inside FocusHere, which the "\n" seed does not enter.
  TempDir dir;
  RunResult run = RunProcess(
      Harness("focus_target"), {kSeed, "-runs=10000000", "-exit_on_src_pos=focus_target.cc:10"},
      dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectLinesInOrder(run.output, {R"(#\d+\tINITED .*)",
                                  "INFO: found line matching 'focus_target.cc:10', exiting."});
  EXPECT_FALSE(FindLine(run.output, R"(Done \d+ runs.*)")) << run.output;
}

TEST(Driver, ExitOnItemEndsTheRunOnceTheCorpusHoldsIt) {
  TempDir dir;
  MakeDir(dir, "corpus");
  WriteFile(dir.Join("corpus/seed"), "Aab\n");
  const std::string item = Sha1Hex("Aab\n");
  RunResult run = RunProcess(Harness("branchy"),
                             {kSeed, "-runs=10000000", "-exit_on_item=" + item, "corpus"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "INFO: found item with checksum '" + item + "', exiting."))
      << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(Done \d+ runs.*)")) << run.output;
}

// The share of NEW lines whose mutation sequence had a single mutation.
double ShareOfSingleMutationFinds(const std::string& output) {
  int finds = CountLines(output, R"(#\d+\tNEW .* MS: \d+ .*)");
  int single = CountLines(output, R"(#\d+\tNEW .* MS: 1 .*)");
  return finds ? double(single) / finds : 0;
}

TEST(Driver, ReduceDepthEndsSequencesWhoseMutantLostTheParentsUniqueFeatures) {
  // In hash_buckets nearly every mutation loses the parent's unique feature (its bucket), so
  // with -reduce_depth=1 most finds come from the first mutation of a sequence. Shoal's
  // input-to-state steps are single steps with or without it, so they are off here.
  TempDir dir;
  std::vector<std::string> plain_args = {kSeed, "-runs=20000"};
  if (Engine() == "shoal") plain_args.insert(plain_args.end(), {"-input_to_state=0", "-cmp_distance=0"});
  std::vector<std::string> reduced_args = plain_args;
  reduced_args.push_back("-reduce_depth=1");
  RunResult plain = RunProcess(Harness("hash_buckets"), plain_args, dir.path());
  RunResult reduced = RunProcess(Harness("hash_buckets"), reduced_args, dir.path());
  SHOAL_EXPECT_EXIT(plain, 0);
  SHOAL_EXPECT_EXIT(reduced, 0);
  ASSERT_GE(CountLines(reduced.output, R"(#\d+\tNEW .*)"), 30) << reduced.output;
  EXPECT_GE(ShareOfSingleMutationFinds(reduced.output),
            ShareOfSingleMutationFinds(plain.output) + 0.15)
      << plain.output << reduced.output;
}

TEST(Driver, PrintFinalStatsPrintsFiveStatLines) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("branchy"), {kSeed, "-runs=77", "-print_final_stats=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(FindLine(run.output, R"(#77\tDONE   .*)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 77 runs in \d+ second\(s\))")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "stat::number_of_executed_units: 77")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(stat::average_exec_per_sec:     \d+)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(stat::new_units_added:          [1-9]\d*)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(stat::slowest_unit_time_sec:    \d+)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(stat::peak_rss_mb:              [1-9]\d*)")) << run.output;
  EXPECT_EQ(CountLines(run.output, R"(stat::\w+: *\d+)"), 5) << run.output;
}

TEST(Driver, RunsCountsEveryExecutionOfTheTarget) {
  TempDir dir;
  RunResult run = RunProcess(Harness("initialize"), {kSeed, "-runs=100"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(FindLine(run.output, R"(Done 100 runs in \d+ second\(s\))")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "TARGET_CALLS: 100")) << run.output;
}

TEST(Driver, HelpListsAllLibFuzzer14FlagsWithDefaults) {
  TempDir dir;
  const std::string h = Harness("empty");
  RunResult run = RunProcess(h, {"-help=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  const std::vector<std::string> lines = Lines(run.output);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "Usage:");
  EXPECT_TRUE(HasLine(run.output, h + " [-flag1=val1 [-flag2=val2 ...] ] [dir1 [dir2 ...] ]"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, h + " [-flag1=val1 [-flag2=val2 ...] ] file1 [file2 ...]"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "Flags: (strictly in form -flag=value)")) << run.output;
  EXPECT_TRUE(HasLine(
      run.output,
      "Flags starting with '--' will be ignored and will be passed verbatim to subprocesses."))
      << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << "-help must not fuzz";
  // Name and default of every flag libFuzzer 14.0.6 lists, in its order.
  const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"verbosity", "1"},
      {"seed", "0"},
      {"runs", "-1"},
      {"max_len", "0"},
      {"len_control", "100"},
      {"seed_inputs", "0"},
      {"keep_seed", "0"},
      {"cross_over", "1"},
      {"cross_over_uniform_dist", "0"},
      {"mutate_depth", "5"},
      {"reduce_depth", "0"},
      {"shuffle", "1"},
      {"prefer_small", "1"},
      {"timeout", "1200"},
      {"error_exitcode", "77"},
      {"timeout_exitcode", "70"},
      {"max_total_time", "0"},
      {"help", "0"},
      {"fork", "0"},
      {"fork_corpus_groups", "0"},
      {"ignore_timeouts", "1"},
      {"ignore_ooms", "1"},
      {"ignore_crashes", "0"},
      {"merge", "0"},
      {"set_cover_merge", "0"},
      {"stop_file", "0"},
      {"merge_control_file", "0"},
      {"minimize_crash", "0"},
      {"cleanse_crash", "0"},
      {"mutation_graph_file", "0"},
      {"use_counters", "1"},
      {"use_memmem", "1"},
      {"use_value_profile", "0"},
      {"use_cmp", "1"},
      {"shrink", "0"},
      {"reduce_inputs", "1"},
      {"jobs", "0"},
      {"workers", "0"},
      {"reload", "1"},
      {"report_slow_units", "10"},
      {"only_ascii", "0"},
      {"dict", "0"},
      {"artifact_prefix", "0"},
      {"exact_artifact_path", "0"},
      {"print_pcs", "0"},
      {"print_funcs", "2"},
      {"print_final_stats", "0"},
      {"print_corpus_stats", "0"},
      {"print_coverage", "0"},
      {"print_full_coverage", "0"},
      {"dump_coverage", "0"},
      {"handle_segv", "1"},
      {"handle_bus", "1"},
      {"handle_abrt", "1"},
      {"handle_ill", "1"},
      {"handle_fpe", "1"},
      {"handle_int", "1"},
      {"handle_term", "1"},
      {"handle_xfsz", "1"},
      {"handle_usr1", "1"},
      {"handle_usr2", "1"},
      {"handle_winexcept", "1"},
      {"close_fd_mask", "0"},
      {"detect_leaks", "1"},
      {"purge_allocator_interval", "1"},
      {"trace_malloc", "0"},
      {"rss_limit_mb", "2048"},
      {"malloc_limit_mb", "0"},
      {"exit_on_src_pos", "0"},
      {"exit_on_item", "0"},
      {"ignore_remaining_args", "0"},
      {"focus_function", "0"},
      {"entropic", "1"},
      {"entropic_feature_frequency_threshold", "255"},
      {"entropic_number_of_rarest_features", "100"},
      {"entropic_scale_per_exec_time", "0"},
      {"analyze_dict", "0"},
      {"use_clang_coverage", "0"},
      {"data_flow_trace", "0"},
      {"collect_data_flow", "0"},
      {"create_missing_dirs", "0"}};
  // Shoal lists its own flags after libFuzzer's.
  std::vector<std::pair<std::string, std::string>> expected = kFlags;
  if (Engine() == "shoal")
    for (const auto& flag : std::vector<std::pair<std::string, std::string>>{
             {"keep_going", "0"},
             {"float_mutators", "1"},
             {"input_to_state", "1"},
             {"i2s_combine", "1"},
             {"i2s_descent", "1"},
             {"cmp_distance", "1"},
             {"checksum_repair", "1"},
             {"stats_file", "0"},
             {"stats_interval", "1"},
             {"max_plateau_time", "0"}})
      expected.push_back(flag);
  std::vector<std::pair<std::string, std::string>> listed;
  for (const std::string& line : lines) {
    auto m = FindLine(line, R"( (\w+) *\t(-?\d+)\t.+)");
    if (m) listed.emplace_back((*m)[1], (*m)[2]);
  }
  EXPECT_EQ(listed, expected);
}

TEST(Driver, UnknownFlagOnlyWarns) {
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"), {"-foo_bar=1", "-runs=10"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  // Exactly once, as libFuzzer parses its flags once.
  EXPECT_EQ(CountLines(run.output,
                       R"(WARNING: unrecognized flag '-foo_bar=1'; use -help=1 to list all flags)"),
            1)
      << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 10 runs in \d+ second\(s\))")) << run.output;
}

TEST(Driver, DoubleDashFlagsAreIgnored) {
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"), {"--foo=1", "--bar", "-runs=10"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_EQ(CountLines(run.output, R"(INFO: libFuzzer ignores flags that start with '--')"), 1)
      << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "WARNING: unrecognized flag")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 10 runs in \d+ second\(s\))")) << run.output;
}

TEST(Driver, InitializeRunsOnceBeforeFlagParsingWithFullArgv) {
  TempDir dir;
  const std::string h = Harness("initialize");
  RunResult run = RunProcess(h, {kSeed, "-runs=50"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);  // the target aborts if Initialize ran != 1 times
  const std::vector<std::string> lines = Lines(run.output);
  EXPECT_EQ(CountLines(run.output, R"(INIT: argc=.*)"), 1) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argc=3")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[0]=" + h)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[1]=-seed=1")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[2]=-runs=50")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "TARGET_CALLS: 50")) << run.output;
  EXPECT_LT(run.output.find("INIT: argc="), run.output.find("INFO: Seed: 1"))
      << "LLVMFuzzerInitialize must run before the driver prints anything\n"
      << run.output;
}

TEST(Driver, AnalyzeDictRunsTheTargetInThisProcessAfterInitialize) {
  // -analyze_dict runs the target in the process the user started (with the default one
  // worker too): LLVMFuzzerInitialize must have run there first, exactly once (the harness
  // aborts otherwise), and no worker runs it again.
  TempDir dir;
  MakeDir(dir, "corpus");
  WriteFile(dir.Join("corpus/input"), "hello world");
  WriteFile(dir.Join("words.dict"), "w=\"hello\"\n");
  RunResult run = RunProcess(Harness("initialize"),
                             {"-analyze_dict=1", "-dict=words.dict", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_EQ(CountLines(run.output, R"(INIT: argc=.*)"), 1) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argc=4")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "Dictionary analysis succeeded")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(TARGET_CALLS: [1-9]\d*)")) << run.output;
  EXPECT_LT(run.output.find("INIT: argc="), run.output.find("Loading corpus dir: corpus"))
      << run.output;
}

TEST(Driver, InitializeMustNotModifyArgv0) {
  TempDir dir;
  RunResult run = RunProcess(Harness("initialize_bogus"), {"-runs=10"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "ERROR: argv[0] has been modified in LLVMFuzzerInitialize"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "TARGET_CALLS: 0")) << run.output;
}

TEST(Driver, IgnoreRemainingArgsLeavesTheRestToTheTarget) {
  TempDir dir;
  RunResult run = RunProcess(
      Harness("initialize"),
      {kSeed, "-runs=100", "-ignore_remaining_args=1", "-foo_bar=1", "no_such_dir", "-runs=5"},
      dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "INIT: argc=7")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[4]=-foo_bar=1")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[5]=no_such_dir")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INIT: argv[6]=-runs=5")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "WARNING: unrecognized flag")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "does not exist")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 100 runs in \d+ second\(s\))"))
      << "flags after -ignore_remaining_args=1 must not be applied\n"
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "TARGET_CALLS: 100")) << run.output;
}

TEST(Driver, ReproduceModeRunsBenignInputsOnceAndExitsZero) {
  TempDir dir;
  WriteFile(dir.Join("benign"), "hello");
  WriteFile(dir.Join("benign2"), "world!");
  const std::string h = Harness("repro");
  // -detect_leaks=0: see ReproduceModeRunsEachFileRunsTimes.
  RunResult run = RunProcess(h, {"-detect_leaks=0", "benign", "benign2"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, h + ": Running 2 inputs 1 time(s) each.")) << run.output;
  ExpectLinesInOrder(
      run.output,
      {"Running: benign", "REPRO: executed 5 bytes", R"(Executed benign in \d+ ms)",
       "Running: benign2", "REPRO: executed 6 bytes", R"(Executed benign2 in \d+ ms)", R"(\*\*\*)",
       R"(\*\*\* NOTE: fuzzing was not performed, you have only)",
       R"(\*\*\*       executed the target code on a fixed set of inputs\.)", R"(\*\*\*)"});
  EXPECT_EQ(CountLines(run.output, R"(REPRO: executed \d+ bytes)"), 2) << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << "reproduce mode must not fuzz";
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"benign", "benign2"}));
}

TEST(Driver, ReproduceModeRunsEachFileRunsTimes) {
  TempDir dir;
  WriteFile(dir.Join("benign"), "hello");
  WriteFile(dir.Join("benign2"), "world!");
  const std::string h = Harness("repro");
  // -detect_leaks=0: with leak detection on, libFuzzer (and Shoal, alike) runs an
  // input once more when its run made more mallocs than frees, which the first
  // run of a process can do (lazy allocations outside the target); real
  // libFuzzer printed four runs of "benign" once in CI. This test counts -runs.
  RunResult run =
      RunProcess(h, {"-runs=3", "-detect_leaks=0", "benign", "benign2"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, h + ": Running 2 inputs 3 time(s) each.")) << run.output;
  EXPECT_EQ(CountLines(run.output, "Running: benign"), 1) << run.output;
  EXPECT_EQ(CountLines(run.output, "Running: benign2"), 1) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Executed benign in \d+ ms)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Executed benign2 in \d+ ms)")) << run.output;
  EXPECT_EQ(CountLines(run.output, "REPRO: executed 5 bytes"), 3) << run.output;
  EXPECT_EQ(CountLines(run.output, "REPRO: executed 6 bytes"), 3) << run.output;
  EXPECT_EQ(CountLines(run.output, R"(REPRO: executed \d+ bytes)"), 6)
      << "only the given files are executed\n"
      << run.output;
  EXPECT_TRUE(HasLine(run.output, kNote1));
  EXPECT_TRUE(HasLine(run.output, kNote2)) << run.output;
  EXPECT_TRUE(HasLine(run.output, kNote3)) << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << "reproduce mode must not fuzz";
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"benign", "benign2"}));
}

TEST(Driver, ReproduceModeStopsAtTheCrashingInputWithoutArtifact) {
  TempDir dir;
  WriteFile(dir.Join("benign"), "hello");
  WriteFile(dir.Join("crashin"), "CRASH!");
  const std::string h = Harness("repro");
  RunResult run = RunProcess(h, {"benign", "crashin"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, h + ": Running 2 inputs 1 time(s) each.")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "Running: benign")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "Running: crashin")) << run.output;
  EXPECT_LT(run.output.find("Running: benign"), run.output.find("Running: crashin"));
  EXPECT_TRUE(FindLine(run.output, R"(==\d+==ERROR: AddressSanitizer: SEGV on unknown address.*)"))
      << run.output;
  EXPECT_FALSE(HasLine(run.output, kNote2)) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to")) << run.output;
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"benign", "crashin"}));
}

TEST(Driver, DictionaryEntriesAreCounted) {
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"),
                             {"-runs=10", "-dict=" + HarnessData("dict_token.dict")}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "Dictionary: 2 entries")) << run.output;
}

TEST(Driver, MalformedDictionaryIsAnError) {
  TempDir dir;
  // Comments and blank lines count towards the line number.
  WriteFile(dir.Join("bad.dict"), "# comment\nkw1=\"abc\"\n\nbroken line\nkw2=\"x\"\n");
  RunResult run = RunProcess(Harness("empty"), {"-runs=10", "-dict=bad.dict"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "ParseDictionaryFile: error in line 4")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "\t\tbroken line")) << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << run.output;
}

TEST(Driver, MissingCorpusDirectoryIsAnError) {
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"), {"-runs=10", "no_such_dir"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "ERROR: The required directory \"no_such_dir\" does not exist"))
      << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << run.output;
}

TEST(Driver, UninstrumentedTargetIsRejected) {
  TempDir dir;
  RunResult run = RunProcess(Harness("not_instrumented"), {kSeed, "-runs=100"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_FALSE(HasLineContaining(run.output, "INFO: Loaded ")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(#2\tINITED exec/s: \d+ rss: \d+Mb)")) << run.output;
  EXPECT_TRUE(HasLine(
      run.output,
      "ERROR: no interesting inputs were found. Is the code instrumented for coverage? Exiting."))
      << run.output;
}

TEST(Driver, TargetLinkingItsOwnProtobufRuns) {
  TempDir dir;
  RunResult run = RunProcess(Harness("protobuf_user"), {kSeed, "-runs=100"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);  // the target aborts on any failed protobuf round trip
  EXPECT_TRUE(FindLine(run.output, R"(#2\tINITED cov: [1-9]\d* ft: \d+ corp: 1/1b .*)"))
      << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 100 runs in \d+ second\(s\))")) << run.output;
}

}  // namespace
}  // namespace shoal_test
