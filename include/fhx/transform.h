/*
 * libfirehose-xform: the one-shot transform (event in, a handler per
 * record, response out), built on the event decoder and the response
 * writer, and the built-in record handlers.
 *
 *     fhx_transformer *t;
 *     const char *resp; size_t resp_len;
 *     fhx_transformer_new(&t, NULL);
 *     if (fhx_transform(t, event, len, fhx_handler_ndjson, NULL,
 *                       &resp, &resp_len) == FHX_OK) { ... send resp ... }
 *     else { ... fhx_transform_error(t) ... }
 *     fhx_transformer_free(t);
 *
 * For each record the transformer decodes the payload into a reused scratch
 * buffer and calls the handler. A record whose payload is invalid is
 * answered ProcessingFailed without calling the handler; a handler that
 * returns a negative status, or an answer the writer refuses (a result out
 * of range, a partition key that is not UTF-8, a NULL payload with a
 * length), gets its record answered ProcessingFailed, except FHX_E_NOMEM,
 * which fails the whole call (running out of memory is not the record's
 * fault: Firehose retries the batch). The other records go through.
 * Event-level errors (the event cannot be parsed) fail the whole call: no
 * response is produced.
 *
 * The limit: an answer that would take the response past the limit is
 * replaced by ProcessingFailed without data (Firehose then keeps the
 * record, with its original data, in its error output). When even that
 * answer does not fit, the latest answers already written are rewritten in
 * their smallest form (Ok becomes ProcessingFailed without data; Dropped
 * and ProcessingFailed lose their data and partition keys) until it does.
 * So every record is answered whenever ProcessingFailed answers to all the
 * records of the event fit under the limit; only when they do not does the
 * call fail with FHX_E_LIMIT. Room is made for the answer plus a slack that
 * doubles each time (none the first time, then 4 KiB, 8 KiB, ...), so an
 * event needs a logarithmic number of rewrites; the whole-event and the
 * chunked calls follow the same rule and give byte-identical responses.
 * stats.over_limit counts the records answered ProcessingFailed either way.
 *
 * The response lives in the transformer's buffer until the next call or
 * free. A transformer reuses all of its memory from event to event.
 */
#ifndef FHX_TRANSFORM_H
#define FHX_TRANSFORM_H

#include "common.h"
#include "event.h"
#include "response.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A record handler.
 * @param ctx the caller's context.
 * @param rec the record (status FHX_OK).
 * @param data, len the decoded payload (valid during the call).
 * @param out an empty scratch buffer for the transformed payload, reused
 *        between records; grow it with fhx_buf_reserve/fhx_buf_append.
 * @param ans preset to {FHX_RESULT_OK, no payload, no keys}. Set result;
 *        for Ok either leave the payload unset (the content of out is
 *        used) or point data/data_b64 at bytes that stay valid until the
 *        handler's caller has written them (e.g. the input data).
 * @return FHX_OK, or a negative status: the record is answered
 *         ProcessingFailed (FHX_E_NOMEM: the transform fails with it).
 */
typedef int (*fhx_handler_fn)(void *ctx, const fhx_record *rec,
                              const uint8_t *data, size_t len, fhx_buf *out,
                              fhx_answer *ans);

/** Ok, payload unchanged (the transformer echoes the base64 as is). */
FHX_API int fhx_handler_identity(void *ctx, const fhx_record *rec,
                                 const uint8_t *data, size_t len,
                                 fhx_buf *out, fhx_answer *ans);

/**
 * Frame the payload on "\n" or "\r\n" and answer Ok with each non-empty
 * message followed by exactly one "\n"; Dropped when there is no message.
 */
FHX_API int fhx_handler_ndjson(void *ctx, const fhx_record *rec,
                               const uint8_t *data, size_t len, fhx_buf *out,
                               fhx_answer *ans);

/** Dropped, always. */
FHX_API int fhx_handler_drop(void *ctx, const fhx_record *rec,
                             const uint8_t *data, size_t len, fhx_buf *out,
                             fhx_answer *ans);

/** ProcessingFailed, always. */
FHX_API int fhx_handler_fail(void *ctx, const fhx_record *rec,
                             const uint8_t *data, size_t len, fhx_buf *out,
                             fhx_answer *ans);

/**
 * A built-in handler by name: "identity", "ndjson", "drop", "fail",
 * "cloudwatch-logs" (fhx_handler_cloudwatch_logs, cwlogs.h), "iot" (fhx/iot.h).
 * @return the handler, or NULL for an unknown name.
 */
FHX_API fhx_handler_fn fhx_handler_find(const char *name);

/** Counters of the last transform. */
typedef struct fhx_transform_stats {
    size_t records;    /**< records in the event */
    size_t ok;         /**< answered Ok */
    size_t dropped;    /**< answered Dropped */
    size_t failed;     /**< answered ProcessingFailed (all causes) */
    size_t invalid;    /**< ... because the payload was invalid */
    size_t handler_errors; /**< ... because the handler failed */
    size_t over_limit; /**< ... because the answer passed the limit, or
                            was rewritten to make room under it */
    size_t bytes_in;   /**< event bytes */
    size_t bytes_out;  /**< response bytes */
} fhx_transform_stats;

/** Opaque transformer. */
typedef struct fhx_transformer fhx_transformer;

/** @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM. */
FHX_API int fhx_transformer_new(fhx_transformer **out,
                                const fhx_allocator *alc);

/** Free (NULL allowed). */
FHX_API void fhx_transformer_free(fhx_transformer *t);

/**
 * Response size limit for the following transforms (default
 * FHX_LAMBDA_RESPONSE_LIMIT).
 * @return FHX_OK, FHX_E_ARG.
 */
FHX_API int fhx_transformer_set_limit(fhx_transformer *t, size_t limit);

/**
 * Transform a whole event.
 * @param fn the handler (NULL: identity).
 * @param out, out_len set to the response on FHX_OK.
 * @return FHX_OK; an event-level error (fhx_transform_error says where);
 *         FHX_E_NOMEM; FHX_E_LIMIT (ProcessingFailed answers to the records
 *         of the event do not all fit under the limit); FHX_E_ARG.
 */
FHX_API int fhx_transform(fhx_transformer *t, const char *event, size_t len,
                          fhx_handler_fn fn, void *ctx, const char **out,
                          size_t *out_len);

/**
 * Chunked form: begin, feed pieces of any size (each piece is consumed
 * before the call returns, so it may be reused at once), then finish.
 * The response is byte-identical to fhx_transform's for every split.
 * @return begin: FHX_OK, FHX_E_ARG. feed: FHX_OK or a negative error.
 *         finish: as fhx_transform.
 */
FHX_API int fhx_transform_begin(fhx_transformer *t, fhx_handler_fn fn,
                                void *ctx);
FHX_API int fhx_transform_feed(fhx_transformer *t, const char *chunk,
                               size_t len);
FHX_API int fhx_transform_finish(fhx_transformer *t, const char **out,
                                 size_t *out_len);

/** The last transform's error (code FHX_OK when none). */
FHX_API const fhx_error *fhx_transform_error(const fhx_transformer *t);

/** The last transform's counters. */
FHX_API const fhx_transform_stats *fhx_transform_get_stats(
    const fhx_transformer *t);

#ifdef __cplusplus
}
#endif

#endif /* FHX_TRANSFORM_H */
