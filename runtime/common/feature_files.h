// -features_dir: libFuzzer's per-unit feature files (coordinator or in-process engine). Each
// unit the corpus takes gets a file named by its SHA-1 holding its unique features as raw
// uint32 values; a REDUCE renames the file after the smaller unit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fuzzer {

// Nothing is written for an empty set (as libFuzzer). Warns (a WARNING line) if the write
// failed; the run goes on.
void WriteFeatureFile(const std::string& dir, const std::string& sha1,
                      const std::vector<uint32_t>& features);
void RenameFeatureFile(const std::string& dir, const std::string& old_sha1,
                       const std::string& new_sha1);

}  // namespace fuzzer
