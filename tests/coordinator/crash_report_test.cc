// Unit tests for how the coordinator classifies a worker's death and deduplicates crashes
// (runtime/coordinator/crash_report.*).
#include "runtime/coordinator/crash_report.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace fuzzer {
namespace {

int ExitedWith(int code) { return (code & 0xff) << 8; }
int KilledBy(int signum) { return signum & 0x7f; }

TEST(CrashReportTest, ClassifiesByWorkerNoteThenByHowItEnded) {
  WorkerDeath death;
  death.wait_status = ExitedWith(77);
  death.slot_kind = "leak-";
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kLeak);
  death.slot_kind = "";
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kCrash);
  death.wait_status = ExitedWith(70);
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kTimeout);
  death.wait_status = KilledBy(SIGKILL);
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kCrash);
  death.killed_for_rss = true;
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kOom);
  death.killed_for_rss = false;
  death.killed_for_hang = true;
  EXPECT_EQ(ClassifyDeath(death), FailureKind::kTimeout);
}

// An abort() in the target, reported by Shoal's deadly-signal handler: the signature names
// the target's frames, not the handler's inlined PrintStackTrace or libc's abort path.
TEST(CrashReportTest, SignatureOfAnAbortSkipsShoalsInlinedReportFrames) {
  const std::string report =
      "==8911== ERROR: libFuzzer: deadly signal\n"
      "    #0 0x55d888cbc1b1 in __sanitizer_print_stack_trace (/t/fork_then_crash+0xbc1b1)\n"
      "    #1 0x55d888d27966 in PrintStackTrace /proc/self/cwd/runtime/engine/fuzzer.cc:672:5\n"
      "    #2 0x55d888d27966 in fuzzer::Fuzzer::ReportBugAndExit(char const*) "
      "/proc/self/cwd/runtime/engine/fuzzer.cc:712:3\n"
      "    #3 0x7fd1e0d5a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)\n"
      "    #4 0x7fd1e0da8eeb in __pthread_kill_implementation nptl/pthread_kill.c:43:17\n"
      "    #5 0x7fd1e0d59fb1 in raise signal/raise.c:26:13\n"
      "    #6 0x7fd1e0d44471 in abort stdlib/abort.c:79:7\n"
      "    #7 0x55d888cef621 in Crash3(unsigned char const*) /src/many_crashes.cc:19:5\n"
      "    #8 0x55d888cef700 in LLVMFuzzerTestOneInput /src/many_crashes.cc:30:3\n"
      "SUMMARY: libFuzzer: deadly signal\n";
  std::string signature = CrashSignature(FailureKind::kCrash, report, KilledBy(SIGABRT));
  EXPECT_EQ(signature.find("PrintStackTrace"), std::string::npos) << signature;
  EXPECT_NE(signature.find("Crash3"), std::string::npos) << signature;
}

TEST(CrashReportTest, ExitCodesAreLibFuzzers) {
  WorkerDeath death;
  death.wait_status = ExitedWith(1);  // ASan's default exitcode
  EXPECT_EQ(ExitCodeFor(FailureKind::kCrash, death, 77, 70), 1);
  death.wait_status = KilledBy(SIGKILL);
  EXPECT_EQ(ExitCodeFor(FailureKind::kCrash, death, 77, 70), 77);
  EXPECT_EQ(ExitCodeFor(FailureKind::kTimeout, death, 77, 70), 70);
  EXPECT_EQ(ExitCodeFor(FailureKind::kOom, death, 77, 70), 71);
}

const char kAsanReport[] = R"(INFO: Seed: 1
==5490==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x55a1d3ff120f bp 0x7ffd1793d4e0 sp 0x7ffd1793d450 T0)
==5490==The signal is caused by a WRITE memory access.
    #0 0x55a1d3ff120f in CrashA(unsigned char const*) /src/two_bugs.cc:10:27
    #1 0x55a1d3ff1300 in LLVMFuzzerTestOneInput /src/two_bugs.cc:20:5
    #2 0x55a1d3f172a3 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) runtime/engine/fuzzer.cc:122:3
    #3 0x55a1d3f30e22 in main runtime/driver/main.cc:11:10
    #4 0x7fe7e2d45249 in __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16

SUMMARY: AddressSanitizer: SEGV /src/two_bugs.cc:10:27 in CrashA(unsigned char const*)
)";

const char kAbortReport[] = R"(==5515== ERROR: libFuzzer: deadly signal
    #0 0x55cb1d0f4d14 in __sanitizer_print_stack_trace (abrt+0x68d14) (BuildId: 05803eb9)
    #1 0x55cb1d0cb7e8 in fuzzer::Fuzzer::CrashCallback() runtime/engine/fuzzer.cc:441:3
    #2 0x7f6f9fc5a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f) (BuildId: 93ac61ec)
    #3 0x7f6f9fca8eeb in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:43:17
    #4 0x7f6f9fc59fb1 in raise signal/../sysdeps/posix/raise.c:26:13
    #5 0x7f6f9fc44471 in abort stdlib/./stdlib/abort.c:79:7
    #6 0x55cb1d0f62e4 in CrashB() /src/two_bugs.cc:14:3
    #7 0x55cb1d0f62f0 in LLVMFuzzerTestOneInput /src/two_bugs.cc:22:5
SUMMARY: libFuzzer: deadly signal
)";

TEST(CrashReportTest, SignatureUsesTheTargetsTopFrames) {
  std::string a = CrashSignature(FailureKind::kCrash, kAsanReport, 0);
  EXPECT_EQ(a,
            "crash-|CrashA(unsigned char const*) /src/two_bugs.cc:10|LLVMFuzzerTestOneInput "
            "/src/two_bugs.cc:20");
  std::string b = CrashSignature(FailureKind::kCrash, kAbortReport, 0);
  EXPECT_EQ(b, "crash-|CrashB() /src/two_bugs.cc:14|LLVMFuzzerTestOneInput /src/two_bugs.cc:22");
  // The same report twice (e.g. after earlier output) gives the same signature.
  EXPECT_EQ(CrashSignature(FailureKind::kCrash, std::string("noise\n") + kAsanReport, 0), a);
  // Only the last report counts.
  EXPECT_EQ(CrashSignature(FailureKind::kCrash, std::string(kAsanReport) + kAbortReport, 0), b);
}

TEST(CrashReportTest, SignatureFallsBackToSummaryThenStatus) {
  EXPECT_EQ(CrashSignature(
                FailureKind::kOom,
                "==1== ERROR: libFuzzer: out-of-memory\nSUMMARY: libFuzzer: out-of-memory\n", 0),
            "oom-|SUMMARY: libFuzzer: out-of-memory");
  EXPECT_EQ(CrashSignature(FailureKind::kCrash, "", KilledBy(SIGKILL)), "crash-|status 9");
}

}  // namespace
}  // namespace fuzzer
