// Implements stats_file.h: the -stats_file CSV writer, used by the coordinator process and by
// the in-process engine.
#include "runtime/common/stats_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/common/log.h"

namespace fuzzer {
namespace {

constexpr char kHeader[] =
    "unix_time,elapsed_s,execs,execs_per_sec,cov,ft,corpus_units,corpus_bytes,crashes,"
    "unique_crashes,workers,worker_restarts,rss_mb,secs_since_new_cov,run_execs";
constexpr size_t kNumColumns = 15;
// A row is about 120 bytes; the tail read to find the last one is far larger.
constexpr size_t kTailBytes = 64 << 10;

bool ReadAt(int fd, off_t offset, size_t size, std::string* out) {
  out->assign(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, &(*out)[done], size - done, offset + off_t(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

// The fields of one row, each a plain number; false if the line is not such a row.
bool ParseRow(const std::string& line, std::vector<double>* fields) {
  fields->clear();
  size_t start = 0;
  for (;;) {
    size_t comma = line.find(',', start);
    std::string field = line.substr(start, comma == std::string::npos ? std::string::npos
                                                                        : comma - start);
    if (field.empty()) return false;
    char* end = nullptr;
    errno = 0;
    double value = strtod(field.c_str(), &end);
    if (errno || *end || value < 0) return false;
    fields->push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields->size() == kNumColumns;
}

}  // namespace

const char* StatsFile::Header() { return kHeader; }

std::unique_ptr<StatsFile> StatsFile::Open(const std::string& path, long interval_s,
                                           std::string* error) {
  std::unique_ptr<StatsFile> file(new StatsFile());
  file->path_ = path;
  file->interval_ = std::chrono::seconds(std::max(1L, interval_s));
  file->last_row_ = std::chrono::steady_clock::now();
  file->fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (file->fd_ < 0) {
    file->Warn("cannot open", errno);
    return file;
  }
  struct stat st;
  if (fstat(file->fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = "-stats_file=" + path + ": not a regular file";
    return nullptr;
  }
  const std::string header = std::string(kHeader) + "\n";
  if (st.st_size == 0) {
    if (write(file->fd_, header.data(), header.size()) != ssize_t(header.size()))
      file->Warn("cannot write", errno);
    return file;
  }
  const std::string not_ours = "-stats_file=" + path +
                               ": the file exists and is not a Shoal stats file (its first "
                               "line is not the stats header); give a new or a Shoal stats file";
  std::string head;
  if (size_t(st.st_size) < header.size() ||
      !ReadAt(file->fd_, 0, header.size(), &head) || head != header) {
    *error = not_ours;
    return nullptr;
  }
  // The last complete row. A partial line after it (a full disk, a killed writer) is cut off
  // so that this run's rows start on a line of their own.
  size_t size = size_t(st.st_size);
  size_t tail_size = std::min(size, kTailBytes);
  std::string tail;
  if (!ReadAt(file->fd_, off_t(size - tail_size), tail_size, &tail)) {
    *error = "-stats_file=" + path + ": cannot read it: " + strerror(errno);
    return nullptr;
  }
  size_t last_newline = tail.rfind('\n');
  if (last_newline == std::string::npos) {
    *error = not_ours;
    return nullptr;
  }
  if (last_newline + 1 != tail.size()) {
    off_t keep = off_t(size - tail_size + last_newline + 1);
    if (ftruncate(file->fd_, keep) != 0) file->Warn("cannot cut the partial last line of", errno);
    tail.resize(last_newline + 1);
  }
  tail.pop_back();  // the newline
  std::string last_line = tail.substr(tail.rfind('\n') == std::string::npos ? 0 : tail.rfind('\n') + 1);
  if (last_line == kHeader) return file;
  std::vector<double> fields;
  if (!ParseRow(last_line, &fields)) {
    *error = "-stats_file=" + path + ": its last row is not a stats row: '" +
             last_line.substr(0, 200) + "'";
    return nullptr;
  }
  file->elapsed_offset_s_ = fields[1];
  file->execs_offset_ = uint64_t(fields[2]);
  file->last_total_execs_ = file->execs_offset_;
  return file;
}

StatsFile::~StatsFile() {
  if (fd_ >= 0) close(fd_);
}

bool StatsFile::Due(std::chrono::steady_clock::time_point now) const {
  return now - last_row_ >= interval_;
}

void StatsFile::Warn(const char* what, int error_number) {
  if (warned_) return;
  warned_ = true;
  Printf("WARNING: -stats_file: %s '%s' (%s); stats rows are not written (this warning is not "
         "repeated)\n",
         what, path_.c_str(), strerror(error_number));
}

void StatsFile::Append(const StatsRow& row) {
  std::lock_guard<std::mutex> lock(mutex_);
  AppendLocked(row);
}

void StatsFile::AppendAtDeath(const StatsRow& row) {
  // The lock may be held by the very thread this handler interrupted (it will never resume:
  // the process exits next; glibc's trylock then fails with EBUSY), or by another thread for
  // the few microseconds of its write.
  bool locked = mutex_.try_lock();
  for (int i = 0; i < 100 && !locked; i++) {
    struct timespec millisecond = {0, 1000 * 1000};
    nanosleep(&millisecond, nullptr);
    locked = mutex_.try_lock();
  }
  AppendLocked(row);
  if (locked) mutex_.unlock();
}

namespace {

// Formats a row into a fixed buffer with integer arithmetic only: async-signal-tolerant (no
// allocation, no locale, no stdio), so the crash and SIGINT paths can use it too.
class RowFormatter {
 public:
  void Uint(uint64_t value) {
    char digits[24];
    size_t n = 0;
    do {
      digits[n++] = char('0' + value % 10);
      value /= 10;
    } while (value);
    while (n) Char(digits[--n]);
  }
  // Non-negative, with three decimals (rounded to the nearest thousandth).
  void Fixed3(double value) {
    if (!(value >= 0)) value = 0;
    if (value > 1e15) value = 1e15;
    uint64_t thousandths = uint64_t(value * 1000 + 0.5);
    Uint(thousandths / 1000);
    Char('.');
    Digits3(thousandths % 1000);
  }
  // value % 1000 as exactly three digits.
  void Digits3(uint64_t value) {
    Char(char('0' + value / 100 % 10));
    Char(char('0' + value / 10 % 10));
    Char(char('0' + value % 10));
  }
  void Char(char c) {
    if (size_ < sizeof(buffer_)) buffer_[size_] = c;
    size_++;
  }
  bool ok() const { return size_ <= sizeof(buffer_); }
  const char* data() const { return buffer_; }
  size_t size() const { return size_; }

 private:
  char buffer_[512];
  size_t size_ = 0;
};

}  // namespace

void StatsFile::AppendLocked(const StatsRow& row) {
  last_row_ = std::chrono::steady_clock::now();
  // Rates are per row: what this run did since its previous row.
  uint64_t execs = std::max(row.execs, last_execs_);
  double seconds = row.run_elapsed_s - last_elapsed_s_;
  // A row right after the previous one (the row at exit) repeats its rate rather than
  // dividing by almost nothing.
  uint64_t per_sec = last_per_sec_;
  if (seconds >= 0.1)
    per_sec = uint64_t(double(execs - last_execs_) / seconds);
  else if (last_elapsed_s_ == 0 && row.run_elapsed_s > 0)
    per_sec = uint64_t(double(execs) / row.run_elapsed_s);
  last_per_sec_ = per_sec;
  last_execs_ = execs;
  last_elapsed_s_ = std::max(last_elapsed_s_, row.run_elapsed_s);
  last_total_execs_ = std::max(last_total_execs_, execs_offset_ + execs);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  RowFormatter line;
  line.Uint(uint64_t(now.tv_sec));
  line.Char('.');
  line.Digits3(uint64_t(now.tv_nsec / 1000000));
  line.Char(',');
  line.Fixed3(elapsed_offset_s_ + last_elapsed_s_);
  for (uint64_t value : {last_total_execs_, per_sec, uint64_t(row.cov), uint64_t(row.ft),
                         uint64_t(row.corpus_units), uint64_t(row.corpus_bytes),
                         uint64_t(row.crashes), uint64_t(row.unique_crashes),
                         uint64_t(row.workers), uint64_t(row.worker_restarts),
                         uint64_t(row.rss_mb)}) {
    line.Char(',');
    line.Uint(value);
  }
  line.Char(',');
  line.Fixed3(row.secs_since_new_cov);
  line.Char(',');
  line.Uint(execs);
  line.Char('\n');
  if (fd_ < 0 || !line.ok()) return;
  ssize_t written;
  do {
    written = write(fd_, line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  if (written != ssize_t(line.size())) Warn("cannot write", written < 0 ? errno : ENOSPC);
}

}  // namespace fuzzer
