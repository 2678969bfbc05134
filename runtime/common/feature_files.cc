// Implements feature_files.h.
#include "runtime/common/feature_files.h"

#include <cstdio>

#include "runtime/common/files.h"
#include "runtime/common/log.h"

namespace fuzzer {

void WriteFeatureFile(const std::string& dir, const std::string& sha1,
                      const std::vector<uint32_t>& features) {
  if (dir.empty() || features.empty()) return;
  if (!WriteFileAtomically(JoinPath(dir, sha1), reinterpret_cast<const uint8_t*>(features.data()),
                           features.size() * sizeof(features[0])))
    Printf("WARNING: could not write to -features_dir '%s'\n", dir.c_str());
}

void RenameFeatureFile(const std::string& dir, const std::string& old_sha1,
                       const std::string& new_sha1) {
  if (dir.empty()) return;
  rename(JoinPath(dir, old_sha1).c_str(), JoinPath(dir, new_sha1).c_str());
}

}  // namespace fuzzer
