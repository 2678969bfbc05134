// Implements flags.h: the table-driven parser and -help=1 output, all from flags.def.
#include "runtime/common/flags.h"

#include <climits>
#include <cstdlib>
#include <cstring>

#include "runtime/common/log.h"

namespace fuzzer {
namespace {

enum class FlagType { kInt, kUint, kString };

struct FlagDescription {
  const char* name;
  FlagType type;
  const char* default_text;
  const char* description;
  long Flags::*int_field;
  unsigned Flags::*uint_field;
  const char* Flags::*string_field;
};

const FlagDescription kFlagTable[] = {
#define SHOAL_FLAG_INT(name, default_value, description) \
  {#name, FlagType::kInt, #default_value, description, &Flags::name, nullptr, nullptr},
#define SHOAL_FLAG_UINT(name, default_value, description) \
  {#name, FlagType::kUint, #default_value, description, nullptr, &Flags::name, nullptr},
#define SHOAL_FLAG_STRING(name, description) \
  {#name, FlagType::kString, "0", description, nullptr, nullptr, &Flags::name},
#include "runtime/common/flags.def"
#undef SHOAL_FLAG_INT
#undef SHOAL_FLAG_UINT
#undef SHOAL_FLAG_STRING
};

// libFuzzer parses integers by hand: optional '-', then leading digits ("1.5" is 1). Values
// beyond a long saturate (libFuzzer's overflow is undefined), so a huge count stays huge and
// is refused where it is checked instead of wrapping into a plausible one.
long ParseLeadingInt(const char* text) {
  bool negative = *text == '-';
  if (negative) text++;
  long value = 0;
  for (; *text >= '0' && *text <= '9'; text++) {
    int digit = *text - '0';
    if (value > (LONG_MAX - digit) / 10) return negative ? LONG_MIN : LONG_MAX;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

// Matches "-name=value" against the table; returns the value part or null.
const char* MatchFlag(const char* arg, const char* name) {
  size_t len = strlen(name);
  if (arg[0] != '-' || strncmp(arg + 1, name, len) != 0 || arg[len + 1] != '=') return nullptr;
  return arg + len + 2;
}

const FlagDescription* FindFlag(const char* arg, const char** value) {
  for (const FlagDescription& flag : kFlagTable)
    if ((*value = MatchFlag(arg, flag.name))) return &flag;
  return nullptr;
}

// "0x..." defaults like entropic_feature_frequency_threshold print as numbers in -help.
long DefaultAsNumber(const char* text) { return strtol(text, nullptr, 0); }

}  // namespace

bool Flags::IsSet(const char* name) const {
  for (const std::string& set : explicitly_set)
    if (set == name) return true;
  return false;
}

ParsedCommandLine ParseCommandLine(int argc, char** argv, bool quiet) {
  ParsedCommandLine parsed;
  Flags& flags = parsed.flags;
  bool told_about_double_dash = false;
  for (int i = 1; i < argc; i++) {
    const char* arg = argv[i];
    if (flags.ignore_remaining_args) {
      parsed.target_args.push_back(arg);
      continue;
    }
    if (arg[0] != '-') {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg[1] == '-') {
      const char* value;
      if (!quiet && !told_about_double_dash)
        Printf("INFO: libFuzzer ignores flags that start with '--'\n");
      told_about_double_dash = true;
      if (!quiet && FindFlag(arg + 1, &value))
        Printf("WARNING: did you mean '%s' (single dash)?\n", arg + 1);
      parsed.target_args.push_back(arg);
      continue;
    }
    const char* value = nullptr;
    const FlagDescription* flag = FindFlag(arg, &value);
    if (!flag) {
      if (!quiet) Printf("WARNING: unrecognized flag '%s'; use -help=1 to list all flags\n", arg);
      parsed.target_args.push_back(arg);
      continue;
    }
    switch (flag->type) {
      case FlagType::kInt:
        flags.*(flag->int_field) = ParseLeadingInt(value);
        break;
      case FlagType::kUint:
        flags.*(flag->uint_field) = static_cast<unsigned>(strtoul(value, nullptr, 10));
        break;
      case FlagType::kString:
        flags.*(flag->string_field) = value;
        break;
    }
    flags.explicitly_set.push_back(flag->name);
    if (!quiet && !strcmp(flag->name, "use_clang_coverage"))
      Printf("Flag: use_clang_coverage: deprecated, don't use\n");
  }
  return parsed;
}

void PrintHelp(const char* argv0) {
  Printf(
      "Usage:\n\nTo run fuzzing pass 0 or more directories.\n%s [-flag1=val1 [-flag2=val2 ...] ] "
      "[dir1 [dir2 ...] ]\n\n",
      argv0);
  Printf(
      "To run individual tests without fuzzing pass 1 or more files:\n%s [-flag1=val1 [-flag2=val2 "
      "...] ] file1 [file2 ...]\n\n",
      argv0);
  Printf("Flags: (strictly in form -flag=value)\n");
  for (const FlagDescription& flag : kFlagTable) {
    if (!strncmp(flag.description, "internal flag", 13)) continue;
    char default_text[32];
    snprintf(default_text, sizeof(default_text), "%ld",
             flag.type == FlagType::kString ? 0 : DefaultAsNumber(flag.default_text));
    Printf(" %-36s\t%s\t%s\n", flag.name, default_text, flag.description);
  }
  Printf(
      "\nFlags starting with '--' will be ignored and will be passed verbatim to subprocesses.\n");
}

}  // namespace fuzzer
