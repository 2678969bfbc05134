// Stress test of WorkerClient's one guarantee: Close() never races a request write or a
// response read. A caller thread sends requests in a loop while the main thread calls
// Close() at an arbitrary moment, 10,000 times. With the lock, every call either completes
// or sees kClosed: no EPIPE, no "worker gone", and (under --config=tsan) no data race.
// The same loop with the test-only unlocked client must be caught, by TSan's race report
// when built with it, or by the errors the race causes otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/common/frame_channel.h"
#include "runtime/coordinator/worker_client.h"

namespace fuzzer {
namespace {

constexpr int kIterations = 10000;

// A minimal worker: answers every request with a ping response until its request pipe
// closes, then closes its response pipe (as a real worker does when it exits).
void ServeUntilClosed(int request_fd, int response_fd) {
  shoal::proto::Response response;
  response.mutable_ping()->set_pid(1);
  const std::string reply = response.SerializeAsString();
  std::string payload;
  while (ReadFrame(request_fd, &payload) == FrameStatus::kOk)
    if (WriteFrame(response_fd, reply) != FrameStatus::kOk) break;
  close(request_fd);
  close(response_fd);
}

// Returns the number of calls that failed with anything but kOk / kClosed; with
// stop_at_first_error, returns as soon as there is one.
template <class Client>
int RunCloseVersusCalls(int iterations, bool stop_at_first_error = false) {
  signal(SIGPIPE, SIG_IGN);
  int errors = 0;
  shoal::proto::Request request;
  request.mutable_ping();
  for (int i = 0; i < iterations; i++) {
    int to_worker[2], from_worker[2];
    if (pipe2(to_worker, O_CLOEXEC) || pipe2(from_worker, O_CLOEXEC)) return -1;
    std::thread server(ServeUntilClosed, to_worker[0], from_worker[1]);
    Client client(to_worker[1], from_worker[0], /*pid=*/0, nullptr, -1);
    std::atomic<int> caller_errors{0};
    std::atomic<bool> started{false};
    std::thread caller([&] {
      shoal::proto::Response response;
      std::string error;
      for (;;) {
        CallResult result = client.Call(request, &response, &error);
        started.store(true);
        if (result == CallResult::kOk) continue;
        if (result != CallResult::kClosed) caller_errors++;
        return;
      }
    });
    // Close at a different point of the caller's loop each time.
    while (!started.load()) std::this_thread::yield();
    for (int spin = 0; spin < i % 64; spin++) std::this_thread::yield();
    client.Close();
    caller.join();
    server.join();
    errors += caller_errors.load();
    if (stop_at_first_error && errors) break;
  }
  return errors;
}

TEST(WorkerClientStressTest, CloseNeverRacesACall) {
  EXPECT_EQ(RunCloseVersusCalls<WorkerClient>(kIterations), 0);
}

TEST(WorkerClientStressTest, TheUnlockedClientIsCaught) {
  // In a child process: TSan (if built with it) reports the race and exits with 66; without
  // TSan the race shows up as calls failing with "worker gone" or I/O errors, or as a call
  // stuck reading a descriptor that Close() closed and a new pipe reused (a hang).
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int errors = RunCloseVersusCalls<UnlockedWorkerClientForTesting>(kIterations, true);
    exit(errors > 0 ? 3 : 0);
  }
  int status = 0;
  bool hung = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      hung = true;
      break;
    }
    usleep(10000);
  }
  EXPECT_TRUE(hung || (WIFEXITED(status) && (WEXITSTATUS(status) == 66 || WEXITSTATUS(status) == 3)))
      << "the unlocked client's close/call race went unnoticed (status " << status << ")";
}

}  // namespace
}  // namespace fuzzer
