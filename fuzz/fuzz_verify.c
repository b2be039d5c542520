/*
 * Fuzz harness: fhx_verify_response on arbitrary bytes (fhx/verify.h).
 *
 * Input: FHXF_HEADER parameter bytes (bytes 0-1: the event's length, byte
 * 2: the size limit, 0 for the default), then the event and the response.
 * Checked, with both inputs right before guard pages and again right after
 * them (the two runs must report the same problems in the same order):
 *   - the call returns FHX_OK exactly when the event decoder accepts the
 *     event, else the decoder's error (same code, offset, record, message);
 *   - every problem has a documented code, a message, and an offset inside
 *     the response (or, for a missing recordId, inside the event);
 *     n_problems is the number of callbacks;
 *   - a response without problems decodes (as an event-shaped document)
 *     to exactly as many records as the event has, each with a valid
 *     result.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

typedef struct seen {
    fhx_buf log;
    size_t count;
    size_t ev_len, resp_len;
} seen;

static int known_code(int c) {
    return c == FHX_E_JSON || c == FHX_E_SCHEMA || c == FHX_E_RESULT ||
           c == FHX_E_BASE64 || c == FHX_E_NO_DATA || c == FHX_E_UNKNOWN_ID ||
           c == FHX_E_DUPLICATE_ID || c == FHX_E_MISSING_ID ||
           c == FHX_E_LIMIT || c == FHX_E_DEPTH || c == FHX_E_TRUNCATED;
}

static void on_problem(void *ctx, const fhx_problem *p) {
    seen *s = ctx;
    FHXF_CHECK(known_code(p->code));
    FHXF_CHECK(p->msg != NULL);
    if (p->in_event) {
        FHXF_CHECK_EQ(p->code, FHX_E_MISSING_ID);
        FHXF_CHECK(p->offset < s->ev_len);
    } else {
        FHXF_CHECK_EQ(p->in_event, 0);
        FHXF_CHECK(p->offset <= s->resp_len);
    }
    s->count++;
    fhxf_put_u64(&s->log, (uint64_t)(int64_t)p->code);
    fhxf_put_u64(&s->log, p->offset);
    fhxf_put_u64(&s->log, (uint64_t)p->in_event);
    fhxf_put_u64(&s->log, p->record);
    fhxf_put_bytes(&s->log, p->id.ptr, p->id.len);
    fhxf_put_msg(&s->log, p->msg);
}

static int verify(const uint8_t *ev, size_t ev_len, const uint8_t *resp,
                  size_t resp_len, size_t limit, int where, seen *s,
                  fhx_error *err) {
    fhxf_guard ge, gr;
    size_t n = 12345;
    int rc;
    fhxf_guard_copy(&ge, ev, ev_len, where);
    fhxf_guard_copy(&gr, resp, resp_len, where);
    fhx_buf_init(&s->log, NULL);
    s->count = 0;
    s->ev_len = ev_len;
    s->resp_len = resp_len;
    rc = fhx_verify_response((const char *)ge.ptr, ev_len,
                             (const char *)gr.ptr, resp_len, limit, on_problem,
                             s, &n, NULL, err);
    if (rc == FHX_OK) FHXF_CHECK_EQ(n, s->count);
    fhxf_put_u64(&s->log, (uint64_t)(int64_t)rc);
    fhxf_guard_free(&ge);
    fhxf_guard_free(&gr);
    return rc;
}

/* The event's verdict from the decoder itself. */
static int event_verdict(const uint8_t *ev, size_t len, fhx_error *err,
                         size_t *records) {
    fhx_event_decoder *dec;
    fhx_record rec;
    int st;
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)ev, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
    }
    *err = *fhx_event_error(dec);
    *records = fhx_event_record_count(dec);
    fhx_event_decoder_free(dec);
    return st;
}

static void check_valid_response(const uint8_t *resp, size_t len,
                                 size_t records) {
    fhx_event_decoder *dec;
    fhx_record rec;
    size_t n = 0;
    int st;
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)resp, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        const fhx_slice *r = &rec.result.raw;
        FHXF_CHECK_EQ(rec.result.kind, FHX_META_STRING);
        FHXF_CHECK((r->len == 2 && memcmp(r->ptr, "Ok", 2) == 0) ||
                   (r->len == 7 && memcmp(r->ptr, "Dropped", 7) == 0) ||
                   (r->len == 16 &&
                    memcmp(r->ptr, "ProcessingFailed", 16) == 0));
        n++;
    }
    FHXF_CHECK_EQ(st, FHX_END);
    FHXF_CHECK_EQ(n, records);
    fhx_event_decoder_free(dec);
}

int fhxf_verify(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    size_t ev_len, limit, records = 0;
    seen a, b;
    fhx_error ea, eb, ed;
    int ra, rb, rd;

    fhxf_take_header(&data, &size, hdr);
    ev_len = ((size_t)hdr[0] | (size_t)hdr[1] << 8) % (size + 1);
    limit = hdr[2] ? 14 + (size_t)hdr[2] * 16 : 0;

    ra = verify(data, ev_len, data + ev_len, size - ev_len, limit,
                FHXF_GUARD_AFTER, &a, &ea);
    rb = verify(data, ev_len, data + ev_len, size - ev_len, limit,
                FHXF_GUARD_BEFORE, &b, &eb);
    FHXF_CHECK_EQ(ra, rb);
    FHXF_CHECK_MEM(a.log.ptr, a.log.len, b.log.ptr, b.log.len);

    rd = event_verdict(data, ev_len, &ed, &records);
    if (rd == FHX_END) {
        FHXF_CHECK_EQ(ra, FHX_OK);
        if (a.count == 0)
            check_valid_response(data + ev_len, size - ev_len, records);
    } else {
        FHXF_CHECK_EQ(ra, rd);
        FHXF_CHECK_ERR(&ea, &ed);
        FHXF_CHECK_ERR(&eb, &ed);
        FHXF_CHECK_EQ(a.count, 0);
    }
    fhx_buf_free(&a.log);
    fhx_buf_free(&b.log);
    return 0;
}

FHXF_ENTRY(fhxf_verify)
