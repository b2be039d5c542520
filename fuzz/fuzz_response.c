/*
 * Fuzz harness: the response writer (fhx/response.h), round-tripped
 * through the event decoder and fhx_verify_response.
 *
 * Input: FHXF_HEADER parameter bytes (byte 0: output piece sizes; byte 1:
 * the size limit, 0 for the Lambda default; byte 2: recordId escaping),
 * then records, each [control][id length][payload length][id][payload]:
 * control bits 0-1 the result (3: an invalid one, which
 * fhx_response_answer_size must refuse), bit 2 answer with raw bytes vs
 * the record's own base64, bit 3 partition keys (the id and payload bytes,
 * possibly invalid UTF-8), bit 4 an MSK record (kafkaRecordValue), bit 5 an
 * invalid payload in the event.
 *
 * The harness builds the event (ids JSON-escaped in several ways), decodes
 * it, and writes the response twice: into one large buffer and into small
 * output pieces placed before guard pages (resuming after each
 * FHX_NEED_OUTPUT). Checked:
 *   - both responses are byte-identical, and their size is the sum of the
 *     answer sizes (fhx_response_answer_size) plus the framing, within the
 *     limit; an answer over the limit is FHX_FULL and a ProcessingFailed
 *     answer without data takes its place when it fits;
 *   - fhx_verify_response finds no problem in a completed response;
 *   - decoding the response gives every recordId back byte for byte, its
 *     result, and the payload that was answered;
 *   - the guard: a second answer for a record is FHX_E_DUPLICATE_ID, an
 *     early end is FHX_E_MISSING_ID naming the first unanswered record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

#define MAX_RECORDS 64

typedef struct spec {
    unsigned ctl;
    const uint8_t *id;
    size_t id_len;
    const uint8_t *payload;
    size_t payload_len;
} spec;

/* ---- the event ---------------------------------------------------------- */

static void put_lit(fhx_buf *b, const char *s) { fhxf_put(b, s, strlen(s)); }

static void put_hex(fhx_buf *b, unsigned c) {
    char tmp[8];
    snprintf(tmp, sizeof tmp, "\\u%04X", c & 0xFFu);
    fhxf_put(b, tmp, 6);
}

/* recordId bytes as JSON string content: the value is the bytes read as
 * Latin-1 (so always valid UTF-8), spelt in a way chosen by style. */
static void put_id(fhx_buf *b, const uint8_t *id, size_t n, unsigned style) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned c = id[i];
        int esc = (style >> (i % 8)) & 1u;
        if (c == '"' || c == '\\') {
            if (esc)
                put_hex(b, c);
            else {
                put_lit(b, "\\");
                fhxf_put(b, &id[i], 1);
            }
        } else if (c < 0x20 || (esc && c != '/')) {
            put_hex(b, c);
        } else if (c == '/' && esc) {
            put_lit(b, "\\/");
        } else if (c >= 0x80) {
            uint8_t u[2];
            u[0] = (uint8_t)(0xC0 | (c >> 6));
            u[1] = (uint8_t)(0x80 | (c & 0x3F));
            fhxf_put(b, u, 2);
        } else {
            fhxf_put(b, &id[i], 1);
        }
    }
}

static void put_b64(fhx_buf *b, const uint8_t *p, size_t n) {
    size_t need = FHX_B64_ENCODED_LEN(n), got = 0;
    FHXF_CHECK_EQ(fhx_buf_reserve(b, need), FHX_OK);
    FHXF_CHECK_EQ(fhx_b64_encode(p, n, (char *)b->ptr + b->len, need, &got),
                  FHX_OK);
    b->len += got;
}

static void build_event(fhx_buf *ev, const spec *s, size_t n, unsigned style) {
    size_t i;
    put_lit(ev, "{\"invocationId\":\"fuzz\",\"records\":[");
    for (i = 0; i < n; i++) {
        if (i) put_lit(ev, ",");
        put_lit(ev, "{\"recordId\":\"");
        put_id(ev, s[i].id, s[i].id_len, style);
        if (s[i].ctl & 16u)
            put_lit(ev, "\",\"kafkaRecordValue\":\"");
        else
            put_lit(ev, "\",\"data\":\"");
        if (s[i].ctl & 32u) /* invalid: a character outside the alphabet */
            put_lit(ev, "QU!D");
        else
            put_b64(ev, s[i].payload, s[i].payload_len);
        put_lit(ev, "\"}");
    }
    put_lit(ev, "]}");
}

/* ---- writing ------------------------------------------------------------ */

typedef struct expect {
    int result;          /* fhx_result written */
    int has_data;        /* a payload member written */
    fhx_buf payload;     /* the bytes it decodes to */
} expect;

typedef struct writing {
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    const char *ev;
    size_t ev_len;
    size_t limit;
    const spec *s;
    size_t n;
    fhxf_splitter sp;    /* output piece sizes; mode -1: one big buffer */
    int pieces;
    fhx_buf out;         /* the response */
    fhxf_guard piece;
    size_t sizes;        /* sum of the emission sizes */
    expect *exp;         /* per record, or NULL */
} writing;

/* A new output piece (pieces mode) or the rest of a big buffer. */
static void give_output(writing *wr) {
    size_t k;
    if (!wr->pieces) {
        FHXF_CHECK_EQ(fhx_buf_reserve(&wr->out, 1 << 16), FHX_OK);
        FHXF_CHECK_EQ(fhx_response_set_output(wr->w,
                                              (char *)wr->out.ptr + wr->out.len,
                                              wr->out.cap - wr->out.len),
                      FHX_OK);
        return;
    }
    fhxf_guard_free(&wr->piece);
    k = fhxf_split_next(&wr->sp, 4096);
    fhxf_guard_copy(&wr->piece, NULL, k, FHXF_GUARD_AFTER);
    FHXF_CHECK_EQ(fhx_response_set_output(wr->w, (char *)wr->piece.ptr, k),
                  FHX_OK);
}

/* Take what the writer put into the current output. */
static void drain(writing *wr) {
    size_t got = fhx_response_output_len(wr->w);
    if (wr->pieces)
        fhxf_put(&wr->out, wr->piece.ptr, got);
    else
        wr->out.len += got;
}

/* add or end, resumed until done. */
static int resume(writing *wr, const fhx_record *rec, const fhx_answer *ans) {
    int st = rec ? fhx_response_add(wr->w, rec, ans) : fhx_response_end(wr->w);
    while (st == FHX_NEED_OUTPUT) {
        drain(wr);
        give_output(wr);
        st = rec ? fhx_response_add(wr->w, rec, ans) : fhx_response_end(wr->w);
    }
    return st;
}

/* The answer the spec asks for; keys point into the spec. */
static void make_answer(const spec *s, const fhx_record *rec,
                        const uint8_t *payload, size_t payload_len,
                        fhx_partition_key keys[2], fhx_answer *ans) {
    memset(ans, 0, sizeof *ans);
    ans->result = (fhx_result)(s->ctl & 3u);
    if (ans->result == 3) ans->result = FHX_RESULT_OK; /* checked before */
    if (ans->result != FHX_RESULT_DROPPED || (s->ctl & 64u)) {
        if ((s->ctl & 4u) && rec->status == FHX_OK) {
            ans->data_b64 = rec->data.ptr;
            ans->data_b64_len = rec->data.len;
        } else if (payload) {
            ans->data = payload;
            ans->data_len = payload_len;
        }
    }
    if (s->ctl & 8u) {
        keys[0].key.ptr = (const char *)s->id;
        keys[0].key.len = s->id_len;
        keys[0].value.ptr = (const char *)s->payload;
        keys[0].value.len = s->payload_len;
        keys[1].key.ptr = "k";
        keys[1].key.len = 1;
        keys[1].value.ptr = "";
        keys[1].value.len = 0;
        ans->keys = keys;
        ans->n_keys = 1 + ((s->ctl >> 7) & 1u);
    }
}

/* Write a whole response; returns the end status (FHX_OK when complete). */
static int write_response(writing *wr) {
    fhx_record rec;
    size_t i = 0;
    int st;

    FHXF_CHECK_EQ(fhx_event_begin(wr->dec, wr->ev, wr->ev_len), FHX_OK);
    FHXF_CHECK_EQ(fhx_response_begin(wr->w, wr->dec, NULL, 0), FHX_OK);
    FHXF_CHECK_EQ(fhx_response_set_limit(wr->w, wr->limit), FHX_OK);
    give_output(wr);
    while ((st = fhx_event_next(wr->dec, &rec)) == FHX_OK) {
        const spec *s = &wr->s[i];
        fhx_partition_key keys[2];
        fhx_answer ans;
        uint8_t *payload = NULL;
        size_t plen = 0, size = 0;
        FHXF_CHECK(i < wr->n);
        FHXF_CHECK_EQ(rec.status == FHX_OK, !(s->ctl & 32u));
        if (rec.status == FHX_OK) {
            payload = malloc(rec.data_len ? rec.data_len : 1);
            FHXF_CHECK(payload != NULL);
            FHXF_CHECK_EQ(fhx_record_decode(&rec, payload, rec.data_len, &plen),
                          FHX_OK);
            FHXF_CHECK_MEM(payload, plen, s->payload, s->payload_len);
        }
        if ((s->ctl & 3u) == 3u) { /* not a result: refused */
            fhx_answer bad;
            memset(&bad, 0, sizeof bad);
            bad.result = (fhx_result)3;
            FHXF_CHECK_EQ(fhx_response_answer_size(&rec, &bad, &size),
                          FHX_E_ARG);
        }
        make_answer(s, &rec, payload, plen, keys, &ans);
        if (fhx_response_answer_size(&rec, &ans, &size) != FHX_OK) {
            /* a key that is not UTF-8 */
            FHXF_CHECK(ans.n_keys > 0);
            ans.keys = NULL;
            ans.n_keys = 0;
            FHXF_CHECK_EQ(fhx_response_answer_size(&rec, &ans, &size), FHX_OK);
        }
        st = resume(wr, &rec, &ans);
        if (st == FHX_FULL) {
            memset(&ans, 0, sizeof ans);
            ans.result = FHX_RESULT_PROCESSING_FAILED;
            FHXF_CHECK_EQ(fhx_response_answer_size(&rec, &ans, &size), FHX_OK);
            st = resume(wr, &rec, &ans);
        }
        if (st == FHX_OK) {
            wr->sizes += size;
            if (wr->exp) {
                expect *e = &wr->exp[i];
                e->result = (int)ans.result;
                e->has_data = ans.data || ans.data_b64 ||
                              ans.result == FHX_RESULT_OK;
                fhx_buf_init(&e->payload, NULL);
                if (ans.data_b64)
                    fhxf_put(&e->payload, payload, plen);
                else
                    fhxf_put(&e->payload, ans.data, ans.data_len);
            }
        } else {
            FHXF_CHECK_EQ(st, FHX_FULL); /* even ProcessingFailed is over */
            if (wr->exp) wr->exp[i].result = -1;
        }
        free(payload);
        i++;
    }
    FHXF_CHECK_EQ(st, FHX_END);
    FHXF_CHECK_EQ(i, wr->n);
    st = resume(wr, NULL, NULL);
    drain(wr);
    fhxf_guard_free(&wr->piece);
    return st;
}

/* ---- checks ------------------------------------------------------------- */

static void check_decoded(fhx_event_decoder *dec, const char *ev, size_t ev_len,
                          const fhx_buf *resp, const expect *exp, size_t n) {
    static const char *const names[] = {"Ok", "Dropped", "ProcessingFailed"};
    fhx_record rec, orig;
    fhx_event_decoder *d2;
    size_t i = 0;
    int st;
    /* the event again, alongside, for the ids */
    FHXF_CHECK_EQ(fhx_event_decoder_new(&d2, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(d2, ev, ev_len), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)resp->ptr, resp->len),
                  FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        const expect *e = &exp[i];
        FHXF_CHECK(i < n);
        FHXF_CHECK_EQ(fhx_event_next(d2, &orig), FHX_OK);
        FHXF_CHECK_MEM(rec.id.ptr, rec.id.len, orig.id.ptr, orig.id.len);
        FHXF_CHECK_EQ(rec.result.kind, FHX_META_STRING);
        FHXF_CHECK(e->result >= 0 && e->result <= 2);
        FHXF_CHECK_MEM(rec.result.raw.ptr, rec.result.raw.len, names[e->result],
                       strlen(names[e->result]));
        FHXF_CHECK_EQ((rec.flags & FHX_REC_HAS_DATA) != 0, e->has_data);
        if (e->has_data) {
            uint8_t *tmp = malloc(rec.data_len ? rec.data_len : 1);
            size_t got = 0;
            FHXF_CHECK(tmp != NULL);
            FHXF_CHECK_EQ(rec.status, FHX_OK);
            FHXF_CHECK_EQ((rec.flags & FHX_REC_KAFKA) != 0,
                          (orig.flags & FHX_REC_KAFKA) != 0);
            FHXF_CHECK_EQ(fhx_record_decode(&rec, tmp, rec.data_len, &got),
                          FHX_OK);
            FHXF_CHECK_MEM(tmp, got, e->payload.ptr, e->payload.len);
            free(tmp);
        }
        i++;
    }
    FHXF_CHECK_EQ(st, FHX_END);
    FHXF_CHECK_EQ(i, n);
    fhx_event_decoder_free(d2);
}

static void count_problem(void *ctx, const fhx_problem *p) {
    const char *msg = p->msg ? p->msg : "(null)";
    (void)ctx;
    fhxf_fail(__FILE__, __LINE__, "verify: problem %d at %zu: %s", p->code,
              p->offset, msg);
}

/* The guard: a repeated answer and an early end. */
static void check_guard(fhx_event_decoder *dec, fhx_response_writer *w,
                        const char *ev, size_t ev_len, size_t n) {
    fhx_record rec, first;
    fhx_answer ans;
    char out[1024];
    int st;
    memset(&ans, 0, sizeof ans);
    ans.result = FHX_RESULT_DROPPED;
    FHXF_CHECK_EQ(fhx_event_begin(dec, ev, ev_len), FHX_OK);
    FHXF_CHECK_EQ(fhx_response_begin(w, dec, out, sizeof out), FHX_OK);
    FHXF_CHECK_EQ(fhx_response_set_limit(w, FHX_LAMBDA_RESPONSE_LIMIT), FHX_OK);
    st = fhx_event_next(dec, &first);
    FHXF_CHECK_EQ(st, n ? FHX_OK : FHX_END);
    if (!n) {
        FHXF_CHECK_EQ(fhx_response_end(w), FHX_OK);
        return;
    }
    FHXF_CHECK_EQ(fhx_response_add(w, &first, &ans), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
    }
    FHXF_CHECK_EQ(st, FHX_END);
    if (n > 1) {
        FHXF_CHECK_EQ(fhx_response_end(w), FHX_E_MISSING_ID);
        FHXF_CHECK_EQ(fhx_response_error(w)->record, 1);
    } else {
        /* its slices still point into the event: answer it again */
        FHXF_CHECK_EQ(fhx_response_add(w, &first, &ans), FHX_E_DUPLICATE_ID);
        FHXF_CHECK_EQ(fhx_response_error(w)->record, 0);
    }
}

int fhxf_response(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    spec s[MAX_RECORDS];
    size_t n = 0, pos, i, problems = 99;
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    fhx_buf ev;
    writing big, small;
    expect exp[MAX_RECORDS];
    fhx_error err;
    int st, st2;

    fhxf_take_header(&data, &size, hdr);
    for (pos = 0; pos + 3 <= size && n < MAX_RECORDS; n++) {
        s[n].ctl = data[pos];
        s[n].id_len = data[pos + 1] % 40u;
        s[n].payload_len = data[pos + 2];
        pos += 3;
        if (s[n].id_len > size - pos) s[n].id_len = size - pos;
        s[n].id = data + pos;
        pos += s[n].id_len;
        if (s[n].payload_len > size - pos) s[n].payload_len = size - pos;
        s[n].payload = data + pos;
        pos += s[n].payload_len;
    }
    fhx_buf_init(&ev, NULL);
    build_event(&ev, s, n, hdr[2]);

    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_response_writer_new(&w, NULL), FHX_OK);

    /* ids that are equal once unescaped make the event invalid */
    {
        fhx_record rec;
        FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)ev.ptr, ev.len),
                      FHX_OK);
        while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        }
        if (st != FHX_END) {
            FHXF_CHECK_EQ(st, FHX_E_DUPLICATE_ID);
            FHXF_CHECK_EQ(fhx_verify_response((const char *)ev.ptr, ev.len,
                                              "{}", 2, 0, NULL, NULL,
                                              &problems, NULL, &err),
                          FHX_E_DUPLICATE_ID);
            FHXF_CHECK_ERR(&err, fhx_event_error(dec));
            goto done;
        }
    }

    memset(&big, 0, sizeof big);
    big.dec = dec;
    big.w = w;
    big.ev = (const char *)ev.ptr;
    big.ev_len = ev.len;
    big.limit = hdr[1] ? 14 + (size_t)hdr[1] * 8 : FHX_LAMBDA_RESPONSE_LIMIT;
    big.s = s;
    big.n = n;
    fhx_buf_init(&big.out, NULL);
    small = big;
    fhx_buf_init(&small.out, NULL);
    small.pieces = 1;
    fhxf_split_init(&small.sp, hdr[0]);
    small.exp = exp;

    st = write_response(&big);
    st2 = write_response(&small);
    FHXF_CHECK_EQ(st, st2);
    FHXF_CHECK_MEM(big.out.ptr, big.out.len, small.out.ptr, small.out.len);
    FHXF_CHECK_EQ(fhx_response_size(w), small.out.len);
    if (st == FHX_OK) {
        size_t answered = 0;
        for (i = 0; i < n; i++) answered += exp[i].result >= 0;
        FHXF_CHECK_EQ(answered, n);
        FHXF_CHECK(small.out.len <= big.limit);
        FHXF_CHECK_EQ(small.out.len, n ? 12 + small.sizes + (n - 1) + 2 : 14);
        FHXF_CHECK_EQ(fhx_verify_response((const char *)ev.ptr, ev.len,
                                          (const char *)small.out.ptr,
                                          small.out.len, big.limit,
                                          count_problem, NULL, &problems, NULL,
                                          &err),
                      FHX_OK);
        FHXF_CHECK_EQ(problems, 0);
        check_decoded(dec, (const char *)ev.ptr, ev.len, &small.out, exp, n);
    } else {
        /* a record could not be answered at all under this limit */
        FHXF_CHECK_EQ(st, FHX_E_MISSING_ID);
    }
    for (i = 0; i < n; i++)
        if (exp[i].result >= 0) fhx_buf_free(&exp[i].payload);
    fhx_buf_free(&big.out);
    fhx_buf_free(&small.out);
    check_guard(dec, w, (const char *)ev.ptr, ev.len, n);

done:
    fhx_response_writer_free(w);
    fhx_event_decoder_free(dec);
    fhx_buf_free(&ev);
    return 0;
}

FHXF_ENTRY(fhxf_response)
