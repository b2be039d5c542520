/*
 * libfirehose-xform: the transformation response writer.
 *
 * Resumable output without buffering: a record's serialization is produced
 * by a generator that emits a sequence of segments (literals, the recordId,
 * the base64 of the payload, escaped partition keys, ...). The writer keeps
 * the number of bytes of the current emission already handed out (done);
 * after FHX_NEED_OUTPUT the same call regenerates the emission, skips the
 * first done bytes and goes on at the exact byte. Base64 resumes at any
 * character by re-encoding the 3-byte group that the position falls in.
 */
#include <string.h>

#include "internal.h"
#include "response_text.h"

/* ---- literals ---------------------------------------------------------- */

#define LIT(s) s, (sizeof(s) - 1)

static const char k_begin[] = FHXI_T_BEGIN;
static const char k_empty[] = FHXI_T_EMPTY;
static const char k_close[] = FHXI_T_CLOSE;
static const char k_id[] = FHXI_T_ID;
static const char k_result[] = FHXI_T_RESULT;
static const char k_data[] = FHXI_T_DATA;
static const char k_kafka[] = FHXI_T_KAFKA;
static const char k_meta[] = FHXI_T_META;

#define K_LEN(k) (sizeof(k) - 1)

/* Largest per-record overhead: every literal with the longest choices,
 * the quotes and brace around them, and a separating comma. */
#define RESULT_NAME_MAX 16 /* "ProcessingFailed" */
#define RECORD_FIXED_MAX                                              \
    (K_LEN(k_id) + K_LEN(k_result) + RESULT_NAME_MAX + 1 +            \
     K_LEN(k_kafka) + 1 + 1 + 1)

/* ---- writer ------------------------------------------------------------ */

enum writer_state {
    W_IDLE = 0, /* no response begun (or after a reset by an error) */
    W_OPEN,     /* between answers */
    W_ADDING,   /* an answer half written */
    W_ENDING,   /* the closing bytes half written */
    W_DONE      /* the response is complete */
};

struct fhx_response_writer {
    fhx_allocator alc_copy;
    const fhx_allocator *alc; /* &alc_copy, or NULL for the C library */
    const fhx_event_decoder *dec;
    uint64_t gen;       /* decoder generation at begin */
    char *out;
    size_t cap;
    size_t out_len;     /* bytes written into out */
    size_t total;       /* bytes of the response written so far */
    size_t limit;
    size_t n_answered;  /* answers completed or under way */
    int state;
    size_t pend_index;  /* record of the half-written answer */
    size_t pend_size;   /* its emission size (prefix included) */
    size_t done;        /* bytes of the current emission already out */
    uint64_t *bits;     /* answered record indices */
    size_t bits_words;  /* words allocated */
    size_t bits_used;   /* words possibly non-zero */
    fhx_error err;
};

/* strlen(fhx_result_name(result)) for a valid result, without strlen. */
static size_t result_name_len(fhx_result result) {
    return result == FHX_RESULT_OK        ? 2
           : result == FHX_RESULT_DROPPED ? 7
                                          : 16;
}

const char *fhx_result_name(fhx_result result) {
    switch (result) {
    case FHX_RESULT_OK:
        return "Ok";
    case FHX_RESULT_DROPPED:
        return "Dropped";
    case FHX_RESULT_PROCESSING_FAILED:
        return "ProcessingFailed";
    default:
        return NULL;
    }
}

/* ---- the emitter: regenerate-and-skip output --------------------------- */

typedef struct emitter {
    char *out;
    size_t cap;
    size_t len;  /* bytes in out */
    size_t skip; /* bytes of this emission written by earlier calls */
    size_t pos;  /* bytes of this emission generated (or skipped) so far */
    int full;    /* the output ran out */
} emitter;

static void em_init(emitter *e, fhx_response_writer *w) {
    e->out = w->out;
    e->cap = w->cap;
    e->len = w->out_len;
    e->skip = w->done;
    e->pos = 0;
    e->full = 0;
}

/* Part of a segment of n bytes that is still to be written: returns the
 * offset inside the segment to start at, or n when it is all skipped. */
static size_t em_from(emitter *e, size_t n) {
    if (e->pos + n <= e->skip) {
        e->pos += n;
        return n;
    }
    return e->skip > e->pos ? e->skip - e->pos : 0;
}

static void em_put(emitter *e, const char *s, size_t n) {
    size_t from, k, room;
    if (e->full || n == 0) return;
    from = em_from(e, n);
    if (from == n) return;
    room = e->cap - e->len;
    k = n - from;
    if (k > room) {
        k = room;
        e->full = 1;
    }
    if (k) memcpy(e->out + e->len, s + from, k);
    e->len += k;
    e->pos += from + k;
}

/* Base64 of group g (3 input bytes, or the padded last group). */
static void b64_group(const uint8_t *data, size_t len, size_t g,
                      char quad[4]) {
    size_t start = g * 3, n = len - start < 3 ? len - start : 3;
    size_t wrote = 0;
    (void)fhx_b64_encode(data + start, n, quad, 4, &wrote);
}

/* Base64 characters [i, L) of data, as many as fit; returns the new i. */
static size_t em_b64_run(emitter *e, const uint8_t *data, size_t len,
                         size_t i, size_t L) {
    while (i < L) {
        size_t room = e->cap - e->len;
        if (room == 0) {
            e->full = 1;
            break;
        }
        if (i % 4 != 0 || room < 4) {
            char quad[4];
            size_t k = 4 - i % 4;
            if (k > room) k = room;
            b64_group(data, len, i / 4, quad);
            memcpy(e->out + e->len, quad + i % 4, k);
            e->len += k;
            i += k;
        } else {
            size_t groups = room / 4, src, n, wrote = 0;
            if (groups > (L - i) / 4) groups = (L - i) / 4;
            src = (i / 4) * 3;
            n = groups * 3;
            if (n > len - src) n = len - src;
            (void)fhx_b64_encode(data + src, n, e->out + e->len, room,
                                 &wrote);
            e->len += groups * 4;
            i += groups * 4;
        }
    }
    return i;
}

static void em_b64(emitter *e, const uint8_t *data, size_t len) {
    size_t L = FHX_B64_ENCODED_LEN(len), from, i;
    if (e->full || L == 0) return;
    from = em_from(e, L);
    if (from == L) return;
    i = em_b64_run(e, data, len, from, L);
    e->pos += i;
}

/* ---- JSON string escaping of partition keys ---------------------------- */

/* Bytes each byte takes once escaped in a JSON string: 1 (as is), 2 (\",
 * \\, \b, \f, \n, \r, \t) or 6 (\u00XX, the other control bytes). */
static const unsigned char k_esc_len[256] = {
    6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Escape sequence for byte c (k_esc_len[c] > 1) into esc; returns its
 * length. */
static size_t escape_byte(unsigned char c, char esc[6]) {
    static const char hex[] = "0123456789abcdef";
    esc[0] = '\\';
    switch (c) {
    case '"': esc[1] = '"'; return 2;
    case '\\': esc[1] = '\\'; return 2;
    case '\b': esc[1] = 'b'; return 2;
    case '\f': esc[1] = 'f'; return 2;
    case '\n': esc[1] = 'n'; return 2;
    case '\r': esc[1] = 'r'; return 2;
    case '\t': esc[1] = 't'; return 2;
    default: break;
    }
    esc[1] = 'u';
    esc[2] = '0';
    esc[3] = '0';
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 15];
    return 6;
}

/* Bytes of s once escaped: at most 6 * len, which cannot overflow since
 * key_text_ok() caps len at SIZE_MAX / 8. */
static size_t escaped_len(const char *s, size_t len) {
    size_t i, n = 0;
    for (i = 0; i < len; i++) n += k_esc_len[(unsigned char)s[i]];
    return n;
}

/* s escaped into p (room for escaped_len bytes); returns the end. */
static char *put_escaped(char *p, const char *s, size_t len) {
    size_t i, run = 0;
    if (len == 0) return p;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (k_esc_len[c] == 1) continue;
        memcpy(p, s + run, i - run);
        p += i - run;
        p += escape_byte(c, p);
        run = i + 1;
    }
    memcpy(p, s + run, len - run);
    return p + (len - run);
}

static void em_escaped(emitter *e, const char *s, size_t len) {
    size_t i = 0, run = 0;
    char esc[6];
    while (i < len && !e->full) {
        unsigned char c = (unsigned char)s[i];
        if (k_esc_len[c] == 1) {
            i++;
            continue;
        }
        em_put(e, s + run, i - run);
        em_put(e, esc, escape_byte(c, esc));
        run = ++i;
    }
    em_put(e, s + run, i - run);
}

/* ---- answers: validation and size -------------------------------------- */

static int slice_ok(fhx_slice s) { return s.ptr || s.len == 0; }

/* 1 when s is valid UTF-8 that can be escaped without overflow. */
static int key_text_ok(fhx_slice s) {
    if (!slice_ok(s)) return 0;
    if (s.len > SIZE_MAX / 8) return 0;
    return s.len == 0 || fhxi_utf8_valid_prefix(s.ptr, s.len) == s.len;
}

static int answer_valid(const fhx_record *rec, const fhx_answer *ans) {
    size_t i;
    if (!slice_ok(rec->id)) return 0;
    if (!fhx_result_name(ans->result)) return 0;
    if (!ans->data && ans->data_len) return 0;
    if (!ans->data_b64 && ans->data_b64_len) return 0;
    if (!ans->keys && ans->n_keys) return 0;
    for (i = 0; i < ans->n_keys; i++)
        if (!key_text_ok(ans->keys[i].key) ||
            !key_text_ok(ans->keys[i].value))
            return 0;
    return 1;
}

static int has_payload(const fhx_answer *ans) {
    return ans->data_b64 != NULL || ans->data != NULL ||
           ans->result == FHX_RESULT_OK;
}

static const char *payload_key(const fhx_record *rec, size_t *len) {
    if (rec->flags & FHX_REC_KAFKA) {
        *len = K_LEN(k_kafka);
        return k_kafka;
    }
    *len = K_LEN(k_data);
    return k_data;
}

/* Encoded payload length; 0 with *ok = 0 on overflow. */
static size_t payload_len(const fhx_answer *ans, int *ok) {
    size_t n;
    *ok = 1;
    if (ans->data_b64) return ans->data_b64_len;
    if (!ans->data) return 0;
    n = FHX_B64_ENCODED_LEN(ans->data_len);
    if (n == 0 && ans->data_len) *ok = 0;
    return n;
}

/* Size of metadata.partitionKeys; 0 when there are no keys. */
static int keys_size(const fhx_answer *ans, size_t *size) {
    size_t i, n = 0;
    if (ans->n_keys == 0) {
        *size = 0;
        return 1;
    }
    if (!fhxi_add(n, K_LEN(k_meta) + 2, &n)) return 0;
    for (i = 0; i < ans->n_keys; i++) {
        const fhx_partition_key *k = &ans->keys[i];
        if (!fhxi_add(n, escaped_len(k->key.ptr, k->key.len), &n) ||
            !fhxi_add(n, escaped_len(k->value.ptr, k->value.len), &n) ||
            !fhxi_add(n, i ? 6 : 5, &n))
            return 0;
    }
    *size = n;
    return 1;
}

/* Exact size of the record object; 0 on overflow. Answer already valid. */
static int record_size(const fhx_record *rec, const fhx_answer *ans,
                       size_t *size) {
    size_t n = K_LEN(k_id) + K_LEN(k_result) + 1 + 1, klen, plen, msize;
    int ok;
    n += result_name_len(ans->result);
    if (!fhxi_add(n, rec->id.len, &n)) return 0;
    if (has_payload(ans)) {
        plen = payload_len(ans, &ok);
        (void)payload_key(rec, &klen);
        if (!ok || !fhxi_add(n, klen + 1, &n) || !fhxi_add(n, plen, &n))
            return 0;
    }
    if (!keys_size(ans, &msize) || !fhxi_add(n, msize, &n)) return 0;
    *size = n;
    return 1;
}

int fhx_response_answer_size(const fhx_record *rec, const fhx_answer *ans,
                             size_t *size) {
    if (!rec || !ans || !size) return FHX_E_ARG;
    if (!answer_valid(rec, ans)) return FHX_E_ARG;
    if (!record_size(rec, ans, size)) return FHX_E_LIMIT;
    return FHX_OK;
}

size_t fhx_response_bound(size_t n, size_t id_bytes, size_t data_bytes) {
    size_t total = K_LEN(k_empty), groups, b64;
    if (n == 0) return total;
    /* each record's base64 is at most that of its bytes plus 2 */
    if (n > SIZE_MAX / 2 || !fhxi_add(data_bytes, 2 * n, &groups))
        return SIZE_MAX;
    b64 = FHX_B64_ENCODED_LEN(groups);
    if (b64 == 0) return SIZE_MAX;
    if (n > SIZE_MAX / RECORD_FIXED_MAX) return SIZE_MAX;
    if (!fhxi_add(total, n * RECORD_FIXED_MAX - 1, &total) ||
        !fhxi_add(total, id_bytes, &total) || !fhxi_add(total, b64, &total))
        return SIZE_MAX;
    return total;
}

/* ---- generators -------------------------------------------------------- */

static void gen_keys(emitter *e, const fhx_answer *ans) {
    size_t i;
    if (ans->n_keys == 0) return;
    em_put(e, k_meta, K_LEN(k_meta));
    for (i = 0; i < ans->n_keys && !e->full; i++) {
        const fhx_partition_key *k = &ans->keys[i];
        em_put(e, i ? ",\"" : "\"", i ? 2 : 1);
        em_escaped(e, k->key.ptr, k->key.len);
        em_put(e, LIT("\":\""));
        em_escaped(e, k->value.ptr, k->value.len);
        em_put(e, LIT("\""));
    }
    em_put(e, LIT("}}"));
}

static void gen_record(emitter *e, const fhx_record *rec,
                       const fhx_answer *ans, int first) {
    const char *name = fhx_result_name(ans->result);
    if (first)
        em_put(e, k_begin, K_LEN(k_begin));
    else
        em_put(e, LIT(","));
    em_put(e, k_id, K_LEN(k_id));
    em_put(e, rec->id.ptr, rec->id.len);
    em_put(e, k_result, K_LEN(k_result));
    em_put(e, name, result_name_len(ans->result));
    em_put(e, LIT("\""));
    if (has_payload(ans)) {
        size_t klen;
        const char *key = payload_key(rec, &klen);
        em_put(e, key, klen);
        if (ans->data_b64)
            em_put(e, ans->data_b64, ans->data_b64_len);
        else if (ans->data)
            em_b64(e, ans->data, ans->data_len);
        em_put(e, LIT("\""));
    }
    gen_keys(e, ans);
    em_put(e, LIT("}"));
}

/* ---- writer life cycle ------------------------------------------------- */

int fhx_response_writer_new(fhx_response_writer **out,
                            const fhx_allocator *alc) {
    fhx_response_writer *w;
    if (!out) return FHX_E_ARG;
    *out = NULL;
    if (!fhxi_alc_valid(alc)) return FHX_E_ARG;
    w = fhxi_obj_alloc(alc, sizeof *w);
    if (!w) return FHX_E_NOMEM;
    w->alc = fhxi_alc_keep(&w->alc_copy, alc);
    w->limit = FHX_LAMBDA_RESPONSE_LIMIT;
    w->state = W_IDLE;
    fhxi_clear_error(&w->err);
    *out = w;
    return FHX_OK;
}

void fhx_response_writer_free(fhx_response_writer *w) {
    if (!w) return;
    fhxi_free(w->alc, w->bits, w->bits_words * sizeof *w->bits);
    fhxi_obj_free(w->alc, w, sizeof *w);
}

/* Record a sticky error and return its code. */
static int fail(fhx_response_writer *w, int code, size_t offset,
                size_t record, const char *msg) {
    fhxi_set_error(&w->err, code, offset, record, msg);
    return code;
}

int fhx_response_begin(fhx_response_writer *w, const fhx_event_decoder *dec,
                       char *out, size_t cap) {
    if (!w) return FHX_E_ARG;
    if (!dec || (!out && cap))
        return fail(w, FHX_E_ARG, 0, FHX_NO_RECORD,
                    "response begin: NULL decoder or output");
    if (w->bits_used) memset(w->bits, 0, w->bits_used * sizeof *w->bits);
    w->bits_used = 0;
    w->dec = dec;
    w->gen = fhxi_event_generation(dec);
    w->out = out;
    w->cap = cap;
    w->out_len = 0;
    w->total = 0;
    w->n_answered = 0;
    w->state = W_OPEN;
    w->pend_index = 0;
    w->pend_size = 0;
    w->done = 0;
    fhxi_clear_error(&w->err);
    return FHX_OK;
}

int fhx_response_set_output(fhx_response_writer *w, char *out, size_t cap) {
    if (!w) return FHX_E_ARG;
    if (!out && cap)
        return fail(w, FHX_E_ARG, w->total, FHX_NO_RECORD,
                    "response output: NULL buffer with a capacity");
    w->out = out;
    w->cap = cap;
    w->out_len = 0;
    return FHX_OK;
}

size_t fhx_response_output_len(const fhx_response_writer *w) {
    return w ? w->out_len : 0;
}

size_t fhx_response_size(const fhx_response_writer *w) {
    return w ? w->total : 0;
}

int fhx_response_set_limit(fhx_response_writer *w, size_t limit) {
    if (!w) return FHX_E_ARG;
    if (w->err.code < 0) return w->err.code;
    if (limit < K_LEN(k_empty))
        return fail(w, FHX_E_ARG, w->total, FHX_NO_RECORD,
                    "response limit smaller than an empty response");
    if (!(w->state == W_IDLE || w->state == W_DONE ||
          (w->state == W_OPEN && w->n_answered == 0)))
        return fail(w, FHX_E_STATE, w->total, FHX_NO_RECORD,
                    "response limit set after the first answer");
    w->limit = limit;
    return FHX_OK;
}

const fhx_error *fhx_response_error(const fhx_response_writer *w) {
    return w ? &w->err : NULL;
}

size_t fhxi_response_limit(const fhx_response_writer *w) {
    return w->limit;
}

int fhxi_response_truncate(fhx_response_writer *w, size_t total, char *out,
                           size_t cap) {
    if (w->state != W_OPEN || total > w->total || (!out && cap))
        return FHX_E_STATE;
    w->total = total;
    w->out = out;
    w->cap = cap;
    w->out_len = 0;
    return FHX_OK;
}

/* ---- the guard --------------------------------------------------------- */

static int bit_get(const fhx_response_writer *w, size_t i) {
    size_t word = i / 64;
    if (word >= w->bits_words) return 0;
    return (int)((w->bits[word] >> (i % 64)) & 1u);
}

/* Make room for bit i (geometric growth). */
static int bits_reserve(fhx_response_writer *w, size_t i) {
    size_t need = i / 64 + 1, words;
    uint64_t *p;
    if (need <= w->bits_words) return FHX_OK;
    words = w->bits_words < 16 ? 16 : w->bits_words;
    while (words < need) words = words > SIZE_MAX / 2 ? need : words * 2;
    if (words > SIZE_MAX / sizeof *p) return FHX_E_NOMEM;
    p = fhxi_realloc(w->alc, w->bits, w->bits_words * sizeof *p,
                     words * sizeof *p);
    if (!p) return FHX_E_NOMEM;
    memset(p + w->bits_words, 0, (words - w->bits_words) * sizeof *p);
    w->bits = p;
    w->bits_words = words;
    return FHX_OK;
}

static void bit_set(fhx_response_writer *w, size_t i) {
    size_t word = i / 64;
    w->bits[word] |= (uint64_t)1 << (i % 64);
    if (word + 1 > w->bits_used) w->bits_used = word + 1;
}

/* The first index below n without an answer (n when none). */
static size_t first_unanswered(const fhx_response_writer *w, size_t n) {
    size_t word, i;
    for (word = 0; word < w->bits_words && word * 64 < n; word++)
        if (w->bits[word] != UINT64_MAX) break;
    for (i = word * 64; i < n; i++)
        if (!bit_get(w, i)) return i;
    return n;
}

static int check_decoder(fhx_response_writer *w) {
    if (fhxi_event_generation(w->dec) != w->gen)
        return fail(w, FHX_E_STATE, w->total, FHX_NO_RECORD,
                    "the decoder moved on to another event");
    return FHX_OK;
}

static int guard(fhx_response_writer *w, const fhx_record *rec) {
    uint64_t hash;
    size_t offset;
    int escaped = (rec->flags & FHX_REC_ID_ESCAPED) != 0;
    if (!fhxi_event_record_info(w->dec, rec->index, &hash, &offset))
        return fail(w, FHX_E_UNKNOWN_ID, rec->offset, rec->index,
                    "answer for a record the decoder did not produce");
    if (!fhxi_event_is_last(w->dec, rec) &&
        hash != fhxi_id_hash(rec->id.ptr, rec->id.len, escaped))
        return fail(w, FHX_E_UNKNOWN_ID, offset, rec->index,
                    "answer's recordId is not the event's");
    if (bit_get(w, rec->index))
        return fail(w, FHX_E_DUPLICATE_ID, offset, rec->index,
                    "second answer for a record");
    return FHX_OK;
}

/* ---- add and end ------------------------------------------------------- */

/* The whole emission at once into room known to be there: the common
 * case, without the emitter's resume bookkeeping. */
static char *put(char *p, const void *s, size_t n) {
    memcpy(p, s, n);
    return p + n;
}

static void write_record(char *p, const fhx_record *rec,
                         const fhx_answer *ans, int first) {
    if (first)
        p = put(p, k_begin, K_LEN(k_begin));
    else
        *p++ = ',';
    p = put(p, k_id, K_LEN(k_id));
    if (rec->id.len) p = put(p, rec->id.ptr, rec->id.len);
    p = put(p, k_result, K_LEN(k_result));
    p = put(p, fhx_result_name(ans->result), result_name_len(ans->result));
    *p++ = '"';
    if (has_payload(ans)) {
        size_t klen, n = 0;
        const char *key = payload_key(rec, &klen);
        p = put(p, key, klen);
        if (ans->data_b64) {
            if (ans->data_b64_len)
                p = put(p, ans->data_b64, ans->data_b64_len);
        } else if (ans->data) {
            (void)fhx_b64_encode(ans->data, ans->data_len, p,
                                 FHX_B64_ENCODED_LEN(ans->data_len), &n);
            p += n;
        }
        *p++ = '"';
    }
    if (ans->n_keys) {
        size_t i;
        p = put(p, k_meta, K_LEN(k_meta));
        for (i = 0; i < ans->n_keys; i++) {
            const fhx_partition_key *k = &ans->keys[i];
            if (i) *p++ = ',';
            *p++ = '"';
            p = put_escaped(p, k->key.ptr, k->key.len);
            p = put(p, "\":\"", 3);
            p = put_escaped(p, k->value.ptr, k->value.len);
            *p++ = '"';
        }
        p = put(p, "}}", 2);
    }
    *p = '}';
}

/* Run a generator pass; finish the emission or park it. */
static int emit_record(fhx_response_writer *w, const fhx_record *rec,
                       const fhx_answer *ans) {
    emitter e;
    if (w->done == 0 && w->cap - w->out_len >= w->pend_size) {
        write_record(w->out + w->out_len, rec, ans, w->n_answered == 1);
        w->out_len += w->pend_size;
        w->total += w->pend_size;
        w->state = W_OPEN;
        return FHX_OK;
    }
    em_init(&e, w);
    gen_record(&e, rec, ans, w->n_answered == 1);
    w->total += e.len - w->out_len;
    w->out_len = e.len;
    if (e.full) {
        w->done = e.pos;
        return FHX_NEED_OUTPUT;
    }
    w->done = 0;
    w->state = W_OPEN;
    return FHX_OK;
}

/* Size of the emission for rec (separator or prefix included). */
static int emission_size(fhx_response_writer *w, const fhx_record *rec,
                         const fhx_answer *ans, size_t *size) {
    size_t n;
    if (!record_size(rec, ans, &n) ||
        !fhxi_add(n, w->n_answered ? 1 : K_LEN(k_begin), &n))
        return fail(w, FHX_E_LIMIT, w->total, rec->index,
                    "answer size overflows");
    *size = n;
    return FHX_OK;
}

static int add_resume(fhx_response_writer *w, const fhx_record *rec,
                      const fhx_answer *ans) {
    size_t n;
    if (rec->index != w->pend_index)
        return fail(w, FHX_E_STATE, w->total, rec->index,
                    "another record while an answer is half written");
    if (!record_size(rec, ans, &n) ||
        !fhxi_add(n, w->n_answered == 1 ? K_LEN(k_begin) : 1, &n) ||
        n != w->pend_size)
        return fail(w, FHX_E_STATE, w->total, rec->index,
                    "answer changed while half written");
    return emit_record(w, rec, ans);
}

static int add_new(fhx_response_writer *w, const fhx_record *rec,
                   const fhx_answer *ans) {
    size_t size, end;
    int st = guard(w, rec);
    if (st != FHX_OK) return st;
    st = emission_size(w, rec, ans, &size);
    if (st != FHX_OK) return st;
    if (!fhxi_add(w->total, size, &end) || !fhxi_add(end, 2, &end) ||
        end > w->limit)
        return FHX_FULL;
    if (bits_reserve(w, rec->index) != FHX_OK)
        return fail(w, FHX_E_NOMEM, rec->offset, rec->index,
                    "out of memory for the answered-record set");
    bit_set(w, rec->index);
    w->n_answered++;
    w->state = W_ADDING;
    w->pend_index = rec->index;
    w->pend_size = size;
    w->done = 0;
    return emit_record(w, rec, ans);
}

/* sticky: an invalid answer is a sticky error (the public call), or is
 * refused with FHX_E_ARG, nothing written, the writer still usable. */
static int add_answer(fhx_response_writer *w, const fhx_record *rec,
                      const fhx_answer *ans, int sticky) {
    int st;
    if (!w) return FHX_E_ARG;
    if (w->err.code < 0) return w->err.code;
    if (w->state != W_OPEN && w->state != W_ADDING)
        return fail(w, FHX_E_STATE, w->total, FHX_NO_RECORD,
                    "answer outside an open response");
    if (!rec || !ans)
        return fail(w, FHX_E_ARG, w->total, FHX_NO_RECORD,
                    "NULL record or answer");
    if (!answer_valid(rec, ans))
        return sticky ? fail(w, FHX_E_ARG, w->total, rec->index,
                             "invalid answer (result, pointers or UTF-8 "
                             "keys)")
                      : FHX_E_ARG;
    st = check_decoder(w);
    if (st != FHX_OK) return st;
    if (w->state == W_ADDING) return add_resume(w, rec, ans);
    return add_new(w, rec, ans);
}

int fhx_response_add(fhx_response_writer *w, const fhx_record *rec,
                     const fhx_answer *ans) {
    return add_answer(w, rec, ans, 1);
}

int fhxi_response_try_add(fhx_response_writer *w, const fhx_record *rec,
                          const fhx_answer *ans) {
    return add_answer(w, rec, ans, 0);
}

static int end_check(fhx_response_writer *w) {
    size_t n, missing, offset = 0;
    uint64_t hash;
    int st = check_decoder(w);
    if (st != FHX_OK) return st;
    if (!fhxi_event_done(w->dec))
        return fail(w, FHX_E_STATE, w->total, FHX_NO_RECORD,
                    "response end before the decoder reached FHX_END");
    n = fhx_event_record_count(w->dec);
    if (w->n_answered >= n) return FHX_OK;
    missing = first_unanswered(w, n);
    (void)fhxi_event_record_info(w->dec, missing, &hash, &offset);
    return fail(w, FHX_E_MISSING_ID, offset, missing,
                "a record of the event is not answered");
}

int fhx_response_end(fhx_response_writer *w) {
    emitter e;
    if (!w) return FHX_E_ARG;
    if (w->err.code < 0) return w->err.code;
    if (w->state == W_OPEN) {
        int st = end_check(w);
        if (st != FHX_OK) return st;
        w->state = W_ENDING;
        w->done = 0;
    } else if (w->state != W_ENDING) {
        return fail(w, FHX_E_STATE, w->total, FHX_NO_RECORD,
                    w->state == W_ADDING ? "response end with an answer "
                                           "half written"
                                         : "response end outside an open "
                                           "response");
    }
    em_init(&e, w);
    if (w->n_answered == 0)
        em_put(&e, k_empty, K_LEN(k_empty));
    else
        em_put(&e, k_close, K_LEN(k_close));
    w->total += e.len - w->out_len;
    w->out_len = e.len;
    if (e.full) {
        w->done = e.pos;
        return FHX_NEED_OUTPUT;
    }
    w->done = 0;
    w->state = W_DONE;
    return FHX_OK;
}
