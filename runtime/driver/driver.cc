// Implements the driver (driver.h): flag handling, start-up output and mode dispatch.
// Runs in the process the user started.
#include "runtime/driver/driver.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/flags.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/log.h"
#include "runtime/common/stats_file.h"
#include "runtime/common/worker_endpoint.h"
#include "runtime/coordinator/coordinator.h"
#include "runtime/coordinator/crash_tools.h"
#include "runtime/coordinator/merge.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/dictionary.h"
#include "runtime/engine/failure_handlers.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/sanitizer_api.h"
#include "runtime/worker/worker_server.h"

extern "C" {
// The harness's optional interface, looked up through weak symbols as libFuzzer does.
int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed)
    __attribute__((weak));
size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2,
                                 size_t size2, uint8_t* out, size_t max_out_size, unsigned int seed)
    __attribute__((weak));
}

namespace fuzzer {
namespace {

[[noreturn]] void ExitWithError(int code) { exit(code); }

bool ValidateDirectoryExists(const std::string& path, bool create) {
  if (path.empty()) {
    Printf("ERROR: Provided directory path is an empty string\n");
    return false;
  }
  if (IsDirectory(path)) return true;
  if (create) {
    if (MakeDirectories(path)) return true;
    Printf("ERROR: Failed to create directory \"%s\"\n", path.c_str());
    return false;
  }
  Printf("ERROR: The required directory \"%s\" does not exist\n", path.c_str());
  return false;
}

// -close_fd_mask: 1 closes stdout, 2 closes stderr; Shoal keeps printing to a dup of stderr.
void ApplyCloseFdMask(long mask) {
  if (mask & 2) {
    int saved = dup(STDERR_FILENO);
    if (saved >= 0) {
      fcntl(saved, F_SETFD, FD_CLOEXEC);
      SetOutputFd(saved);
      if (__sanitizer_set_report_fd)
        __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(saved)));
    }
  }
  int dev_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (dev_null < 0) return;
  if (mask & 1) dup2(dev_null, STDOUT_FILENO);
  if (mask & 2) dup2(dev_null, STDERR_FILENO);
  close(dev_null);
}

// -dict=: libFuzzer 14's lines and exit code for a missing, empty or malformed file; every
// entry counts in "Dictionary: N entries" (printed only when there are some), and entries
// longer than a mutator word are accepted but not used (WordsForMutators).
bool LoadDictionary(const Flags& flags, MutationDispatcher* dispatcher, bool quiet,
                    std::vector<Word>* loaded = nullptr) {
  Bytes content;
  // libFuzzer reads the file into a string and refuses an empty one, so a missing file and
  // an empty one get the same line.
  if (!ReadFile(flags.dict, &content) || content.empty()) {
    Printf("ParseDictionaryFile: file does not exist or is empty\n");
    return false;
  }
  std::vector<std::string> entries;
  size_t error_line = 0;
  std::string error_text;
  if (!ParseDictionaryText(std::string(content.begin(), content.end()), &entries, &error_line,
                           &error_text)) {
    Printf("ParseDictionaryFile: error in line %zd\n\t\t%s\n", error_line, error_text.c_str());
    return false;
  }
  std::vector<Word> words = WordsForMutators(entries);
  for (const Word& word : words) dispatcher->AddManualDictionaryWord(word);
  if (!quiet && flags.verbosity > 0 && !entries.empty())
    Printf("Dictionary: %zd entries\n", entries.size());
  if (loaded) *loaded = std::move(words);
  return true;
}

void PrintModuleInfo() {
  CoverageState& coverage = Coverage();
  size_t counter_modules = 0, counters = 0;
  std::string ranges;
  char buf[128];
  size_t extra = coverage.NumExtraCounters();
  for (size_t i = 0; i < coverage.NumModules(); i++) {
    const CounterModule& module = coverage.Module(i);
    if (!module.pcs_begin && module.begin != coverage.guard_counters() + 1 && extra) continue;
    if (module.begin == coverage.guard_counters() + 1) continue;
    counter_modules++;
    counters += module.size();
    snprintf(buf, sizeof(buf), "%zd [%p, %p), ", module.size(), static_cast<void*>(module.begin),
             static_cast<void*>(module.end));
    ranges += buf;
  }
  if (counter_modules)
    Printf("INFO: Loaded %zd modules   (%zd inline 8-bit counters): %s\n", counter_modules,
           counters, ranges.c_str());
  if (coverage.NumGuards())
    Printf("INFO: Loaded 1 modules   (%zd guards): %zd [%p, %p), \n", coverage.NumGuards(),
           coverage.NumGuards(), static_cast<void*>(coverage.guard_counters() + 1),
           static_cast<void*>(coverage.guard_counters() + 1 + coverage.NumGuards()));
  if (coverage.NumPcTables()) {
    ranges.clear();
    for (size_t i = 0; i < coverage.NumModules(); i++) {
      const CounterModule& module = coverage.Module(i);
      if (!module.pcs_begin) continue;
      snprintf(buf, sizeof(buf), "%zd [%p,%p), ", size_t(module.pcs_end - module.pcs_begin),
               static_cast<const void*>(module.pcs_begin),
               static_cast<const void*>(module.pcs_end));
      ranges += buf;
    }
    Printf("INFO: Loaded %zd PC tables (%zd PCs): %s\n", coverage.NumPcTables(),
           coverage.NumTablePcs(), ranges.c_str());
  }
  if (extra) Printf("INFO: %zd Extra Counters\n", extra);
  if (!coverage.PcTablesMatchCounters())
    Printf(
        "ERROR: The size of coverage PC tables does not match the number of instrumented "
        "PCs. This might be a compiler bug, please contact the libFuzzer developers.\n");
}

// -seed_inputs=a,b or -seed_inputs=@listfile.
bool ParseSeedInputs(const char* flag, std::vector<std::string>* files) {
  std::string list = flag;
  if (!list.empty() && list[0] == '@') {
    Bytes content;
    if (!ReadFile(list.substr(1), &content) || content.empty()) {
      Printf("seed_inputs is empty or @file does not exist.\n");
      return false;
    }
    list.assign(content.begin(), content.end());
  }
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    while (!item.empty() && (item.back() == '\n' || item.back() == '\r')) item.pop_back();
    if (!item.empty()) files->push_back(item);
    start = comma + 1;
  }
  if (files->empty()) {
    Printf("seed_inputs is empty or @file does not exist.\n");
    return false;
  }
  return true;
}

// Lists the seed files. A corpus directory (or one under it) that cannot be opened ends the
// run with libFuzzer's "<strerror>: <dir>; exiting" line and exit code 1: fuzzing on without
// the seeds the user named would silently waste the run.
bool CollectSeeds(const std::vector<std::string>& dirs, const std::vector<std::string>& seed_inputs,
                  std::vector<SeedFile>* seeds) {
  size_t size;
  for (const std::string& dir : dirs) {
    size_t before = seeds->size();
    std::string error;
    if (!ListFilesRecursively(dir, seeds, &error)) {
      Printf("%s; exiting\n", error.c_str());
      return false;
    }
    Printf("INFO: % 8zd files found in %s\n", seeds->size() - before, dir.c_str());
  }
  for (const std::string& file : seed_inputs)
    if (RegularFileSize(file, &size)) seeds->push_back({file, size});
  return true;
}

// A merge lists its directories itself (runtime/coordinator/merge.cc); one that cannot be
// opened at all is refused here first, with the line libFuzzer prints for it.
bool CheckDirectoriesCanBeOpened(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      continue;
    }
    Printf("%s: %s; exiting\n", strerror(errno), dir.c_str());
    return false;
  }
  return true;
}

int RunIndividualFiles(Fuzzer* fuzzer, const FuzzingOptions& options, const char* argv0,
                       const std::vector<std::string>& files) {
  long repetitions = options.runs > 0 ? long(options.runs) : 1;
  Printf("%s: Running %zd inputs %ld time(s) each.\n", argv0, files.size(), repetitions);
  for (const std::string& path : files) {
    Bytes data;
    if (!ReadFile(path, &data)) {
      Printf("ERROR: could not read the input file '%s'\n", path.c_str());
      return 1;
    }
    if (options.max_len > 0 && data.size() > options.max_len) data.resize(options.max_len);
    if (data.size() > fuzzer->max_input_len()) fuzzer->set_max_input_len(data.size());
    Printf("Running: %s\n", path.c_str());
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < repetitions; i++) fuzzer->RunReproducer(data);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    Printf("Executed %s in %ld ms\n", path.c_str(), long(ms));
  }
  Printf(
      "***\n*** NOTE: fuzzing was not performed, you have only\n"
      "***       executed the target code on a fixed set of inputs.\n***\n");
  fuzzer->PrintFinalStats();
  return 0;
}

// -analyze_dict: in this process, as libFuzzer does it (an analysis of inputs the user
// trusts, not fuzzing).
int AnalyzeDictionaryMode(Fuzzer* fuzzer, const FuzzingOptions& options,
                          const std::vector<Word>& words, const std::vector<std::string>& dirs) {
  std::vector<Bytes> corpus;
  for (const std::string& dir : dirs) {
    Printf("Loading corpus dir: %s\n", dir.c_str());
    std::vector<SizedFile> files;
    std::string error;
    if (!ListFilesRecursively(dir, &files, &error)) {
      Printf("%s; exiting\n", error.c_str());
      return 1;
    }
    for (const SizedFile& file : files) {
      corpus.emplace_back();
      if (!ReadFile(file.path, &corpus.back())) corpus.pop_back();
    }
  }
  if (words.empty() || dirs.empty()) {
    Printf("ERROR: can't analyze dict without dict and corpus provided\n");
    return 1;
  }
  InstallFailureHandlers(fuzzer, options);
  fuzzer->AnalyzeDictionary(words, corpus);
  Printf("Dictionary analysis succeeded\n");
  return 0;
}

bool RejectUnimplementedMode(const Flags& flags) {
  static const char* const kModes[] = {"merge_inner", "minimize_crash_internal_step",
                                       "collect_data_flow"};
  for (const char* mode : kModes) {
    if (!flags.IsSet(mode)) continue;
    if (!strcmp(mode, "minimize_crash_internal_step") && flags.minimize_crash_internal_step == 0)
      continue;
    Printf("ERROR: -%s is not implemented in this version of Shoal\n", mode);
    return true;
  }
  return false;
}

// The most worker processes Shoal starts: 256, or 4 per CPU core on a machine with more than
// 64 cores. That is more than CPU-bound fuzzing can use (ClusterFuzz passes -fork=<cores>),
// and far below where a machine runs out of processes, memory or descriptors (each worker is
// a sanitized process with three pipes and a thread in the coordinator): -workers=100000 once
// started ~500 processes and then died of an uncaught std::system_error. The fixed floor keeps
// every count up to 256 valid on every machine, so a command line does not start failing when
// it moves to a smaller one.
size_t MaxWorkers() {
  return std::max<size_t>(256, size_t(std::thread::hardware_concurrency()) * 4);
}

// -workers, -fork and -jobs each give a number of worker processes. A negative or absurd one
// is a typo (or a script's bug): one clear line and exit code 1, rather than clamping it to a
// run the user did not ask for.
bool CheckWorkerCounts(const Flags& flags) {
  const std::pair<const char*, long> counts[] = {
      {"workers", flags.workers}, {"fork", flags.fork}, {"jobs", flags.jobs}};
  for (const auto& [name, count] : counts) {
    if (count >= 0 && size_t(count) <= MaxWorkers()) continue;
    Printf("ERROR: -%s=%ld: the number of worker processes must be between 0 and %zd\n", name,
           count, MaxWorkers());
    return false;
  }
  return true;
}

// What this process does. Chosen once, by ChooseMode, from the command line as the user gave
// it; LLVMFuzzerInitialize (which runs only where the target runs) may change the flags a mode
// reads, never the mode.
enum class Mode {
  kWorker,          // SHOAL_WORKER_FDS is set: serve a coordinator (runs the target)
  kHelp,            // -help=1
  kMinimizeCrash,   // coordinator: -minimize_crash=1
  kCleanseCrash,    // coordinator: -cleanse_crash=1
  kReproduce,       // in-process: every positional argument is a file
  kMerge,           // coordinator: -merge=1 or -set_cover_merge=1
  kAnalyzeDict,     // in-process: -analyze_dict=1
  kFuzzInProcess,   // in-process: -workers=0
  kFuzzWithWorkers  // coordinator: the default
};

// `options`: built from `command_line` (FuzzingOptions::workers picks the fuzzing mode).
Mode ChooseMode(bool is_worker, const ParsedCommandLine& command_line,
                const FuzzingOptions& options) {
  const Flags& flags = command_line.flags;
  if (is_worker) return Mode::kWorker;
  if (flags.help) return Mode::kHelp;
  if (flags.minimize_crash) return Mode::kMinimizeCrash;
  if (flags.cleanse_crash) return Mode::kCleanseCrash;
  bool all_files = !command_line.positional.empty();
  for (const std::string& path : command_line.positional)
    all_files = all_files && IsRegularFile(path);
  if (all_files) return Mode::kReproduce;
  if (flags.merge || flags.set_cover_merge) return Mode::kMerge;
  if (flags.analyze_dict) return Mode::kAnalyzeDict;
  return options.workers > 0 ? Mode::kFuzzWithWorkers : Mode::kFuzzInProcess;
}

// Whether this process calls the target, and so LLVMFuzzerInitialize (and the target's atexit
// handlers). A coordinator never does: it leaves them to its workers, so the target
// initialises once per process that runs it, as with libFuzzer. -help runs it too, as
// libFuzzer calls it before it parses any flag.
bool RunsTargetHere(Mode mode) {
  switch (mode) {
    case Mode::kWorker:
    case Mode::kHelp:
    case Mode::kReproduce:
    case Mode::kAnalyzeDict:
    case Mode::kFuzzInProcess:
      return true;
    case Mode::kMinimizeCrash:
    case Mode::kCleanseCrash:
    case Mode::kMerge:
    case Mode::kFuzzWithWorkers:
      return false;
  }
  return true;
}

// -stats_file, for a fuzzing run (not a merge, a crash tool, -analyze_dict or reproduce mode):
// opened before anything starts, so that a file that is not a Shoal stats file is one clear
// error with exit code 1. Null when not asked for.
std::unique_ptr<StatsFile> OpenStatsFile(Mode mode, const FuzzingOptions& options) {
  if (!options.stats_file || (mode != Mode::kFuzzInProcess && mode != Mode::kFuzzWithWorkers))
    return nullptr;
  std::string error;
  std::unique_ptr<StatsFile> file =
      StatsFile::Open(*options.stats_file, long(options.stats_interval_sec), &error);
  if (!file) {
    Printf("ERROR: %s\n", error.c_str());
    ExitWithError(1);
  }
  return file;
}

// The coordinator ends without running the target's exit-time code (it never ran the target)
// and without a leak check of its own bookkeeping.
[[noreturn]] void ExitCoordinator(int code) {
  fflush(stdout);
  fflush(stderr);
  _Exit(code);
}

}  // namespace

int FuzzerDriver(int* argc, char*** argv, UserCallback callback) {
  const char* argv0 = (*argv)[0];
  // Workers are started with the command line as the user gave it: they run
  // LLVMFuzzerInitialize themselves.
  const std::vector<std::string> original_argv(*argv, *argv + *argc);
  WorkerEndpoint endpoint;
  const bool is_worker = ParseWorkerEndpoint(getenv(kWorkerEnvironmentVariable), &endpoint);
  const ProcessFacts facts = CurrentProcessFacts(is_worker);
  const ParsedCommandLine as_given = ParseCommandLine(*argc, *argv, /*quiet=*/true);
  const Mode mode = ChooseMode(is_worker, as_given, BuildFuzzingOptions(as_given.flags, facts));
  if (LLVMFuzzerInitialize && RunsTargetHere(mode)) {
    LLVMFuzzerInitialize(argc, argv);
    if ((*argv)[0] != argv0) {
      Printf("ERROR: argv[0] has been modified in LLVMFuzzerInitialize\n");
      ExitWithError(1);
    }
  }
  if (!callback) {
    Printf("ERROR: LLVMFuzzerTestOneInput is not defined\n");
    ExitWithError(1);
  }
  // Parsed flags live for the whole process: the engine and handlers keep references.
  static ParsedCommandLine command_line;
  command_line = ParseCommandLine(*argc, *argv, /*quiet=*/is_worker);
  const Flags& flags = command_line.flags;
  // What every layer below reads (never `flags`); as long-lived as the flags.
  static FuzzingOptions options;
  options = BuildFuzzingOptions(flags, facts);
  if (mode == Mode::kHelp) {
    PrintHelp(argv0);
    return 0;
  }
  if (flags.close_fd_mask) ApplyCloseFdMask(flags.close_fd_mask);
  if (RejectUnimplementedMode(flags)) ExitWithError(1);
  if (!is_worker && !CheckWorkerCounts(flags)) ExitWithError(1);
  // Lives as long as the process: the coordinator's monitor or the engine writes to it.
  static std::unique_ptr<StatsFile> stats_file;
  stats_file = OpenStatsFile(mode, options);

  static Random rand(options.seed);
  // Fuzzing with workers: start them first, so that LLVMFuzzerInitialize (which runs in the
  // workers) prints before anything else, as it does under libFuzzer.
  Coordinator* coordinator = nullptr;
  if (mode == Mode::kFuzzWithWorkers) {
    // Lives until the process ends (it owns the thread the workers were forked from).
    coordinator = new Coordinator(options, original_argv, options.workers);
    coordinator->set_stats_file(stats_file.get());
    int code = 0;
    if (!coordinator->LaunchWorkers(&code)) ExitCoordinator(code);
  }

  TargetHooks hooks;
  hooks.test_one_input = callback;
  hooks.custom_mutator = LLVMFuzzerCustomMutator;
  hooks.custom_cross_over = LLVMFuzzerCustomCrossOver;
  // Never destroyed: signal handlers, sanitizer callbacks and atexit hooks use it until the
  // process is gone.
  static Fuzzer* const fuzzer = new Fuzzer(options, hooks, &rand);
  SetActiveDispatcher(&fuzzer->mutation_dispatcher());

  std::vector<Word> dictionary_words;
  if (flags.dict &&
      !LoadDictionary(flags, &fuzzer->mutation_dispatcher(), is_worker, &dictionary_words))
    ExitWithError(1);
  if (coordinator)
    coordinator->set_manual_dictionary(&fuzzer->mutation_dispatcher().manual_dictionary());
  if (mode == Mode::kWorker) {
    unsetenv(kWorkerEnvironmentVariable);  // not for the target's own child processes
    return RunWorker(endpoint, options, fuzzer, &rand);
  }
  if (options.entropic)
    Printf("INFO: Running with entropic power schedule (0x%zX, %zd).\n",
           options.entropic_feature_frequency_threshold,
           options.entropic_number_of_rarest_features);
  Printf("INFO: Seed: %u\n", options.seed);
  PrintModuleInfo();
  if (LLVMFuzzerCustomMutator)
    Printf("INFO: found LLVMFuzzerCustomMutator (%p). Disabling -len_control by default.\n",
           reinterpret_cast<void*>(LLVMFuzzerCustomMutator));

  // Directories must exist (or be created with -create_missing_dirs) before fuzzing.
  bool create = flags.create_missing_dirs != 0;
  if (flags.artifact_prefix) {
    std::string prefix = flags.artifact_prefix;
    std::string dir = prefix.back() == '/' ? prefix : DirName(prefix);
    if (!ValidateDirectoryExists(dir, create)) ExitWithError(1);
  }
  if (flags.exact_artifact_path &&
      !ValidateDirectoryExists(DirName(flags.exact_artifact_path), create))
    ExitWithError(1);
  if (flags.features_dir && !ValidateDirectoryExists(flags.features_dir, create))
    ExitWithError(1);

  const std::vector<std::string>& positional = command_line.positional;
  // Modes whose positional arguments are directories: each must exist (or be created).
  if (mode == Mode::kMerge || mode == Mode::kAnalyzeDict || mode == Mode::kFuzzInProcess ||
      mode == Mode::kFuzzWithWorkers)
    for (const std::string& dir : positional)
      if (!ValidateDirectoryExists(dir, create)) ExitWithError(1);

  switch (mode) {
    case Mode::kWorker:
    case Mode::kHelp:
      break;  // handled above
    case Mode::kMinimizeCrash:
      ExitCoordinator(RunMinimizeCrash(options, original_argv, positional));
    case Mode::kCleanseCrash:
      ExitCoordinator(RunCleanseCrash(options, original_argv, positional));
    case Mode::kReproduce:
      InstallFailureHandlers(fuzzer, options);
      return RunIndividualFiles(fuzzer, options, argv0, positional);
    case Mode::kMerge:
      if (!CheckDirectoriesCanBeOpened(positional)) ExitWithError(1);
      ExitCoordinator(
          RunMerge(options, original_argv, std::max<size_t>(1, options.workers), positional));
    case Mode::kAnalyzeDict:
      return AnalyzeDictionaryMode(fuzzer, options, dictionary_words, positional);
    case Mode::kFuzzInProcess:
    case Mode::kFuzzWithWorkers: {
      std::vector<std::string> seed_inputs;
      if (flags.seed_inputs && !ParseSeedInputs(flags.seed_inputs, &seed_inputs))
        ExitWithError(1);
      std::vector<SeedFile> seeds;
      if (!CollectSeeds(positional, seed_inputs, &seeds)) {
        if (coordinator) ExitCoordinator(1);  // its workers die with it (PR_SET_PDEATHSIG)
        ExitWithError(1);
      }
      std::string output_dir = positional.empty() ? std::string() : positional[0];
      if (coordinator) ExitCoordinator(coordinator->Run(seeds, output_dir));
      InstallFailureHandlers(fuzzer, options);
      fuzzer->set_stats_file(stats_file.get());
      fuzzer->Loop(seeds, output_dir);
      fuzzer->ReportNothingMore();  // a leak report at exit is not about one input
      return 0;
    }
  }
  return 0;
}

}  // namespace fuzzer

extern "C" {

__attribute__((visibility("default"))) int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                                               int (*callback)(const uint8_t* data,
                                                                               size_t size)) {
  return fuzzer::FuzzerDriver(argc, argv, callback);
}

}  // extern "C"
