#!/usr/bin/env bash
# Measures the safedock authorization plugin's cost on this machine (see
# RESULTS.md): two throwaway dockerds in one run, one asking the plugin
# about every request. Needs root. Set SAFEDOCK_ENGINE_PREFIX for the
# current engine (make modern-engine).
set -euo pipefail
cd "$(dirname "$0")/../.."
SAFEDOCK_BENCH_AUTHZ=1 SAFEDOCK_REQUIRE_DOCKER=1 go test -count=1 -v -run TestMeasure -timeout 20m ./bench/authz/ | grep -E 'engine:|x[0-9]+:|^(ok|FAIL|---)'
echo "== decision path (Go benchmark)"
go test -run XXX -bench . -benchmem -count 1 ./authz/ | grep -E '^Benchmark'
