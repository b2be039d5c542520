#!/bin/sh
# Fuzz every harness for a bounded time (the CI stage; fuzz/README.md).
#
#   sh fuzz/run.sh OUT WORK SECONDS [JOBS]
#
# OUT holds the binaries from fuzz/build.sh; each harness runs SECONDS
# (wall clock) on a copy of its corpus plus what it finds, JOBS harnesses
# at a time (default 2). A crash, leak, timeout or out-of-memory fails the
# run and leaves the input in WORK/artifacts/NAME/; reproduce it with
# OUT/fuzz_NAME FILE, or without libFuzzer: fuzz/replay --only NAME FILE.
set -eu
out=$1
work=$2
secs=$3
jobs=${4:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"

one() { # name
    h=$1
    mkdir -p "$work/corpus/$h" "$work/artifacts/$h"
    dict=""
    [ -f "$out/fuzz_$h.dict" ] && dict="-dict=$out/fuzz_$h.dict"
    # shellcheck disable=SC2086
    "$out/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $dict -artifact_prefix="$work/artifacts/$h/" \
        "$work/corpus/$h" "$src/fuzz/corpus/$h" >"$work/$h.log" 2>&1
}

names=""
for b in "$out"/fuzz_*; do
    case "$b" in *.dict|*.zip|*.options) continue ;; esac
    [ -x "$b" ] || continue
    names="$names ${b##*/fuzz_}"
done
[ -n "$names" ] || { echo "fuzz: no binaries in $out" >&2; exit 1; }

# JOBS at a time
failed=""
set -- $names
while [ $# -gt 0 ]; do
    pids=""
    batch=""
    i=0
    while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
        one "$1" &
        pids="$pids $!"
        batch="$batch $1"
        shift
        i=$((i + 1))
    done
    set -- "$@"
    j=0
    for p in $pids; do
        j=$((j + 1))
        h=$(echo $batch | cut -d' ' -f$j)
        if ! wait "$p"; then failed="$failed $h"; fi
    done
done

printf '%-10s %10s %10s %8s %8s %6s\n' harness runs exec/s corpus cov ft
for h in $names; do
    log=$work/$h.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    printf '%-10s %10s %10s %8s %8s %6s\n' "$h" "${runs:--}" "${eps:--}" \
        "${corp:--}" "${cov:--}" "${ft:--}"
done
if [ -n "$failed" ]; then
    for h in $failed; do
        echo "---- fuzz_$h failed:"
        grep -E 'ERROR|invariant|SUMMARY|Test unit' "$work/$h.log" | head -n 20
        ls "$work/artifacts/$h"
    done
    exit 1
fi
