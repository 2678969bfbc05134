// Implements files.h with POSIX calls (no stdio), so the raw variant is signal-safe.
#include "runtime/common/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

namespace fuzzer {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool RegularFileSize(const std::string& path, size_t* size) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *size = size_t(st.st_size);
  return true;
}

bool ReadFile(const std::string& path, Bytes* out, size_t max_size) {
  out->clear();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint8_t buf[1 << 16];
  bool ok = true;
  while (max_size == 0 || out->size() < max_size) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    out->insert(out->end(), buf, buf + n);
  }
  close(fd);
  if (max_size && out->size() > max_size) out->resize(max_size);
  return ok;
}

bool WriteAllRaw(int fd, const uint8_t* data, size_t size) {
  while (size) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

namespace {

constexpr char kTempPrefix[] = ".shoal-tmp.";
constexpr size_t kTempPrefixLength = sizeof(kTempPrefix) - 1;

// Appends the decimal digits of value at out; returns how many were written.
size_t AppendDecimal(unsigned long value, char* out) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = char('0' + value % 10);
    value /= 10;
  } while (value);
  for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  return n;
}

// Numbers the temp files of one process, so two threads writing into one directory at once
// (the coordinator's corpus writes and its crash handler) never share a temp file. Lock-free,
// so incrementing it from a signal handler is safe.
std::atomic<unsigned long> temp_file_counter{0};
static_assert(std::atomic<unsigned long>::is_always_lock_free,
              "WriteFileAtomicallyRaw runs in signal handlers");

// This machine's host name as it goes into temp file names: gethostname() once at start-up
// (a static constructor, or the first write if that comes earlier), reduced to [A-Za-z0-9_-]
// so that the name stays parseable and is the same in every process of the machine. Two
// machines writing into one shared directory then never share a temp file, even with equal
// pids. Filled before any signal handler can run, so the crash path only reads it.
char host_tag[65];
std::atomic<bool> host_tag_ready{false};

void InitHostTag() {
  if (host_tag_ready.load(std::memory_order_acquire)) return;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) name[0] = 0;
  size_t n = 0;
  for (const char* p = name; *p && n < sizeof(host_tag) - 1; p++) {
    char c = *p;
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
    host_tag[n++] = plain ? c : '_';
  }
  if (n == 0) {
    memcpy(host_tag, "host", 4);
    n = 4;
  }
  host_tag[n] = 0;
  host_tag_ready.store(true, std::memory_order_release);
}

struct HostTagAtStartUp {
  HostTagAtStartUp() { InitHostTag(); }
} host_tag_at_start_up;

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

}  // namespace

const char* AtomicWriteHostTag() {
  InitHostTag();
  return host_tag;
}

bool TempPathBesideRaw(const char* path, char* out, size_t capacity) {
  // "<dir>/.shoal-tmp.<host>.<pid>.<n>" built by hand: snprintf is not async-signal-safe.
  // The temp file sits in the target's directory so that rename() is atomic; host, pid and
  // counter make its name unique among every process of every machine sharing the directory.
  const char* slash = strrchr(path, '/');
  size_t len = slash ? size_t(slash - path) + 1 : 0;
  const char* host = AtomicWriteHostTag();
  size_t host_length = strlen(host);
  if (len + kTempPrefixLength + host_length + 1 + 2 * 24 + 2 > capacity) return false;
  memcpy(out, path, len);
  memcpy(out + len, kTempPrefix, kTempPrefixLength);
  len += kTempPrefixLength;
  memcpy(out + len, host, host_length);
  len += host_length;
  out[len++] = '.';
  len += AppendDecimal(unsigned(getpid()), out + len);
  out[len++] = '.';
  len += AppendDecimal(temp_file_counter.fetch_add(1, std::memory_order_relaxed), out + len);
  out[len] = 0;
  return true;
}

bool WriteFileAtomicallyRaw(const char* path, const uint8_t* data, size_t size) {
  char tmp[4096];
  if (!TempPathBesideRaw(path, tmp, sizeof(tmp))) return false;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = WriteAllRaw(fd, data, size);
  ok = close(fd) == 0 && ok;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) unlink(tmp);
  return ok;
}

bool WriteFileAtomically(const std::string& path, const uint8_t* data, size_t size) {
  return WriteFileAtomicallyRaw(path.c_str(), data, size);
}

bool IsAtomicWriteTempName(const char* name) {
  if (strncmp(name, kTempPrefix, kTempPrefixLength) != 0) return false;
  const char* p = name + kTempPrefixLength;
  // Any machine's "<host>." first (absent in the names of Shoal before host names: those may
  // still be left in a directory by a killed process).
  const char* tag_end = p;
  while (IsTagChar(*tag_end)) tag_end++;
  if (*tag_end == '.' && tag_end > p) {
    const char* rest = tag_end + 1;
    bool three_parts = false;  // "<tag>.<digits>.<digits>": the tag is a host name
    const char* q = rest;
    if (*q >= '0' && *q <= '9') {
      while (*q >= '0' && *q <= '9') q++;
      if (*q == '.' && q[1] >= '0' && q[1] <= '9') {
        q++;
        while (*q >= '0' && *q <= '9') q++;
        three_parts = *q == 0;
      }
    }
    if (three_parts) return true;
  }
  for (int part = 0; part < 2; part++) {
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
    if (part == 0 && *p++ != '.') return false;
  }
  return *p == 0;
}

namespace {

// What one listing carries down the recursion.
struct Listing {
  std::vector<SizedFile>* files;
  // (st_dev, st_ino) of every directory listed so far: a symlink back to "." or to an
  // ancestor would otherwise recurse until memory runs out, and two links to one directory
  // would list its files twice.
  std::set<std::pair<dev_t, ino_t>> directories;
  std::string first_error;
  bool failed = false;

  void Fail(const std::string& dir) {
    if (!failed) first_error = std::string(strerror(errno)) + ": " + dir;
    failed = true;
  }
};

// One fstatat per entry, relative to the open directory (a one-component lookup), and none
// at all for sub-directories that readdir already says are directories (their one fstat
// comes when they are opened): a merge of a large corpus lists every file, and the listing
// was once most of its system time.
void ListInto(const std::string& dir, Listing* listing) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return listing->Fail(dir);
  struct stat dir_stat;
  if (fstat(fd, &dir_stat) != 0) {
    listing->Fail(dir);
    close(fd);
    return;
  }
  if (!listing->directories.insert({dir_stat.st_dev, dir_stat.st_ino}).second) {
    close(fd);  // listed already, under another name
    return;
  }
  DIR* d = fdopendir(fd);
  if (!d) {
    listing->Fail(dir);
    close(fd);
    return;
  }
  struct Entry {
    std::string name;
    bool is_dir;
    size_t size;
  };
  std::vector<Entry> entries;
  while (struct dirent* entry = readdir(d)) {
    const char* name = entry->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    if (entry->d_type == DT_DIR) {
      entries.push_back({name, true, 0});
      continue;
    }
    if (entry->d_type != DT_REG && entry->d_type != DT_LNK && entry->d_type != DT_UNKNOWN)
      continue;  // sockets, fifos, devices: never corpus files
    struct stat st;
    if (fstatat(dirfd(d), name, &st, 0) != 0) continue;  // follows symlinks, as stat() does
    if (S_ISDIR(st.st_mode))
      entries.push_back({name, true, 0});
    else if (S_ISREG(st.st_mode) && !IsAtomicWriteTempName(name))
      entries.push_back({name, false, size_t(st.st_size)});
  }
  closedir(d);  // closes fd too
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (Entry& entry : entries) {
    std::string path = JoinPath(dir, entry.name);
    if (entry.is_dir)
      ListInto(path, listing);
    else
      listing->files->push_back({std::move(path), entry.size});
  }
}

}  // namespace

bool ListFilesRecursively(const std::string& dir, std::vector<SizedFile>* files,
                          std::string* error) {
  Listing listing;
  listing.files = files;
  ListInto(dir, &listing);
  if (error) *error = listing.first_error;
  return !listing.failed;
}

bool MakeDirectories(const std::string& path) {
  if (path.empty() || IsDirectory(path)) return true;
  std::string parent = DirName(path);
  if (parent != path && !MakeDirectories(parent)) return false;
  return mkdir(path.c_str(), 0755) == 0 || errno == EEXIST;
}

void RemoveFile(const std::string& path) { unlink(path.c_str()); }

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace fuzzer
