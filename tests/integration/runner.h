// Process runner for the integration tests: runs a fuzz-harness binary with
// arguments in a given working directory, captures stdout+stderr interleaved
// into one string, and enforces a wall-clock kill so a hung runtime fails the
// test instead of hanging the suite. Also a self-deleting temporary directory.
#ifndef SHOAL_TESTS_INTEGRATION_RUNNER_H_
#define SHOAL_TESTS_INTEGRATION_RUNNER_H_

#include <chrono>
#include <string>
#include <vector>

namespace shoal_test {

struct RunResult {
  int exit_code = -1;      // valid when the process exited normally
  int term_signal = 0;     // non-zero when the process was killed by a signal
  bool timed_out = false;  // the runner killed it at the wall-clock deadline
  std::string output;      // stdout and stderr, interleaved as written

  bool Exited() const { return term_signal == 0 && !timed_out && exit_code >= 0; }
  // One-line description for failure messages, e.g. "exit 77" or "signal 9".
  std::string Describe() const;
};

// Runs `binary` with `args` (argv[0] is `binary`) in directory `cwd`, with the
// sanitizer *_OPTIONS variables removed from the environment so every run sees
// sanitizer defaults, and TMPDIR set to ChildTmpDir(). The child leads its own process
// group; on the deadline the whole group is SIGKILLed. Never throws; spawn failures show
// up in `output`.
RunResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& cwd,
                     std::chrono::seconds deadline = std::chrono::seconds(120));

// The TMPDIR of every process RunProcess starts: one directory of this test process's own,
// under $TEST_TMPDIR (or /tmp), created on first use and removed at exit. libFuzzer names
// its temporary merge control file by pid alone ($TMPDIR/libFuzzerTemp.Merge<pid>.txt), and
// Bazel runs each test in its own pid namespace over one /tmp, so with a shared TMPDIR two
// suites running at once would read and overwrite each other's control files.
const std::string& ChildTmpDir();

// A fresh directory under $TEST_TMPDIR (or /tmp), removed recursively on
// destruction unless SHOAL_TEST_KEEP_TMP is set (handy when debugging).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Join(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace shoal_test

#endif  // SHOAL_TESTS_INTEGRATION_RUNNER_H_
