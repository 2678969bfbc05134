// Implements worker_endpoint.h. Runs in the coordinator (format) and the worker (parse).
#include "runtime/common/worker_endpoint.h"

#include <cstdio>

namespace fuzzer {

bool ParseWorkerEndpoint(const char* value, WorkerEndpoint* endpoint) {
  if (!value) return false;
  return sscanf(value, "%d,%d,%d,%d", &endpoint->request_fd, &endpoint->response_fd,
                &endpoint->slot_fd, &endpoint->index) == 4 &&
         endpoint->request_fd >= 0 && endpoint->response_fd >= 0 && endpoint->slot_fd >= 0;
}

std::string FormatWorkerEndpoint(const WorkerEndpoint& endpoint) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%d,%d,%d,%d", endpoint.request_fd, endpoint.response_fd,
           endpoint.slot_fd, endpoint.index);
  return buf;
}

}  // namespace fuzzer
