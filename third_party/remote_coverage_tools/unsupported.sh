#!/bin/sh
# Offline stand-in for Bazel's remote coverage tools: `bazel coverage` is not supported offline.
echo "remote_coverage_tools: not supported offline" >&2
exit 1
