/*
 * libfirehose-xform internals: making room in a response that is full.
 *
 * The transformer answers records in order into one contiguous buffer:
 *     {"records":[ANSWER,ANSWER,...        (not yet closed)
 * where every ANSWER is an object the response writer produced. When even
 * a ProcessingFailed answer for the next record no longer fits under the
 * limit, the transformer asks for room: the latest answers that are larger
 * than their smallest form are rewritten, in place, in that form, until at
 * least `need` bytes are free:
 *   - Ok (any payload, any partition keys) becomes ProcessingFailed
 *     without data: Firehose keeps the record, with its original data, in
 *     the error output (docs/contract.md section 2.4), so nothing is lost;
 *   - Dropped and ProcessingFailed keep their result and lose the data and
 *     partition keys that came with them (Firehose ignores both for those
 *     results).
 * recordIds are kept byte for byte, and every answer keeps its place.
 *
 * The buffer is parsed, not indexed: nothing is stored per answer on the
 * hot path; this runs only when a response is full (it reads the response
 * once and moves the part after the first rewritten answer once).
 */
#ifndef FHX_ROOM_H
#define FHX_ROOM_H

#include <stddef.h>

#include "fhx/common.h"
#include "fhx/response.h"

/** What a call rewrote. */
typedef struct fhxi_room_stats {
    size_t freed;   /* bytes freed */
    size_t ok;      /* Ok answers that became ProcessingFailed */
    size_t trimmed; /* Dropped or ProcessingFailed answers made smaller */
} fhxi_room_stats;

/* Size of the smallest answer for a recordId token of id_len bytes:
 * ProcessingFailed or Dropped without data. */
#define FHXI_ROOM_PF_SIZE(id_len) ((size_t)43 + (id_len))
#define FHXI_ROOM_DROPPED_SIZE(id_len) ((size_t)34 + (id_len))

/*
 * Free at least need bytes at the end of buf[0, *len) by rewriting the
 * latest answers, as few as the order allows (the latest first).
 * @return FHX_OK (*len is smaller by st->freed >= need); FHX_FULL (the
 *         answers cannot give that much: nothing is changed); FHX_E_STATE
 *         (buf is not a response prefix as the writer writes it).
 */
int fhxi_room_make(char *buf, size_t *len, size_t need, fhxi_room_stats *st);

/*
 * For the owner of a writer's output that holds the whole response in one
 * buffer: out->len bytes taken from the writer, then the writer's current
 * output (fhx_response_output_len bytes) right after them. Make room for a
 * ProcessingFailed answer to a record whose recordId token is id_len
 * bytes, plus *slack bytes when the answers can give that much; then
 * out->len is the whole (shorter) response and the writer continues right
 * after it. *slack grows for the next call: 0, then
 * 4 KiB, then doubling, so that a response needs a logarithmic number of
 * calls (each one moves the end of the response) and frees at most the
 * last slack beyond the need.
 * @return FHX_OK; FHX_FULL (no such room: nothing changed); FHX_E_STATE.
 */
int fhxi_room_for_pf(fhx_response_writer *w, fhx_buf *out, size_t id_len,
                     size_t *slack, fhxi_room_stats *st);

#endif /* FHX_ROOM_H */
