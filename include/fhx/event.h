/*
 * libfirehose-xform: streaming, zero-copy Firehose event decoder.
 *
 * Model: a pull iterator. Give the decoder the event JSON, then call
 * fhx_event_next() until it returns FHX_END (or an error); each FHX_OK
 * fills an fhx_record whose slices are views into the input.
 *
 *     fhx_event_decoder *dec;
 *     fhx_record rec;
 *     int st;
 *     fhx_event_decoder_new(&dec, NULL);
 *     fhx_event_begin(dec, json, json_len);         // whole buffer
 *     while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
 *         if (rec.status != FHX_OK) { ... answer ProcessingFailed ... }
 *         else fhx_record_decode(&rec, buf, cap, &n); // or keep rec.data
 *     }
 *     if (st != FHX_END) ... fhx_event_error(dec) says what, where ...
 *     fhx_event_decoder_free(dec);
 *
 * Whole-buffer input (fhx_event_begin): every slice points into the caller's
 * buffer, which must stay unchanged until the decoder is reset or freed.
 * Nothing is copied and nothing is allocated per record.
 *
 * Chunked input (fhx_event_begin_stream, fhx_event_feed, fhx_event_finish):
 * feed pieces of any size, down to one byte. fhx_event_next() returns
 * FHX_NEED_INPUT when the fed bytes hold no further complete record; feed
 * the next piece (or call fhx_event_finish at the end of input) and call it
 * again. A fed piece must stay valid until fhx_event_next() has returned
 * FHX_NEED_INPUT for it. A record that lies wholly inside one piece is a view
 * into that piece; a record that straddles pieces is assembled in the
 * decoder's own buffer. Either way the slices of a record stay valid until
 * the next call of fhx_event_next, fhx_event_feed or a reset. Records,
 * errors and offsets are identical for every split of the same input.
 *
 * Event shape (docs/contract.md section 1): a JSON object with a "records"
 * array (required) and optional string members invocationId,
 * deliveryStreamArn, region, sourceKinesisStreamArn, sourceMSKArn, in any
 * order; unknown members are skipped. Each record is an object with a
 * string recordId (required, unique), approximateArrivalTimestamp, and the
 * payload as "data" (Direct PUT and Kinesis sources) or "kafkaRecordValue"
 * (MSK source), plus kinesisRecordMetadata or mskRecordMetadata.
 *
 * Two levels of failure:
 *   - Event level (fatal, fhx_event_next returns the negative code):
 *     malformed or truncated JSON, trailing garbage, nesting deeper than
 *     FHX_MAX_DEPTH, no "records" array, a record that is not an object, a
 *     record without a string recordId, a recordId seen before in the event
 *     (FHX_E_DUPLICATE_ID: Firehose could not tell the answers apart), a
 *     repeated "records" or "recordId" member.
 *   - Record level (fhx_record.status, iteration continues): no payload
 *     member, a payload that is not a string, both "data" and
 *     "kafkaRecordValue", or a payload that is not strict base64. Answer such
 *     a record ProcessingFailed; the rest of the batch goes through.
 *   Metadata type drift (numbers as strings and the reverse, docs/contract.md
 *   section 1.3) is never an error: the raw token is reported as is.
 *
 * Strings are reported raw: the bytes between the quotes, with JSON escape
 * sequences kept (flags say when a slice contains one; fhx_json_unescape
 * decodes them). The recordId raw token is what the response writer echoes,
 * byte for byte. Payload decoding handles escapes itself.
 *
 * Memory: fhx_event_decoder_new allocates the decoder; the decoder grows
 * (and keeps, across resets) a table of recordId hashes (for duplicate
 * detection and the response guard) and, in chunked mode, a buffer for the
 * record that straddles pieces. After a warm-up with an event of similar
 * size, decoding allocates nothing.
 */
#ifndef FHX_EVENT_H
#define FHX_EVENT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque decoder. */
typedef struct fhx_event_decoder fhx_event_decoder;

/* ==== Records ========================================================= */

/** Record flags (fhx_record.flags). */
enum fhx_record_flag {
    FHX_REC_HAS_ARRIVAL = 1u << 0,   /**< approximateArrivalTimestamp present */
    FHX_REC_ARRIVAL_MS = 1u << 1,    /**< ... and an integer: arrival_ms valid */
    FHX_REC_HAS_DATA = 1u << 2,      /**< a payload string is present */
    FHX_REC_KAFKA = 1u << 3,         /**< payload came as kafkaRecordValue */
    FHX_REC_DATA_ESCAPED = 1u << 4,  /**< data slice contains JSON escapes */
    FHX_REC_ID_ESCAPED = 1u << 5,    /**< id slice contains JSON escapes */
    FHX_REC_KINESIS = 1u << 6,       /**< kinesisRecordMetadata present */
    FHX_REC_MSK = 1u << 7            /**< mskRecordMetadata present */
};

/**
 * A metadata value as it appeared: the raw token of a number, or the raw
 * content of a string (escapes kept). kind says which.
 */
typedef struct fhx_meta_value {
    fhx_slice raw; /**< the token (number) or string content */
    int kind;      /**< FHX_META_ABSENT, _STRING, _NUMBER or _OTHER */
} fhx_meta_value;

/** fhx_meta_value.kind */
enum fhx_meta_kind {
    FHX_META_ABSENT = 0, /**< member not present */
    FHX_META_STRING = 1, /**< a JSON string: raw is its content */
    FHX_META_NUMBER = 2, /**< a JSON number: raw is the token */
    FHX_META_OTHER = 3   /**< true/false/null/object/array: raw is the token */
};

/** kinesisRecordMetadata (Kinesis Data Streams source). */
typedef struct fhx_kinesis_meta {
    fhx_meta_value shard_id;
    fhx_meta_value partition_key;
    fhx_meta_value approximate_arrival_timestamp;
    fhx_meta_value sequence_number;
    fhx_meta_value subsequence_number;
} fhx_kinesis_meta;

/** mskRecordMetadata (Amazon MSK source). */
typedef struct fhx_msk_meta {
    fhx_meta_value offset;
    fhx_meta_value partition_id;
    fhx_meta_value approximate_arrival_timestamp;
} fhx_msk_meta;

/**
 * One record. Slices are views (see the lifetime rules above).
 */
typedef struct fhx_record {
    size_t index;       /**< 0-based position in the records array */
    size_t offset;      /**< absolute offset of the record's '{' */
    size_t length;      /**< bytes of the record object, '{' to '}' */
    fhx_slice id;       /**< recordId, raw string content */
    fhx_slice data;     /**< payload, raw string content (base64) */
    size_t data_offset; /**< absolute offset of data.ptr[0] */
    size_t data_len;    /**< exact decoded length (when status is FHX_OK) */
    int64_t arrival_ms; /**< approximateArrivalTimestamp, when ARRIVAL_MS */
    fhx_meta_value arrival; /**< approximateArrivalTimestamp as it came */
    unsigned flags;     /**< fhx_record_flag bits */
    fhx_kinesis_meta kinesis; /**< when FHX_REC_KINESIS */
    fhx_msk_meta msk;   /**< when FHX_REC_MSK */
    fhx_meta_value result; /**< a "result" member as it came: absent in
                                events; set when a response is read with
                                this decoder (its records have recordId
                                and data too) */
    int status;         /**< FHX_OK, or the record-level error code */
    fhx_error err;      /**< details when status != FHX_OK */
} fhx_record;

/**
 * Decode a valid record's payload into dst.
 * dst may be (uint8_t *)rec->data.ptr to decode in place when the caller
 * owns that buffer mutably (whole-buffer input only); the record's data
 * slice is then consumed.
 * @param dst_cap at least rec->data_len.
 * @return FHX_OK; FHX_E_OUTPUT (dst_cap too small, nothing written);
 *         rec->status when the record is not valid; FHX_E_ARG.
 */
FHX_API int fhx_record_decode(const fhx_record *rec, uint8_t *dst,
                              size_t dst_cap, size_t *dst_len);

/* ==== Event header ==================================================== */

/** The event's top-level string members (raw content, escapes kept). */
typedef struct fhx_event_header {
    fhx_meta_value invocation_id;
    fhx_meta_value delivery_stream_arn;
    fhx_meta_value region;
    fhx_meta_value source_kinesis_stream_arn;
    fhx_meta_value source_msk_arn;
} fhx_event_header;

/**
 * The top-level members seen so far. Members may follow "records" (JSON
 * member order is free), so the header is complete only once
 * fhx_event_next has returned FHX_END. Slices point into the decoder and
 * stay valid until the next reset.
 * @return NULL when dec is NULL.
 */
FHX_API const fhx_event_header *fhx_event_get_header(
    const fhx_event_decoder *dec);

/* ==== Decoder life cycle ============================================== */

/**
 * Allocate a decoder.
 * @param out receives the decoder.
 * @param alc allocator for the decoder and its tables (NULL: libc); it must
 *        outlive the decoder.
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM.
 */
FHX_API int fhx_event_decoder_new(fhx_event_decoder **out,
                                  const fhx_allocator *alc);

/** Free a decoder (NULL is allowed). */
FHX_API void fhx_event_decoder_free(fhx_event_decoder *dec);

/**
 * Pre-size the recordId tables (the list and the duplicate set) for n
 * records, so that decoding an event of up to n records does not grow
 * them. Other buffers still grow on first use and are then kept: the
 * copies of the event's top-level members, and in chunked input the
 * carry-over of a record split between pieces.
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM.
 */
FHX_API int fhx_event_decoder_reserve(fhx_event_decoder *dec, size_t n);

/**
 * Start decoding a whole event held in one buffer (final: no more input
 * follows). Resets any previous event.
 * @return FHX_OK or FHX_E_ARG.
 */
FHX_API int fhx_event_begin(fhx_event_decoder *dec, const char *json,
                            size_t len);

/** Start decoding an event that will be fed in pieces. Resets. */
FHX_API int fhx_event_begin_stream(fhx_event_decoder *dec);

/**
 * Feed the next piece (any size; 0 is allowed and does nothing).
 * @return FHX_OK; FHX_E_STATE when not streaming, after fhx_event_finish,
 *         or while the previous piece is still being consumed (next has not
 *         returned FHX_NEED_INPUT); FHX_E_NOMEM; FHX_E_ARG.
 */
FHX_API int fhx_event_feed(fhx_event_decoder *dec, const char *chunk,
                           size_t len);

/** Declare the end of input (chunked mode). */
FHX_API int fhx_event_finish(fhx_event_decoder *dec);

/**
 * Produce the next record.
 * @return FHX_OK (rec filled; check rec->status), FHX_END (the event is
 *         complete and valid, trailing whitespace only), FHX_NEED_INPUT
 *         (chunked mode), or a negative event-level error (details in
 *         fhx_event_error; the decoder is dead until the next begin). After
 *         FHX_END or an error, further calls return the same status.
 */
FHX_API int fhx_event_next(fhx_event_decoder *dec, fhx_record *rec);

/** The sticky event-level error (code FHX_OK when none). */
FHX_API const fhx_error *fhx_event_error(const fhx_event_decoder *dec);

/** Records produced so far (all of them after FHX_END). */
FHX_API size_t fhx_event_record_count(const fhx_event_decoder *dec);

/** Bytes of input consumed so far (absolute offset of the next byte). */
FHX_API size_t fhx_event_offset(const fhx_event_decoder *dec);

/* ==== JSON string helper ============================================== */

/**
 * Decode the JSON escape sequences of a raw string content (as found in
 * fhx_slice views) into UTF-8. The output is never longer than the input.
 * dst may equal src (in place).
 * @return FHX_OK, FHX_E_OUTPUT (dst_cap < needed), FHX_E_JSON (a bad
 *         escape; err offset relative to src), FHX_E_ARG.
 */
FHX_API int fhx_json_unescape(const char *src, size_t src_len, char *dst,
                              size_t dst_cap, size_t *dst_len,
                              fhx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FHX_EVENT_H */
