/* bootstrap: fitting a response under the limit (fit.h). */
#include "fit.h"

#include <string.h>

void fit_init(fit *f, const fhx_allocator *alc) {
    memset(f, 0, sizeof *f);
    f->alc = alc;
}

void fit_free(fit *f) {
    fhx_event_decoder_free(f->dec);
    if (f->pf) f->alc->free(f->alc->ctx, f->pf, f->pf_cap * sizeof *f->pf);
    memset(f, 0, sizeof *f);
}

static int push(fit *f, size_t size) {
    if (f->n == f->pf_cap) {
        size_t cap = f->pf_cap ? f->pf_cap * 2 : 4096;
        size_t *p = f->pf ? f->alc->realloc(f->alc->ctx, f->pf,
                                            f->pf_cap * sizeof *p,
                                            cap * sizeof *p)
                          : f->alc->alloc(f->alc->ctx, cap * sizeof *p);
        if (!p) return FHX_E_NOMEM;
        f->pf = p;
        f->pf_cap = cap;
    }
    f->pf[f->n++] = size;
    return FHX_OK;
}

int fit_prepare(fit *f, const char *event, size_t len, size_t limit,
                fhx_handler_fn inner, void *inner_ctx) {
    fhx_record rec;
    fhx_answer pf;
    size_t min = 14; /* {"records":[]} */
    int st;
    if (!f->dec) {
        st = fhx_event_decoder_new(&f->dec, f->alc);
        if (st != FHX_OK) return st;
    }
    f->n = f->used = f->refused = 0;
    f->inner = inner;
    f->inner_ctx = inner_ctx;
    memset(&pf, 0, sizeof pf);
    pf.result = FHX_RESULT_PROCESSING_FAILED;
    st = fhx_event_begin(f->dec, event, len);
    if (st != FHX_OK) return st;
    while ((st = fhx_event_next(f->dec, &rec)) == FHX_OK) {
        size_t size = 0;
        st = fhx_response_answer_size(&rec, &pf, &size);
        if (st == FHX_OK) st = push(f, size);
        if (st != FHX_OK) return st;
        min += size + (f->n > 1); /* and the comma before it */
    }
    if (st != FHX_END) return st;
    if (min > limit) return FHX_E_LIMIT;
    f->budget = limit - min;
    return FHX_OK;
}

int fit_handler(void *ctx, const fhx_record *rec, const uint8_t *data,
                size_t len, fhx_buf *out, fhx_answer *ans) {
    fit *f = ctx;
    size_t size = 0, base;
    int st;
    if (!rec || rec->index >= f->n) return FHX_E_STATE;
    st = f->inner(f->inner_ctx, rec, data, len, out, ans);
    if (st < 0 || (unsigned)ans->result > FHX_RESULT_PROCESSING_FAILED)
        return st < 0 ? st : FHX_E_RESULT;
    if (ans->result == FHX_RESULT_OK && !ans->data && !ans->data_b64) {
        ans->data = out->ptr; /* what the transformer would use */
        ans->data_len = out->len;
    }
    st = fhx_response_answer_size(rec, ans, &size);
    if (st != FHX_OK) return st;
    base = f->pf[rec->index];
    if (size > base) {
        if (size - base > f->budget - f->used) {
            f->refused++;
            return FHX_E_LIMIT; /* → ProcessingFailed: there is room */
        }
        f->used += size - base;
    }
    return FHX_OK;
}
