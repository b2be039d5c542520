/*
 * libfirehose-xform: strict base64 (RFC 4648, section 4), the public API.
 *
 * The active kernel (fhxi_kernel_active) does the bulk: whole groups of 3
 * bytes when encoding, whole quanta of 4 alphabet characters when decoding.
 * This file owns everything else: arguments, the partial group or quantum
 * at either end, padding, streaming state and the exact error location.
 *
 * Decoding rules, applied to each quantum from left to right; the first
 * rule that fires gives the error, so its offset is that of the first
 * offending character:
 *   - '=' at position 0 or 1 of a quantum: misplaced padding (that '=');
 *   - any character after a '=' in the same quantum, other than the '='
 *     of "xx==", and any character after a padded quantum: misplaced
 *     padding (the first '=' of the padded quantum);
 *   - a byte outside the alphabet: invalid character (that byte);
 *   - a complete "xx==" / "xxx=": non-zero unused bits in its last data
 *     character: trailing bits (that character);
 *   - at the end, an incomplete quantum whose characters passed the rules
 *     above: length error (offset: the input length).
 * One-shot calls run the streaming engine over the whole input, so every
 * split of the input gives the same output, error code and offset.
 */
#include <string.h>

#include "internal.h"

#include "kernel.h"

/* Messages documented in fhx/b64.h. */
static const char msg_char[] = "invalid base64 character";
static const char msg_pad[] = "base64 padding in the wrong place";
static const char msg_len[] = "base64 input length is not a multiple of 4";
static const char msg_bits[] = "non-zero trailing bits in base64";
/* Other messages. */
static const char msg_arg[] = "NULL buffer with a non-zero length";
static const char msg_state[] = "base64 state not initialised";
static const char msg_output[] = "base64 output buffer too small";

/* Kinds of base64 errors (kept in a dead decoder's state). */
enum { KIND_NONE, KIND_CHAR, KIND_PAD, KIND_LEN, KIND_BITS, KIND_COUNT };

static const char *const kind_msg[KIND_COUNT] = {
    NULL, msg_char, msg_pad, msg_len, msg_bits,
};

/* ==== Sizes =========================================================== */

size_t fhx_b64_encoded_len(size_t n) { return FHX_B64_ENCODED_LEN(n); }

size_t fhx_b64_decoded_max(size_t n) { return FHX_B64_DECODED_MAX(n); }

/* ==== Helpers ========================================================= */

/* A 64-bit stream position or count as a size_t, saturated. */
static size_t sat_size(uint64_t v) {
#if SIZE_MAX < UINT64_MAX
    if (v > SIZE_MAX) return SIZE_MAX;
#endif
    return (size_t)v;
}

static int arg_error(fhx_error *err, const char *msg) {
    fhxi_set_error(err, FHX_E_ARG, 0, FHX_NO_RECORD, msg);
    return FHX_E_ARG;
}

static int output_error(fhx_error *err, uint64_t offset) {
    fhxi_set_error(err, FHX_E_OUTPUT, sat_size(offset), FHX_NO_RECORD,
                   msg_output);
    return FHX_E_OUTPUT;
}

/* ==== Encoding ======================================================== */

/* Encode the last 1 or 2 bytes of an input with padding. */
static void enc_tail(const uint8_t *src, size_t n, char *dst) {
    const char *a = fhxi_b64_enc_alphabet;
    uint32_t v = (uint32_t)src[0] << 16;
    if (n > 1) v |= (uint32_t)src[1] << 8;
    dst[0] = a[(v >> 18) & 0x3F];
    dst[1] = a[(v >> 12) & 0x3F];
    dst[2] = n > 1 ? a[(v >> 6) & 0x3F] : '=';
    dst[3] = '=';
}

int fhx_b64_encode(const uint8_t *src, size_t src_len, char *dst,
                   size_t dst_cap, size_t *dst_len) {
    size_t need, groups;

    if (dst_len) *dst_len = 0;
    if ((!src && src_len) || (!dst && dst_cap)) return FHX_E_ARG;
    if (src_len > FHX_B64_ENCODE_MAX_INPUT) return FHX_E_LIMIT;
    need = FHX_B64_ENCODED_LEN(src_len);
    if (dst_cap < need) return FHX_E_OUTPUT;
    if (src_len == 0) return FHX_OK;

    groups = src_len / 3;
    if (groups) fhxi_kernel_active()->encode_groups(src, groups, dst);
    if (src_len % 3) enc_tail(src + groups * 3, src_len % 3, dst + groups * 4);
    if (dst_len) *dst_len = need;
    return FHX_OK;
}

/* Streaming encoder state, kept in fhx_b64_encoder.opaque. */
typedef struct enc_state {
    uint8_t pend[2]; /* bytes of the incomplete group */
    uint8_t npend;   /* 0..2 */
    uint8_t magic;   /* ENC_MAGIC once initialised */
} enc_state;

#define ENC_MAGIC 0xE6

_Static_assert(sizeof(enc_state) <= sizeof(fhx_b64_encoder),
               "enc_state does not fit in fhx_b64_encoder");

/* Copy the state out of st; 0 when st was not initialised. */
static int enc_load(const fhx_b64_encoder *st, enc_state *s) {
    memcpy(s, st->opaque, sizeof *s);
    return s->magic == ENC_MAGIC && s->npend < 3;
}

static void enc_save(fhx_b64_encoder *st, const enc_state *s) {
    memcpy(st->opaque, s, sizeof *s);
}

void fhx_b64_encoder_init(fhx_b64_encoder *st) {
    enc_state s;
    if (!st) return;
    memset(&s, 0, sizeof s);
    s.magic = ENC_MAGIC;
    memset(st, 0, sizeof *st);
    enc_save(st, &s);
}

int fhx_b64_encoder_update(fhx_b64_encoder *st, const uint8_t *src,
                           size_t src_len, char *dst, size_t dst_cap,
                           size_t *dst_len) {
    enc_state s;
    size_t out = 0, groups;

    if (dst_len) *dst_len = 0;
    if (!st || (!src && src_len) || (!dst && dst_cap)) return FHX_E_ARG;
    if (!enc_load(st, &s)) return FHX_E_ARG;
    /* The documented bound, FHX_B64_ENCODED_LEN(src_len + 2), without
     * overflow: no buffer can hold the output of a larger piece. */
    if (src_len > FHX_B64_ENCODE_MAX_INPUT - 2 ||
        dst_cap < FHX_B64_ENCODED_LEN(src_len + 2))
        return FHX_E_OUTPUT;
    if (src_len == 0) return FHX_OK;

    if (s.npend) {
        uint8_t g[3];
        size_t take = 3 - (size_t)s.npend;
        if (src_len < take) { /* still short of a group */
            s.pend[s.npend] = src[0];
            s.npend++;
            enc_save(st, &s);
            return FHX_OK;
        }
        memcpy(g, s.pend, s.npend);
        memcpy(g + s.npend, src, take);
        fhxi_scalar_encode_groups(g, 1, dst);
        out = 4;
        src += take;
        src_len -= take;
        s.npend = 0;
    }
    groups = src_len / 3;
    if (groups) {
        fhxi_kernel_active()->encode_groups(src, groups, dst + out);
        out += groups * 4;
    }
    s.npend = (uint8_t)(src_len % 3);
    if (s.npend) memcpy(s.pend, src + groups * 3, s.npend);
    enc_save(st, &s);
    if (dst_len) *dst_len = out;
    return FHX_OK;
}

int fhx_b64_encoder_final(fhx_b64_encoder *st, char *dst, size_t dst_cap,
                          size_t *dst_len) {
    enc_state s;

    if (dst_len) *dst_len = 0;
    if (!st || (!dst && dst_cap)) return FHX_E_ARG;
    if (!enc_load(st, &s)) return FHX_E_ARG;
    if (dst_cap < 4) return FHX_E_OUTPUT;
    if (s.npend) {
        enc_tail(s.pend, s.npend, dst);
        if (dst_len) *dst_len = 4;
    }
    s.npend = 0; /* ready for another encode */
    enc_save(st, &s);
    return FHX_OK;
}

/* ==== Decoding engine ================================================= */

/* Streaming decoder state, kept in fhx_b64_decoder.opaque. One-shot calls
 * use one on the stack. */
typedef struct dec_state {
    uint64_t in;     /* offset of the next character fed (all fed so far) */
    uint64_t out;    /* bytes decoded so far */
    uint64_t mark;   /* DEC_CLOSED: offset of the first '=' of the padded
                      * quantum; DEC_DEAD: offset of the error */
    uint8_t pend[3]; /* characters of the incomplete quantum */
    uint8_t npend;   /* 0..3 */
    uint8_t flags;   /* DEC_CLOSED, DEC_DEAD */
    uint8_t kind;    /* KIND_* of the error when DEC_DEAD */
    uint8_t magic;   /* DEC_MAGIC once initialised */
} dec_state;

#define DEC_MAGIC 0xD6
#define DEC_CLOSED 0x01 /* a padded quantum ended the data */
#define DEC_DEAD 0x02   /* a base64 error was returned */

_Static_assert(sizeof(dec_state) <= sizeof(fhx_b64_decoder),
               "dec_state does not fit in fhx_b64_decoder");

/* Where decoded bytes go. */
typedef struct dec_out {
    uint8_t *dst; /* may be NULL when cap is 0 */
    size_t cap;
    size_t len;   /* bytes written by this call */
    int discard;  /* validate only: write nothing, no capacity check */
} dec_out;

static void dec_reset(dec_state *s) {
    memset(s, 0, sizeof *s);
    s->magic = DEC_MAGIC;
}

static int dec_load(const fhx_b64_decoder *st, dec_state *s) {
    memcpy(s, st->opaque, sizeof *s);
    return s->magic == DEC_MAGIC && s->npend < 4 &&
           (s->flags & ~(DEC_CLOSED | DEC_DEAD)) == 0 &&
           s->kind < KIND_COUNT;
}

static void dec_save(fhx_b64_decoder *st, const dec_state *s) {
    memcpy(st->opaque, s, sizeof *s);
}

/* Report the error a dead state holds. */
static int dec_sticky(const dec_state *s, fhx_error *err) {
    fhxi_set_error(err, FHX_E_BASE64, sat_size(s->mark), FHX_NO_RECORD,
                   kind_msg[s->kind]);
    return FHX_E_BASE64;
}

/* Record a base64 error at absolute offset off; the state is then dead. */
static int dec_fail(dec_state *s, int kind, uint64_t off, fhx_error *err) {
    s->flags |= DEC_DEAD;
    s->kind = (uint8_t)kind;
    s->mark = off;
    return dec_sticky(s, err);
}

/*
 * Apply the character rules to the first n (<= 4) characters of a quantum
 * (everything but the trailing-bits rule). Returns KIND_NONE and sets *pad
 * to the index of the first '=' (4 when there is none), or an error kind
 * and sets *where to the index of the offending character.
 */
static int dec_scan(const unsigned char *c, size_t n, size_t *pad,
                    size_t *where) {
    size_t j, p = 4;
    for (j = 0; j < n; j++) {
        if (c[j] == '=') {
            if (j < 2) {
                *where = j;
                return KIND_PAD;
            }
            if (p == 4) p = j;
        } else if (p != 4) {
            *where = p;
            return KIND_PAD;
        } else if (fhxi_b64_dec_table[c[j]] & 0x80) {
            *where = j;
            return KIND_CHAR;
        }
    }
    *pad = p;
    return KIND_NONE;
}

/*
 * Decode one complete quantum q (a private copy, so dst may alias the
 * input) whose first character is at absolute offset base: a plain one, or
 * the padded quantum that ends the data.
 */
static int dec_quantum(dec_state *s, const unsigned char q[4], uint64_t base,
                       dec_out *o, fhx_error *err) {
    const uint8_t *t = fhxi_b64_dec_table;
    uint32_t v0 = t[q[0]], v1 = t[q[1]], v2 = t[q[2]], v3 = t[q[3]];
    size_t pad = 4, nbytes = 3;

    if ((v0 | v1 | v2 | v3) & 0x80) {
        size_t where = 0;
        int kind = dec_scan(q, 4, &pad, &where);
        if (kind != KIND_NONE) return dec_fail(s, kind, base + where, err);
        if (pad == 2) { /* xx==: 12 bits, the last 4 must be zero */
            if (v1 & 0x0F) return dec_fail(s, KIND_BITS, base + 1, err);
            v2 = 0;
        } else { /* xxx=: 18 bits, the last 2 must be zero */
            if (v2 & 0x03) return dec_fail(s, KIND_BITS, base + 2, err);
        }
        v3 = 0;
        nbytes = pad - 1;
    }
    if (!o->discard) {
        uint32_t v = v0 << 18 | v1 << 12 | v2 << 6 | v3;
        uint8_t *d;
        if (o->cap - o->len < nbytes) return output_error(err, base);
        d = o->dst + o->len;
        d[0] = (uint8_t)(v >> 16);
        if (nbytes > 1) d[1] = (uint8_t)(v >> 8);
        if (nbytes > 2) d[2] = (uint8_t)v;
        o->len += nbytes;
    }
    s->out += nbytes;
    if (pad < 4) {
        s->flags |= DEC_CLOSED;
        s->mark = base + pad;
    }
    return FHX_OK;
}

/* Check the characters of the incomplete quantum as soon as they arrive,
 * so an error is reported by the call that fed it. */
static int dec_check_pending(dec_state *s, fhx_error *err) {
    size_t pad = 4, where = 0;
    int kind = dec_scan(s->pend, s->npend, &pad, &where);
    if (kind != KIND_NONE)
        return dec_fail(s, kind, s->in - s->npend + where, err);
    return FHX_OK;
}

/* Feed len characters (s is alive). Returns FHX_OK, FHX_E_BASE64, or
 * FHX_E_OUTPUT (one-shot decoding into a too small buffer only). */
static int dec_feed(dec_state *s, const char *src, size_t len, dec_out *o,
                    fhx_error *err) {
    const fhxi_kernel *kern;
    size_t pos = 0;
    int rc;

    if (len == 0) return FHX_OK;
    if (s->flags & DEC_CLOSED) return dec_fail(s, KIND_PAD, s->mark, err);

    if (s->npend) { /* complete the pending quantum first */
        unsigned char q[4];
        size_t have = s->npend, take = 4 - have;
        uint64_t base = s->in - have;
        if (len < take) {
            memcpy(s->pend + have, src, len);
            s->npend = (uint8_t)(have + len);
            s->in += len;
            return dec_check_pending(s, err);
        }
        memcpy(q, s->pend, have);
        memcpy(q + have, src, take);
        s->npend = 0;
        s->in += take;
        pos = take;
        rc = dec_quantum(s, q, base, o, err);
        if (rc != FHX_OK) return rc;
    }

    kern = fhxi_kernel_active();
    while (len - pos >= 4) {
        size_t nq = (len - pos) / 4, k = 0;
        if (s->flags & DEC_CLOSED) return dec_fail(s, KIND_PAD, s->mark, err);
        if (o->discard) {
            k = kern->validate_quanta(src + pos, nq);
        } else {
            size_t room = (o->cap - o->len) / 3;
            if (nq > room) nq = room;
            if (nq) {
                k = kern->decode_quanta(src + pos, nq, o->dst + o->len);
                o->len += k * 3;
            }
        }
        pos += k * 4;
        s->in += k * 4;
        s->out += k * 3;
        /* The kernel stopped at a quantum holding a character outside the
         * alphabet ('=' included) or at the end of the room: take that
         * quantum the slow way. */
        if (len - pos >= 4) {
            unsigned char q[4];
            uint64_t base = s->in;
            memcpy(q, src + pos, 4);
            pos += 4;
            s->in += 4;
            rc = dec_quantum(s, q, base, o, err);
            if (rc != FHX_OK) return rc;
        }
    }

    if (pos < len) { /* keep the incomplete quantum */
        if (s->flags & DEC_CLOSED) return dec_fail(s, KIND_PAD, s->mark, err);
        s->npend = (uint8_t)(len - pos);
        memcpy(s->pend, src + pos, s->npend);
        s->in += s->npend;
        return dec_check_pending(s, err);
    }
    return FHX_OK;
}

/* End of input: an incomplete quantum left is a length error. */
static int dec_finish(dec_state *s, fhx_error *err) {
    if (s->npend) return dec_fail(s, KIND_LEN, s->in, err);
    return FHX_OK;
}

/* ==== One-shot decoding =============================================== */

/* The one-shot fast path for the common case, a whole valid input: whole
 * quanta of alphabet characters, the last one possibly padded ("xx==" or
 * "xxx=" with zero trailing bits). Returns the decoded length, or SIZE_MAX
 * when the input is anything else (empty, invalid, or too big for dst),
 * so that the full engine, which locates errors exactly, takes over from
 * the start. dst NULL: validate only. dst must not overlap src. */
static size_t fast_decode(const char *src, size_t len, uint8_t *dst,
                          size_t cap) {
    const uint8_t *t = fhxi_b64_dec_table;
    const unsigned char *q;
    const fhxi_kernel *k;
    uint32_t a, b, c, d;
    size_t nq, tail, out;

    if (len == 0 || len % 4 != 0) return SIZE_MAX;
    nq = len / 4 - 1; /* quanta before the last one */
    q = (const unsigned char *)src + nq * 4;
    a = t[q[0]];
    b = t[q[1]];
    c = t[q[2]];
    d = t[q[3]];
    if ((a | b) & 0x80) return SIZE_MAX;
    if (q[3] != '=') {
        if ((c | d) & 0x80) return SIZE_MAX;
        tail = 3;
    } else if (q[2] == '=') {
        if (b & 0x0F) return SIZE_MAX; /* trailing bits */
        c = d = 0;
        tail = 1;
    } else {
        if ((c & 0x80) || (c & 0x03)) return SIZE_MAX;
        d = 0;
        tail = 2;
    }
    out = nq * 3 + tail;
    k = fhxi_kernel_active();
    if (!dst) return k->validate_quanta(src, nq) == nq ? out : SIZE_MAX;
    if (cap < out || k->decode_quanta(src, nq, dst) != nq) return SIZE_MAX;
    {
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        uint8_t *o = dst + nq * 3;
        o[0] = (uint8_t)(v >> 16);
        if (tail > 1) o[1] = (uint8_t)(v >> 8);
        if (tail > 2) o[2] = (uint8_t)v;
    }
    return out;
}

int fhx_b64_validate(const char *src, size_t src_len, size_t *decoded_len,
                     fhx_error *err) {
    dec_state s;
    dec_out o = {NULL, 0, 0, 1};
    size_t n;
    int rc;

    if (!src && src_len) return arg_error(err, msg_arg);
    if ((n = fast_decode(src, src_len, NULL, 0)) != SIZE_MAX) {
        if (decoded_len) *decoded_len = n;
        fhxi_clear_error(err);
        return FHX_OK;
    }
    dec_reset(&s);
    rc = dec_feed(&s, src, src_len, &o, err);
    if (rc == FHX_OK) rc = dec_finish(&s, err);
    if (rc != FHX_OK) return rc;
    if (decoded_len) *decoded_len = sat_size(s.out);
    fhxi_clear_error(err);
    return FHX_OK;
}

int fhx_b64_decode(const char *src, size_t src_len, uint8_t *dst,
                   size_t dst_cap, size_t *dst_len, fhx_error *err) {
    dec_state s;
    dec_out o;
    size_t n;
    int rc;

    if (dst_len) *dst_len = 0;
    if ((!src && src_len) || (!dst && dst_cap))
        return arg_error(err, msg_arg);
    /* In place, a failed fast path would leave the input overwritten. */
    if (dst && (const void *)dst != (const void *)src &&
        (n = fast_decode(src, src_len, dst, dst_cap)) != SIZE_MAX) {
        if (dst_len) *dst_len = n;
        fhxi_clear_error(err);
        return FHX_OK;
    }
    dec_reset(&s);
    o.dst = dst;
    o.cap = dst_cap;
    o.len = 0;
    o.discard = 0;
    rc = dec_feed(&s, src, src_len, &o, err);
    if (rc == FHX_OK) rc = dec_finish(&s, err);
    if (dst_len) *dst_len = o.len;
    if (rc == FHX_OK) fhxi_clear_error(err);
    return rc;
}

int fhx_b64_decode_inplace(char *buf, size_t len, size_t *out_len,
                           fhx_error *err) {
    /* The output never runs ahead of the input: 3 bytes per 4 characters,
     * each quantum read before it is written. */
    return fhx_b64_decode(buf, len, (uint8_t *)buf, len, out_len, err);
}

/* ==== Streaming decoding ============================================== */

void fhx_b64_decoder_init(fhx_b64_decoder *st) {
    dec_state s;
    if (!st) return;
    dec_reset(&s);
    memset(st, 0, sizeof *st);
    dec_save(st, &s);
}

/* FHX_B64_DECODED_MAX(n + 3) without overflowing n + 3. */
static size_t dec_update_bound(size_t n) {
    return (n / 4) * 3 + ((n % 4 + 3) * 3) / 4;
}

int fhx_b64_decoder_update(fhx_b64_decoder *st, const char *src,
                           size_t src_len, uint8_t *dst, size_t dst_cap,
                           size_t *dst_len, fhx_error *err) {
    dec_state s;
    dec_out o;
    int rc;

    if (dst_len) *dst_len = 0;
    if (!st || (!src && src_len) || (!dst && dst_cap))
        return arg_error(err, msg_arg);
    if (!dec_load(st, &s)) return arg_error(err, msg_state);
    if (s.flags & DEC_DEAD) return dec_sticky(&s, err);
    o.dst = dst;
    o.cap = dst_cap;
    o.len = 0;
    o.discard = dst == NULL; /* validate only */
    if (!o.discard && dst_cap < dec_update_bound(src_len))
        return output_error(err, s.in);
    rc = dec_feed(&s, src, src_len, &o, err);
    dec_save(st, &s);
    if (dst_len) *dst_len = o.len;
    if (rc == FHX_OK) fhxi_clear_error(err);
    return rc;
}

int fhx_b64_decoder_final(fhx_b64_decoder *st, size_t *decoded_total,
                          fhx_error *err) {
    dec_state s;
    int rc;

    if (!st) return arg_error(err, msg_arg);
    if (!dec_load(st, &s)) return arg_error(err, msg_state);
    if (s.flags & DEC_DEAD)
        rc = dec_sticky(&s, err);
    else
        rc = dec_finish(&s, err);
    dec_save(st, &s);
    if (decoded_total) *decoded_total = sat_size(s.out);
    if (rc == FHX_OK) fhxi_clear_error(err);
    return rc;
}
