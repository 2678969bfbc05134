// The worker endpoint format (runtime/common/worker_endpoint.h) that both ends of the
// coordinator-worker channel use.
#include "runtime/common/worker_endpoint.h"

#include <gtest/gtest.h>

namespace fuzzer {
namespace {

TEST(WorkerEndpoint, FormatsAndParsesBack) {
  WorkerEndpoint endpoint;
  endpoint.request_fd = 3;
  endpoint.response_fd = 10;
  endpoint.slot_fd = 7;
  endpoint.index = 255;
  const std::string text = FormatWorkerEndpoint(endpoint);
  EXPECT_EQ(text, "3,10,7,255");
  WorkerEndpoint parsed;
  ASSERT_TRUE(ParseWorkerEndpoint(text.c_str(), &parsed));
  EXPECT_EQ(parsed.request_fd, 3);
  EXPECT_EQ(parsed.response_fd, 10);
  EXPECT_EQ(parsed.slot_fd, 7);
  EXPECT_EQ(parsed.index, 255);
}

TEST(WorkerEndpoint, RefusesWhatIsNotAnEndpoint) {
  WorkerEndpoint parsed;
  EXPECT_FALSE(ParseWorkerEndpoint(nullptr, &parsed));  // not a worker
  EXPECT_FALSE(ParseWorkerEndpoint("", &parsed));
  EXPECT_FALSE(ParseWorkerEndpoint("3,4,5", &parsed));
  EXPECT_FALSE(ParseWorkerEndpoint("a,b,c,d", &parsed));
  EXPECT_FALSE(ParseWorkerEndpoint("-1,4,5,0", &parsed));
  EXPECT_FALSE(ParseWorkerEndpoint("3,4,-5,0", &parsed));
}

}  // namespace
}  // namespace fuzzer
