#!/usr/bin/env bash
# bench/audit.sh — how fast is `safedock audit` on a host with N containers?
#
# Builds the safedock binary and a probe image (FROM scratch, the static
# internal/probe; nothing is pulled), then for each N in $SIZES starts
# containers until N of its own run — half hardened by `safedock run -d` on
# one isolated network, half plain `docker run -d` — and times, $RUNS times
# after one warm-up each:
#   - `safedock audit` (all sections, a whole process, output to /dev/null,
#     built static as released): median and min wall time, its CPU time
#     (user+sys, with the children it waited for, i.e. auditctl; less
#     sensitive than wall time to other load on the machine), Docker API calls (SAFEDOCK_STATS=1 prints api_calls=N) and
#     peak RSS, all measured by bench/timeit from fork to exit;
#   - one batched `docker inspect $(docker ps -q)` of every container, the
#     reference for "as fast as asking the daemon once".
# It prints a Markdown table. Everything it creates carries a random token
# and is removed on exit (containers by ID, then its network and image).
#
# Usage: bench/audit.sh            (SIZES="10 40 200 1000" RUNS=7 by default)
#        SIZES="40" RUNS=11 bench/audit.sh
#        DOCKER_HOST=unix:///run/safedock-modern/docker.sock bench/audit.sh
#        bench/audit-engines.sh     (this script on Docker 20.10 and on 28.5)
set -euo pipefail

SIZES=${SIZES:-"10 40 200 1000"}
RUNS=${RUNS:-7}
PAR=${PAR:-4} # containers started in parallel

HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${SRC:-$HERE} # SRC: build safedock from another checkout (timeit comes from this one)
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
	} | sort -u | xargs -r -n 4 docker rm -f >/dev/null
	# (a few at a time: dockerd 20.10 deadlocked in libnetwork when one
	# `docker rm -f` removed ~1000 containers of one network in parallel)
	net_id=$(docker network inspect -f '{{.ID}}' "$NET" 2>/dev/null) && docker network rm "$net_id" >/dev/null
	docker image inspect "$IMG" >/dev/null 2>&1 && docker rmi "$IMG" >/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


echo "building safedock and the probe image" >&2
# A static build, as released: no dynamic loader at every start.
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/safedock" ./cmd/safedock)
(cd "$HERE" && go build -o "$WORK/timeit" ./bench/timeit)
TIMEIT="$WORK/timeit"
mkdir -p "$WORK/img"
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$WORK/img/probe" ./internal/probe)
printf 'root:x:0:0:root:/:/probe\nnobody:x:65534:65534:nobody:/:/probe\n' >"$WORK/img/passwd"
cat >"$WORK/img/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY probe /probe
COPY probe /usr/sbin/sshd
COPY passwd /etc/passwd
HEALTHCHECK --interval=1h --timeout=2s CMD ["/probe", "health"]
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

# settle waits (up to 60 s) until the machine is at least 85% idle over one
# second: starting containers leaves dockerd and containerd busy for a while,
# and that work is not the audit's.
settle() {
	local i a b
	for i in $(seq 60); do
		a=$(head -1 /proc/stat)
		sleep 1
		b=$(head -1 /proc/stat)
		if awk -v a="$a" -v b="$b" 'BEGIN {
			split(a, x); split(b, y); t = 0
			for (k = 2; k <= 9; k++) t += y[k] - x[k]
			exit !(t > 0 && (y[5] - x[5]) / t >= 0.85)
		}'; then
			return
		fi
	done
	echo "bench: the machine stayed busy; measuring anyway" >&2
}

# measure N RUNNING: alternates `safedock audit` and the batched
# `docker inspect`, $RUNS times each after one warm-up, with bench/timeit
# (wall time from fork to exit, CPU and peak RSS from the kernel's rusage,
# no extra process per run); prints a table row.
measure() {
	local n=$1 running=$2 ids a i calls load
	ids=$(docker ps -q)
	# shellcheck disable=SC2086
	SAFEDOCK_STATS=1 "$TIMEIT" -runs "$RUNS" -maxstatus 1 -tsv -stderr "$WORK" -- "$SAFEDOCK" audit ::: docker inspect $ids >"$WORK/t.tsv"
	a=$(sed -n 1p "$WORK/t.tsv") # median min cpu rss_kb
	i=$(sed -n 2p "$WORK/t.tsv")
	calls=$(sed -n 's/^api_calls=//p' "$WORK/1.stderr")
	if [ -s "$WORK/2.stderr" ]; then # a container went away mid-run: the timing is not of N inspects
		echo "docker inspect complained:" >&2
		cat "$WORK/2.stderr" >&2
		exit 1
	fi
	load=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews every figure
	read -r am amin acpu arss <<<"$a"
	read -r im _ <<<"$i"
	printf '| %d | %d | %s ms (%s ms) | %s ms | %s | %.1f MB | %s ms | %s |\n' "$n" "$running" "$am" "$amin" "$acpu" "$calls" "$(awk -v k="$arss" 'BEGIN {print k/1024}')" "$im" "$load"
}

ENGINE=$(docker version --format '{{.Server.Version}}')
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "## $(date -u +%Y-%m-%d) — $(nproc) CPUs ($CPU), $(free -g | awk '/^Mem:/ {print $2}') GB, kernel $(uname -r), Docker Engine $ENGINE, cgroup v$(docker info --format '{{.CgroupVersion}}')"
echo
echo "| N (ours) | running on host | safedock audit median (min) | its CPU (user+sys) | API calls | peak RSS | batched docker inspect median | load avg (1 min) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	echo "starting containers: $n" >&2
	grow_to "$n"
	settle
	measure "$n" "$(docker ps -q | wc -l)"
done
