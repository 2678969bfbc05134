// Implements fuzzer.h: the engine's execution, corpus and reporting logic, with libFuzzer
// 14's output lines. Worker / in-process engine.
#include "runtime/engine/fuzzer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/common/encoding.h"
#include "runtime/common/feature_files.h"
#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/float_constants.h"
#include "runtime/engine/fuzzer_internal.h"
#include "runtime/engine/libfuzzer_output.h"
#include "runtime/engine/sanitizer_api.h"

namespace fuzzer {
namespace {

size_t Log2(size_t x) { return x ? size_t(63 - __builtin_clzll(x)) : 0; }

}  // namespace

Fuzzer::Fuzzer(const FuzzingOptions& options, const TargetHooks& hooks, Random* rand)
    : options_(options),
      hooks_(hooks),
      rand_(rand),
      corpus_(EntropicOptions{options.entropic, options.entropic_feature_frequency_threshold,
                              options.entropic_number_of_rarest_features,
                              options.entropic_scale_per_exec_time}),
      start_time_(std::chrono::steady_clock::now()),
      start_usec_(NowUsec()) {
  MutationOptions mutation_options;
  mutation_options.only_ascii = options.only_ascii;
  mutation_options.use_cmp = options.use_cmp;
  mutation_options.use_memmem = options.use_memmem;
  mutation_options.cross_over = options.cross_over;
  mutation_options.float_mutators = options.float_mutators;
  dispatcher_ =
      std::make_unique<MutationDispatcher>(rand_, mutation_options, &Coverage().cmp_tables());
  if (hooks.custom_mutator) dispatcher_->SetCustomMutator(hooks.custom_mutator);
  if (hooks.custom_cross_over) dispatcher_->SetCustomCrossOver(hooks.custom_cross_over);
  detect_leaks_ = options.detect_leaks;
  CoverageOptions coverage_options;
  coverage_options.use_counters = options.use_counters;
  coverage_options.use_value_profile = options.use_value_profile;
  coverage_options.use_cmp = options.use_cmp;
  coverage_options.use_memmem = options.use_memmem;
  coverage_options.record_new_pcs = options.record_new_pcs;
  coverage_options.use_cmp_distance = options.use_cmp_distance;
  Coverage().Configure(coverage_options);
  if (options.input_to_state) {
    InputToStateOptions stage_options;
    stage_options.combine = options.i2s_combine;
    stage_options.descent = options.i2s_descent;
    stage_ = std::make_unique<InputToStateStage>(stage_options);
  }
  set_max_input_len(options.max_len_or_largest_default);
  reporter_ = &in_process_reporter_;
}

void Fuzzer::UseReporter(EngineReporter* reporter) {
  reporter_ = reporter ? reporter : &in_process_reporter_;
}

Fuzzer::~Fuzzer() = default;

void Fuzzer::set_max_input_len(size_t len) {
  // A worker's shared slot was sized by the coordinator and cannot grow.
  if (slot_ && slot_->shared() && len > slot_->capacity()) len = slot_->capacity();
  max_input_len_ = len;
  if (length_limit_ == 0 || length_limit_ > len) length_limit_ = len;
  mutation_buffer_.resize(len);
  if (!slot_ || slot_->capacity() < len) slot_ = InputSlot::Create(len, false);
}

size_t Fuzzer::SecondsSinceStart() const {
  return size_t(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 start_time_)
                    .count());
}

size_t Fuzzer::ExecsPerSecond() const {
  size_t seconds = SecondsSinceStart();
  return seconds ? total_runs_ / seconds : 0;
}

// ---------------------------------------------------------------------------------------
// Execution

void Fuzzer::ExecuteCallback(const uint8_t* data, size_t size, bool counted) {
  slot_->Write(data, size);
  // An exact-size heap copy, so that ASan reports reads past the end of the input.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
  if (size) memcpy(copy.get(), data, size);
  if (__msan_unpoison) __msan_unpoison(copy.get(), size);
  CoverageState& coverage = Coverage();
  coverage.ResetForExecution();
  // Depth is measured from here, so the same input reaches the same stack-depth feature
  // however the engine got to run it (worker request, seed, fuzzing loop, merge).
  coverage.MarkStackBaseHere();
  mallocs_in_run_.store(0, std::memory_order_relaxed);
  frees_in_run_.store(0, std::memory_order_relaxed);
  int64_t start = NowUsec();
  unit_start_usec_.store(start, std::memory_order_relaxed);
  coverage.SetRunningTarget(true);
  running_target_.store(true, std::memory_order_release);
  hooks_.test_one_input(copy.get(), size);
  running_target_.store(false, std::memory_order_release);
  coverage.SetRunningTarget(false);
  int64_t elapsed = NowUsec() - start;
  last_exec_usec_ = elapsed;
  if (counted) total_runs_++;
  if (size && memcmp(copy.get(), data, size) != 0) HandleOverwrittenInput();
  size_t seconds = size_t(elapsed / 1000000);
  if (seconds > slowest_unit_seconds_ && options_.report_slow_units_sec > 0 &&
      seconds >= options_.report_slow_units_sec) {
    slowest_unit_seconds_ = seconds;
    Printf("Slowest unit: %zd s:\n", seconds);
    DumpCurrentUnit("slow-unit-");
  } else if (seconds > slowest_unit_seconds_) {
    slowest_unit_seconds_ = seconds;
  }
}

void Fuzzer::CollectAllFeatures(const uint8_t* data, size_t size, std::vector<uint32_t>* out) {
  // Not a run of its own: the in-process engine never makes it, and counting it would shift
  // every run number and -runs budget of -workers=1 against -workers=0.
  ExecuteCallback(data, size, /*counted=*/false);
  out->clear();
  Coverage().CollectFeatures([out](uint32_t feature) { out->push_back(feature); });
}

Fuzzer::RunResult Fuzzer::RunOne(const uint8_t* data, size_t size, bool may_delete_file,
                                 InputInfo* parent) {
  ExecuteCallback(data, size);
  if (all_features_) all_features_->clear();
  int64_t exec_usec = last_exec_usec_;
  new_features_.clear();
  run_found_new_edges_ = false;
  size_t found_unique_of_parent = 0;
  const bool shrink = options_.shrink;
  const bool entropic = options_.entropic;
  const bool check_reduce = options_.reduce_inputs && parent && !parent->never_reduce &&
                            !parent->unique_features.empty() && parent->bytes.size() > size;
  // -reduce_depth: whether the mutant still reaches any of its parent's unique features.
  const bool count_parent_features =
      check_reduce || (options_.reduce_depth && parent && !parent->unique_features.empty());
  std::vector<uint32_t>* all_features = all_features_;
  const bool hash_features = hash_features_;
  uint64_t features_hash = 0;
  CoverageState& coverage = Coverage();  // one reference for the loop, not a load per feature
  coverage.CollectFeatures([&](uint32_t feature) {
    // The path only: a compare's distance changes with the bytes the stage colours.
    if (hash_features && coverage.IsCounterFeature(feature))
      features_hash += (feature + 1) * 0x9E3779B97F4A7C15ull;
    if (all_features) all_features->push_back(feature);
    if (corpus_.AddFeature(feature, uint32_t(size), shrink)) {
      new_features_.push_back(feature);
      run_found_new_edges_ |= coverage.IsCounterFeature(feature);
    }
    if (entropic) corpus_.UpdateFeatureFrequency(parent, feature);
    if (count_parent_features &&
        std::binary_search(parent->unique_features.begin(), parent->unique_features.end(), feature))
      found_unique_of_parent++;
  });
  features_hash_ = features_hash;
  mutant_kept_parent_features_ = found_unique_of_parent > 0;
  PrintNewFunctions();
  if (!new_features_.empty()) {
    if (coverage_report_) coverage_report_->AddLastExecution(Coverage());
    InputInfo* added =
        corpus_.AddInput(data, size, new_features_, may_delete_file, false, uint64_t(exec_usec));
    if (Coverage().FocusFunctionReached()) corpus_.MarkTouchesFocusFunction(added);
    if (features_dir_) WriteFeatureFile(features_dir_, added->sha1, added->unique_features);
    QueueForStage(data, size, added->sha1);
    last_new_coverage_usec_ = NowUsec();
    return kNew;
  }
  if (check_reduce && found_unique_of_parent == parent->unique_features.size()) {
    std::string old_sha1 = corpus_.Replace(parent, data, size);
    if (features_dir_) RenameFeatureFile(features_dir_, old_sha1, parent->sha1);
    return kReduced;
  }
  return kNothing;
}

void Fuzzer::PrintNewFunctions() {
  uintptr_t pcs[16];
  size_t n = Coverage().TakeNewlyCoveredFunctions(pcs, 16);
  if (options_.record_new_pcs) Coverage().TakeNewlyCoveredPcs(&new_pcs_);
  // A worker's new coverage is checked by its coordinator, which decides how the run ends.
  if (options_.exit_on_src_pos && reporter_->SpeaksForTheRun())
    ExitIfSourcePositionReached(options_, new_pcs_, &corpus_files_);
  // Only once fuzzing started, as libFuzzer: the seeds' coverage is not "new".
  if (!fuzzing_started_ || !__sanitizer_symbolize_pc) return;
  if (options_.print_pcs)
    for (uintptr_t pc : new_pcs_) Printf("\tNEW_PC: %s\n", DescribeTablePc(pc, "%p %F %L").c_str());
  if (options_.print_funcs <= 0) return;
  size_t limit = std::min(n, options_.print_funcs);
  for (size_t i = 0; i < limit; i++)
    Printf("\tNEW_FUNC[%zd/%zd]: %s\n", i + 1, n, DescribeTablePc(pcs[i], "%p %F %L").c_str());
}

void Fuzzer::TryDetectingAMemoryLeak(const uint8_t* data, size_t size) {
  if (!detect_leaks_ || !__lsan_enable || !__lsan_disable || !__lsan_do_recoverable_leak_check)
    return;
  if (mallocs_in_run_.load() <= frees_in_run_.load()) return;  // a leak is unlikely
  // Run again with LSan off, so a real leak is reported once, by the check below. It is a
  // run of its own (as libFuzzer counts it) unless the run budget is spent: -runs is never
  // overshot.
  __lsan_disable();
  ExecuteCallback(data, size, /*counted=*/total_runs_ < budget_end_runs_);
  __lsan_enable();
  if (mallocs_in_run_.load() <= frees_in_run_.load()) return;
  if (leak_detection_attempts_++ > kMaxLeakDetectionAttempts) {
    detect_leaks_ = false;
    Printf(
        "INFO: libFuzzer disabled leak detection after every mutation.\n"
        "      Most likely the target function accumulates allocated\n"
        "      memory in a global state w/o actually leaking it.\n"
        "      You may try running this binary with -trace_malloc=[12]"
        "      to get a trace of mallocs and frees.\n"
        "      If LeakSanitizer is enabled in this process it will still\n"
        "      run on the process shutdown.\n");
    return;
  }
  if (__lsan_do_recoverable_leak_check()) {
    if (!AcquireCrashState(slot_.get())) return;
    if (running_initial_corpus_) Printf("\nINFO: a leak has been found in the initial corpus.\n\n");
    Printf("INFO: to ignore leaks on libFuzzer side use -detect_leaks=0.\n\n");
    slot_->Write(data, size);
    DumpCurrentUnit("leak-");
    FinishStatsAtDeath(/*crashed=*/true);
    _Exit(int(options_.error_exitcode));
  }
}

// ---------------------------------------------------------------------------------------
// Fuzzing mode

void Fuzzer::Loop(const std::vector<SeedFile>& seeds, const std::string& output_dir) {
  output_dir_ = output_dir;
  corpus_.SetOutputDir(output_dir);
  if (!SetUpFocusFunction(options_)) exit(1);
  if (options_.features_dir) features_dir_ = options_.features_dir->c_str();
  if (options_.print_coverage || options_.print_full_coverage)
    coverage_report_ = std::make_unique<CoverageReport>(Coverage(), options_.use_counters);
  if (!options_.max_len) set_max_input_len(ChooseMaxLen(options_, seeds));
  RunEmptyInput();
  PrintSeedCorpusInfo(seeds);
  if (seeds.empty()) {
    const uint8_t newline = '\n';
    if (RunSeed(&newline, 1, nullptr)) AddToMutationGraph(&newline, 1, "", "");
  } else {
    Bytes data;
    for (const SeedFile& seed : OrderSeeds(seeds, options_, rand_)) {
      if (!ReadFile(seed.path, &data, max_input_len_)) continue;
      if (RunSeed(data.data(), data.size(), nullptr))
        AddToMutationGraph(data.data(), data.size(), "", "");
      if (graceful_exit_requested_) ExitGracefully();
      MaybeWriteStatsRow();
    }
  }
  PrintStatusLine(StatusEvent::kInited);
  PrintFocusFunctionTouches(options_, corpus_);
  if (corpus_.empty() && options_.runs != 0) {
    PrintNoInterestingInputs();
    exit(1);
  }
  FinishSeeds();
  last_new_coverage_usec_ = NowUsec();  // counted from the start of fuzzing on
  if (options_.runs >= 0) budget_end_runs_ = size_t(options_.runs);
  if (options_.max_total_time_sec > 0)
    budget_end_usec_ = start_usec_ + int64_t(options_.max_total_time_sec) * 1000000;
  if (options_.reload_sec > 0 && !output_dir.empty()) {
    reload_watcher_ = std::make_unique<CorpusDirWatcher>(output_dir);
    for (const SeedFile& seed : seeds) reload_watcher_->MarkKnown(seed.path);
    next_reload_usec_ = NowUsec() + int64_t(options_.reload_sec) * 1000000;
  }
  while (!TimeToStop() && !PlateauReached()) {
    MutateAndTestOne();
    MaybeGrowLengthLimit();
    if (reload_watcher_ && NowUsec() >= next_reload_usec_) ReloadOutputCorpus();
    MaybeWriteStatsRow();
  }
  if (graceful_exit_requested_) ExitGracefully();
  PrintStatusLine(StatusEvent::kDone);
  std::string recommended =
      FormatRecommendedDictionary(dispatcher_->persistent_auto_dictionary().entries(),
                                  dispatcher_->manual_dictionary());
  if (!recommended.empty()) RawPrint(recommended.c_str());
  PrintDoneLine(total_runs_, SecondsSinceStart());
  PrintFinalStats();
  MaybeWriteStatsRow(/*force=*/true);
  corpus_files_.DiscardSpares();
}

void Fuzzer::ReloadOutputCorpus() {
  bool added = false;
  Bytes data;
  for (const SizedFile& file : reload_watcher_->TakeNewFiles()) {
    if (!ReadFile(file.path, &data, max_input_len_)) continue;
    if (!RunSeed(data.data(), data.size(), nullptr)) continue;
    added = true;
    AddToMutationGraph(data.data(), data.size(), "", "");
  }
  if (added) PrintStatusLine(StatusEvent::kReload);
  next_reload_usec_ = NowUsec() + int64_t(options_.reload_sec) * 1000000;
}

void Fuzzer::AnalyzeDictionary(const std::vector<Word>& words, const std::vector<Bytes>& corpus) {
  Printf("Started dictionary minimization (up to %zd tests)\n", words.size() * corpus.size() * 2);
  std::vector<int> scores(words.size()), usages(words.size());
  std::vector<uint32_t> original, masked;
  for (const Bytes& input : corpus) {
    CollectAllFeatures(input.data(), input.size(), &original);
    for (size_t i = 0; i < words.size(); i++) {
      const uint8_t* word_begin = words[i].data();
      const uint8_t* word_end = word_begin + words[i].size();
      Bytes data = input;
      auto at = std::search(data.begin(), data.end(), word_begin, word_end);
      if (words[i].empty() || at == data.end()) continue;
      usages[i]++;
      while (at != data.end()) {
        auto after = at + ptrdiff_t(words[i].size());
        for (; at != after; ++at) *at ^= 0xFF;
        at = std::search(after, data.end(), word_begin, word_end);
      }
      CollectAllFeatures(data.data(), data.size(), &masked);
      scores[i] += masked == original ? -1 : 2;
    }
  }
  Printf("###### Useless dictionary elements. ######\n");
  for (size_t i = 0; i < words.size(); i++) {
    if (scores[i] > 0) continue;  // masking it changed what the target did: useful
    Printf("\"%s\" # Score: %d, Used: %d\n",
           EscapedAscii(words[i].data(), words[i].size()).c_str(), scores[i], usages[i]);
  }
  Printf("###### End of useless dictionary elements. ######\n");
}

void Fuzzer::RunEmptyInput(bool counted) {
  // Neither its features nor its edges count ("cov:" counts what corpus inputs reach, as
  // libFuzzer's): the next execution's reset discards its counters.
  running_initial_corpus_ = true;
  ExecuteCallback(nullptr, 0, counted);
}

bool Fuzzer::RunSeed(const uint8_t* data, size_t size, std::vector<uint32_t>* all_features) {
  running_initial_corpus_ = !fuzzing_started_;
  all_features_ = all_features;
  RunResult result = RunOne(data, size, false, nullptr);
  all_features_ = nullptr;
  bool added = result == kNew;
  if (result == kNothing && options_.keep_seed && size && !fuzzing_started_) {
    corpus_.AddInput(data, size, {}, false, true, 0);
    added = true;
  } else if (result == kNew && options_.keep_seed && !fuzzing_started_) {
    corpus_[corpus_.size() - 1].never_reduce = true;
  }
  TryDetectingAMemoryLeak(data, size);
  return added;
}

void Fuzzer::FinishSeeds() {
  running_initial_corpus_ = false;
  if (fuzzing_started_) return;
  if (hooks_.custom_mutator && !options_.len_control_given)
    length_limit_ = max_input_len_;
  else if (options_.len_control)
    length_limit_ = std::min(max_input_len_, std::max<size_t>(4, corpus_.MaxInputSize()));
  else
    length_limit_ = max_input_len_;
  last_corpus_update_run_ = total_runs_;
  // Float constants are harvested once per fuzzing process, before its first mutation.
  if (options_.float_mutators) dispatcher_->SetFloatConstants(&HarvestedFloatConstants());
  if (stage_) stage_->set_max_len(max_input_len_);
  fuzzing_started_ = true;
}

void Fuzzer::FuzzFor(size_t max_runs, size_t max_time_ms) {
  FinishSeeds();
  if (corpus_.empty()) return;
  SetRunBudget(max_runs);
  budget_end_usec_ = max_time_ms ? NowUsec() + int64_t(max_time_ms) * 1000 : INT64_MAX;
  while (!TimeToStop()) {
    MutateAndTestOne();
    MaybeGrowLengthLimit();
  }
  SetRunBudget(0);
}

void Fuzzer::SetRunBudget(size_t max_runs) {
  budget_end_runs_ = max_runs ? total_runs_ + max_runs : SIZE_MAX;
}

bool Fuzzer::TimeToStop() {
  if (graceful_exit_requested_.load(std::memory_order_relaxed)) return true;
  if (total_runs_ >= budget_end_runs_) return true;
  if (budget_end_usec_ == INT64_MAX && !options_.stop_file) return false;
  int64_t now = NowUsec();
  if (now >= budget_end_usec_) return true;
  if (options_.stop_file && now - last_stop_file_check_usec_ >= 1000000) {
    last_stop_file_check_usec_ = now;
    if (access(options_.stop_file->c_str(), F_OK) == 0) return true;
  }
  return false;
}

void Fuzzer::MaybeGrowLengthLimit() {
  // -len_control: grow "lim:" by log2(lim) after len_control*log2(lim) runs without news.
  if (!options_.len_control || length_limit_ >= max_input_len_) return;
  if (hooks_.custom_mutator && !options_.len_control_given) return;
  if (total_runs_ - last_corpus_update_run_ > options_.len_control * Log2(length_limit_)) {
    length_limit_ = std::min(max_input_len_, length_limit_ + Log2(length_limit_));
    last_corpus_update_run_ = total_runs_;
  }
}

void Fuzzer::MaybePurgeAllocator() {
  if (!__sanitizer_purge_allocator || options_.purge_allocator_interval_sec < 0) return;
  int64_t now = NowUsec();
  if (now - last_purge_look_usec_ < int64_t(options_.purge_allocator_interval_sec) * 1000000)
    return;
  if (ShouldPurgeAllocator(options_.purge_allocator_interval_sec, long(options_.rss_limit_mb),
                           PeakRssMb(), now - last_purge_look_usec_))
    __sanitizer_purge_allocator();
  last_purge_look_usec_ = now;
}

void Fuzzer::MutateAndTestOne() {
  MaybePurgeAllocator();
  if (StageTakesTurn()) {
    RunStageStep();
    return;
  }
  InputInfo& input = corpus_.ChooseInputToMutate(*rand_);
  size_t size = std::min(input.bytes.size(), max_input_len_);
  if (size) memcpy(mutation_buffer_.data(), input.bytes.data(), size);
  parent_sha1_ = input.sha1;
  const size_t max_size = std::min(max_input_len_, std::max(size, length_limit_));
  InputInfo& partner = corpus_.ChooseCrossOverPartner(*rand_, options_.cross_over_uniform_dist);
  dispatcher_->SetCrossOverPartner(partner.bytes.data(), partner.bytes.size());
  dispatcher_->StartMutationSequence();
  for (size_t depth = 0; depth < options_.mutate_depth; depth++) {
    // Only run budgets end a mutation sequence early: where a time budget (e.g. a worker's
    // request) ends must not change which mutations run, so that -seed reproduces a run.
    if (total_runs_ >= budget_end_runs_ || graceful_exit_requested_.load()) break;
    size = dispatcher_->Mutate(mutation_buffer_.data(), size, max_size);
    corpus_.CountMutationRun(input);
    RunResult result = checksum_repair_.empty()
                           ? RunOne(mutation_buffer_.data(), size, true, &input)
                           : RunWithChecksumRepair(mutation_buffer_.data(), size, &input);
    TryDetectingAMemoryLeak(mutation_buffer_.data(), size);
    if (pulse_.Due(total_runs_, [this] { return SecondsSinceStart(); }) &&
        reporter_->SpeaksForTheRun())  // a worker's coordinator pulses
      PrintStatusLine(StatusEvent::kPulse);
    if (result == kNew && run_found_new_edges_) mutation_finds_unaccounted_++;
    if (result != kNothing) {
      input.num_successful_mutations++;
      ReportNewUnit(result, mutation_buffer_.data(), size);
      break;
    }
    // -reduce_depth: a mutant that lost all its parent's unique features ends the sequence.
    if (options_.reduce_depth && !mutant_kept_parent_features_) break;
  }
}

void Fuzzer::ReportNewUnit(RunResult result, const uint8_t* data, size_t size) {
  dispatcher_->RecordSuccessfulMutationSequence();
  new_units_added_++;
  last_corpus_update_run_ = total_runs_;
  KeptUnit unit;
  unit.reduced = result == kReduced;
  unit.data = data;
  unit.size = size;
  if (reporter_->WantsAllFeatures()) CollectAllFeatures(data, size, &unit.features);
  unit.mutation_sequence = dispatcher_->DescribeMutationSequence(options_.verbosity >= 2);
  unit.mutation_names = dispatcher_->MutationNames();
  unit.base_sha1 = parent_sha1_;
  unit.found_at_run = total_runs_;
  reporter_->UnitKept(unit);
}

void Fuzzer::PrintStatusLine(StatusEvent event, const char* end) {
  if (options_.verbosity <= 0) return;
  StatusSnapshot status;
  status.runs = total_runs_;
  status.covered_edges = Coverage().NumCoveredPcs();
  status.features = corpus_.NumFeatures();
  status.show_corpus = !corpus_.empty();
  status.corpus_units = corpus_.NumActiveInputs();
  status.corpus_bytes = corpus_.TotalActiveBytes();
  status.inputs_touching_focus = corpus_.NumInputsThatTouchFocusFunction();
  status.show_length_limit = fuzzing_started_;
  status.length_limit = length_limit_;
  status.execs_per_second = ExecsPerSecond();
  status.peak_rss_mb = PeakRssMb();
  RawPrint(FormatStatusLine(event, status, end).c_str());
}

void Fuzzer::PrintFinalStats() {
  // A worker's numbers are only part of the run: its coordinator prints the totals.
  if (!reporter_->SpeaksForTheRun()) return;
  if (coverage_report_) coverage_report_->PrintAsFlagged(options_);  // before the stats
  if (options_.print_corpus_stats)
    for (size_t i = 0; i < corpus_.size(); i++)
      PrintCorpusStatsLine(i, corpus_[i].sha1, corpus_[i].bytes.size(),
                           corpus_[i].num_executed_mutations, corpus_[i].num_successful_mutations,
                           corpus_[i].touches_focus_function);
  if (!options_.print_final_stats) return;
  FinalStats stats;
  stats.runs = total_runs_;
  stats.execs_per_second = ExecsPerSecond();
  stats.new_units_added = new_units_added_;
  stats.slowest_unit_seconds = slowest_unit_seconds_;
  stats.peak_rss_mb = PeakRssMb();
  char text[kFinalStatsBufferSize];
  FormatFinalStats(stats, text, sizeof(text));
  RawPrint(text);
}

}  // namespace fuzzer

namespace fuzzer {
namespace {
// LLVMFuzzerMutate is a C API with no context argument: it reaches the running engine's
// dispatcher through this pointer.
MutationDispatcher* active_dispatcher = nullptr;
}  // namespace

void SetActiveDispatcher(MutationDispatcher* dispatcher) { active_dispatcher = dispatcher; }

}  // namespace fuzzer

extern "C" __attribute__((visibility("default"))) size_t LLVMFuzzerMutate(uint8_t* data,
                                                                          size_t size,
                                                                          size_t max_size) {
  return fuzzer::active_dispatcher ? fuzzer::active_dispatcher->DefaultMutate(data, size, max_size)
                                   : size;
}
