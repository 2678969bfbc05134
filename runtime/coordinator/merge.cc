// Implements merge.h with libFuzzer 14's MERGE-OUTER / MERGE-INNER output lines.
#include "runtime/coordinator/merge.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>

#include "runtime/common/files.h"
#include "runtime/common/log.h"
#include "runtime/common/process.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/coordinator.h"
#include "runtime/coordinator/merge_control_file.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {
namespace {

constexpr size_t kMergeMaxLen = 1 << 20;  // libFuzzer's merge inner default

// Appends records to the control file in batches of whole lines (one write() per batch).
// A coordinator killed mid-merge loses at most the last unwritten batch: those inputs have
// no STARTED line, so a resumed merge simply runs them again.
class ControlFileAppender {
 public:
  explicit ControlFileAppender(const std::string& path)
      : fd_(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)) {}
  ~ControlFileAppender() {
    Flush();
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  void Append(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ += text;
    if (pending_.size() >= kBatchBytes) FlushLocked();
  }
  void Flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    FlushLocked();
  }

 private:
  static constexpr size_t kBatchBytes = 1 << 16;
  void FlushLocked() {
    if (fd_ >= 0 && !pending_.empty() &&
        write(fd_, pending_.data(), pending_.size()) != ssize_t(pending_.size()))
      Printf("WARNING: could not append to the merge control file\n");
    pending_.clear();
  }
  int fd_;
  std::mutex mutex_;
  std::string pending_;
};

std::vector<uint32_t> EdgesOf(const std::vector<uint32_t>& features, uint64_t num_counters,
                              bool use_counters) {
  std::set<uint32_t> edges;
  for (uint32_t feature : features) {
    uint64_t edge = use_counters ? feature / 8 : feature;
    if (edge < num_counters) edges.insert(uint32_t(edge));
  }
  return std::vector<uint32_t>(edges.begin(), edges.end());
}

}  // namespace

int RunMerge(const Flags& flags, const std::vector<std::string>& argv, size_t num_workers,
             unsigned seed, const std::vector<std::string>& dirs) {
  if (dirs.size() < 2) {
    Printf("INFO: Merge requires two or more corpus dirs\n");
    return 0;
  }
  // The inputs: every file of every dir, the first dir's first.
  MergeControl fresh;
  for (size_t d = 0; d < dirs.size(); d++) {
    std::vector<std::string> files;
    ListFilesRecursively(dirs[d], &files);
    for (std::string& file : files) {
      MergeInput input;
      input.path = std::move(file);
      RegularFileSize(input.path, &input.size);
      fresh.inputs.push_back(std::move(input));
    }
    if (d == 0) fresh.num_in_first_corpus = fresh.inputs.size();
  }
  std::string control_path =
      flags.merge_control_file
          ? flags.merge_control_file
          : JoinPath(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                     "libFuzzerTemp.Merge" + std::to_string(getpid()) + ".txt");

  // Resume from an existing control file when it describes the same inputs.
  MergeControl control = fresh;
  Bytes existing;
  if (ReadFile(control_path, &existing) && !existing.empty()) {
    Printf("MERGE-OUTER: non-empty control file provided: '%s'\n", control_path.c_str());
    MergeControl parsed;
    std::string error;
    if (!ParseMergeControl(std::string(existing.begin(), existing.end()), &parsed, &error)) {
      Printf("MERGE-OUTER: bad control file, will overwrite it (%s)\n", error.c_str());
      existing.clear();
    } else if (MergeControlHeader(parsed) == MergeControlHeader(fresh)) {
      control = parsed;
      for (size_t i = 0; i < control.inputs.size(); i++)
        if (!control.inputs[i].size) control.inputs[i].size = fresh.inputs[i].size;
      Printf("MERGE-OUTER: control file ok, %zd files total, first not processed file %zd\n",
             control.inputs.size(), control.FirstUnstarted());
    } else {
      // Another set of inputs (e.g. the second step of ClusterFuzz's two-step merge): start
      // again, reusing what is known about the inputs both runs share.
      Printf(
          "MERGE-OUTER: starting merge from scratch, but reusing coverage information from "
          "the given control file\n");
      for (MergeInput& input : control.inputs)
        for (const MergeInput& old : parsed.inputs)
          if (old.path == input.path && old.finished) {
            input.started = input.finished = true;
            input.features = old.features;
            input.edges = old.edges;
          }
      existing.clear();
    }
  }
  size_t processed_earlier = control.NumStarted();
  if (existing.empty()) {
    Printf("MERGE-OUTER: %zd files, %zd in the initial corpus, %zd processed earlier\n",
           control.inputs.size(), control.num_in_first_corpus, processed_earlier);
  } else {
    // Resuming: the input the last run stumbled on is skipped.
    for (size_t i = control.inputs.size(); i-- > 0;) {
      if (!control.inputs[i].started) continue;
      if (!control.inputs[i].finished)
        Printf(
            "MERGE-OUTER: '%s' will be skipped as unlucky (merge has stumbled on it the last "
            "time)\n",
            control.inputs[i].path.c_str());
      break;
    }
  }
  if (existing.empty()) {
    // A fresh file: the header, then the records already known.
    std::string text = MergeControlHeader(control);
    for (size_t i = 0; i < control.inputs.size(); i++)
      if (control.inputs[i].finished)
        text += MergeStartedLine(i, control.inputs[i].size) +
                MergeResultLines(i, control.inputs[i].features, control.inputs[i].edges);
    if (!WriteFileAtomically(control_path, reinterpret_cast<const uint8_t*>(text.data()),
                             text.size())) {
      Printf("ERROR: cannot write the merge control file '%s'\n", control_path.c_str());
      return 1;
    }
  }

  std::vector<Coordinator::InputJob> jobs;
  for (size_t i = 0; i < control.inputs.size(); i++)
    if (!control.inputs[i].started) jobs.push_back({i, control.inputs[i].path, {}});
  size_t attempts = 1;
  if (jobs.empty()) {
    Printf("MERGE-OUTER: nothing to do, merge has been completed before\n");
  } else {
    Printf("MERGE-OUTER: attempt 1\n");
    Printf("MERGE-INNER: using the control file '%s'\n", control_path.c_str());
    for (const MergeInput& input : control.inputs)
      if (input.started && !input.finished)
        Printf("MERGE-INNER: '%s' caused a failure at the previous merge step\n",
               input.path.c_str());
    Printf("MERGE-INNER: %zd total files; %zd processed earlier; will process %zd files now\n",
           control.inputs.size(), processed_earlier, jobs.size());
    ControlFileAppender appender(control_path);
    if (!appender.ok()) {
      Printf("ERROR: cannot append to the merge control file '%s'\n", control_path.c_str());
      return 1;
    }
    // Edges are counter indices; this process has the same instrumentation as its workers.
    const uint64_t num_counters = Coverage().NumCounters();
    std::mutex control_mutex;
    Coordinator coordinator(flags, argv, num_workers, seed);
    int code = coordinator.RunInputsOnly(
        std::move(jobs), flags.max_len > 0 ? size_t(flags.max_len) : kMergeMaxLen,
        [&](size_t id, const std::vector<uint32_t>& features) {
          std::vector<uint32_t> sorted(features);
          std::sort(sorted.begin(), sorted.end());
          std::vector<uint32_t> edges = EdgesOf(sorted, num_counters, flags.use_counters != 0);
          appender.Append(MergeStartedLine(id, control.inputs[id].size) +
                          MergeResultLines(id, sorted, edges));
          std::lock_guard<std::mutex> lock(control_mutex);
          control.inputs[id].started = control.inputs[id].finished = true;
          control.inputs[id].features = std::move(sorted);
          control.inputs[id].edges = std::move(edges);
        },
        [&](size_t id) {
          appender.Append(MergeStartedLine(id, control.inputs[id].size));
          std::lock_guard<std::mutex> lock(control_mutex);
          control.inputs[id].started = true;
          attempts++;
        });
    appender.Flush();
    if (code != 0) return code;  // interrupted: the control file lets a later run resume
  }
  Printf("MERGE-OUTER: successful in %zd attempt(s)\n", attempts);
  size_t control_size = 0;
  RegularFileSize(control_path, &control_size);
  Printf("MERGE-OUTER: the control file has %zd bytes\n", control_size);
  // The selection reads the control file back: it is the record of every step so far.
  Bytes text;
  MergeControl final_control;
  std::string error;
  if (!ReadFile(control_path, &text) ||
      !ParseMergeControl(std::string(text.begin(), text.end()), &final_control, &error)) {
    Printf("ERROR: the merge control file '%s' is unreadable: %s\n", control_path.c_str(),
           error.c_str());
    return 1;
  }
  for (size_t i = 0; i < final_control.inputs.size(); i++)
    final_control.inputs[i].size = control.inputs[i].size;
  Printf("MERGE-OUTER: consumed %zdMb (%zdMb rss) to parse the control file\n", text.size() >> 20,
         PeakRssMb());
  size_t new_features = 0, new_edges = 0;
  std::vector<size_t> taken = flags.set_cover_merge
                                  ? SelectForSetCoverMerge(final_control, &new_features, &new_edges)
                                  : SelectForMerge(final_control, &new_features, &new_edges);
  size_t written = 0;
  for (size_t index : taken) {
    Bytes data;
    if (!ReadFile(final_control.inputs[index].path, &data)) continue;
    std::string path = JoinPath(dirs[0], Sha1Hex(data.data(), data.size()));
    if (WriteFileAtomically(path, data.data(), data.size())) written++;
  }
  Printf("MERGE-OUTER: %zd new files with %zd new features added; %zd new coverage edges\n",
         written, new_features, new_edges);
  if (!flags.merge_control_file) RemoveFile(control_path);
  return 0;
}

}  // namespace fuzzer
