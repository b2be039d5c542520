#!/bin/sh
# The real bootstrap through the Runtime API emulator (scenarios.py): many
# invocations, a malformed event, ~6 MB events, a response that would pass
# the limit, handler failures, the deadline guard, reconnects, init errors,
# SIGTERM. Needs python3 (standard library only; .ci/deps installs it).
set -eu
dir=${FHX_LAMBDA_DIR:-$(cd "$(dirname "$0")" && pwd)}
py=${PYTHON3:-python3}
boot=${FHX_LAMBDA_BOOTSTRAP:-./examples/lambda/bootstrap}
if ! command -v "$py" >/dev/null 2>&1; then
    echo "test-runtime: python3 is required (run: sh .ci/deps)" >&2
    exit 99
fi
exec "$py" "$dir/scenarios.py" --bootstrap "$boot" --fhx "${FHX_BIN:-./fhx}" \
    --gen "$dir/../../bench/gen_iot.py" \
    --messages "$dir/../iot-messages.ndjson" "$@"
