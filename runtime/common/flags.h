// Flags: the parsed command line, generated from flags.def (the single source of truth for
// names, types, defaults and help text). Parsed by the coordinator; workers get the same
// argv and parse it the same way.
#pragma once

#include <string>
#include <vector>

namespace fuzzer {

struct Flags {
#define SHOAL_FLAG_INT(name, default_value, description) long name = default_value;
#define SHOAL_FLAG_UINT(name, default_value, description) unsigned name = default_value;
#define SHOAL_FLAG_STRING(name, description) const char* name = nullptr;
#include "runtime/common/flags.def"
#undef SHOAL_FLAG_INT
#undef SHOAL_FLAG_UINT
#undef SHOAL_FLAG_STRING
  // Which flags the user gave explicitly (by name), e.g. to tell -len_control=100 from the
  // default when a custom mutator changes the default.
  std::vector<std::string> explicitly_set;
  bool IsSet(const char* name) const;
};

struct ParsedCommandLine {
  Flags flags;
  std::vector<std::string> positional;  // corpus dirs or input files
  std::vector<std::string>
      target_args;  // argv forwarded to the target (after ignore_remaining_args)
};

// Parses argv[1..] like libFuzzer: "-name=value" flags, "--x" ignored with an INFO line
// (and a hint when it names a real flag), unknown flags warned about and skipped,
// everything not starting with '-' positional. Prints warnings via Printf.
// With quiet, nothing is printed (a worker re-parses what its coordinator already warned about).
ParsedCommandLine ParseCommandLine(int argc, char** argv, bool quiet = false);

// The -help=1 text.
void PrintHelp(const char* argv0);

}  // namespace fuzzer
