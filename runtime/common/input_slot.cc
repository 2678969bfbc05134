// Implements input_slot.h with memfd_create/mmap.
#include "runtime/common/input_slot.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace fuzzer {

size_t InputSlot::MappingSize(size_t capacity, size_t history) {
  return sizeof(Header) + capacity * history;
}

InputSlot::InputSlot(void* mapping, size_t mapping_size, int fd, size_t capacity,
                     size_t history, bool shared)
    : mapping_(mapping),
      mapping_size_(mapping_size),
      fd_(fd),
      header_(static_cast<Header*>(mapping)),
      data_(static_cast<uint8_t*>(mapping) + sizeof(Header)),
      capacity_(capacity),
      history_(history),
      shared_(shared) {}

std::unique_ptr<InputSlot> InputSlot::Create(size_t capacity, bool shared, size_t history) {
  history = std::max<size_t>(1, std::min(history, kMaxHistory));
  size_t mapping_size = MappingSize(capacity, history);
  int fd = -1;
  void* mapping;
  if (shared) {
    fd = memfd_create("shoal-input", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, off_t(mapping_size)) != 0) {
      if (fd >= 0) close(fd);
      return nullptr;
    }
    mapping = mmap(nullptr, mapping_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  } else {
    mapping =
        mmap(nullptr, mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (mapping == MAP_FAILED) {
    if (fd >= 0) close(fd);
    return nullptr;
  }
  std::unique_ptr<InputSlot> slot(
      new InputSlot(mapping, mapping_size, fd, capacity, history, shared));
  slot->header_->capacity = capacity;
  slot->header_->history = history;
  slot->SetRequestPosition(kNoPosition);
  return slot;
}

std::unique_ptr<InputSlot> InputSlot::Attach(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || size_t(st.st_size) < sizeof(Header)) return nullptr;
  size_t mapping_size = size_t(st.st_size);
  void* mapping = mmap(nullptr, mapping_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) return nullptr;
  const Header* header = static_cast<const Header*>(mapping);
  size_t history = header->history;
  size_t capacity = header->capacity;
  if (history == 0 || history > kMaxHistory ||
      capacity > (mapping_size - sizeof(Header)) / history) {
    munmap(mapping, mapping_size);
    return nullptr;
  }
  close(fd);
  return std::unique_ptr<InputSlot>(
      new InputSlot(mapping, mapping_size, -1, capacity, history, /*shared=*/true));
}

InputSlot::~InputSlot() {
  munmap(mapping_, mapping_size_);
  if (fd_ >= 0) close(fd_);
}

void InputSlot::Write(const uint8_t* data, size_t size) {
  if (size > capacity_) size = capacity_;
  uint64_t generation = header_->generation.load(std::memory_order_relaxed) + 1;
  Entry& entry = header_->entries[EntryIndex(generation)];
  // Mark the entry as being rewritten first, so a reader never pairs new bytes with an old
  // size or generation.
  entry.generation.store(0, std::memory_order_relaxed);
  entry.size.store(size, std::memory_order_relaxed);
  if (size) memcpy(EntryData(EntryIndex(generation)), data, size);
  entry.generation.store(generation, std::memory_order_release);
  header_->generation.store(generation, std::memory_order_release);
}

size_t InputSlot::size() const {
  uint64_t generation = this->generation();
  if (generation == 0) return 0;
  size_t size = header_->entries[EntryIndex(generation)].size.load(std::memory_order_acquire);
  return std::min(size, capacity_);
}

const uint8_t* InputSlot::data() const {
  uint64_t generation = this->generation();
  return EntryData(generation == 0 ? 0 : EntryIndex(generation));
}

bool InputSlot::ReadEntry(uint64_t generation, std::vector<uint8_t>* out) const {
  if (generation == 0) return false;
  size_t index = EntryIndex(generation);
  const Entry& entry = header_->entries[index];
  if (entry.generation.load(std::memory_order_acquire) != generation) return false;
  size_t size = std::min<size_t>(entry.size.load(std::memory_order_acquire), capacity_);
  const uint8_t* bytes = EntryData(index);
  out->assign(bytes, bytes + size);
  return true;
}

std::vector<uint8_t> InputSlot::Current() const {
  std::vector<uint8_t> bytes;
  ReadEntry(generation(), &bytes);
  return bytes;
}

std::vector<std::vector<uint8_t>> InputSlot::Recent() const {
  std::vector<std::vector<uint8_t>> recent;
  uint64_t newest = generation();
  for (uint64_t back = 0; back < history_ && back < newest; back++) {
    std::vector<uint8_t> bytes;
    if (ReadEntry(newest - back, &bytes)) recent.push_back(std::move(bytes));
  }
  return recent;
}

uint64_t InputSlot::generation() const {
  return header_->generation.load(std::memory_order_acquire);
}

void InputSlot::SetFailureKind(const char* kind) {
  size_t i = 0;
  for (; kind[i] && i + 1 < sizeof(header_->failure_kind); i++) header_->failure_kind[i] = kind[i];
  header_->failure_kind[i] = 0;
}

std::string InputSlot::FailureKind() const {
  char copy[sizeof(header_->failure_kind)];
  memcpy(copy, header_->failure_kind, sizeof(copy));
  copy[sizeof(copy) - 1] = 0;
  for (const char* known : {"crash-", "timeout-", "oom-", "leak-"})
    if (!strcmp(copy, known)) return copy;
  return "";
}

}  // namespace fuzzer
