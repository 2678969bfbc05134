// Shared helpers for the integration tests: locating harness binaries for the
// engine under test (Shoal or real libFuzzer 14), SHA-1/Base64, file helpers,
// line-oriented output matching and the checks every crash artifact must pass.
//
// Engine selection: SHOAL_TEST_ENGINE=libfuzzer runs the "<name>_libfuzzer"
// builds (real libFuzzer 14) to prove the expectations; anything else (default)
// runs the Shoal builds "<name>". Binaries come from the Bazel runfiles tree
// ($TEST_SRCDIR/$TEST_WORKSPACE/tests/), or from $SHOAL_HARNESS_DIR when set
// (hand-built binaries plus copies of tests/harnesses/*.dict).
#ifndef SHOAL_TESTS_INTEGRATION_TEST_SUPPORT_H_
#define SHOAL_TESTS_INTEGRATION_TEST_SUPPORT_H_

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/runner.h"

namespace shoal_test {

// "shoal" or "libfuzzer".
std::string Engine();
// Absolute path of the harness binary `name` for the engine under test.
std::string Harness(const std::string& name);
// The same harness built for the other engine (for tests that mix the two).
std::string OtherEngineHarness(const std::string& name);
// Absolute path of a data file shipped from tests/harnesses/ (e.g. a .dict).
std::string HarnessData(const std::string& file_name);

std::string Sha1Hex(const std::string& data);
std::string Base64(const std::string& data);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);
bool FileExists(const std::string& path);
// Sorted names of the entries of `dir` (no "." / "..").
std::vector<std::string> ListDir(const std::string& dir);

std::vector<std::string> Lines(const std::string& output);
bool HasLine(const std::string& output, const std::string& exact_line);
bool HasLineContaining(const std::string& output, const std::string& needle);
// Capture groups (index 0 = whole line) of the first line that fully matches.
std::optional<std::vector<std::string>> FindLine(const std::string& output,
                                                 const std::string& regex);
int CountLines(const std::string& output, const std::string& regex);
// Expects lines fully matching each regex, in this order (each one after the
// line that matched the previous regex). Tools read these blocks in sequence.
void ExpectLinesInOrder(const std::string& output, const std::vector<std::string>& regexes);

// libFuzzer's rendering of a unit in the artifact block: "0x48,0x49,0x21," and
// the escaped ASCII form ("HI!", "W\000", ...).
std::string HexDumpLine(const std::string& bytes);
std::string AsciiLine(const std::string& bytes);

struct Artifact {
  bool ok = false;
  std::string shown_path;  // as printed after "Test unit written to "
  std::string file;        // absolute path
  std::string bytes;
};

// Checks the artifact block of a fuzzing run that wrote `<prefix><kind>-<sha1>`:
// the "artifact_prefix='<prefix>'; Test unit written to ..." line, that the file
// exists and its name is the SHA-1 of its contents, the "Base64:" line, the
// hex/ASCII dump (units <= 256 bytes), the "MS: ...; base unit: <sha1>" line,
// and that it is the only file with that kind in the prefix's directory.
// `prefix` is relative to `cwd`.
Artifact ExpectHashedArtifact(const RunResult& run, const TempDir& cwd, const std::string& kind,
                              const std::string& prefix = "./");
// Same for -exact_artifact_path=<exact_path> (prefix still shown as './').
Artifact ExpectExactArtifact(const RunResult& run, const TempDir& cwd,
                             const std::string& exact_path);

// Re-runs `harness` in reproduce mode on `artifact` (a path relative to cwd)
// with `flags`, and checks the reproduce-mode framing ("Running 1 inputs 1
// time(s) each.", "Running: <artifact>") and that no new file was written.
// Returns the run so callers can check the failure kind.
RunResult Reproduce(const std::string& harness, const std::vector<std::string>& flags,
                    const TempDir& cwd, const std::string& artifact);

// Fixed seed used by every fuzzing run (Shoal's RNG differs, so budgets, not
// seeds, make runs pass; the seed keeps libFuzzer runs reproducible).
inline const char kSeed[] = "-seed=1";

// A run that must end with the given exit code; prints everything on failure.
#define SHOAL_EXPECT_EXIT(run, code)                                             \
  EXPECT_TRUE((run).Exited() && (run).exit_code == (code))                       \
      << "expected exit code " << (code) << ", got " << (run).Describe() << "\n" \
      << (run).output

// The search path of a fuzzing run: its INITED/NEW/REDUCE/DONE lines without what depends on
// timing, and its "MS:" and "Base64:" lines (how the crash's input was made, and its bytes).
std::vector<std::string> SearchPathWithInputs(const std::string& output);

// Fuzzes `harness` with `args` in a fresh directory and expects a planted abort(): exit 77,
// libFuzzer's deadly-signal line, a crash artifact that reproduces. Returns its bytes ("" if
// there is none).
std::string FindCrashAndReproduce(const std::string& harness, const std::vector<std::string>& args);

// Runs `harness` with `args` plus -workers=0, then plus -workers=1, both ending in the planted
// abort(), and expects one search path; `marker` must appear in the in-process output (the
// steps the comparison is about).
void ExpectOneWorkerTakesTheInProcessPath(const std::string& harness,
                                          const std::vector<std::string>& args,
                                          const std::string& marker);

}  // namespace shoal_test

#endif  // SHOAL_TESTS_INTEGRATION_TEST_SUPPORT_H_
