// Implements global_corpus.h. Runs in the coordinator process.
#include "runtime/coordinator/global_corpus.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/common/feature_files.h"
#include "runtime/common/mutation_graph.h"
#include "runtime/common/sha1.h"
#include "runtime/engine/coverage.h"

namespace fuzzer {

GlobalCorpus::GlobalCorpus(const FuzzingOptions& options)
    : options_(options), corpus_(EntropicOptions{false, 0, 0, false}) {}

void GlobalCorpus::SetOutputDir(const std::string& dir, CorpusDirWatcher* watcher) {
  output_dir_ = dir;
  watcher_ = watcher;
  corpus_.SetOutputDir(dir);
}

void GlobalCorpus::EnableCoverageReport() {
  coverage_report_ = std::make_unique<CoverageReport>(Coverage(), options_.use_counters);
}

std::vector<uintptr_t> GlobalCorpus::MarkCoveredEdges(Span<uint32_t> features,
                                                     uint64_t num_counters) {
  // "cov:" counts distinct edges: features below num_counters*8 are edge x bucket.
  std::vector<uintptr_t> new_pcs;
  for (uint32_t feature : features) {
    uint64_t edge = EdgeOfFeature(feature, options_.use_counters);
    if (edge >= num_counters) continue;
    if (covered_edges_.size() <= edge) covered_edges_.resize(edge + 1);
    if (!covered_edges_[edge]) {
      covered_edges_[edge] = 1;
      num_covered_edges_++;
      // Edges are counter indices, the same in this process: its PC table names the PC.
      if (options_.exit_on_src_pos) new_pcs.push_back(Coverage().PcOfCounter(edge));
    }
  }
  return new_pcs;
}

GlobalCorpus::Change GlobalCorpus::Add(Span<uint8_t> data, Span<uint32_t> features,
                                       const std::string& base_sha1, bool unit,
                                       uint64_t num_counters) {
  Change change;
  std::vector<uint32_t> new_features;
  for (uint32_t feature : features)
    if (corpus_.AddFeature(feature, uint32_t(data.size()), options_.shrink))
      new_features.push_back(feature);
  if (!new_features.empty()) {
    change.new_pcs = MarkCoveredEdges(new_features, num_counters);
    InputInfo* added = corpus_.AddInput(data.data(), data.size(), new_features, unit, false, 0);
    if (options_.features_dir && record_files_)
      WriteFeatureFile(*options_.features_dir, added->sha1, added->unique_features);
    // -focus_function: the worker's features say whether the input entered it.
    const size_t focus_edge = Coverage().FocusFunctionEdge();
    if (focus_edge != SIZE_MAX &&
        std::any_of(features.begin(), features.end(), [&](uint32_t feature) {
          return EdgeOfFeature(feature, options_.use_counters) == focus_edge;
        }))
      corpus_.MarkTouchesFocusFunction(added);
    if (coverage_report_) coverage_report_->AddCorpusInput(features);
    change.kind = Change::kNew;
  } else if (!base_sha1.empty() && options_.reduce_inputs) {
    // A worker's REDUCE: replace the global input it came from if this one is smaller and
    // still reaches every feature that input is the only carrier of.
    InputInfo* input = corpus_.FindActive(base_sha1);
    if (input && input->bytes.size() > data.size()) {
      std::vector<uint32_t> sorted = features.ToVector();
      std::sort(sorted.begin(), sorted.end());
      if (std::includes(sorted.begin(), sorted.end(), input->unique_features.begin(),
                        input->unique_features.end())) {
        std::string old_sha1 = corpus_.Replace(input, data.data(), data.size());
        if (options_.features_dir) RenameFeatureFile(*options_.features_dir, old_sha1, input->sha1);
        change.kind = Change::kReduce;
      }
    }
  }
  if (change.kind == Change::kNone) return change;
  if (unit) units_added_++;  // seeds are not "new units", as in libFuzzer
  // The new file first, then the evicted ones (RetireAllBut), which become spares.
  std::string path;
  if (unit && !output_dir_.empty()) {
    path = JoinPath(output_dir_, Sha1Hex(data.data(), data.size()));
    if (watcher_) watcher_->MarkKnown(path);
    if (!files_.Write(path, data.data(), data.size()) && !write_failed_) {
      write_failed_ = true;
      change.write_error = strerror(errno);
      change.first_write_failure = path;
    }
  }
  files_.RetireAllBut(corpus_.TakeEvictedFiles(), path);
  return change;
}

void GlobalCorpus::AddToMutationGraph(Span<uint8_t> data, const std::string& base_sha1,
                                      const std::string& mutation_names) {
  if (options_.mutation_graph_file && record_files_)
    AppendToMutationGraph(*options_.mutation_graph_file, Sha1Hex(data.data(), data.size()),
                          base_sha1, mutation_names);
}

bool GlobalCorpus::WouldTake(const std::vector<uint32_t>& features, size_t size) const {
  return corpus_.HasNewFeature(features, uint32_t(size), options_.shrink);
}

void GlobalCorpus::AddMutationStats(
    const google::protobuf::RepeatedPtrField<shoal::proto::InputMutationStats>& stats) {
  for (const auto& input : stats) {
    MutationCounts& counts = mutation_counts_[input.sha1()];
    counts.executed += input.executed();
    counts.successful += input.successful();
  }
}

std::vector<Bytes> GlobalCorpus::ActiveInputs() {
  std::vector<Bytes> inputs;
  for (size_t i = 0; i < corpus_.size(); i++)
    if (corpus_.IsActive(i)) inputs.push_back(corpus_[i].bytes);
  return inputs;
}

GlobalCorpus::MutationCounts GlobalCorpus::MutationCountsOf(const std::string& sha1) const {
  auto it = mutation_counts_.find(sha1);
  return it == mutation_counts_.end() ? MutationCounts{} : it->second;
}

}  // namespace fuzzer
