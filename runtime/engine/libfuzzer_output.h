// The one writer of libFuzzer 14's status line ("#N\tNEW    cov: ... rss: NMb") and of its
// final "stat::" block, from snapshots of the numbers they show. Both the in-process engine
// (fuzzer.cc) and the coordinator (coordinator.cc) fill a snapshot and call these, so the
// format lives in one place; golden tests compare it with real libFuzzer 14 output
// (tests/unit/libfuzzer_output_test.cc). Runs in whichever process prints the run's lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzzer {

// What one status line shows. A field that libFuzzer leaves out when it is zero (cov, ft,
// focus) is left out here too; corp and lim only appear when asked for.
struct StatusSnapshot {
  uint64_t runs = 0;
  size_t covered_edges = 0;            // "cov:"
  size_t features = 0;                 // "ft:"
  bool show_corpus = false;            // "corp: units/bytes" (not while merging, nor empty)
  size_t corpus_units = 0;
  size_t corpus_bytes = 0;
  size_t inputs_touching_focus = 0;    // "focus:" (-focus_function)
  bool show_length_limit = false;      // "lim:" (once fuzzing started)
  size_t length_limit = 0;
  size_t execs_per_second = 0;
  size_t peak_rss_mb = 0;
};

// "#<runs>\t<where> cov: ... exec/s: N rss: NMb" followed by `end` (e.g. "\n", or "" when
// the caller appends " L: ... MS: ..." itself). `where` is libFuzzer's 6-character event name
// ("INITED", "NEW   ", "REDUCE", "pulse ", "RELOAD", "DONE  ").
std::string FormatStatusLine(const char* where, const StatusSnapshot& status, const char* end);

struct FinalStats {
  uint64_t runs = 0;
  size_t execs_per_second = 0;
  size_t new_units_added = 0;
  size_t slowest_unit_seconds = 0;
  size_t peak_rss_mb = 0;
  // Shoal's two extra lines, only where failures do not end the run (-keep_going, ...).
  bool show_crashes = false;
  size_t crashes = 0;
  size_t unique_crashes = 0;
};

// The artifact block, in libFuzzer's order: the unit's lines ("MS: ...; base unit: <sha1>",
// then its hex and escaped-ASCII forms when it is at most kMaxUnitSizeToPrint bytes), the
// "artifact_prefix='...'; Test unit written to <path>" line, and its "Base64:" line (same
// limit). `mutation_sequence` is "" for an input no mutation made ("MS: 0 ").
void PrintUnitLines(const std::string& mutation_sequence, const std::string& base_sha1,
                    const uint8_t* data, size_t size);
void PrintArtifactWritten(const std::string& artifact_prefix, const std::string& path);
void PrintBase64Line(const uint8_t* data, size_t size);

// The "stat::" lines of -print_final_stats=1, each ending in "\n", into out (NUL-terminated,
// cut at size). No allocation: the crash handlers print them. Returns the length written.
size_t FormatFinalStats(const FinalStats& stats, char* out, size_t size);
constexpr size_t kFinalStatsBufferSize = 512;  // holds every line

}  // namespace fuzzer
