// InputSlot: the memory where the engine puts each input right before running it, so that
// whoever reports a crash can still read it. In the in-process engine it is private memory
// read by the crash handlers; in a worker it is a memfd shared with the coordinator, which
// reads the last input after the worker dies (crash, SIGKILL, OOM killer, hang).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace fuzzer {

class InputSlot {
 public:
  // A slot in new memory; `shared` makes it a memfd that a child process can map (fd()).
  static std::unique_ptr<InputSlot> Create(size_t capacity, bool shared);
  // Maps an inherited memfd created by Create(..., true) in another process.
  static std::unique_ptr<InputSlot> Attach(int fd);
  ~InputSlot();
  InputSlot(const InputSlot&) = delete;
  InputSlot& operator=(const InputSlot&) = delete;

  // Copies the input in (truncated to capacity). Async-signal-safe.
  void Write(const uint8_t* data, size_t size);
  size_t size() const;
  const uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  int fd() const { return fd_; }
  // Bumped on every Write: tells the reader whether anything ran since it last looked.
  uint64_t generation() const;
  // What a dying worker found ("crash-", "timeout-", "oom-", "leak-"), so the coordinator
  // names the artifact right. Async-signal-safe; at most 15 characters are kept.
  void SetFailureKind(const char* kind);
  std::string FailureKind() const;
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
  struct Header {
    std::atomic<uint64_t> size;
    std::atomic<uint64_t> generation;
    uint64_t capacity;
    char failure_kind[16];
    std::atomic<uint32_t> artifact_announced;
    std::atomic<uint64_t> request_position;
  };
  InputSlot(void* mapping, size_t mapping_size, int fd);

  void* mapping_;
  size_t mapping_size_;
  int fd_;
  Header* header_;
  uint8_t* data_;
  size_t capacity_;
};

}  // namespace fuzzer
