/*
 * libfirehose-xform: checking a response against its event.
 *
 * fhx_verify_response() tells whether RESPONSE is a valid answer to EVENT,
 * the way Firehose judges it (docs/contract.md section 2): a JSON object
 * with a "records" array; each element an object with a string recordId of
 * the event, a result of exactly "Ok", "Dropped" or "ProcessingFailed", a
 * payload ("data", or "kafkaRecordValue" for records that came with it)
 * that is strict base64 and present on Ok; metadata, when present, an
 * object whose partitionKeys is an object of strings; every recordId of the
 * event exactly once; the whole response within the size limit. It lists
 * every problem it finds, not just the first.
 *
 * recordIds are compared by their decoded value (JSON escapes resolved).
 * Not a hot-path function: it allocates through alc.
 */
#ifndef FHX_VERIFY_H
#define FHX_VERIFY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One problem found in a response. */
typedef struct fhx_problem {
    int code;        /**< FHX_E_JSON, _SCHEMA, _RESULT, _BASE64, _NO_DATA,
                          _UNKNOWN_ID, _DUPLICATE_ID, _MISSING_ID, _LIMIT */
    size_t offset;   /**< byte offset in the response; for FHX_E_MISSING_ID,
                          in the event (the missing record) */
    int in_event;    /**< 1 when offset is in the event, else 0 */
    size_t record;   /**< index in the response's records array (in the
                          event's for FHX_E_MISSING_ID), or FHX_NO_RECORD */
    fhx_slice id;    /**< the recordId concerned (raw), when there is one */
    const char *msg; /**< static message */
} fhx_problem;

/** Called once per problem, in order of discovery. */
typedef void (*fhx_problem_fn)(void *ctx, const fhx_problem *problem);

/**
 * Check a response against its event.
 * @param limit size limit; 0 means FHX_LAMBDA_RESPONSE_LIMIT.
 * @param fn called for each problem (may be NULL).
 * @param n_problems set to the number of problems (may be NULL).
 * @param alc allocator (NULL: libc).
 * @param err when the event itself is invalid: its decoder error.
 * @return FHX_OK when the check ran (the response is valid iff
 *         *n_problems is 0); the event's error code when the event is not a
 *         valid Firehose event (err filled); FHX_E_NOMEM; FHX_E_ARG.
 */
FHX_API int fhx_verify_response(const char *event, size_t event_len,
                                const char *response, size_t response_len,
                                size_t limit, fhx_problem_fn fn, void *ctx,
                                size_t *n_problems, const fhx_allocator *alc,
                                fhx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FHX_VERIFY_H */
