// Random: the fast, seedable pseudo-random generator every Shoal process uses (coordinator
// and worker). Deterministic for a given seed so `-seed=N` reproduces a run. Hand-written
// (xoshiro256**) because it sits in the worker's mutation hot path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace fuzzer {

class Random {
 public:
  explicit Random(uint64_t seed) { Reseed(seed); }

  void Reseed(uint64_t seed) {
    // splitmix64 expands one seed into the four state words (never all zero).
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n must be > 0.
  size_t operator()(size_t n) { return static_cast<size_t>(Next() % n); }
  // Uniform in [from, to].
  size_t Range(size_t from, size_t to) { return from + (*this)(to - from + 1); }
  bool Bool() { return Next() & 1; }
  // Skewed towards small values: uniform in [0, uniform in [1, n]).
  size_t SkewedSmall(size_t n) { return (*this)((*this)(n) + 1); }

  // The whole state, to hand a generator over to another process.
  using State = std::array<uint64_t, 4>;
  State state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  void set_state(const State& state) {
    for (size_t i = 0; i < 4; i++) state_[i] = state[i];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace fuzzer
