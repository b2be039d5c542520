/*
 * Fuzz harness: the CloudWatch Logs reader and the "cloudwatch-logs"
 * handler (fhx/cwlogs.h).
 *
 * Input: FHXF_HEADER parameter bytes, then the payload.
 *   byte 0: bits 0-1 how the payload reaches the handler: 0 as it is (raw
 *           JSON, or gzip when it starts with 1f 8b), 1 gzip-wrapped, 2
 *           gzip-wrapped in two members (split at byte 2), 3 gzip-wrapped
 *           then cut short by 1 to 8 bytes; bit 2 FHX_CWLOGS_JSON_LINES;
 *           bit 3 reuse a reader and a scratch buffer across records;
 *           bits 4-5 the maximum size (default, half the document, the
 *           document's size, 1 byte);
 *   byte 1: the compression level (mod 10);
 *   byte 2: the split point of mode 2 (byte * size / 256) and the cut of
 *           mode 3.
 *
 * fhx_cwlogs_parse on the document (the payload itself), right before and
 * right after a guard page, against a reference written from the header:
 * a strict RFC 8259 validator (nesting at most FHX_MAX_DEPTH) and the
 * documented shape (messageType string required; owner, logGroup,
 * logStream strings; subscriptionFilters an array of strings; logEvents an
 * array of objects, required for DATA_MESSAGE; per event a string message
 * required, a string id, a number timestamp; a repeated known member is a
 * schema error; keys compared after unescaping). Checked:
 *   - it succeeds exactly when the reference accepts; a JSON error of the
 *     reference is an error of the same code or FHX_E_SCHEMA (the reader
 *     may stop at the shape first); valid JSON of a bad shape is
 *     FHX_E_SCHEMA; errors have a message, no record, an offset inside the
 *     document (its length for FHX_E_TRUNCATED), and are the same in both
 *     placements;
 *   - on success the header (type, slices, counts) and every log event
 *     from fhx_cwlogs_next (index, offset, slices, escaped flag) are the
 *     reference's; FHX_END after the last one, and again; after a failed
 *     parse it is FHX_E_ARG (not parsed).
 * The handler on the payload as byte 0 says (gzip through the library's
 * writer):
 *   - the document is what fhx_gunzip_append gives under the maximum; a
 *     gzip error is the handler's status, reported once to on_error with
 *     the same error and the record's index;
 *   - a document the reader refuses fails with the reader's error;
 *     CONTROL_MESSAGE is Dropped with no output; another messageType is
 *     FHX_E_SCHEMA; DATA_MESSAGE gives exactly the lines the header
 *     describes (text: unescaped message without trailing CR/LF, empty ones
 *     skipped, one "\n" each; JSON lines: one valid JSON object per event,
 *     holding no raw line break), Ok when there is output, else Dropped;
 *   - the same answer with a reused reader and scratch buffer;
 *   - inside a transform (the payload's record beside a CONTROL_MESSAGE and
 *     a record with invalid base64): the transform succeeds, the response
 *     verifies, the counters say the handler's result, and the Ok record's
 *     data is the handler's output.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

/* ---- reference: strict JSON --------------------------------------------- */

typedef struct rj {
    const unsigned char *p;
    size_t len;
    size_t pos;
} rj;

static int rj_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void rj_skip_ws(rj *j) {
    while (j->pos < j->len && rj_ws(j->p[j->pos])) j->pos++;
}

static int rj_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence at p[pos] >= 0x80 (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF). */
static int rj_utf8(rj *j) {
    unsigned char c = j->p[j->pos];
    unsigned cp, need, k;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07u;
    } else {
        return FHX_E_JSON;
    }
    for (k = 1; k < need; k++) {
        unsigned char d;
        if (j->pos + k >= j->len) return FHX_E_TRUNCATED;
        d = j->p[j->pos + k];
        if ((d & 0xC0u) != 0x80u) return FHX_E_JSON;
        cp = cp << 6 | (d & 0x3Fu);
        /* decide at the second byte, as soon as the range is known */
        if (k == 1) {
            if (need == 3 && cp < 0x20u) return FHX_E_JSON;  /* overlong */
            if (need == 3 && cp >= 0x360u && cp < 0x380u)
                return FHX_E_JSON;                          /* surrogate */
            if (need == 4 && cp < 0x10u) return FHX_E_JSON; /* overlong */
            if (need == 4 && cp >= 0x110u) return FHX_E_JSON; /* too big */
        }
    }
    j->pos += need;
    return 0;
}

/* A string at p[pos] == '"'; content [*cs, *ce). */
static int rj_string(rj *j, size_t *cs, size_t *ce) {
    j->pos++;
    *cs = j->pos;
    for (;;) {
        unsigned char c;
        if (j->pos >= j->len) return FHX_E_TRUNCATED;
        c = j->p[j->pos];
        if (c == '"') break;
        if (c < 0x20) return FHX_E_JSON;
        if (c == '\\') {
            unsigned char e;
            size_t k;
            if (j->pos + 1 >= j->len) return FHX_E_TRUNCATED;
            e = j->p[j->pos + 1];
            if (e == 'u') {
                for (k = 0; k < 4; k++) {
                    if (j->pos + 2 + k >= j->len) return FHX_E_TRUNCATED;
                    if (!rj_hex(j->p[j->pos + 2 + k])) return FHX_E_JSON;
                }
                j->pos += 6;
            } else if (e && strchr("\"\\/bfnrt", e)) {
                j->pos += 2;
            } else {
                return FHX_E_JSON;
            }
            continue;
        }
        if (c >= 0x80) {
            int st = rj_utf8(j);
            if (st) return st;
            continue;
        }
        j->pos++;
    }
    *ce = j->pos;
    j->pos++;
    return 0;
}

static int rj_digits(rj *j) {
    size_t s = j->pos;
    while (j->pos < j->len && j->p[j->pos] >= '0' && j->p[j->pos] <= '9')
        j->pos++;
    if (j->pos > s) return 0;
    return j->pos >= j->len ? FHX_E_TRUNCATED : FHX_E_JSON;
}

static int rj_number(rj *j) {
    int st;
    if (j->p[j->pos] == '-') j->pos++;
    if (j->pos >= j->len) return FHX_E_TRUNCATED;
    if (j->p[j->pos] == '0')
        j->pos++;
    else if ((st = rj_digits(j)) != 0)
        return st;
    if (j->pos < j->len && j->p[j->pos] == '.') {
        j->pos++;
        if ((st = rj_digits(j)) != 0) return st;
    }
    if (j->pos < j->len && (j->p[j->pos] == 'e' || j->p[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->len && (j->p[j->pos] == '+' || j->p[j->pos] == '-'))
            j->pos++;
        if ((st = rj_digits(j)) != 0) return st;
    }
    return 0;
}

static int rj_literal(rj *j, const char *w) {
    for (; *w; w++, j->pos++) {
        if (j->pos >= j->len) return FHX_E_TRUNCATED;
        if (j->p[j->pos] != (unsigned char)*w) return FHX_E_JSON;
    }
    return 0;
}

/* Any value at p[pos] (no leading whitespace); depth: containers open
 * around it. */
static int rj_value(rj *j, unsigned depth) {
    unsigned char c;
    size_t cs, ce;
    int st;
    if (j->pos >= j->len) return FHX_E_TRUNCATED;
    c = j->p[j->pos];
    if (c == '{' || c == '[') {
        unsigned char close = c == '{' ? '}' : ']';
        int first = 1;
        if (depth + 1 > FHX_MAX_DEPTH) return FHX_E_DEPTH;
        j->pos++;
        for (;;) {
            rj_skip_ws(j);
            if (j->pos >= j->len) return FHX_E_TRUNCATED;
            if (first && j->p[j->pos] == close) break;
            if (!first) {
                if (j->p[j->pos] == close) break;
                if (j->p[j->pos] != ',') return FHX_E_JSON;
                j->pos++;
                rj_skip_ws(j);
                if (j->pos >= j->len) return FHX_E_TRUNCATED;
            }
            first = 0;
            if (c == '{') {
                if (j->p[j->pos] != '"') return FHX_E_JSON;
                if ((st = rj_string(j, &cs, &ce)) != 0) return st;
                rj_skip_ws(j);
                if (j->pos >= j->len) return FHX_E_TRUNCATED;
                if (j->p[j->pos] != ':') return FHX_E_JSON;
                j->pos++;
                rj_skip_ws(j);
            }
            if ((st = rj_value(j, depth + 1)) != 0) return st;
        }
        j->pos++;
        return 0;
    }
    if (c == '"') return rj_string(j, &cs, &ce);
    if (c == '-' || (c >= '0' && c <= '9')) return rj_number(j);
    if (c == 't') return rj_literal(j, "true");
    if (c == 'f') return rj_literal(j, "false");
    if (c == 'n') return rj_literal(j, "null");
    return FHX_E_JSON;
}

/* One whole document: a value between optional whitespace. */
static int rj_document(const char *p, size_t len) {
    rj j;
    int st;
    j.p = (const unsigned char *)p;
    j.len = len;
    j.pos = 0;
    rj_skip_ws(&j);
    if ((st = rj_value(&j, 0)) != 0) return st;
    rj_skip_ws(&j);
    return j.pos == len ? 0 : FHX_E_JSON;
}

/* ---- reference: the shape (on valid JSON) ------------------------------- */

typedef struct ref_event {
    size_t offset;
    fhx_slice id, timestamp, message;
} ref_event;

typedef struct ref_doc {
    int ok;             /* the shape holds */
    int type;
    fhx_slice message_type, owner, log_group, log_stream;
    size_t n_filters;
    int has_events;
    ref_event *events;  /* n_events entries (malloc) */
    size_t n_events;
} ref_doc;

/* A key or string value [cs, ce) of p equal to t after unescaping. */
static int ref_is(const char *p, size_t cs, size_t ce, const char *t) {
    char *tmp = malloc(ce - cs + 1);
    size_t n = 0;
    int eq;
    FHXF_CHECK(tmp != NULL);
    FHXF_CHECK_EQ(fhx_json_unescape(p + cs, ce - cs, tmp, ce - cs, &n, NULL),
                  FHX_OK);
    eq = n == strlen(t) && memcmp(tmp, t, n) == 0;
    free(tmp);
    return eq;
}

/* A member's value of valid JSON: kind ('"', '0', '{', '[', 't', 'f',
 * 'n'), token [vs, ve), string content [cs, ce). */
typedef struct ref_val {
    char kind;
    size_t vs, ve, cs, ce;
} ref_val;

static void ref_read_value(rj *j, ref_val *v) {
    unsigned char c = j->p[j->pos];
    v->vs = j->pos;
    v->kind = (c == '-' || (c >= '0' && c <= '9')) ? '0' : (char)c;
    if (c == '"')
        FHXF_CHECK_EQ(rj_string(j, &v->cs, &v->ce), 0);
    else
        FHXF_CHECK_EQ(rj_value(j, 1), 0); /* depth checked already */
    v->ve = j->pos;
}

/* Iterate a container of valid JSON at p[pos]: returns 1 with the next
 * member (key content in [*ks, *ke) for objects) or 0 at its end. */
static int ref_next(rj *j, int object, int *first, size_t *ks, size_t *ke,
                    ref_val *v) {
    rj_skip_ws(j);
    if (j->p[j->pos] == (object ? '}' : ']')) {
        j->pos++;
        return 0;
    }
    if (!*first) {
        j->pos++; /* ',' */
        rj_skip_ws(j);
    }
    *first = 0;
    if (object) {
        FHXF_CHECK_EQ(rj_string(j, ks, ke), 0);
        rj_skip_ws(j);
        j->pos++; /* ':' */
        rj_skip_ws(j);
    }
    ref_read_value(j, v);
    return 1;
}

static fhx_slice ref_slice(const char *p, const ref_val *v) {
    fhx_slice s;
    s.ptr = p + v->cs;
    s.len = v->ce - v->cs;
    return s;
}

static int ref_event_read(const char *p, rj *j, ref_event *e) {
    int first = 1;
    size_t ks, ke;
    ref_val v;
    memset(e, 0, sizeof *e);
    e->offset = j->pos;
    j->pos++; /* '{' */
    while (ref_next(j, 1, &first, &ks, &ke, &v)) {
        fhx_slice *slot = NULL;
        char want = '"';
        if (ref_is(p, ks, ke, "id")) {
            slot = &e->id;
        } else if (ref_is(p, ks, ke, "timestamp")) {
            slot = &e->timestamp;
            want = '0';
        } else if (ref_is(p, ks, ke, "message")) {
            slot = &e->message;
        }
        if (!slot) continue;
        if (slot->ptr || v.kind != want) return 0;
        if (want == '0') {
            slot->ptr = p + v.vs;
            slot->len = v.ve - v.vs;
        } else {
            *slot = ref_slice(p, &v);
        }
    }
    return e->message.ptr != NULL;
}

/* The shape of a valid JSON document. */
static void ref_shape(const char *p, size_t len, ref_doc *d) {
    rj j;
    int first = 1, seen_filters = 0;
    size_t ks, ke, cap = 0;
    ref_val v;
    memset(d, 0, sizeof *d);
    j.p = (const unsigned char *)p;
    j.len = len;
    j.pos = 0;
    rj_skip_ws(&j);
    if (j.p[j.pos] != '{') return;
    j.pos++;
    while (ref_next(&j, 1, &first, &ks, &ke, &v)) {
        fhx_slice *slot = NULL;
        if (ref_is(p, ks, ke, "messageType"))
            slot = &d->message_type;
        else if (ref_is(p, ks, ke, "owner"))
            slot = &d->owner;
        else if (ref_is(p, ks, ke, "logGroup"))
            slot = &d->log_group;
        else if (ref_is(p, ks, ke, "logStream"))
            slot = &d->log_stream;
        if (slot) {
            if (slot->ptr || v.kind != '"') return;
            *slot = ref_slice(p, &v);
            if (slot == &d->message_type) {
                if (ref_is(p, v.cs, v.ce, "DATA_MESSAGE"))
                    d->type = FHX_CWLOGS_DATA;
                else if (ref_is(p, v.cs, v.ce, "CONTROL_MESSAGE"))
                    d->type = FHX_CWLOGS_CONTROL;
            }
        } else if (ref_is(p, ks, ke, "subscriptionFilters")) {
            rj a;
            int f = 1;
            ref_val el;
            size_t xs, xe;
            if (seen_filters || v.kind != '[') return;
            seen_filters = 1;
            a = j;
            a.pos = v.vs + 1;
            while (ref_next(&a, 0, &f, &xs, &xe, &el)) {
                if (el.kind != '"') return;
                d->n_filters++;
            }
        } else if (ref_is(p, ks, ke, "logEvents")) {
            rj a;
            int f = 1;
            ref_val el;
            size_t xs, xe;
            if (d->has_events || v.kind != '[') return;
            d->has_events = 1;
            a = j;
            a.pos = v.vs + 1;
            for (;;) {
                if (!ref_next(&a, 0, &f, &xs, &xe, &el)) break;
                if (el.kind != '{') return;
                if (d->n_events == cap) {
                    ref_event *ne;
                    cap = cap ? 2 * cap : 8;
                    ne = realloc(d->events, cap * sizeof *ne);
                    FHXF_CHECK(ne != NULL);
                    d->events = ne;
                }
                a.pos = el.vs;
                if (!ref_event_read(p, &a, &d->events[d->n_events])) return;
                d->n_events++;
            }
        }
    }
    if (!d->message_type.ptr) return;
    if (d->type == FHX_CWLOGS_DATA && !d->has_events) return;
    d->ok = 1;
}

/* ---- the reader --------------------------------------------------------- */

/* got points into p, want into base (the same bytes). */
static void check_slice(const fhx_slice *got, const char *p,
                        const fhx_slice *want, const char *base) {
    FHXF_CHECK((got->ptr == NULL) == (want->ptr == NULL));
    if (!want->ptr) return;
    FHXF_CHECK_EQ(got->ptr - p, want->ptr - base);
    FHXF_CHECK_EQ(got->len, want->len);
}

static void check_error(const fhx_error *e, int code, size_t len) {
    FHXF_CHECK_EQ(e->code, code);
    FHXF_CHECK(e->msg != NULL && e->msg[0] != '\0');
    FHXF_CHECK(e->offset <= len);
    if (code == FHX_E_TRUNCATED) FHXF_CHECK_EQ(e->offset, len);
}

/* Parse p[0, len) (a guarded copy of base) and check it against the
 * reference (jst: its JSON verdict; rd: its shape, slices into base).
 * Returns the status; *out_err the error. */
static int check_parse(const char *p, size_t len, int jst, const ref_doc *rd,
                       const char *base, fhx_error *out_err) {
    fhx_cwlogs_doc doc;
    fhx_cwlogs_event ev;
    fhx_error err;
    size_t i;
    int st = fhx_cwlogs_parse(&doc, p, len, &err);
    *out_err = err;
    if (jst != 0) {
        FHXF_CHECK(st == jst || st == FHX_E_SCHEMA);
    } else if (!rd->ok) {
        FHXF_CHECK_EQ(st, FHX_E_SCHEMA);
    } else {
        FHXF_CHECK_EQ(st, FHX_OK);
    }
    if (st != FHX_OK) {
        check_error(&err, st, len);
        FHXF_CHECK(err.record == FHX_NO_RECORD);
        FHXF_CHECK_EQ(fhx_cwlogs_next(&doc, &ev), FHX_E_ARG); /* not parsed */
        return st;
    }
    FHXF_CHECK_EQ(err.code, FHX_OK);
    FHXF_CHECK_EQ(doc.type, rd->type);
    check_slice(&doc.message_type, p, &rd->message_type, base);
    check_slice(&doc.owner, p, &rd->owner, base);
    check_slice(&doc.log_group, p, &rd->log_group, base);
    check_slice(&doc.log_stream, p, &rd->log_stream, base);
    FHXF_CHECK_EQ(doc.n_filters, rd->n_filters);
    FHXF_CHECK_EQ(doc.n_events, rd->n_events);
    for (i = 0; i < rd->n_events; i++) {
        const ref_event *re = &rd->events[i];
        FHXF_CHECK_EQ(fhx_cwlogs_next(&doc, &ev), FHX_OK);
        FHXF_CHECK_EQ(ev.index, i);
        FHXF_CHECK_EQ(ev.offset, re->offset);
        check_slice(&ev.id, p, &re->id, base);
        check_slice(&ev.timestamp, p, &re->timestamp, base);
        check_slice(&ev.message, p, &re->message, base);
        FHXF_CHECK_EQ(ev.message_escaped,
                      memchr(re->message.ptr, '\\', re->message.len) != NULL);
    }
    FHXF_CHECK_EQ(fhx_cwlogs_next(&doc, &ev), FHX_END);
    FHXF_CHECK_EQ(fhx_cwlogs_next(&doc, &ev), FHX_END);
    return st;
}

/* ---- the handler -------------------------------------------------------- */

typedef struct seen {
    size_t calls;
    fhx_error last;
    size_t index;
} seen;

static void on_error(void *user, const fhx_record *rec, const fhx_error *e) {
    seen *s = user;
    FHXF_CHECK(rec != NULL);
    s->calls++;
    s->last = *e;
    s->index = rec->index;
}

/* The lines the header promises for a document of the reference's shape
 * (its slices point into doc). */
static void expected_lines(const ref_doc *rd, int json_lines, fhx_buf *out) {
    size_t i;
    for (i = 0; i < rd->n_events; i++) {
        const ref_event *e = &rd->events[i];
        if (json_lines) {
            fhxf_put(out, "{\"logGroup\":\"", 13);
            if (rd->log_group.ptr)
                fhxf_put(out, rd->log_group.ptr, rd->log_group.len);
            fhxf_put(out, "\",\"logStream\":\"", 15);
            if (rd->log_stream.ptr)
                fhxf_put(out, rd->log_stream.ptr, rd->log_stream.len);
            fhxf_put(out, "\",\"id\":\"", 8);
            if (e->id.ptr) fhxf_put(out, e->id.ptr, e->id.len);
            fhxf_put(out, "\",\"timestamp\":", 14);
            if (e->timestamp.ptr)
                fhxf_put(out, e->timestamp.ptr, e->timestamp.len);
            else
                fhxf_put(out, "null", 4);
            fhxf_put(out, ",\"message\":\"", 12);
            fhxf_put(out, e->message.ptr, e->message.len);
            fhxf_put(out, "\"}\n", 3);
        } else {
            char *m = malloc(e->message.len + 1);
            size_t n = 0;
            FHXF_CHECK(m != NULL);
            FHXF_CHECK_EQ(fhx_json_unescape(e->message.ptr, e->message.len, m,
                                            e->message.len, &n, NULL),
                          FHX_OK);
            while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r')) n--;
            if (n > 0) {
                fhxf_put(out, m, n);
                fhxf_put(out, "\n", 1);
            }
            free(m);
        }
    }
}

/* Every JSON line is one valid JSON value with no raw line break. */
static void check_json_lines(const fhx_buf *out, size_t n_lines) {
    size_t pos = 0, lines = 0;
    while (pos < out->len) {
        const uint8_t *nl = memchr(out->ptr + pos, '\n', out->len - pos);
        size_t end;
        FHXF_CHECK(nl != NULL);
        end = (size_t)(nl - out->ptr);
        FHXF_CHECK(end > pos && out->ptr[pos] == '{');
        FHXF_CHECK(!memchr(out->ptr + pos, '\r', end - pos));
        FHXF_CHECK_EQ(rj_document((const char *)out->ptr + pos, end - pos), 0);
        pos = end + 1;
        lines++;
    }
    FHXF_CHECK_EQ(lines, n_lines);
}

typedef struct answer {
    int st;
    fhx_result result;
    fhx_buf out;
} answer;

static void run_handler(fhx_cwlogs_opts *o, const uint8_t *in, size_t len,
                        size_t index, seen *s, answer *a) {
    fhx_record rec;
    fhx_answer ans;
    memset(&rec, 0, sizeof rec);
    memset(&ans, 0, sizeof ans);
    memset(s, 0, sizeof *s);
    rec.index = index;
    rec.id.ptr = "rid";
    rec.id.len = 3;
    ans.result = FHX_RESULT_OK;
    o->on_error = on_error;
    o->user = s;
    fhx_buf_init(&a->out, NULL);
    a->st = fhx_handler_cloudwatch_logs(o, &rec, in, len, &a->out, &ans);
    a->result = ans.result;
    FHXF_CHECK(ans.data == NULL && ans.data_b64 == NULL && ans.n_keys == 0);
    if (a->st != FHX_OK) {
        FHXF_CHECK(a->st < 0);
        FHXF_CHECK_EQ(s->calls, 1);
        FHXF_CHECK_EQ(s->index, index);
        FHXF_CHECK_EQ(s->last.record, index);
        FHXF_CHECK_EQ(s->last.code, a->st);
        FHXF_CHECK(s->last.msg != NULL && s->last.msg[0] != '\0');
    } else {
        FHXF_CHECK_EQ(s->calls, 0);
    }
}

/* ---- inside a transform ------------------------------------------------- */

static const char control_doc[] =
    "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\","
    "\"logGroup\":\"\",\"logStream\":\"\",\"subscriptionFilters\":[],"
    "\"logEvents\":[{\"id\":\"\",\"timestamp\":1510254471089,\"message\":"
    "\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";

static void put_b64(fhx_buf *b, const uint8_t *p, size_t n) {
    size_t cap = fhx_b64_encoded_len(n), got = 0;
    FHXF_CHECK_EQ(fhx_buf_reserve(b, cap), FHX_OK);
    FHXF_CHECK_EQ(fhx_b64_encode(p, n, (char *)b->ptr + b->len, cap, &got),
                  FHX_OK);
    b->len += got;
}

/* Expected counters of one record answered as a says. */
static void tally(const answer *a, size_t *ok, size_t *dropped,
                  size_t *failed) {
    if (a->st != FHX_OK)
        (*failed)++;
    else if (a->result == FHX_RESULT_DROPPED)
        (*dropped)++;
    else
        (*ok)++;
}

static void check_transform(fhx_cwlogs_opts *o, const uint8_t *in, size_t len,
                            const answer *a) {
    fhx_buf ev, gz;
    fhx_transformer *t;
    const fhx_transform_stats *s;
    const char *resp;
    size_t resp_len, problems = 1, ok = 0, dropped = 0, failed = 1;
    fhx_event_decoder *dec;
    fhx_record rec;
    fhx_error err;
    answer ctl;
    seen sn;

    fhx_buf_init(&ev, NULL);
    fhx_buf_init(&gz, NULL);
    FHXF_CHECK_EQ(fhx_gzip_append(&gz, control_doc, sizeof control_doc - 1, 6),
                  FHX_OK);
    /* the CONTROL_MESSAGE under the same options (a tiny maximum fails
     * it) */
    run_handler(o, gz.ptr, gz.len, 1, &sn, &ctl);
    if (ctl.st == FHX_OK) {
        FHXF_CHECK_EQ(ctl.result, FHX_RESULT_DROPPED);
        FHXF_CHECK_EQ(ctl.out.len, 0);
    } else {
        FHXF_CHECK_EQ(ctl.st, FHX_E_LIMIT);
    }
    tally(a, &ok, &dropped, &failed);
    tally(&ctl, &ok, &dropped, &failed);
    fhxf_put(&ev, "{\"records\":[{\"recordId\":\"r0\",\"data\":\"", 37);
    put_b64(&ev, in, len);
    fhxf_put(&ev, "\"},{\"recordId\":\"r1\",\"data\":\"", 28);
    put_b64(&ev, gz.ptr, gz.len);
    fhxf_put(&ev, "\"},{\"recordId\":\"r2\",\"data\":\"Q!==\"}]}", 36);

    o->on_error = NULL;
    o->user = NULL;
    FHXF_CHECK_EQ(fhx_transformer_new(&t, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_transform(t, (const char *)ev.ptr, ev.len,
                                fhx_handler_cloudwatch_logs, o, &resp,
                                &resp_len),
                  FHX_OK);
    s = fhx_transform_get_stats(t);
    FHXF_CHECK_EQ(s->records, 3);
    FHXF_CHECK_EQ(s->invalid, 1);
    FHXF_CHECK_EQ(s->handler_errors, (a->st != FHX_OK) + (ctl.st != FHX_OK));
    if (s->over_limit) { /* the Ok answer did not fit: ProcessingFailed */
        FHXF_CHECK_EQ(s->over_limit, 1);
        FHXF_CHECK_EQ(ok, 1);
        ok--;
        failed++;
    }
    FHXF_CHECK_EQ(s->ok, ok);
    FHXF_CHECK_EQ(s->dropped, dropped);
    FHXF_CHECK_EQ(s->failed, failed);
    FHXF_CHECK_EQ(fhx_verify_response((const char *)ev.ptr, ev.len, resp,
                                      resp_len, 0, NULL, NULL, &problems,
                                      NULL, &err),
                  FHX_OK);
    FHXF_CHECK_EQ(problems, 0);

    /* the Ok record's data is the handler's output */
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(dec, resp, resp_len), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_next(dec, &rec), FHX_OK);
    if (s->ok == 1) {
        uint8_t *tmp = malloc(rec.data_len ? rec.data_len : 1);
        size_t got = 0;
        FHXF_CHECK(tmp != NULL);
        FHXF_CHECK_EQ(fhx_record_decode(&rec, tmp, rec.data_len, &got),
                      FHX_OK);
        FHXF_CHECK_MEM(tmp, got, a->out.ptr, a->out.len);
        free(tmp);
    }
    fhx_event_decoder_free(dec);
    fhx_transformer_free(t);
    fhx_buf_free(&ctl.out);
    fhx_buf_free(&ev);
    fhx_buf_free(&gz);
}

/* ---- the harness -------------------------------------------------------- */

static size_t pick_max(unsigned sel, size_t size) {
    switch (sel & 3u) {
    case 0: return 0; /* FHX_GUNZIP_RECORD_MAX */
    case 1: return size / 2 ? size / 2 : 1;
    case 2: return size ? size : 1;
    default: return 1;
    }
}

/* The handler's input for the payload, as header byte 0 says. */
static void wrap(const uint8_t *data, size_t size, const uint8_t *hdr,
                 fhx_buf *in) {
    int level = (int)(hdr[1] % 10u);
    switch (hdr[0] & 3u) {
    case 0:
        fhxf_put(in, data, size);
        break;
    case 1:
        FHXF_CHECK_EQ(fhx_gzip_append(in, data, size, level), FHX_OK);
        break;
    case 2: {
        size_t cut = size * hdr[2] / 256u;
        FHXF_CHECK_EQ(fhx_gzip_append(in, data, cut, level), FHX_OK);
        FHXF_CHECK_EQ(fhx_gzip_append(in, data + cut, size - cut, level),
                      FHX_OK);
        break;
    }
    default: {
        size_t cut = 1u + hdr[2] % 8u;
        FHXF_CHECK_EQ(fhx_gzip_append(in, data, size, level), FHX_OK);
        in->len -= cut; /* a member is at least 18 bytes */
        break;
    }
    }
}

int fhxf_cwlogs(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    fhxf_guard ga, gb;
    fhx_buf in, docbuf, want;
    fhx_error perr, perr2, gerr;
    fhx_cwlogs_opts o;
    fhx_gunzip_reader *reader = NULL;
    fhx_buf scratch;
    const char *doc;
    size_t doc_len, max;
    ref_doc rd;
    answer a, a2;
    seen s;
    int jst, pst, round;

    fhxf_take_header(&data, &size, hdr);
    if (size > (size_t)1 << 20) return 0; /* keep one run bounded */

    /* the reader on the payload as a document */
    jst = rj_document((const char *)data, size);
    memset(&rd, 0, sizeof rd);
    if (jst == 0) ref_shape((const char *)data, size, &rd);
    fhxf_guard_copy(&ga, data, size, FHXF_GUARD_AFTER);
    fhxf_guard_copy(&gb, data, size, FHXF_GUARD_BEFORE);
    pst = check_parse((const char *)ga.ptr, size, jst, &rd,
                      (const char *)data, &perr);
    FHXF_CHECK_EQ(check_parse((const char *)gb.ptr, size, jst, &rd,
                              (const char *)data, &perr2),
                  pst);
    FHXF_CHECK_ERR(&perr, &perr2);
    fhxf_guard_free(&ga);
    fhxf_guard_free(&gb);
    free(rd.events);

    /* the handler on the payload, wrapped as the header says */
    fhx_buf_init(&in, NULL);
    fhx_buf_init(&docbuf, NULL);
    fhx_buf_init(&want, NULL);
    fhx_buf_init(&scratch, NULL);
    wrap(data, size, hdr, &in);
    memset(&o, 0, sizeof o);
    o.max_bytes = pick_max(hdr[0] >> 4, size);
    max = o.max_bytes ? o.max_bytes : FHX_GUNZIP_RECORD_MAX;
    if (hdr[0] & 4u) o.flags = FHX_CWLOGS_JSON_LINES;
    if (hdr[0] & 8u) {
        FHXF_CHECK_EQ(fhx_gunzip_reader_new(&reader, NULL), FHX_OK);
        o.reader = reader;
        o.scratch = &scratch;
    }

    /* what the handler must see */
    gerr.code = FHX_OK;
    if (fhx_gzip_is_gzip(in.ptr, in.len)) {
        int st = fhx_gunzip_append(NULL, &docbuf, in.ptr, in.len, max, &gerr);
        FHXF_CHECK_EQ(st, gerr.code);
    } else {
        fhxf_put(&docbuf, in.ptr, in.len);
    }
    doc = (const char *)docbuf.ptr;
    doc_len = docbuf.len;

    for (round = 0; round < 2; round++) {
        answer *cur = round ? &a2 : &a;
        run_handler(&o, in.ptr, in.len, 5 + (size_t)round, &s, cur);
        if (gerr.code != FHX_OK) {
            FHXF_CHECK_EQ(cur->st, gerr.code);
            FHXF_CHECK_EQ(s.last.offset, gerr.offset);
            FHXF_CHECK(strcmp(s.last.msg, gerr.msg) == 0);
            continue;
        }
        jst = rj_document(doc, doc_len);
        memset(&rd, 0, sizeof rd);
        if (jst == 0) ref_shape(doc, doc_len, &rd);
        if (jst != 0 || !rd.ok) {
            fhx_cwlogs_doc d;
            int st = fhx_cwlogs_parse(&d, doc, doc_len, &perr);
            FHXF_CHECK(st < 0);
            FHXF_CHECK_EQ(cur->st, st);
            FHXF_CHECK_EQ(s.last.offset, perr.offset);
            FHXF_CHECK(strcmp(s.last.msg, perr.msg) == 0);
        } else if (rd.type == FHX_CWLOGS_CONTROL) {
            FHXF_CHECK_EQ(cur->st, FHX_OK);
            FHXF_CHECK_EQ(cur->result, FHX_RESULT_DROPPED);
            FHXF_CHECK_EQ(cur->out.len, 0);
        } else if (rd.type != FHX_CWLOGS_DATA) {
            FHXF_CHECK_EQ(cur->st, FHX_E_SCHEMA);
            FHXF_CHECK_EQ(s.last.offset,
                          (size_t)(rd.message_type.ptr - doc));
        } else {
            want.len = 0;
            expected_lines(&rd, (o.flags & FHX_CWLOGS_JSON_LINES) != 0, &want);
            FHXF_CHECK_EQ(cur->st, FHX_OK);
            FHXF_CHECK_EQ(cur->result, want.len ? FHX_RESULT_OK
                                                : FHX_RESULT_DROPPED);
            FHXF_CHECK_MEM(cur->out.ptr, cur->out.len, want.ptr, want.len);
            if (o.flags & FHX_CWLOGS_JSON_LINES)
                check_json_lines(&cur->out, rd.n_events);
        }
        free(rd.events);
    }
    /* a reused reader and scratch buffer change nothing */
    FHXF_CHECK_EQ(a.st, a2.st);
    FHXF_CHECK_EQ(a.result, a2.result);
    FHXF_CHECK_MEM(a.out.ptr, a.out.len, a2.out.ptr, a2.out.len);

    check_transform(&o, in.ptr, in.len, &a);

    fhx_buf_free(&a.out);
    fhx_buf_free(&a2.out);
    fhx_buf_free(&in);
    fhx_buf_free(&docbuf);
    fhx_buf_free(&want);
    fhx_buf_free(&scratch);
    fhx_gunzip_reader_free(reader);
    return 0;
}

FHXF_ENTRY(fhxf_cwlogs)
