// Implements crash_report.h. Runs in the coordinator.
#include "runtime/coordinator/crash_report.h"

#include <sys/wait.h>

#include <sstream>
#include <vector>

#include "runtime/common/frame_channel.h"

namespace fuzzer {

namespace {

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

// Frames that say nothing about which bug this is.
bool IsNoiseFrame(const std::string& function) {
  static const char* const kPrefixes[] = {"fuzzer::",   "__sanitizer",    "__asan",
                                          "__lsan",     "__ubsan",        "__msan",
                                          "__tsan",     "__interceptor",  "__libc_",
                                          "__GI_",      "__pthread_kill", "pthread_kill",
                                          "raise",      "abort",          "__assert",
                                          "malloc",     "calloc",         "realloc",
                                          "free",       "operator new",   "operator delete",
                                          "_start",     "main",           "__run_exit_handlers",
                                          "exit",       "__cxa_",         "std::terminate",
                                          "__gnu_cxx::",
                                          // Shoal's own report, inlined (no namespace shown).
                                          "PrintStackTrace"};
  for (const char* prefix : kPrefixes)
    if (StartsWith(function, prefix)) return true;
  return function.empty();
}

}  // namespace

FailureKind ClassifyDeath(const WorkerDeath& death) {
  if (death.slot_kind == "timeout-") return FailureKind::kTimeout;
  if (death.slot_kind == "oom-") return FailureKind::kOom;
  if (death.slot_kind == "leak-") return FailureKind::kLeak;
  if (death.slot_kind == "crash-") return FailureKind::kCrash;
  if (death.killed_for_rss) return FailureKind::kOom;
  if (death.killed_for_hang) return FailureKind::kTimeout;
  if (WIFEXITED(death.wait_status)) {
    if (WEXITSTATUS(death.wait_status) == 70) return FailureKind::kTimeout;
    if (WEXITSTATUS(death.wait_status) == 71) return FailureKind::kOom;
  }
  return FailureKind::kCrash;
}

bool DiedWithNoReport(const WorkerDeath& death) {
  return death.slot_kind.empty() && WIFEXITED(death.wait_status) && !death.killed_for_rss &&
         !death.killed_for_hang && !death.killed_while_dying;
}

const char* ArtifactKind(FailureKind kind) {
  switch (kind) {
    case FailureKind::kCrash:
      return "crash-";
    case FailureKind::kTimeout:
      return "timeout-";
    case FailureKind::kOom:
      return "oom-";
    case FailureKind::kLeak:
      return "leak-";
  }
  return "crash-";
}

int ExitCodeFor(FailureKind kind, const WorkerDeath& death, int error_exitcode,
                int timeout_exitcode) {
  if (kind == FailureKind::kTimeout) return timeout_exitcode;
  if (kind == FailureKind::kOom) return 71;
  if (WIFEXITED(death.wait_status) && WEXITSTATUS(death.wait_status) != 0 &&
      WEXITSTATUS(death.wait_status) != kWorkerChannelBrokenExitCode)
    return WEXITSTATUS(death.wait_status);  // the sanitizer's or Shoal's own code
  return error_exitcode;
}

std::string CrashSignature(FailureKind kind, const std::string& worker_output, int wait_status) {
  // Only the last report counts: start after the last ERROR line.
  size_t start = worker_output.rfind("ERROR:");
  std::string report = start == std::string::npos ? worker_output : worker_output.substr(start);
  std::istringstream lines(report);
  std::string line, summary;
  std::vector<std::string> frames;
  while (std::getline(lines, line)) {
    size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    if (line.compare(first, 8, "SUMMARY:") == 0 && summary.empty()) summary = line.substr(first);
    // "    #3 0x55d9ee971d8e in FUNCTION FILE:LINE:COL" (sanitizer symbolized frame).
    if (line[first] != '#' || frames.size() == 3) continue;
    size_t in = line.find(" in ", first);
    if (in == std::string::npos) continue;
    std::string rest = line.substr(in + 4);
    std::string function = rest, location;
    // Function names can contain spaces ("operator new(unsigned long)"); the location is
    // the last word when it looks like file:line.
    size_t last_space = rest.rfind(' ');
    if (last_space != std::string::npos && rest.find(':', last_space) != std::string::npos &&
        rest[last_space + 1] != '(') {
      function = rest.substr(0, last_space);
      location = rest.substr(last_space + 1);
      size_t column = location.rfind(':');
      if (column != std::string::npos && location.find(':') != column) location.resize(column);
    }
    if (IsNoiseFrame(function)) continue;
    frames.push_back(function + (location.empty() ? "" : " " + location));
  }
  std::string signature = ArtifactKind(kind);
  if (!frames.empty()) {
    for (const std::string& frame : frames) signature += "|" + frame;
  } else if (!summary.empty()) {
    signature += "|" + summary;
  } else {
    signature += "|status " + std::to_string(wait_status);
  }
  return signature;
}

}  // namespace fuzzer
