// Span<T>: a read-only view of T values someone else owns (C++17 has no std::span). The
// coordinator passes a worker's unit bytes and features straight from the parsed response
// through it, instead of copying both into vectors for every unit, most of which the global
// corpus then does not take (and on to the -print_coverage report). Used in the coordinator
// process; any thread.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace fuzzer {

template <class T>
class Span {
 public:
  Span() = default;
  Span(const T* data, size_t size) : data_(data), size_(size) {}
  // Implicit: a vector, or a braced list for the length of the full expression it is in.
  Span(const std::vector<T>& values) : data_(values.data()), size_(values.size()) {}  // NOLINT
  Span(std::initializer_list<T> values) : data_(values.begin()), size_(values.size()) {}  // NOLINT

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  std::vector<T> ToVector() const { return std::vector<T>(begin(), end()); }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace fuzzer
