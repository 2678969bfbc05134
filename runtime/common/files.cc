// Implements files.h with POSIX calls (no stdio), so the raw variant is signal-safe.
#include "runtime/common/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

static bool WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

bool WriteFileAtomicallyRaw(const char* path, const uint8_t* data, size_t size) {
  // "<path>.tmp.<pid>" built by hand: snprintf is not async-signal-safe.
  char tmp[4096];
  size_t len = strlen(path);
  if (len + 32 >= sizeof(tmp)) return false;
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp.", 5);
  len += 5;
  char digits[24];
  int n = 0;
  for (unsigned long pid = unsigned(getpid()); pid || n == 0; pid /= 10)
    digits[n++] = char('0' + pid % 10);
  while (n) tmp[len++] = digits[--n];
  tmp[len] = 0;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, data, size);
  ok = close(fd) == 0 && ok;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) unlink(tmp);
  return ok;
}

bool WriteFileAtomically(const std::string& path, const uint8_t* data, size_t size) {
  return WriteFileAtomicallyRaw(path.c_str(), data, size);
}

static void ListInto(const std::string& dir, std::vector<std::string>* files) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(d)) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    names.push_back(entry->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = JoinPath(dir, name);
    if (IsDirectory(path))
      ListInto(path, files);
    else if (IsRegularFile(path) && name.find(".tmp.") == std::string::npos)
      files->push_back(path);
  }
}

void ListFilesRecursively(const std::string& dir, std::vector<std::string>* files) {
  ListInto(dir, files);
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
