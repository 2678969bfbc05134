// InputSlot: the memory where the engine puts each input right before running it, so that
// whoever reports a crash can still read it. In the in-process engine it is private memory
// read by the crash handlers; in a worker it is a memfd shared with the coordinator, which
// reads the last input after the worker dies (crash, SIGKILL, OOM killer, hang).
//
// A shared slot also keeps the last few inputs (a ring of `history` entries): a worker that
// dies with no report of its own (the target called _exit, or scribbled over the worker's
// descriptors) is charged to none of them blindly; the coordinator re-runs them in a fresh
// worker and keeps the one that reproduces the death.
//
// Everything the coordinator reads from a slot is untrusted: the worker's target can corrupt
// it. Every reader here validates (sizes against the capacity, ring positions against the
// generation, the failure kind against the four known kinds).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fuzzer {

class InputSlot {
 public:
  // A slot in new memory; `shared` makes it a memfd that a child process can map (fd()),
  // holding the last `history` inputs (at least 1).
  static std::unique_ptr<InputSlot> Create(size_t capacity, bool shared, size_t history = 1);
  // Maps an inherited memfd created by Create(..., true) in another process, then closes the
  // descriptor: the mapping stays, and a target that writes to every descriptor it did not
  // open cannot overwrite the slot through it.
  static std::unique_ptr<InputSlot> Attach(int fd);
  ~InputSlot();
  InputSlot(const InputSlot&) = delete;
  InputSlot& operator=(const InputSlot&) = delete;

  // Copies the input in (truncated to capacity). Async-signal-safe.
  void Write(const uint8_t* data, size_t size);
  // The last input written. For the writer's own crash handlers (async-signal-safe, no copy).
  size_t size() const;
  const uint8_t* data() const;
  // The last input written, copied (for the coordinator, reading another process's slot).
  std::vector<uint8_t> Current() const;
  // The last inputs written, newest first (at most `history`; validated).
  std::vector<std::vector<uint8_t>> Recent() const;
  size_t capacity() const { return capacity_; }
  // Created shared (a worker's slot), as opposed to the in-process engine's private one.
  bool shared() const { return shared_; }
  int fd() const { return fd_; }
  // Bumped on every Write: tells the reader whether anything ran since it last looked.
  uint64_t generation() const;
  // What a dying worker found ("crash-", "timeout-", "oom-", "leak-"), so the coordinator
  // names the artifact right. Async-signal-safe; anything else reads back as "".
  void SetFailureKind(const char* kind);
  std::string FailureKind() const;
  // Set by the worker when its death path begins (a handler caught a failure): the
  // coordinator then gives it a bounded time to finish its report before killing it, since
  // a corrupted heap can deadlock the death path. Async-signal-safe.
  void SetDying() { header_->dying.store(1); }
  bool Dying() const { return header_->dying.load() != 0; }
  // Set when the dying worker already printed "Test unit written to <path>" (the coordinator
  // then writes the file there without printing the line again).
  void SetArtifactAnnounced() { header_->artifact_announced.store(1); }
  bool ArtifactAnnounced() const { return header_->artifact_announced.load() != 0; }
  // Which input of the worker's current RunInputs request the slot holds (kNoPosition outside
  // of one), so the coordinator knows which job a dead worker was running.
  static constexpr uint64_t kNoPosition = ~uint64_t(0);
  void SetRequestPosition(uint64_t position) { header_->request_position.store(position); }
  uint64_t RequestPosition() const { return header_->request_position.load(); }

 private:
  static constexpr size_t kMaxHistory = 64;
  struct Entry {
    std::atomic<uint64_t> size;
    std::atomic<uint64_t> generation;  // the Write that filled it
  };
  struct Header {
    std::atomic<uint64_t> generation;
    uint64_t capacity;
    uint64_t history;
    char failure_kind[16];
    std::atomic<uint32_t> artifact_announced;
    std::atomic<uint32_t> dying;
    std::atomic<uint64_t> request_position;
    Entry entries[kMaxHistory];
  };
  InputSlot(void* mapping, size_t mapping_size, int fd, size_t capacity, size_t history,
            bool shared);
  static size_t MappingSize(size_t capacity, size_t history);
  // The ring entry that Write number `generation` (1-based) fills, and its bytes.
  size_t EntryIndex(uint64_t generation) const { return size_t((generation - 1) % history_); }
  uint8_t* EntryData(size_t index) const { return data_ + index * capacity_; }
  // The entry's bytes if it still holds Write number `generation`, validated.
  bool ReadEntry(uint64_t generation, std::vector<uint8_t>* out) const;

  void* mapping_;
  size_t mapping_size_;
  int fd_;
  Header* header_;
  uint8_t* data_;
  size_t capacity_;
  size_t history_;
  bool shared_;
};

}  // namespace fuzzer
