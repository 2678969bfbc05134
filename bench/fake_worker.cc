// A stand-in worker for bench/coordinator_replay.sh (started by the coordinator through
// SHOAL_WORKER_EXECUTABLE), in one of two modes chosen by $SHOAL_REPLAY_MODE:
//
//   record  Runs the real worker ($SHOAL_REPLAY_REAL_WORKER, same argv) as its child on a
//           pair of pipes of its own, forwards every frame both ways unchanged, and appends
//           each one to $SHOAL_REPLAY_DIR/worker-<index>-<pid>.rec with its time offset.
//   replay  Runs no target. Loads one recording ($SHOAL_REPLAY_DIR, file index % count) and
//           answers each Fuzz request with the frames that the recorded worker sent for one
//           of its Fuzz requests (cycling through them), at the recorded offsets from the
//           request. Unit bytes get a 4-byte tag (worker index, cycle) so that every fake
//           worker's units are different inputs; with $SHOAL_REPLAY_FEATURES=distinct
//           (default) their features are also moved by a per-(worker, cycle) offset, so that
//           what was new for the recorded worker is new for the coordinator too (an upper
//           bound on the global corpus' growth); "same" keeps the recorded features. Run
//           counts, found_at_run and REDUCE's base_sha1 are rewritten to stay consistent.
//           Init, Ping and RunInputs (seeds: the recorded seed results, cycled, or the first
//           unit's features if the recorded worker ran no seeds) are answered at once.
//           After each Fuzz request it rewrites one line of counters in
//           $SHOAL_REPLAY_STATS_DIR/<index>-<pid>.txt (if set): how far behind the recorded
//           pace it fell and how long its writes blocked.
//   `fake_worker --summarize DIR` prints the totals of the recordings in DIR.
//
// A recording is a sequence of records: 1 byte direction ('Q' request from the coordinator,
// 'R' response to it), 8 bytes nanoseconds since the process started, 4 bytes length, then
// the frame's payload (a serialized shoal.proto.Request or Response); little-endian.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/common/frame_channel.h"
#include "runtime/common/input_slot.h"
#include "runtime/common/sha1.h"

namespace {

using fuzzer::FrameStatus;
using fuzzer::ReadFrame;
using fuzzer::WriteFrame;

constexpr uint32_t kFeatureSpaceSize = 1u << 21;  // runtime/engine/coverage.h

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

void SleepUntil(uint64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = time_t(deadline_ns / 1000000000u);
  ts.tv_nsec = long(deadline_ns % 1000000000u);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

[[noreturn]] void Fail(const char* what) {
  fprintf(stderr, "fake_worker: %s\n", what);
  exit(2);
}

std::string Sha1Of(const std::string& bytes) {
  return fuzzer::Sha1Hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// ---------------------------------------------------------------- record

void AppendRecord(FILE* out, char direction, uint64_t t_ns, const std::string& payload) {
  uint32_t size = uint32_t(payload.size());
  fputc(direction, out);
  fwrite(&t_ns, 8, 1, out);
  fwrite(&size, 4, 1, out);
  fwrite(payload.data(), 1, payload.size(), out);
}

int Record(int argc, char** argv, int request_fd, int response_fd, int slot_fd, int index) {
  (void)argc;
  const char* real = getenv("SHOAL_REPLAY_REAL_WORKER");
  const char* dir = getenv("SHOAL_REPLAY_DIR");
  if (!real || !dir) Fail("record mode needs SHOAL_REPLAY_REAL_WORKER and SHOAL_REPLAY_DIR");
  const uint64_t start = NowNs();
  std::string path = std::string(dir) + "/worker-" + std::to_string(index) + "-" +
                     std::to_string(getpid()) + ".rec";
  FILE* out = fopen(path.c_str(), "wb");
  if (!out) Fail("cannot create the recording file");
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) Fail("pipe");
  pid_t child = fork();
  if (child < 0) Fail("fork");
  if (child == 0) {
    // The real worker gets fresh pipes (not close-on-exec) and the same slot.
    int child_request = dup(to_child[0]);
    int child_response = dup(from_child[1]);
    close(request_fd);
    close(response_fd);
    std::string fds = std::to_string(child_request) + "," + std::to_string(child_response) +
                      "," + std::to_string(slot_fd) + "," + std::to_string(index);
    setenv("SHOAL_WORKER_FDS", fds.c_str(), 1);
    unsetenv("SHOAL_WORKER_EXECUTABLE");
    execv(real, argv);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  close(slot_fd);
  signal(SIGPIPE, SIG_IGN);
  int child_request = to_child[1], child_response = from_child[0];
  std::string payload;
  bool coordinator_open = true;
  for (;;) {
    pollfd fds[2] = {{child_response, POLLIN, 0}, {coordinator_open ? request_fd : -1, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      FrameStatus status = ReadFrame(child_response, &payload);
      if (status != FrameStatus::kOk) break;  // the real worker is gone
      AppendRecord(out, 'R', NowNs() - start, payload);
      if (WriteFrame(response_fd, payload) != FrameStatus::kOk) break;
    } else if (fds[1].revents) {
      FrameStatus status = ReadFrame(request_fd, &payload);
      if (status != FrameStatus::kOk) {
        // The coordinator closed the channel: so does the real worker, then it exits.
        coordinator_open = false;
        close(child_request);
        continue;
      }
      AppendRecord(out, 'Q', NowNs() - start, payload);
      if (WriteFrame(child_request, payload) != FrameStatus::kOk) break;
    }
  }
  fclose(out);
  close(response_fd);
  if (coordinator_open) close(child_request);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// ---------------------------------------------------------------- replay

struct Frame {
  uint64_t offset_ns;  // from the request
  uint64_t runs_delta;  // total_runs growth since the previous recorded frame
  shoal::proto::Response response;
};

struct Recording {
  shoal::proto::InitResponse init;
  std::vector<std::vector<uint32_t>> seed_features;  // RunInputs results, in order
  std::vector<std::vector<Frame>> episodes;  // one per Fuzz request
  uint64_t recorded_span_ns = 0;  // sum over episodes of request -> final frame
};

bool LoadRecording(const std::string& path, Recording* recording) {
  FILE* in = fopen(path.c_str(), "rb");
  if (!in) return false;
  int kind = -1;  // the kind of the last request
  uint64_t request_t = 0, last_runs = 0;
  std::vector<Frame> episode;
  std::string payload;
  for (;;) {
    int direction = fgetc(in);
    uint64_t t = 0;
    uint32_t size = 0;
    if (direction == EOF || fread(&t, 8, 1, in) != 1 || fread(&size, 4, 1, in) != 1) break;
    payload.resize(size);
    if (size && fread(&payload[0], 1, size, in) != size) break;
    if (direction == 'Q') {
      shoal::proto::Request request;
      if (!request.ParseFromString(payload)) break;
      kind = request.kind_case();
      request_t = t;
      episode.clear();
      continue;
    }
    shoal::proto::Response response;
    if (!response.ParseFromString(payload)) break;
    if (response.has_init()) {
      recording->init = response.init();
      last_runs = response.init().stats().total_runs();
    } else if (response.has_run_inputs()) {
      for (const auto& result : response.run_inputs().results())
        recording->seed_features.emplace_back(result.features().begin(), result.features().end());
      last_runs = std::max(last_runs, response.run_inputs().stats().total_runs());
    } else if (response.has_fuzz() && kind == shoal::proto::Request::kFuzz) {
      uint64_t runs = response.fuzz().stats().total_runs();
      Frame frame{t - request_t, runs > last_runs ? runs - last_runs : 0, response};
      last_runs = std::max(last_runs, runs);
      episode.push_back(std::move(frame));
      if (!response.partial()) {
        recording->recorded_span_ns += t - request_t;
        recording->episodes.push_back(std::move(episode));
        episode.clear();
      }
    }
  }
  fclose(in);
  // A worker that was given no seeds (seeds go to the first workers) answers seed requests
  // with the features of its first unit, so that a replayed seed phase still finds some.
  for (size_t i = 0; i < recording->episodes.size() && recording->seed_features.empty(); i++)
    for (const Frame& frame : recording->episodes[i])
      if (frame.response.fuzz().new_inputs_size() && recording->seed_features.empty()) {
        const auto& features = frame.response.fuzz().new_inputs(0).features();
        recording->seed_features.emplace_back(features.begin(), features.end());
      }
  return !recording->episodes.empty();
}

struct ReplayCounters {
  uint64_t fuzz_requests = 0, frames = 0, units = 0, bytes = 0;
  uint64_t recorded_ns = 0;   // sum of the recorded spans of the episodes replayed
  uint64_t fuzzing_ns = 0;    // first Fuzz request -> last final frame, as replayed
  uint64_t blocked_ns = 0;    // time spent inside WriteFrame (a full pipe)
  uint64_t max_blocked_ns = 0;
  uint64_t late_ns = 0;       // sum over frames of how late each went out
  uint64_t turnaround_ns = 0; // final frame sent -> next request read
};

class Replayer {
 public:
  Replayer(Recording recording, int index, bool distinct_features, int stats_fd)
      : rec_(std::move(recording)), index_(index), distinct_(distinct_features),
        stats_fd_(stats_fd) {}

  // One line of name=value pairs (bench/coordinator_replay.sh sums them), rewritten in
  // place: every number is printed with the same width.
  void WriteCounters() const {
    if (stats_fd_ < 0) return;
    char line[512];
    int size = snprintf(
        line, sizeof(line),
        "fuzz_requests=%020llu frames=%020llu units=%020llu bytes=%020llu "
        "recorded_ns=%020llu fuzzing_ns=%020llu blocked_ns=%020llu max_blocked_ns=%020llu "
        "late_ns=%020llu turnaround_ns=%020llu\n",
        (unsigned long long)c_.fuzz_requests, (unsigned long long)c_.frames,
        (unsigned long long)c_.units, (unsigned long long)c_.bytes,
        (unsigned long long)c_.recorded_ns, (unsigned long long)c_.fuzzing_ns,
        (unsigned long long)c_.blocked_ns, (unsigned long long)c_.max_blocked_ns,
        (unsigned long long)c_.late_ns, (unsigned long long)c_.turnaround_ns);
    if (size > 0 && pwrite(stats_fd_, line, size_t(size), 0) < 0) {
    }
  }

  bool Send(int fd, const shoal::proto::Response& response) {
    std::string bytes = response.SerializeAsString();
    uint64_t before = NowNs();
    FrameStatus status = WriteFrame(fd, bytes);
    uint64_t blocked = NowNs() - before;
    c_.blocked_ns += blocked;
    c_.max_blocked_ns = std::max(c_.max_blocked_ns, blocked);
    c_.bytes += bytes.size() + 4;
    return status == FrameStatus::kOk;
  }

  shoal::proto::Response Init() {
    shoal::proto::Response response;
    *response.mutable_init() = rec_.init;
    response.mutable_init()->set_pid(uint64_t(getpid()));
    runs_ = rec_.init.stats().total_runs();
    response.mutable_init()->mutable_stats()->set_total_runs(runs_);
    return response;
  }

  shoal::proto::Response RunInputs(const shoal::proto::RunInputsRequest& request) {
    shoal::proto::Response response;
    auto* out = response.mutable_run_inputs();
    out->set_first_position(0);
    for (int i = 0; i < request.inputs_size(); i++) {
      auto* result = out->add_results();
      if (!rec_.seed_features.empty()) {
        const auto& features = rec_.seed_features[seed_cursor_++ % rec_.seed_features.size()];
        result->mutable_features()->Add(features.begin(), features.end());
      }
    }
    runs_ += uint64_t(request.inputs_size());
    out->mutable_stats()->set_total_runs(runs_);
    out->mutable_stats()->set_peak_rss_mb(rec_.init.stats().peak_rss_mb());
    return response;
  }

  // Sends every frame of the next recorded episode; false if the coordinator is gone.
  bool Fuzz(int fd, const shoal::proto::FuzzRequest& request, uint64_t request_ns,
            fuzzer::InputSlot* slot) {
    if (!first_fuzz_ns_) first_fuzz_ns_ = request_ns;
    if (last_final_ns_) c_.turnaround_ns += request_ns - last_final_ns_;
    const size_t n = rec_.episodes.size();
    const uint64_t cycle = episode_cursor_ / n;
    const std::vector<Frame>& episode = rec_.episodes[episode_cursor_ % n];
    episode_cursor_++;
    c_.fuzz_requests++;
    const uint64_t limit_ns = request.max_time_ms() ? request.max_time_ms() * 1000000u : ~0ull;
    const uint32_t tag = uint32_t(index_) << 16 | uint32_t(cycle & 0xffff);
    const uint32_t shift = uint32_t(Mix(tag) % kFeatureSpaceSize);
    for (const Frame& frame : episode) {
      const bool final = !frame.response.partial();
      if (!final && frame.offset_ns > limit_ns) continue;  // the request ended sooner
      const uint64_t due = request_ns + std::min(frame.offset_ns, limit_ns);
      SleepUntil(due);
      shoal::proto::Response response = frame.response;
      runs_ += frame.runs_delta;
      auto* fuzz = response.mutable_fuzz();
      const uint64_t recorded_runs = fuzz->stats().total_runs();
      fuzz->mutable_stats()->set_total_runs(runs_);
      fuzz->clear_mutation_stats();
      for (auto& unit : *fuzz->mutable_new_inputs()) {
        const std::string original_sha1 = Sha1Of(unit.data());
        unit.mutable_data()->append(reinterpret_cast<const char*>(&tag), sizeof(tag));
        renamed_[original_sha1] = Sha1Of(unit.data());
        auto base = renamed_.find(unit.base_sha1());
        if (base != renamed_.end()) unit.set_base_sha1(base->second);
        const uint64_t behind = recorded_runs > unit.found_at_run() ? recorded_runs - unit.found_at_run() : 0;
        unit.set_found_at_run(runs_ > behind ? runs_ - behind : 0);
        if (distinct_)
          for (auto& feature : *unit.mutable_features())
            feature = (feature + shift) % kFeatureSpaceSize;
        if (slot) slot->Write(reinterpret_cast<const uint8_t*>(unit.data().data()), unit.data().size());
        c_.units++;
      }
      const uint64_t sent = NowNs();
      c_.late_ns += sent - due;
      if (!Send(fd, response)) return false;
      c_.frames++;
      if (final) {
        last_final_ns_ = NowNs();
        c_.fuzzing_ns = last_final_ns_ - first_fuzz_ns_;
        c_.recorded_ns += std::min(frame.offset_ns, limit_ns);
      }
    }
    if (renamed_.size() > 100000) renamed_.clear();  // bases are recent units
    return true;
  }


 private:
  Recording rec_;
  int index_;
  bool distinct_;
  int stats_fd_;
  uint64_t runs_ = 0;
  size_t seed_cursor_ = 0;
  size_t episode_cursor_ = 0;
  uint64_t first_fuzz_ns_ = 0, last_final_ns_ = 0;
  std::map<std::string, std::string> renamed_;  // recorded unit sha1 -> replayed unit sha1
  ReplayCounters c_;
};

std::vector<std::string> RecordingFiles(const char* dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir)) {
    while (dirent* entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".rec") == 0)
        files.push_back(std::string(dir) + "/" + name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `fake_worker --summarize DIR`: one line of totals over the recordings' Fuzz requests.
int Summarize(const char* dir) {
  uint64_t files = 0, episodes = 0, frames = 0, units = 0, bytes = 0, span_ns = 0;
  for (const std::string& file : RecordingFiles(dir)) {
    Recording recording;
    if (!LoadRecording(file, &recording)) continue;
    files++;
    episodes += recording.episodes.size();
    span_ns += recording.recorded_span_ns;
    for (const auto& episode : recording.episodes)
      for (const Frame& frame : episode) {
        frames++;
        units += uint64_t(frame.response.fuzz().new_inputs_size());
        bytes += frame.response.ByteSizeLong() + 4;
      }
  }
  if (!files) Fail("no recording with a Fuzz request");
  printf("workers=%llu fuzz_requests=%llu frames=%llu units=%llu bytes=%llu span_ns=%llu\n",
         (unsigned long long)files, (unsigned long long)episodes, (unsigned long long)frames,
         (unsigned long long)units, (unsigned long long)bytes, (unsigned long long)span_ns);
  return 0;
}

int Replay(int request_fd, int response_fd, int slot_fd, int index) {
  const char* dir = getenv("SHOAL_REPLAY_DIR");
  if (!dir) Fail("replay mode needs SHOAL_REPLAY_DIR");
  const char* features = getenv("SHOAL_REPLAY_FEATURES");
  const bool distinct = !features || strcmp(features, "same") != 0;
  std::vector<std::string> files = RecordingFiles(dir);
  if (files.empty()) Fail("no *.rec recording in SHOAL_REPLAY_DIR");
  Recording recording;
  // A recording with no Fuzz request (a worker that only ran seeds) is skipped.
  bool loaded = false;
  for (size_t i = 0; i < files.size() && !loaded; i++) {
    recording = Recording();
    loaded = LoadRecording(files[(size_t(index) + i) % files.size()], &recording);
  }
  if (!loaded) Fail("no recording holds a Fuzz request");
  std::unique_ptr<fuzzer::InputSlot> slot = fuzzer::InputSlot::Attach(slot_fd);
  signal(SIGPIPE, SIG_IGN);
  int stats_fd = -1;
  if (const char* stats_dir = getenv("SHOAL_REPLAY_STATS_DIR")) {
    std::string path = std::string(stats_dir) + "/" + std::to_string(index) + "-" +
                       std::to_string(getpid()) + ".txt";
    stats_fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  Replayer replayer(std::move(recording), index, distinct, stats_fd);
  std::string payload;
  while (ReadFrame(request_fd, &payload) == FrameStatus::kOk) {
    const uint64_t request_ns = NowNs();
    shoal::proto::Request request;
    if (!request.ParseFromString(payload)) return 3;
    shoal::proto::Response response;
    switch (request.kind_case()) {
      case shoal::proto::Request::kPing:
        response.mutable_ping()->set_pid(uint64_t(getpid()));
        break;
      case shoal::proto::Request::kInit:
        response = replayer.Init();
        break;
      case shoal::proto::Request::kRunInputs:
        response = replayer.RunInputs(request.run_inputs());
        break;
      case shoal::proto::Request::kFuzz:
        if (!replayer.Fuzz(response_fd, request.fuzz(), request_ns, slot.get())) goto done;
        replayer.WriteCounters();  // the coordinator may kill this process at its exit
        continue;  // the episode's final frame is the response
      default:
        response.set_error("not replayed");
        break;
    }
    if (!replayer.Send(response_fd, response)) break;
  }
done:
  replayer.WriteCounters();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "--summarize") == 0) return Summarize(argv[2]);
  int request_fd, response_fd, slot_fd, index;
  const char* fds = getenv("SHOAL_WORKER_FDS");
  if (!fds || sscanf(fds, "%d,%d,%d,%d", &request_fd, &response_fd, &slot_fd, &index) != 4)
    Fail("SHOAL_WORKER_FDS is not set: this program is started by a Shoal coordinator");
  const char* mode = getenv("SHOAL_REPLAY_MODE");
  if (mode && strcmp(mode, "record") == 0)
    return Record(argc, argv, request_fd, response_fd, slot_fd, index);
  if (mode && strcmp(mode, "replay") == 0) return Replay(request_fd, response_fd, slot_fd, index);
  Fail("SHOAL_REPLAY_MODE must be record or replay");
}
