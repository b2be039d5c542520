#!/bin/sh
# Identity-transform throughput on one ~6 MB event (just under the
# 6,291,556-byte Lambda payload limit): fhx as a process, the library
# in-process, and the plain Python baseline both ways, in one run.
#
# usage: sh bench/run.sh [FHX] [BENCH_TRANSFORM]
#   FHX              the fhx binary (default ./fhx)
#   BENCH_TRANSFORM  bench/bench_transform.c built (default
#                    ./bench/bench_transform; `make bench` builds it)
# Environment: RUNS (best of, default 20), PYTHON (default python3).
# MB/s are of event JSON, 1 MB = 10^6 bytes. Numbers, not assertions.
set -eu

here=$(cd -- "$(dirname -- "$0")" && pwd)
FHX=${1:-./fhx}
BENCH=${2:-./bench/bench_transform}
RUNS=${RUNS:-20}
PY=${PYTHON:-python3}

for prog in "$FHX" "$BENCH"; do
    if [ ! -x "$prog" ]; then
        echo "bench: $prog is not an executable (make fhx; make bench)" >&2
        exit 66
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fhx-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# Best wall time (seconds) of RUNS runs of a command, stdout to /dev/null.
best_process() {
    "$PY" - "$RUNS" "$@" <<'EOF'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = float("inf")
for i in range(runs + 1):  # the first run only warms the caches
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    dt = time.perf_counter() - t0
    if i > 0:
        best = min(best, dt)
print("%.9f" % best)
EOF
}

# ---- the event ---------------------------------------------------------
"$PY" "$here/gen_iot.py" 6000000 1 >"$tmp/messages.ndjson"
SOURCE_DATE_EPOCH=1700000000 "$FHX" event "$tmp/messages.ndjson" \
    >"$tmp/events.ndjson"
awk 'NR == 1 { printf "%s", $0; exit }' "$tmp/events.ndjson" \
    >"$tmp/event.json"
bytes=$(wc -c <"$tmp/event.json" | tr -d ' ')
records=$("$FHX" decode --json "$tmp/event.json" | wc -l | tr -d ' ')
echo "event: $bytes bytes (limit 6291556), $records records of IoT messages"

# ---- same answer from both implementations -----------------------------
"$FHX" transform --handler identity "$tmp/event.json" >"$tmp/fhx.json"
"$PY" "$here/py_identity.py" "$tmp/event.json" >"$tmp/py.json"
"$FHX" check "$tmp/event.json" "$tmp/fhx.json"
if cmp -s "$tmp/fhx.json" "$tmp/py.json"; then
    echo "responses: fhx and Python byte-identical," \
        "$(wc -c <"$tmp/fhx.json" | tr -d ' ') bytes"
else
    echo "responses: fhx and Python DIFFER" >&2
    exit 1
fi
echo

# ---- timings -----------------------------------------------------------
fhx_proc=$(best_process "$FHX" transform --handler identity "$tmp/event.json")
"$BENCH" -n "$RUNS" "$tmp/event.json" >"$tmp/c.txt"
c_id=$(awk '$1 == "seconds" && $2 == "identity" { print $3 }' "$tmp/c.txt")
c_nd=$(awk '$1 == "seconds" && $2 == "ndjson" { print $3 }' "$tmp/c.txt")
py_proc=$(best_process "$PY" "$here/py_identity.py" "$tmp/event.json")
"$PY" "$here/py_identity.py" --bench "$RUNS" "$tmp/event.json" >"$tmp/py.txt"
py_in=$(awk '$1 == "seconds" { print $2 }' "$tmp/py.txt")

awk -v b="$bytes" -v runs="$RUNS" -v fp="$fhx_proc" -v ci="$c_id" \
    -v cn="$c_nd" -v pp="$py_proc" -v pi="$py_in" 'BEGIN {
    printf "%-46s %10s %10s\n", "identity transform, best of " runs, \
        "ms", "MB/s"
    row("fhx transform --handler identity (process)", fp)
    row("C in-process, fhx_handler_identity", ci)
    row("C in-process, fhx_handler_ndjson", cn)
    row("Python json+base64 (process)", pp)
    row("Python json+base64 (in-process)", pi)
    print ""
    printf "fhx process   vs Python process:    %6.1fx faster\n", pp / fp
    printf "C in-process  vs Python in-process: %6.1fx faster\n", pi / ci
    printf "process startup + I/O share of fhx: %5.1f%%\n", \
        100 * (fp - ci) / fp
}
function row(name, s) {
    printf "%-46s %10.3f %10.1f\n", name, s * 1e3, b / 1e6 / s
}'
