"""Turn a record handler into a Lambda function for the Python runtime.

    import firehose_xform

    @firehose_xform.lambda_handler
    def handler(record_id, data, arrival_ms, metadata):
        return data.rstrip(b"\\n") + b"\\n"

    # or, no Python per record at all:
    handler = firehose_xform.lambda_handler("ndjson")

What the Python runtime costs. Firehose invokes the function with the
event as JSON; the Python runtime parses it into a dict before the handler
runs (the runtime does it, nothing here can avoid it) and serialises
whatever the handler returns. The C engine reads JSON, so a dict event is
serialised once more (json.dumps, compact, ASCII). Then:

  - raw=False (default): the response is parsed into a dict and returned;
    the runtime serialises it again. Works on every runtime.
  - raw=True: the response JSON is returned as bytes. The AWS Python
    runtime interface client (awslambdaric, LambdaMarshaller.
    marshal_response) sends a bytes result as it is, without JSON
    encoding, so the response is serialised exactly once, by the C engine.
    Check it on the runtime version you deploy (a runtime that does not
    pass bytes through fails the invocation, and Firehose retries).

make python-bench measures both against a plain json+base64 handler. A
custom runtime (or a container image) that hands the event bytes to the
handler avoids the dict altogether: bytes in, bytes out.
"""

import functools
import json

from .transform import transform


def lambda_handler(handler=None, *, raw=False, limit=None):
    """Decorate handler(record_id, data, arrival, metadata), or name a
    built-in C handler ("identity", "ndjson", "drop", "fail").

    The result is a function(event, context) for the Lambda Python runtime:
    event is the dict the runtime passes (or the raw event bytes); it
    returns the response as a dict, or as bytes when raw=True. An event
    that is not a Firehose event raises (the invocation fails and Firehose
    retries the batch, then sends it to its error output).
    """
    if handler is None:
        return functools.partial(lambda_handler, raw=raw, limit=limit)

    def function(event, context=None):
        response = transform(event, handler, limit=limit)
        return response if raw else json.loads(response)

    if not isinstance(handler, str):
        functools.update_wrapper(function, handler)
    function.raw = raw
    return function
