// -mutation_graph_file: appends libFuzzer's DOT fragment for each new corpus unit (runs in
// the coordinator, or in the in-process engine): the vertex "<sha1>", and, when the unit was
// mutated from a base unit, the edge "<base sha1>" -> "<sha1>" [label="<mutators>"];
#pragma once

#include <string>

namespace fuzzer {

// Warns (a WARNING line) if the file cannot be appended to; the run goes on.
void AppendToMutationGraph(const std::string& path, const std::string& sha1,
                           const std::string& base_sha1, const std::string& mutation_names);

}  // namespace fuzzer
