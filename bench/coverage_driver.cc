// Standalone replay driver for bench/coverage.sh: linked (no fuzzing engine) with a harness
// built with -fprofile-instr-generate -fcoverage-mapping, it runs LLVMFuzzerTestOneInput once
// on every file named on the command line or found (non-recursively, dotfiles skipped) in a
// directory named there. Inputs run in forked children, in batches; a child that dies (crash,
// abort, or a 10 s per-input alarm) is replaced by one that skips the input it died on, so one
// crashing input neither stops the replay nor loses the coverage of the others (a child that
// finishes its batch exits normally and so writes its profile; use LLVM_PROFILE_FILE with %m
// so that the children merge into one file). Prints one "skipped (signal N): FILE" line per
// input that killed a child, and a final "replayed N inputs, M skipped" line on stderr.
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

constexpr size_t kBatch = 500;       // inputs per child
constexpr unsigned kAlarmSec = 10;   // per-input limit

void Collect(const std::string& path, std::vector<std::string>* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (S_ISREG(st.st_mode)) { out->push_back(path); return; }
  if (!S_ISDIR(st.st_mode)) return;
  DIR* d = opendir(path.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string p = path + "/" + e->d_name;
    if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(p);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  out->insert(out->end(), names.begin(), names.end());
}

void RunOne(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A fresh heap copy of exactly the input's size, as the engines pass it.
  uint8_t* data = static_cast<uint8_t*>(malloc(buf.size() ? buf.size() : 1));
  std::copy(buf.begin(), buf.end(), data);
  LLVMFuzzerTestOneInput(data, buf.size());
  free(data);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; i++) Collect(argv[i], &files);
  // Index of the input the current child is running, shared with the parent.
  auto* current = static_cast<volatile size_t*>(mmap(nullptr, sizeof(size_t),
      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (current == MAP_FAILED) { perror("mmap"); return 2; }
  std::set<size_t> skipped;
  for (size_t begin = 0; begin < files.size(); begin += kBatch) {
    size_t end = std::min(files.size(), begin + kBatch);
    for (;;) {
      *current = begin;
      fflush(stdout); fflush(stderr);
      pid_t pid = fork();
      if (pid < 0) { perror("fork"); return 2; }
      if (pid == 0) {
        for (size_t i = begin; i < end; i++) {
          if (skipped.count(i)) continue;
          *current = i;
          alarm(kAlarmSec);
          RunOne(files[i]);
          alarm(0);
        }
        exit(0);  // writes this child's profile
      }
      int status = 0;
      if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); return 2; }
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
      size_t bad = *current;
      int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      fprintf(stderr, "skipped (%s %d): %s\n", sig ? "signal" : "exit status",
              sig ? sig : WEXITSTATUS(status), files[bad].c_str());
      if (!skipped.insert(bad).second) return 2;  // same input twice: give up
      // The replacement child re-runs the batch (coverage is a set, repeats are harmless)
      // without the input that killed its predecessor: the dead child wrote no profile.
    }
  }
  fprintf(stderr, "replayed %zu inputs, %zu skipped\n", files.size() - skipped.size(),
          skipped.size());
  return 0;
}
