// Implementation of the integration-test process runner (see runner.h):
// fork/exec with a pipe for combined output, poll-driven reading with a
// wall-clock deadline, RAII ownership of file descriptors and the child.
#include "tests/integration/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

extern char** environ;

namespace shoal_test {
namespace {

// Owns one file descriptor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Owns a child process that leads its own process group: if it has not been
// reaped when this goes out of scope (e.g. an early return), the whole group is
// killed and the child reaped, so no test leaves stray fuzzers behind.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid), pgid_(pid) {}
  ~ChildProcess() {
    if (pid_ <= 0) return;
    KillGroup();
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Works after the leader is reaped too (grandchildren keep the group alive).
  void KillGroup() const { kill(-pgid_, SIGKILL); }
  // Non-blocking reap; returns true once the child has exited and fills status.
  bool TryReap(int* status) {
    if (pid_ <= 0) return true;
    pid_t r = waitpid(pid_, status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }
  void Reap(int* status) {
    if (pid_ <= 0) return;
    while (waitpid(pid_, status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  pid_t pid_;
  const pid_t pgid_;
};

// Environment entries the child does not inherit: the sanitizer options (every run sees
// the sanitizers' defaults) and TMPDIR (replaced by ChildTmpDir()).
bool IsDroppedFromEnvironment(const char* entry) {
  static const char* const kVars[] = {"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS=",
                                      "MSAN_OPTIONS=", "TSAN_OPTIONS=",  "TMPDIR="};
  for (const char* var : kVars)
    if (strncmp(entry, var, strlen(var)) == 0) return true;
  return false;
}

// Reads what is available on a non-blocking fd; returns false at EOF/error.
bool DrainAvailable(int fd, std::string* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;  // EOF or hard error
  }
}

}  // namespace

std::string RunResult::Describe() const {
  if (timed_out) return "killed by the runner's wall-clock deadline";
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal);
  return "exit code " + std::to_string(exit_code);
}

RunResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& cwd, std::chrono::seconds deadline) {
  RunResult result;

  // Everything the child needs is prepared before fork (no allocation after it).
  std::vector<std::string> argv_storage;
  argv_storage.push_back(binary);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    if (!IsDroppedFromEnvironment(*e)) envp.push_back(*e);
  std::string tmpdir_entry = "TMPDIR=" + ChildTmpDir();
  envp.push_back(tmpdir_entry.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.output = std::string("runner: pipe2 failed: ") + strerror(errno);
    return result;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  pid_t pid = fork();
  if (pid < 0) {
    result.output = std::string("runner: fork failed: ") + strerror(errno);
    return result;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    setpgid(0, 0);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    dup2(write_end.get(), STDOUT_FILENO);
    dup2(write_end.get(), STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(binary.c_str(), argv.data(), envp.data());
    static const char kMsg[] = "runner: execve failed\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, to close the race with kill(-pid)
  ChildProcess child(pid);
  write_end.Reset();
  fcntl(read_end.get(), F_SETFL, fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);

  const auto stop_at = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  bool reaped = false;
  bool eof = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (now >= stop_at) {
      result.timed_out = true;
      break;
    }
    int wait_ms = static_cast<int>(std::min<long long>(
        100, std::chrono::duration_cast<std::chrono::milliseconds>(stop_at - now).count() + 1));
    if (!eof) {
      pollfd pfd{read_end.get(), POLLIN, 0};
      if (poll(&pfd, 1, wait_ms) > 0) eof = !DrainAvailable(read_end.get(), &result.output);
    } else {
      // EOF does not mean exit (e.g. -close_fd_mask): keep waiting for the child.
      usleep(20 * 1000);
    }
    if (child.TryReap(&status)) {
      reaped = true;
      // A grandchild (e.g. llvm-symbolizer) may still hold the pipe: take what
      // is buffered now and stop, rather than waiting for its EOF.
      DrainAvailable(read_end.get(), &result.output);
      break;
    }
  }
  child.KillGroup();  // the child itself on deadline, else leftovers of its group
  if (!reaped) child.Reap(&status);
  DrainAvailable(read_end.get(), &result.output);

  if (!result.timed_out) {
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.term_signal = WTERMSIG(status);
    }
  }
  return result;
}

const std::string& ChildTmpDir() {
  static const TempDir dir;  // thread-safe first use; removed by its destructor at exit
  return dir.path();
}

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/shoal_it.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) abort();  // nothing sensible to test without it
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (getenv("SHOAL_TEST_KEEP_TMP") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Join(const std::string& name) const { return path_ + "/" + name; }

}  // namespace shoal_test
