#!/usr/bin/env bash
# bench/audit.sh — how fast is `safedock audit` on a host with N containers?
#
# Builds the safedock binary and a probe image (FROM scratch, the static
# internal/probe; nothing is pulled), then for each N in $SIZES starts
# containers until N of its own run — half hardened by `safedock run -d` on
# one isolated network, half plain `docker run -d` — and times, $RUNS times
# after one warm-up each:
#   - `safedock audit` (all sections, a whole process, output to /dev/null):
#     median and min wall time, its own CPU time (user+sys; less sensitive
#     than wall time to other load on the machine), Docker API calls
#     (SAFEDOCK_STATS=1 prints api_calls=N) and peak RSS (GNU time's maximum
#     resident set size);
#   - one batched `docker inspect $(docker ps -q)` of every container, the
#     reference for "as fast as asking the daemon once".
# It prints a Markdown table. Everything it creates carries a random token
# and is removed on exit (containers by ID, then its network and image).
#
# Usage: bench/audit.sh            (SIZES="10 40 200" RUNS=7 by default)
#        SIZES="40" RUNS=11 bench/audit.sh
set -euo pipefail

SIZES=${SIZES:-"10 40 200"}
RUNS=${RUNS:-7}
PAR=${PAR:-4} # containers started in parallel

ROOT=${SRC:-$(cd "$(dirname "$0")/.." && pwd)} # SRC: build from another checkout
TOKEN=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
WORK=$(mktemp -d "/tmp/safedock-bench.$TOKEN.XXXX")
IMG="safedock-bench-probe-$TOKEN:latest"
NET="safedock-bench-$TOKEN"
PREFIX="sdbench-$TOKEN-"
IDS="$WORK/ids"
: >"$IDS"

cleanup() {
	set +e
	# Ours only: the IDs we recorded plus anything named with our token
	# (a docker run whose start failed still created its container).
	{
		cat "$IDS"
		docker ps -aq --no-trunc --filter "name=^/$PREFIX"
	} | sort -u | xargs -r docker rm -f >/dev/null
	net_id=$(docker network inspect -f '{{.ID}}' "$NET" 2>/dev/null) && docker network rm "$net_id" >/dev/null
	docker image inspect "$IMG" >/dev/null 2>&1 && docker rmi "$IMG" >/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! [ -x /usr/bin/time ]; then
	echo "installing GNU time (Debian package 'time') for peak RSS" >&2
	apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

echo "building safedock and the probe image" >&2
(cd "$ROOT" && go build -trimpath -o "$WORK/safedock" ./cmd/safedock)
mkdir -p "$WORK/img"
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$WORK/img/probe" ./internal/probe)
printf 'root:x:0:0:root:/:/probe\nnobody:x:65534:65534:nobody:/:/probe\n' >"$WORK/img/passwd"
cat >"$WORK/img/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY probe /probe
COPY probe /usr/sbin/sshd
COPY passwd /etc/passwd
HEALTHCHECK --interval=60s --timeout=2s CMD ["/probe", "health"]
ENTRYPOINT ["/probe"]
CMD ["sleep"]
DOCKERFILE
docker build -q -t "$IMG" "$WORK/img" >/dev/null
SAFEDOCK="$WORK/safedock"

start_one() { # index
	local i=$1
	if ((i % 2 == 0)); then
		"$SAFEDOCK" run -d --name "${PREFIX}h$i" --network "$NET" --user 65534:65534 "$IMG" sleep
	else
		docker run -d --name "${PREFIX}p$i" "$IMG" sleep
	fi
}
export -f start_one
export SAFEDOCK PREFIX NET IMG

started=0
grow_to() { # n
	local n=$1
	if ((started == 0)); then # the first hardened launch creates the network
		start_one 0 >>"$IDS"
		started=1
	fi
	if ((started < n)); then
		seq "$started" $((n - 1)) | xargs -P "$PAR" -I{} bash -c 'start_one {}' >>"$IDS"
		started=$n
	fi
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n | head -1; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns/1e6}'; }

audit_once() { # prints: wall_ns api_calls rss_kb cpu_ms
	local t0 t1 rc=0
	t0=$(date +%s%N)
	SAFEDOCK_STATS=1 /usr/bin/time -f 'rss_kb=%M cpu_s=%U %S' -o "$WORK/time" "$SAFEDOCK" audit >/dev/null 2>"$WORK/err" || rc=$?
	t1=$(date +%s%N)
	if ((rc > 1)); then
		echo "safedock audit exited $rc:" >&2
		cat "$WORK/err" >&2
		exit 1
	fi
	# wall_ns api_calls rss_kb cpu_ms (user+sys of safedock itself)
	echo "$((t1 - t0)) $(sed -n 's/^api_calls=//p' "$WORK/err") $(awk '/^rss_kb=/ {sub("rss_kb=", "", $1); sub("cpu_s=", "", $2); printf "%s %.0f", $1, ($2 + $3) * 1000}' "$WORK/time")"
}

inspect_once() { # prints wall_ns
	local t0 t1
	t0=$(date +%s%N)
	# shellcheck disable=SC2046
	docker inspect $(docker ps -q) >/dev/null
	t1=$(date +%s%N)
	# docker ps is not part of the batched inspect: time it apart and subtract.
	local p0 p1
	p0=$(date +%s%N)
	docker ps -q >/dev/null
	p1=$(date +%s%N)
	echo $((t1 - t0 - (p1 - p0)))
}

ENGINE=$(docker version --format '{{.Server.Version}}')
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "## $(date -u +%Y-%m-%d) — $(nproc) CPUs ($CPU), $(free -g | awk '/^Mem:/ {print $2}') GB, kernel $(uname -r), Docker Engine $ENGINE, cgroup v$(docker info --format '{{.CgroupVersion}}')"
echo
echo "| N (ours) | running on host | safedock audit median (min) | its CPU (user+sys) | API calls | peak RSS | batched docker inspect median | load avg (1 min) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	echo "starting containers: $n" >&2
	grow_to "$n"
	running=$(docker ps -q | wc -l)
	audit_once >/dev/null # warm-up (page cache, daemon caches)
	inspect_once >/dev/null
	: >"$WORK/a"
	: >"$WORK/i"
	for _ in $(seq "$RUNS"); do
		audit_once >>"$WORK/a"
		inspect_once >>"$WORK/i"
	done
	wall=$(cut -d' ' -f1 "$WORK/a" | median)
	wmin=$(cut -d' ' -f1 "$WORK/a" | minimum)
	calls=$(cut -d' ' -f2 "$WORK/a" | median)
	rss=$(cut -d' ' -f3 "$WORK/a" | sort -n | tail -1)
	cpu=$(cut -d' ' -f4 "$WORK/a" | median)
	insp=$(median <"$WORK/i")
	load=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews every figure
	printf '| %d | %d | %s ms (%s ms) | %s ms | %s | %.1f MB | %s ms | %s |\n' "$n" "$running" "$(ms "$wall")" "$(ms "$wmin")" "$cpu" "$calls" "$(awk -v k="$rss" 'BEGIN {print k/1024}')" "$(ms "$insp")" "$load"
done
