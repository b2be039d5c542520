/*
 * bootstrap: fitting a response under the limit without losing a record.
 *
 * fhx_transform answers a record ProcessingFailed when its answer would
 * pass the response limit, but it does not keep room for the records still
 * to come: once the response is nearly full, even a ProcessingFailed
 * answer for a later record may not fit, and the whole transform fails
 * with FHX_E_LIMIT (a core-library gap, reported). This module is the
 * runtime's fallback for that case, used only when it happens:
 *   1. fit_prepare decodes the event once more (no payload decoding) and
 *      notes the size of a ProcessingFailed answer for every record: the
 *      smallest response that answers every record. What the limit leaves
 *      beyond it is the budget;
 *   2. the transform runs again with fit_handler in front of the real
 *      handler: an answer is kept only if the extra bytes it needs over a
 *      ProcessingFailed answer still fit in the budget; otherwise the
 *      record is answered ProcessingFailed (Firehose keeps it raw).
 * So the response always answers every record and never passes the limit.
 */
#ifndef FHX_LAMBDA_FIT_H
#define FHX_LAMBDA_FIT_H

#include <stddef.h>

#include "firehose-xform.h"

typedef struct fit {
    fhx_event_decoder *dec;
    const fhx_allocator *alc;
    size_t *pf;          /* ProcessingFailed answer size, per record */
    size_t pf_cap;
    size_t n;            /* records */
    size_t budget;       /* bytes the limit leaves over the minimum */
    size_t used;         /* of the budget */
    size_t refused;      /* records answered ProcessingFailed for room */
    fhx_handler_fn inner;
    void *inner_ctx;
} fit;

/* Zero f and keep alc (its decoder is made at first use). */
void fit_init(fit *f, const fhx_allocator *alc);
void fit_free(fit *f);

/* Pass 1 over event. Returns FHX_OK; FHX_E_LIMIT when even the minimum
 * response passes limit; an event error; FHX_E_NOMEM. */
int fit_prepare(fit *f, const char *event, size_t len, size_t limit,
                fhx_handler_fn inner, void *inner_ctx);

/* The handler for pass 2 (ctx: the fit). */
int fit_handler(void *ctx, const fhx_record *rec, const uint8_t *data,
                size_t len, fhx_buf *out, fhx_answer *ans);

#endif /* FHX_LAMBDA_FIT_H */
