// A scripted stand-in for a worker process (Shoal's coordinator tests start it through
// SHOAL_WORKER_EXECUTABLE). It speaks the real protocol on the descriptors named in
// SHOAL_WORKER_FDS but runs no target: its first Fuzz request answers with a fixed sequence
// of NEW and REDUCE reports, so that a test can drive the coordinator's global corpus through
// an exact interleaving that real workers produce only by chance:
//   NEW "YYYYYYYY" {16,24}; NEW "XX" {16,32}; REDUCE of "YYYYYYYY" to "XX" {16,24,32};
//   REDUCE of "XX" to "X" {16,24}.
// After the third report two units of the corpus hold the bytes "XX"; the fourth must not
// delete the file that the other one still uses. Later requests just count runs.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/sha1.h"

namespace {

constexpr uint64_t kRunsPerRequest = 1000;

struct Report {
  std::string data;
  std::vector<uint32_t> features;
  std::string base;  // the bytes of the unit it was mutated from ("" for none)
};

std::string Sha1Of(const std::string& bytes) {
  return fuzzer::Sha1Hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main() {
  int request_fd, response_fd, slot_fd, index;
  const char* fds = getenv("SHOAL_WORKER_FDS");
  if (!fds || sscanf(fds, "%d,%d,%d,%d", &request_fd, &response_fd, &slot_fd, &index) != 4)
    return 2;
  const std::vector<Report> script = {
      {"YYYYYYYY", {16, 24}, ""},
      {"XX", {16, 32}, "YYYYYYYY"},
      {"XX", {16, 24, 32}, "YYYYYYYY"},
      {"X", {16, 24}, "XX"},
  };
  uint64_t runs = 0;
  bool scripted = false;
  std::string payload;
  while (fuzzer::ReadFrame(request_fd, &payload) == fuzzer::FrameStatus::kOk) {
    shoal::proto::Request request;
    if (!request.ParseFromString(payload)) return 3;
    shoal::proto::Response response;
    switch (request.kind_case()) {
      case shoal::proto::Request::kPing:
        response.mutable_ping()->set_pid(uint64_t(getpid()));
        break;
      case shoal::proto::Request::kInit:
        response.mutable_init()->set_pid(uint64_t(getpid()));
        response.mutable_init()->set_num_counters(100);
        break;
      case shoal::proto::Request::kRunInputs: {
        auto* out = response.mutable_run_inputs();
        for (int i = 0; i < request.run_inputs().inputs_size(); i++)
          out->add_results()->add_features(8);
        runs += uint64_t(request.run_inputs().inputs_size());
        out->mutable_stats()->set_total_runs(runs);
        break;
      }
      case shoal::proto::Request::kFuzz: {
        if (index == 0 && !scripted) {
          scripted = true;
          for (const Report& report : script) {
            shoal::proto::Response progress;
            progress.set_partial(true);
            auto* unit = progress.mutable_fuzz()->add_new_inputs();
            unit->set_data(report.data);
            for (uint32_t feature : report.features) unit->add_features(feature);
            if (!report.base.empty()) unit->set_base_sha1(Sha1Of(report.base));
            unit->set_mutation_sequence("MS: 1 Scripted-");
            unit->set_found_at_run(++runs);
            progress.mutable_fuzz()->mutable_stats()->set_total_runs(runs);
            if (fuzzer::WriteFrame(response_fd, progress.SerializeAsString()) !=
                fuzzer::FrameStatus::kOk)
              return 0;
          }
        }
        usleep(20 * 1000);
        runs += kRunsPerRequest;
        response.mutable_fuzz()->mutable_stats()->set_total_runs(runs);
        break;
      }
      default:
        response.set_error("not scripted");
        break;
    }
    if (fuzzer::WriteFrame(response_fd, response.SerializeAsString()) != fuzzer::FrameStatus::kOk)
      return 0;
  }
  return 0;
}
