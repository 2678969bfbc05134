// The engine's free functions that the driver, the coordinator and the in-process engine
// call around fuzzing (declared in fuzzer.h): seed order and -max_len, the seed-corpus INFO
// line, -focus_function, -exit_on_src_pos / -exit_on_item, -purge_allocator_interval and
// -print_corpus_stats. Run by whichever process fuzzes or coordinates.
#include <algorithm>
#include <cstdlib>

#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/fuzzer_internal.h"
#include "runtime/engine/sanitizer_api.h"

namespace fuzzer {
namespace {

constexpr size_t kMinDefaultMaxLen = 4096;

}  // namespace

// Seeds run smallest first (after an optional shuffle), as libFuzzer runs them.
std::vector<SeedFile> OrderSeeds(const std::vector<SeedFile>& seeds, const FuzzingOptions& options,
                                 Random* rand) {
  std::vector<SeedFile> ordered = seeds;
  if (options.shuffle)
    for (size_t i = ordered.size(); i > 1; i--) std::swap(ordered[i - 1], ordered[(*rand)(i)]);
  if (options.prefer_small)
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const SeedFile& a, const SeedFile& b) { return a.size < b.size; });
  return ordered;
}

bool SetUpFocusFunction(const FuzzingOptions& options) {
  if (!options.focus_function) return true;
  if (!Coverage().SetFocusFunction(options.focus_function->c_str())) {
    Printf(
        "ERROR: Failed to set focus function. Make sure the function name is valid (%s) and "
        "symbolization is enabled.\n",
        options.focus_function->c_str());
    return false;
  }
  Printf("INFO: Focus function is set to '%s'\n", options.focus_function->c_str());
  return true;
}

bool ShouldPurgeAllocator(long interval_sec, long rss_limit_mb, size_t peak_rss_mb,
                          int64_t usec_since_last_look) {
  if (interval_sec < 0 || usec_since_last_look < int64_t(interval_sec) * 1000000) return false;
  return rss_limit_mb <= 0 || peak_rss_mb > size_t(rss_limit_mb) / 2;
}

void ExitIfSourcePositionReached(const FuzzingOptions& options,
                                 const std::vector<uintptr_t>& new_pcs, CorpusFileWriter* files) {
  if (!options.exit_on_src_pos || !__sanitizer_symbolize_pc) return;
  for (uintptr_t pc : new_pcs) {
    if (DescribeTablePc(pc, "%F %L").find(*options.exit_on_src_pos) == std::string::npos) continue;
    Printf("INFO: found line matching '%s', exiting.\n", options.exit_on_src_pos->c_str());
    files->DiscardSpares();
    _Exit(0);
  }
}

void ExitIfItemInCorpus(const FuzzingOptions& options, Corpus& corpus, CorpusFileWriter* files) {
  if (!options.exit_on_item || !corpus.FindActive(*options.exit_on_item)) return;
  Printf("INFO: found item with checksum '%s', exiting.\n", options.exit_on_item->c_str());
  files->DiscardSpares();
  _Exit(0);
}

void PrintCorpusStatsLine(size_t index, const std::string& sha1, size_t size, size_t runs,
                          size_t successes, bool touches_focus_function) {
  Printf("  [% 3zd %s] sz: % 5zd runs: % 5zd succ: % 5zd focus: %d\n", index, sha1.c_str(), size,
         runs, successes, int(touches_focus_function));
}

void PrintFocusFunctionTouches(const FuzzingOptions& options, const Corpus& corpus) {
  if (options.focus_function)
    Printf("INFO: %zd/%zd inputs touch the focus function\n",
           corpus.NumInputsThatTouchFocusFunction(), corpus.size());
}

size_t ChooseMaxLen(const FuzzingOptions& options, const std::vector<SeedFile>& seeds) {
  if (options.max_len > 0) return options.max_len;
  size_t largest = 0;
  for (const SeedFile& seed : seeds) largest = std::max(largest, seed.size);
  size_t max_len = DefaultMaxLen(largest);
  PrintMaxLenNotProvided(max_len);
  return max_len;
}

void PrintMaxLenNotProvided(size_t max_len) {
  Printf(
      "INFO: -max_len is not provided; libFuzzer will not generate inputs larger than %zd "
      "bytes\n",
      max_len);
}

void PrintSeedCorpusInfo(const std::vector<SeedFile>& seeds) {
  if (seeds.empty()) {
    Printf("INFO: A corpus is not provided, starting from an empty corpus\n");
    return;
  }
  size_t smallest = SIZE_MAX, largest = 0, total = 0;
  for (const SeedFile& seed : seeds) {
    smallest = std::min(smallest, seed.size);
    largest = std::max(largest, seed.size);
    total += seed.size;
  }
  Printf("INFO: seed corpus: files: %zd min: %zdb max: %zdb total: %zdb rss: %zdMb\n",
         seeds.size(), smallest, largest, total, PeakRssMb());
}

size_t DefaultMaxLen(size_t largest_seed) {
  return std::min(std::max(kMinDefaultMaxLen, largest_seed), kMaxSaneLen);
}

}  // namespace fuzzer
