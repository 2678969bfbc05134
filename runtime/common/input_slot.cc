// Implements input_slot.h with memfd_create/mmap.
#include "runtime/common/input_slot.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace fuzzer {

InputSlot::InputSlot(void* mapping, size_t mapping_size, int fd)
    : mapping_(mapping),
      mapping_size_(mapping_size),
      fd_(fd),
      header_(static_cast<Header*>(mapping)),
      data_(static_cast<uint8_t*>(mapping) + sizeof(Header)),
      capacity_(mapping_size - sizeof(Header)) {}

std::unique_ptr<InputSlot> InputSlot::Create(size_t capacity, bool shared) {
  size_t mapping_size = sizeof(Header) + capacity;
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
  std::unique_ptr<InputSlot> slot(new InputSlot(mapping, mapping_size, fd));
  slot->header_->capacity = capacity;
  slot->SetRequestPosition(kNoPosition);
  return slot;
}

std::unique_ptr<InputSlot> InputSlot::Attach(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || size_t(st.st_size) < sizeof(Header)) return nullptr;
  size_t mapping_size = size_t(st.st_size);
  void* mapping = mmap(nullptr, mapping_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) return nullptr;
  return std::unique_ptr<InputSlot>(new InputSlot(mapping, mapping_size, fd));
}

InputSlot::~InputSlot() {
  munmap(mapping_, mapping_size_);
  if (fd_ >= 0) close(fd_);
}

void InputSlot::Write(const uint8_t* data, size_t size) {
  if (size > capacity_) size = capacity_;
  // Size 0 first, so a reader never pairs the new size with old bytes.
  header_->size.store(0, std::memory_order_relaxed);
  if (size) memcpy(data_, data, size);
  header_->size.store(size, std::memory_order_release);
  header_->generation.fetch_add(1, std::memory_order_release);
}

size_t InputSlot::size() const {
  size_t size = header_->size.load(std::memory_order_acquire);
  return size > capacity_ ? capacity_ : size;
}

uint64_t InputSlot::generation() const {
  return header_->generation.load(std::memory_order_acquire);
}

}  // namespace fuzzer

namespace fuzzer {

void InputSlot::SetFailureKind(const char* kind) {
  size_t i = 0;
  for (; kind[i] && i + 1 < sizeof(header_->failure_kind); i++) header_->failure_kind[i] = kind[i];
  header_->failure_kind[i] = 0;
}

std::string InputSlot::FailureKind() const {
  char copy[sizeof(header_->failure_kind)];
  memcpy(copy, header_->failure_kind, sizeof(copy));
  copy[sizeof(copy) - 1] = 0;
  return copy;
}

}  // namespace fuzzer
