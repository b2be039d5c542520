"""Errors raised by firehose_xform: FirehoseXformError and its family.

Every error carries the library's status ``code`` (an ``fhx_status`` value,
never renumbered), its ``name`` (``"FHX_E_JSON"``), the byte ``offset`` in
the input where the problem was found, the ``record`` index it belongs to
(``None`` when it belongs to no record) and the library's ``message``.
"""

# fhx_status values (include/fhx/common.h); they never change.
E_ARG = -1
E_STATE = -2
E_NOMEM = -3
E_JSON = -4
E_TRUNCATED = -5
E_SCHEMA = -6
E_DEPTH = -7
E_BASE64 = -8
E_NO_DATA = -9
E_LIMIT = -10
E_OUTPUT = -11
E_DUPLICATE_ID = -12
E_UNKNOWN_ID = -13
E_MISSING_ID = -14
E_RESULT = -15
E_HANDLER = -16
E_ZLIB = -17
E_VERSION = -18


class FirehoseXformError(Exception):
    """An error of the library: code, name, offset, record, message."""

    code = 0

    def __init__(self, code, offset=0, record=None, message=""):
        self.code = code
        self.offset = offset
        self.record = record
        self.message = message
        where = "at byte %d" % offset
        if record is not None:
            where += ", record %d" % record
        super().__init__("%s (%s)" % (message, where))

    @property
    def name(self):
        """The status name, e.g. "FHX_E_JSON"."""
        from . import native
        return native.status_name(self.code)

    def __reduce__(self):
        return (type(self), (self.code, self.offset, self.record,
                             self.message))


class InvalidEventError(FirehoseXformError, ValueError):
    """The event cannot be answered at all: not a Firehose event."""


class JSONError(InvalidEventError):
    """Malformed JSON (RFC 8259)."""


class TruncatedError(InvalidEventError):
    """The input ends inside the JSON document."""


class SchemaError(InvalidEventError):
    """Valid JSON, but not the shape of a Firehose event."""


class DepthError(InvalidEventError):
    """Nesting deeper than the library's limit (64)."""


class DuplicateRecordIdError(InvalidEventError):
    """A recordId appears twice (in an event, or answered twice)."""


class Base64Error(FirehoseXformError, ValueError):
    """Invalid base64: character, padding or trailing bits."""


class NoDataError(FirehoseXformError, ValueError):
    """A record without a data string."""


class LimitError(FirehoseXformError):
    """A size limit (the 6,291,556-byte Lambda response) would be passed."""


class OutputError(FirehoseXformError):
    """An output buffer is too small."""


class UnknownRecordIdError(FirehoseXformError, ValueError):
    """An answer for a recordId that is not in the event."""


class MissingRecordIdError(FirehoseXformError):
    """A response closed with a record of the event left unanswered."""


class ResultError(FirehoseXformError, ValueError):
    """A result other than Ok, Dropped or ProcessingFailed."""


class HandlerError(FirehoseXformError):
    """A record handler reported failure."""


class ZlibError(FirehoseXformError):
    """A gzip (zlib) failure."""


class VersionError(FirehoseXformError):
    """Header and library versions differ."""


class ArgumentError(FirehoseXformError, ValueError):
    """An invalid argument."""


class StateError(FirehoseXformError):
    """A call that is not valid in the object's state."""


class OutOfMemoryError(FirehoseXformError, MemoryError):
    """The allocator failed."""


_CLASSES = {
    E_ARG: ArgumentError, E_STATE: StateError, E_NOMEM: OutOfMemoryError,
    E_JSON: JSONError, E_TRUNCATED: TruncatedError, E_SCHEMA: SchemaError,
    E_DEPTH: DepthError, E_BASE64: Base64Error, E_NO_DATA: NoDataError,
    E_LIMIT: LimitError, E_OUTPUT: OutputError,
    E_DUPLICATE_ID: DuplicateRecordIdError,
    E_UNKNOWN_ID: UnknownRecordIdError, E_MISSING_ID: MissingRecordIdError,
    E_RESULT: ResultError, E_HANDLER: HandlerError, E_ZLIB: ZlibError,
    E_VERSION: VersionError,
}


def error_class(code):
    """The exception class for a status code."""
    return _CLASSES.get(code, FirehoseXformError)


def _from_native(code, offset, record, message):
    """The error factory the native module calls (see native.setup)."""
    return error_class(code)(code, offset, record, message)
