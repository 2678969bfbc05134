// The -stats_file time series: a CSV file with a header row and one row about every
// -stats_interval seconds plus one at exit. Written by the coordinator's monitor thread and by
// the in-process engine (-workers=0) from its status path, never per execution, and by the
// in-process engine's crash and SIGINT handlers (AppendAtDeath). A run started again with the
// same file appends to it: elapsed_s and execs continue from its last row.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace fuzzer {

// What the process knows at one moment. Counts are this run's; StatsFile adds the earlier
// runs' elapsed time and executions of the same file.
struct StatsRow {
  double run_elapsed_s = 0;  // since this run started
  uint64_t execs = 0;        // this run's executions
  size_t cov = 0;
  size_t ft = 0;
  size_t corpus_units = 0;
  size_t corpus_bytes = 0;
  size_t crashes = 0;
  size_t unique_crashes = 0;
  size_t workers = 0;
  size_t worker_restarts = 0;
  size_t rss_mb = 0;  // peak, as the status lines' "rss:"
  double secs_since_new_cov = 0;
};

class StatsFile {
 public:
  // The header row (without the newline).
  static const char* Header();
  // Opens `path` for appending. A missing or empty file gets the header; an existing file must
  // start with the header, and its last complete row gives the elapsed time and executions
  // this run continues from (a partial last line, left by a full disk, is cut off). A file
  // that is not a Shoal stats file returns null with *error set to one line (no "ERROR: ").
  // A file that cannot be created or written is not an error: the rows are then dropped
  // with one warning (see Append).
  static std::unique_ptr<StatsFile> Open(const std::string& path, long interval_s,
                                         std::string* error);
  ~StatsFile();
  StatsFile(const StatsFile&) = delete;
  StatsFile& operator=(const StatsFile&) = delete;

  // Whether a periodic row is due (-stats_interval has passed since the last row).
  bool Due(std::chrono::steady_clock::time_point now) const;
  // Appends one row in a single write(). A failed write prints one warning for the whole run.
  void Append(const StatsRow& row);
  // The same from a signal handler or a sanitizer's death callback, just before the process
  // exits: the row is formatted without allocating or locale look-ups (no snprintf) and
  // written with write(2). It does not block on the lock of an Append the handler may have
  // interrupted: it waits at most 100 ms for another thread's, then writes anyway.
  void AppendAtDeath(const StatsRow& row);
  const std::string& path() const { return path_; }
  // Where the previous runs of this file left off.
  double elapsed_offset_s() const { return elapsed_offset_s_; }
  uint64_t execs_offset() const { return execs_offset_; }

 private:
  StatsFile() = default;
  void Warn(const char* what, int error_number);
  void AppendLocked(const StatsRow& row);  // the caller holds mutex_ (or is dying)

  std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
  std::chrono::steady_clock::duration interval_{};
  std::chrono::steady_clock::time_point last_row_;
  double elapsed_offset_s_ = 0;
  uint64_t execs_offset_ = 0;
  uint64_t last_execs_ = 0;    // this run's, at the previous row
  double last_elapsed_s_ = 0;  // this run's, at the previous row
  uint64_t last_per_sec_ = 0;      // the execs_per_sec column of the previous row
  uint64_t last_total_execs_ = 0;  // the execs column of the previous row (never decreases)
  bool warned_ = false;
};

}  // namespace fuzzer
