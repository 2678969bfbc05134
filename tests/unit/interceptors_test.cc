// Unit tests for the comparison interceptors (runtime/engine/interceptors.cc), linked into
// this test as into every fuzz target: a comparison's result is only its sign, whatever the
// buffers' addresses, so a target's `memcmp(...) == 0` traces the same operands in every
// process (the in-process engine and a worker took different paths on one -seed before).
#include <gtest/gtest.h>
#include <strings.h>

#include <cstring>
#include <vector>

namespace {

// Through volatile pointers, so the compiler calls the functions instead of folding them.
int (*volatile memcmp_fn)(const void*, const void*, size_t) = memcmp;
int (*volatile strcmp_fn)(const char*, const char*) = strcmp;
int (*volatile strncmp_fn)(const char*, const char*, size_t) = strncmp;
int (*volatile strcasecmp_fn)(const char*, const char*) = strcasecmp;
int (*volatile strncasecmp_fn)(const char*, const char*, size_t) = strncasecmp;

TEST(Interceptors, ComparisonsReturnOnlyTheSign) {
  // Byte differences of 25 and more, at every offset within a page-sized buffer (libc's
  // result size depends on where the bytes lie).
  std::vector<char> a(4096 + 64, 'a'), z(4096 + 64, 'a');
  for (size_t offset = 0; offset < 4096; offset += 61) {
    z[offset + 3] = 'z';
    EXPECT_EQ(memcmp_fn(&a[offset], &z[offset], 8), -1) << offset;
    EXPECT_EQ(memcmp_fn(&z[offset], &a[offset], 8), 1) << offset;
    EXPECT_EQ(memcmp_fn(&a[offset], &a[offset], 8), 0) << offset;
    z[offset + 3] = 'a';
  }
  EXPECT_EQ(strcmp_fn("BUG!", "\\UG!"), -1);
  EXPECT_EQ(strcmp_fn("zebra", "apple"), 1);
  EXPECT_EQ(strncmp_fn("abcz", "abca", 4), 1);
  EXPECT_EQ(strncmp_fn("abcz", "abca", 3), 0);
  EXPECT_EQ(strcasecmp_fn("ABC", "abz"), -1);
  EXPECT_EQ(strncasecmp_fn("Zeta", "alpha", 5), 1);
}

}  // namespace
