#!/bin/sh
# The shared library exports exactly the symbols in tests/symbols.txt, all
# prefixed fhx_, and the public headers compile as strict C99 and as C++.
set -eu
lib="${FHX_LIBDIR:-.libs}/libfirehose-xform.so"
want="${FHX_SYMBOLS:-tests/symbols.txt}"
if [ ! -f "$lib" ]; then
    echo "symbols: $lib not built (static-only build?)"
    exit 77
fi
got=$(mktemp)
trap 'rm -f "$got" "$got.c" "$got.cc" "$got.o"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRV]$/ { print $3 }' |
    sed 's/@.*//' | sort -u >"$got"
if grep -v '^fhx_' "$got"; then
    echo "symbols: exported names without the fhx_ prefix (above)"
    exit 1
fi
if ! diff -u "$want" "$got"; then
    echo "symbols: exports differ from $want (- expected, + exported)"
    exit 1
fi
echo "symbols: $(wc -l <"$got") exported, all expected"

inc="${FHX_INCLUDE:-include}"
gen="${FHX_GEN_INCLUDE:-include}"
printf '#include "firehose-xform.h"\nint main(void) { return fhx_version_number() ? 0 : 1; }\n' >"$got.c"
${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -I"$inc" -I"$gen" \
    -c "$got.c" -o "$got.o"
echo "headers: compile as C99"
if command -v "${CXX:-c++}" >/dev/null 2>&1; then
    cp "$got.c" "$got.cc"
    "${CXX:-c++}" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$inc" \
        -I"$gen" -c "$got.cc" -o "$got.o"
    echo "headers: compile as C++11"
fi
echo "1 passed, 0 failed"
