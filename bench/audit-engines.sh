#!/usr/bin/env bash
# bench/audit-engines.sh — bench/audit.sh on every engine this machine runs:
# the system daemon (Debian's Docker 20.10) and the modern engine
# (scripts/modern-engine: Debian sid's Docker 28.5, started if it is not
# up). Each engine gets its own table; SIZES and RUNS pass through.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
MODERN=unix:///run/safedock-modern/docker.sock
if ! DOCKER_HOST=$MODERN docker version >/dev/null 2>&1; then
	bash "$HERE/scripts/modern-engine" start >&2
fi
for host in "${DOCKER_HOST:-unix:///var/run/docker.sock}" "$MODERN"; do
	DOCKER_HOST=$host bash "$HERE/bench/audit.sh"
	echo
done
