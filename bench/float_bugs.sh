#!/usr/bin/env bash
# The float-compare planted bugs: bench/planted_bugs.sh with SET=float (see there and
# docs/benchmarks.md, "Floating-point compares").
SET=float exec "$(dirname "${BASH_SOURCE[0]}")/planted_bugs.sh" "$@"
