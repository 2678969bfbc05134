"""Shared by the shoal-report tests (run by Bazel as test processes): writes two stats files
and a crash index as a two-machine campaign would, finds the tool, and runs it."""

import csv
import os
import subprocess

STATS_HEADER = ("unix_time,elapsed_s,execs,execs_per_sec,cov,ft,corpus_units,corpus_bytes,"
                "crashes,unique_crashes,workers,worker_restarts,rss_mb,secs_since_new_cov,"
                "run_execs")


def tool():
    return os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"],
                        "tools", "shoal-report")


def write_campaign(directory):
    """Two machines (a: 4 rows, b: 3 rows) and an artifact dir with two unique crashes.
    Returns (stats paths, artifact dir)."""
    a = os.path.join(directory, "machine-a.csv")
    b = os.path.join(directory, "machine-b.csv")
    with open(a, "w") as f:
        f.write(STATS_HEADER + "\n")
        for i, (cov, ft) in enumerate([(10, 20), (30, 55), (42, 80), (42, 80)]):
            t = 60.0 * (i + 1)
            f.write("%.3f,%.3f,%d,%d,%d,%d,%d,%d,0,0,2,0,80,%.3f,%d\n"
                    % (1.7e9 + t, t, 1000 * (i + 1), 16, cov, ft, 5 + i, 100 + 10 * i,
                       60.0 * i, 1000 * (i + 1)))
    with open(b, "w") as f:
        f.write(STATS_HEADER + "\n")
        for i, (cov, ft) in enumerate([(12, 25), (35, 60), (47, 91)]):
            t = 60.0 * (i + 1)
            f.write("%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,4,%d,120,%.3f,%d\n"
                    % (1.7e9 + t, t, 2000 * (i + 1), 33, cov, ft, 7 + i, 200 + 10 * i, i, i,
                       i, 30.0, 2000 * (i + 1)))
    artifacts = os.path.join(directory, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    with open(os.path.join(artifacts, "crashes.csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["first_seen_unix", "kind", "signature", "artifact", "artifact_size",
                         "minimized", "minimized_size", "exit_code", "target"])
        writer.writerow(["1700000100.250", "crash-",
                         "crash-|ParseHeader(char const*, unsigned long) /src/lib/parser.cc:41"
                         "|Decode<int>() /src/lib/decode.h:9|LLVMFuzzerTestOneInput "
                         "/src/fuzz/parser_fuzzer.cc:12",
                         "./crash-aaaa", "4096", "./minimized-from-aaaa", "7", "1",
                         "/out/parser_fuzzer"])
        writer.writerow(["1700000200.000", "timeout-", "timeout-|Spin() /src/lib/loop.cc:3",
                         "./timeout-bbbb", "12", "", "0", "70", "/out/parser_fuzzer"])
    return [a, b], artifacts


def run(args):
    return subprocess.run([tool()] + args, capture_output=True, text=True, timeout=120)
