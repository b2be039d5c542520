#!/bin/sh
# Regenerate the hand-made seeds of fuzz/corpus/*/seed-* (a developer tool;
# the committed corpora are what CI and `make check` use).
#
#   sh fuzz/seeds.sh [SHARED_DIR] [FHX_BIN]
#
# Seeds come from the peer fixtures (SHARED_DIR/fixtures/peers, default
# ../shared beside the source tree), the sample IoT messages turned into
# events by the fhx CLI (FHX_BIN, default build/gcc/fhx, skipped when
# missing), and hand-written edge cases. Every harness reads FHXF_HEADER
# (4) parameter bytes before its payload (see fuzz/fuzz_util.h), so each
# seed is written once per interesting header.
# After regenerating, minimise with libFuzzer's -merge=1 (see fuzz/README.md).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$top/../shared}
fhx=${2:-$top/build/gcc/fhx}
peers=$shared/fixtures/peers
c=$top/fuzz/corpus

# seed HARNESS HEADER(printf escapes) FILE|-  (- : stdin); named by content
seed() {
    mkdir -p "$c/$1"
    { printf "$2"; if [ "$3" = - ]; then cat; else cat "$3"; fi; } >"$c/$1/.new"
    sum=$(sha1sum "$c/$1/.new" | cut -c1-16)
    mv "$c/$1/.new" "$c/$1/seed-$sum"
}
# text HARNESS HEADER TEXT
text() { printf '%s' "$3" | seed "$1" "$2" -; }

rm -f "$c"/*/seed-*

# ---- events: peers, IoT, edge cases --------------------------------------
events=""
for f in $(find "$peers" -name '*.json' | sort); do
    case "$f" in *response*) continue ;; esac
    events="$events $f"
done
for f in $events; do
    seed event '\000\000\000\000' "$f"     # one byte at a time
    seed event '\005\001\000\000' "$f"     # fixed pieces
    seed event '\003\007\000\000' "$f"     # uneven pieces
    seed transform '\000\000\000\000' "$f" # identity
    seed transform '\001\000\003\000' "$f" # ndjson
    seed transform '\004\000\001\001' "$f" # mixed
done
if [ -x "$fhx" ]; then
    "$fhx" event --max-bytes 2000 "$top/examples/iot-messages.ndjson" |
        head -n 2 | while IFS= read -r ev; do
        printf '%s' "$ev" | seed event '\002\011\000\000' -
        printf '%s' "$ev" | seed transform '\001\000\002\000' -
        printf '%s' "$ev" | seed transform '\004\020\002\000' -
    done
fi
for e in \
    '{"records":[]}' \
    '{"records":[{"recordId":"a","data":"QUJD"},{"recordId":"b","data":"QU\/D"}]}' \
    '{"records":[{"recordId":"a\u0062","data":"QQ=="},{"recordId":"ab","data":""}]}' \
    '{"records":[{"recordId":"m","kafkaRecordValue":"QUI=","mskRecordMetadata":{"offset":"0","partitionId":1,"approximateArrivalTimestamp":1700000000000}}]}' \
    '{"records":[{"recordId":"k","data":"QUJD","approximateArrivalTimestamp":"1","kinesisRecordMetadata":{"shardId":"s","partitionKey":"p","approximateArrivalTimestamp":2,"sequenceNumber":"3","subsequenceNumber":"0"}}],"region":"eu-west-1"}' \
    '{"records":[{"recordId":"x","data":1},{"recordId":"y"},{"recordId":"z","data":"QQ","data":"QQ=="},{"recordId":"w","data":"QR=="}]}' \
    '{"records":[{"recordId":"a","data":"QUJD"}' \
    '{"records":[{"recordId":"a","data":"QUJD"}]} x' \
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]' \
    '{"records":[{"recordId":"\ud83d\ude00","data":"\u0051\u0051==","result":"Ok"}]}'; do
    text event '\001\003\000\000' "$e"
    text transform '\004\000\005\000' "$e"
done

# ---- verify: event + response pairs ----------------------------------------
# header bytes 0-1: the event's length (little endian)
pair() { # event response
    len=$(wc -c <"$1")
    lo=$((len % 256)); hi=$((len / 256))
    { cat "$1" "$2"; } | seed verify "$(printf '\\%03o\\%03o\\000\\000' $lo $hi)" -
}
pair "$peers/aws-lambda-go/kinesis-firehose-event.json" \
    "$peers/aws-lambda-go/kinesis-firehose-response.json"
pair "$peers/aws-lambda-rust-runtime/example-kinesis-firehose-event.json" \
    "$peers/aws-lambda-rust-runtime/example-kinesis-firehose-response.json"
pair "$peers/aws-lambda-java-libs/msk_firehose_event.json" \
    "$peers/aws-lambda-java-libs/msk_firehose_response.json"
tmp=$(mktemp -d)
printf '%s' '{"records":[{"recordId":"a","data":"QUJD"},{"recordId":"b","data":"QUI="}]}' >"$tmp/e"
printf '%s' '{"records":[{"recordId":"a","result":"Ok","data":"QUJD"},{"recordId":"b","result":"Dropped","metadata":{"partitionKeys":{"k":"v"}}}]}' >"$tmp/r"
pair "$tmp/e" "$tmp/r"
printf '%s' '{"records":[{"recordId":"a","result":"OK","data":"QUJ"},{"recordId":"a","result":"Dropped"},{"recordId":"c"}]}' >"$tmp/r"
pair "$tmp/e" "$tmp/r"
rm -rf "$tmp"

# ---- base64 ------------------------------------------------------------------
for t in '' 'QQ==' 'QUI=' 'QUJD' 'Zm9vYmFy' 'SGVsbG8gV29ybGQ=' \
    'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw==' \
    'QQ=' 'Q===' 'QQ==QQ==' 'QR==' 'QUJ=' 'QUJ!' 'QU\nJD' 'QUJD-_' '=QUJ'; do
    text b64 '\000\000\000\000' "$t"
    text b64 '\003\001\002\003' "$t"
    text b64_diff '\001\000\000\007' "$t"
done
head -c 300 "$top/examples/iot-messages.ndjson" | seed b64 '\002\005\000\000' -
head -c 300 "$top/examples/iot-messages.ndjson" | seed b64_diff '\002\005\000\041' -

# ---- frame -------------------------------------------------------------------
seed frame '\000\000\000\000' "$top/examples/iot-messages.ndjson"
seed frame '\004\000\000\000' "$top/examples/iot-messages.ndjson"
text frame '\004\000\000\000' '{"a":1}{"b":[1,2]}[3]  {"c":"}{"}'
text frame '\005\000\000\000' '{"a":1,"b":2}	{"c":3}		x'
text frame '\006\000\000\000' '{"a":1},{"b":2},,plain,{"x":"y,z"}'
text frame '\000\000\000\000' 'a
b

c
'
text frame '\004\000\000\000' '{{{{{{{{{{ x
{"a":1}'

# ---- response: [ctl][id len][payload len][id][payload] records ------------
printf '\000\002\003r1abc\001\002\000r2\002\002\001r3x\004\002\002r4hi\010\002\001r5z\020\002\003r6mmm\040\002\001r7q' |
    seed response '\000\000\000\000' -
printf '\000\003\003"\\/abc\004\001\001\377Q\003\001\000x' | seed response '\001\000\377\000' -
printf '\000\002\050r1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\000\002\001r2y' |
    seed response '\002\010\000\000' -
# ---- gunzip: [max|reuse][split lo][split hi][level|out piece] ----------------
# gzip(1) with -n writes no name and no MTIME, so these are deterministic.
tmp=$(mktemp -d)
head -c 300 "$top/examples/iot-messages.ndjson" >"$tmp/t"
gzip -n -6 <"$tmp/t" >"$tmp/g6"
gzip -n -1 <"$tmp/t" >"$tmp/g1"
gzip -n -9 <"$tmp/t" >"$tmp/g9"
printf '' | gzip -n >"$tmp/empty"
head -c 1000000 /dev/zero | gzip -n -9 >"$tmp/bomb"
seed gunzip '\000\000\000\006' "$tmp/g6"            # whole, 1-byte pieces
seed gunzip '\010\005\001\042' "$tmp/g9"            # reused reader, fixed pieces
seed gunzip '\003\007\000\061' "$tmp/g1"            # maximum = gzip size: LIMIT
cat "$tmp/g6" "$tmp/empty" "$tmp/g1" | seed gunzip '\000\003\002\123' -  # 3 members
seed gunzip '\006\002\000\044' "$tmp/bomb"          # 64 KiB maximum: LIMIT
seed gunzip '\000\013\000\105' "$tmp/bomb"          # default maximum
head -c 150 "$tmp/g6" | seed gunzip '\000\001\000\006' -       # truncated
{ cat "$tmp/g6"; printf 'junk'; } | seed gunzip '\000\001\000\006' -
{ cat "$tmp/g6"; printf '\000\000'; } | seed gunzip '\000\001\000\006' -
{ cat "$tmp/g6"; printf '\037'; } | seed gunzip '\000\001\000\006' -
# a CRC-32 and an ISIZE that do not match
{ head -c $(($(wc -c <"$tmp/g6") - 8)) "$tmp/g6"; printf '\001\002\003\004'; tail -c 4 "$tmp/g6"; } |
    seed gunzip '\000\002\000\006' -
{ head -c $(($(wc -c <"$tmp/g6") - 4)) "$tmp/g6"; printf '\377\000\000\000'; } |
    seed gunzip '\000\002\000\006' -
# header fields: FNAME, FCOMMENT, FEXTRA, a wrong FHCRC
{ printf '\037\213\010\010\000\000\000\000\000\003name.txt\000'; tail -c +11 "$tmp/g6"; } |
    seed gunzip '\000\004\000\026' -
{ printf '\037\213\010\020\000\000\000\000\000\003a comment\000'; tail -c +11 "$tmp/g6"; } |
    seed gunzip '\000\004\000\026' -
{ printf '\037\213\010\004\000\000\000\000\000\003\006\000AB\002\000xy'; tail -c +11 "$tmp/g6"; } |
    seed gunzip '\000\004\000\026' -
{ printf '\037\213\010\002\000\000\000\000\000\003\000\000'; tail -c +11 "$tmp/g6"; } |
    seed gunzip '\000\004\000\026' -
# a stored block ("abc"), a bad method, zlib (not gzip) and raw text
printf '\037\213\010\000\000\000\000\000\000\377\001\003\000\374\377abc\302\101\044\065\003\000\000\000' |
    seed gunzip '\000\000\000\140' -
printf '\037\213\007\000\000\000\000\000\000\377\001\003\000\374\377abc' |
    seed gunzip '\000\000\000\000' -
printf '\170\234\113\114\112\006\000\002\115\001\047' | seed gunzip '\000\000\000\000' -
seed gunzip '\000\027\000\011' "$tmp/t"             # round trip at level 9
seed gunzip '\000\202\000\160' "$tmp/t"             # level 0, 64 KiB pieces

# ---- cwlogs: [mode|lines|reuse|max][level][cut] 0 ---------------------------
# the real payloads: the SAM CLI Firehose event's gzip records (a
# CONTROL_MESSAGE and DATA_MESSAGEs), as they come and decompressed
sam=$peers/aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json
pt=$peers/powertools-lambda-typescript/stream-cloudwatch-logs.json
if [ -x "$fhx" ]; then
    "$fhx" decode --json "$sam" | sed 's/.*"data":"\([^"]*\)".*/\1/' |
        while IFS= read -r b; do
        printf '%s' "$b" | base64 -d | seed cwlogs '\000\000\000\000' -
        printf '%s' "$b" | base64 -d | seed cwlogs '\014\000\000\000' -
        printf '%s' "$b" | base64 -d | gzip -dc | seed cwlogs '\001\006\000\000' -
        printf '%s' "$b" | base64 -d | gzip -dc | seed cwlogs '\026\001\200\000' -
    done
fi
grep -o '"data": *"[^"]*"' "$pt" | sed 's/.*"\([^"]*\)"$/\1/' |
    while IFS= read -r b; do
    printf '%s' "$b" | base64 -d | seed cwlogs '\000\000\000\000' -
    printf '%s' "$b" | base64 -d | gzip -dc | seed cwlogs '\004\000\000\000' -
    printf '%s' "$b" | base64 -d | gzip -dc | seed cwlogs '\003\006\003\000' -
done
for d in \
    '{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/f","logStream":"2024/01/01/[$LATEST]abc","subscriptionFilters":["sf"],"logEvents":[{"id":"1","timestamp":1510254471089,"message":"plain line\n"},{"id":"2","timestamp":1510254471090,"message":"crlf\r\n"},{"id":"3","timestamp":1,"message":""},{"id":"4","timestamp":2,"message":"\r\n"},{"id":"5","timestamp":3,"message":"REPORT RequestId: x\tDuration: 1 ms\nsecond line"}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"esc \u00e9 \ud83d\ude00 \ud800 \"q\" \\ \/ \b\f\t\u0000"},{"message":"no id","timestamp":-1.5e3}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[]}' \
    '{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1510254471089,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}' \
    '{"messageType":"CONTROL_MESSAGE"}' \
    '{"messageType":"OTHER_MESSAGE","logEvents":[]}' \
    '{"messag\u0065Type":"DATA_\u004dESSAGE","logEvents":[{"m\u0065ssage":"escaped keys"}],"extra":{"a":[1,true,null,{"b":false}]}}' \
    '{"messageType":"DATA_MESSAGE","messageType":"DATA_MESSAGE","logEvents":[]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a","message":"b"}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"id":1,"message":"a"}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":"1","message":"a"}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"x"}]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[1]}' \
    '{"messageType":"DATA_MESSAGE","subscriptionFilters":[1],"logEvents":[]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":{}}' \
    '{"messageType":"DATA_MESSAGE"}' \
    '{"owner":"1","logEvents":[]}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a"}]} x' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a"}' \
    '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a\q"}]}' \
    '{"messageType":"DATA_MESSAGE","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"logEvents":[]}' \
    '[{"messageType":"DATA_MESSAGE"}]' \
    '  '; do
    text cwlogs '\000\000\000\000' "$d"
    text cwlogs '\005\011\000\000' "$d"
done
text cwlogs '\002\006\100\000' '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"split across two members"}]}'
text cwlogs '\003\006\004\000' '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"cut short"}]}'
text cwlogs '\021\006\000\000' '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"over the maximum"}]}'
head -c 1000000 /dev/zero | gzip -n -9 | seed cwlogs '\000\000\000\000' -
rm -rf "$tmp"

echo "seeds: $(ls "$c"/*/seed-* | wc -l)"
