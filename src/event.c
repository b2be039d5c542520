/*
 * libfirehose-xform: the streaming, zero-copy event decoder.
 *
 * The event is parsed one "item" at a time: the opening brace, a top-level
 * member (key and value; for "records" only up to its '['), one record
 * object (with the comma before it), the closing bracket or brace, the
 * trailing whitespace. An item is parsed from a contiguous span; when the
 * span ends inside the item, the parse returns "more" and is retried from
 * the item's start once more bytes are there (the scanners keep no state,
 * see json.c). So:
 *   - whole-buffer input is parsed in place, with no copy at all;
 *   - chunked input is parsed in place inside each chunk, and only the item
 *     that straddles two chunks is assembled in the decoder's carry buffer.
 *     A retry waits until the carry has doubled, so the work stays linear
 *     even with one-byte chunks;
 *   - errors are found at the same byte whatever the split, because every
 *     check runs on the same bytes in the same order.
 */
#include <string.h>

#include "internal.h"
#include "json.h"
#include "kernel.h"

/* ---- recordId hashing ------------------------------------------------ */

/* A 64-bit hash of a recordId's value, computed twice per record (here
 * and in the writer's guard), so it is built for speed on 40-70 byte
 * ids: 8-byte words go alternately to two lanes (two independent
 * multiply chains), each step a multiply by an odd constant and an
 * xorshift (both bijections, so two values that differ in one word always
 * differ in that lane), and a full avalanche at the end. The streaming
 * form (for ids with escapes, hashed piece by piece as they are decoded)
 * gives the same value as the one-call form for the same bytes. */
#define HASH_K ((uint64_t)0x9e3779b97f4a7c15u)

typedef struct id_hasher {
    uint64_t lane[2];
    uint64_t total;
    unsigned char word[8];
    unsigned n;
} id_hasher;

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= (uint64_t)0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= (uint64_t)0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

static inline uint64_t lane_step(uint64_t h, uint64_t v) {
    h = (h ^ v) * HASH_K;
    return h ^ (h >> 32);
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void hasher_init(id_hasher *hs) {
    hs->lane[0] = HASH_K;
    hs->lane[1] = ~HASH_K;
    hs->total = 0;
    hs->n = 0;
}

/* Word number total / 8 - 1 (the one just completed) goes to its lane. */
static void hasher_word(id_hasher *hs, uint64_t v, uint64_t index) {
    unsigned l = (unsigned)(index & 1);
    hs->lane[l] = lane_step(hs->lane[l], v);
}

static void hasher_update(id_hasher *hs, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    while (len && hs->n) {
        hs->word[hs->n++] = *u++;
        len--;
        hs->total++;
        if (hs->n == 8) {
            hasher_word(hs, load64(hs->word), hs->total / 8 - 1);
            hs->n = 0;
        }
    }
    while (len >= 8) {
        hs->total += 8;
        hasher_word(hs, load64(u), hs->total / 8 - 1);
        u += 8;
        len -= 8;
    }
    hs->total += len;
    while (len--) hs->word[hs->n++] = *u++;
}

static uint64_t hash_final(uint64_t a, uint64_t b, uint64_t total,
                           const unsigned char *tail, unsigned n) {
    unsigned char w[8] = {0};
    if (n) {
        memcpy(w, tail, n);
        if ((total / 8) & 1)
            b = lane_step(b, load64(w));
        else
            a = lane_step(a, load64(w));
    }
    return mix64(a ^ ((b << 32) | (b >> 32)) ^ total);
}

static uint64_t hasher_final(id_hasher *hs) {
    return hash_final(hs->lane[0], hs->lane[1], hs->total, hs->word, hs->n);
}

/* The one-call form of the hasher: the same value, two lanes unrolled. */
static uint64_t hash_bytes(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    uint64_t a = HASH_K, b = ~HASH_K;
    size_t i = 0;
    for (; len - i >= 16; i += 16) {
        a = lane_step(a, load64(u + i));
        b = lane_step(b, load64(u + i + 8));
    }
    if (len - i >= 8) {
        a = lane_step(a, load64(u + i));
        i += 8;
    }
    return hash_final(a, b, len, u + i, (unsigned)(len - i));
}

uint64_t fhxi_id_hash(const char *raw, size_t len, int escaped) {
    id_hasher hs;
    if (!escaped) return hash_bytes(raw, len);
    hasher_init(&hs);
    {
        /* Hash the decoded value, one escape-free run or escape at a time
         * (the raw content was validated by the scanner). */
        size_t i = 0;
        while (i < len) {
            size_t j = i;
            if (raw[i] != '\\') {
                while (j < len && raw[j] != '\\') j++;
                hasher_update(&hs, raw + i, j - i);
            } else {
                char tmp[8];
                size_t n = 0, adv = i + 1 < len && raw[i + 1] == 'u' ? 6 : 2;
                /* a surrogate pair is one code point */
                if (adv == 6 && i + 12 <= len && raw[i + 6] == '\\' &&
                    raw[i + 7] == 'u')
                    adv = 12;
                if (adv > len - i) adv = len - i;
                if (fhx_json_unescape(raw + i, adv, tmp, sizeof tmp, &n,
                                      NULL) != FHX_OK)
                    n = 0; /* not from a validated token: hash nothing */
                hasher_update(&hs, tmp, n);
                j = i + adv;
            }
            i = j;
        }
    }
    return hasher_final(&hs);
}

/* ---- the decoder ------------------------------------------------------ */

enum dec_state {
    ST_NONE,        /* no event begun */
    ST_START,       /* expecting '{' */
    ST_TOP_FIRST,   /* after '{': a member or '}' */
    ST_TOP_NEXT,    /* after a member: ',' or '}' */
    ST_REC_FIRST,   /* after "records":[ : a record or ']' */
    ST_REC_NEXT,    /* after a record: ',' record or ']' */
    ST_AFTER,       /* after the closing '}': whitespace only */
    ST_DONE,        /* FHX_END returned */
    ST_FAILED       /* an event-level error returned */
};

enum { HDR_INVOCATION_ID, HDR_STREAM_ARN, HDR_REGION, HDR_KINESIS_ARN,
       HDR_MSK_ARN, HDR_COUNT };

static const char *const hdr_names[HDR_COUNT] = {
    "invocationId", "deliveryStreamArn", "region", "sourceKinesisStreamArn",
    "sourceMSKArn"};

typedef struct id_entry {
    uint64_t hash;
    size_t offset;
} id_entry;

typedef struct hdr_field {
    size_t off;
    size_t len;
    int kind;
} hdr_field;

struct fhx_event_decoder {
    fhx_allocator alc_store;
    const fhx_allocator *alc;

    int state;
    int final;          /* no more input after what was fed */
    int seen_records;
    int status;         /* sticky FHX_END or error once reached */
    fhx_error err;
    uint64_t generation;
    int fast;           /* try fast_record first (fhxi_event_fast_path) */
    size_t fast_records; /* records of this event read by fast_record */

    /* current piece of input */
    const char *in;
    size_t in_len, in_pos, in_base; /* in_base: absolute offset of in[0] */
    int in_busy;        /* fed piece not yet fully consumed */

    /* bytes of the item straddling pieces */
    fhx_buf carry;
    size_t carry_start; /* first unparsed byte */
    size_t carry_base;  /* absolute offset of carry.ptr[0] */
    size_t carry_hint;  /* retry once carry.len reaches this */
    size_t carry_from_in; /* trailing carry bytes copied from the piece */

    /* recordIds: per record, and an open-addressing set of their hashes */
    id_entry *ids;
    size_t n_ids, ids_cap;
    /* the record fhx_event_next produced last (the writer's guard need not
     * hash an id that is this one, in the same place) */
    int has_last;
    size_t last_index;
    fhx_slice last_id;
    unsigned last_id_escaped;
    uint64_t *set;      /* open addressing: set_key(hash), 0 = empty */
    size_t set_cap;     /* 0 or a power of two */

    /* header members, copied (they may come from a piece long gone) */
    fhx_buf hdr;
    hdr_field fields[HDR_COUNT];
    fhx_event_header header;
};

/* ---- tables ----------------------------------------------------------- */

/* The set holds the hashes themselves (one memory access per probe, not
 * two); 0 marks an empty slot, so a hash of 0 is stored as 1 (two ids
 * hashing to 0 and 1 would count as one: a 2^-63 event). */
static uint64_t set_key(uint64_t hash) { return hash ? hash : 1; }

static int ids_grow(fhx_event_decoder *dec, size_t need) {
    size_t cap, set_cap, i;
    id_entry *ids;
    uint64_t *set;
    if (need <= dec->ids_cap && dec->set_cap >= 2 * need) return FHX_OK;
    if (need > (size_t)UINT32_MAX / 4) return FHX_E_LIMIT;
    cap = dec->ids_cap ? dec->ids_cap : 64;
    while (cap < need) cap *= 2;
    if (cap > dec->ids_cap) {
        ids = fhxi_realloc(dec->alc, dec->ids, dec->ids_cap * sizeof *ids,
                           cap * sizeof *ids);
        if (!ids) return FHX_E_NOMEM;
        dec->ids = ids;
        dec->ids_cap = cap;
    }
    set_cap = dec->set_cap ? dec->set_cap : 128;
    while (set_cap < 2 * cap) set_cap *= 2;
    if (set_cap > dec->set_cap) {
        set = fhxi_alloc(dec->alc, set_cap * sizeof *set);
        if (!set) return FHX_E_NOMEM;
        fhxi_free(dec->alc, dec->set, dec->set_cap * sizeof *set);
        dec->set = set;
        dec->set_cap = set_cap;
        memset(set, 0, set_cap * sizeof *set);
        for (i = 0; i < dec->n_ids; i++) {
            uint64_t key = set_key(dec->ids[i].hash);
            size_t m = set_cap - 1, k = (size_t)key & m;
            while (set[k]) k = (k + 1) & m;
            set[k] = key;
        }
    }
    return FHX_OK;
}

/* Add a recordId; 0 when the same id was seen before. */
static int ids_add(fhx_event_decoder *dec, uint64_t hash, size_t offset) {
    uint64_t key = set_key(hash);
    size_t m = dec->set_cap - 1, k = (size_t)key & m;
    while (dec->set[k]) {
        if (dec->set[k] == key) return 0;
        k = (k + 1) & m;
    }
    dec->set[k] = key;
    dec->ids[dec->n_ids].hash = hash;
    dec->ids[dec->n_ids].offset = offset;
    dec->n_ids++;
    return 1;
}

/* ---- life cycle ------------------------------------------------------- */

int fhx_event_decoder_new(fhx_event_decoder **out, const fhx_allocator *alc) {
    fhx_event_decoder *dec;
    if (!out) return FHX_E_ARG;
    *out = NULL;
    if (!fhxi_alc_valid(alc)) return FHX_E_ARG;
    dec = fhxi_obj_alloc(alc, sizeof *dec);
    if (!dec) return FHX_E_NOMEM;
    dec->alc = fhxi_alc_keep(&dec->alc_store, alc);
    fhx_buf_init(&dec->carry, dec->alc);
    fhx_buf_init(&dec->hdr, dec->alc);
    dec->state = ST_NONE;
    dec->fast = 1;
    fhxi_clear_error(&dec->err);
    *out = dec;
    return FHX_OK;
}

void fhx_event_decoder_free(fhx_event_decoder *dec) {
    if (!dec) return;
    fhx_buf_free(&dec->carry);
    fhx_buf_free(&dec->hdr);
    fhxi_free(dec->alc, dec->ids, dec->ids_cap * sizeof *dec->ids);
    fhxi_free(dec->alc, dec->set, dec->set_cap * sizeof *dec->set);
    fhxi_obj_free(dec->alc, dec, sizeof *dec);
}

int fhx_event_decoder_reserve(fhx_event_decoder *dec, size_t n) {
    if (!dec) return FHX_E_ARG;
    return ids_grow(dec, n);
}

static void refresh_header(fhx_event_decoder *d);

static void reset(fhx_event_decoder *dec) {
    size_t i;
    dec->state = ST_START;
    dec->final = 0;
    dec->seen_records = 0;
    dec->status = FHX_OK;
    fhxi_clear_error(&dec->err);
    dec->generation++;
    dec->in = NULL;
    dec->in_len = dec->in_pos = dec->in_base = 0;
    dec->in_busy = 0;
    dec->carry.len = 0;
    dec->carry_start = dec->carry_base = 0;
    dec->carry_hint = dec->carry_from_in = 0;
    dec->n_ids = 0;
    dec->has_last = 0;
    dec->fast_records = 0;
    if (dec->set) memset(dec->set, 0, dec->set_cap * sizeof *dec->set);
    dec->hdr.len = 0;
    for (i = 0; i < HDR_COUNT; i++) {
        dec->fields[i].off = dec->fields[i].len = 0;
        dec->fields[i].kind = FHX_META_ABSENT;
    }
    refresh_header(dec);
}

int fhx_event_begin(fhx_event_decoder *dec, const char *json, size_t len) {
    if (!dec || (!json && len)) return FHX_E_ARG;
    reset(dec);
    dec->in = json;
    dec->in_len = len;
    dec->in_busy = 1;
    dec->final = 1;
    return FHX_OK;
}

int fhx_event_begin_stream(fhx_event_decoder *dec) {
    if (!dec) return FHX_E_ARG;
    reset(dec);
    return FHX_OK;
}

int fhx_event_feed(fhx_event_decoder *dec, const char *chunk, size_t len) {
    if (!dec || (!chunk && len)) return FHX_E_ARG;
    if (dec->state == ST_NONE || dec->final || dec->in_busy)
        return FHX_E_STATE;
    if (len == 0) return FHX_OK;
    dec->in_base += dec->in_len;
    dec->in = chunk;
    dec->in_len = len;
    dec->in_pos = 0;
    dec->in_busy = 1;
    dec->carry_from_in = 0;
    return FHX_OK;
}

int fhx_event_finish(fhx_event_decoder *dec) {
    if (!dec) return FHX_E_ARG;
    if (dec->state == ST_NONE || dec->final) return FHX_E_STATE;
    dec->final = 1;
    return FHX_OK;
}

const fhx_error *fhx_event_error(const fhx_event_decoder *dec) {
    return dec ? &dec->err : NULL;
}

size_t fhx_event_record_count(const fhx_event_decoder *dec) {
    return dec ? dec->n_ids : 0;
}

size_t fhx_event_offset(const fhx_event_decoder *dec) {
    if (!dec) return 0;
    if (dec->carry.len > dec->carry_start)
        return dec->carry_base + dec->carry_start;
    return dec->in_base + dec->in_pos;
}

/* Point the header's slices at the stored members (again after the
 * buffer moved); called whenever a member is stored or the event resets. */
static void refresh_header(fhx_event_decoder *d) {
    fhx_meta_value *v[HDR_COUNT];
    size_t i;
    v[HDR_INVOCATION_ID] = &d->header.invocation_id;
    v[HDR_STREAM_ARN] = &d->header.delivery_stream_arn;
    v[HDR_REGION] = &d->header.region;
    v[HDR_KINESIS_ARN] = &d->header.source_kinesis_stream_arn;
    v[HDR_MSK_ARN] = &d->header.source_msk_arn;
    for (i = 0; i < HDR_COUNT; i++) {
        v[i]->kind = d->fields[i].kind;
        v[i]->raw.ptr = d->hdr.ptr ? (const char *)d->hdr.ptr + d->fields[i].off
                                   : "";
        v[i]->raw.len = d->fields[i].len;
    }
}

const fhx_event_header *fhx_event_get_header(const fhx_event_decoder *dec) {
    return dec ? &dec->header : NULL;
}

int fhxi_event_record_info(const fhx_event_decoder *dec, size_t index,
                           uint64_t *hash, size_t *offset) {
    if (!dec || index >= dec->n_ids) return 0;
    if (hash) *hash = dec->ids[index].hash;
    if (offset) *offset = dec->ids[index].offset;
    return 1;
}

int fhxi_event_done(const fhx_event_decoder *dec) {
    return dec && dec->state == ST_DONE;
}

uint64_t fhxi_event_generation(const fhx_event_decoder *dec) {
    return dec ? dec->generation : 0;
}

void fhxi_event_fast_path(fhx_event_decoder *dec, int on) {
    if (dec) dec->fast = on != 0;
}

size_t fhxi_event_fast_records(const fhx_event_decoder *dec) {
    return dec ? dec->fast_records : 0;
}

/* ---- item parsing ------------------------------------------------------ */

/* What one parse step did. */
enum { ITEM_MORE = 1, ITEM_STATE, ITEM_RECORD, ITEM_END };

/* The span being parsed. */
typedef struct span {
    const char *p;
    size_t len;
    size_t base; /* absolute offset of p[0] */
    int final;
} span;

static int event_error(fhx_event_decoder *dec, int code, size_t abs_off,
                       size_t record, const char *msg) {
    fhxi_set_error(&dec->err, code, abs_off, record, msg);
    return code;
}

/* A scanner's status as an item status. */
static int scan_status(fhx_event_decoder *dec, const span *s, int st,
                       size_t pos, size_t record, const char *msg) {
    if (st == FHXI_J_MORE) return ITEM_MORE;
    return event_error(dec, st, s->base + pos, record, msg);
}

/* ws_then_byte's work when *i is at whitespace or the end of the span. */
static int ws_then_byte_slow(fhx_event_decoder *dec, const span *s, size_t *i,
                             size_t record) {
    fhxi_json_skip_ws(s->p, s->len, i);
    if (*i < s->len) return FHX_OK;
    if (!s->final) return ITEM_MORE;
    return event_error(dec, FHX_E_TRUNCATED, s->base + s->len, record,
                       "unexpected end of input");
}

/* Skip whitespace; ITEM_MORE (or truncation) when the span ends. Inline
 * for the common case, a significant byte right there. */
static inline int ws_then_byte(fhx_event_decoder *dec, const span *s,
                               size_t *i, size_t record) {
    if (FHXI_LIKELY(*i < s->len &&
                    !fhxi_json_is_ws((unsigned char)s->p[*i])))
        return FHX_OK;
    return ws_then_byte_slow(dec, s, i, record);
}

/* Compare a scanned key with a name of n bytes, resolving escapes when
 * there are. key_is() takes a string literal and its length at compile
 * time (keys are compared several times per record). */
#define key_is(p, k, lit) key_is_n((p), (k), "" lit, sizeof(lit) - 1)
static int key_is_n(const char *p, const fhxi_jstr *k, const char *name,
                    size_t n) {
    size_t len = k->end - k->start;
    if (!k->escaped) return len == n && memcmp(p + k->start, name, n) == 0;
    if (len > 6 * n) return 0; /* even all-escaped it is too long */
    {
        char tmp[6 * 32];
        size_t out = 0;
        if (len > sizeof tmp) return 0;
        if (fhx_json_unescape(p + k->start, len, tmp, sizeof tmp, &out,
                              NULL) != FHX_OK)
            return 0;
        return out == n && memcmp(tmp, name, n) == 0;
    }
}

/* Scan "key" : and leave *i at the value (whitespace skipped). */
static int scan_key(fhx_event_decoder *dec, const span *s, size_t *i,
                    fhxi_jstr *key, size_t record) {
    const char *msg = NULL;
    size_t pos = *i;
    int st;
    if (s->p[pos] != '"')
        return event_error(dec, FHX_E_JSON, s->base + pos, record,
                           "expected a string key in an object");
    st = fhxi_json_string(s->p, s->len, &pos, s->final, 1, key, &msg);
    if (st != FHXI_J_OK) return scan_status(dec, s, st, pos, record, msg);
    st = ws_then_byte(dec, s, &pos, record);
    if (st != FHX_OK) return st;
    if (s->p[pos] != ':')
        return event_error(dec, FHX_E_JSON, s->base + pos, record,
                           "expected ':' after an object key");
    pos++;
    st = ws_then_byte(dec, s, &pos, record);
    if (st != FHX_OK) return st;
    *i = pos;
    return FHX_OK;
}

/* Step to the next member of an object whose '{' is behind *pos: *done is
 * 1 at the closing '}' (consumed); else the key is scanned, *pos is at its
 * value and *first is cleared. */
static int next_member(fhx_event_decoder *dec, const span *s, size_t *pos,
                       int *first, size_t record, fhxi_jstr *key, int *done) {
    int st = ws_then_byte(dec, s, pos, record);
    *done = 0;
    if (st != FHX_OK) return st;
    if (s->p[*pos] == '}') {
        (*pos)++;
        *done = 1;
        return FHX_OK;
    }
    if (!*first) {
        if (s->p[*pos] != ',')
            return event_error(dec, FHX_E_JSON, s->base + *pos, record,
                               "expected ',' or '}' in an object");
        (*pos)++;
        st = ws_then_byte(dec, s, pos, record);
        if (st != FHX_OK) return st;
    }
    *first = 0;
    return scan_key(dec, s, pos, key, record);
}

/* Skip any value at *i (depth: containers open around it). */
static int skip_value(fhx_event_decoder *dec, const span *s, size_t *i,
                      unsigned depth, size_t record) {
    const char *msg = NULL;
    size_t pos = *i;
    int st = fhxi_json_skip_value(s->p, s->len, &pos, s->final, depth, &msg);
    if (st != FHXI_J_OK) return scan_status(dec, s, st, pos, record, msg);
    *i = pos;
    return FHX_OK;
}

/* Read a metadata value of any type at *i into v. */
static int meta_value(fhx_event_decoder *dec, const span *s, size_t *i,
                      unsigned depth, size_t record, fhx_meta_value *v) {
    const char *msg = NULL;
    size_t start = *i;
    unsigned char c = (unsigned char)s->p[start];
    int st;
    if (c == '"') {
        fhxi_jstr str;
        st = fhxi_json_string(s->p, s->len, i, s->final, 1, &str, &msg);
        if (st != FHXI_J_OK) return scan_status(dec, s, st, *i, record, msg);
        v->raw.ptr = s->p + str.start;
        v->raw.len = str.end - str.start;
        v->kind = FHX_META_STRING;
        return FHX_OK;
    }
    st = skip_value(dec, s, i, depth, record);
    if (st != FHX_OK) return st;
    v->raw.ptr = s->p + start;
    v->raw.len = *i - start;
    v->kind = (c == '-' || (c >= '0' && c <= '9')) ? FHX_META_NUMBER
                                                   : FHX_META_OTHER;
    return FHX_OK;
}

/* Parse a JSON integer token into int64; 0 when it is not one that fits. */
static int parse_int64(const char *p, size_t len, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0, lim;
    if (len && p[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i >= len) return 0;
    if (len - i <= 18) { /* < 10^18: no overflow check per digit */
        for (; i < len; i++) {
            if (p[i] < '0' || p[i] > '9') return 0;
            v = v * 10 + (unsigned)(p[i] - '0');
        }
        *out = neg ? -(int64_t)v : (int64_t)v;
        return 1;
    }
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d;
        if (p[i] < '0' || p[i] > '9') return 0;
        d = (unsigned)(p[i] - '0');
        if (v > (lim - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 1;
}

/* Metadata object (kinesisRecordMetadata, mskRecordMetadata): known
 * members into vals (by name), others skipped. A non-object is skipped and
 * reported as absent (type drift is never an error). */
static int meta_object(fhx_event_decoder *dec, const span *s, size_t *i,
                       size_t record, const char *const *names,
                       fhx_meta_value *const *vals, size_t n, int *present) {
    size_t pos = *i, k;
    int st, first = 1;
    *present = 0;
    if (s->p[pos] != '{') return skip_value(dec, s, i, 3, record);
    pos++;
    for (;;) {
        fhxi_jstr key;
        int done;
        st = next_member(dec, s, &pos, &first, record, &key, &done);
        if (st != FHX_OK) return st;
        if (done) break;
        for (k = 0; k < n; k++)
            if (key_is_n(s->p, &key, names[k], strlen(names[k]))) break;
        if (k < n)
            st = meta_value(dec, s, &pos, 4, record, vals[k]);
        else
            st = skip_value(dec, s, &pos, 4, record);
        if (st != FHX_OK) return st;
    }
    *present = 1;
    *i = pos;
    return FHX_OK;
}

static const char *const kinesis_names[] = {
    "shardId", "partitionKey", "approximateArrivalTimestamp",
    "sequenceNumber", "subsequenceNumber"};
static const char *const msk_names[] = {"offset", "partitionId",
                                        "approximateArrivalTimestamp"};

static int decode_escaped(const fhx_record *rec, uint8_t *dst, size_t dst_cap,
                          size_t *dst_len, fhx_error *err);

/* Record-level verdict on the payload, once the record is complete. */
static void check_payload(fhx_record *rec, int dup_data, int not_string,
                          size_t not_string_off) {
    fhx_error err;
    size_t n = 0;
    int st;
    if (dup_data) {
        rec->status = FHX_E_SCHEMA;
        fhxi_set_error(&rec->err, FHX_E_SCHEMA, rec->offset, rec->index,
                       (rec->flags & FHX_REC_KAFKA) && dup_data == 2
                           ? "record has both data and kafkaRecordValue"
                           : "record has a repeated data member");
        return;
    }
    if (not_string) {
        rec->status = FHX_E_NO_DATA;
        fhxi_set_error(&rec->err, FHX_E_NO_DATA, not_string_off, rec->index,
                       "record data is not a string");
        return;
    }
    if (!(rec->flags & FHX_REC_HAS_DATA)) {
        rec->status = FHX_E_NO_DATA;
        fhxi_set_error(&rec->err, FHX_E_NO_DATA, rec->offset, rec->index,
                       "record has no data");
        return;
    }
    if (!(rec->flags & FHX_REC_DATA_ESCAPED)) {
        st = fhx_b64_validate(rec->data.ptr, rec->data.len, &n, &err);
        if (st == FHX_OK) {
            rec->data_len = n;
            return;
        }
        err.offset += rec->data_offset;
    } else {
        /* Escapes inside base64 (JSON allows "\/"): validate the decoded
         * text, mapping error offsets back to the raw JSON. */
        st = decode_escaped(rec, NULL, 0, &n, &err);
        if (st == FHX_OK) {
            rec->data_len = n;
            return;
        }
    }
    rec->status = FHX_E_BASE64;
    fhxi_set_error(&rec->err, FHX_E_BASE64, err.offset, rec->index,
                   err.msg ? err.msg : "invalid base64");
}

/* Enter the recordId of a complete record into the set. Event-level
 * errors: a repeated recordId (the answers could not be told apart), no
 * memory, too many records. */
static int add_record_id(fhx_event_decoder *dec, const span *s,
                         const fhx_record *rec, uint64_t id_hash) {
    int st = ids_grow(dec, dec->n_ids + 1);
    if (st != FHX_OK)
        return event_error(dec, st, rec->offset, rec->index,
                           st == FHX_E_NOMEM ? "out of memory"
                                             : "too many records");
    if (!ids_add(dec, id_hash, rec->offset))
        return event_error(dec, FHX_E_DUPLICATE_ID,
                           (size_t)(rec->id.ptr - s->p) + s->base, rec->index,
                           "recordId appears twice in the event");
    return FHX_OK;
}

static void meta_clear(fhx_meta_value *v) {
    v->raw.ptr = NULL;
    v->raw.len = 0;
    v->kind = FHX_META_ABSENT;
}

/* Every field of a record before its members are read: zero, absent, no
 * error. Field by field, so the compiler emits plain stores: a struct copy
 * or memset of this size (about 370 bytes) became rep movs/stos, slow to
 * start, a sixth of the record parser's time on small records. */
static inline void record_start(fhx_record *rec, size_t index,
                                size_t offset) {
    rec->index = index;
    rec->offset = offset;
    rec->length = 0;
    rec->id.ptr = NULL;
    rec->id.len = 0;
    rec->data.ptr = NULL;
    rec->data.len = 0;
    rec->data_offset = 0;
    rec->data_len = 0;
    rec->arrival_ms = 0;
    meta_clear(&rec->arrival);
    rec->flags = 0;
    meta_clear(&rec->kinesis.shard_id);
    meta_clear(&rec->kinesis.partition_key);
    meta_clear(&rec->kinesis.approximate_arrival_timestamp);
    meta_clear(&rec->kinesis.sequence_number);
    meta_clear(&rec->kinesis.subsequence_number);
    meta_clear(&rec->msk.offset);
    meta_clear(&rec->msk.partition_id);
    meta_clear(&rec->msk.approximate_arrival_timestamp);
    meta_clear(&rec->result);
    rec->status = FHX_OK;
    fhxi_clear_error(&rec->err);
}

/* Parse one record object at *i (the '{'). */
static int parse_record(fhx_event_decoder *dec, const span *s, size_t *i,
                        fhx_record *rec) {
    size_t pos = *i, index = dec->n_ids, not_string_off = 0;
    uint64_t id_hash = 0;
    int st, first = 1, have_id = 0, dup_data = 0, not_string = 0;
    fhx_meta_value *kv[5], *mv[3];
    int present;

    record_start(rec, index, s->base + pos);
    kv[0] = &rec->kinesis.shard_id;
    kv[1] = &rec->kinesis.partition_key;
    kv[2] = &rec->kinesis.approximate_arrival_timestamp;
    kv[3] = &rec->kinesis.sequence_number;
    kv[4] = &rec->kinesis.subsequence_number;
    mv[0] = &rec->msk.offset;
    mv[1] = &rec->msk.partition_id;
    mv[2] = &rec->msk.approximate_arrival_timestamp;

    if (s->p[pos] != '{') {
        if (s->p[pos] == '[' || s->p[pos] == '"' || s->p[pos] == '-' ||
            (s->p[pos] >= '0' && s->p[pos] <= '9') || s->p[pos] == 't' ||
            s->p[pos] == 'f' || s->p[pos] == 'n')
            return event_error(dec, FHX_E_SCHEMA, s->base + pos, index,
                               "a record must be a JSON object");
        return event_error(dec, FHX_E_JSON, s->base + pos, index,
                           "unexpected character: expected a value");
    }
    pos++;
    for (;;) {
        fhxi_jstr key;
        size_t vpos;
        int done;
        st = next_member(dec, s, &pos, &first, index, &key, &done);
        if (st != FHX_OK) return st;
        if (done) break;
        vpos = pos;
        if (key_is(s->p, &key, "recordId")) {
            const char *msg = NULL;
            fhxi_jstr v;
            if (have_id)
                return event_error(dec, FHX_E_SCHEMA, s->base + key.start - 1,
                                   index, "record has a repeated recordId");
            if (s->p[pos] != '"') {
                st = skip_value(dec, s, &pos, 3, index);
                if (st != FHX_OK) return st;
                return event_error(dec, FHX_E_SCHEMA, s->base + vpos, index,
                                   "recordId must be a string");
            }
            st = fhxi_json_string(s->p, s->len, &pos, s->final, 1, &v, &msg);
            if (st != FHXI_J_OK) return scan_status(dec, s, st, pos, index, msg);
            rec->id.ptr = s->p + v.start;
            rec->id.len = v.end - v.start;
            if (v.escaped) rec->flags |= FHX_REC_ID_ESCAPED;
            have_id = 1;
            /* Hash now and fetch the set slot while the rest of the record
             * (mostly its data) is scanned: the lookup at the end of the
             * record then finds the slot in cache. */
            id_hash = fhxi_id_hash(rec->id.ptr, rec->id.len, v.escaped);
            if (dec->set_cap)
                FHXI_PREFETCH(
                    &dec->set[(size_t)set_key(id_hash) & (dec->set_cap - 1)]);
        } else if (key_is(s->p, &key, "data") ||
                   key_is(s->p, &key, "kafkaRecordValue")) {
            int kafka = key_is(s->p, &key, "kafkaRecordValue");
            if (rec->flags & FHX_REC_HAS_DATA || not_string)
                dup_data = ((rec->flags & FHX_REC_KAFKA) != 0) != kafka ? 2 : 1;
            if (kafka) rec->flags |= FHX_REC_KAFKA;
            if (s->p[pos] == '"') {
                const char *msg = NULL;
                fhxi_jstr v;
                /* base64 is checked later, so no UTF-8 pass here */
                st = fhxi_json_string(s->p, s->len, &pos, s->final, 0, &v,
                                      &msg);
                if (st != FHXI_J_OK)
                    return scan_status(dec, s, st, pos, index, msg);
                rec->data.ptr = s->p + v.start;
                rec->data.len = v.end - v.start;
                rec->data_offset = s->base + v.start;
                rec->flags |= FHX_REC_HAS_DATA;
                if (v.escaped) rec->flags |= FHX_REC_DATA_ESCAPED;
            } else {
                st = skip_value(dec, s, &pos, 3, index);
                if (st != FHX_OK) return st;
                if (!not_string) not_string_off = s->base + vpos;
                not_string = 1;
            }
        } else if (key_is(s->p, &key, "approximateArrivalTimestamp")) {
            st = meta_value(dec, s, &pos, 3, index, &rec->arrival);
            if (st != FHX_OK) return st;
            rec->flags |= FHX_REC_HAS_ARRIVAL;
            rec->flags &= ~(unsigned)FHX_REC_ARRIVAL_MS;
            if (rec->arrival.kind == FHX_META_NUMBER &&
                parse_int64(rec->arrival.raw.ptr, rec->arrival.raw.len,
                            &rec->arrival_ms))
                rec->flags |= FHX_REC_ARRIVAL_MS;
        } else if (key_is(s->p, &key, "kinesisRecordMetadata")) {
            st = meta_object(dec, s, &pos, index, kinesis_names, kv, 5,
                             &present);
            if (st != FHX_OK) return st;
            if (present) rec->flags |= FHX_REC_KINESIS;
        } else if (key_is(s->p, &key, "mskRecordMetadata")) {
            st = meta_object(dec, s, &pos, index, msk_names, mv, 3, &present);
            if (st != FHX_OK) return st;
            if (present) rec->flags |= FHX_REC_MSK;
        } else if (key_is(s->p, &key, "result")) {
            st = meta_value(dec, s, &pos, 3, index, &rec->result);
            if (st != FHX_OK) return st;
        } else {
            st = skip_value(dec, s, &pos, 3, index);
            if (st != FHX_OK) return st;
        }
    }
    rec->length = s->base + pos - rec->offset;
    if (!have_id)
        return event_error(dec, FHX_E_SCHEMA, rec->offset, index,
                           "record has no recordId");
    st = add_record_id(dec, s, rec, id_hash);
    if (st != FHX_OK) return st;
    check_payload(rec, dup_data, not_string, not_string_off);
    *i = pos;
    return FHX_OK;
}

/* ---- the fast path for a plain record ---------------------------------- */

/*
 * Nearly every record of a real event is {"recordId":"...",
 * "approximateArrivalTimestamp":N,"data":"..."}, Kinesis sources adding
 * "kinesisRecordMetadata":{...}. fast_record reads exactly such records:
 * those members only (in any order, each at most once, whitespace
 * allowed), a recordId in printable ASCII without escapes, a data string
 * without escapes, a timestamp that is a positive integer of at most 18
 * digits (no sign, leading zero, fraction or exponent), a metadata object
 * (read by the general meta_object), the whole record inside the span.
 * On anything else it gives up (FAST_NO) having changed nothing of the
 * decoder (*rec aside, which the general parser rewrites), and
 * parse_record reads the record from its '{'. So every error inside a
 * record, every truncation (ITEM_MORE) and every unusual record comes from
 * the general parser, at the same byte. A record the fast path accepts is
 * one the general parser reads the same way, field for field
 * (tests/check_event_fast.c and the event fuzz harness compare the two,
 * fhxi_event_fast_path turning the fast path off); what
 * follows, the recordId set (a repeated id, no memory) and the payload
 * verdict, is the same code for both.
 */
#define FAST_NO 1

enum { F_ID = 1, F_DATA = 2, F_ARRIVAL = 4, F_KINESIS = 8 };

/* Skip JSON whitespace from pos. */
static inline size_t fast_ws(const char *p, size_t n, size_t pos) {
    while (pos < n && (unsigned char)p[pos] <= ' ' &&
           fhxi_json_is_ws((unsigned char)p[pos]))
        pos++;
    return pos;
}

/* Eight digits at a time where a 64-bit load puts p[0] in the low byte. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_SWAR_DIGITS 1
#define B8(c) ((uint64_t)0x0101010101010101u * (c))

/* The count k (0..8) of leading decimal digits of the 8 bytes at p, and
 * (when k > 0) their value in *val. */
static inline unsigned digits8(const char *p, uint64_t *val) {
    uint64_t x = load64((const unsigned char *)p), bad, y;
    unsigned k;
    /* a byte is a digit when its high nibble is 3, also after adding 6;
     * a carry out of a byte >= 0xFA only reaches later bytes, after one
     * already flagged, so the lowest flagged byte is the first non-digit */
    bad = ((x & B8(0xF0)) ^ B8(0x30)) | (((x + B8(0x06)) & B8(0xF0)) ^ B8(0x30));
    k = bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
    if (k == 0) return 0;
    /* the k digits to the top bytes, zero bytes (leading zeros) below */
    y = (x << (8 * (8 - k))) & B8(0x0F);
    /* byte i is digit i, most significant first: pairs, quads, all */
    y = (y * 10 + (y >> 8)) & (uint64_t)0x00FF00FF00FF00FFu;
    y = (y * 100 + (y >> 16)) & (uint64_t)0x0000FFFF0000FFFFu;
    y = (y * 10000 + (y >> 32)) & (uint64_t)0xFFFFFFFFu;
    *val = y;
    return k;
}
#endif

/* The value of the decimal digits from p[pos] on, at most 18 of them (so
 * below 10^18: no overflow); the position after the last one read. */
static inline size_t fast_digits(const char *p, size_t n, size_t pos,
                                 uint64_t *out) {
    size_t start = pos;
    uint64_t val = 0;
#ifdef FAST_SWAR_DIGITS
    static const uint64_t ten_pow[9] = {1,      10,      100,      1000,
                                      10000,  100000,  1000000,  10000000,
                                      100000000};
    while (n - pos >= 8 && pos - start <= 10) {
        uint64_t part = 0;
        unsigned k = digits8(p + pos, &part);
        val = val * ten_pow[k] + part;
        pos += k;
        if (k < 8) {
            *out = val;
            return pos;
        }
    }
#endif
    while (pos < n && pos - start < 18 && p[pos] >= '0' && p[pos] <= '9')
        val = val * 10 + (uint64_t)(p[pos++] - '0');
    *out = val;
    return pos;
}

/* Does p[pos..n) start with the n_lit bytes of lit? */
static inline int fast_lit(const char *p, size_t n, size_t pos,
                           const char *lit, size_t n_lit) {
    return n - pos >= n_lit && memcmp(p + pos, lit, n_lit) == 0;
}
#define FAST_KEY(p, n, pos, lit) fast_lit(p, n, pos, "" lit, sizeof(lit) - 1)

static int fast_record(fhx_event_decoder *dec, const span *s, size_t *i,
                       fhx_record *rec) {
    const char *p = s->p;
    size_t n = s->len, pos = *i + 1, index = dec->n_ids, v;
    size_t (*scan)(const char *, size_t, int) =
        fhxi_kernel_active()->scan_string;
    uint64_t id_hash = 0;
    unsigned seen = 0, which;
    int st;

    if (p[*i] != '{') return FAST_NO;
    record_start(rec, index, s->base + *i);
    for (;;) {
        pos = fast_ws(p, n, pos);
        if (pos + 1 >= n || p[pos] != '"') return FAST_NO;
        switch (p[pos + 1]) {
        case 'r':
            if (!FAST_KEY(p, n, pos, "\"recordId\"")) return FAST_NO;
            which = F_ID;
            pos += sizeof "\"recordId\"" - 1;
            break;
        case 'd':
            if (!FAST_KEY(p, n, pos, "\"data\"")) return FAST_NO;
            which = F_DATA;
            pos += sizeof "\"data\"" - 1;
            break;
        case 'a':
            if (!FAST_KEY(p, n, pos, "\"approximateArrivalTimestamp\""))
                return FAST_NO;
            which = F_ARRIVAL;
            pos += sizeof "\"approximateArrivalTimestamp\"" - 1;
            break;
        case 'k':
            if (!FAST_KEY(p, n, pos, "\"kinesisRecordMetadata\""))
                return FAST_NO;
            which = F_KINESIS;
            pos += sizeof "\"kinesisRecordMetadata\"" - 1;
            break;
        default:
            return FAST_NO;
        }
        if (seen & which) return FAST_NO;
        seen |= which;
        pos = fast_ws(p, n, pos);
        if (pos >= n || p[pos] != ':') return FAST_NO;
        pos = fast_ws(p, n, pos + 1);
        if (pos >= n) return FAST_NO;
        switch (which) {
        case F_ID:
            if (p[pos] != '"') return FAST_NO;
            v = pos + 1;
            pos = v + scan(p + v, n - v, 1);
            if (pos >= n || p[pos] != '"') return FAST_NO;
            rec->id.ptr = p + v;
            rec->id.len = pos - v;
            pos++;
            /* fetch the set slot while the rest of the record is read */
            id_hash = hash_bytes(rec->id.ptr, rec->id.len);
            if (dec->set_cap)
                FHXI_PREFETCH(
                    &dec->set[(size_t)set_key(id_hash) & (dec->set_cap - 1)]);
            break;
        case F_DATA:
            if (p[pos] != '"') return FAST_NO;
            v = pos + 1;
            pos = v + scan(p + v, n - v, 0);
            if (pos >= n || p[pos] != '"') return FAST_NO;
            rec->data.ptr = p + v;
            rec->data.len = pos - v;
            rec->data_offset = s->base + v;
            rec->flags |= FHX_REC_HAS_DATA;
            pos++;
            break;
        case F_ARRIVAL: {
            uint64_t ms;
            if (p[pos] < '1' || p[pos] > '9') return FAST_NO;
            v = pos;
            pos = fast_digits(p, n, pos, &ms);
            /* a 19th digit, '.', 'e' or the span's end: not the delimiter
             * checked below, so the general parser takes over */
            rec->arrival.raw.ptr = p + v;
            rec->arrival.raw.len = pos - v;
            rec->arrival.kind = FHX_META_NUMBER;
            rec->arrival_ms = (int64_t)ms;
            rec->flags |= FHX_REC_HAS_ARRIVAL | FHX_REC_ARRIVAL_MS;
            break;
        }
        default: { /* F_KINESIS */
            fhx_meta_value *kv[5];
            fhx_error saved = dec->err;
            int present;
            if (p[pos] != '{') return FAST_NO;
            kv[0] = &rec->kinesis.shard_id;
            kv[1] = &rec->kinesis.partition_key;
            kv[2] = &rec->kinesis.approximate_arrival_timestamp;
            kv[3] = &rec->kinesis.sequence_number;
            kv[4] = &rec->kinesis.subsequence_number;
            st = meta_object(dec, s, &pos, index, kinesis_names, kv, 5,
                             &present);
            if (st != FHX_OK) {
                dec->err = saved; /* the general parser reports it */
                return FAST_NO;
            }
            rec->flags |= FHX_REC_KINESIS;
            break;
        }
        }
        pos = fast_ws(p, n, pos);
        if (pos >= n) return FAST_NO;
        if (p[pos] == '}') break;
        if (p[pos] != ',') return FAST_NO;
        pos++;
    }
    pos++; /* the '}' */
    if ((seen & (F_ID | F_DATA)) != (F_ID | F_DATA)) return FAST_NO;
    rec->length = s->base + pos - rec->offset;
    /* The record is complete and read as parse_record reads it, which
     * would now do the same: its errors are those of the event. */
    st = add_record_id(dec, s, rec, id_hash);
    if (st != FHX_OK) return st;
    check_payload(rec, 0, 0, 0);
    dec->fast_records++;
    *i = pos;
    return FHX_OK;
}

/* Copy a top-level member's value into the header. */
static int store_header(fhx_event_decoder *dec, int which, const char *p,
                        size_t len, int kind) {
    size_t off = dec->hdr.len;
    int st = fhx_buf_append(&dec->hdr, p, len);
    if (st != FHX_OK) return st;
    dec->fields[which].off = off;
    dec->fields[which].len = len;
    dec->fields[which].kind = kind;
    refresh_header(dec);
    return FHX_OK;
}

/* One top-level member at *i (the key). */
static int parse_member(fhx_event_decoder *dec, const span *s, size_t *i) {
    fhxi_jstr key;
    size_t pos = *i, vpos;
    int st, which;
    st = scan_key(dec, s, &pos, &key, FHX_NO_RECORD);
    if (st != FHX_OK) return st;
    vpos = pos;
    if (key_is(s->p, &key, "records")) {
        if (dec->seen_records)
            return event_error(dec, FHX_E_SCHEMA, s->base + key.start - 1,
                               FHX_NO_RECORD,
                               "the event has a repeated records member");
        if (s->p[pos] != '[') {
            st = skip_value(dec, s, &pos, 1, FHX_NO_RECORD);
            if (st != FHX_OK) return st;
            return event_error(dec, FHX_E_SCHEMA, s->base + vpos,
                               FHX_NO_RECORD, "records must be an array");
        }
        dec->seen_records = 1;
        dec->state = ST_REC_FIRST;
        *i = pos + 1;
        return FHX_OK;
    }
    for (which = 0; which < HDR_COUNT; which++)
        if (key_is_n(s->p, &key, hdr_names[which],
                     strlen(hdr_names[which]))) break;
    if (which < HDR_COUNT) {
        fhx_meta_value v;
        st = meta_value(dec, s, &pos, 1, FHX_NO_RECORD, &v);
        if (st != FHX_OK) return st;
        st = store_header(dec, which, v.raw.ptr, v.raw.len, v.kind);
        if (st != FHX_OK)
            return event_error(dec, st, s->base + vpos, FHX_NO_RECORD,
                               "out of memory");
    } else {
        st = skip_value(dec, s, &pos, 1, FHX_NO_RECORD);
        if (st != FHX_OK) return st;
    }
    dec->state = ST_TOP_NEXT;
    *i = pos;
    return FHX_OK;
}

static int is_value_start(unsigned char c) {
    return c == '[' || c == '{' || c == '"' || c == '-' ||
           (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

/* Parse one item from s. On success *used is the bytes it took.
 * Returns ITEM_STATE, ITEM_RECORD, ITEM_END, ITEM_MORE or an error. */
static int step(fhx_event_decoder *dec, const span *s, size_t *used,
                fhx_record *rec) {
    size_t pos = 0;
    int st;
    unsigned char c;

    if (dec->state == ST_AFTER) {
        fhxi_json_skip_ws(s->p, s->len, &pos);
        if (pos < s->len)
            return event_error(dec, FHX_E_JSON, s->base + pos, FHX_NO_RECORD,
                               "unexpected characters after the event");
        *used = pos;
        if (!s->final) return ITEM_STATE; /* consumed the whitespace */
        return ITEM_END;
    }
    st = ws_then_byte(dec, s, &pos,
                      dec->state == ST_REC_NEXT ? dec->n_ids : FHX_NO_RECORD);
    if (st != FHX_OK) {
        /* whitespace alone is never worth carrying */
        if (st == ITEM_MORE) *used = pos;
        return st == ITEM_MORE ? (pos ? ITEM_STATE : ITEM_MORE) : st;
    }
    c = (unsigned char)s->p[pos];
    switch (dec->state) {
    case ST_START:
        if (c != '{')
            return event_error(dec,
                               is_value_start(c) ? FHX_E_SCHEMA : FHX_E_JSON,
                               s->base + pos, FHX_NO_RECORD,
                               is_value_start(c)
                                   ? "the event must be a JSON object"
                                   : "unexpected character: expected '{'");
        dec->state = ST_TOP_FIRST;
        *used = pos + 1;
        return ITEM_STATE;
    case ST_TOP_FIRST:
    case ST_TOP_NEXT:
        if (c == '}') {
            if (!dec->seen_records)
                return event_error(dec, FHX_E_SCHEMA, s->base + pos,
                                   FHX_NO_RECORD,
                                   "the event has no records array");
            dec->state = ST_AFTER;
            *used = pos + 1;
            return ITEM_STATE;
        }
        if (dec->state == ST_TOP_NEXT) {
            if (c != ',')
                return event_error(dec, FHX_E_JSON, s->base + pos,
                                   FHX_NO_RECORD,
                                   "expected ',' or '}' in an object");
            pos++;
            st = ws_then_byte(dec, s, &pos, FHX_NO_RECORD);
            if (st != FHX_OK) return st;
        }
        st = parse_member(dec, s, &pos);
        if (st != FHX_OK) return st;
        *used = pos;
        return ITEM_STATE;
    case ST_REC_FIRST:
    case ST_REC_NEXT:
        if (c == ']') {
            dec->state = ST_TOP_NEXT;
            *used = pos + 1;
            return ITEM_STATE;
        }
        if (dec->state == ST_REC_NEXT) {
            if (c != ',')
                return event_error(dec, FHX_E_JSON, s->base + pos, dec->n_ids,
                                   "expected ',' or ']' after a record");
            pos++;
            st = ws_then_byte(dec, s, &pos, dec->n_ids);
            if (st != FHX_OK) return st;
        }
        st = dec->fast ? fast_record(dec, s, &pos, rec) : FAST_NO;
        if (st == FAST_NO) st = parse_record(dec, s, &pos, rec);
        if (st != FHX_OK) return st;
        dec->state = ST_REC_NEXT;
        *used = pos;
        return ITEM_RECORD;
    default:
        return event_error(dec, FHX_E_STATE, s->base, FHX_NO_RECORD,
                           "decoder in an invalid state");
    }
}

/* ---- the driver ---------------------------------------------------------- */

static int finish_status(fhx_event_decoder *dec, int st) {
    if (st == ITEM_END) {
        /* ITEM_END comes from a final span: every byte is consumed, the
         * trailing whitespace included (so fhx_event_offset is the input's
         * length whatever the split) */
        dec->carry.len = 0;
        dec->carry_start = 0;
        dec->in_pos = dec->in_len;
        dec->state = ST_DONE;
        dec->status = FHX_END;
        return FHX_END;
    }
    /* an error: sticky */
    if (dec->err.code == FHX_OK)
        fhxi_set_error(&dec->err, st, fhx_event_offset(dec), FHX_NO_RECORD,
                       fhx_strerror(st));
    dec->state = ST_FAILED;
    dec->status = st;
    return st;
}

/* Move bytes of the current piece into the carry. */
/* The piece is handed back to the caller: nothing may point into it. */
static int need_input(fhx_event_decoder *dec) {
    dec->in_busy = 0;
    dec->carry_from_in = 0;
    return FHX_NEED_INPUT;
}

static int carry_take(fhx_event_decoder *dec, size_t n) {
    int st;
    if (dec->carry.len == 0) dec->carry_base = dec->in_base + dec->in_pos;
    st = fhx_buf_append(&dec->carry, dec->in + dec->in_pos, n);
    if (st != FHX_OK) return st;
    dec->in_pos += n;
    dec->carry_from_in += n;
    return FHX_OK;
}

static int next_record(fhx_event_decoder *dec, fhx_record *rec);

int fhx_event_next(fhx_event_decoder *dec, fhx_record *rec) {
    int st = next_record(dec, rec);
    if (st == FHX_OK) {
        dec->has_last = 1;
        dec->last_index = rec->index;
        dec->last_id = rec->id;
        dec->last_id_escaped = rec->flags & FHX_REC_ID_ESCAPED;
    } else if (dec) {
        dec->has_last = 0;
    }
    return st;
}

int fhxi_event_is_last(const fhx_event_decoder *dec, const fhx_record *rec) {
    return dec->has_last && rec->index == dec->last_index &&
           rec->id.ptr == dec->last_id.ptr &&
           rec->id.len == dec->last_id.len &&
           (rec->flags & FHX_REC_ID_ESCAPED) == dec->last_id_escaped;
}

static int next_record(fhx_event_decoder *dec, fhx_record *rec) {
    if (!dec || !rec) return FHX_E_ARG;
    if (dec->state == ST_NONE) return FHX_E_STATE;
    if (dec->status != FHX_OK) return dec->status;

    for (;;) {
        span s;
        size_t used = 0;
        int st;

        /* Drop what the previous call parsed from the carry. */
        if (dec->carry_start) {
            size_t rest = dec->carry.len - dec->carry_start;
            memmove(dec->carry.ptr, dec->carry.ptr + dec->carry_start, rest);
            dec->carry.len = rest;
            dec->carry_base += dec->carry_start;
            dec->carry_start = 0;
        }

        if (dec->carry.len) {
            int in_left = dec->in_pos < dec->in_len;
            if (dec->carry.len < dec->carry_hint && in_left) {
                size_t n = dec->carry_hint - dec->carry.len;
                if (n > dec->in_len - dec->in_pos) n = dec->in_len - dec->in_pos;
                st = carry_take(dec, n);
                if (st != FHX_OK) return finish_status(dec, st);
                continue;
            }
            if (dec->carry.len < dec->carry_hint && !dec->final) {
                return need_input(dec);
            }
            s.p = (const char *)dec->carry.ptr;
            s.len = dec->carry.len;
            s.base = dec->carry_base;
            s.final = dec->final && !in_left;
            st = step(dec, &s, &used, rec);
            if (st == ITEM_MORE) {
                dec->carry_hint = 2 * dec->carry.len + 64;
                if (!in_left && !dec->final) {
                    return need_input(dec);
                }
                if (!in_left) /* cannot happen: final spans never MORE */
                    return finish_status(dec, FHX_E_STATE);
                continue;
            }
            if (st < 0 || st == ITEM_END) return finish_status(dec, st);
            /* Bytes after the item that came from the current piece go
             * back to it, so parsing returns to zero-copy at once. */
            {
                size_t rest = dec->carry.len - used;
                if (rest <= dec->carry_from_in) {
                    dec->in_pos -= rest;
                    dec->carry_from_in -= rest;
                    dec->carry.len = 0; /* memory kept: rec may point here */
                    dec->carry_start = 0;
                } else {
                    dec->carry_start = used;
                }
                dec->carry_hint = 0;
            }
            if (st == ITEM_RECORD) return FHX_OK;
            continue;
        }

        /* Parse straight from the piece. */
        if (dec->in_pos == dec->in_len && !dec->final) {
            return need_input(dec);
        }
        s.p = dec->in ? dec->in + dec->in_pos : "";
        s.len = dec->in_len - dec->in_pos;
        s.base = dec->in_base + dec->in_pos;
        s.final = dec->final;
        st = step(dec, &s, &used, rec);
        if (st == ITEM_MORE) {
            st = carry_take(dec, dec->in_len - dec->in_pos);
            if (st != FHX_OK) return finish_status(dec, st);
            dec->carry_hint = 2 * dec->carry.len + 64;
            continue;
        }
        if (st < 0 || st == ITEM_END) return finish_status(dec, st);
        dec->in_pos += used;
        if (st == ITEM_RECORD) return FHX_OK;
    }
}

/* ---- payload decoding ---------------------------------------------------- */

/* Decode (or with dst NULL, validate) escaped base64 content, resolving
 * JSON escapes on the way; error offsets are mapped to the raw JSON. */
static int decode_escaped(const fhx_record *rec, uint8_t *dst, size_t dst_cap,
                          size_t *dst_len, fhx_error *err) {
    const char *raw = rec->data.ptr;
    size_t len = rec->data.len, i = 0, out = 0, fed = 0;
    fhx_b64_decoder st;
    fhx_error e;
    uint8_t stage[3 * 128 + 3];
    int r;

    fhx_b64_decoder_init(&st);
    while (i < len) {
        const char *piece;
        size_t n, adv, got = 0;
        char one[4];
        if (raw[i] != '\\') {
            n = 0;
            while (i + n < len && raw[i + n] != '\\' && n < 4 * 128) n++;
            piece = raw + i;
            adv = n;
        } else {
            size_t u = 0;
            adv = i + 1 < len && raw[i + 1] == 'u' ? 6 : 2;
            if (adv > len - i) adv = len - i;
            if (fhx_json_unescape(raw + i, adv, one, sizeof one, &u, NULL) !=
                    FHX_OK || u != 1) {
                /* a non-ASCII or broken escape is no base64 character */
                fhxi_set_error(err, FHX_E_BASE64, rec->data_offset + i,
                               rec->index, "invalid base64 character");
                return FHX_E_BASE64;
            }
            piece = one;
            n = u;
        }
        r = fhx_b64_decoder_update(&st, piece, n, stage, sizeof stage, &got, &e);
        if (r != FHX_OK) {
            /* e.offset counts decoded-text characters; map it back */
            size_t at = raw[i] == '\\' ? i : i + (e.offset - fed);
            fhxi_set_error(err, r, rec->data_offset + at, rec->index, e.msg);
            return r;
        }
        if (dst) {
            if (dst_cap - out < got) {
                fhxi_set_error(err, FHX_E_OUTPUT, rec->data_offset + i,
                               rec->index, "output buffer too small");
                return FHX_E_OUTPUT;
            }
            memcpy(dst + out, stage, got);
        }
        out += got;
        fed += n;
        i += adv;
    }
    r = fhx_b64_decoder_final(&st, NULL, &e);
    if (r != FHX_OK) {
        fhxi_set_error(err, r, rec->data_offset + len, rec->index, e.msg);
        return r;
    }
    *dst_len = out;
    return FHX_OK;
}

int fhx_record_decode(const fhx_record *rec, uint8_t *dst, size_t dst_cap,
                      size_t *dst_len) {
    fhx_error err;
    size_t n = 0;
    int st;
    if (!rec || (!dst && dst_cap)) return FHX_E_ARG;
    if (dst_len) *dst_len = 0;
    if (!(rec->flags & FHX_REC_HAS_DATA)) return FHX_E_NO_DATA;
    if (!(rec->flags & FHX_REC_DATA_ESCAPED)) {
        if (rec->status != FHX_OK) return rec->status;
        if (dst_cap < rec->data_len) return FHX_E_OUTPUT;
        st = fhx_b64_decode(rec->data.ptr, rec->data.len, dst, dst_cap, &n,
                            &err);
        if (st != FHX_OK) return st;
        if (dst_len) *dst_len = n;
        return FHX_OK;
    }
    if (rec->status != FHX_OK) return rec->status;
    if (dst_cap < rec->data_len) return FHX_E_OUTPUT;
    st = decode_escaped(rec, dst, dst_cap, &n, &err);
    if (st == FHX_OK && dst_len) *dst_len = n;
    return st;
}
