/*
 * libfirehose-xform: checking a response against its event.
 *
 * The event is decoded with the real decoder and its recordIds are kept
 * (decoded value, raw slice, offset, source) in a hash table. The response
 * is first validated as a whole JSON document (strict scanners, final
 * input); a malformed response is one problem and the check stops. Then
 * the document is walked: the top-level object, its "records" array, each
 * record object, and every problem is reported in document order. Last
 * come the size limit and the event's recordIds that were never answered.
 */
#include <string.h>

#include "internal.h"
#include "json.h"

/* Nesting of the values the walker looks into. */
#define DEPTH_TOP 1     /* members of the top-level object */
#define DEPTH_RECORDS 2 /* elements of the records array */
#define DEPTH_RECORD 3  /* members of a record */
#define DEPTH_META 4    /* members of metadata */
#define DEPTH_KEYS 5    /* members of partitionKeys */

/* One recordId of the event. */
typedef struct ev_id {
    fhx_slice raw;     /* raw content in the event */
    size_t dec_off;    /* decoded value in the arena, or SIZE_MAX: raw */
    size_t dec_len;
    uint64_t hash;     /* of the decoded value */
    size_t offset;     /* of the record in the event */
    size_t index;      /* in the event */
    unsigned flags;    /* fhx_record flags */
    int answered;
} ev_id;

typedef struct vctx {
    const fhx_allocator *alc;
    const char *p;      /* the response */
    size_t len;
    fhx_problem_fn fn;
    void *ctx;
    size_t count;       /* problems reported */
    ev_id *ids;
    size_t n_ids, ids_cap;
    size_t *table;      /* id index + 1; 0 is empty */
    size_t table_size;  /* power of two */
    fhx_buf arena;      /* decoded escaped event ids */
    fhx_buf scratch;    /* one decoded response string at a time */
} vctx;

/* A member of a record, as found. */
typedef struct member {
    int present;
    size_t key_off;  /* opening quote of the key */
    size_t val_off;  /* first byte of the value */
    int is_string;
    fhxi_jstr str;   /* content, when is_string */
} member;

enum { M_ID, M_RESULT, M_DATA, M_KAFKA, M_META, M_COUNT };

static const char *const member_names[M_COUNT] = {
    "recordId", "result", "data", "kafkaRecordValue", "metadata"};

/* ---- problems ---------------------------------------------------------- */

static void report(vctx *v, int code, size_t offset, size_t record,
                   fhx_slice id, const char *msg) {
    fhx_problem pr;
    pr.code = code;
    pr.offset = offset;
    pr.in_event = 0;
    pr.record = record;
    pr.id = id;
    pr.msg = msg;
    v->count++;
    if (v->fn) v->fn(v->ctx, &pr);
}

static fhx_slice no_id(void) {
    fhx_slice s;
    s.ptr = NULL;
    s.len = 0;
    return s;
}

/* ---- hashing and decoded strings ---------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = (uint64_t)0xcbf29ce484222325u;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= (uint64_t)0x100000001b3u;
    }
    return h;
}

/* Decode raw string content into v->scratch (or point at it directly when
 * it holds no escape). */
static int decode_str(vctx *v, const char *raw, size_t len, int escaped,
                      fhx_slice *out) {
    size_t n = 0;
    int st;
    if (!escaped) {
        out->ptr = raw;
        out->len = len;
        return FHX_OK;
    }
    v->scratch.len = 0;
    st = fhx_buf_reserve(&v->scratch, len);
    if (st != FHX_OK) return st;
    st = fhx_json_unescape(raw, len, (char *)v->scratch.ptr, len, &n, NULL);
    if (st != FHX_OK) return st;
    out->ptr = (const char *)v->scratch.ptr;
    out->len = n;
    return FHX_OK;
}

/* 1 when the raw string content decodes to exactly name. */
static int str_is(const char *raw, size_t len, int escaped,
                  const char *name) {
    size_t n = strlen(name), dlen = 0;
    char tmp[128];
    if (!escaped) return len == n && memcmp(raw, name, n) == 0;
    if (len > sizeof tmp) return 0; /* decodes to more than 21 bytes */
    if (fhx_json_unescape(raw, len, tmp, sizeof tmp, &dlen, NULL) != FHX_OK)
        return 0;
    return dlen == n && memcmp(tmp, name, n) == 0;
}

/* Raw length and decoded length of the escape at raw[0] (a backslash). */
static void escape_span(const char *raw, size_t len, size_t *adv,
                        size_t *n) {
    char tmp[8];
    size_t a = len > 1 && raw[1] == 'u' ? 6 : 2;
    if (a == 6 && len >= 12 && raw[6] == '\\' && raw[7] == 'u') {
        size_t k = 0;
        /* a surrogate pair decodes to 4 bytes; two lone ones to 6 */
        if (fhx_json_unescape(raw, 12, tmp, sizeof tmp, &k, NULL) ==
                FHX_OK &&
            k == 4)
            a = 12;
    }
    if (a > len) a = len;
    *n = 0;
    if (fhx_json_unescape(raw, a, tmp, sizeof tmp, n, NULL) != FHX_OK)
        *n = 0;
    *adv = a;
}

/* Offset in raw of the byte that decodes to decoded byte dec_off. */
static size_t raw_offset(const char *raw, size_t len, size_t dec_off) {
    size_t i = 0, o = 0;
    while (i < len) {
        size_t adv = 1, n = 1;
        if (raw[i] == '\\') escape_span(raw + i, len - i, &adv, &n);
        if (dec_off < o + n) return i;
        o += n;
        i += adv;
    }
    return len;
}

/* ---- the event's recordIds ---------------------------------------------- */

static int ids_push(vctx *v, const fhx_record *rec) {
    ev_id *e;
    if (v->n_ids == v->ids_cap) {
        size_t cap = v->ids_cap ? v->ids_cap * 2 : 64;
        ev_id *p;
        if (cap > SIZE_MAX / sizeof *p) return FHX_E_NOMEM;
        p = fhxi_realloc(v->alc, v->ids, v->ids_cap * sizeof *p,
                         cap * sizeof *p);
        if (!p) return FHX_E_NOMEM;
        v->ids = p;
        v->ids_cap = cap;
    }
    e = &v->ids[v->n_ids];
    memset(e, 0, sizeof *e);
    e->raw = rec->id;
    e->offset = rec->offset;
    e->index = rec->index;
    e->flags = rec->flags;
    e->dec_off = SIZE_MAX;
    e->dec_len = rec->id.len;
    if (rec->flags & FHX_REC_ID_ESCAPED) {
        size_t n = 0;
        int st = fhx_buf_reserve(&v->arena, rec->id.len);
        if (st != FHX_OK) return st == FHX_E_LIMIT ? FHX_E_NOMEM : st;
        if (fhx_json_unescape(rec->id.ptr, rec->id.len,
                              (char *)v->arena.ptr + v->arena.len,
                              rec->id.len, &n, NULL) != FHX_OK)
            n = 0;
        e->dec_off = v->arena.len;
        e->dec_len = n;
        v->arena.len += n;
    }
    v->n_ids++;
    return FHX_OK;
}

static const char *id_value(const vctx *v, const ev_id *e) {
    if (e->dec_off == SIZE_MAX) return e->raw.ptr;
    return (const char *)v->arena.ptr + e->dec_off;
}

static size_t find_id(const vctx *v, fhx_slice val, uint64_t hash) {
    size_t mask = v->table_size - 1, k = (size_t)hash & mask;
    while (v->table[k]) {
        const ev_id *e = &v->ids[v->table[k] - 1];
        if (e->hash == hash && e->dec_len == val.len &&
            (val.len == 0 || memcmp(id_value(v, e), val.ptr, val.len) == 0))
            return v->table[k] - 1;
        k = (k + 1) & mask;
    }
    return SIZE_MAX;
}

static int build_table(vctx *v) {
    size_t size = 16, i;
    while (size < 2 * v->n_ids) {
        if (size > SIZE_MAX / 2 / sizeof *v->table) return FHX_E_NOMEM;
        size *= 2;
    }
    v->table = fhxi_alloc(v->alc, size * sizeof *v->table);
    if (!v->table) return FHX_E_NOMEM;
    memset(v->table, 0, size * sizeof *v->table);
    v->table_size = size;
    for (i = 0; i < v->n_ids; i++) {
        ev_id *e = &v->ids[i];
        size_t k;
        e->hash = hash_bytes(id_value(v, e), e->dec_len);
        k = (size_t)e->hash & (size - 1);
        while (v->table[k]) k = (k + 1) & (size - 1);
        v->table[k] = i + 1;
    }
    return FHX_OK;
}

/* Decode the event and collect its recordIds. */
static int load_event(vctx *v, const char *event, size_t event_len,
                      fhx_error *err) {
    fhx_event_decoder *dec;
    fhx_record rec;
    int st = fhx_event_decoder_new(&dec, v->alc);
    if (st != FHX_OK) return st;
    st = fhx_event_begin(dec, event ? event : "", event_len);
    while (st == FHX_OK) {
        st = fhx_event_next(dec, &rec);
        if (st == FHX_OK) st = ids_push(v, &rec);
    }
    if (st > 0 && st != FHX_END) st = FHX_E_STATE; /* not in whole mode */
    if (st == FHX_END) {
        st = FHX_OK;
    } else if (st < 0 && fhx_event_error(dec)->code == st && err) {
        *err = *fhx_event_error(dec);
    } else {
        fhxi_set_error(err, st, 0, FHX_NO_RECORD, fhx_strerror(st));
    }
    fhx_event_decoder_free(dec);
    if (st == FHX_OK) st = build_table(v);
    return st;
}

/* ---- walking the response ------------------------------------------------ */

static void skip_ws(const vctx *v, size_t *i) {
    fhxi_json_skip_ws(v->p, v->len, i);
}

/* Scan a key and its colon; *i ends at the value. The document is valid. */
static void scan_key(const vctx *v, size_t *i, fhxi_jstr *key) {
    const char *msg;
    (void)fhxi_json_string(v->p, v->len, i, 1, 1, key, &msg);
    skip_ws(v, i);
    (*i)++; /* ':' */
    skip_ws(v, i);
}

static void skip_value(const vctx *v, size_t *i, unsigned depth) {
    const char *msg;
    (void)fhxi_json_skip_value(v->p, v->len, i, 1, depth, &msg);
}

/* After a member or element: 1 when another follows (and skips the
 * comma), 0 at the closing bracket (skipped too). */
static int next_item(const vctx *v, size_t *i) {
    skip_ws(v, i);
    if (*i < v->len && v->p[*i] == ',') {
        (*i)++;
        skip_ws(v, i);
        return 1;
    }
    (*i)++;
    return 0;
}

/* 1 when the container at *i is empty (then skipped); else *i is at its
 * first member or element. */
static int open_container(const vctx *v, size_t *i) {
    (*i)++;
    skip_ws(v, i);
    if (v->p[*i] == '}' || v->p[*i] == ']') {
        (*i)++;
        return 1;
    }
    return 0;
}

static int key_is(const vctx *v, const fhxi_jstr *k, const char *name) {
    return str_is(v->p + k->start, k->end - k->start, k->escaped, name);
}

static fhx_slice str_slice(const vctx *v, const fhxi_jstr *s) {
    fhx_slice out;
    out.ptr = v->p + s->start;
    out.len = s->end - s->start;
    return out;
}

/* Read one member value of a record into m. */
static void read_member(const vctx *v, size_t *i, size_t key_off,
                        member *m) {
    const char *msg;
    m->present = 1;
    m->key_off = key_off;
    m->val_off = *i;
    m->is_string = v->p[*i] == '"';
    if (m->is_string)
        (void)fhxi_json_string(v->p, v->len, i, 1, 1, &m->str, &msg);
    else
        skip_value(v, i, DEPTH_RECORD);
}

/* Walk a record object at *i, filling its members. */
static void scan_record(vctx *v, size_t *i, size_t index, member *ms) {
    memset(ms, 0, M_COUNT * sizeof *ms);
    if (open_container(v, i)) return;
    do {
        fhxi_jstr key;
        size_t key_off = *i;
        int k;
        scan_key(v, i, &key);
        for (k = 0; k < M_COUNT; k++)
            if (key_is(v, &key, member_names[k])) break;
        if (k == M_COUNT) {
            skip_value(v, i, DEPTH_RECORD);
        } else if (ms[k].present) {
            report(v, FHX_E_SCHEMA, key_off, index, no_id(),
                   "repeated member in a response record");
            skip_value(v, i, DEPTH_RECORD);
        } else {
            read_member(v, i, key_off, &ms[k]);
        }
    } while (next_item(v, i));
}

/* The recordId: *found is its event entry, or NULL. */
static int check_id(vctx *v, size_t rec_off, size_t index, const member *m,
                    ev_id **found) {
    fhx_slice val;
    size_t k;
    int st;
    *found = NULL;
    if (!m->present) {
        report(v, FHX_E_SCHEMA, rec_off, index, no_id(),
               "response record without recordId");
        return FHX_OK;
    }
    if (!m->is_string) {
        report(v, FHX_E_SCHEMA, m->val_off, index, no_id(),
               "recordId is not a string");
        return FHX_OK;
    }
    st = decode_str(v, v->p + m->str.start, m->str.end - m->str.start,
                    m->str.escaped, &val);
    if (st != FHX_OK) return st;
    k = find_id(v, val, hash_bytes(val.ptr, val.len));
    if (k == SIZE_MAX) {
        report(v, FHX_E_UNKNOWN_ID, m->val_off, index, str_slice(v, &m->str),
               "recordId not in the event");
    } else if (v->ids[k].answered) {
        report(v, FHX_E_DUPLICATE_ID, m->val_off, index,
               str_slice(v, &m->str), "recordId answered twice");
    } else {
        v->ids[k].answered = 1;
        *found = &v->ids[k];
    }
    return FHX_OK;
}

/* The result; returns 1 when it is "Ok". */
static int check_result(vctx *v, size_t rec_off, size_t index, fhx_slice id,
                        const member *m) {
    const char *raw;
    size_t len;
    if (!m->present) {
        report(v, FHX_E_RESULT, rec_off, index, id,
               "response record without result");
        return 0;
    }
    if (!m->is_string) {
        report(v, FHX_E_RESULT, m->val_off, index, id,
               "result is not a string");
        return 0;
    }
    raw = v->p + m->str.start;
    len = m->str.end - m->str.start;
    if (str_is(raw, len, m->str.escaped, "Ok")) return 1;
    if (!str_is(raw, len, m->str.escaped, "Dropped") &&
        !str_is(raw, len, m->str.escaped, "ProcessingFailed"))
        report(v, FHX_E_RESULT, m->val_off, index, id,
               "result is not Ok, Dropped or ProcessingFailed");
    return 0;
}

/* A payload value: a string of strict base64. */
static int check_base64(vctx *v, size_t index, fhx_slice id,
                        const member *m) {
    fhx_slice val;
    fhx_error e;
    const char *raw = v->p + m->str.start;
    size_t len = m->str.end - m->str.start, off;
    int st;
    if (!m->is_string) {
        report(v, FHX_E_BASE64, m->val_off, index, id,
               "payload is not a string");
        return FHX_OK;
    }
    st = decode_str(v, raw, len, m->str.escaped, &val);
    if (st != FHX_OK) return st;
    if (fhx_b64_validate(val.ptr, val.len, NULL, &e) == FHX_OK)
        return FHX_OK;
    off = m->str.escaped ? raw_offset(raw, len, e.offset) : e.offset;
    report(v, FHX_E_BASE64, m->str.start + off, index, id,
           e.msg ? e.msg : "invalid base64");
    return FHX_OK;
}

/* The payload under the right key for the record's source. */
static int check_payload(vctx *v, size_t rec_off, size_t index,
                         fhx_slice id, const ev_id *ev, int ok,
                         const member *ms) {
    int right = M_DATA, wrong = M_KAFKA;
    if (ev ? (ev->flags & FHX_REC_KAFKA) != 0
           : (ms[M_KAFKA].present && !ms[M_DATA].present)) {
        right = M_KAFKA;
        wrong = M_DATA;
    }
    if (ms[wrong].present)
        report(v, FHX_E_SCHEMA, ms[wrong].key_off, index, id,
               ev ? "payload under the wrong key for the record's source"
                  : "both data and kafkaRecordValue");
    if (ms[right].present) return check_base64(v, index, id, &ms[right]);
    if (ok)
        report(v, FHX_E_NO_DATA, rec_off, index, id,
               "Ok record without data");
    return FHX_OK;
}

/* partitionKeys: an object of strings. */
static void check_keys(vctx *v, size_t *i, size_t index, fhx_slice id) {
    if (v->p[*i] != '{') {
        report(v, FHX_E_SCHEMA, *i, index, id,
               "partitionKeys is not an object");
        skip_value(v, i, DEPTH_META);
        return;
    }
    if (open_container(v, i)) return;
    do {
        fhxi_jstr key;
        scan_key(v, i, &key);
        if (v->p[*i] != '"')
            report(v, FHX_E_SCHEMA, *i, index, id,
                   "partition key value is not a string");
        skip_value(v, i, DEPTH_KEYS);
    } while (next_item(v, i));
}

static void check_metadata(vctx *v, size_t index, fhx_slice id,
                           const member *m) {
    size_t i = m->val_off;
    if (!m->present) return;
    if (v->p[i] != '{') {
        report(v, FHX_E_SCHEMA, i, index, id, "metadata is not an object");
        return;
    }
    if (open_container(v, &i)) return;
    do {
        fhxi_jstr key;
        scan_key(v, &i, &key);
        if (key_is(v, &key, "partitionKeys"))
            check_keys(v, &i, index, id);
        else
            skip_value(v, &i, DEPTH_META);
    } while (next_item(v, &i));
}

static int check_record(vctx *v, size_t *i, size_t index) {
    member ms[M_COUNT];
    size_t rec_off = *i;
    ev_id *ev;
    fhx_slice id = no_id();
    int ok, st;
    scan_record(v, i, index, ms);
    st = check_id(v, rec_off, index, &ms[M_ID], &ev);
    if (st != FHX_OK) return st;
    if (ms[M_ID].present && ms[M_ID].is_string)
        id = str_slice(v, &ms[M_ID].str);
    ok = check_result(v, rec_off, index, id, &ms[M_RESULT]);
    st = check_payload(v, rec_off, index, id, ev, ok, ms);
    if (st != FHX_OK) return st;
    check_metadata(v, index, id, &ms[M_META]);
    return FHX_OK;
}

static int check_records(vctx *v, size_t *i) {
    size_t index = 0;
    if (open_container(v, i)) return FHX_OK;
    do {
        if (v->p[*i] == '{') {
            int st = check_record(v, i, index);
            if (st != FHX_OK) return st;
        } else {
            report(v, FHX_E_SCHEMA, *i, index, no_id(),
                   "response record is not an object");
            skip_value(v, i, DEPTH_RECORDS);
        }
        index++;
    } while (next_item(v, i));
    return FHX_OK;
}

/* The top-level object at *i. */
static int check_top(vctx *v, size_t i) {
    size_t top = i;
    int seen = 0;
    if (v->p[i] != '{') {
        report(v, FHX_E_SCHEMA, i, FHX_NO_RECORD, no_id(),
               "response is not a JSON object");
        return FHX_OK;
    }
    if (!open_container(v, &i)) {
        do {
            fhxi_jstr key;
            size_t key_off = i;
            scan_key(v, &i, &key);
            if (!key_is(v, &key, "records")) {
                skip_value(v, &i, DEPTH_TOP);
            } else if (seen) {
                report(v, FHX_E_SCHEMA, key_off, FHX_NO_RECORD, no_id(),
                       "repeated records member");
                skip_value(v, &i, DEPTH_TOP);
            } else if (v->p[i] != '[') {
                seen = 1;
                report(v, FHX_E_SCHEMA, i, FHX_NO_RECORD, no_id(),
                       "records is not an array");
                skip_value(v, &i, DEPTH_TOP);
            } else {
                int st;
                seen = 1;
                st = check_records(v, &i);
                if (st != FHX_OK) return st;
            }
        } while (next_item(v, &i));
    }
    if (!seen)
        report(v, FHX_E_SCHEMA, top, FHX_NO_RECORD, no_id(),
               "response without a records array");
    return FHX_OK;
}

/* Whole-document validation; returns 0 (and reports) when malformed. */
static int check_json(vctx *v, size_t *start) {
    size_t i = 0;
    const char *msg = "malformed JSON";
    int st;
    skip_ws(v, &i);
    *start = i;
    st = fhxi_json_skip_value(v->p, v->len, &i, 1, 0, &msg);
    if (st != FHXI_J_OK) {
        report(v, st < 0 ? st : FHX_E_JSON, i, FHX_NO_RECORD, no_id(),
               msg ? msg : "malformed JSON");
        return 0;
    }
    skip_ws(v, &i);
    if (i != v->len) {
        report(v, FHX_E_JSON, i, FHX_NO_RECORD, no_id(),
               "unexpected characters after the JSON value");
        return 0;
    }
    return 1;
}

static void report_missing(vctx *v) {
    size_t k;
    for (k = 0; k < v->n_ids; k++) {
        fhx_problem pr;
        if (v->ids[k].answered) continue;
        pr.code = FHX_E_MISSING_ID;
        pr.offset = v->ids[k].offset;
        pr.in_event = 1;
        pr.record = v->ids[k].index;
        pr.id = v->ids[k].raw;
        pr.msg = "recordId of the event not in the response";
        v->count++;
        if (v->fn) v->fn(v->ctx, &pr);
    }
}

static int check_response(vctx *v, size_t limit) {
    size_t start;
    int st;
    if (!check_json(v, &start)) return FHX_OK;
    st = check_top(v, start);
    if (st != FHX_OK) return st;
    if (v->len > limit)
        report(v, FHX_E_LIMIT, limit, FHX_NO_RECORD, no_id(),
               "response larger than the size limit");
    report_missing(v);
    return FHX_OK;
}

static void vctx_free(vctx *v) {
    fhxi_free(v->alc, v->ids, v->ids_cap * sizeof *v->ids);
    fhxi_free(v->alc, v->table, v->table_size * sizeof *v->table);
    fhx_buf_free(&v->arena);
    fhx_buf_free(&v->scratch);
}

int fhx_verify_response(const char *event, size_t event_len,
                        const char *response, size_t response_len,
                        size_t limit, fhx_problem_fn fn, void *ctx,
                        size_t *n_problems, const fhx_allocator *alc,
                        fhx_error *err) {
    vctx v;
    int st;
    if (n_problems) *n_problems = 0;
    fhxi_clear_error(err);
    if ((!event && event_len) || (!response && response_len) ||
        !fhxi_alc_valid(alc)) {
        fhxi_set_error(err, FHX_E_ARG, 0, FHX_NO_RECORD,
                       "verify: NULL buffer with a length, or bad allocator");
        return FHX_E_ARG;
    }
    memset(&v, 0, sizeof v);
    v.alc = alc;
    v.p = response ? response : "";
    v.len = response_len;
    v.fn = fn;
    v.ctx = ctx;
    fhx_buf_init(&v.arena, alc);
    fhx_buf_init(&v.scratch, alc);
    st = load_event(&v, event, event_len, err);
    if (limit == 0) limit = FHX_LAMBDA_RESPONSE_LIMIT;
    if (st == FHX_OK) st = check_response(&v, limit);
    if (st == FHX_OK || st == FHX_E_NOMEM) {
        if (n_problems) *n_problems = v.count;
    }
    if (st == FHX_E_NOMEM)
        fhxi_set_error(err, FHX_E_NOMEM, 0, FHX_NO_RECORD, "out of memory");
    vctx_free(&v);
    return st;
}
