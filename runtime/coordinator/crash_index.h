// The unique-crash index of a campaign, <artifact_prefix>crashes.csv: one row per unique
// crash signature with what a report needs (kind, signature frames, first-seen time, the
// artifact and its minimised form with their sizes, the target that reproduces it). Kept by
// the coordinator process in keep-going runs; every change rewrites the file atomically
// (temp file + rename), and a later run with the same prefix adds to it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace fuzzer {

struct CrashRecord {
  std::string first_seen_unix;  // seconds, e.g. "1700000000.123"
  std::string kind;             // "crash-", "timeout-", "oom-", "leak-"
  std::string signature;        // kind + the target's top frames, '|'-separated
  std::string artifact;         // the path written ("Test unit written to")
  size_t artifact_size = 0;
  std::string minimized;  // "" until minimised
  size_t minimized_size = 0;
  int exit_code = 0;
  std::string target;  // the fuzz target's absolute path
};

class CrashIndex {
 public:
  static const char* Header();
  // The index at `path`: its rows are loaded on first use. A file that is not a crash index
  // is left alone (and nothing is written) after one warning.
  explicit CrashIndex(std::string path);
  // Adds a crash unless its signature is listed already (first-seen stays the first);
  // returns whether it was added.
  bool Add(const CrashRecord& record);
  // Records the minimised file of the crash whose artifact is `artifact`.
  void SetMinimized(const std::string& artifact, const std::string& minimized, size_t size);
  const std::vector<CrashRecord>& records();
  const std::string& path() const { return path_; }

  // CSV text of the records (header included), and back; Parse returns false on anything
  // that is not such a text.
  static std::string Format(const std::vector<CrashRecord>& records);
  static bool Parse(const std::string& text, std::vector<CrashRecord>* records);

 private:
  void Load();
  void Save();

  std::string path_;
  bool loaded_ = false;
  bool disabled_ = false;  // the existing file is not ours
  bool warned_ = false;
  std::vector<CrashRecord> records_;
};

}  // namespace fuzzer
