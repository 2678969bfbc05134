// WorkerPool (runtime/coordinator/worker_pool.h): the chunk queue's cuts and order, each
// slot's bookkeeping across the processes it has had (runs, restarts, what it is sent), and
// what a slot's process that writes garbage on its pipe comes to (a real child process).
#include "runtime/coordinator/worker_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <random>

#include <gtest/gtest.h>

#include "runtime/common/frame_channel.h"

namespace fuzzer {
namespace {

InputJob FileJob(size_t id, size_t size) { return InputJob{id, "file" + std::to_string(id), size}; }

std::vector<size_t> Ids(const InputChunk& chunk) {
  std::vector<size_t> ids;
  for (const InputJob& job : chunk) ids.push_back(job.id);
  return ids;
}

// A client with no child process, over pipes nobody answers: enough for the bookkeeping.
std::unique_ptr<WorkerClient> IdleClient() {
  int request[2], response[2];
  EXPECT_EQ(pipe(request), 0);
  EXPECT_EQ(pipe(response), 0);
  close(request[0]);
  close(response[1]);
  return std::make_unique<WorkerClient>(request[1], response[0], /*pid=*/0,
                                        InputSlot::Create(64, /*shared=*/false), -1);
}

TEST(WorkerPool, QueueCutsChunksByCountAndBytesAndKeepsOrder) {
  WorkerPool pool(2);
  std::vector<InputJob> jobs;
  for (size_t i = 0; i < 300; i++) jobs.push_back(FileJob(i, 10));
  pool.Queue(std::move(jobs), 1 << 20);
  InputChunk chunk;
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  ASSERT_EQ(chunk.size(), WorkerPool::kMaxChunkInputs);
  EXPECT_EQ(chunk.front().id, 0u);
  EXPECT_EQ(chunk.back().id, 255u);
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(chunk.size(), 300 - WorkerPool::kMaxChunkInputs);
  EXPECT_EQ(chunk.front().id, 256u);
  EXPECT_FALSE(pool.TakeChunk(&chunk));

  // Three files of 3 MiB: two fit in 8 MiB, the third starts a chunk.
  pool.Queue({FileJob(0, 3 << 20), FileJob(1, 3 << 20), FileJob(2, 3 << 20)}, 16 << 20);
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(Ids(chunk), (std::vector<size_t>{0, 1}));
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(Ids(chunk), (std::vector<size_t>{2}));

  // Files count only up to max_len: with 1 MiB, all three fit in one chunk.
  pool.Queue({FileJob(0, 3 << 20), FileJob(1, 3 << 20), FileJob(2, 3 << 20)}, 1 << 20);
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(chunk.size(), 3u);
}

TEST(WorkerPool, IdleOnlyWhenNothingIsQueuedOrInFlightAndRequeuedChunksRunFirst) {
  WorkerPool pool(1);
  EXPECT_TRUE(pool.Idle());
  pool.Queue({FileJob(1, 1)}, 100);
  pool.Queue({FileJob(2, 1)}, 100);
  EXPECT_FALSE(pool.Idle());
  InputChunk chunk;
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_FALSE(pool.HasQueuedChunk());
  EXPECT_FALSE(pool.Idle());  // two in flight
  pool.Queue({FileJob(3, 1)}, 100);
  pool.Requeue(chunk);  // a dead worker's unfinished chunk goes first
  pool.Requeue({});     // an empty one is not queued
  pool.ChunkDone();
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(Ids(chunk), (std::vector<size_t>{2}));
  ASSERT_TRUE(pool.TakeChunk(&chunk));
  EXPECT_EQ(Ids(chunk), (std::vector<size_t>{3}));
  EXPECT_FALSE(pool.TakeChunk(&chunk));
  pool.ChunkDone();
  pool.ChunkDone();
  EXPECT_FALSE(pool.Idle());
  pool.ChunkDone();
  EXPECT_TRUE(pool.Idle());
}

TEST(WorkerPool, RunsOfEveryProcessOfEverySlotAddUpAcrossRestarts) {
  WorkerPool pool(2);
  WorkerPool::Worker* first = pool.worker(0);
  WorkerPool::Worker* second = pool.worker(1);
  EXPECT_EQ(first->index, 0);
  EXPECT_EQ(second->index, 1);
  pool.Attach(first, IdleClient());
  pool.Attach(second, IdleClient());
  first->initialized = true;
  EXPECT_FALSE(pool.AllInitialized());
  second->initialized = true;
  EXPECT_TRUE(pool.AllInitialized());
  first->runs = 100;
  second->runs = 7;
  EXPECT_EQ(pool.TotalRuns(), 107u);

  // The first slot's process dies and is restarted: its runs stay counted.
  first->killed_for_hang = true;
  std::unique_ptr<WorkerClient> old = pool.Detach(first);
  ASSERT_TRUE(old);
  EXPECT_FALSE(first->client);
  EXPECT_FALSE(first->initialized);
  EXPECT_FALSE(pool.AllInitialized());
  pool.PrepareRestart(first, {Bytes{'a'}, Bytes{'b'}});
  pool.Attach(first, IdleClient());
  EXPECT_FALSE(first->killed_for_hang);  // a new process starts with a clean record
  EXPECT_EQ(first->runs, 0u);
  EXPECT_EQ(pool.TotalRuns(), 107u);
  first->runs = 5;
  EXPECT_EQ(pool.TotalRuns(), 112u);
  EXPECT_EQ(pool.Restarts(), 1u);
  // Each process of a slot has its own number (what its dictionary reports are keyed by).
  EXPECT_EQ(first->processes_started, 2u);
  EXPECT_EQ(second->processes_started, 1u);
  ASSERT_EQ(first->pending.size(), 2u);
  EXPECT_EQ(*first->pending[0], Bytes{'a'});
  EXPECT_EQ(*first->pending[1], Bytes{'b'});

  // A new global input goes to every slot but the one that found it.
  pool.Share(Bytes{'c'}, second);
  ASSERT_EQ(first->pending.size(), 3u);
  EXPECT_EQ(*first->pending[2], Bytes{'c'});
  EXPECT_TRUE(second->pending.empty());

  first->peak_rss_mb = 30;
  second->peak_rss_mb = 40;
  first->length_limit = 9;
  EXPECT_EQ(pool.PeakRssMb(), 40u);
  EXPECT_EQ(pool.LengthLimit(), 9u);
}

// A worker process that writes garbage: a forked child that reads the coordinator's request
// (as a worker does) and then runs `misbehave(response_fd, slot)`; it exits 0 if that returns.
struct GarbageWorker {
  std::unique_ptr<WorkerClient> client;
  InputSlot* slot = nullptr;  // shared with the child (a memfd mapping)
};

GarbageWorker StartGarbageWorker(const std::function<void(int, InputSlot*)>& misbehave) {
  int request[2], response[2];
  EXPECT_EQ(pipe2(request, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(response, O_CLOEXEC), 0);
  std::unique_ptr<InputSlot> slot = InputSlot::Create(64, /*shared=*/true);
  InputSlot* shared_slot = slot.get();
  pid_t pid = fork();
  if (pid == 0) {
    close(request[1]);
    close(response[0]);
    std::string payload;
    if (ReadFrame(request[0], &payload) != FrameStatus::kOk) _exit(3);
    misbehave(response[1], shared_slot);
    _exit(0);
  }
  EXPECT_GT(pid, 0);
  close(request[0]);
  close(response[1]);
  GarbageWorker worker;
  worker.client = std::make_unique<WorkerClient>(request[1], response[0], pid, std::move(slot), -1);
  worker.slot = shared_slot;
  return worker;
}

void WriteBytes(int fd, const std::string& bytes) {
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
}

// The length header of a frame, little-endian.
std::string Header(uint32_t size) {
  return std::string{char(size), char(size >> 8), char(size >> 16), char(size >> 24)};
}

struct Diagnosis {
  CallResult result = CallResult::kOk;
  WorkerPool::FailedCall failed = WorkerPool::FailedCall::kDied;
  std::string line;  // the error as the coordinator prints it
  int wait_status = -1;
};

// Attaches the garbage worker to slot 0 of a pool, sends it a Ping as the coordinator does,
// and diagnoses the call. The slot's run counts must not be touched by any of it.
Diagnosis CallAndDiagnose(GarbageWorker garbage, bool initialized = false) {
  signal(SIGPIPE, SIG_IGN);
  WorkerPool pool(1);
  WorkerPool::Worker* worker = pool.worker(0);
  pool.Attach(worker, std::move(garbage.client));
  worker->initialized = initialized;
  worker->runs = 3;
  shoal::proto::Request request;
  request.mutable_ping();
  shoal::proto::Response response;
  std::string error;
  Diagnosis diagnosis;
  diagnosis.result = worker->client->Call(request, &response, &error);
  if (diagnosis.result == CallResult::kOk) return diagnosis;
  diagnosis.failed = WorkerPool::DiagnoseFailedCall(worker, diagnosis.result);
  diagnosis.line = WorkerPool::OneLineError(error);
  std::unique_ptr<WorkerClient> old = pool.Detach(worker);
  old->Close();  // reaps it, if the diagnosis did not
  diagnosis.wait_status = old->wait_status();
  EXPECT_EQ(pool.TotalRuns(), 3u);
  EXPECT_FALSE(worker->client);
  return diagnosis;
}

bool IsOnePrintableLine(const std::string& line) {
  if (line.empty() || line.size() > WorkerPool::kMaxErrorLength + 3) return false;
  for (unsigned char c : line)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

TEST(WorkerPoolGarbage, BytesThatAreNotAResponseBeforeAnyInputMeanARestart) {
  // Then it hangs: Close() kills it after its grace, which is not a death of the target.
  Diagnosis d = CallAndDiagnose(StartGarbageWorker([](int fd, InputSlot*) {
    WriteBytes(fd, Header(16) + "this is no proto");
    pause();
  }));
  EXPECT_EQ(d.result, CallResult::kProtocolError);
  EXPECT_EQ(d.failed, WorkerPool::FailedCall::kGarbage);
  EXPECT_EQ(d.line, "sent 16 bytes that are not a valid response");
  EXPECT_TRUE(WIFSIGNALED(d.wait_status) && WTERMSIG(d.wait_status) == SIGKILL);
}

TEST(WorkerPoolGarbage, AnOversizedOrTruncatedFrameFromACleanExitMeansARestart) {
  Diagnosis huge = CallAndDiagnose(
      StartGarbageWorker([](int fd, InputSlot*) { WriteBytes(fd, Header(0x7fffffff)); }));
  EXPECT_EQ(huge.result, CallResult::kProtocolError);
  EXPECT_EQ(huge.failed, WorkerPool::FailedCall::kGarbage);
  EXPECT_EQ(huge.line, "sent a frame of 2147483647 bytes (the limit is " +
                           std::to_string(kMaxFrameSize) + ")");
  Diagnosis truncated = CallAndDiagnose(
      StartGarbageWorker([](int fd, InputSlot*) { WriteBytes(fd, Header(64) + "abc"); }));
  EXPECT_EQ(truncated.failed, WorkerPool::FailedCall::kGarbage);
  EXPECT_EQ(truncated.line, "sent a truncated frame");
}

TEST(WorkerPoolGarbage, RandomBytesAlwaysEndInOneLineAndARestart) {
  for (unsigned seed = 1; seed <= 20; seed++) {
    Diagnosis d = CallAndDiagnose(StartGarbageWorker([seed](int fd, InputSlot*) {
      std::mt19937 rng(seed);
      std::string bytes(1 + rng() % 4096, '\0');
      for (char& c : bytes) c = char(rng());
      // Small headers too, so that some frames are complete and fail to parse.
      if (seed % 2) bytes.replace(0, 4, Header(uint32_t(bytes.size() - 4)));
      WriteBytes(fd, bytes);
    }));
    EXPECT_EQ(d.result, CallResult::kProtocolError) << "seed " << seed;
    EXPECT_EQ(d.failed, WorkerPool::FailedCall::kGarbage) << "seed " << seed;
    EXPECT_TRUE(IsOnePrintableLine(d.line)) << "seed " << seed << ": " << d.line;
  }
}

TEST(WorkerPoolGarbage, AnErrorItReportsIsPrintedAsOneEscapedLine) {
  // A frame that parses, with an error full of line breaks, escapes and 1000 bytes.
  Diagnosis d = CallAndDiagnose(StartGarbageWorker([](int fd, InputSlot*) {
    shoal::proto::Response response;
    response.set_error("first\nERROR: libFuzzer: deadly signal\n\x1b[31m" + std::string(1000, 'x'));
    WriteBytes(fd, Header(uint32_t(response.ByteSizeLong())) + response.SerializeAsString());
  }));
  EXPECT_EQ(d.result, CallResult::kProtocolError);
  EXPECT_EQ(d.failed, WorkerPool::FailedCall::kGarbage);
  EXPECT_TRUE(IsOnePrintableLine(d.line)) << d.line;
  EXPECT_EQ(d.line.substr(0, 63),
            "reported an error: first\\x0aERROR: libFuzzer: deadly signal\\x0a");
  EXPECT_EQ(d.line.substr(d.line.size() - 3), "...");
}

TEST(WorkerPoolGarbage, GarbageAfterRunningInputsIsADeathWithNoReport) {
  // The target may have written it: the coordinator triages it like an _exit().
  Diagnosis d = CallAndDiagnose(StartGarbageWorker([](int fd, InputSlot* slot) {
                                  const uint8_t input[] = {'h', 'i'};
                                  slot->Write(input, sizeof(input));
                                  WriteBytes(fd, Header(4) + "junk");
                                }),
                                /*initialized=*/true);
  EXPECT_EQ(d.failed, WorkerPool::FailedCall::kGarbageAfterInputs);
  EXPECT_EQ(d.line, "sent 4 bytes that are not a valid response");
}

TEST(WorkerPoolGarbage, AWorkerThatDiesOrReportsAFailureWhileWritingIsADeath) {
  // Dying mid-frame also truncates it: how the process ended decides.
  Diagnosis aborted = CallAndDiagnose(StartGarbageWorker([](int fd, InputSlot*) {
    WriteBytes(fd, Header(64) + "abc");
    signal(SIGABRT, SIG_DFL);
    abort();
  }));
  EXPECT_EQ(aborted.result, CallResult::kProtocolError);
  EXPECT_EQ(aborted.failed, WorkerPool::FailedCall::kDied);
  EXPECT_TRUE(WIFSIGNALED(aborted.wait_status) && WTERMSIG(aborted.wait_status) == SIGABRT);
  Diagnosis reported = CallAndDiagnose(StartGarbageWorker([](int fd, InputSlot* slot) {
    slot->SetFailureKind("crash-");
    WriteBytes(fd, Header(64) + "abc");
  }));
  EXPECT_EQ(reported.failed, WorkerPool::FailedCall::kDied);
  // EOF without a word: the worker is gone.
  Diagnosis gone = CallAndDiagnose(StartGarbageWorker([](int, InputSlot*) { _exit(1); }));
  EXPECT_EQ(gone.result, CallResult::kWorkerGone);
  EXPECT_EQ(gone.failed, WorkerPool::FailedCall::kDied);
}

}  // namespace
}  // namespace fuzzer
