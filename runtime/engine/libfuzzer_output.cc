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

std::string FormatStatusLine(const char* where, const StatusSnapshot& status, const char* end) {
  std::string line;
  Append(&line, "#%llu\t%s", static_cast<unsigned long long>(status.runs), where);
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

}  // namespace fuzzer
