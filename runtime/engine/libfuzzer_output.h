// The one writer of libFuzzer 14's lines that more than one part of Shoal prints: the status
// line ("#N\tNEW    cov: ... rss: NMb") with its event names and the pulse rule, the final
// "stat::" block, the artifact block, "Done N runs", the recommended dictionary, and the
// failure and exit banners (ALARM, "ERROR: libFuzzer: ...", out-of-memory, SUMMARY,
// interrupted, exiting as requested). The in-process engine (fuzzer*.cc) and the coordinator
// (coordinator.cc, worker_*.cc) both call these, so each format lives in one place; golden
// tests compare them with real libFuzzer 14 output (tests/unit/libfuzzer_output_test.cc).
// Runs in whichever process prints the run's lines. The banner writers format into a stack
// buffer (Printf) and allocate nothing: the crash handlers call them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/engine/dictionary.h"

namespace fuzzer {

// The event a status line reports: libFuzzer's 6-character names in the line.
enum class StatusEvent {
  kInited,  // "INITED": the seeds ran
  kNew,     // "NEW   ": a unit with new features
  kReduce,  // "REDUCE": a smaller unit for features already in the corpus
  kPulse,   // "pulse ": the run count reached a power of two (PulseTracker)
  kReload,  // "RELOAD": -reload found new files in the output corpus
  kDone,    // "DONE  ": the run ends
};
const char* StatusEventName(StatusEvent event);

// libFuzzer's pulse rule: a "pulse" status line when the run count reaches a power of two, and
// while fuzzing only once the process is 2 s old (a merge pulses from the start). One tracker
// per run; not thread-safe (its owner's lock guards it).
class PulseTracker {
 public:
  // How the caller sees the run count.
  enum class Counts {
    // After each run (the in-process engine's fuzz loop, as libFuzzer's MutateAndTestOne):
    // the count itself must be a power of two; one passed while the caller was not looking
    // (runs of the input-to-state stage, checksum repairs) gets no pulse, as in libFuzzer.
    kEveryRun,
    // In steps (the coordinator, one worker reply at a time): once for every power of two
    // reached since the last call; the line shows the count at the call.
    kInSteps,
  };
  PulseTracker(Counts counts, double min_seconds) : counts_(counts), min_seconds_(min_seconds) {}
  // Whether a pulse line is due at `runs`. `seconds_since_start()` (the process's age) is asked
  // only when a power of two is reached, so the engine reads no clock on its other runs. A
  // power of two reached before min_seconds is used up without a line.
  template <class SecondsFn>
  bool Due(uint64_t runs, SecondsFn seconds_since_start) {
    return Reached(runs) && double(seconds_since_start()) >= min_seconds_;
  }

 private:
  // Inline for the engine, which asks after every run: almost every answer is "no".
  bool Reached(uint64_t runs) {
    if (counts_ == Counts::kEveryRun) return !(runs & (runs - 1));
    return runs >= next_ && Advance(runs);
  }
  // kInSteps: moves next_ past runs; true (at least one power of two was reached).
  bool Advance(uint64_t runs);
  const Counts counts_;
  const double min_seconds_;
  uint64_t next_ = 1;  // kInSteps: the smallest power of two not reached yet
};

// What one status line shows. A field that libFuzzer leaves out when it is zero (cov, ft,
// focus) is left out here too; corp and lim only appear when asked for (by whoever builds the
// snapshot for its kind of run: Fuzzer::PrintStatusLine, the coordinator's RunKind).
struct StatusSnapshot {
  uint64_t runs = 0;
  size_t covered_edges = 0;            // "cov:"
  size_t features = 0;                 // "ft:"
  bool show_corpus = false;            // "corp: units/bytes" (not in a merge, nor empty)
  size_t corpus_units = 0;
  size_t corpus_bytes = 0;
  size_t inputs_touching_focus = 0;    // "focus:" (-focus_function)
  bool show_length_limit = false;      // "lim:" (once fuzzing started)
  size_t length_limit = 0;
  size_t execs_per_second = 0;
  size_t peak_rss_mb = 0;
};

// "#<runs>\t<event> cov: ... exec/s: N rss: NMb" followed by `end` (e.g. "\n", or "" when
// the caller appends " L: ... MS: ..." itself).
std::string FormatStatusLine(StatusEvent event, const StatusSnapshot& status, const char* end);
// The tail of a NEW or REDUCE line: " L: <size>/<largest unit in the corpus> <MS: ...>" and
// the newline (the `end` of FormatStatusLine).
std::string UnitLineEnd(size_t size, size_t max_unit_size, const std::string& mutation_sequence);

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

// "Done <runs> runs in <seconds> second(s)", after the DONE status line.
void PrintDoneLine(uint64_t runs, size_t seconds);

// The "###### Recommended dictionary. ######" block that comes between the DONE status line
// and "Done N runs" (libFuzzer's PrintRecommendedDictionary): one `"word" # Uses: N` line per
// entry, in the order given, leaving out the words `manual` has (the user gave them with
// -dict). "" when no word is left. The in-process engine passes its persistent
// auto-dictionary; the coordinator passes the workers' merged ones.
std::string FormatRecommendedDictionary(const std::vector<DictionaryEntry>& entries,
                                        const Dictionary& manual);

// ---- failure banners, in libFuzzer 14's words; `pid` is the process that failed ----
// "==<pid>== ERROR: libFuzzer: <what>" (deadly signal, fuzz target exited, ...).
void PrintErrorBanner(int pid, const char* what);
// "SUMMARY: libFuzzer: <what>", the report's last line.
void PrintSummaryLine(const char* what);
// The two ALARM lines of a timeout: the unit has run for `seconds`, the limit is `timeout`.
void PrintTimeoutAlarm(size_t seconds, size_t timeout);
// "==<pid>== ERROR: libFuzzer: timeout after <seconds> seconds".
void PrintTimeoutBanner(int pid, size_t seconds);
// -rss_limit_mb: the banner and its hint line, then an empty line.
void PrintRssLimitBanner(int pid, size_t used_mb, size_t limit_mb);
// -malloc_limit_mb: a single malloc of `size` bytes; the same hint line and empty line.
void PrintMallocLimitBanner(int pid, size_t size);

// ---- the ends of a run that signals ask for ----
// SIGUSR1/SIGUSR2 arrived.
void PrintGracefulExitRequested();
// "==<pid>== INFO: libFuzzer: exiting as requested" (after SIGUSR1/SIGUSR2).
void PrintExitingAsRequested(int pid);
// "==<pid>== libFuzzer: run interrupted; exiting" (SIGINT/SIGTERM; exit code 72).
void PrintRunInterrupted(int pid);
// After the seeds, when none of them (nor the empty input) gave coverage: exit code 1.
void PrintNoInterestingInputs();

// ---- Shoal's own lines that both the engine and the coordinator print ----
// -max_plateau_time=seconds ended the run.
void PrintPlateauReached(long seconds);
// The output corpus could not take a unit (printed once per run).
void PrintCorpusWriteFailure(const std::string& path, const std::string& error);

}  // namespace fuzzer
