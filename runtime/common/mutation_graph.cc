// Implements mutation_graph.h.
#include "runtime/common/mutation_graph.h"

#include <fcntl.h>
#include <unistd.h>

#include "runtime/common/log.h"

namespace fuzzer {

void AppendToMutationGraph(const std::string& path, const std::string& sha1,
                           const std::string& base_sha1, const std::string& mutation_names) {
  std::string text = "\"" + sha1 + "\"\n";
  if (!base_sha1.empty())
    text += "\"" + base_sha1 + "\" -> \"" + sha1 + "\" [label=\"" + mutation_names + "\"];\n";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  // One write of whole lines: appends from several processes never interleave within one.
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == ssize_t(text.size());
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (!ok) Printf("WARNING: could not append to -mutation_graph_file '%s'\n", path.c_str());
}

}  // namespace fuzzer
