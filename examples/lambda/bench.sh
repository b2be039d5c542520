#!/bin/sh
# make lambda-bench: the Lambda front-end's figures, in one run.
#   - cold start: process start to the first GET /next (the emulator stamps
#     both), best and median of COLD runs;
#   - per-invocation overhead: the emulator's time from sending an event to
#     having the response, beside the bootstrap's own transform time (EMF
#     TransformMicros), on a small and on a ~6 MB event;
#   - handler throughput in-process (bench_handlers) on the ~6 MB event.
# usage: sh bench.sh FHX BOOTSTRAP BENCH_HANDLERS [PYTHON3]
# Environment: RUNS (default 20), COLD (default 50). Numbers, not tests.
set -eu
here=$(cd -- "$(dirname -- "$0")" && pwd)
FHX=$1 BOOT=$2 BENCH=$3 PY=${4:-python3}
RUNS=${RUNS:-20} COLD=${COLD:-50}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fhx-lambda-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

"$PY" "$here/../../bench/gen_iot.py" 6000000 1 >"$tmp/six.ndjson"
SOURCE_DATE_EPOCH=1700000000 "$FHX" event "$tmp/six.ndjson" |
    awk 'NR == 1 { printf "%s", $0; exit }' >"$tmp/six.json"
echo "event: $(wc -c <"$tmp/six.json" | tr -d ' ') bytes of IoT messages"
"$BENCH" -n "$RUNS" -u "$tmp/six.json" identity ndjson iot
echo
FHX_LAMBDA_DIR=$here "$PY" "$here/bench_runtime.py" "$BOOT" "$FHX" \
    "$tmp/six.json" "$RUNS" "$COLD" "$here/../iot-messages.ndjson"
