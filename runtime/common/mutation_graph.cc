// Implements mutation_graph.h.
#include "runtime/common/mutation_graph.h"

#include <fcntl.h>
#include <unistd.h>

namespace fuzzer {

bool AppendToMutationGraph(const std::string& path, const std::string& sha1,
                           const std::string& base_sha1, const std::string& mutation_names) {
  std::string text = "\"" + sha1 + "\"\n";
  if (!base_sha1.empty())
    text += "\"" + base_sha1 + "\" -> \"" + sha1 + "\" [label=\"" + mutation_names + "\"];\n";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  // One write of whole lines: appends from several processes never interleave within one.
  bool ok = write(fd, text.data(), text.size()) == ssize_t(text.size());
  return close(fd) == 0 && ok;
}

}  // namespace fuzzer
