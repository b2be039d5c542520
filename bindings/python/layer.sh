#!/bin/sh
# make python-layer: the AWS Lambda layer zip for the Python runtime.
# A layer is extracted under /opt; /opt/python is on the runtime's
# sys.path, so the package goes to python/firehose_xform/.
#
# usage: layer.sh STAGE_DIR OUT.zip   (STAGE_DIR from make python-stage)
set -eu
stage=$1
out=$2
pkg=$stage/firehose_xform
so=$(ls "$pkg"/_native*.so)
layer=bindings/python/layer
rm -rf "$layer" "$out"
mkdir -p "$layer/python"
cp -R "$pkg" "$layer/python/"
strip --strip-unneeded "$layer/python/firehose_xform/"_native*.so
find "$layer" -name '__pycache__' -prune -exec rm -rf {} +
# fixed dates and order, so the same build gives the same zip
find "$layer" -exec touch -h -d @"${SOURCE_DATE_EPOCH:-1700000000}" {} +
(cd "$layer" && find python -print | LC_ALL=C sort |
    zip -q -X -D "$OLDPWD/$out" -@)
glibc=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
arch=$(objdump -f "$so" | sed -n 's/^architecture: \([^,]*\).*/\1/p')
echo "layer: $out ($(wc -c <"$out" | tr -d ' ') bytes)"
echo "  $(basename "$so"): $arch, needs $glibc at most, libc only" \
    "($(objdump -p "$so" | awk '$1 == "NEEDED" { printf "%s ", $2 }'))"
echo "  runtime: the CPython version of the tag above, x86_64 functions"
unzip -l "$out" | sed -n '4,$p' | awk 'NF == 4 { print "  " $4 }'
