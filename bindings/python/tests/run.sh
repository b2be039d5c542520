#!/bin/sh
# make check: the Python binding's tests (pytest) against the package
# staged in the build tree (make python-stage).
#   PYTHON       the interpreter configure chose
#   FHXPY_STAGE  the staged package directory
#   FHX_SHARED_DIR  shared/ (peer fixtures)
set -eu
here=$(cd -- "$(dirname -- "$0")" && pwd)
: "${PYTHON:?}" "${FHXPY_STAGE:?}"
if ! "$PYTHON" -c 'import pytest' >/dev/null 2>&1; then
    echo "SKIP: pytest is not installed for $PYTHON (apt-get install python3-pytest)"
    exit 77
fi
if [ ! -f "$FHXPY_STAGE/firehose_xform/__init__.py" ]; then
    echo "FAIL: $FHXPY_STAGE holds no staged package (make python-stage)"
    exit 1
fi
cd "$FHXPY_STAGE"
PYTHONPATH=$FHXPY_STAGE PYTHONDONTWRITEBYTECODE=1 exec "$PYTHON" -m pytest \
    -q -p no:cacheprovider -rs "$here"
