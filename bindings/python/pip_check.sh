#!/bin/sh
# Prove the offline pip install: a fresh virtual environment, pip from
# the system (python3-venv), no package index, no build isolation; then the
# whole pytest suite against the installed package.
#
# usage: pip_check.sh PYTHON BINDINGS_DIR
# The source tree is copied first (pip builds in place: the checkout
# stays clean and may be read-only).
set -eu
PY=$1
src=$(cd -- "$2" && pwd)
top=$(cd -- "$src/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fhx-pip.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/tree/bindings"
cp -R "$top/src" "$top/include" "$top/configure.ac" "$tmp/tree/"
cp -R "$src" "$tmp/tree/bindings/python"
rm -rf "$tmp/tree/bindings/python/build" "$tmp/tree/include/fhx/version.h"

"$PY" -m venv --system-site-packages "$tmp/venv"
vpy=$tmp/venv/bin/python
if "$vpy" -c 'import firehose_xform' >/dev/null 2>&1; then
    echo "pip-check: firehose_xform is importable before the install" >&2
    exit 1
fi
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$vpy" -m pip install -q \
    --no-index --no-build-isolation "$tmp/tree/bindings/python"
cd "$tmp"
"$vpy" - <<'PYEOF'
import firehose_xform as fx, sys
assert fx.__file__.startswith(sys.prefix), fx.__file__
ev = b'{"records":[{"recordId":"a","data":"aGk="}]}'
assert fx.transform(ev, lambda i, d, t, m: d.upper()) == \
    b'{"records":[{"recordId":"a","result":"Ok","data":"SEk="}]}'
print("pip-check: installed", fx.__version__, "at", fx.__file__)
PYEOF
"$vpy" -m pip list 2>/dev/null | grep -i firehose
PYTHONDONTWRITEBYTECODE=1 "$vpy" -m pytest -q -p no:cacheprovider "$src/tests"
