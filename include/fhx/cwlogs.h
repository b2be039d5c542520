/*
 * libfirehose-xform: CloudWatch Logs subscription data in Firehose records.
 *
 * A CloudWatch Logs subscription to Firehose delivers, in each record, one
 * gzip stream holding one JSON document (docs/contract.md section 5):
 *
 *   {"messageType":"DATA_MESSAGE","owner":"123456789012",
 *    "logGroup":"...","logStream":"...","subscriptionFilters":["..."],
 *    "logEvents":[{"id":"...","timestamp":1510254471089,"message":"..."}]}
 *
 * messageType is DATA_MESSAGE, or CONTROL_MESSAGE for the reachability
 * probes CloudWatch Logs sends now and then.
 *
 * The reader works on the decompressed document held whole in memory:
 * fhx_cwlogs_parse validates all of it (strict RFC 8259 JSON, the shape
 * below) and fills the header; fhx_cwlogs_next then yields the log events.
 * Strings are reported raw (the bytes between the quotes, JSON escapes
 * kept, like event.h); fhx_json_unescape decodes them. Nothing is
 * allocated; slices point into the document.
 *
 * Shape: a JSON object; messageType (string) required; owner, logGroup,
 * logStream (strings), subscriptionFilters (array of strings) optional;
 * logEvents (array of objects) required for DATA_MESSAGE; each log event
 * has a string message (required), a string id and a number timestamp
 * (optional). Unknown members are skipped; a repeated known member is
 * FHX_E_SCHEMA. Errors: FHX_E_JSON, FHX_E_TRUNCATED, FHX_E_DEPTH (the JSON),
 * FHX_E_SCHEMA (the shape), with the offset in the document.
 *
 * The record handler fhx_handler_cloudwatch_logs (name "cloudwatch-logs"
 * in fhx_handler_find) turns each record into:
 *   - CONTROL_MESSAGE: Dropped;
 *   - DATA_MESSAGE: Ok, one line per log event: the message with its
 *     trailing "\r"/"\n" bytes removed, then exactly one "\n" (messages that
 *     are empty after that are skipped; Dropped when none is left). A
 *     message that holds line breaks inside it (a stack trace, the Lambda
 *     REPORT line) keeps them: the text mode never rewrites a log message.
 *     With FHX_CWLOGS_JSON_LINES each log event is one JSON line instead,
 *     {"logGroup":..,"logStream":..,"id":..,"timestamp":..,"message":..},
 *     which is one line per event whatever the message holds;
 *   - anything else (not gzip and not JSON, corrupt or truncated gzip, a
 *     payload that decompresses past the maximum, bad JSON or shape, an
 *     unknown messageType): a negative status, so the transformer answers
 *     that record ProcessingFailed and the rest of the batch goes through
 *     (the AWS blueprint's rules, docs/contract.md section 5).
 * A payload without the gzip magic is read as the JSON document itself
 * (what Firehose's own Decompression processor would hand over).
 */
#ifndef FHX_CWLOGS_H
#define FHX_CWLOGS_H

#include "common.h"
#include "event.h"
#include "gzip.h"
#include "response.h"

#ifdef __cplusplus
extern "C" {
#endif

/** messageType. */
typedef enum fhx_cwlogs_type {
    FHX_CWLOGS_OTHER = 0,   /**< any other string */
    FHX_CWLOGS_DATA = 1,    /**< "DATA_MESSAGE" */
    FHX_CWLOGS_CONTROL = 2  /**< "CONTROL_MESSAGE" */
} fhx_cwlogs_type;

/**
 * A parsed document. Slices are raw string contents (ptr NULL when the
 * member is absent). Members ending in '_' are private.
 */
typedef struct fhx_cwlogs_doc {
    int type;                /**< fhx_cwlogs_type */
    fhx_slice message_type;  /**< as it came */
    fhx_slice owner;         /**< account id ("CloudwatchLogs" for control) */
    fhx_slice log_group;
    fhx_slice log_stream;
    size_t n_filters;        /**< subscriptionFilters entries */
    size_t n_events;         /**< logEvents entries */
    const char *json_;
    size_t len_;
    size_t events_at_;       /**< offset of logEvents' '[' (0: none) */
    size_t next_;            /**< iteration position */
    size_t index_;           /**< next event index */
} fhx_cwlogs_doc;

/** One log event; slices point into the document. */
typedef struct fhx_cwlogs_event {
    size_t index;         /**< position in logEvents */
    size_t offset;        /**< offset of the event's '{' in the document */
    fhx_slice id;         /**< raw; ptr NULL when absent */
    fhx_slice timestamp;  /**< the number token; ptr NULL when absent */
    fhx_slice message;    /**< raw string content */
    int message_escaped;  /**< message holds JSON escapes */
} fhx_cwlogs_event;

/**
 * Validate a whole document and fill doc (ready for fhx_cwlogs_next).
 * @param err filled on failure (may be NULL): offset in json.
 * @return FHX_OK; FHX_E_JSON, FHX_E_TRUNCATED, FHX_E_DEPTH, FHX_E_SCHEMA;
 *         FHX_E_ARG.
 */
FHX_API int fhx_cwlogs_parse(fhx_cwlogs_doc *doc, const char *json,
                             size_t len, fhx_error *err);

/**
 * The next log event of a parsed document.
 * @return FHX_OK, FHX_END, FHX_E_ARG (doc not parsed).
 */
FHX_API int fhx_cwlogs_next(fhx_cwlogs_doc *doc, fhx_cwlogs_event *ev);

/* ==== The record handler ================================================ */

/** Handler flags (fhx_cwlogs_opts.flags). */
enum fhx_cwlogs_flag {
    FHX_CWLOGS_JSON_LINES = 1u << 0 /**< one JSON object per log event */
};

/**
 * Options of fhx_handler_cloudwatch_logs (its ctx; NULL: all defaults).
 * Zero-initialise, then set what you need.
 */
typedef struct fhx_cwlogs_opts {
    /** Maximum decompressed bytes per record; 0: FHX_GUNZIP_RECORD_MAX. */
    size_t max_bytes;
    /** fhx_cwlogs_flag bits. */
    unsigned flags;
    /** A reader to reuse across records (NULL: one per record). */
    fhx_gunzip_reader *reader;
    /** A buffer to reuse for the decompressed document (NULL: one per
     *  record, through the allocator of the handler's output buffer). */
    fhx_buf *scratch;
    /** Called for each record the handler fails, with the reason: the
     *  offset is in the record's decoded payload for gzip errors
     *  (FHX_E_ZLIB, FHX_E_TRUNCATED, FHX_E_LIMIT) and in the decompressed
     *  document for the others; err->record is the record's index. */
    void (*on_error)(void *user, const fhx_record *rec, const fhx_error *err);
    void *user; /**< for on_error */
} fhx_cwlogs_opts;

/**
 * The CloudWatch Logs record handler (fhx_handler_fn; ctx: a
 * fhx_cwlogs_opts or NULL). See the model above.
 * @return FHX_OK (Ok or Dropped); a negative status (the record fails):
 *         as fhx_gunzip_append and fhx_cwlogs_parse, FHX_E_SCHEMA for an
 *         unknown messageType, FHX_E_NOMEM.
 */
FHX_API int fhx_handler_cloudwatch_logs(void *ctx, const fhx_record *rec,
                                        const uint8_t *data, size_t len,
                                        fhx_buf *out, fhx_answer *ans);

#ifdef __cplusplus
}
#endif

#endif /* FHX_CWLOGS_H */
