"""gzip helpers (CloudWatch Logs payloads arrive gzipped; S3 objects may be
written gzipped).

The library's own gzip module (issue 4: fhx gzip over zlib, streaming, with
exact bounds) is being written on another branch. When the native module
exposes it (native.gzip_compress / native.gzip_decompress), these functions
use it; until then they use the zlib module of the standard library, which
wraps the same zlib. NATIVE says which one is in use.
"""

import zlib

from . import native

NATIVE = hasattr(native, "gzip_compress") and hasattr(native,
                                                       "gzip_decompress")

_GZIP_WBITS = 16 + zlib.MAX_WBITS   # gzip framing, as deflateInit2 takes it


def gzip(data, level=6):
    """Compress data (bytes-like) into one gzip member."""
    if NATIVE:
        return native.gzip_compress(data, level)
    c = zlib.compressobj(level, zlib.DEFLATED, _GZIP_WBITS)
    return c.compress(data) + c.flush()


def gunzip(data):
    """Decompress gzip data (every member, as CloudWatch Logs sends it)."""
    if NATIVE:
        return native.gzip_decompress(data)
    out = []
    while data:
        d = zlib.decompressobj(_GZIP_WBITS)
        out.append(d.decompress(data))
        if not d.eof:
            raise zlib.error("truncated gzip data")
        data = d.unused_data
    return b"".join(out)
