/*
 * libfirehose-xform: the engine of an Amazon Data Firehose transformation
 * Lambda. Umbrella header: include this one.
 *
 *   fhx/common.h     status codes, errors, slices, allocator, buffers
 *   fhx/b64.h        strict base64 (RFC 4648), one-shot and streaming
 *   fhx/isa.h        kernel selection (scalar; SIMD kernels plug in here)
 *   fhx/event.h      streaming, zero-copy event decoder
 *   fhx/frame.h      message framing inside a record's payload
 *   fhx/response.h   resumable response writer with the recordId guard
 *   fhx/verify.h     checking a response against its event
 *   fhx/transform.h  one-shot transform and built-in handlers
 *   fhx/gzip.h       streaming gzip writer, bounded gunzip
 *   fhx/cwlogs.h     CloudWatch Logs records and their handler
 *   fhx/replay.h     Firehose processing-failed error objects
 *   fhx/iot.h        the "iot" handler: IoT messages, partitioned by topic
 */
#ifndef FIREHOSE_XFORM_H
#define FIREHOSE_XFORM_H

#include "fhx/version.h"
#include "fhx/common.h"
#include "fhx/b64.h"
#include "fhx/isa.h"
#include "fhx/event.h"
#include "fhx/frame.h"
#include "fhx/response.h"
#include "fhx/verify.h"
#include "fhx/transform.h"
#include "fhx/gzip.h"
#include "fhx/cwlogs.h"
#include "fhx/replay.h"
#include "fhx/iot.h"

#endif /* FIREHOSE_XFORM_H */
