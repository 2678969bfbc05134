// Unit tests for the engine's small decisions declared in runtime/engine/fuzzer.h that need
// no target to run (worker / in-process engine).
#include <gtest/gtest.h>

#include "runtime/engine/fuzzer.h"

namespace fuzzer {
namespace {

TEST(PurgeAllocatorTest, FollowsLibFuzzersRule) {
  constexpr int64_t kSecond = 1000000;
  // Off with a negative interval, and never before the interval has passed.
  EXPECT_FALSE(ShouldPurgeAllocator(-1, 0, 100, 10 * kSecond));
  EXPECT_FALSE(ShouldPurgeAllocator(2, 0, 100, kSecond));
  // No RSS limit: every interval.
  EXPECT_TRUE(ShouldPurgeAllocator(1, 0, 100, kSecond));
  // With a limit: only once the peak RSS is above half of it.
  EXPECT_FALSE(ShouldPurgeAllocator(1, 2048, 1024, kSecond));
  EXPECT_TRUE(ShouldPurgeAllocator(1, 2048, 1025, kSecond));
}

}  // namespace
}  // namespace fuzzer
