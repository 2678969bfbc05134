// Hostile target: on an input starting with "FD" it writes garbage into every file
// descriptor it did not open (all but 0, 1 and 2), as a buggy target that reuses stale
// descriptors would: the worker's pipes and, if it were still open, its shared input slot.
// The coordinator must not believe what it then reads, and must keep this input.
#include <dirent.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || data[0] != 'F' || data[1] != 'D') return 0;
  std::vector<int> fds;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* entry = readdir(dir)) {
      int fd = atoi(entry->d_name);
      if (fd > 2 && fd != dirfd(dir)) fds.push_back(fd);
    }
    closedir(dir);
  }
  unsigned char garbage[4096];
  for (size_t i = 0; i < sizeof(garbage); i++) garbage[i] = static_cast<unsigned char>(0xA5 ^ i);
  for (int fd : fds) {
    lseek(fd, 0, SEEK_SET);
    if (write(fd, garbage, sizeof(garbage)) < 0) continue;
  }
  return 0;
}
