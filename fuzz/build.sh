#!/bin/sh
# Build the libFuzzer harnesses, OSS-Fuzz style.
#
#   CC                  compiler (default clang)
#   CFLAGS              instrumentation flags (default: ASan + UBSan +
#                       fuzzer-no-link, as OSS-Fuzz passes them)
#   LIB_FUZZING_ENGINE  the engine to link (default -fsanitize=fuzzer)
#   OUT                 where the binaries go (default build/fuzz/out)
#   SRC                 the source tree (default: this script's parent)
#
# The library sources are compiled directly (no configure, no libtool);
# every fuzz/fuzz_*.c becomes $OUT/fuzz_NAME, with its dictionary
# ($OUT/fuzz_NAME.dict) and seed corpus ($OUT/fuzz_NAME_seed_corpus.zip,
# when zip is installed) beside it. A new harness file is picked up
# without editing this script.
set -eu
SRC=${SRC:-$(cd "$(dirname "$0")/.." && pwd)}
CC=${CC:-clang}
CFLAGS=${CFLAGS:--O1 -g -gdwarf-4 -fno-omit-frame-pointer \
-fsanitize=address,undefined -fno-sanitize-recover=all \
-fsanitize=fuzzer-no-link}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
OUT=${OUT:-$SRC/build/fuzz/out}
WORK=${WORK:-$OUT/.work}

mkdir -p "$OUT" "$WORK/include/fhx" "$WORK/obj"

# include/fhx/version.h, as configure would write it
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([0-9.]*\)\].*/\1/p' "$SRC/configure.ac")
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}; patch=${rest#*.}
sed -e "s/@FHX_VERSION_MAJOR@/$major/" -e "s/@FHX_VERSION_MINOR@/$minor/" \
    -e "s/@FHX_VERSION_PATCH@/$patch/" -e "s/@PACKAGE_VERSION@/$version/" \
    "$SRC/include/fhx/version.h.in" >"$WORK/include/fhx/version.h"

inc="-I$SRC/include -I$WORK/include -I$SRC/src -I$SRC/fuzz"
# shellcheck disable=SC2086
{
    # The SIMD kernels, each with only its own ISA flags (as
    # m4/fhx_simd.m4 does), so the differential harnesses see them all;
    # isa.c learns which ones exist from -DFHX_KERNEL_<ISA>.
    objs=""
    kdefs=""
    case "${FHX_ARCH:-$(uname -m)}" in
    x86_64|amd64)
        $CC -std=c11 $CFLAGS $inc -DFHX_BUILDING -mavx2 \
            -c "$SRC/src/kernel_avx2.c" -o "$WORK/obj/lib_kernel_avx2.o"
        $CC -std=c11 $CFLAGS $inc -DFHX_BUILDING \
            -mavx512f -mavx512bw -mavx512vbmi \
            -c "$SRC/src/kernel_avx512.c" -o "$WORK/obj/lib_kernel_avx512.o"
        objs="$WORK/obj/lib_kernel_avx2.o $WORK/obj/lib_kernel_avx512.o"
        kdefs="-DFHX_KERNEL_AVX2=1 -DFHX_KERNEL_AVX512=1" ;;
    aarch64|arm64)
        $CC -std=c11 $CFLAGS $inc -DFHX_BUILDING \
            -c "$SRC/src/kernel_neon.c" -o "$WORK/obj/lib_kernel_neon.o"
        objs="$WORK/obj/lib_kernel_neon.o"
        kdefs="-DFHX_KERNEL_NEON=1" ;;
    esac
    for f in "$SRC"/src/*.c; do
        case "$f" in */kernel_avx2.c|*/kernel_avx512.c|*/kernel_neon.c)
            continue ;; esac
        o="$WORK/obj/lib_$(basename "$f" .c).o"
        $CC -std=c11 $CFLAGS $inc $kdefs -DFHX_BUILDING -c "$f" -o "$o"
        objs="$objs $o"
    done
    $CC -std=c11 $CFLAGS $inc -c "$SRC/fuzz/fuzz_util.c" \
        -o "$WORK/obj/fuzz_util.o"
    for f in "$SRC"/fuzz/fuzz_*.c; do
        name=$(basename "$f" .c)
        [ "$name" = fuzz_util ] && continue
        $CC -std=c11 $CFLAGS $inc -DFHXF_LIBFUZZER -c "$f" \
            -o "$WORK/obj/$name.o"
        $CC $CFLAGS $LIB_FUZZING_ENGINE "$WORK/obj/$name.o" \
            "$WORK/obj/fuzz_util.o" $objs -lb64 -lz -o "$OUT/$name"
        h=${name#fuzz_}
        if [ -f "$SRC/fuzz/dict/$h.dict" ]; then
            cp "$SRC/fuzz/dict/$h.dict" "$OUT/$name.dict"
        fi
        if [ -d "$SRC/fuzz/corpus/$h" ] && command -v zip >/dev/null 2>&1; then
            rm -f "$OUT/${name}_seed_corpus.zip"
            (cd "$SRC/fuzz/corpus/$h" && zip -q -j -r \
                "$OUT/${name}_seed_corpus.zip" .)
        fi
        echo "built $OUT/$name"
    done
}
