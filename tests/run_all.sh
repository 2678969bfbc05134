#!/usr/bin/env bash
# Quick start, part 2: installs what Shoal needs and runs the whole test suite with Bazel
# (unit tests and the integration tests that build real harnesses through libshoal.a).
# Prints one final "N passed, N failed" line (GoogleTest cases, from Bazel's test.xml files;
# a test target that produced no XML counts as one failure) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

third_party/install_system_packages.sh || { echo "tests: could not install the required packages" >&2; exit 1; }

bazel test //... "$@"
bazel_status=$?
# The WorkerClient close/call stress test again under ThreadSanitizer: zero races allowed.
bazel test --config=tsan //tests/coordinator:worker_client_stress_test "$@" || bazel_status=1

python3 - "$bazel_status" <<'PY'
import glob, os, subprocess, sys, xml.etree.ElementTree as ET
bazel_status = int(sys.argv[1])
def testlogs(*config):
    return subprocess.run(["bazel", "info", *config, "bazel-testlogs"], capture_output=True, text=True).stdout.strip()
targets = subprocess.run(["bazel", "query", "tests(//...) except attr(tags, manual, //...)"], capture_output=True, text=True).stdout.split()
runs = [(testlogs(), t) for t in targets]
runs.append((testlogs("--config=tsan"), "//tests/coordinator:worker_client_stress_test"))
passed = failed = 0
for logs, target in runs:
    path = os.path.join(logs, target.lstrip("/").replace(":", "/"), "test.xml")
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        print(f"tests: {target} produced no test results", file=sys.stderr)
        failed += 1
        continue
    cases = root.iter("testcase")
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("status", "run") == "run" and case.get("result", "completed") != "skipped":
            passed += 1
if bazel_status != 0 and failed == 0:
    print("tests: bazel test failed (build or infrastructure error)", file=sys.stderr)
    failed = 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
