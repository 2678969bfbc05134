// Implementation of the shared integration-test helpers (see test_support.h).
#include "tests/integration/test_support.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace shoal_test {
namespace {

std::string Getenv(const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

// Directory holding the harness binaries (and the copied .dict files).
std::string BinaryDir() {
  std::string dir = Getenv("SHOAL_HARNESS_DIR");
  if (!dir.empty()) return dir;
  std::string srcdir = Getenv("TEST_SRCDIR");
  std::string workspace = Getenv("TEST_WORKSPACE");
  if (srcdir.empty()) return "tests";  // fall back to running from the repo root
  return srcdir + "/" + (workspace.empty() ? "shoal" : workspace) + "/tests";
}

std::string RegexEscape(const std::string& s) {
  static const std::string kSpecial = R"(\^$.|?*+()[]{}/)";
  std::string out;
  for (char c : s) {
    if (kSpecial.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

uint32_t Rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// Checks the parts of the artifact block that do not depend on the file name.
void ExpectArtifactContentsReported(const RunResult& run, const Artifact& a) {
  EXPECT_TRUE(HasLine(run.output, "Base64: " + Base64(a.bytes)))
      << "missing \"Base64: " << Base64(a.bytes) << "\"\n"
      << run.output;
  if (a.bytes.size() <= 256) {
    EXPECT_TRUE(HasLine(run.output, HexDumpLine(a.bytes)))
        << "missing hex dump line \"" << HexDumpLine(a.bytes) << "\"\n"
        << run.output;
    EXPECT_TRUE(HasLine(run.output, AsciiLine(a.bytes)))
        << "missing ASCII dump line \"" << AsciiLine(a.bytes) << "\"\n"
        << run.output;
  }
  EXPECT_TRUE(FindLine(run.output, R"(MS: \d+ .*; base unit: [0-9a-f]{40})"))
      << "missing \"MS: N ...; base unit: <sha1>\" line\n"
      << run.output;
}

std::string AbsoluteHarnessPath(const std::string& file_name) {
  std::string path = BinaryDir() + "/" + file_name;
  if (path[0] != '/') {
    char* abs = realpath(path.c_str(), nullptr);
    if (abs != nullptr) {
      path = abs;
      free(abs);
    }
  }
  return path;
}

}  // namespace

std::string Engine() { return Getenv("SHOAL_TEST_ENGINE") == "libfuzzer" ? "libfuzzer" : "shoal"; }

std::string Harness(const std::string& name) {
  return AbsoluteHarnessPath(name + (Engine() == "libfuzzer" ? "_libfuzzer" : ""));
}

std::string OtherEngineHarness(const std::string& name) {
  return AbsoluteHarnessPath(name + (Engine() == "libfuzzer" ? "" : "_libfuzzer"));
}

std::string HarnessData(const std::string& file_name) {
  if (!Getenv("SHOAL_HARNESS_DIR").empty()) return BinaryDir() + "/" + file_name;
  return BinaryDir() + "/harnesses/" + file_name;
}

// An independent SHA-1 (not the runtime's): the tests check the runtime's artifact names
// against it.
std::string Sha1Hex(const std::string& data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg = data;
  const uint64_t bit_len = static_cast<uint64_t>(data.size()) * 8;
  msg += '\x80';
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; i--) msg += static_cast<char>((bit_len >> (8 * i)) & 0xff);
  for (size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
      const auto* p = reinterpret_cast<const unsigned char*>(&msg[chunk + 4 * i]);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; i++) w[i] = Rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = Rol(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rol(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  char hex[41];
  for (int i = 0; i < 5; i++) snprintf(hex + 8 * i, 9, "%08x", h[i]);
  return std::string(hex, 40);
}

std::string Base64(const std::string& data) {
  static const char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(data[i + 1])} << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t v = uint32_t{static_cast<unsigned char>(data[i])} << 16;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(data[i + 1])} << 8);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool HasLine(const std::string& output, const std::string& exact_line) {
  for (const std::string& l : Lines(output))
    if (l == exact_line) return true;
  return false;
}

bool HasLineContaining(const std::string& output, const std::string& needle) {
  return output.find(needle) != std::string::npos;
}

std::optional<std::vector<std::string>> FindLine(const std::string& output,
                                                 const std::string& regex) {
  const std::regex re(regex);
  for (const std::string& l : Lines(output)) {
    std::smatch m;
    if (std::regex_match(l, m, re)) {
      std::vector<std::string> groups;
      for (const auto& g : m) groups.push_back(g.str());
      return groups;
    }
  }
  return std::nullopt;
}

int CountLines(const std::string& output, const std::string& regex) {
  const std::regex re(regex);
  int n = 0;
  for (const std::string& l : Lines(output))
    if (std::regex_match(l, re)) n++;
  return n;
}

void ExpectLinesInOrder(const std::string& output, const std::vector<std::string>& regexes) {
  const std::vector<std::string> lines = Lines(output);
  size_t next = 0;
  for (const std::string& regex : regexes) {
    const std::regex re(regex);
    size_t i = next;
    while (i < lines.size() && !std::regex_match(lines[i], re)) i++;
    if (i == lines.size()) {
      ADD_FAILURE() << "no line matching /" << regex << "/ after line " << next
                    << " (expected order: previous patterns first)\n"
                    << output;
      return;
    }
    next = i + 1;
  }
}

std::string HexDumpLine(const std::string& bytes) {
  std::string line;
  char buf[8];
  for (unsigned char c : bytes) {
    snprintf(buf, sizeof(buf), "0x%x,", c);
    line += buf;
  }
  return line;
}

std::string AsciiLine(const std::string& bytes) {
  std::string line;
  char buf[8];
  for (unsigned char c : bytes) {
    if (c == '\\') {
      line += "\\\\";
    } else if (c == '"') {
      line += "\\\"";
    } else if (c >= 32 && c < 127) {
      line += static_cast<char>(c);
    } else {
      snprintf(buf, sizeof(buf), "\\%03o", c);
      line += buf;
    }
  }
  return line;
}

Artifact ExpectHashedArtifact(const RunResult& run, const TempDir& cwd, const std::string& kind,
                              const std::string& prefix) {
  Artifact a;
  auto m =
      FindLine(run.output, "artifact_prefix='" + RegexEscape(prefix) + "'; Test unit written to (" +
                               RegexEscape(prefix) + RegexEscape(kind) + "-([0-9a-f]{40}))");
  if (!m) {
    ADD_FAILURE() << "no \"artifact_prefix='" << prefix << "'; Test unit written to " << prefix
                  << kind << "-<sha1>\" line\n"
                  << run.output;
    return a;
  }
  a.shown_path = (*m)[1];
  a.file = cwd.Join(a.shown_path);
  if (!FileExists(a.file)) {
    ADD_FAILURE() << "artifact " << a.file << " was announced but does not exist\n" << run.output;
    return a;
  }
  a.bytes = ReadFile(a.file);
  EXPECT_EQ((*m)[2], Sha1Hex(a.bytes)) << "artifact name is not the SHA-1 of its contents";
  ExpectArtifactContentsReported(run, a);
  // Exactly one artifact of this kind: no duplicates, no stray temp files.
  const std::string dir = DirName(a.file);
  const std::string name_prefix = BaseName(prefix) + kind + "-";
  std::vector<std::string> same_kind;
  for (const std::string& n : ListDir(dir))
    if (n.rfind(name_prefix, 0) == 0) same_kind.push_back(n);
  EXPECT_EQ(same_kind, std::vector<std::string>{BaseName(a.file)})
      << "expected exactly one " << kind << " artifact in " << dir;
  a.ok = (*m)[2] == Sha1Hex(a.bytes);
  return a;
}

Artifact ExpectExactArtifact(const RunResult& run, const TempDir& cwd,
                             const std::string& exact_path) {
  Artifact a;
  if (!HasLine(run.output, "artifact_prefix='./'; Test unit written to " + exact_path)) {
    ADD_FAILURE() << "no \"artifact_prefix='./'; Test unit written to " << exact_path << "\" line\n"
                  << run.output;
    return a;
  }
  a.shown_path = exact_path;
  a.file = exact_path[0] == '/' ? exact_path : cwd.Join(exact_path);
  if (!FileExists(a.file)) {
    ADD_FAILURE() << "artifact " << a.file << " was announced but does not exist";
    return a;
  }
  a.bytes = ReadFile(a.file);
  ExpectArtifactContentsReported(run, a);
  a.ok = true;
  return a;
}

RunResult Reproduce(const std::string& harness, const std::vector<std::string>& flags,
                    const TempDir& cwd, const std::string& artifact) {
  const std::vector<std::string> before = ListDir(cwd.path());
  std::vector<std::string> args = flags;
  args.push_back(artifact);
  RunResult run = RunProcess(harness, args, cwd.path());
  EXPECT_TRUE(HasLine(run.output, harness + ": Running 1 inputs 1 time(s) each."))
      << "missing \"" << harness << ": Running 1 inputs 1 time(s) each.\"\n"
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "Running: " + artifact))
      << "missing \"Running: " << artifact << "\"\n"
      << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to"))
      << "reproduce mode must not write artifacts\n"
      << run.output;
  EXPECT_EQ(ListDir(cwd.path()), before) << "reproduce mode wrote files into the cwd";
  return run;
}

std::vector<std::string> SearchPathWithInputs(const std::string& output) {
  std::vector<std::string> path;
  for (const std::string& line : Lines(output)) {
    if (FindLine(line, R"(#\d+\t(INITED|NEW   |REDUCE|DONE  ) .*)")) {
      const auto timing = line.find(" exec/s: ");
      const auto moves = line.find(" L: ");
      path.push_back(line.substr(0, timing) + (moves == std::string::npos ? "" : line.substr(moves)));
    } else if (line.rfind("MS: ", 0) == 0 || line.rfind("Base64: ", 0) == 0) {
      path.push_back(line);
    }
  }
  return path;
}

std::string FindCrashAndReproduce(const std::string& harness, const std::vector<std::string>& args) {
  TempDir dir;
  RunResult run = RunProcess(Harness(harness), args, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  const char* deadly_signal = R"(==\d+== ERROR: libFuzzer: deadly signal)";
  EXPECT_TRUE(FindLine(run.output, deadly_signal)) << run.output;
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  if (!artifact.ok) return "";
  RunResult reproduced = Reproduce(Harness(harness), {}, dir, artifact.shown_path);
  SHOAL_EXPECT_EXIT(reproduced, 77);
  EXPECT_TRUE(FindLine(reproduced.output, deadly_signal)) << reproduced.output;
  return artifact.bytes;
}

void ExpectOneWorkerTakesTheInProcessPath(const std::string& harness,
                                          const std::vector<std::string>& args,
                                          const std::string& marker) {
  TempDir dir;
  std::vector<std::string> in_process_args = args, one_worker_args = args;
  in_process_args.push_back("-workers=0");
  one_worker_args.push_back("-workers=1");
  RunResult in_process = RunProcess(Harness(harness), in_process_args, dir.path());
  RunResult one_worker = RunProcess(Harness(harness), one_worker_args, dir.path());
  SHOAL_EXPECT_EXIT(in_process, 77);
  SHOAL_EXPECT_EXIT(one_worker, 77);
  const std::vector<std::string> expected = SearchPathWithInputs(in_process.output);
  ASSERT_GT(expected.size(), 3u) << in_process.output;
  EXPECT_TRUE(HasLineContaining(in_process.output, marker)) << in_process.output;
  EXPECT_EQ(SearchPathWithInputs(one_worker.output), expected)
      << in_process.output << one_worker.output;
}

}  // namespace shoal_test
