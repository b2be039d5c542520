/*
 * libfirehose-xform: the transformation response writer.
 *
 * Writes {"records":[{"recordId":...,"result":...,"data":...},...]}
 * (docs/contract.md section 2.1) into caller-owned output, with the
 * payload base64-encoded straight into the output.
 *
 *     fhx_response_writer *w;
 *     fhx_response_writer_new(&w, NULL);
 *     fhx_response_begin(w, dec, out, cap);
 *     while (fhx_event_next(dec, &rec) == FHX_OK) {
 *         fhx_answer ans = {FHX_RESULT_OK, bytes, n, NULL, 0, NULL, 0};
 *         st = fhx_response_add(w, &rec, &ans);
 *         if (st == FHX_FULL) { ans.result = FHX_RESULT_PROCESSING_FAILED;
 *                               ans.data = NULL; st = fhx_response_add(...); }
 *         while (st == FHX_NEED_OUTPUT) { drain out;
 *             fhx_response_set_output(w, out, cap);
 *             st = fhx_response_add(w, &rec, &ans); }   // same arguments
 *     }
 *     st = fhx_response_end(w);  // also resumable with FHX_NEED_OUTPUT
 *
 * Output: the writer writes only inside the current output buffer. When it
 * fills, the call returns FHX_NEED_OUTPUT having written what fit; the
 * caller takes fhx_response_output_len() bytes, provides space with
 * fhx_response_set_output(), and repeats the same call with the same
 * arguments; the writer resumes exactly where it stopped. No byte is
 * buffered inside the writer.
 *
 * The guard: a writer is bound to the decoder of its event. An answer for a
 * record the decoder did not produce (an invented recordId, or a record
 * whose id was changed: ids are compared by a hash of their decoded value,
 * except that the record fhx_event_next produced last, answered with its
 * id slice untouched, is known without hashing) is FHX_E_UNKNOWN_ID; a second answer for a
 * record is FHX_E_DUPLICATE_ID; fhx_response_end() refuses to finish
 * (FHX_E_MISSING_ID, with the first unanswered record in the error) until
 * every record of the event is answered, and FHX_E_STATE until the decoder
 * has reached FHX_END. Firehose fails the batch for a missing or
 * duplicated id (Lambda.MissingRecordId, Lambda.DuplicatedRecordId), so
 * such a response can never be completed.
 *
 * The limit: a Lambda response is at most 6 MB; AWS's own error message
 * names 6,291,556 bytes (docs/contract.md section 3). The writer knows the
 * exact size of every answer before it writes it, and returns FHX_FULL,
 * writing nothing, when the answer and the closing "]}" would take the
 * response past the limit. The writer stays usable: answer that record with
 * a smaller result (ProcessingFailed without data keeps the record in
 * Firehose's error output).
 *
 * recordIds are echoed byte for byte (the raw JSON token of the event).
 * Records that came with kafkaRecordValue (MSK source) are answered with
 * kafkaRecordValue instead of data.
 */
#ifndef FHX_RESPONSE_H
#define FHX_RESPONSE_H

#include "common.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest Lambda response payload, in bytes (6 MiB + 100). */
#define FHX_LAMBDA_RESPONSE_LIMIT ((size_t)6291556)

/** Transformation results. */
typedef enum fhx_result {
    FHX_RESULT_OK = 0,                /**< "Ok": deliver data */
    FHX_RESULT_DROPPED = 1,           /**< "Dropped": deliver nothing */
    FHX_RESULT_PROCESSING_FAILED = 2  /**< "ProcessingFailed": error output */
} fhx_result;

/** "Ok", "Dropped", "ProcessingFailed", or NULL for other values. */
FHX_API const char *fhx_result_name(fhx_result result);

/** One metadata.partitionKeys entry (dynamic partitioning). */
typedef struct fhx_partition_key {
    fhx_slice key;   /**< UTF-8 text; escaped by the writer */
    fhx_slice value; /**< UTF-8 text; escaped by the writer */
} fhx_partition_key;

/**
 * The answer for one record.
 *
 * Payload, one of:
 *   - data/data_len: raw bytes, base64-encoded by the writer;
 *   - data_b64/data_b64_len (when data_b64 is not NULL): text that is
 *     already strict base64, copied as is (an identity transform passes the
 *     record's own validated data slice); not validated again.
 * With neither, an Ok answer carries "data":"" and other results omit data.
 * keys/n_keys: written as metadata.partitionKeys when n_keys > 0.
 */
typedef struct fhx_answer {
    fhx_result result;
    const uint8_t *data;
    size_t data_len;
    const char *data_b64;
    size_t data_b64_len;
    const fhx_partition_key *keys;
    size_t n_keys;
} fhx_answer;

/** Opaque writer. */
typedef struct fhx_response_writer fhx_response_writer;

/**
 * Allocate a writer.
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM.
 */
FHX_API int fhx_response_writer_new(fhx_response_writer **out,
                                    const fhx_allocator *alc);

/** Free a writer (NULL is allowed). */
FHX_API void fhx_response_writer_free(fhx_response_writer *w);

/**
 * Start a response for the event being decoded by dec (which must outlive
 * the response), writing into out. Resets the writer; keeps its limit.
 * @return FHX_OK, FHX_E_ARG (NULL w or dec, out NULL with cap > 0).
 */
FHX_API int fhx_response_begin(fhx_response_writer *w,
                               const fhx_event_decoder *dec, char *out,
                               size_t cap);

/**
 * Give the writer new output space (after FHX_NEED_OUTPUT, or at any time
 * between calls). The bytes written so far are the caller's.
 * @return FHX_OK or FHX_E_ARG.
 */
FHX_API int fhx_response_set_output(fhx_response_writer *w, char *out,
                                    size_t cap);

/** Bytes written into the current output buffer. */
FHX_API size_t fhx_response_output_len(const fhx_response_writer *w);

/** Bytes of the whole response written so far, across output buffers. */
FHX_API size_t fhx_response_size(const fhx_response_writer *w);

/**
 * Set the response size limit (default FHX_LAMBDA_RESPONSE_LIMIT). Only
 * before the first fhx_response_add of a response.
 * @return FHX_OK, FHX_E_ARG (limit smaller than an empty response),
 *         FHX_E_STATE.
 */
FHX_API int fhx_response_set_limit(fhx_response_writer *w, size_t limit);

/**
 * Exact size in bytes of the record object that ans produces for rec
 * (without the separating comma).
 * @return FHX_OK, FHX_E_ARG (bad result, invalid UTF-8 in a partition key,
 *         NULL pointers), FHX_E_LIMIT (overflow).
 */
FHX_API int fhx_response_answer_size(const fhx_record *rec,
                                     const fhx_answer *ans, size_t *size);

/**
 * Upper bound of a whole response for n records whose recordIds total
 * id_bytes and whose payloads total data_bytes (before base64), without
 * partition keys. SIZE_MAX on overflow.
 */
FHX_API size_t fhx_response_bound(size_t n, size_t id_bytes,
                                  size_t data_bytes);

/**
 * Answer one record.
 * @return FHX_OK; FHX_NEED_OUTPUT (repeat with the same arguments after
 *         fhx_response_set_output); FHX_FULL (nothing written: over the
 *         limit); FHX_E_UNKNOWN_ID, FHX_E_DUPLICATE_ID (the guard);
 *         FHX_E_ARG (bad result, invalid UTF-8 in a partition key, NULL);
 *         FHX_E_STATE (no begin, after end, or a different record while an
 *         answer is half written).
 */
FHX_API int fhx_response_add(fhx_response_writer *w, const fhx_record *rec,
                             const fhx_answer *ans);

/**
 * Close the response ("]}").
 * @return FHX_OK; FHX_NEED_OUTPUT (call again after set_output);
 *         FHX_E_MISSING_ID (a record is unanswered: error record and
 *         offset name the first); FHX_E_STATE (decoder not at FHX_END, or a
 *         half-written answer).
 */
FHX_API int fhx_response_end(fhx_response_writer *w);

/** The sticky error of the writer (code FHX_OK when none). */
FHX_API const fhx_error *fhx_response_error(const fhx_response_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* FHX_RESPONSE_H */
