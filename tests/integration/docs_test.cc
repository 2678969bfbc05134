// Keeps docs/user-guide.md true: its flags table must list exactly what -help=1 prints (name,
// default and description, in order), since both come from runtime/common/flags.def.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

using Row = std::vector<std::string>;

TEST(Docs, UserGuideFlagsTableMatchesHelp) {
  TempDir dir;
  RunResult help = RunProcess(Harness("empty"), {"-help=1"}, dir.path());
  SHOAL_EXPECT_EXIT(help, 0);
  std::vector<Row> from_help;
  for (const std::string& line : Lines(help.output)) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"( (\w+) *\t(-?\d+)\t(.*))")))
      from_help.push_back({m[1], m[2], m[3]});
  }
  std::string guide = ReadFile(std::string(getenv("TEST_SRCDIR")) + "/" + getenv("TEST_WORKSPACE") +
                               "/docs/user-guide.md");
  std::vector<Row> from_docs;
  for (const std::string& line : Lines(guide)) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(\| `-(\w+)` \| (-?\d+) \| (.*) \|)"))) {
      std::string description = std::regex_replace(m[3].str(), std::regex(R"(\\\|)"), "|");
      from_docs.push_back({m[1], m[2], description});
    }
  }
  ASSERT_GT(from_help.size(), 80u) << help.output;
  EXPECT_EQ(from_docs, from_help)
      << "regenerate the flags table in docs/user-guide.md from -help=1";
}

}  // namespace
}  // namespace shoal_test
