// The in-process engine's reporting (Fuzzer::InProcessReporter, engine_reporter.h): what
// libFuzzer prints and writes when it keeps a unit or an input fails, plus the output corpus
// and the mutation graph. Runs in the process that runs the target with -workers=0 (and in
// reproduce and analysis modes until the driver silences it); FailingInput runs on the crash
// path.
#include <cerrno>
#include <cstring>

#include "runtime/common/files.h"
#include "runtime/common/log.h"
#include "runtime/common/mutation_graph.h"
#include "runtime/common/sha1.h"
#include "runtime/engine/engine_reporter.h"
#include "runtime/engine/fuzzer.h"
#include "runtime/engine/libfuzzer_output.h"
#include "runtime/engine/mutation_dispatcher.h"

namespace fuzzer {

void PrintFailingUnitLines(const FailingUnit& unit) {
  PrintUnitLines(unit.dispatcher->DescribeMutationSequence(unit.verbose_sequence), *unit.base_sha1,
                 unit.slot->data(), unit.slot->size());
}

void Fuzzer::InProcessReporter::UnitKept(const KeptUnit& unit) {
  Fuzzer& fuzzer = *fuzzer_;
  fuzzer.PrintStatusLine(
      unit.reduced ? StatusEvent::kReduce : StatusEvent::kNew,
      UnitLineEnd(unit.size, fuzzer.corpus_.MaxInputSize(), unit.mutation_sequence).c_str());
  // The new file first, then the evicted ones (RetireAllBut), which become spares.
  const std::string path = fuzzer.WriteToOutputCorpus(unit.data, unit.size);
  fuzzer.corpus_files_.RetireAllBut(fuzzer.corpus_.TakeEvictedFiles(), path);
  if (!unit.reduced)
    fuzzer.AddToMutationGraph(unit.data, unit.size, unit.base_sha1, unit.mutation_names);
  ExitIfItemInCorpus(fuzzer.options_, fuzzer.corpus_, &fuzzer.corpus_files_);
}

void Fuzzer::InProcessReporter::FailingInput(const FailingUnit& unit) {
  const FuzzingOptions& options = fuzzer_->options_;
  const uint8_t* data = unit.slot->data();
  size_t size = unit.slot->size();
  PrintFailingUnitLines(unit);
  std::string path = options.ArtifactPath(unit.kind, Sha1Hex(data, size));
  if (WriteFileAtomically(path, data, size))
    PrintArtifactWritten(options.artifact_prefix, path);
  else
    Printf("ERROR: failed to write the artifact '%s'\n", path.c_str());
  PrintBase64Line(data, size);
}

void Fuzzer::AddToMutationGraph(const uint8_t* data, size_t size, const std::string& base_sha1,
                                const std::string& mutation_names) {
  // A worker's units go into the graph through its coordinator.
  if (!options_.mutation_graph_file || !reporter_->SpeaksForTheRun()) return;
  AppendToMutationGraph(*options_.mutation_graph_file, Sha1Hex(data, size), base_sha1,
                        mutation_names);
}

std::string Fuzzer::WriteToOutputCorpus(const uint8_t* data, size_t size) {
  if (output_dir_.empty()) return "";
  std::string path = JoinPath(output_dir_, Sha1Hex(data, size));
  if (reload_watcher_) reload_watcher_->MarkKnown(path);
  // Warned once per process, in the coordinator's words: an unwritable output dir would
  // otherwise print a line for every NEW and REDUCE unit.
  static bool warned = false;
  if (!corpus_files_.Write(path, data, size) && !warned) {
    warned = true;
    PrintCorpusWriteFailure(path, strerror(errno));
  }
  return path;
}

}  // namespace fuzzer
