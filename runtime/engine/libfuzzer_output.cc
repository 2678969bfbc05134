// Implements libfuzzer_output.h. Runs in whichever process prints the run's lines.
#include "runtime/engine/libfuzzer_output.h"

#include <cstdio>

#include "runtime/common/encoding.h"
#include "runtime/common/log.h"

namespace fuzzer {
namespace {

// Appends printf-style text to out (lines are short; 256 bytes per piece is plenty).
template <class... Args>
void Append(std::string* out, const char* format, Args... args) {
  char piece[256];
  const int n = snprintf(piece, sizeof(piece), format, args...);
  if (n > 0) out->append(piece, size_t(n) < sizeof(piece) ? size_t(n) : sizeof(piece) - 1);
}

}  // namespace

const char* StatusEventName(StatusEvent event) {
  switch (event) {
    case StatusEvent::kInited:
      return "INITED";
    case StatusEvent::kNew:
      return "NEW   ";
    case StatusEvent::kReduce:
      return "REDUCE";
    case StatusEvent::kPulse:
      return "pulse ";
    case StatusEvent::kReload:
      return "RELOAD";
    case StatusEvent::kDone:
      return "DONE  ";
  }
  return "??????";
}

bool PulseTracker::Advance(uint64_t runs) {
  bool reached = false;
  // The bound keeps the doubling from overflowing (and spinning) on any count.
  for (; next_ <= runs && next_ <= (UINT64_MAX >> 1); next_ *= 2) reached = true;
  return reached;
}

std::string FormatStatusLine(StatusEvent event, const StatusSnapshot& status, const char* end) {
  std::string line;
  Append(&line, "#%llu\t%s", static_cast<unsigned long long>(status.runs), StatusEventName(event));
  if (status.covered_edges) Append(&line, " cov: %zu", status.covered_edges);
  if (status.features) Append(&line, " ft: %zu", status.features);
  if (status.show_corpus)
    Append(&line, " corp: %zu/%s", status.corpus_units, FormatSize(status.corpus_bytes).c_str());
  if (status.inputs_touching_focus) Append(&line, " focus: %zu", status.inputs_touching_focus);
  if (status.show_length_limit) Append(&line, " lim: %zu", status.length_limit);
  Append(&line, " exec/s: %zu rss: %zuMb", status.execs_per_second, status.peak_rss_mb);
  line += end;
  return line;
}

std::string UnitLineEnd(size_t size, size_t max_unit_size, const std::string& mutation_sequence) {
  std::string end;
  Append(&end, " L: %zu/%zu ", size, max_unit_size);
  return end + mutation_sequence + "\n";
}

void PrintUnitLines(const std::string& mutation_sequence, const std::string& base_sha1,
                    const uint8_t* data, size_t size) {
  Printf("%s; base unit: %s\n", mutation_sequence.empty() ? "MS: 0 " : mutation_sequence.c_str(),
         base_sha1.empty() ? "0000000000000000000000000000000000000000" : base_sha1.c_str());
  if (size > kMaxUnitSizeToPrint) return;
  Printf("%s\n", HexBytes(data, size).c_str());
  Printf("%s\n", EscapedAscii(data, size).c_str());
}

void PrintArtifactWritten(const std::string& artifact_prefix, const std::string& path) {
  Printf("artifact_prefix='%s'; Test unit written to %s\n", artifact_prefix.c_str(), path.c_str());
}

void PrintBase64Line(const uint8_t* data, size_t size) {
  if (size <= kMaxUnitSizeToPrint) Printf("Base64: %s\n", Base64(data, size).c_str());
}

size_t FormatFinalStats(const FinalStats& stats, char* out, size_t size) {
  if (size == 0) return 0;
  int n = snprintf(out, size,
                   "stat::number_of_executed_units: %llu\n"
                   "stat::average_exec_per_sec:     %zu\n"
                   "stat::new_units_added:          %zu\n"
                   "stat::slowest_unit_time_sec:    %zu\n"
                   "stat::peak_rss_mb:              %zu\n",
                   static_cast<unsigned long long>(stats.runs), stats.execs_per_second,
                   stats.new_units_added, stats.slowest_unit_seconds, stats.peak_rss_mb);
  if (n < 0) return 0;
  if (stats.show_crashes && size_t(n) < size)
    n += snprintf(out + n, size - size_t(n),
                  "stat::crashes:                  %zu\n"
                  "stat::unique_crashes:           %zu\n",
                  stats.crashes, stats.unique_crashes);
  return size_t(n) < size ? size_t(n) : size - 1;
}

void PrintDoneLine(uint64_t runs, size_t seconds) {
  Printf("Done %llu runs in %zu second(s)\n", static_cast<unsigned long long>(runs), seconds);
}

std::string FormatRecommendedDictionary(const std::vector<DictionaryEntry>& entries,
                                        const Dictionary& manual) {
  std::string lines;
  for (const DictionaryEntry& entry : entries) {
    if (manual.Contains(entry.word)) continue;  // the user has it already
    lines += '"';
    lines += WordToPrintable(entry.word);
    lines += "\" # Uses: " + std::to_string(entry.use_count) + "\n";
  }
  if (lines.empty()) return "";
  return "###### Recommended dictionary. ######\n" + lines +
         "###### End of recommended dictionary. ######\n";
}

void PrintErrorBanner(int pid, const char* what) {
  Printf("==%d== ERROR: libFuzzer: %s\n", pid, what);
}

void PrintSummaryLine(const char* what) { Printf("SUMMARY: libFuzzer: %s\n", what); }

void PrintTimeoutAlarm(size_t seconds, size_t timeout) {
  Printf("ALARM: working on the last Unit for %zu seconds\n", seconds);
  Printf("       and the timeout value is %zu (use -timeout=N to change)\n", timeout);
}

void PrintTimeoutBanner(int pid, size_t seconds) {
  Printf("==%d== ERROR: libFuzzer: timeout after %zu seconds\n", pid, seconds);
}

namespace {
void PrintOutOfMemoryHint() {
  Printf("   To change the out-of-memory limit use -rss_limit_mb=<N>\n\n");
}
}  // namespace

void PrintRssLimitBanner(int pid, size_t used_mb, size_t limit_mb) {
  Printf("==%d== ERROR: libFuzzer: out-of-memory (used: %zuMb; limit: %zuMb)\n", pid, used_mb,
         limit_mb);
  PrintOutOfMemoryHint();
}

void PrintMallocLimitBanner(int pid, size_t size) {
  Printf("==%d== ERROR: libFuzzer: out-of-memory (malloc(%zu))\n", pid, size);
  PrintOutOfMemoryHint();
}

// Called from the engine's signal handler: no formatting.
void PrintGracefulExitRequested() {
  RawPrint("INFO: signal received, trying to exit gracefully\n");
}

void PrintExitingAsRequested(int pid) {
  Printf("==%d== INFO: libFuzzer: exiting as requested\n", pid);
}

void PrintRunInterrupted(int pid) { Printf("==%d== libFuzzer: run interrupted; exiting\n", pid); }

void PrintNoInterestingInputs() {
  Printf(
      "ERROR: no interesting inputs were found. Is the code instrumented for coverage? "
      "Exiting.\n");
}

void PrintPlateauReached(long seconds) {
  Printf("INFO: no new coverage (cov, ft) for %ld seconds (-max_plateau_time=%ld); stopping\n",
         seconds, seconds);
}

void PrintCorpusWriteFailure(const std::string& path, const std::string& error) {
  Printf("WARNING: failed to write the corpus file '%s' (%s); new units stay in memory "
         "only and are lost at exit (this warning is not repeated)\n",
         path.c_str(), error.c_str());
}

}  // namespace fuzzer
