// Implements worker_client.h. Runs in the coordinator.
#include "runtime/coordinator/worker_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <google/protobuf/arena.h>

#include "runtime/common/frame_channel.h"
#include "runtime/common/process.h"
#include "runtime/common/worker_endpoint.h"

extern char** environ;

namespace fuzzer {
namespace {

// Each worker leads its own process group, so killing the group also ends what the worker
// started (the sanitizer's llvm-symbolizer, the target's own children): nothing outlives a
// killed worker to print into the run's output ("Broken pipe") or to hold its stderr open.
void KillWorkerGroup(pid_t pid) {
  if (kill(-pid, SIGKILL) != 0) kill(pid, SIGKILL);
}

// Whether the child `pid` (not yet reaped) still runs. WNOWAIT leaves a dead child to be
// reaped under the client's lock, so its pid cannot be reused meanwhile.
bool ChildRunning(pid_t pid) {
  siginfo_t info = {};
  if (waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == EINTR;
  return info.si_pid == 0;
}

// A target's child that called setsid() leaves the worker's process group, so the group kill
// misses it; it then outlives the worker holding the worker's pipes. The coordinator is a
// child subreaper (see WorkerLauncher), so such orphans become its children: every child in
// another session than the coordinator's is one (workers only change their process group).
void KillOrphansFromOtherSessions() {
  const pid_t self = getpid();
  const pid_t session = getsid(0);
  for (int round = 0; round < 4; round++) {
    bool found = false;
    ProcStat stat;
    for (pid_t pid : AllProcessIds()) {
      if (!ReadProcStat(pid, &stat) || stat.parent != self || stat.session == session) continue;
      found = true;
      kill(-pid, SIGKILL);  // it leads its own session and group
      kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    if (!found) return;
  }
}

constexpr int kCloseGraceMs = 2000;

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Reads and discards until EOF, until the child `pid` is gone (then no one writes to the pipe
// that must not get SIGPIPE), or until deadline_ms passes; returns false on the deadline.
bool DrainUntilEof(int fd, pid_t pid, int deadline_ms) {
  char buf[1 << 16];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
  for (;;) {
    int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(
                       deadline - std::chrono::steady_clock::now())
                       .count());
    if (left <= 0) return false;
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, std::min(left, 50));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return false;
    if (ready == 0) {
      if (pid > 0 && !ChildRunning(pid)) return true;
      continue;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

}  // namespace

template <class Lockable>
std::unique_ptr<BasicWorkerClient<Lockable>> BasicWorkerClient<Lockable>::Launch(
    const WorkerLaunchOptions& options, std::string* error) {
  int request_pipe[2], response_pipe[2], stderr_pipe[2] = {-1, -1};
  if (pipe2(request_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return nullptr;
  }
  if (pipe2(response_pipe, O_CLOEXEC) != 0 ||
      (options.capture_stderr && pipe2(stderr_pipe, O_CLOEXEC) != 0)) {
    *error = std::string("pipe: ") + strerror(errno);
    close(request_pipe[0]);
    close(request_pipe[1]);
    return nullptr;
  }
  std::unique_ptr<InputSlot> slot =
      InputSlot::Create(options.slot_capacity, /*shared=*/true, kRecentInputsKept);
  if (!slot) {
    *error = "cannot create the shared input slot (memfd_create)";
    for (int fd : {request_pipe[0], request_pipe[1], response_pipe[0], response_pipe[1],
                   stderr_pipe[0], stderr_pipe[1]})
      if (fd >= 0) close(fd);
    return nullptr;
  }
  WorkerEndpoint endpoint;
  endpoint.request_fd = request_pipe[0];
  endpoint.response_fd = response_pipe[1];
  endpoint.slot_fd = slot->fd();
  endpoint.index = options.index;
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::string env_entry =
      std::string(kWorkerEnvironmentVariable) + "=" + FormatWorkerEndpoint(endpoint);
  std::vector<char*> envp;
  for (char** e = environ; *e; e++)
    if (strncmp(*e, kWorkerEnvironmentVariable, strlen(kWorkerEnvironmentVariable)) != 0)
      envp.push_back(*e);
  envp.push_back(&env_entry[0]);
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(&arg[0]);
  argv.push_back(nullptr);
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + strerror(errno);
    for (int fd : {request_pipe[0], request_pipe[1], response_pipe[0], response_pipe[1],
                   stderr_pipe[0], stderr_pipe[1]})
      if (fd >= 0) close(fd);
    return nullptr;
  }
  if (pid == 0) {
    // No orphans: the worker dies with the coordinator, however the coordinator dies.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);  // its own process group: see KillWorkerGroup
    if (getppid() != parent) _exit(1);
    for (int fd : {endpoint.request_fd, endpoint.response_fd, endpoint.slot_fd})
      fcntl(fd, F_SETFD, 0);
    if (stderr_pipe[1] >= 0) dup2(stderr_pipe[1], STDERR_FILENO);
    signal(SIGPIPE, SIG_DFL);
    execve(options.executable.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also from here, so that a KillWorkerGroup right away finds the group
  close(request_pipe[0]);
  close(response_pipe[1]);
  if (stderr_pipe[1] >= 0) close(stderr_pipe[1]);
  return std::unique_ptr<BasicWorkerClient>(new BasicWorkerClient(
      request_pipe[1], response_pipe[0], pid, std::move(slot), stderr_pipe[0]));
}

template <class Lockable>
BasicWorkerClient<Lockable>::BasicWorkerClient(int request_fd, int response_fd, pid_t pid,
                                            std::unique_ptr<InputSlot> slot, int stderr_fd)
    : request_fd_(request_fd),
      response_fd_(response_fd),
      response_reader_(response_fd),
      pid_(pid),
      slot_(std::move(slot)),
      stderr_fd_(stderr_fd) {}

template <class Lockable>
BasicWorkerClient<Lockable>::~BasicWorkerClient() {
  Close();
  CloseFd(&stderr_fd_);
}

template <class Lockable>
CallResult BasicWorkerClient<Lockable>::Call(const shoal::proto::Request& request,
                                          shoal::proto::Response* response, std::string* error,
                                          const PartialFn& on_partial) {
  BasicMutexLock<Lockable> lock(&mutex_);
  if (closed_) return CallResult::kClosed;
  busy_.store(true, std::memory_order_release);
  struct BusyReset {
    std::atomic<bool>* busy;
    ~BusyReset() { busy->store(false, std::memory_order_release); }
  } reset{&busy_};
  // A worker that died while a child it started holds its pipes never sends EOF: look at
  // the process itself between short waits.
  PeerAlive alive;
  if (pid_ > 0) alive = [this] { return ChildRunning(pid_); };
  FrameStatus status = WriteFrame(request_fd_, request.SerializeAsString(), alive);
  if (status == FrameStatus::kClosed) return CallResult::kWorkerGone;
  if (status != FrameStatus::kOk) {
    *error = std::string("cannot send a request: ") + FrameStatusText(status);
    return CallResult::kProtocolError;
  }
  std::string_view payload;
  uint32_t announced = 0;
  // Each frame is parsed into a Response on an arena that starts in this buffer. A partial
  // response comes for every unit a worker finds, and Response's oneof deletes and rebuilds
  // its FuzzResponse and each NewInput per frame; on the heap, that malloc/free churn was
  // ~20% of a coordinator's CPU with 64 workers.
  alignas(16) char arena_block[16 << 10];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = arena_block;
  arena_options.initial_block_size = sizeof(arena_block);
  for (;;) {
    status = response_reader_.Next(&payload, &announced, alive);
    switch (status) {
      case FrameStatus::kOk:
        break;
      case FrameStatus::kClosed:
        return CallResult::kWorkerGone;
      case FrameStatus::kTooLarge:
        *error = "sent a frame of " + std::to_string(announced) + " bytes (the limit is " +
                 std::to_string(kMaxFrameSize) + ")";
        return CallResult::kProtocolError;
      case FrameStatus::kTruncated:
        // A worker that dies mid-write also truncates its frame: let the caller look at how
        // the process ended before calling it garbage.
        *error = "sent a truncated frame";
        return CallResult::kProtocolError;
      case FrameStatus::kIoError:
        *error = std::string("cannot read its response: ") + strerror(errno);
        return CallResult::kProtocolError;
    }
    google::protobuf::Arena arena(arena_options);  // frees what outgrew the buffer
    auto* frame = google::protobuf::Arena::CreateMessage<shoal::proto::Response>(&arena);
    if (!frame->ParseFromArray(payload.data(), int(payload.size()))) {
      *error = "sent " + std::to_string(payload.size()) + " bytes that are not a valid response";
      return CallResult::kProtocolError;
    }
    if (!frame->partial()) {
      response->CopyFrom(*frame);
      break;
    }
    if (on_partial) on_partial(*frame);
  }
  if (!response->error().empty()) {
    *error = "reported an error: " + response->error();
    return CallResult::kProtocolError;
  }
  return CallResult::kOk;
}

template <class Lockable>
void BasicWorkerClient<Lockable>::Close() {
  BasicMutexLock<Lockable> lock(&mutex_);
  if (closed_) return;
  closed_ = true;
  CloseFd(&request_fd_);  // EOF on its request pipe: the worker exits
  if (response_fd_ >= 0 && !DrainUntilEof(response_fd_, pid_, kCloseGraceMs) && pid_ > 0) {
    KillWorkerGroup(pid_);
    DrainUntilEof(response_fd_, pid_, kCloseGraceMs);
  }
  CloseFd(&response_fd_);
  if (pid_ > 0) {
    // Whatever it started in its process group goes with it (before the reap, while the
    // group id cannot be anyone else's), and so does what escaped into a session of its own.
    if (!ChildRunning(pid_)) KillWorkerGroup(pid_);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kCloseGraceMs);
    for (;;) {
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || (done < 0 && errno != EINTR)) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        KillWorkerGroup(pid_);
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      usleep(1000);
    }
    wait_status_.store(status, std::memory_order_release);
    reaped_.store(true, std::memory_order_release);
    KillOrphansFromOtherSessions();
  }
}

template <class Lockable>
void BasicWorkerClient<Lockable>::Kill() {
  if (pid_ > 0 && !reaped_.load(std::memory_order_acquire)) KillWorkerGroup(pid_);
}

template class BasicWorkerClient<Mutex>;
template class BasicWorkerClient<NoLockForTesting>;

}  // namespace fuzzer
