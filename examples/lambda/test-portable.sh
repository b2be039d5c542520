#!/bin/sh
# The bootstraps run on provided.al2023 (glibc 2.34): each is static (no
# dynamic section) or needs no glibc symbol version newer than 2.34; the
# arm64 one is an AArch64 executable that passes the runtime scenarios
# under qemu-user. Skips (77) only the arm64 part's absence of cross tools.
set -eu
dir=${FHX_LAMBDA_DIR:-$(cd "$(dirname "$0")" && pwd)}
native=${FHX_LAMBDA_BOOTSTRAP:-./examples/lambda/bootstrap}
arm64=${FHX_LAMBDA_ARM64:-./examples/lambda/arm64/bootstrap}
max=2.34
fail=0

# portable FILE NAME: static, or no GLIBC_x.y newer than $max
portable() {
    if ! readelf -d "$1" >/dev/null 2>&1; then
        echo "FAIL: $2: not an ELF file"; fail=1; return
    fi
    if readelf -d "$1" 2>&1 | grep -q "no dynamic section"; then
        echo "ok - $2: static (no dynamic section)"
        return
    fi
    newest=$(readelf -V --wide "$1" | grep -o 'GLIBC_[0-9][0-9.]*' |
        sed 's/GLIBC_//' | sort -u -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
    if [ -z "$newest" ]; then
        echo "ok - $2: dynamic, no glibc symbol versions"
    elif [ "$(printf '%s\n%s\n' "$newest" "$max" |
              sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)" = "$max" ]; then
        echo "ok - $2: dynamic, newest glibc symbol GLIBC_$newest <= $max"
    else
        echo "FAIL: $2: needs GLIBC_$newest (provided.al2023 has $max)"
        fail=1
    fi
}

if [ "${FHX_LAMBDA_STATIC:-yes}" = yes ]; then
    portable "$native" "native bootstrap ($(uname -m))"
else
    # sanitizer builds cannot link statically; the shipping binary is
    # built by examples/lambda/Makefile (static) and checked below
    echo "skip - native bootstrap: this build cannot link statically" \
        "(sanitizers); not the shipping binary"
fi

if [ -z "${AARCH64_CC:-}" ] || [ -z "${QEMU_AARCH64:-}" ]; then
    echo "skip - arm64: cross tools absent (sh .ci/deps --cross installs" \
        "gcc-aarch64-linux-gnu, qemu-user-static, zlib1g-dev:arm64)"
    [ $fail -eq 0 ] && exit 77
    exit 1
fi
if [ ! -x "$arm64" ]; then
    echo "FAIL: $arm64 was not built (make lambda-arm64)"
    exit 1
fi
if readelf -h "$arm64" | grep -q "Machine:.*AArch64"; then
    echo "ok - arm64 bootstrap is an AArch64 executable"
else
    echo "FAIL: $arm64 is not AArch64"; fail=1
fi
portable "$arm64" "arm64 bootstrap"

# the arm64 binary through the Runtime API emulator, under qemu-user
FHX_LAMBDA_WRAP="$QEMU_AARCH64 -L /usr/aarch64-linux-gnu" \
FHX_LAMBDA_BOOTSTRAP="$arm64" \
    sh "$dir/test-runtime.sh" many_invocations_in_a_row \
    malformed_event_goes_to_error handler_failure_is_alone \
    response_limit_setting deadline_guard sigterm_clean_exit || fail=1
exit $fail
