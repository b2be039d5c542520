/*
 * libfirehose-xform: reading Firehose's processing-failed error objects,
 * to put their records back through a transform ("replay").
 *
 * Records a transform fails land in the S3 error prefix as JSON objects,
 * one per line (docs/contract.md section 2.4):
 *
 *   {"rawData":"<base64 of the original record>","errorCode":"Lambda...",
 *    "errorMessage":"...","attemptsMade":4,"arrivalTimestamp":1...,
 *    "attemptEndingTimestamp":1...,"lambdaARN":"arn:aws:lambda:..."}
 *
 * AWS documents the key as lambdaArn, a real object spells it lambdaARN,
 * and format-conversion failures capitalise ErrorCode/ErrorMessage, so
 * keys are matched case-insensitively. rawData (a string of strict base64)
 * is required; the other members are optional and reported as they came;
 * unknown members are skipped. A key given twice (in any case) is
 * FHX_E_SCHEMA.
 *
 *     fhx_failed_reader r;
 *     fhx_failed_record rec;
 *     fhx_failed_begin(&r, text, len, &scratch);
 *     while ((st = fhx_failed_next(&r, &rec, &err)) == FHX_OK) ...
 *
 * The text is a sequence of JSON objects separated by whitespace (one per
 * line in practice). Any malformed object stops the iteration with a
 * negative status (err: code, absolute offset in text, the object's index
 * in record, message): a replay should be all or nothing.
 *
 * Memory: nothing is allocated, except when a rawData string contains
 * JSON escapes (a writer that escapes "/" as "\/"): it is then unescaped
 * into the scratch buffer given to begin (without one, such a record is
 * FHX_E_SCHEMA). Slices stay valid until the next call.
 */
#ifndef FHX_REPLAY_H
#define FHX_REPLAY_H

#include "common.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One error-object record. */
typedef struct fhx_failed_record {
    size_t index;           /**< 0-based position in the text */
    size_t offset;          /**< absolute offset of its '{' */
    size_t length;          /**< bytes of the object */
    fhx_slice raw_data;     /**< rawData: strict base64, escapes resolved */
    size_t raw_data_offset; /**< absolute offset of rawData's content */
    size_t data_len;        /**< decoded length of rawData */
    fhx_meta_value error_code;            /**< errorCode */
    fhx_meta_value error_message;         /**< errorMessage */
    fhx_meta_value attempts_made;         /**< attemptsMade */
    fhx_meta_value arrival_timestamp;     /**< arrivalTimestamp */
    fhx_meta_value attempt_ending_timestamp; /**< attemptEndingTimestamp */
    fhx_meta_value lambda_arn;            /**< lambdaArn / lambdaARN */
} fhx_failed_record;

/** Reader state: caller-allocated, fields private. */
typedef struct fhx_failed_reader {
    const char *text;
    size_t len;
    size_t pos;
    size_t index;
    fhx_buf *scratch;
    int status;
    fhx_error err;
} fhx_failed_reader;

/**
 * Start reading text (which must stay unchanged while reading).
 * @param scratch for escaped rawData (may be NULL).
 * @return FHX_OK, FHX_E_ARG.
 */
FHX_API int fhx_failed_begin(fhx_failed_reader *r, const char *text,
                             size_t len, fhx_buf *scratch);

/**
 * The next record.
 * @return FHX_OK; FHX_END; FHX_E_JSON, FHX_E_TRUNCATED, FHX_E_DEPTH,
 *         FHX_E_SCHEMA, FHX_E_BASE64 (err says where; later calls repeat
 *         it); FHX_E_NOMEM; FHX_E_ARG.
 */
FHX_API int fhx_failed_next(fhx_failed_reader *r, fhx_failed_record *rec,
                            fhx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FHX_REPLAY_H */
