// ZeroedArray: a large zero-filled array allocated with calloc (any process). The feature
// tables of a corpus are megabytes that stay mostly zero; calloc hands out fresh pages from
// mmap without touching them, where `new T[n]()` writes every byte at start-up: 20 MiB of page
// faults in each worker and coordinator before the first input runs.
#pragma once

#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace fuzzer {

struct FreeDeleter {
  void operator()(void* pointer) const { std::free(pointer); }
};

template <typename T>
using ZeroedArray = std::unique_ptr<T[], FreeDeleter>;

// Throws std::bad_alloc like new[] when the memory is not there.
template <typename T>
ZeroedArray<T> MakeZeroedArray(size_t count) {
  static_assert(std::is_trivial<T>::value, "calloc'd memory holds no constructed objects");
  void* memory = std::calloc(count, sizeof(T));
  if (!memory) throw std::bad_alloc();
  return ZeroedArray<T>(static_cast<T*>(memory));
}

}  // namespace fuzzer
