"""firehose_xform: the libfirehose-xform engine for Amazon Data Firehose
transformation Lambdas, from Python.

    import firehose_xform as fx

    response = fx.transform(event_bytes, "ndjson")        # all in C
    response = fx.transform(event_bytes, my_handler)      # Python per record
    for rec in fx.decode(event_bytes): ...                 # Record tuples
    builder = fx.ResponseBuilder(event_bytes)              # answer by hand

Errors raise FirehoseXformError subclasses carrying code, offset (bytes),
record and message. See README.md, "Python".
"""

from . import native
from .errors import (FirehoseXformError, InvalidEventError, JSONError,
                     TruncatedError, SchemaError, DepthError,
                     DuplicateRecordIdError, Base64Error, NoDataError,
                     LimitError, OutputError, UnknownRecordIdError,
                     MissingRecordIdError, ResultError, HandlerError,
                     ZlibError, VersionError, ArgumentError, StateError,
                     OutOfMemoryError, error_class)
from .records import (Record, decode, ResponseBuilder, FAILED, OK, DROPPED,
                      PROCESSING_FAILED)
from .transform import Transformer, transform, last_stats, BUILTIN_HANDLERS
from .lambda_handler import lambda_handler
from .compression import gzip, gunzip
from . import errors as _errors

native.setup(_errors._from_native, FAILED, Record)

__version__ = native.version()
LAMBDA_RESPONSE_LIMIT = native.LAMBDA_RESPONSE_LIMIT


def b64encode(data):
    """Strict base64 (RFC 4648, padded, no line breaks) of a bytes-like
    object, as bytes."""
    return native.b64encode(data)


def b64decode(text):
    """Strictly decode base64 (bytes-like or ASCII str): no whitespace, no
    URL-safe alphabet, padding required, zero trailing bits. Raises
    Base64Error with the byte offset of the first offending character."""
    return native.b64decode(text)


__all__ = [
    "transform", "Transformer", "decode", "Record", "ResponseBuilder",
    "lambda_handler", "b64encode", "b64decode", "gzip", "gunzip", "FAILED",
    "OK", "DROPPED", "PROCESSING_FAILED", "BUILTIN_HANDLERS", "last_stats",
    "LAMBDA_RESPONSE_LIMIT", "FirehoseXformError", "InvalidEventError",
    "JSONError", "TruncatedError", "SchemaError", "DepthError",
    "DuplicateRecordIdError", "Base64Error", "NoDataError", "LimitError",
    "OutputError", "UnknownRecordIdError", "MissingRecordIdError",
    "ResultError", "HandlerError", "ZlibError", "VersionError",
    "ArgumentError", "StateError", "OutOfMemoryError", "error_class",
]
