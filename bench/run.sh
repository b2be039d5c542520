#!/bin/sh
# The benchmark, one run, every figure beside its same-run baseline:
#   1. base64 per kernel on 64 KiB in cache, beside memcpy and libb64;
#   2. transform per kernel, identity and ndjson, warm and cold, on three
#      deterministic events (a ~6 MB IoT event just under the 6,291,556-byte
#      Lambda payload limit, a ~1 MB one, one of many tiny records), beside
#      memcpy of the same event;
#   3. peak memory of one transform of the 6 MB event in a fresh process;
#   4. fhx as a process and the library against a plain Python json+base64
#      transform (both ways), after checking their responses are identical.
#
# usage: sh bench/run.sh [FHX] [BENCH_TRANSFORM] [BENCH_KERNELS]
#   (`make bench` builds them and passes all three)
# Environment: RUNS (best of, default 20), PYTHON (default python3).
# MB/s are of event JSON, 1 MB = 10^6 bytes. Numbers, not assertions.
set -eu

here=$(cd -- "$(dirname -- "$0")" && pwd)
FHX=${1:-./fhx}
BENCH=${2:-./bench/bench_transform}
KERNELS=${3:-./bench/bench_kernels}
RUNS=${RUNS:-20}
PY=${PYTHON:-python3}

for prog in "$FHX" "$BENCH" "$KERNELS"; do
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

# ---- the events ----------------------------------------------------------
"$PY" "$here/gen_iot.py" 6000000 1 >"$tmp/messages.ndjson"
SOURCE_DATE_EPOCH=1700000000 "$FHX" event "$tmp/messages.ndjson" \
    >"$tmp/events.ndjson"
awk 'NR == 1 { printf "%s", $0; exit }' "$tmp/events.ndjson" >"$tmp/iot-6mb"
"$PY" "$here/gen_iot.py" 1000000 2 >"$tmp/messages-1mb.ndjson"
SOURCE_DATE_EPOCH=1700000000 "$FHX" event --max-bytes 1000000 \
    "$tmp/messages-1mb.ndjson" | awk 'NR == 1 { printf "%s", $0; exit }' \
    >"$tmp/iot-1mb"
# tiny records: 2-byte messages, as many as fit under the limit
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "%d\n", i % 10 }' \
    >"$tmp/tiny.ndjson"
SOURCE_DATE_EPOCH=1700000000 "$FHX" event "$tmp/tiny.ndjson" |
    awk 'NR == 1 { printf "%s", $0; exit }' >"$tmp/tiny"
for e in iot-6mb iot-1mb tiny; do
    echo "event $e: $(wc -c <"$tmp/$e" | tr -d ' ') bytes," \
        "$("$FHX" decode --json "$tmp/$e" | wc -l | tr -d ' ') records"
done
cp "$tmp/iot-6mb" "$tmp/event.json"
bytes=$(wc -c <"$tmp/event.json" | tr -d ' ')

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

# ---- 1. base64 kernels ---------------------------------------------------
"$KERNELS" -n "$RUNS" >"$tmp/k.txt"
grep -v '^kernel \|^baseline ' "$tmp/k.txt"
echo

# ---- 2. transform per kernel -------------------------------------------
echo "transform, best of $RUNS; MB/s of event JSON; ns/record = time / records"
"$BENCH" -n "$RUNS" "$tmp/iot-6mb" "$tmp/iot-1mb" "$tmp/tiny" >"$tmp/t.txt"
grep -v '^result ' "$tmp/t.txt"
echo

# ---- 3. peak memory ------------------------------------------------------
"$BENCH" --rss identity "$tmp/iot-6mb" | awk '$1 == "rss" {
    printf "peak RSS growth, one identity transform of iot-6mb in a fresh " \
        "process: %.2f MB\n", $4 / 1e6
    printf "  event %.2f MB + response %.2f MB + 1 MB = %.2f MB allowed: %s\n",
        $2 / 1e6, $3 / 1e6, ($2 + $3 + 1048576) / 1e6,
        ($4 <= $2 + $3 + 1048576) ? "within" : "OVER"
}'
echo

# ---- 4. against Python -----------------------------------------------------
fhx_proc=$(best_process "$FHX" transform --handler identity "$tmp/event.json")
py_proc=$(best_process "$PY" "$here/py_identity.py" "$tmp/event.json")
"$PY" "$here/py_identity.py" --bench "$RUNS" "$tmp/event.json" >"$tmp/py.txt"
py_in=$(awk '$1 == "seconds" { print $2 }' "$tmp/py.txt")
c_warm=$(awk '$1 == "result" && $2 == "iot-6mb" && $4 == "identity" &&
    $5 == "warm" { if (b == "" || $6 < b) b = $6 } END { print b }' "$tmp/t.txt")
c_cold=$(awk '$1 == "result" && $2 == "iot-6mb" && $4 == "identity" &&
    $5 == "cold" { if (b == "" || $6 < b) b = $6 } END { print b }' "$tmp/t.txt")

awk -v b="$bytes" -v runs="$RUNS" -v fp="$fhx_proc" -v cw="$c_warm" \
    -v cc="$c_cold" -v pp="$py_proc" -v pi="$py_in" 'BEGIN {
    printf "%-50s %10s %10s\n", "identity transform of iot-6mb, best of " runs, \
        "ms", "MB/s"
    row("fhx transform --handler identity (process)", fp)
    row("library in-process, best kernel, warm", cw)
    row("library in-process, best kernel, cold", cc)
    row("Python json+base64 (process)", pp)
    row("Python json+base64 (in-process)", pi)
    print ""
    printf "fhx process   vs Python process:    %6.1fx faster\n", pp / fp
    printf "library warm  vs Python in-process: %6.1fx faster\n", pi / cw
    printf "library cold  vs Python in-process: %6.1fx faster\n", pi / cc
}
function row(name, s) {
    printf "%-50s %10.3f %10.1f\n", name, s * 1e3, b / 1e6 / s
}'
