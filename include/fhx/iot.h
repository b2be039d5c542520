/*
 * libfirehose-xform: IoT Core messages, normalized for S3 and partitioned
 * by topic (the "iot" handler).
 *
 * An IoT topic rule such as
 *     SELECT topic() as topic, * FROM 'iot-test-topic/+'
 * with a Firehose action (separator "\n", docs/contract.md section 4)
 * hands Firehose one record per MQTT message: a JSON object whose "topic"
 * member names the topic the device published to, e.g.
 *     {"topic":"iot-test-topic/dev-1","message":"Hello, world!"}\n
 *
 * Normalizing a message means, exactly:
 *   - the payload must be one JSON object (RFC 8259, strictly: strings are
 *     valid UTF-8 with valid escapes and no raw control characters, numbers
 *     follow the grammar, nesting at most FHX_MAX_DEPTH), optionally
 *     surrounded by JSON whitespace and followed by one "," (so all four
 *     IoT separators, "\n", "\r\n", "\t" and ",", are accepted);
 *   - the line is that object with every insignificant whitespace byte
 *     removed, followed by exactly one "\n". Members keep their order;
 *     strings, keys and numbers are kept byte for byte as they came
 *     (escapes as written: "\u00e9" stays "\u00e9", any JSON reader gives
 *     the same value). Nothing is added, removed or reordered, so the line
 *     is the message, one per line, ready for Athena;
 *   - the object must have exactly one top-level "topic" member (compared
 *     after unescaping), a string that is not empty, has no empty level
 *     ("a//b", "a/"), no control character and is valid UTF-8 after
 *     unescaping. Its levels (split on '/') become the partition keys for
 *     Firehose dynamic partitioning (!{partitionKeyFromLambda:NAME}):
 *         "topic"     the first level     (iot-test-topic)
 *         "device"    the second level    (dev-1), when there is one
 *         "subtopic"  the rest, '/' kept  (a/b), when there are more
 *     The rule's filter 'iot-test-topic/+' delivers exactly two levels;
 *     the IoT policy of template.yaml makes the second the thing name.
 * Anything else is an error with a code, the byte offset in the message
 * and a message: FHX_E_JSON, FHX_E_TRUNCATED, FHX_E_DEPTH (malformed),
 * FHX_E_SCHEMA (not an object, data after the object, no topic, a topic
 * that is not a string or that breaks the rules above). The handler then
 * answers the record ProcessingFailed; Firehose keeps it, raw, in its
 * processing-failed error output.
 *
 * Fast path: a message that is already its normalized line (compact JSON
 * ending with exactly one "\n", which is what the rule above produces) is
 * not copied; the handler then echoes the record's base64 as it came.
 */
#ifndef FHX_IOT_H
#define FHX_IOT_H

#include "common.h"
#include "event.h"
#include "response.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most partition keys a message gets (topic, device, subtopic). */
#define FHX_IOT_MAX_KEYS 3

/** A normalized IoT message. */
typedef struct fhx_iot_message {
    /** The normalized line with its "\n": a view into the message when
     *  unchanged is 1, else into the output buffer. */
    fhx_slice line;
    /** 1 when the message is already normalized (line == the message). */
    int unchanged;
    /** The topic, unescaped: a view into the message, or into the
     *  output buffer after the line when it contained escapes. */
    fhx_slice topic;
    /** Partition keys ("topic", "device", "subtopic"), views into topic
     *  and static key names. */
    fhx_partition_key keys[FHX_IOT_MAX_KEYS];
    size_t n_keys; /**< entries of keys in use (1 to 3) */
} fhx_iot_message;

/**
 * Normalize one IoT message (see the rules above).
 * @param msg, len the message (a record's decoded payload).
 * @param out bytes are appended to it (the line unless unchanged, then the
 *        unescaped topic when it had escapes). Views into out stay valid
 *        until out is next changed; reserving 2 * len + 1 bytes beforehand
 *        guarantees the call does not reallocate it.
 * @param m receives the result.
 * @param err NULL, or receives code, offset in msg and a static message
 *        (record is FHX_NO_RECORD).
 * @return FHX_OK; FHX_E_JSON, FHX_E_TRUNCATED, FHX_E_DEPTH, FHX_E_SCHEMA
 *         (the message is rejected; out may hold partial bytes past its
 *         old length); FHX_E_NOMEM, FHX_E_LIMIT (growing out failed);
 *         FHX_E_ARG (NULL out or m, NULL msg with len > 0).
 */
FHX_API int fhx_iot_normalize(const uint8_t *msg, size_t len, fhx_buf *out,
                              fhx_iot_message *m, fhx_error *err);

/**
 * The "iot" record handler: Ok with the normalized line and
 * metadata.partitionKeys from the topic; a rejected message returns its
 * negative status (the record is answered ProcessingFailed). ctx is
 * unused (NULL). The keys are kept in out after the line, so they live as
 * long as the answer.
 */
FHX_API int fhx_handler_iot(void *ctx, const fhx_record *rec,
                            const uint8_t *data, size_t len, fhx_buf *out,
                            fhx_answer *ans);

#ifdef __cplusplus
}
#endif

#endif /* FHX_IOT_H */
