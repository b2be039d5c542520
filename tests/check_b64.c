/* libfirehose-xform tests: strict base64 (fhx/b64.h) and kernel choice
 * (fhx/isa.h), with libb64 as an oracle. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#define HAVE_REEXEC 1
#else
#define HAVE_REEXEC 0
#endif

#include <b64/cdecode.h>
#include <b64/cencode.h>

#include "check_util.h"

/* ==== Assertions ====================================================== */

/*
 * Check's ck_assert_* record a checkpoint (a write to Check's pipe or file)
 * even when they pass; with the hundreds of thousands of checks below that
 * dominates the run time (minutes under valgrind). These call into Check
 * only on failure, reporting the file and line of the use.
 */
#define REQ_MSG(cond, ...)                                                    \
    do {                                                                      \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                               \
    } while (0)

#define REQ_CMP_(T, fmt, a, op, b)                                            \
    do {                                                                      \
        T a_ = (T)(a), b_ = (T)(b);                                           \
        if (!(a_ op b_))                                                      \
            ck_abort_msg("Assertion '%s' failed: %s == " fmt ", %s == " fmt,  \
                         #a " " #op " " #b, #a, a_, #b, b_);                  \
    } while (0)

#define REQ_INT_EQ(a, b) REQ_CMP_(intmax_t, "%jd", a, ==, b)
#define REQ_INT_GE(a, b) REQ_CMP_(intmax_t, "%jd", a, >=, b)
#define REQ_UINT_EQ(a, b) REQ_CMP_(uintmax_t, "%ju", a, ==, b)
#define REQ_UINT_NE(a, b) REQ_CMP_(uintmax_t, "%ju", a, !=, b)
#define REQ_UINT_LE(a, b) REQ_CMP_(uintmax_t, "%ju", a, <=, b)
#define REQ_UINT_LT(a, b) REQ_CMP_(uintmax_t, "%ju", a, <, b)
#define REQ_UINT_GE(a, b) REQ_CMP_(uintmax_t, "%ju", a, >=, b)

#define REQ_NONNULL(p) REQ_MSG((p) != NULL, "'%s' is NULL", #p)
#define REQ_NULL(p) REQ_MSG((p) == NULL, "'%s' is not NULL", #p)

#define REQ_STR_EQ(a, b)                                                      \
    do {                                                                      \
        const char *a_ = (a), *b_ = (b);                                      \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                \
            ck_abort_msg("Assertion '%s == %s' failed: \"%s\" vs \"%s\"", #a, \
                         #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
    } while (0)

#define REQ_MEM_EQ(a, b, n)                                                   \
    do {                                                                      \
        size_t n_ = (size_t)(n);                                              \
        if (n_ && memcmp((a), (b), n_) != 0)                                  \
            ck_abort_msg("Assertion '%s == %s' failed (%zu bytes)", #a, #b,   \
                         n_);                                                 \
    } while (0)

/* ==== Helpers ========================================================= */

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char msg_char[] = "invalid base64 character";
static const char msg_pad[] = "base64 padding in the wrong place";
static const char msg_len[] = "base64 input length is not a multiple of 4";
static const char msg_bits[] = "non-zero trailing bits in base64";

/* Deterministic xorshift32; never seeded from the clock. */
static uint32_t rng_state = 2463534242u;

static void rng_seed(uint32_t seed) { rng_state = seed ? seed : 1u; }

static uint32_t rng(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static size_t rng_below(size_t n) { return n ? (size_t)rng() % n : 0; }

static void rng_fill(uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(rng() >> 24);
}

/* malloc that never returns NULL for a size of 0 (and fails the test when
 * out of memory). Always exactly n bytes for n > 0. */
static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    REQ_NONNULL(p);
    return p;
}

/* Independent reference encoder: a bit accumulator, nothing shared with
 * the library. Returns the length written (dst holds 4 * ceil(n / 3)). */
static size_t ref_encode(const uint8_t *src, size_t n, char *dst) {
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        acc = (acc << 8 | src[i]) & 0xFFFFu;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            dst[o++] = alphabet[(acc >> bits) & 0x3F];
        }
    }
    if (bits) dst[o++] = alphabet[(acc << (6 - bits)) & 0x3F];
    while (o % 4)
        dst[o++] = '=';
    return o;
}

/* Error kinds of the reference model. */
enum { K_OK, K_CHAR, K_PAD, K_LEN, K_BITS };

static const char *kind_msg(int kind) {
    switch (kind) {
    case K_CHAR: return msg_char;
    case K_PAD: return msg_pad;
    case K_LEN: return msg_len;
    case K_BITS: return msg_bits;
    default: return NULL;
    }
}

static int b64_value(unsigned char c) {
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/*
 * Independent reference model of the strict decoder, one character at a
 * time (a different shape from the library's quantum engine). Returns the
 * error kind; *off gets its offset; out (may be NULL) gets the bytes of
 * every complete valid quantum before the error, *out_len their number.
 */
static int ref_decode(const char *s, size_t n, uint8_t *out, size_t *out_len,
                      size_t *off) {
    size_t i, j = 0, base = 0, o = 0;
    size_t first_pad = SIZE_MAX, closed = SIZE_MAX;
    int v[4];
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (closed != SIZE_MAX) {
            *off = closed;
            *out_len = o;
            return K_PAD;
        }
        if (j == 0) base = i;
        if (c == '=') {
            if (j < 2) {
                *off = i;
                *out_len = o;
                return K_PAD;
            }
            if (first_pad == SIZE_MAX) first_pad = i;
            v[j] = 0;
        } else if (first_pad != SIZE_MAX) {
            *off = first_pad;
            *out_len = o;
            return K_PAD;
        } else if ((v[j] = b64_value(c)) < 0) {
            *off = i;
            *out_len = o;
            return K_CHAR;
        }
        if (++j == 4) {
            uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                         (uint32_t)v[2] << 6 | (uint32_t)v[3];
            size_t nb = 3;
            if (first_pad == base + 2) {
                if (v[1] & 0x0F) {
                    *off = base + 1;
                    *out_len = o;
                    return K_BITS;
                }
                nb = 1;
            } else if (first_pad == base + 3) {
                if (v[2] & 0x03) {
                    *off = base + 2;
                    *out_len = o;
                    return K_BITS;
                }
                nb = 2;
            }
            if (out) {
                out[o] = (uint8_t)(w >> 16);
                if (nb > 1) out[o + 1] = (uint8_t)(w >> 8);
                if (nb > 2) out[o + 2] = (uint8_t)w;
            }
            o += nb;
            closed = first_pad;
            first_pad = SIZE_MAX;
            j = 0;
        }
    }
    *out_len = o;
    if (j) {
        *off = n;
        return K_LEN;
    }
    *off = 0;
    return K_OK;
}

/* Result of one decode, for comparisons. */
typedef struct result {
    int rc;
    size_t offset;   /* err.offset when rc < 0 */
    const char *msg; /* err.msg */
    uint8_t *out;    /* bytes written (heap, free) */
    size_t out_len;
    size_t total; /* decoded length reported on success */
} result;

static void result_free(result *r) {
    free(r->out);
    r->out = NULL;
}

/* Check the fhx_error of a failed call. */
static void check_err(const fhx_error *err, int code, size_t offset,
                      const char *msg) {
    REQ_INT_EQ(err->code, code);
    REQ_UINT_EQ(err->offset, offset);
    REQ_UINT_EQ(err->record, FHX_NO_RECORD);
    REQ_NONNULL(err->msg);
    if (msg) REQ_STR_EQ(err->msg, msg);
}

/* One-shot decode of an exact-size heap copy into an exact-size buffer of
 * FHX_B64_DECODED_MAX(len) bytes. */
static result oneshot(const char *src, size_t len) {
    char *in = fhxt_dup(src, len);
    size_t cap = FHX_B64_DECODED_MAX(len);
    result r;
    fhx_error err;
    memset(&err, 0xA5, sizeof err);
    REQ_NONNULL(in);
    r.out = xmalloc(cap);
    r.out_len = 12345;
    r.rc = fhx_b64_decode(in, len, r.out, cap, &r.out_len, &err);
    REQ_INT_EQ(err.code, r.rc);
    REQ_UINT_EQ(err.record, FHX_NO_RECORD);
    r.offset = err.offset;
    r.msg = err.msg;
    r.total = r.out_len;
    if (r.rc == FHX_OK)
        REQ_NULL(err.msg);
    else
        REQ_NONNULL(err.msg);
    REQ_UINT_LE(r.out_len, cap);
    free(in);
    return r;
}

/*
 * Streaming decode: pieces of `chunk` characters, or random sizes 0..16
 * when chunk is 0. Each piece is an exact-size heap copy and each output
 * buffer is exactly FHX_B64_DECODED_MAX(piece + 3) bytes (or NULL when
 * validate_only). Stops at the first error.
 */
static result streaming(const char *src, size_t len, size_t chunk,
                        int validate_only) {
    fhx_b64_decoder st;
    fhx_error err;
    result r;
    size_t pos = 0;
    r.out = xmalloc(FHX_B64_DECODED_MAX(len) + 1);
    r.out_len = 0;
    r.total = 0;
    r.rc = FHX_OK;
    r.offset = 0;
    r.msg = NULL;
    fhx_b64_decoder_init(&st);
    for (;;) {
        size_t n = chunk ? chunk : rng_below(17), got = 999, cap = 0;
        char *piece;
        uint8_t *dst;
        if (n > len - pos) n = len - pos;
        if (!validate_only) cap = FHX_B64_DECODED_MAX(n + 3);
        piece = fhxt_dup(src + pos, n);
        dst = validate_only ? NULL : xmalloc(cap);
        r.rc = fhx_b64_decoder_update(&st, piece, n, dst, cap, &got, &err);
        REQ_UINT_LE(got, cap);
        if (got && dst) memcpy(r.out + r.out_len, dst, got);
        r.out_len += got;
        free(piece);
        free(dst);
        pos += n;
        if (r.rc != FHX_OK) break;
        if (pos == len) {
            r.rc = fhx_b64_decoder_final(&st, &r.total, &err);
            break;
        }
    }
    if (r.rc != FHX_OK) {
        fhx_error again;
        size_t got = 7;
        uint8_t one[8];
        REQ_INT_EQ(err.code, r.rc);
        REQ_UINT_EQ(err.record, FHX_NO_RECORD);
        REQ_NONNULL(err.msg);
        r.offset = err.offset;
        r.msg = err.msg;
        /* dead until init: the same error again, nothing written */
        REQ_INT_EQ(fhx_b64_decoder_update(&st, "QUJD", 4, one, sizeof one,
                                          &got, &again),
                   r.rc);
        REQ_UINT_EQ(got, 0);
        check_err(&again, r.rc, r.offset, r.msg);
        REQ_INT_EQ(fhx_b64_decoder_final(&st, NULL, &again), r.rc);
        check_err(&again, r.rc, r.offset, r.msg);
    } else {
        REQ_INT_EQ(err.code, FHX_OK);
        REQ_NULL(err.msg);
        if (!validate_only) REQ_UINT_EQ(r.total, r.out_len);
    }
    return r;
}

/* Check that two results agree on code, offset, message and output. */
static void same_result(const result *a, const result *b, int cmp_output,
                        const char *what, size_t len) {
    REQ_MSG(a->rc == b->rc, "%s (len %zu): rc %d vs %d", what, len, a->rc,
            b->rc);
    if (a->rc != FHX_OK) {
        REQ_MSG(a->offset == b->offset, "%s (len %zu): offset %zu vs %zu",
                what, len, a->offset, b->offset);
        REQ_STR_EQ(a->msg, b->msg);
    }
    if (cmp_output) {
        REQ_MSG(a->out_len == b->out_len, "%s (len %zu): out_len %zu vs %zu",
                what, len, a->out_len, b->out_len);
        if (a->out_len) REQ_MEM_EQ(a->out, b->out, a->out_len);
    }
}

/* Encode in one shot into an exact-size heap buffer; returns a heap
 * string (NUL-terminated for convenience, outside *len). */
static char *encode_exact(const uint8_t *src, size_t n, size_t *len) {
    uint8_t *in = (uint8_t *)fhxt_dup(src, n);
    size_t need = FHX_B64_ENCODED_LEN(n), got = 999;
    char *dst = need ? xmalloc(need) : NULL;
    char *res = xmalloc(need + 1);
    REQ_INT_EQ(fhx_b64_encode(in, n, dst, need, &got), FHX_OK);
    REQ_UINT_EQ(got, need);
    if (need) memcpy(res, dst, need);
    res[need] = '\0';
    *len = need;
    free(dst);
    free(in);
    return res;
}

/* ==== vectors ========================================================= */

static const struct {
    const char *plain, *enc;
} rfc_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

#define N_RFC (sizeof rfc_vectors / sizeof rfc_vectors[0])

START_TEST(test_rfc_encode) {
    size_t i;
    for (i = 0; i < N_RFC; i++) {
        size_t n = strlen(rfc_vectors[i].plain), len;
        char *e = encode_exact((const uint8_t *)rfc_vectors[i].plain, n, &len);
        REQ_UINT_EQ(len, strlen(rfc_vectors[i].enc));
        REQ_STR_EQ(e, rfc_vectors[i].enc);
        REQ_UINT_EQ(fhx_b64_encoded_len(n), len);
        free(e);
    }
}
END_TEST

START_TEST(test_rfc_decode) {
    size_t i;
    for (i = 0; i < N_RFC; i++) {
        const char *enc = rfc_vectors[i].enc;
        size_t n = strlen(enc), plain = strlen(rfc_vectors[i].plain), dl;
        result r = oneshot(enc, n);
        fhx_error err;
        REQ_INT_EQ(r.rc, FHX_OK);
        REQ_UINT_EQ(r.out_len, plain);
        if (plain) REQ_MEM_EQ(r.out, rfc_vectors[i].plain, plain);
        result_free(&r);
        dl = 999;
        memset(&err, 0x5A, sizeof err);
        REQ_INT_EQ(fhx_b64_validate(enc, n, &dl, &err), FHX_OK);
        REQ_UINT_EQ(dl, plain);
        REQ_INT_EQ(err.code, FHX_OK);
        REQ_NULL(err.msg);
        REQ_UINT_EQ(err.record, FHX_NO_RECORD);
    }
}
END_TEST

START_TEST(test_extra_vectors) {
    static const struct {
        const char *enc;
        const char *plain;
        size_t plain_len;
    } v[] = {
        {"AAAA", "\0\0\0", 3},
        {"////", "\xff\xff\xff", 3},
        {"++++", "\xfb\xef\xbe", 3},
        {"AA==", "\0", 1},
        {"AAA=", "\0\0", 2},
        {"/w==", "\xff", 1},
        {"//8=", "\xff\xff", 2},
        {"SGVsbG8sIFdvcmxkIQ==", "Hello, World!", 13},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t len;
        result r = oneshot(v[i].enc, strlen(v[i].enc));
        char *e =
            encode_exact((const uint8_t *)v[i].plain, v[i].plain_len, &len);
        REQ_INT_EQ(r.rc, FHX_OK);
        REQ_UINT_EQ(r.out_len, v[i].plain_len);
        REQ_MEM_EQ(r.out, v[i].plain, v[i].plain_len);
        REQ_STR_EQ(e, v[i].enc);
        result_free(&r);
        free(e);
    }
}
END_TEST

/* ==== errors ========================================================== */

typedef struct err_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    int kind;
    size_t offset;
    size_t written; /* bytes decoded before the error */
} err_case;

static const err_case err_cases[] = {
    /* invalid characters, whitespace included */
    {"Zm9v Zm9v", 0, K_CHAR, 4, 3},
    {"Zm9v\nZm9v", 0, K_CHAR, 4, 3},
    {"Zm9vYmFy\r\n", 0, K_CHAR, 8, 6},
    {"Zm\t9", 0, K_CHAR, 2, 0},
    {" Zm9", 0, K_CHAR, 0, 0},
    {"Zm9vZm9 ", 0, K_CHAR, 7, 3},
    {"Z g=", 0, K_CHAR, 1, 0},
    {"Zm9-", 0, K_CHAR, 3, 0},
    {"Zm9_", 0, K_CHAR, 3, 0},
    {"-_-_", 0, K_CHAR, 0, 0},
    {"Zm9v\0m9v", 8, K_CHAR, 4, 3},
    {"\0AAA", 4, K_CHAR, 0, 0},
    {"Zm9v\200AAA", 0, K_CHAR, 4, 3},
    {"\377AAA", 0, K_CHAR, 0, 0},
    {"Zm9v\303\251AA", 0, K_CHAR, 4, 3}, /* UTF-8 */
    {"Zm9vYmFyZ!==", 0, K_CHAR, 9, 6},
    {"Zm9v.", 0, K_CHAR, 4, 3}, /* invalid before the length error */
    {"Zm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9vZm9v*AAA", 0,
     K_CHAR, 60, 45},
    /* padding in the wrong place */
    {"Zg==Zm9v", 0, K_PAD, 2, 1},
    {"Zm8=Zm9v", 0, K_PAD, 3, 2},
    {"Zm=vZm9v", 0, K_PAD, 2, 0},
    {"Z=9v", 0, K_PAD, 1, 0},
    {"=m9v", 0, K_PAD, 0, 0},
    {"====", 0, K_PAD, 0, 0},
    {"A===", 0, K_PAD, 1, 0},
    {"Zm9vA===", 0, K_PAD, 5, 3},
    {"=", 0, K_PAD, 0, 0},
    {"Zm9vZ=", 0, K_PAD, 5, 3},
    {"Zg=!", 0, K_PAD, 2, 0},
    {"Zg= ", 0, K_PAD, 2, 0},
    {"Zg=A", 0, K_PAD, 2, 0},
    {"Zg==!", 0, K_PAD, 2, 1},
    {"Zg===", 0, K_PAD, 2, 1},
    {"Zg==\n", 0, K_PAD, 2, 1},
    {"Zg==Zg==", 0, K_PAD, 2, 1},
    {"Zm9vYmFyZg=A", 0, K_PAD, 10, 6},
    /* length not a multiple of 4 */
    {"Z", 0, K_LEN, 1, 0},
    {"Zg", 0, K_LEN, 2, 0},
    {"Zg=", 0, K_LEN, 3, 0},
    {"Zm9", 0, K_LEN, 3, 0},
    {"Zm9vZg", 0, K_LEN, 6, 3},
    {"Zm9vZm9vZ", 0, K_LEN, 9, 6},
    /* non-zero trailing bits */
    {"QR==", 0, K_BITS, 1, 0},
    {"QUJ=", 0, K_BITS, 2, 0},
    {"Zh==", 0, K_BITS, 1, 0},
    {"Zm9=", 0, K_BITS, 2, 0},
    {"Zm9vQR==", 0, K_BITS, 5, 3},
    {"Zm9vYmFyQUJ=", 0, K_BITS, 10, 6},
    {"//==", 0, K_BITS, 1, 0},
};

#define N_ERR (sizeof err_cases / sizeof err_cases[0])

static size_t case_len(const err_case *c) {
    return c->len ? c->len : strlen(c->in);
}

/* Every entry point reports the same error for every case. */
START_TEST(test_error_table) {
    size_t i;
    for (i = 0; i < N_ERR; i++) {
        const err_case *c = &err_cases[i];
        size_t len = case_len(c), dl = 4242, moff = 0, mlen = 0;
        const char *msg = kind_msg(c->kind);
        result r = oneshot(c->in, len);
        fhx_error err;
        uint8_t mout[64];
        char *buf;
        int mk;

        REQ_MSG(r.rc == FHX_E_BASE64, "case %zu: rc %d", i, r.rc);
        REQ_MSG(r.offset == c->offset, "case %zu: offset %zu, want %zu", i,
                r.offset, c->offset);
        REQ_MSG(strcmp(r.msg, msg) == 0, "case %zu: msg '%s'", i, r.msg);
        REQ_MSG(r.out_len == c->written, "case %zu: written %zu", i,
                r.out_len);
        /* the table agrees with the model, and so do the bytes written
         * before the error */
        mk = ref_decode(c->in, len, mout, &mlen, &moff);
        REQ_INT_EQ(mk, c->kind);
        REQ_UINT_EQ(moff, c->offset);
        REQ_UINT_EQ(mlen, c->written);
        REQ_MEM_EQ(r.out, mout, mlen);
        result_free(&r);

        /* validate: same error, decoded_len untouched */
        buf = fhxt_dup(c->in, len);
        memset(&err, 0, sizeof err);
        REQ_INT_EQ(fhx_b64_validate(buf, len, &dl, &err), FHX_E_BASE64);
        check_err(&err, FHX_E_BASE64, c->offset, msg);
        REQ_UINT_EQ(dl, 4242);

        /* in place: same error */
        memset(&err, 0, sizeof err);
        REQ_INT_EQ(fhx_b64_decode_inplace(buf, len, &dl, &err), FHX_E_BASE64);
        check_err(&err, FHX_E_BASE64, c->offset, msg);
        REQ_UINT_EQ(dl, c->written);
        free(buf);

        /* err may be NULL */
        buf = fhxt_dup(c->in, len);
        REQ_INT_EQ(fhx_b64_validate(buf, len, NULL, NULL), FHX_E_BASE64);
        free(buf);
    }
}
END_TEST

/* Each byte value in each position of a quantum "AAAA". */
START_TEST(test_every_byte_in_quantum) {
    unsigned b, pos;
    for (b = 0; b < 256; b++) {
        for (pos = 0; pos < 4; pos++) {
            char q[4] = {'A', 'A', 'A', 'A'};
            result r;
            q[pos] = (char)b;
            r = oneshot(q, 4);
            if (b64_value((unsigned char)b) >= 0) {
                uint8_t want[3];
                uint32_t v = (uint32_t)b64_value((unsigned char)b)
                             << (6 * (3 - pos));
                want[0] = (uint8_t)(v >> 16);
                want[1] = (uint8_t)(v >> 8);
                want[2] = (uint8_t)v;
                REQ_INT_EQ(r.rc, FHX_OK);
                REQ_UINT_EQ(r.out_len, 3);
                REQ_MEM_EQ(r.out, want, 3);
            } else if (b == '=' && pos == 3) {
                REQ_INT_EQ(r.rc, FHX_OK); /* "AAA=" */
                REQ_UINT_EQ(r.out_len, 2);
            } else if (b == '=') {
                REQ_INT_EQ(r.rc, FHX_E_BASE64);
                REQ_STR_EQ(r.msg, msg_pad);
                REQ_UINT_EQ(r.offset, pos);
            } else {
                REQ_INT_EQ(r.rc, FHX_E_BASE64);
                REQ_STR_EQ(r.msg, msg_char);
                REQ_UINT_EQ(r.offset, pos);
                REQ_UINT_EQ(r.out_len, 0);
            }
            result_free(&r);
        }
    }
}
END_TEST

/* Trailing bits: only canonical last characters are accepted. */
START_TEST(test_trailing_bits) {
    int c;
    for (c = 0; c < 64; c++) {
        char two[4] = {'Q', alphabet[c], '=', '='};
        char three[4] = {'Q', 'U', alphabet[c], '='};
        result r = oneshot(two, 4);
        if (c & 0x0F) {
            REQ_INT_EQ(r.rc, FHX_E_BASE64);
            REQ_STR_EQ(r.msg, msg_bits);
            REQ_UINT_EQ(r.offset, 1);
        } else {
            REQ_INT_EQ(r.rc, FHX_OK);
            REQ_UINT_EQ(r.out_len, 1);
        }
        result_free(&r);
        r = oneshot(three, 4);
        if (c & 0x03) {
            REQ_INT_EQ(r.rc, FHX_E_BASE64);
            REQ_STR_EQ(r.msg, msg_bits);
            REQ_UINT_EQ(r.offset, 2);
        } else {
            REQ_INT_EQ(r.rc, FHX_OK);
            REQ_UINT_EQ(r.out_len, 2);
        }
        result_free(&r);
    }
}
END_TEST

/* Errors far into a long input (the kernel's bulk path stops early and the
 * tail must still find the exact character). */
START_TEST(test_error_positions_long) {
    static const char bad[] = {' ',    '\n',   '-', '_', '\0',
                               '\x80', '\xff', '.', '='};
    uint8_t data[600] = {0};
    size_t elen, pos, k;
    char *enc;
    rng_seed(77);
    rng_fill(data, sizeof data);
    enc = encode_exact(data, sizeof data, &elen);
    REQ_UINT_EQ(elen, 800);
    for (pos = 0; pos < elen; pos++) {
        for (k = 0; k < sizeof bad; k++) {
            char *m = fhxt_dup(enc, elen);
            size_t moff = 0, mlen = 0;
            int mk;
            result r;
            uint8_t *mout = xmalloc(600);
            m[pos] = bad[k];
            mk = ref_decode(m, elen, mout, &mlen, &moff);
            r = oneshot(m, elen);
            REQ_INT_EQ(r.rc, mk == K_OK ? FHX_OK : FHX_E_BASE64);
            REQ_UINT_EQ(r.out_len, mlen);
            if (mlen) REQ_MEM_EQ(r.out, mout, mlen);
            if (mk != K_OK) {
                REQ_UINT_EQ(r.offset, moff);
                REQ_STR_EQ(r.msg, kind_msg(mk));
            }
            if (bad[k] != '=') {
                REQ_INT_EQ(r.rc, FHX_E_BASE64);
                REQ_UINT_EQ(r.offset, pos);
                REQ_STR_EQ(r.msg, msg_char);
                REQ_UINT_EQ(r.out_len, (pos / 4) * 3);
                REQ_MEM_EQ(r.out, data, r.out_len);
            }
            free(mout);
            result_free(&r);
            free(m);
        }
    }
    free(enc);
}
END_TEST

START_TEST(test_null_arguments) {
    fhx_error err;
    uint8_t out[5]; /* FHX_B64_DECODED_MAX(4 + 3) */
    char txt[8];
    size_t dl = 77;
    fhx_b64_decoder d;
    fhx_b64_encoder e;

    memset(&err, 0, sizeof err);
    REQ_INT_EQ(fhx_b64_decode(NULL, 4, out, sizeof out, &dl, &err), FHX_E_ARG);
    check_err(&err, FHX_E_ARG, 0, NULL);
    REQ_UINT_EQ(dl, 0);
    memset(&err, 0, sizeof err);
    REQ_INT_EQ(fhx_b64_decode("QUJD", 4, NULL, 3, &dl, &err), FHX_E_ARG);
    check_err(&err, FHX_E_ARG, 0, NULL);
    REQ_INT_EQ(fhx_b64_validate(NULL, 1, NULL, &err), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_decode_inplace(NULL, 4, &dl, &err), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encode(NULL, 1, txt, sizeof txt, &dl), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encode((const uint8_t *)"a", 1, NULL, 4, &dl),
               FHX_E_ARG);

    /* NULL with zero lengths is fine */
    dl = 77;
    REQ_INT_EQ(fhx_b64_decode(NULL, 0, NULL, 0, &dl, &err), FHX_OK);
    REQ_UINT_EQ(dl, 0);
    REQ_INT_EQ(err.code, FHX_OK);
    dl = 77;
    REQ_INT_EQ(fhx_b64_validate(NULL, 0, &dl, NULL), FHX_OK);
    REQ_UINT_EQ(dl, 0);
    dl = 77;
    REQ_INT_EQ(fhx_b64_decode_inplace(NULL, 0, &dl, NULL), FHX_OK);
    REQ_UINT_EQ(dl, 0);
    dl = 77;
    REQ_INT_EQ(fhx_b64_encode(NULL, 0, NULL, 0, &dl), FHX_OK);
    REQ_UINT_EQ(dl, 0);
    REQ_INT_EQ(fhx_b64_encode(NULL, 0, NULL, 0, NULL), FHX_OK);

    /* streaming */
    fhx_b64_decoder_init(NULL); /* no crash */
    fhx_b64_encoder_init(NULL);
    REQ_INT_EQ(fhx_b64_decoder_update(NULL, "QUJD", 4, out, 3, &dl, &err),
               FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_decoder_final(NULL, &dl, &err), FHX_E_ARG);
    fhx_b64_decoder_init(&d);
    REQ_INT_EQ(fhx_b64_decoder_update(&d, NULL, 4, out, 3, &dl, &err),
               FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_decoder_update(&d, "QUJD", 4, NULL, 3, &dl, &err),
               FHX_E_ARG);
    /* nothing consumed: the decoder still works */
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "QUJD", 4, out, sizeof out, &dl, &err),
        FHX_OK);
    REQ_UINT_EQ(dl, 3);
    REQ_MEM_EQ(out, "ABC", 3);
    REQ_INT_EQ(fhx_b64_decoder_final(&d, &dl, &err), FHX_OK);
    REQ_UINT_EQ(dl, 3);

    REQ_INT_EQ(fhx_b64_encoder_update(NULL, out, 1, txt, 8, &dl), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encoder_final(NULL, txt, 8, &dl), FHX_E_ARG);
    fhx_b64_encoder_init(&e);
    REQ_INT_EQ(fhx_b64_encoder_update(&e, NULL, 1, txt, 8, &dl), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encoder_update(&e, out, 1, NULL, 8, &dl), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encoder_final(&e, NULL, 4, &dl), FHX_E_ARG);
}
END_TEST

/* States that were never initialised are refused, not trusted. */
START_TEST(test_uninitialised_state) {
    fhx_b64_decoder d;
    fhx_b64_encoder e;
    fhx_error err;
    uint8_t out[8];
    char txt[8];
    size_t dl;
    memset(&d, 0, sizeof d);
    memset(&e, 0, sizeof e);
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "QUJD", 4, out, sizeof out, &dl, &err),
        FHX_E_ARG);
    check_err(&err, FHX_E_ARG, 0, NULL);
    REQ_INT_EQ(fhx_b64_decoder_final(&d, &dl, &err), FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encoder_update(&e, out, 1, txt, sizeof txt, &dl),
               FHX_E_ARG);
    REQ_INT_EQ(fhx_b64_encoder_final(&e, txt, sizeof txt, &dl), FHX_E_ARG);
    memset(&d, 0xFF, sizeof d);
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "QUJD", 4, out, sizeof out, &dl, &err),
        FHX_E_ARG);
}
END_TEST

/* ==== model: exhaustive short strings against the reference model ===== */

START_TEST(test_model_exhaustive) {
    static const char sym[] = {'A', 'B', 'Q', '/', '=', '!'};
    const size_t ns = sizeof sym;
    char s[6];
    size_t len;
    for (len = 0; len <= 6; len++) {
        size_t total = 1, idx, i;
        for (i = 0; i < len; i++)
            total *= ns;
        for (idx = 0; idx < total; idx++) {
            size_t x = idx, moff = 0, mlen = 0;
            uint8_t mout[8];
            int mk;
            result r, t;
            for (i = 0; i < len; i++) {
                s[i] = sym[x % ns];
                x /= ns;
            }
            mk = ref_decode(s, len, mout, &mlen, &moff);
            r = oneshot(s, len);
            REQ_MSG(r.rc == (mk == K_OK ? FHX_OK : FHX_E_BASE64),
                    "'%.*s': rc %d, model kind %d", (int)len, s, r.rc, mk);
            REQ_UINT_EQ(r.out_len, mlen);
            if (mlen) REQ_MEM_EQ(r.out, mout, mlen);
            if (mk != K_OK) {
                REQ_MSG(r.offset == moff, "'%.*s': offset %zu vs %zu",
                        (int)len, s, r.offset, moff);
                REQ_STR_EQ(r.msg, kind_msg(mk));
            }
            if (len <= 5) { /* keeps the test quick under valgrind */
                t = streaming(s, len, 1, 0);
                same_result(&r, &t, 1, "one byte at a time", len);
                result_free(&t);
            }
            result_free(&r);
        }
    }
}
END_TEST

/* Random mutations of valid text: one-shot, streaming and the model
 * agree. */
START_TEST(test_model_random) {
    static const char bad[] = {'=',  '=',    ' ', '\n', '-', '_',
                               '\0', '\x80', 'A', 'B',  '/', '+'};
    int iter;
    rng_seed(1234567);
    for (iter = 0; iter < 3000; iter++) {
        uint8_t data[64] = {0};
        size_t n = rng_below(sizeof data + 1), elen, mutations, m;
        size_t moff = 0, mlen = 0;
        char *enc;
        uint8_t *mout;
        int mk;
        result r, t;
        rng_fill(data, n);
        enc = encode_exact(data, n, &elen);
        mutations = rng_below(3);
        for (m = 0; m < mutations && elen; m++)
            enc[rng_below(elen)] = bad[rng_below(sizeof bad)];
        if (elen && rng_below(4) == 0)
            elen -= 1 + rng_below(elen < 3 ? elen : 3);
        mout = xmalloc(elen);
        mk = ref_decode(enc, elen, mout, &mlen, &moff);
        r = oneshot(enc, elen);
        REQ_INT_EQ(r.rc, mk == K_OK ? FHX_OK : FHX_E_BASE64);
        if (mk != K_OK) {
            REQ_UINT_EQ(r.offset, moff);
            REQ_STR_EQ(r.msg, kind_msg(mk));
        }
        REQ_UINT_EQ(r.out_len, mlen);
        if (mlen) REQ_MEM_EQ(r.out, mout, mlen);
        t = streaming(enc, elen, 0, 0);
        same_result(&r, &t, 1, "random splits", elen);
        result_free(&t);
        t = streaming(enc, elen, 0, 1);
        same_result(&r, &t, 0, "random splits, validate only", elen);
        if (mk == K_OK) REQ_UINT_EQ(t.total, mlen);
        result_free(&t);
        result_free(&r);
        free(mout);
        free(enc);
    }
}
END_TEST

/* ==== streaming ======================================================= */

/* Every split size and random splits give the one-shot result. */
static void check_all_splits(const char *src, size_t len) {
    result one = oneshot(src, len);
    size_t chunk;
    int k;
    for (chunk = 1; chunk <= len + 1; chunk++) {
        result r = streaming(src, len, chunk, 0);
        same_result(&one, &r, 1, "fixed split", len);
        result_free(&r);
        r = streaming(src, len, chunk, 1);
        same_result(&one, &r, 0, "fixed split, validate only", len);
        if (one.rc == FHX_OK) REQ_UINT_EQ(r.total, one.out_len);
        result_free(&r);
    }
    for (k = 0; k < 20; k++) {
        result r = streaming(src, len, 0, 0);
        same_result(&one, &r, 1, "random split", len);
        result_free(&r);
    }
    result_free(&one);
}

START_TEST(test_stream_valid) {
    size_t n;
    rng_seed(99);
    for (n = 0; n <= 70; n++) {
        uint8_t data[70] = {0};
        size_t elen;
        char *enc;
        rng_fill(data, n);
        enc = encode_exact(data, n, &elen);
        check_all_splits(enc, elen);
        free(enc);
    }
}
END_TEST

START_TEST(test_stream_errors) {
    size_t i;
    rng_seed(4242);
    for (i = 0; i < N_ERR; i++)
        check_all_splits(err_cases[i].in, case_len(&err_cases[i]));
}
END_TEST

START_TEST(test_stream_long) {
    uint8_t *data = xmalloc(3000);
    size_t elen;
    char *enc;
    int k;
    rng_seed(31337);
    rng_fill(data, 3000);
    enc = encode_exact(data, 2999, &elen);
    for (k = 0; k < 50; k++) {
        result r = streaming(enc, elen, 0, 0);
        REQ_INT_EQ(r.rc, FHX_OK);
        REQ_UINT_EQ(r.out_len, 2999);
        REQ_MEM_EQ(r.out, data, 2999);
        result_free(&r);
    }
    /* an error deep in a long stream: absolute offset across pieces */
    enc[2001] = '*';
    for (k = 0; k < 20; k++) {
        result r = streaming(enc, elen, 0, 0);
        REQ_INT_EQ(r.rc, FHX_E_BASE64);
        REQ_UINT_EQ(r.offset, 2001);
        REQ_STR_EQ(r.msg, msg_char);
        REQ_UINT_EQ(r.out_len, 1500);
        REQ_MEM_EQ(r.out, data, 1500);
        result_free(&r);
    }
    free(enc);
    free(data);
}
END_TEST

/* The error of a partial quantum is reported by the call that fed it; the
 * length error only by final, at the total length. */
START_TEST(test_stream_error_timing) {
    fhx_b64_decoder d;
    fhx_error err;
    uint8_t out[16];
    size_t dl = 0, total = 99;

    fhx_b64_decoder_init(&d);
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "Zm9vZ", 5, out, sizeof out, &dl, &err),
        FHX_OK);
    REQ_UINT_EQ(dl, 3);
    REQ_INT_EQ(fhx_b64_decoder_update(&d, "!", 1, out, sizeof out, &dl, &err),
               FHX_E_BASE64);
    check_err(&err, FHX_E_BASE64, 5, msg_char);
    REQ_UINT_EQ(dl, 0);

    fhx_b64_decoder_init(&d); /* restart */
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "Zm9vZ", 5, out, sizeof out, &dl, &err),
        FHX_OK);
    REQ_INT_EQ(fhx_b64_decoder_final(&d, &total, &err), FHX_E_BASE64);
    check_err(&err, FHX_E_BASE64, 5, msg_len);
    REQ_UINT_EQ(total, 3);

    /* a padded quantum ends the data, however the pieces fall */
    fhx_b64_decoder_init(&d);
    REQ_INT_EQ(
        fhx_b64_decoder_update(&d, "Zg==", 4, out, sizeof out, &dl, &err),
        FHX_OK);
    REQ_UINT_EQ(dl, 1);
    REQ_INT_EQ(fhx_b64_decoder_update(&d, "", 0, out, sizeof out, &dl, &err),
               FHX_OK);
    REQ_INT_EQ(fhx_b64_decoder_update(&d, "Z", 1, out, sizeof out, &dl, &err),
               FHX_E_BASE64);
    check_err(&err, FHX_E_BASE64, 2, msg_pad);

    /* empty stream */
    fhx_b64_decoder_init(&d);
    REQ_INT_EQ(fhx_b64_decoder_final(&d, &total, &err), FHX_OK);
    REQ_UINT_EQ(total, 0);
}
END_TEST

/* FHX_E_OUTPUT from update consumes nothing; the decoder goes on. */
START_TEST(test_stream_output_bound) {
    static const char txt[] = "Zm9vYmFyZm9vYmE=";
    size_t len = strlen(txt), piece;
    for (piece = 0; piece <= len; piece++) {
        fhx_b64_decoder d;
        fhx_error err;
        size_t need = FHX_B64_DECODED_MAX(piece + 3), dl = 5, total = 0;
        uint8_t *small = need > 1 ? xmalloc(need - 1) : NULL;
        uint8_t *big = xmalloc(need);
        uint8_t all[16];
        size_t got = 0;
        fhx_b64_decoder_init(&d);
        if (small) memset(small, 0xEE, need - 1);
        REQ_INT_EQ(
            fhx_b64_decoder_update(&d, txt, piece, small, need - 1, &dl, &err),
            FHX_E_OUTPUT);
        check_err(&err, FHX_E_OUTPUT, 0, NULL);
        REQ_UINT_EQ(dl, 0);
        if (small) {
            size_t j;
            for (j = 0; j + 1 < need; j++)
                REQ_UINT_EQ(small[j], 0xEE);
        }
        REQ_INT_EQ(
            fhx_b64_decoder_update(&d, txt, piece, big, need, &dl, &err),
            FHX_OK);
        memcpy(all, big, dl);
        got = dl;
        free(big);
        big = xmalloc(FHX_B64_DECODED_MAX(len - piece + 3));
        REQ_INT_EQ(fhx_b64_decoder_update(&d, txt + piece, len - piece, big,
                                          FHX_B64_DECODED_MAX(len - piece + 3),
                                          &dl, &err),
                   FHX_OK);
        memcpy(all + got, big, dl);
        got += dl;
        REQ_INT_EQ(fhx_b64_decoder_final(&d, &total, &err), FHX_OK);
        REQ_UINT_EQ(total, 11);
        REQ_UINT_EQ(got, 11);
        REQ_MEM_EQ(all, "foobarfooba", 11);
        free(big);
        free(small);
    }
}
END_TEST

/* Streaming encoder: every split equals the one-shot encoding. */
static void check_encoder_split(const uint8_t *data, size_t n, size_t chunk,
                                const char *want, size_t want_len) {
    fhx_b64_encoder e;
    char *acc = xmalloc(want_len + 8);
    size_t pos = 0, alen = 0, dl;
    fhx_b64_encoder_init(&e);
    while (pos < n || (pos == 0 && n == 0)) {
        size_t k = chunk ? chunk : rng_below(9), cap;
        uint8_t *piece;
        char *dst;
        if (k > n - pos) k = n - pos;
        cap = FHX_B64_ENCODED_LEN(k + 2);
        piece = (uint8_t *)fhxt_dup(data + pos, k);
        dst = xmalloc(cap);
        dl = 999;
        REQ_INT_EQ(fhx_b64_encoder_update(&e, piece, k, dst, cap, &dl),
                   FHX_OK);
        REQ_UINT_LE(dl, cap);
        REQ_UINT_EQ(dl % 4, 0);
        memcpy(acc + alen, dst, dl);
        alen += dl;
        free(dst);
        free(piece);
        pos += k;
        if (n == 0) break;
    }
    {
        char *fin = xmalloc(4);
        dl = 999;
        REQ_INT_EQ(fhx_b64_encoder_final(&e, fin, 4, &dl), FHX_OK);
        REQ_UINT_LE(dl, 4);
        memcpy(acc + alen, fin, dl);
        alen += dl;
        /* final again: nothing left */
        REQ_INT_EQ(fhx_b64_encoder_final(&e, fin, 4, &dl), FHX_OK);
        REQ_UINT_EQ(dl, 0);
        free(fin);
    }
    REQ_UINT_EQ(alen, want_len);
    if (alen) REQ_MEM_EQ(acc, want, alen);
    free(acc);
}

START_TEST(test_stream_encoder) {
    size_t n;
    rng_seed(2024);
    for (n = 0; n <= 64; n++) {
        uint8_t data[64] = {0};
        size_t elen, chunk;
        char *enc;
        int k;
        rng_fill(data, n);
        enc = encode_exact(data, n, &elen);
        for (chunk = 1; chunk <= n + 1; chunk++)
            check_encoder_split(data, n, chunk, enc, elen);
        for (k = 0; k < 20; k++)
            check_encoder_split(data, n, 0, enc, elen);
        free(enc);
    }
}
END_TEST

START_TEST(test_stream_encoder_output) {
    fhx_b64_encoder e;
    uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    char *dst;
    size_t n, dl;
    for (n = 0; n <= sizeof data; n++) {
        size_t need = FHX_B64_ENCODED_LEN(n + 2);
        fhx_b64_encoder_init(&e);
        dst = xmalloc(need - 1);
        memset(dst, '#', need - 1);
        dl = 9;
        REQ_INT_EQ(fhx_b64_encoder_update(&e, data, n, dst, need - 1, &dl),
                   FHX_E_OUTPUT);
        REQ_UINT_EQ(dl, 0);
        for (dl = 0; dl + 1 < need; dl++)
            REQ_INT_EQ(dst[dl], '#');
        free(dst);
        /* nothing consumed: the whole input still comes out */
        dst = xmalloc(need + 4);
        REQ_INT_EQ(fhx_b64_encoder_update(&e, data, n, dst, need, &dl),
                   FHX_OK);
        {
            size_t fl = 0, want_len;
            char *want = encode_exact(data, n, &want_len);
            REQ_INT_EQ(fhx_b64_encoder_final(&e, dst + dl, 4, &fl), FHX_OK);
            REQ_UINT_EQ(dl + fl, want_len);
            if (want_len) REQ_MEM_EQ(dst, want, want_len);
            free(want);
        }
        free(dst);
    }
    /* final needs 4 bytes even when nothing is pending */
    fhx_b64_encoder_init(&e);
    dst = xmalloc(3);
    REQ_INT_EQ(fhx_b64_encoder_final(&e, dst, 3, &dl), FHX_E_OUTPUT);
    REQ_INT_EQ(fhx_b64_encoder_update(&e, data, 1, NULL, 0, &dl),
               FHX_E_OUTPUT);
    free(dst);
    /* a piece no buffer could hold; rejected before src is read */
    REQ_INT_EQ(fhx_b64_encoder_update(&e, data, SIZE_MAX, NULL, 0, &dl),
               FHX_E_OUTPUT);
    dst = xmalloc(8);
    REQ_INT_EQ(
        fhx_b64_encoder_update(&e, data, SIZE_MAX - 1, dst, SIZE_MAX, &dl),
        FHX_E_OUTPUT);
    free(dst);
}
END_TEST

/* ==== in-place ======================================================== */

START_TEST(test_inplace) {
    size_t n;
    rng_seed(555);
    for (n = 0; n <= 400; n++) {
        uint8_t data[400] = {0};
        size_t elen, out = 999;
        char *enc;
        char *buf;
        fhx_error err;
        rng_fill(data, n);
        enc = encode_exact(data, n, &elen);
        buf = fhxt_dup(enc, elen);
        REQ_INT_EQ(fhx_b64_decode_inplace(buf, elen, &out, &err), FHX_OK);
        REQ_UINT_EQ(out, n);
        if (n) REQ_MEM_EQ(buf, data, n);
        REQ_INT_EQ(err.code, FHX_OK);
        free(buf);
        /* decode with dst == src through the general call */
        buf = fhxt_dup(enc, elen);
        REQ_INT_EQ(fhx_b64_decode(buf, elen, (uint8_t *)buf, elen, &out, &err),
                   FHX_OK);
        REQ_UINT_EQ(out, n);
        if (n) REQ_MEM_EQ(buf, data, n);
        free(buf);
        free(enc);
    }
}
END_TEST

/* ==== sizes =========================================================== */

START_TEST(test_sizes_small) {
    size_t n;
    for (n = 0; n <= 3000; n++) {
        size_t e = FHX_B64_ENCODED_LEN(n), d = FHX_B64_DECODED_MAX(n);
        REQ_UINT_EQ(e, ((n + 2) / 3) * 4);
        REQ_UINT_EQ(fhx_b64_encoded_len(n), e);
        REQ_UINT_EQ(d, (3 * n) / 4);
        REQ_UINT_EQ(fhx_b64_decoded_max(n), d);
        /* the decoded bound covers every input the encoder can make */
        REQ_UINT_GE(FHX_B64_DECODED_MAX(e), n);
        REQ_UINT_LT(FHX_B64_DECODED_MAX(e), n + 3);
    }
    /* (a literal 0 makes gcc's -Wtype-limits fire inside the macro) */
    n = 0;
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(n), 0);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(1), 4);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(3), 4);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(4), 8);
}
END_TEST

START_TEST(test_sizes_overflow) {
    const size_t max = FHX_B64_ENCODE_MAX_INPUT;
    size_t probes[] = {max - 3,      max - 2, max - 1,      max,
                       max + 1,      max + 2, SIZE_MAX / 2, SIZE_MAX - 3,
                       SIZE_MAX - 1, SIZE_MAX};
    size_t i;
    uint8_t one = 0;
    char out[8];
    size_t dl = 5;

    REQ_UINT_NE(FHX_B64_ENCODED_LEN(max), 0);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(max), SIZE_MAX - 3);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(max - 1), SIZE_MAX - 3);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(max + 1), 0);
    REQ_UINT_EQ(FHX_B64_ENCODED_LEN(SIZE_MAX), 0);
    REQ_UINT_EQ(fhx_b64_encoded_len(max), SIZE_MAX - 3);
    REQ_UINT_EQ(fhx_b64_encoded_len(max + 1), 0);
    REQ_UINT_EQ(FHX_B64_DECODED_MAX(SIZE_MAX), (SIZE_MAX / 4) * 3 + 2);
    REQ_UINT_EQ(fhx_b64_decoded_max(SIZE_MAX), FHX_B64_DECODED_MAX(SIZE_MAX));
    for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        size_t n = probes[i];
        REQ_UINT_EQ(fhx_b64_encoded_len(n), FHX_B64_ENCODED_LEN(n));
        REQ_UINT_EQ(fhx_b64_decoded_max(n), FHX_B64_DECODED_MAX(n));
        if (n <= max) {
            /* exact: 4 * ceil(n / 3), computed without overflow */
            REQ_UINT_EQ(FHX_B64_ENCODED_LEN(n) / 4, n / 3 + (n % 3 != 0));
        } else {
            REQ_UINT_EQ(FHX_B64_ENCODED_LEN(n), 0);
        }
        REQ_UINT_LE(FHX_B64_DECODED_MAX(n), n);
    }
    /* encode refuses what cannot be encoded, before reading src */
    REQ_INT_EQ(fhx_b64_encode(&one, max + 1, out, sizeof out, &dl),
               FHX_E_LIMIT);
    REQ_UINT_EQ(dl, 0);
    REQ_INT_EQ(fhx_b64_encode(&one, max, out, sizeof out, &dl), FHX_E_OUTPUT);
}
END_TEST

/* ==== output buffer too small ========================================= */

START_TEST(test_encode_output_small) {
    size_t n;
    uint8_t data[40] = {0};
    rng_seed(8);
    rng_fill(data, sizeof data);
    for (n = 0; n <= sizeof data; n++) {
        size_t need = FHX_B64_ENCODED_LEN(n), cap;
        for (cap = 0; cap < need; cap++) {
            char *dst = cap ? xmalloc(cap) : NULL;
            size_t dl = 77, j;
            if (dst) memset(dst, '#', cap);
            REQ_INT_EQ(fhx_b64_encode(data, n, dst, cap, &dl), FHX_E_OUTPUT);
            REQ_UINT_EQ(dl, 0);
            for (j = 0; j < cap; j++)
                REQ_INT_EQ(dst[j], '#');
            free(dst);
        }
    }
}
END_TEST

START_TEST(test_decode_output_small) {
    size_t n;
    uint8_t data[40] = {0};
    rng_seed(9);
    rng_fill(data, sizeof data);
    for (n = 1; n <= sizeof data; n++) {
        size_t elen, cap;
        char *enc = encode_exact(data, n, &elen);
        for (cap = 0; cap <= n; cap++) {
            uint8_t *dst = cap ? xmalloc(cap) : NULL;
            size_t dl = 77, j, fit = (cap / 3) * 3;
            fhx_error err;
            int rc;
            if (dst) memset(dst, 0xEE, cap);
            rc = fhx_b64_decode(enc, elen, dst, cap, &dl, &err);
            if (cap == n) {
                REQ_INT_EQ(rc, FHX_OK);
                REQ_UINT_EQ(dl, n);
                REQ_MEM_EQ(dst, data, n);
            } else {
                REQ_INT_EQ(rc, FHX_E_OUTPUT);
                /* whole quanta that fit are written, nothing else */
                REQ_UINT_EQ(dl, fit);
                check_err(&err, FHX_E_OUTPUT, (fit / 3) * 4, NULL);
                if (fit) REQ_MEM_EQ(dst, data, fit);
                for (j = fit; j < cap; j++)
                    REQ_UINT_EQ(dst[j], 0xEE);
            }
            free(dst);
        }
        free(enc);
    }
}
END_TEST

/* Left to right: an output error before a later base64 error wins, and a
 * bad quantum is reported as such even when it would not fit. */
START_TEST(test_decode_output_order) {
    uint8_t *dst = xmalloc(3);
    size_t dl = 0;
    fhx_error err;
    REQ_INT_EQ(fhx_b64_decode("Zm9vZm9v!", 9, dst, 3, &dl, &err),
               FHX_E_OUTPUT);
    check_err(&err, FHX_E_OUTPUT, 4, NULL);
    REQ_UINT_EQ(dl, 3);
    REQ_INT_EQ(fhx_b64_decode("Zm9v!m9v", 8, dst, 3, &dl, &err), FHX_E_BASE64);
    check_err(&err, FHX_E_BASE64, 4, msg_char);
    REQ_INT_EQ(fhx_b64_decode("Zg==", 4, NULL, 0, &dl, &err), FHX_E_OUTPUT);
    check_err(&err, FHX_E_OUTPUT, 0, NULL);
    REQ_INT_EQ(fhx_b64_decode("Zm9vZg==", 8, dst, 3, &dl, &err), FHX_E_OUTPUT);
    REQ_UINT_EQ(err.offset, 4);
    free(dst);
    /* a padded last quantum needs only its own bytes */
    dst = xmalloc(4);
    REQ_INT_EQ(fhx_b64_decode("Zm9vZg==", 8, dst, 4, &dl, &err), FHX_OK);
    REQ_UINT_EQ(dl, 4);
    REQ_MEM_EQ(dst, "foof", 4);
    free(dst);
}
END_TEST

/* ==== every byte value ================================================ */

START_TEST(test_all_bytes) {
    uint8_t all[256];
    size_t i, elen, rlen;
    char *enc, ref[344];
    result r;
    for (i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    enc = encode_exact(all, 256, &elen);
    rlen = ref_encode(all, 256, ref);
    REQ_UINT_EQ(elen, 344);
    REQ_UINT_EQ(rlen, 344);
    REQ_MEM_EQ(enc, ref, 344);
    r = oneshot(enc, elen);
    REQ_INT_EQ(r.rc, FHX_OK);
    REQ_UINT_EQ(r.out_len, 256);
    REQ_MEM_EQ(r.out, all, 256);
    result_free(&r);
    free(enc);
    /* each byte alone, and in each position of a group */
    for (i = 0; i < 256; i++) {
        uint8_t g[3] = {0x5A, 0xA5, 0x3C};
        size_t pos, k;
        for (k = 1; k <= 3; k++) {
            for (pos = 0; pos < k; pos++) {
                char want[4];
                g[pos] = (uint8_t)i;
                enc = encode_exact(g, k, &elen);
                REQ_UINT_EQ(ref_encode(g, k, want), 4);
                REQ_UINT_EQ(elen, 4);
                REQ_MEM_EQ(enc, want, 4);
                r = oneshot(enc, 4);
                REQ_INT_EQ(r.rc, FHX_OK);
                REQ_UINT_EQ(r.out_len, k);
                REQ_MEM_EQ(r.out, g, k);
                result_free(&r);
                free(enc);
            }
        }
    }
}
END_TEST

/* ==== all lengths at every alignment ================================== */

START_TEST(test_lengths_offsets) {
    uint8_t data[300] = {0};
    size_t len, off;
    rng_seed(0xC0FFEEu);
    rng_fill(data, sizeof data);
    for (len = 0; len <= 300; len++) {
        size_t need = FHX_B64_ENCODED_LEN(len);
        char *ref = xmalloc(need);
        REQ_UINT_EQ(ref_encode(data, len, ref), need);
        for (off = 0; off < 16; off++) {
            /* input: exact-size heap block, data starting at off */
            uint8_t *in = xmalloc(off + len);
            char *out = xmalloc(off + need), *txt;
            uint8_t *dec = xmalloc(off + len);
            size_t dl = 0, vl = 0;
            fhx_error err;
            memcpy(in + off, data, len);
            REQ_INT_EQ(fhx_b64_encode(in + off, len, out + off, need, &dl),
                       FHX_OK);
            REQ_UINT_EQ(dl, need);
            if (need) REQ_MEM_EQ(out + off, ref, need);
            /* decode from an exact-size block at offset off */
            txt = xmalloc(off + need);
            memcpy(txt + off, ref, need);
            REQ_INT_EQ(
                fhx_b64_decode(txt + off, need, dec + off, len, &dl, &err),
                FHX_OK);
            REQ_UINT_EQ(dl, len);
            if (len) REQ_MEM_EQ(dec + off, data, len);
            REQ_INT_EQ(fhx_b64_validate(txt + off, need, &vl, &err), FHX_OK);
            REQ_UINT_EQ(vl, len);
            REQ_INT_EQ(fhx_b64_decode_inplace(txt + off, need, &dl, &err),
                       FHX_OK);
            REQ_UINT_EQ(dl, len);
            if (len) REQ_MEM_EQ(txt + off, data, len);
            free(txt);
            free(dec);
            free(out);
            free(in);
        }
        free(ref);
    }
}
END_TEST

/* ==== isa ============================================================= */

/* The automatic choice: the best kernel this build and CPU support. */
static fhx_isa best_supported(void) {
    static const fhx_isa pref[] = {FHX_ISA_AVX512, FHX_ISA_AVX2,
                                   FHX_ISA_NEON, FHX_ISA_SCALAR};
    size_t i;
    for (i = 0; i < sizeof pref / sizeof pref[0]; i++)
        if (fhx_isa_supported(pref[i])) return pref[i];
    return FHX_ISA_SCALAR;
}

START_TEST(test_isa_basics) {
    const char *env = getenv("FHX_ISA");
    unsigned i;
    if (!env || !*env) REQ_INT_EQ(fhx_isa_active(), best_supported());
    REQ_INT_EQ(fhx_isa_supported(fhx_isa_active()), 1);
    REQ_INT_EQ(fhx_isa_supported(FHX_ISA_SCALAR), 1);
    for (i = 0; i < FHX_ISA_COUNT; i++) {
        int s = fhx_isa_supported((fhx_isa)i);
        REQ_MSG(s == 0 || s == 1, "fhx_isa_supported is 0 or 1");
    }
#if !defined(__x86_64__) && !defined(__amd64__)
    REQ_INT_EQ(fhx_isa_supported(FHX_ISA_AVX2), 0);
    REQ_INT_EQ(fhx_isa_supported(FHX_ISA_AVX512), 0);
#endif
#if !defined(__aarch64__)
    REQ_INT_EQ(fhx_isa_supported(FHX_ISA_NEON), 0);
#endif
    REQ_INT_EQ(fhx_isa_supported((fhx_isa)FHX_ISA_COUNT), 0);
    REQ_INT_EQ(fhx_isa_supported((fhx_isa)99), 0);
    REQ_INT_EQ(fhx_isa_supported((fhx_isa)-1), 0);
    REQ_STR_EQ(fhx_isa_name(FHX_ISA_SCALAR), "scalar");
    REQ_STR_EQ(fhx_isa_name(FHX_ISA_AVX2), "avx2");
    REQ_STR_EQ(fhx_isa_name(FHX_ISA_AVX512), "avx512");
    REQ_STR_EQ(fhx_isa_name(FHX_ISA_NEON), "neon");
    REQ_STR_EQ(fhx_isa_name((fhx_isa)FHX_ISA_COUNT), "unknown");
    REQ_STR_EQ(fhx_isa_name((fhx_isa)-1), "unknown");
}
END_TEST

START_TEST(test_isa_force) {
    int i;
    REQ_INT_EQ(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
    REQ_INT_EQ(fhx_isa_active(), FHX_ISA_SCALAR);
    for (i = 0; i < FHX_ISA_COUNT + 2; i++) {
        fhx_isa isa = (fhx_isa)i;
        if (fhx_isa_supported(isa)) {
            REQ_INT_EQ(fhx_isa_force(isa), FHX_OK);
            REQ_INT_EQ(fhx_isa_active(), isa);
        } else {
            fhx_isa before = fhx_isa_active();
            REQ_INT_EQ(fhx_isa_force(isa), FHX_E_ARG);
            REQ_INT_EQ(fhx_isa_active(), before);
        }
    }
    REQ_INT_EQ(fhx_isa_force((fhx_isa)-1), FHX_E_ARG);
    REQ_INT_EQ(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
    REQ_INT_EQ(fhx_isa_active(), FHX_ISA_SCALAR);
}
END_TEST

/* Every supported kernel gives identical output and errors. */
START_TEST(test_isa_kernels_agree) {
    int i;
    uint8_t data[200] = {0};
    size_t elen;
    char *enc;
    rng_seed(3);
    rng_fill(data, sizeof data);
    enc = encode_exact(data, sizeof data, &elen);
    for (i = 0; i < FHX_ISA_COUNT; i++) {
        size_t len2;
        char *enc2;
        result r;
        if (!fhx_isa_supported((fhx_isa)i)) continue;
        REQ_INT_EQ(fhx_isa_force((fhx_isa)i), FHX_OK);
        enc2 = encode_exact(data, sizeof data, &len2);
        REQ_UINT_EQ(len2, elen);
        REQ_MEM_EQ(enc2, enc, elen);
        enc2[150] = '~';
        r = oneshot(enc2, len2);
        REQ_INT_EQ(r.rc, FHX_E_BASE64);
        REQ_UINT_EQ(r.offset, 150);
        result_free(&r);
        free(enc2);
    }
    REQ_INT_EQ(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
    free(enc);
}
END_TEST

#if HAVE_REEXEC
static char self_path[4096];
static char probe_arg[] = "--isa-probe";

/* Run this binary in --isa-probe mode with FHX_ISA set to value (unset
 * when NULL) and return the kernel it chose, or -1. */
/* The supported-kernel mask the last probe reported (bit i: fhx_isa i). */
static int probe_mask;

/* The child's automatic choice, from its mask. */
static int child_best(void) {
    static const fhx_isa pref[] = {FHX_ISA_AVX512, FHX_ISA_AVX2,
                                   FHX_ISA_NEON, FHX_ISA_SCALAR};
    size_t i;
    for (i = 0; i < sizeof pref / sizeof pref[0]; i++)
        if (probe_mask & (1 << pref[i])) return (int)pref[i];
    return FHX_ISA_SCALAR;
}

/* What FHX_ISA=name resolves to in the child. */
static int child_choice(fhx_isa named) {
    return (probe_mask & (1 << named)) ? (int)named : child_best();
}

static int probe_isa(const char *value) {
    char envbuf[128];
    char *envp[2] = {NULL, NULL};
    char *argv[3];
    pid_t pid;
    int status = 0;
    if (value) {
        snprintf(envbuf, sizeof envbuf, "FHX_ISA=%s", value);
        envp[0] = envbuf;
    }
    argv[0] = self_path;
    argv[1] = probe_arg;
    argv[2] = NULL;
    pid = fork();
    REQ_INT_GE(pid, 0);
    if (pid == 0) {
        execve(self_path, argv, envp);
        _exit(127);
    }
    REQ_INT_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status)) return -1;
    status = WEXITSTATUS(status);
    if (status < 10 || status >= 10 + 4 * 16) return -1;
    probe_mask = (status - 10) / 4;
    return (status - 10) % 4;
}
#endif

/* FHX_ISA at first use: a supported name is taken, anything else falls
 * back to the best supported kernel, without crashing. */
START_TEST(test_isa_env) {
#if HAVE_REEXEC
    int got;
    REQ_MSG(self_path[0] != '\0', "/proc/self/exe unreadable");
    got = probe_isa(NULL);
    REQ_INT_EQ(got, child_best());
    REQ_INT_EQ(probe_mask & 1, 1); /* scalar, always */
    REQ_INT_EQ(probe_isa("scalar"), FHX_ISA_SCALAR);
    REQ_INT_EQ(probe_isa("SCALAR"), FHX_ISA_SCALAR);
    got = probe_isa("avx2");
    REQ_INT_EQ(got, child_choice(FHX_ISA_AVX2));
    got = probe_isa("AVX512");
    REQ_INT_EQ(got, child_choice(FHX_ISA_AVX512));
    got = probe_isa("neon");
    REQ_INT_EQ(got, child_choice(FHX_ISA_NEON));
    got = probe_isa("bogus");
    REQ_INT_EQ(got, child_best());
    got = probe_isa("");
    REQ_INT_EQ(got, child_best());
    got = probe_isa("scalar ");
    REQ_INT_EQ(got, child_best());
#endif
}
END_TEST

/* The --isa-probe mode: use the library first, then report the kernel.
 * Exit 10 + kernel, or 2 when base64 misbehaves. */
static int isa_probe(void) {
    char out[8];
    uint8_t back[4];
    size_t dl = 0, bl = 0;
    fhx_error err;
    if (fhx_b64_encode((const uint8_t *)"foo", 3, out, sizeof out, &dl) !=
            FHX_OK ||
        dl != 4 || memcmp(out, "Zm9v", 4) != 0)
        return 2;
    if (fhx_b64_decode(out, dl, back, sizeof back, &bl, &err) != FHX_OK ||
        bl != 3 || memcmp(back, "foo", 3) != 0)
        return 2;
    {
        /* the kernel chosen, and which kernels this process supports (a
         * child of a valgrind run is not under valgrind, which hides
         * AVX-512: the parent's view of the CPU may differ) */
        int mask = 0;
        unsigned i;
        for (i = 0; i < FHX_ISA_COUNT; i++)
            if (fhx_isa_supported((fhx_isa)i)) mask |= 1 << i;
        return 10 + (int)fhx_isa_active() + 4 * mask;
    }
}

/* ==== oracle: libb64 ================================================== */

/* libb64's encoding of n bytes (with its line breaks); heap, *len set. */
static char *libb64_encode(const uint8_t *src, size_t n, size_t *len) {
    base64_encodestate st;
    size_t cap = n * 2 + 16;
    char *out = xmalloc(cap);
    int a, b;
    base64_init_encodestate(&st);
    a = base64_encode_block((const char *)src, (int)n, out, &st);
    b = base64_encode_blockend(out + a, &st);
    REQ_INT_GE(a, 0);
    REQ_INT_GE(b, 0);
    *len = (size_t)a + (size_t)b;
    REQ_UINT_LE(*len, cap);
    return out;
}

static size_t libb64_decode(const char *src, size_t n, uint8_t *out) {
    base64_decodestate st;
    int r;
    base64_init_decodestate(&st);
    r = base64_decode_block(src, (int)n, (char *)out, &st);
    REQ_INT_GE(r, 0);
    return (size_t)r;
}

/* Remove '\n'; returns the new length. */
static size_t strip_newlines(char *s, size_t n) {
    size_t i, o = 0;
    for (i = 0; i < n; i++)
        if (s[i] != '\n') s[o++] = s[i];
    return o;
}

/* What libb64 1.2 actually does: a newline after every 72 characters
 * (CHARS_PER_LINE) and one after the padding, even for empty input. */
START_TEST(test_oracle_libb64_format) {
    uint8_t data[200] = {0};
    size_t len, i;
    char *lb;
    rng_seed(11);
    rng_fill(data, sizeof data);
    lb = libb64_encode(data, sizeof data, &len);
    REQ_UINT_EQ(len, 268 + 4);
    for (i = 0; i < len; i++)
        if (lb[i] == '\n')
            REQ_MSG(i == 72 || i == 145 || i == 218 || i == len - 1,
                    "newline at %zu", i);
    REQ_INT_EQ(lb[72], '\n');
    REQ_INT_EQ(lb[145], '\n');
    REQ_INT_EQ(lb[218], '\n');
    REQ_INT_EQ(lb[len - 1], '\n');
    free(lb);
    lb = libb64_encode(data, 0, &len);
    REQ_UINT_EQ(len, 1);
    REQ_INT_EQ(lb[0], '\n');
    free(lb);
}
END_TEST

START_TEST(test_oracle_encode) {
    int iter;
    rng_seed(1001);
    for (iter = 0; iter < 600; iter++) {
        size_t n = iter < 200 ? (size_t)iter : rng_below(5000);
        uint8_t *data = xmalloc(n);
        size_t elen, llen;
        char *ours, *theirs;
        rng_fill(data, n);
        ours = encode_exact(data, n, &elen);
        theirs = libb64_encode(data, n, &llen);
        llen = strip_newlines(theirs, llen);
        REQ_UINT_EQ(elen, llen);
        if (elen) REQ_MEM_EQ(ours, theirs, elen);
        free(theirs);
        free(ours);
        free(data);
    }
}
END_TEST

START_TEST(test_oracle_decode) {
    int iter;
    rng_seed(2002);
    for (iter = 0; iter < 600; iter++) {
        size_t n = iter < 200 ? (size_t)iter : rng_below(5000);
        uint8_t *data = xmalloc(n);
        size_t elen, lb_len;
        char *enc;
        uint8_t *lb_out;
        result r;
        rng_fill(data, n);
        enc = encode_exact(data, n, &elen);
        r = oneshot(enc, elen);
        REQ_INT_EQ(r.rc, FHX_OK); /* accepted by the strict decoder */
        lb_out = xmalloc(elen);
        lb_len = libb64_decode(enc, elen, lb_out);
        REQ_UINT_EQ(lb_len, r.out_len);
        if (lb_len) REQ_MEM_EQ(lb_out, r.out, lb_len);
        REQ_UINT_EQ(r.out_len, n);
        if (n) REQ_MEM_EQ(r.out, data, n);
        free(lb_out);
        result_free(&r);
        free(enc);
        free(data);
    }
}
END_TEST

/* Why libb64 is only an oracle: it skips whatever is not in the alphabet
 * and has no error channel, so garbage decodes "successfully". */
START_TEST(test_oracle_libb64_lenient) {
    static const struct {
        const char *in;
        const char *lb_out; /* what libb64 makes of it */
        size_t lb_len;
    } g[] = {
        {"Zm9v Zm9v", "foofoo", 6}, /* whitespace skipped */
        {"Zm9v\nZm9v", "foofoo", 6},
        {"Zm9v!!!!", "foo", 3}, /* junk skipped */
        {"-_-_", "", 0},        /* URL-safe alphabet ignored */
        {"QR==", "A", 1},       /* non-zero trailing bits dropped */
        /* '=' is skipped like junk: the data after it is misaligned */
        {"Zg==Zm9v", "f\006f\366", 4},
        {"Zm9", "fo", 2}, /* truncated input */
    };
    size_t i;
    for (i = 0; i < sizeof g / sizeof g[0]; i++) {
        size_t n = strlen(g[i].in), got;
        uint8_t buf[32];
        result r = oneshot(g[i].in, n);
        REQ_MSG(r.rc == FHX_E_BASE64, "'%s' accepted", g[i].in);
        got = libb64_decode(g[i].in, n, buf);
        REQ_MSG(got == g[i].lb_len, "libb64 '%s': %zu bytes", g[i].in, got);
        if (got) REQ_MEM_EQ(buf, g[i].lb_out, got);
        result_free(&r);
    }
}
END_TEST

/* ==== suite =========================================================== */

static Suite *b64_suite(void) {
    Suite *s = suite_create("b64");
    TCase *tc;

    tc = tcase_create("vectors");
    ADD_TEST(tc, test_rfc_encode);
    ADD_TEST(tc, test_rfc_decode);
    ADD_TEST(tc, test_extra_vectors);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    ADD_TEST(tc, test_error_table);
    ADD_TEST(tc, test_every_byte_in_quantum);
    ADD_TEST(tc, test_trailing_bits);
    ADD_TEST(tc, test_error_positions_long);
    ADD_TEST(tc, test_null_arguments);
    ADD_TEST(tc, test_uninitialised_state);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("model");
    ADD_TEST(tc, test_model_exhaustive);
    ADD_TEST(tc, test_model_random);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);

    tc = tcase_create("streaming");
    ADD_TEST(tc, test_stream_valid);
    ADD_TEST(tc, test_stream_errors);
    ADD_TEST(tc, test_stream_long);
    ADD_TEST(tc, test_stream_error_timing);
    ADD_TEST(tc, test_stream_output_bound);
    ADD_TEST(tc, test_stream_encoder);
    ADD_TEST(tc, test_stream_encoder_output);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);

    tc = tcase_create("inplace");
    ADD_TEST(tc, test_inplace);
    suite_add_tcase(s, tc);

    tc = tcase_create("sizes");
    ADD_TEST(tc, test_sizes_small);
    ADD_TEST(tc, test_sizes_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    ADD_TEST(tc, test_encode_output_small);
    ADD_TEST(tc, test_decode_output_small);
    ADD_TEST(tc, test_decode_output_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("bytes");
    ADD_TEST(tc, test_all_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("lengths");
    ADD_TEST(tc, test_lengths_offsets);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("isa");
    ADD_TEST(tc, test_isa_basics);
    ADD_TEST(tc, test_isa_force);
    ADD_TEST(tc, test_isa_kernels_agree);
    ADD_TEST(tc, test_isa_env);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("oracle");
    ADD_TEST(tc, test_oracle_libb64_format);
    ADD_TEST(tc, test_oracle_encode);
    ADD_TEST(tc, test_oracle_decode);
    ADD_TEST(tc, test_oracle_libb64_lenient);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    return s;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--isa-probe") == 0) return isa_probe();
#if HAVE_REEXEC
    {
        ssize_t n =
            readlink("/proc/self/exe", self_path, sizeof self_path - 1);
        self_path[n > 0 ? (size_t)n : 0] = '\0';
    }
#endif
    return fhxt_run_suite(b64_suite());
}
