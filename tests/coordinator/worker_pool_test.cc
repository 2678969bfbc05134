// WorkerPool (runtime/coordinator/worker_pool.h): the chunk queue's cuts and order, and each
// slot's bookkeeping across the processes it has had (runs, restarts, what it is sent).
#include "runtime/coordinator/worker_pool.h"

#include <unistd.h>

#include <gtest/gtest.h>

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
  EXPECT_EQ(first->pending, (std::vector<Bytes>{Bytes{'a'}, Bytes{'b'}}));

  // A new global input goes to every slot but the one that found it.
  pool.Share(Bytes{'c'}, second);
  EXPECT_EQ(first->pending.size(), 3u);
  EXPECT_TRUE(second->pending.empty());

  first->peak_rss_mb = 30;
  second->peak_rss_mb = 40;
  first->length_limit = 9;
  EXPECT_EQ(pool.PeakRssMb(), 40u);
  EXPECT_EQ(pool.LengthLimit(), 9u);
}

}  // namespace
}  // namespace fuzzer
