// GlobalCorpus: the union of every worker's finds, in the coordinator process. It owns the
// global corpus (runtime/engine's Corpus: inputs and feature set), the edges covered so far
// ("cov:"), the files of the output corpus directory, -features_dir and -mutation_graph_file,
// the -print_coverage report, and the -print_corpus_stats mutation counts.
//
// It returns what changed and never prints: the Coordinator turns a change into libFuzzer's
// lines. Not thread-safe: its owner guards it (the Coordinator's mutex_, GUARDED_BY).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proto/worker.pb.h"
#include "runtime/common/corpus_dir_watcher.h"
#include "runtime/common/corpus_file_writer.h"
#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/span.h"
#include "runtime/engine/corpus.h"
#include "runtime/engine/coverage_report.h"

namespace fuzzer {

class GlobalCorpus {
 public:
  explicit GlobalCorpus(const FuzzingOptions& options);
  // A merge only counts coverage: no -features_dir or -mutation_graph_file files. Before the
  // first Add().
  void set_merging() { record_files_ = false; }
  GlobalCorpus(const GlobalCorpus&) = delete;
  GlobalCorpus& operator=(const GlobalCorpus&) = delete;

  // Where new units are written ("" = nowhere); `watcher` (-reload, may be null) is told about
  // every file written there, so it is not reloaded.
  void SetOutputDir(const std::string& dir, CorpusDirWatcher* watcher);
  // -print_coverage / -print_full_coverage: every input the corpus takes counts.
  void EnableCoverageReport();

  struct Change {
    enum Kind { kNone, kNew, kReduce } kind = kNone;
    // -exit_on_src_pos: the PCs of edges covered for the first time.
    std::vector<uintptr_t> new_pcs;
    // The path of the first new unit that could not be written to the output directory (the
    // caller warns once; later failures are not reported).
    std::string first_write_failure;
    std::string write_error;  // strerror() of that failure
  };
  // Takes `data` if it reaches a feature the corpus lacks (kNew), or, a worker's REDUCE
  // (base_sha1 set), if it is smaller than that active input and still reaches every feature
  // only that input has (kReduce). `unit`: a find of fuzzing, counted in units_added() and
  // written to the output directory (seeds are neither). num_counters: of the worker that ran
  // it (features below num_counters * 8 are edges).
  Change Add(Span<uint8_t> data, Span<uint32_t> features, const std::string& base_sha1,
             bool unit, uint64_t num_counters);
  // -mutation_graph_file (fuzzing runs): a vertex for a unit Add() took as kNew, and an edge
  // from its base.
  void AddToMutationGraph(Span<uint8_t> data, const std::string& base_sha1,
                          const std::string& mutation_names);
  // Whether an input with these features would be taken (changes nothing): a seed file is
  // read by the coordinator only then.
  bool WouldTake(const std::vector<uint32_t>& features, size_t size) const;
  // -print_corpus_stats: a worker's counts since its last report.
  void AddMutationStats(
      const google::protobuf::RepeatedPtrField<shoal::proto::InputMutationStats>& stats);

  // The output directory's writer: every way out of a fuzzing run calls its DiscardSpares().
  CorpusFileWriter& files() { return files_; }
  // Every active input (what a restarted worker must be sent).
  std::vector<Bytes> ActiveInputs();
  Corpus& corpus() { return corpus_; }
  const Corpus& corpus() const { return corpus_; }
  size_t num_covered_edges() const { return num_covered_edges_; }
  size_t units_added() const { return units_added_; }
  CoverageReport* coverage_report() { return coverage_report_.get(); }
  struct MutationCounts {
    uint64_t executed = 0;
    uint64_t successful = 0;
  };
  MutationCounts MutationCountsOf(const std::string& sha1) const;

 private:
  // Counts the edges of `features` as covered; returns the PCs of the new ones when
  // -exit_on_src_pos needs them.
  std::vector<uintptr_t> MarkCoveredEdges(Span<uint32_t> features,
                                          uint64_t num_counters);

  const FuzzingOptions& options_;
  bool record_files_ = true;
  Corpus corpus_;
  std::vector<uint8_t> covered_edges_;
  size_t num_covered_edges_ = 0;
  size_t units_added_ = 0;
  std::string output_dir_;
  CorpusDirWatcher* watcher_ = nullptr;
  CorpusFileWriter files_;
  bool write_failed_ = false;
  std::unique_ptr<CoverageReport> coverage_report_;
  std::unordered_map<std::string, MutationCounts> mutation_counts_;  // by SHA-1
};

}  // namespace fuzzer
