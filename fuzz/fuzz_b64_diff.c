/*
 * Fuzz harness: differential base64, every kernel against the scalar one
 * and against independent references, and libb64 as an outside oracle.
 *
 * Input: FHXF_HEADER parameter bytes (chunk split, alignment shift), then
 * bytes used as base64 text and as binary data.
 *
 * For every kernel compiled in and supported by the CPU (fhx_isa_supported;
 * kernels added later are picked up by the loop in fhxf_each_isa):
 *   - the public API (validate, decode, in place, streaming, encode,
 *     streaming encode), with the input right before a guard page, right
 *     after one, and shifted by 0..63 bytes, gives the same results, error
 *     codes, offsets, messages and bytes as under the scalar kernel;
 *   - the kernel's own loops (encode_groups, decode_quanta in and out of
 *     place, validate_quanta, scan_string) on guarded buffers of exactly
 *     the size they may touch agree with a bytewise reference model.
 * On text the strict decoder accepts, libb64 must decode the same bytes,
 * and libb64's encoding of them, without its line breaks, must be the text.
 */
#include <stdlib.h>
#include <string.h>

#include <b64/cdecode.h>
#include <b64/cencode.h>

#include "fuzz_util.h"
#include "harnesses.h"
#include "kernel.h"

/* ---- reference model (nothing shared with the library) ----------------- */

static int ref_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static const char ref_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Leading quanta made only of alphabet characters. */
static size_t ref_quanta(const char *s, size_t nq) {
    size_t i, j;
    for (i = 0; i < nq; i++)
        for (j = 0; j < 4; j++)
            if (ref_value((unsigned char)s[4 * i + j]) < 0) return i;
    return nq;
}

static size_t ref_scan(const char *p, size_t len, int utf8) {
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\' || c < 0x20 || (utf8 && c >= 0x80)) break;
    }
    return i;
}

/* ---- the public API under the active kernel, as a digest ---------------- */

static void put_call(fhx_buf *d, int rc, const fhx_error *e, const void *out,
                     size_t len) {
    fhxf_put_u64(d, (uint64_t)(int64_t)rc);
    fhxf_put_error(d, e);
    fhxf_put_bytes(d, out, len);
}

/* Decode-side calls on text at src (n bytes, writable for in place). */
static void api_text(fhx_buf *d, char *src, size_t n, uint32_t param) {
    size_t cap = FHX_B64_DECODED_MAX(n), len = 0, pos = 0, k;
    fhxf_guard out;
    fhx_error e;
    fhx_b64_decoder st;
    fhxf_splitter sp;
    int rc;

    rc = fhx_b64_validate(src, n, &len, &e);
    put_call(d, rc, &e, NULL, 0);
    fhxf_put_u64(d, rc == FHX_OK ? len : 0);

    fhxf_guard_copy(&out, NULL, cap, FHXF_GUARD_AFTER);
    rc = fhx_b64_decode(src, n, out.ptr, cap, &len, &e);
    put_call(d, rc, &e, out.ptr, len);
    if (cap) { /* too small by one */
        rc = fhx_b64_decode(src, n, out.ptr, cap - 1, &len, &e);
        put_call(d, rc, &e, out.ptr, len);
    }

    fhxf_guard_free(&out);

    /* streaming (each call may need room for 3 carried characters) */
    cap = FHX_B64_DECODED_MAX(n + 3);
    fhxf_guard_copy(&out, NULL, cap, FHXF_GUARD_AFTER);
    fhx_b64_decoder_init(&st);
    fhxf_split_init(&sp, param);
    rc = FHX_OK;
    while (pos < n && rc == FHX_OK) {
        k = fhxf_split_next(&sp, n - pos);
        rc = fhx_b64_decoder_update(&st, src + pos, k, out.ptr, cap, &len, &e);
        put_call(d, rc, &e, out.ptr, len);
        pos += k;
    }
    rc = fhx_b64_decoder_final(&st, &len, &e);
    put_call(d, rc, &e, NULL, 0);
    fhxf_guard_free(&out);

    /* in place, last: it overwrites src */
    rc = fhx_b64_decode_inplace(src, n, &len, &e);
    put_call(d, rc, &e, rc == FHX_OK ? src : NULL, rc == FHX_OK ? len : 0);
}

/* Encode-side calls on bytes at src. */
static void api_bytes(fhx_buf *d, const uint8_t *src, size_t n,
                      uint32_t param) {
    size_t need = FHX_B64_ENCODED_LEN(n), len = 0, pos = 0, k;
    fhxf_guard out;
    fhx_b64_encoder st;
    fhxf_splitter sp;
    fhx_error none;
    int rc;

    memset(&none, 0, sizeof none);
    fhxf_guard_copy(&out, NULL, need + 4, FHXF_GUARD_AFTER);
    rc = fhx_b64_encode(src, n, (char *)out.ptr, need, &len);
    put_call(d, rc, &none, out.ptr, len);

    fhx_b64_encoder_init(&st);
    fhxf_split_init(&sp, param);
    while (pos < n) {
        k = fhxf_split_next(&sp, n - pos);
        rc = fhx_b64_encoder_update(&st, src + pos, k, (char *)out.ptr,
                                    need + 4, &len);
        put_call(d, rc, &none, out.ptr, len);
        pos += k;
    }
    rc = fhx_b64_encoder_final(&st, (char *)out.ptr, need + 4, &len);
    put_call(d, rc, &none, out.ptr, len);
    fhxf_guard_free(&out);
}

typedef struct diff_ctx {
    const uint8_t *data;
    size_t n;
    uint32_t param;
    size_t shift;
    fhx_buf scalar; /* the scalar kernel's digest */
} diff_ctx;

/* Everything under one kernel, on three placements of the input. */
static void api_all(diff_ctx *c, fhx_buf *d) {
    fhxf_guard g;
    int where;
    for (where = 0; where < 3; where++) {
        size_t shift = where == 2 ? c->shift : 0;
        uint8_t *p;
        fhxf_guard_copy(&g, NULL, c->n + shift,
                        where == 0 ? FHXF_GUARD_AFTER : FHXF_GUARD_BEFORE);
        p = g.ptr + shift;
        if (c->n) memcpy(p, c->data, c->n);
        api_bytes(d, p, c->n, c->param);
        api_text(d, (char *)p, c->n, c->param);
        fhxf_guard_free(&g);
    }
}

/* ---- the kernel's loops against the reference --------------------------- */

static void kernel_loops(const fhxi_kernel *k, const uint8_t *data, size_t n) {
    size_t nq = n / 4, ng = n / 3, i, r;
    fhxf_guard src, dst, ip;
    int utf8;

    /* decode_quanta and validate_quanta, source exactly nq quanta */
    fhxf_guard_copy(&src, data, nq * 4, FHXF_GUARD_AFTER);
    fhxf_guard_copy(&dst, NULL, nq * 3, FHXF_GUARD_AFTER);
    r = ref_quanta((const char *)src.ptr, nq);
    FHXF_CHECK_EQ(k->validate_quanta((const char *)src.ptr, nq), r);
    FHXF_CHECK_EQ(k->decode_quanta((const char *)src.ptr, nq, dst.ptr), r);
    for (i = 0; i < r; i++) {
        const uint8_t *q = src.ptr + 4 * i;
        uint32_t v = (uint32_t)ref_value(q[0]) << 18 |
                     (uint32_t)ref_value(q[1]) << 12 |
                     (uint32_t)ref_value(q[2]) << 6 | (uint32_t)ref_value(q[3]);
        FHXF_CHECK(dst.ptr[3 * i] == (uint8_t)(v >> 16) &&
                   dst.ptr[3 * i + 1] == (uint8_t)(v >> 8) &&
                   dst.ptr[3 * i + 2] == (uint8_t)v);
    }
    /* in place, the source right after a guard page */
    fhxf_guard_copy(&ip, data, nq * 4, FHXF_GUARD_BEFORE);
    FHXF_CHECK_EQ(k->decode_quanta((const char *)ip.ptr, nq, ip.ptr), r);
    FHXF_CHECK(r == 0 || memcmp(ip.ptr, dst.ptr, 3 * r) == 0);
    fhxf_guard_free(&ip);
    fhxf_guard_free(&src);
    fhxf_guard_free(&dst);

    /* encode_groups, exactly ng groups in and 4 * ng characters out */
    fhxf_guard_copy(&src, data, ng * 3, FHXF_GUARD_BEFORE);
    fhxf_guard_copy(&dst, NULL, ng * 4, FHXF_GUARD_AFTER);
    k->encode_groups(src.ptr, ng, (char *)dst.ptr);
    for (i = 0; i < ng; i++) {
        const uint8_t *g = data + 3 * i;
        uint32_t v = (uint32_t)g[0] << 16 | (uint32_t)g[1] << 8 | g[2];
        FHXF_CHECK(dst.ptr[4 * i] == (uint8_t)ref_alphabet[v >> 18] &&
                   dst.ptr[4 * i + 1] == (uint8_t)ref_alphabet[(v >> 12) & 63] &&
                   dst.ptr[4 * i + 2] == (uint8_t)ref_alphabet[(v >> 6) & 63] &&
                   dst.ptr[4 * i + 3] == (uint8_t)ref_alphabet[v & 63]);
    }
    fhxf_guard_free(&src);
    fhxf_guard_free(&dst);

    /* scan_string on every suffix start 0..15, both placements */
    for (utf8 = 0; utf8 < 2; utf8++) {
        int where;
        for (where = 0; where < 2; where++) {
            fhxf_guard_copy(&src, data, n, where);
            for (i = 0; i < 16 && i <= n; i++) {
                const char *p = (const char *)src.ptr + i;
                FHXF_CHECK_EQ(k->scan_string(p, n - i, utf8),
                              ref_scan(p, n - i, utf8));
            }
            fhxf_guard_free(&src);
        }
    }
}

static void per_isa(void *vctx, fhx_isa isa) {
    diff_ctx *c = vctx;
    fhx_buf d;
    kernel_loops(fhxi_kernel_active(), c->data, c->n);
    fhx_buf_init(&d, NULL);
    api_all(c, &d);
    if (isa == FHX_ISA_SCALAR) {
        c->scalar = d;
        return;
    }
    if (d.len != c->scalar.len || memcmp(d.ptr, c->scalar.ptr, d.len) != 0)
        fhxf_fail(__FILE__, __LINE__, "kernel %s differs from scalar",
                  fhx_isa_name(isa));
    fhx_buf_free(&d);
}

/* ---- libb64 ------------------------------------------------------------- */

static void libb64_oracle(const uint8_t *data, size_t n) {
    size_t len = 0, cap = FHX_B64_DECODED_MAX(n), i, o;
    uint8_t *ours;
    char *theirs, *enc;
    base64_decodestate ds;
    base64_encodestate es;
    int a, b;

    if (n > 1u << 24) return; /* libb64 counts in int */
    ours = malloc(cap ? cap : 1);
    FHXF_CHECK(ours != NULL);
    if (fhx_b64_decode((const char *)data, n, ours, cap, &len, NULL) !=
        FHX_OK) {
        free(ours);
        return;
    }
    /* libb64 decodes what we accept to the same bytes */
    theirs = malloc(cap + 1);
    FHXF_CHECK(theirs != NULL);
    base64_init_decodestate(&ds);
    a = base64_decode_block((const char *)data, (int)n, theirs, &ds);
    FHXF_CHECK_MEM(theirs, (size_t)a, ours, len);
    free(theirs);
    /* and encodes them to the same text, once its '\n's are gone */
    enc = malloc(2 * len + 16);
    FHXF_CHECK(enc != NULL);
    base64_init_encodestate(&es);
    a = base64_encode_block((const char *)ours, (int)len, enc, &es);
    b = base64_encode_blockend(enc + a, &es);
    for (i = 0, o = 0; i < (size_t)a + (size_t)b; i++)
        if (enc[i] != '\n') enc[o++] = enc[i];
    FHXF_CHECK_MEM(enc, o, data, n);
    free(enc);
    free(ours);
}

int fhxf_b64_diff(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    diff_ctx c;
    fhxf_take_header(&data, &size, hdr);
    c.data = data;
    c.n = size;
    c.param = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
              (uint32_t)hdr[2] << 16;
    c.shift = hdr[3] % 64u;
    fhx_buf_init(&c.scalar, NULL);
    fhxf_each_isa(per_isa, &c);
    fhx_buf_free(&c.scalar);
    libb64_oracle(data, size);
    return 0;
}

FHXF_ENTRY(fhxf_b64_diff)
