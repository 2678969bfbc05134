// Implements merge.h with libFuzzer 14's MERGE-OUTER / MERGE-INNER output lines.
#include "runtime/coordinator/merge.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "runtime/common/files.h"
#include "runtime/common/log.h"
#include "runtime/common/mutex.h"
#include "runtime/common/process.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/coordinator.h"
#include "runtime/coordinator/merge_control_file.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {
namespace {

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
  void Append(const std::string& text) EXCLUDES(mutex_) {
    MutexLock lock(&mutex_);
    pending_ += text;
    if (pending_.size() >= kBatchBytes) FlushLocked();
  }
  void Flush() EXCLUDES(mutex_) {
    MutexLock lock(&mutex_);
    FlushLocked();
  }

 private:
  static constexpr size_t kBatchBytes = 1 << 16;
  void FlushLocked() REQUIRES(mutex_) {
    if (fd_ >= 0 && !pending_.empty() &&
        write(fd_, pending_.data(), pending_.size()) != ssize_t(pending_.size()))
      Printf("WARNING: could not append to the merge control file\n");
    pending_.clear();
  }
  const int fd_;
  Mutex mutex_;
  std::string pending_ GUARDED_BY(mutex_);
};

// Turns each input's result into its control-file record, in input order whatever order
// the workers finish in. For -merge (as libFuzzer's inner process) a record lists only the
// features and edges no earlier input had: the inputs run smallest first, so the greedy
// selection still takes the smallest input for each feature, and the control file stays a
// fraction of the size. -set_cover_merge needs every input's full sets.
class MergeRecorder {
 public:
  MergeRecorder(MergeControl* control, std::vector<size_t> order, ControlFileAppender* appender,
                bool only_new, bool use_counters, uint64_t num_counters)
      : control_(*control),
        order_(std::move(order)),
        appender_(*appender),
        only_new_(only_new),
        use_counters_(use_counters),
        num_counters_(num_counters),
        seen_features_(kFeatureSpaceSize),
        seen_edges_(num_counters) {
    // What the inputs finished earlier recorded counts as seen.
    for (const MergeInput& input : control_.inputs) {
      for (uint32_t feature : input.features)
        if (feature < kFeatureSpaceSize) seen_features_[feature] = true;
      for (uint32_t edge : input.edges)
        if (edge < num_counters_) seen_edges_[edge] = true;
    }
  }
  // Called from worker threads: `features` is null for an input that failed.
  void Done(size_t id, const std::vector<uint32_t>* features) EXCLUDES(mutex_) {
    MutexLock lock(&mutex_);
    finished_[id] = features ? std::make_unique<std::vector<uint32_t>>(*features) : nullptr;
    std::string text;
    while (next_ < order_.size()) {
      auto it = finished_.find(order_[next_]);
      if (it == finished_.end()) break;
      Record(it->first, it->second.get(), &text);
      finished_.erase(it);
      next_++;
    }
    if (!text.empty()) appender_.Append(text);
  }

 private:
  void Record(size_t id, const std::vector<uint32_t>* all_features, std::string* text)
      REQUIRES(mutex_) {
    MergeInput& input = control_.inputs[id];
    input.started = true;
    *text += MergeStartedLine(id, input.size);
    if (!all_features) return;
    input.finished = true;
    std::vector<uint32_t> features, edges;
    for (uint32_t feature : *all_features) {
      if (feature >= kFeatureSpaceSize) continue;
      if (!seen_features_[feature] || !only_new_) features.push_back(feature);
      seen_features_[feature] = true;
    }
    std::sort(features.begin(), features.end());
    features.erase(std::unique(features.begin(), features.end()), features.end());
    for (uint32_t feature : *all_features) {
      // Edges are counter indices; this process has the same instrumentation as its workers.
      uint64_t edge = EdgeOfFeature(feature, use_counters_);
      if (edge >= num_counters_) continue;
      if (!seen_edges_[edge] || !only_new_) edges.push_back(uint32_t(edge));
      seen_edges_[edge] = true;
    }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    *text += MergeResultLines(id, features, edges);
    input.features = std::move(features);
    input.edges = std::move(edges);
  }

  MergeControl& control_;
  const std::vector<size_t> order_;  // the ids, in the order they are recorded
  ControlFileAppender& appender_;
  const bool only_new_, use_counters_;
  const uint64_t num_counters_;
  Mutex mutex_;  // Done() is called from worker threads
  std::vector<bool> seen_features_ GUARDED_BY(mutex_), seen_edges_ GUARDED_BY(mutex_);
  size_t next_ GUARDED_BY(mutex_) = 0;  // index into order_ of the next id to record
  // Not yet recorded.
  std::map<size_t, std::unique_ptr<std::vector<uint32_t>>> finished_ GUARDED_BY(mutex_);
};

// Whether a control file describes the same merge: the same files, in the same two groups.
bool SameInputs(const MergeControl& a, const MergeControl& b) {
  if (a.inputs.size() != b.inputs.size() || a.num_in_first_corpus != b.num_in_first_corpus)
    return false;
  auto group = [](const MergeControl& control, bool first) {
    std::vector<std::string> paths;
    for (size_t i = 0; i < control.inputs.size(); i++)
      if ((i < control.num_in_first_corpus) == first) paths.push_back(control.inputs[i].path);
    std::sort(paths.begin(), paths.end());
    return paths;
  };
  return group(a, true) == group(b, true) && group(a, false) == group(b, false);
}

// Every file of every dir, the first dir's first; each group smallest first (libFuzzer's
// order). Returns false, with *error set to "<strerror>: <dir>", if a dir or a directory
// under it cannot be listed: a merge that skipped it would drop (or never add) its files.
bool ListInputs(const std::vector<std::string>& dirs, MergeControl* result, std::string* error) {
  MergeControl& listed = *result;
  for (size_t d = 0; d < dirs.size(); d++) {
    std::vector<SizedFile> files;
    if (!ListFilesRecursively(dirs[d], &files, error)) return false;
    for (SizedFile& file : files) {
      MergeInput input;
      input.path = std::move(file.path);
      input.size = file.size;
      listed.inputs.push_back(std::move(input));
    }
    if (d == 0) listed.num_in_first_corpus = listed.inputs.size();
  }
  auto by_size = [](const MergeInput& a, const MergeInput& b) { return a.size < b.size; };
  auto first_end = listed.inputs.begin() + ptrdiff_t(listed.num_in_first_corpus);
  std::stable_sort(listed.inputs.begin(), first_end, by_size);
  std::stable_sort(first_end, listed.inputs.end(), by_size);
  return true;
}

// What an existing control file means for this merge.
struct EarlierMerge {
  enum Kind { kNone, kResume, kCompleted } kind = kNone;
  MergeControl control;           // kResume, kCompleted: the file's inputs and records
  std::vector<MergeInput> known;  // kNone: inputs an earlier merge ran; not run again
};

// Decides as libFuzzer 14's CrashResistantMerge does, with its lines: a file it cannot parse
// is overwritten; a finished file for another number of inputs (the second step of
// ClusterFuzz's two-step merge) starts a fresh control file for the inputs it does not list,
// and its inputs' records join the selection. libFuzzer resumes an unfinished file, and calls
// a finished one done, by the file count alone; Shoal also requires the same paths, so a
// stale control file never makes it run, or copy, files that are not this merge's inputs.
EarlierMerge ReadEarlierControlFile(const std::string& path, const MergeControl& listed) {
  EarlierMerge earlier;
  Bytes bytes;
  if (!ReadFile(path, &bytes) || bytes.empty()) return earlier;
  Printf("MERGE-OUTER: non-empty control file provided: '%s'\n", path.c_str());
  MergeControl parsed;
  std::string error;
  if (!ParseMergeControl(std::string(bytes.begin(), bytes.end()),
                         std::max(kLibFuzzerMaxMergeFiles, listed.inputs.size()), &parsed,
                         &error)) {
    Printf("MERGE-OUTER: bad control file, will overwrite it (%s)\n", error.c_str());
    return earlier;
  }
  size_t first_unstarted = parsed.FirstUnstarted();
  Printf("MERGE-OUTER: control file ok, %zd files total, first not processed file %zd\n",
         parsed.inputs.size(), first_unstarted);
  size_t failure = parsed.LastFailure();
  if (failure != SIZE_MAX)
    Printf(
        "MERGE-OUTER: '%s' will be skipped as unlucky (merge has stumbled on it the last "
        "time)\n",
        parsed.inputs[failure].path.c_str());
  if (SameInputs(parsed, listed)) {
    bool completed = first_unstarted >= parsed.inputs.size();
    if (completed) Printf("MERGE-OUTER: nothing to do, merge has been completed before\n");
    // Keep the file's order: libFuzzer lists equal-sized files in directory order, which
    // need not be ours. Sizes come from STARTED lines, or from the listing.
    std::unordered_map<std::string, size_t> listed_sizes;
    for (const MergeInput& input : listed.inputs) listed_sizes[input.path] = input.size;
    for (MergeInput& input : parsed.inputs)
      if (!input.size) input.size = listed_sizes[input.path];
    earlier.kind = completed ? EarlierMerge::kCompleted : EarlierMerge::kResume;
    earlier.control = std::move(parsed);
    return earlier;
  }
  Printf(
      "MERGE-OUTER: starting merge from scratch, but reusing coverage information from the "
      "given control file\n");
  // An input that crashed stays skipped, as in libFuzzer; one never started is run again.
  for (MergeInput& input : parsed.inputs)
    if (input.started) earlier.known.push_back(std::move(input));
  return earlier;
}

// The inputs of a fresh control file: the listed ones that no earlier merge ran.
MergeControl WithoutKnown(const MergeControl& listed, const std::vector<MergeInput>& known) {
  std::unordered_set<std::string> skip;
  for (const MergeInput& input : known) skip.insert(input.path);
  MergeControl control;
  for (size_t i = 0; i < listed.inputs.size(); i++) {
    if (skip.count(listed.inputs[i].path)) continue;
    control.inputs.push_back(listed.inputs[i]);
    control.num_in_first_corpus += i < listed.num_in_first_corpus;
  }
  return control;
}

// What the selection chooses from: this run's control file plus the earlier merge's records
// of the inputs it ran, each in the group its dir belongs to now (so a known input of the
// output dir counts as already there and is never copied). Known inputs that are not
// among this merge's inputs are left out: copying them would add files from elsewhere.
MergeControl WithKnown(MergeControl ran, std::vector<MergeInput> known,
                       const MergeControl& listed) {
  if (known.empty()) return ran;
  std::unordered_map<std::string, size_t> position;
  for (size_t i = 0; i < listed.inputs.size(); i++) position[listed.inputs[i].path] = i;
  std::vector<MergeInput> first, others;
  for (MergeInput& input : known) {
    auto it = position.find(input.path);
    if (it == position.end()) continue;
    if (!input.size) input.size = listed.inputs[it->second].size;
    (it->second < listed.num_in_first_corpus ? first : others).push_back(std::move(input));
  }
  MergeControl all;
  auto ran_first_end = ran.inputs.begin() + ptrdiff_t(ran.num_in_first_corpus);
  all.inputs.assign(std::make_move_iterator(ran.inputs.begin()),
                    std::make_move_iterator(ran_first_end));
  all.inputs.insert(all.inputs.end(), first.begin(), first.end());
  all.num_in_first_corpus = all.inputs.size();
  all.inputs.insert(all.inputs.end(), std::make_move_iterator(ran_first_end),
                    std::make_move_iterator(ran.inputs.end()));
  all.inputs.insert(all.inputs.end(), others.begin(), others.end());
  return all;
}

// The control file of a merge without -merge_control_file: libFuzzer's name plus a unique
// part, created exclusively. libFuzzer's name alone (libFuzzerTemp.Merge<pid>.txt) is shared
// by every process with that pid, e.g. in each of several pid namespaces (sandboxes,
// containers) with one /tmp, and a concurrent merge would then read, resume or overwrite it.
std::string CreateTempControlFile() {
  std::string prefix = JoinPath(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                                "libFuzzerTemp.Merge" + std::to_string(getpid()));
  std::string name = prefix + ".XXXXXX.txt";
  int fd = mkstemps(&name[0], 4);
  if (fd < 0) return prefix + ".txt";  // writing it fails with libFuzzer's error below
  close(fd);
  return name;
}

// Runs the control file's unstarted inputs in workers, appending their records. Returns the
// coordinator's exit code (non-zero if interrupted); *attempts counts libFuzzer's attempts
// (one, plus one per input that killed its worker).
int RunUnstarted(const FuzzingOptions& options, const std::vector<std::string>& argv,
                 size_t num_workers, const std::string& control_path, MergeControl* control,
                 size_t* attempts) {
  std::vector<Coordinator::InputJob> jobs;
  for (size_t i = 0; i < control->inputs.size(); i++)
    if (!control->inputs[i].started)
      jobs.push_back({i, control->inputs[i].path, control->inputs[i].size, {}});
  *attempts = 0;
  if (jobs.empty()) return 0;
  *attempts = 1;
  Printf("MERGE-OUTER: attempt 1\n");
  Printf("MERGE-INNER: using the control file '%s'\n", control_path.c_str());
  size_t failure = control->LastFailure();
  if (failure != SIZE_MAX)
    Printf("MERGE-INNER: '%s' caused a failure at the previous merge step\n",
           control->inputs[failure].path.c_str());
  Printf("MERGE-INNER: %zd total files; %zd processed earlier; will process %zd files now\n",
         control->inputs.size(), control->NumStarted(), jobs.size());
  ControlFileAppender appender(control_path);
  if (!appender.ok()) {
    Printf("ERROR: cannot append to the merge control file '%s'\n", control_path.c_str());
    return 1;
  }
  std::vector<size_t> order;
  for (const Coordinator::InputJob& job : jobs) order.push_back(job.id);
  MergeRecorder recorder(control, std::move(order), &appender, !options.set_cover_merge,
                         options.use_counters, Coverage().NumCounters());
  Mutex attempts_mutex;
  Coordinator coordinator(options, argv, num_workers);
  int code = coordinator.RunInputsOnly(
      std::move(jobs), options.max_len_or_largest_default,
      [&](size_t id, const std::vector<uint32_t>& features) { recorder.Done(id, &features); },
      [&](size_t id) {
        recorder.Done(id, nullptr);
        MutexLock lock(&attempts_mutex);
        (*attempts)++;
      });
  appender.Flush();
  return code;
}

}  // namespace

int RunMerge(const FuzzingOptions& options, const std::vector<std::string>& argv,
             size_t num_workers, const std::vector<std::string>& dirs) {
  if (dirs.size() < 2) {
    Printf("INFO: Merge requires two or more corpus dirs\n");
    return 0;
  }
  MergeControl listed;
  std::string list_error;
  if (!ListInputs(dirs, &listed, &list_error)) {
    // libFuzzer 14 ends the merge on the first directory it cannot open, with this line and
    // exit code 1, before it writes the control file or copies anything.
    Printf("%s; exiting\n", list_error.c_str());
    return 1;
  }
  if (listed.inputs.empty()) return 0;  // libFuzzer: nothing to merge, nothing printed
  std::string control_path =
      options.merge_control_file ? *options.merge_control_file : CreateTempControlFile();
  // A temporary control file is never resumed (its name is unique), so it goes on every path.
  struct TempFileRemover {
    std::string path;
    ~TempFileRemover() {
      if (!path.empty()) RemoveFile(path);
    }
  } remover{options.merge_control_file ? "" : control_path};

  EarlierMerge earlier = ReadEarlierControlFile(control_path, listed);
  MergeControl control;
  if (earlier.kind == EarlierMerge::kNone) {
    Printf("MERGE-OUTER: %zd files, %zd in the initial corpus, %zd processed earlier\n",
           listed.inputs.size(), listed.num_in_first_corpus, earlier.known.size());
    control = WithoutKnown(listed, earlier.known);
    std::string header = MergeControlHeader(control);
    if (!WriteFileAtomically(control_path, reinterpret_cast<const uint8_t*>(header.data()),
                             header.size())) {
      Printf("ERROR: cannot write the merge control file '%s'\n", control_path.c_str());
      return 1;
    }
  } else {
    control = std::move(earlier.control);
  }

  size_t attempts = 0;
  int code = RunUnstarted(options, argv, num_workers, control_path, &control, &attempts);
  if (code != 0) return code;  // interrupted: the control file lets a later run resume
  if (attempts) Printf("MERGE-OUTER: successful in %zd attempt(s)\n", attempts);
  size_t control_size = 0;
  RegularFileSize(control_path, &control_size);
  Printf("MERGE-OUTER: the control file has %zd bytes\n", control_size);
  // The selection reads the control file back: it is the record of every step so far. A
  // fresh file for no inputs (all known from the earlier merge) has nothing to read back.
  Bytes text;
  MergeControl final_control;
  std::string error;
  if (!control.inputs.empty() &&
      (!ReadFile(control_path, &text) ||
       !ParseMergeControl(std::string(text.begin(), text.end()), control.inputs.size(),
                          &final_control, &error))) {
    Printf("ERROR: the merge control file '%s' is unreadable: %s\n", control_path.c_str(),
           error.c_str());
    return 1;
  }
  for (size_t i = 0; i < final_control.inputs.size(); i++)
    final_control.inputs[i].size = control.inputs[i].size;
  Printf("MERGE-OUTER: consumed %zdMb (%zdMb rss) to parse the control file\n", text.size() >> 20,
         PeakRssMb());
  MergeControl candidates = WithKnown(std::move(final_control), std::move(earlier.known), listed);
  size_t new_features = 0, new_edges = 0;
  std::vector<size_t> taken = options.set_cover_merge
                                  ? SelectForSetCoverMerge(candidates, &new_features, &new_edges)
                                  : SelectForMerge(candidates, &new_features, &new_edges);
  size_t written = 0;
  for (size_t index : taken) {
    Bytes data;
    if (!ReadFile(candidates.inputs[index].path, &data)) continue;
    std::string path = JoinPath(dirs[0], Sha1Hex(data.data(), data.size()));
    if (WriteFileAtomically(path, data.data(), data.size())) written++;
  }
  Printf("MERGE-OUTER: %zd new files with %zd new features added; %zd new coverage edges\n",
         written, new_features, new_edges);
  return 0;
}

}  // namespace fuzzer
