// WorkerEndpoint: how a coordinator tells a worker process where its channel is. Both ends
// use it: the coordinator formats it into the worker's environment (WorkerClient::Launch) and
// the worker parses it at start-up (the driver). Owns no state; either process runs it.
#pragma once

#include <string>

namespace fuzzer {

// The environment variable that makes a process a worker: "REQ,RESP,SLOT,INDEX" (the
// inherited request-pipe read end, response-pipe write end, memfd of the input slot, and
// the worker's index).
constexpr char kWorkerEnvironmentVariable[] = "SHOAL_WORKER_FDS";

struct WorkerEndpoint {
  int request_fd = -1;
  int response_fd = -1;
  int slot_fd = -1;
  int index = 0;
};

// False (and *endpoint unspecified) for null or anything that is not four integers with
// non-negative descriptors.
bool ParseWorkerEndpoint(const char* value, WorkerEndpoint* endpoint);
std::string FormatWorkerEndpoint(const WorkerEndpoint& endpoint);

}  // namespace fuzzer
