#!/bin/sh
# libfirehose-xform demo: sample IoT messages through the whole pipeline
#
#   IoT Core MQTT -> topic rule
#     SELECT topic() as topic, * FROM 'iot-test-topic/+'  (separator "\n")
#   -> Amazon Data Firehose -> transformation Lambda -> S3
#
# usage: sh examples/demo.sh [FHX] [MESSAGES]
#   FHX       the fhx binary (default: ./fhx)
#   MESSAGES  newline-delimited IoT messages, as the rule delivers them
#             (default: iot-messages.ndjson next to this script)
# Environment: FHX_DEMO_MAX_BYTES  bytes per Firehose batch (default 2048,
#             small so that the batching shows; Lambda allows 6291556).
set -eu

here=$(dirname -- "$0")
FHX=${1:-./fhx}
MSGS=${2:-$here/iot-messages.ndjson}
MAX_BYTES=${FHX_DEMO_MAX_BYTES:-2048}

case $FHX in
/*) ;;
*) FHX=$(pwd)/$FHX ;; # absolute: never looked up in PATH, works after cd
esac
if [ ! -x "$FHX" ]; then
    echo "demo: $FHX is not an executable (build it with 'make')" >&2
    exit 66
fi
if [ ! -r "$MSGS" ]; then
    echo "demo: cannot read $MSGS" >&2
    exit 66
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fhx-demo.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# Run fhx with its stderr in $tmp/log; on failure show it and stop.
fhx() {
    if ! "$FHX" "$@" 2>"$tmp/log"; then
        echo "demo: fhx $* failed:" >&2
        cat "$tmp/log" >&2
        exit 1
    fi
}

# The -v summary lines fhx wrote, indented.
show_log() {
    sed 's/^fhx: /     /' "$tmp/log"
}

# A response, one record per line, long data shortened for the screen.
pretty_response() {
    awk '{
        gsub(/[}],[{]/, "},\n{")
        sub(/^[{]"records":[[]/, "{\"records\":[\n")
        sub(/[]][}]$/, "\n]}")
        n = split($0, line, "\n")
        for (i = 1; i <= n; i++) {
            l = line[i]
            if (match(l, /"data":"[^"]*"/) && RLENGTH > 40)
                l = substr(l, 1, RSTART + 31) "...\"" \
                    substr(l, RSTART + RLENGTH)
            if (i == 1 || i == n) print "     " l
            else print "       " l
        }
    }' "$1"
}

# Same for the records of an event (fhx decode --json), first 3 only.
pretty_records() {
    awk 'NR <= 3 {
        l = $0
        if (match(l, /"data":"[^"]*"/) && RLENGTH > 40)
            l = substr(l, 1, RSTART + 31) "...\"" substr(l, RSTART + RLENGTH)
        print "     " l
    }
    END { if (NR > 3) print "     ... (" NR - 3 " more)" }' "$1"
}

count_lines() {
    wc -l <"$1" | tr -d ' '
}

count_bytes() {
    wc -c <"$1" | tr -d ' '
}

echo "== libfirehose-xform demo: IoT Core -> Firehose -> Lambda -> S3"
echo "   $("$FHX" --version)"
echo

# ---- 1 ----------------------------------------------------------------
n_msgs=$(count_lines "$MSGS")
echo "== 1. IoT messages, as the topic rule hands them to Firehose"
printf '%s\n' "   rule: SELECT topic() as topic, * FROM 'iot-test-topic/+'," \
    '   action: Firehose, separator "\n" (one message per record)'
echo "   $MSGS: $n_msgs lines, $(count_bytes "$MSGS") bytes"
sed -n '1,4s/^/     /p' "$MSGS"
if [ "$n_msgs" -gt 4 ]; then
    echo "     ... ($((n_msgs - 4)) more)"
fi
echo

# ---- 2 ----------------------------------------------------------------
echo "== 2. Firehose buffers the records and invokes the Lambda once per" \
    "batch"
echo "   fhx event --max-bytes $MAX_BYTES  (one event per line)"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export SOURCE_DATE_EPOCH
fhx event -v --max-bytes "$MAX_BYTES" "$MSGS" >"$tmp/events.ndjson"
show_log
awk -v d="$tmp" '{
    f = sprintf("%s/event-%03d.json", d, NR)
    printf "%s", $0 > f
    close(f)
}' "$tmp/events.ndjson"
n_events=0
for ev in "$tmp"/event-*.json; do
    [ -e "$ev" ] || continue
    n_events=$((n_events + 1))
    fhx decode --json "$ev" >"$tmp/records.$n_events"
    echo "   event $n_events: $(count_bytes "$ev") bytes," \
        "$(count_lines "$tmp/records.$n_events") records"
done
if [ "$n_events" -eq 0 ]; then
    echo "demo: no messages in $MSGS" >&2
    exit 65
fi
echo "   records of event 1 (fhx decode --json):"
pretty_records "$tmp/records.1"
echo

# ---- 3 and 4 ----------------------------------------------------------
echo "== 3. The Lambda answers each event (fhx transform --handler ndjson)"
printf '%s\n' '   each message framed on "\n" or "\r\n" and ended with' \
    '   exactly one "\n"; a record without a message is Dropped'
i=0
for ev in "$tmp"/event-*.json; do
    i=$((i + 1))
    fhx transform -v --handler ndjson "$ev" >"$tmp/response-$i.json"
    echo "   event $i:"
    show_log
done
echo "   response to event 1:"
pretty_response "$tmp/response-1.json"
echo

echo "== 4. Firehose accepts each response (fhx check EVENT RESPONSE)"
i=0
for ev in "$tmp"/event-*.json; do
    i=$((i + 1))
    fhx check "$ev" "$tmp/response-$i.json"
    echo "   event $i: valid answer (every recordId once; Ok data is" \
        "base64; size within the Lambda limit)"
done
echo

# ---- 5 ----------------------------------------------------------------
: >"$tmp/s3-object.ndjson"
i=0
for ev in "$tmp"/event-*.json; do
    i=$((i + 1))
    fhx decode --response "$tmp/response-$i.json" >>"$tmp/s3-object.ndjson"
done
echo "== 5. What Firehose writes to S3 (fhx decode --response: the data of"
echo "   the Ok records, concatenated, no delimiter added by Firehose)"
echo "   $(count_lines "$tmp/s3-object.ndjson") lines," \
    "$(count_bytes "$tmp/s3-object.ndjson") bytes:"
echo "----8<----"
cat "$tmp/s3-object.ndjson"
echo "----8<----"
if cmp -s "$MSGS" "$tmp/s3-object.ndjson"; then
    echo "   identical to the IoT messages: each delivered once, in order," \
        "one JSON object per line (ready for Athena)"
else
    echo "   one JSON object per line; blank lines dropped and a missing" \
        "last newline added"
fi
echo

# ---- 6 ----------------------------------------------------------------
echo "== 6. A damaged record: answered ProcessingFailed, the rest delivered"
# Break the base64 of the first record of event 1.
sed 's/"data":"./"data":"!/' "$tmp/event-001.json" >"$tmp/damaged.json"
fhx transform -v --handler ndjson "$tmp/damaged.json" >"$tmp/damaged-resp.json"
show_log
pretty_response "$tmp/damaged-resp.json" | grep -e ProcessingFailed || :
fhx check "$tmp/damaged.json" "$tmp/damaged-resp.json"
echo "   fhx check: still a valid answer; Firehose puts that record under" \
    "processing-failed/ in S3"
if (cd "$tmp" && "$FHX" decode damaged.json >/dev/null 2>log); then
    echo "demo: fhx decode accepted a damaged record" >&2
    exit 1
fi
echo "   fhx decode on the damaged event (exit 65, the other records still" \
    "written):"
show_log
