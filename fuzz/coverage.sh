#!/bin/sh
# Line coverage of src/ by `make check` (the Check suites, the corpora
# replay, the allocation walk): a gcc --coverage build in COVDIR, then
# gcovr. Run through `make coverage`; fails under FHX_COVERAGE_MIN percent.
#
#   sh fuzz/coverage.sh SRCDIR COVDIR
#
# Needs gcovr (Debian package gcovr; .ci/deps --test installs it). The
# source tree must not be configured in place (build out of tree).
set -eu
src=$(cd "$1" && pwd)
cov=$2
min=${FHX_COVERAGE_MIN:-90}
shared=${FHX_SHARED_DIR:-$src/../shared}
if ! command -v gcovr >/dev/null 2>&1; then
    echo "coverage: gcovr is not installed (apt-get install gcovr)" >&2
    exit 1
fi
rm -rf "$cov"
mkdir -p "$cov"
cd "$cov"
"$src/configure" -q --disable-shared --with-shared="$shared" CC=gcc \
    CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage"
rm -f ./*conftest*.gcno ./*conftest*.gcda # configure's probes
make -s -j2 >/dev/null
make -s -j2 check >/dev/null || {
    echo "coverage: make check failed in $cov" >&2; exit 1; }
# per-file table, then the summary; gcovr exits non-zero under the minimum
st=0
gcovr -r "$src" --filter "$src/src/" --txt "$cov/coverage.txt" \
    --html-details "$cov/coverage.html" --print-summary \
    --fail-under-line "$min" "$cov" >"$cov/summary.txt" 2>&1 || st=$?
cat "$cov/coverage.txt" "$cov/summary.txt"
echo "coverage: report in $cov/coverage.txt and $cov/coverage.html (minimum $min %)"
exit $st
