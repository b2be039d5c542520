/*
 * Fuzz harness: strict base64 (fhx/b64.h), decode and encode round trips.
 *
 * Input: FHXF_HEADER parameter bytes (the chunk split), then bytes used
 * twice:
 *   - as base64 text: fhx_b64_validate, fhx_b64_decode, in-place decoding
 *     and the streaming decoder (pieces from the header, with and without
 *     output, each piece first offered a one-byte-too-small output which
 *     must be refused without consuming anything) agree on the result,
 *     the error (code, offset, message) and the bytes written; valid text
 *     re-encodes to itself (strict base64 has one encoding); a too small
 *     output is FHX_E_OUTPUT at a quantum boundary with a correct prefix;
 *   - as binary data: one-shot and streaming encodings are identical, use
 *     only the alphabet and padding, and decode back to the data.
 * Inputs and outputs sit against guard pages.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

static int is_b64_msg(const char *m) {
    return m && (strcmp(m, "invalid base64 character") == 0 ||
                 strcmp(m, "base64 padding in the wrong place") == 0 ||
                 strcmp(m, "base64 input length is not a multiple of 4") == 0 ||
                 strcmp(m, "non-zero trailing bits in base64") == 0);
}

/* One-shot decode of text into an exact-size guarded output. */
typedef struct decoded {
    int rc;
    fhx_error err;
    fhxf_guard out;
    size_t len;
} decoded;

static void decode_oneshot(decoded *d, const char *src, size_t n) {
    size_t cap = FHX_B64_DECODED_MAX(n);
    fhxf_guard_copy(&d->out, NULL, cap, FHXF_GUARD_AFTER);
    d->len = 12345;
    d->rc = fhx_b64_decode(src, n, d->out.ptr, cap, &d->len, &d->err);
    FHXF_CHECK(d->len <= cap);
}

/* The streaming decoder over pieces; writes nothing when validate_only. */
static void decode_stream(decoded *d, const uint8_t *src, size_t n,
                          uint32_t param, int validate_only) {
    fhx_b64_decoder st;
    fhxf_splitter sp;
    fhx_buf acc;
    size_t pos = 0, total = 0;
    fhx_b64_decoder_init(&st);
    fhxf_split_init(&sp, param);
    fhx_buf_init(&acc, NULL);
    d->rc = FHX_OK;
    memset(&d->out, 0, sizeof d->out);
    while (pos < n) {
        size_t k = fhxf_split_next(&sp, n - pos);
        size_t bound = FHX_B64_DECODED_MAX(k + 3), got = 12345;
        char *piece = malloc(k ? k : 1);
        uint8_t *dst = validate_only ? NULL : malloc(bound ? bound : 1);
        FHXF_CHECK(piece && (validate_only || dst));
        if (k) memcpy(piece, src + pos, k);
        if (!validate_only && bound) { /* refused, nothing consumed */
            FHXF_CHECK_EQ(fhx_b64_decoder_update(&st, piece, k, dst, bound - 1,
                                                 &got, &d->err),
                          FHX_E_OUTPUT);
            FHXF_CHECK_EQ(got, 0);
        }
        d->rc = fhx_b64_decoder_update(&st, piece, k, dst,
                                       validate_only ? 0 : bound, &got,
                                       &d->err);
        if (validate_only) FHXF_CHECK_EQ(got, 0);
        FHXF_CHECK(got <= bound);
        if (!validate_only) fhxf_put(&acc, dst, got);
        free(piece);
        free(dst);
        pos += k;
        if (d->rc != FHX_OK) break;
    }
    if (d->rc == FHX_OK) {
        d->rc = fhx_b64_decoder_final(&st, &total, &d->err);
        if (d->rc == FHX_OK && !validate_only) FHXF_CHECK_EQ(total, acc.len);
    }
    if (d->rc != FHX_OK) { /* dead until init: the same error again */
        fhx_error again;
        uint8_t one[8];
        FHXF_CHECK_EQ(d->rc, FHX_E_BASE64);
        FHXF_CHECK_EQ(fhx_b64_decoder_update(&st, "QUJD", 4, one, sizeof one,
                                             NULL, &again),
                      FHX_E_BASE64);
        FHXF_CHECK_ERR(&again, &d->err);
        FHXF_CHECK_EQ(fhx_b64_decoder_final(&st, NULL, &again), FHX_E_BASE64);
        FHXF_CHECK_ERR(&again, &d->err);
    }
    d->len = acc.len;
    if (!validate_only) {
        fhxf_guard_copy(&d->out, acc.ptr, acc.len, FHXF_GUARD_AFTER);
    }
    fhx_buf_free(&acc);
}

static void check_text(const uint8_t *data, size_t n, uint32_t param) {
    fhxf_guard in_after, in_before;
    const char *txt;
    size_t vlen = 12345;
    fhx_error verr;
    int vrc;
    decoded one, inplace, stream, svalid;

    txt = (const char *)fhxf_guard_copy(&in_after, data, n, FHXF_GUARD_AFTER);
    vrc = fhx_b64_validate(txt, n, &vlen, &verr);
    decode_oneshot(&one, txt, n);
    FHXF_CHECK_EQ(vrc, one.rc);
    FHXF_CHECK_ERR(&verr, &one.err);
    FHXF_CHECK(vrc == FHX_OK || vrc == FHX_E_BASE64);
    if (vrc == FHX_OK) {
        FHXF_CHECK_EQ(vlen, one.len);
        FHXF_CHECK_EQ(n % 4, 0);
        FHXF_CHECK(vlen <= FHX_B64_DECODED_MAX(n));
        FHXF_CHECK(verr.msg == NULL);
    } else {
        FHXF_CHECK(verr.offset <= n);
        FHXF_CHECK(verr.record == FHX_NO_RECORD);
        FHXF_CHECK(is_b64_msg(verr.msg));
        FHXF_CHECK(one.len <= (verr.offset / 4 + 1) * 3);
    }

    /* in place, in a buffer that starts right after a guard page */
    fhxf_guard_copy(&in_before, data, n, FHXF_GUARD_BEFORE);
    inplace.len = 12345;
    inplace.rc = fhx_b64_decode_inplace((char *)in_before.ptr, n, &inplace.len,
                                        &inplace.err);
    FHXF_CHECK_EQ(inplace.rc, one.rc);
    FHXF_CHECK_ERR(&inplace.err, &one.err);
    if (one.rc == FHX_OK)
        FHXF_CHECK_MEM(in_before.ptr, inplace.len, one.out.ptr, one.len);

    /* streaming, with output and validate-only */
    decode_stream(&stream, data, n, param, 0);
    FHXF_CHECK_EQ(stream.rc, one.rc);
    FHXF_CHECK_ERR(&stream.err, &one.err);
    /* on error the streaming decoder may have written less (it keeps an
     * incomplete quantum), never something else */
    if (one.rc == FHX_OK)
        FHXF_CHECK_MEM(stream.out.ptr, stream.len, one.out.ptr, one.len);
    else
        FHXF_CHECK(stream.len <= one.len &&
                   memcmp(stream.out.ptr, one.out.ptr, stream.len) == 0);
    decode_stream(&svalid, data, n, param ^ 0x5a5a5a5au, 1);
    FHXF_CHECK_EQ(svalid.rc, one.rc);
    FHXF_CHECK_ERR(&svalid.err, &one.err);

    if (one.rc == FHX_OK) {
        /* strict base64 has one encoding: it re-encodes to itself */
        fhxf_guard enc;
        size_t elen = 12345;
        fhxf_guard_copy(&enc, NULL, n, FHXF_GUARD_AFTER);
        FHXF_CHECK_EQ(fhx_b64_encode(one.out.ptr, one.len, (char *)enc.ptr, n,
                                     &elen),
                      FHX_OK);
        FHXF_CHECK_MEM(enc.ptr, elen, txt, n);
        fhxf_guard_free(&enc);
        /* one byte short of room: refused at a quantum, prefix correct */
        if (one.len) {
            fhxf_guard small;
            fhx_error e;
            size_t got = 12345;
            fhxf_guard_copy(&small, NULL, one.len - 1, FHXF_GUARD_AFTER);
            FHXF_CHECK_EQ(fhx_b64_decode(txt, n, small.ptr, one.len - 1, &got,
                                         &e),
                          FHX_E_OUTPUT);
            FHXF_CHECK(got < one.len);
            FHXF_CHECK(memcmp(small.ptr, one.out.ptr, got) == 0);
            FHXF_CHECK_EQ(e.code, FHX_E_OUTPUT);
            FHXF_CHECK(e.offset % 4 == 0 && e.offset < n);
            FHXF_CHECK(got / 3 * 4 == e.offset || got == e.offset / 4 * 3);
            fhxf_guard_free(&small);
        }
    }
    fhxf_guard_free(&in_after);
    fhxf_guard_free(&in_before);
    fhxf_guard_free(&one.out);
    fhxf_guard_free(&stream.out);
}

static int is_b64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static void check_bytes(const uint8_t *data, size_t n, uint32_t param) {
    size_t need = FHX_B64_ENCODED_LEN(n), elen = 12345, i, pos = 0, dlen;
    fhxf_guard src, enc, back;
    fhx_b64_encoder st;
    fhxf_splitter sp;
    fhx_buf acc;
    fhx_error err;
    char tail[4];

    FHXF_CHECK_EQ(fhx_b64_encoded_len(n), need);
    FHXF_CHECK_EQ(need, (n + 2) / 3 * 4);
    fhxf_guard_copy(&src, data, n, FHXF_GUARD_BEFORE);
    fhxf_guard_copy(&enc, NULL, need, FHXF_GUARD_AFTER);
    FHXF_CHECK_EQ(fhx_b64_encode(src.ptr, n, (char *)enc.ptr, need, &elen),
                  FHX_OK);
    FHXF_CHECK_EQ(elen, need);
    for (i = 0; i < need; i++)
        FHXF_CHECK(is_b64_char((char)enc.ptr[i]) ||
                   (enc.ptr[i] == '=' && i >= need - 2));
    if (need)
        FHXF_CHECK_EQ(fhx_b64_encode(src.ptr, n, (char *)enc.ptr, need - 1,
                                     &elen),
                      FHX_E_OUTPUT);

    /* back again */
    fhxf_guard_copy(&back, NULL, n, FHXF_GUARD_AFTER);
    FHXF_CHECK_EQ(fhx_b64_decode((const char *)enc.ptr, need, back.ptr, n,
                                 &dlen, &err),
                  FHX_OK);
    FHXF_CHECK_MEM(back.ptr, dlen, data, n);

    /* streaming encoder over pieces */
    fhx_b64_encoder_init(&st);
    fhxf_split_init(&sp, param);
    fhx_buf_init(&acc, NULL);
    while (pos < n) {
        size_t k = fhxf_split_next(&sp, n - pos);
        size_t bound = FHX_B64_ENCODED_LEN(k + 2), got = 12345;
        uint8_t *piece = malloc(k ? k : 1);
        char *dst = malloc(bound);
        FHXF_CHECK(piece && dst);
        if (k) memcpy(piece, data + pos, k);
        FHXF_CHECK_EQ(fhx_b64_encoder_update(&st, piece, k, dst, bound - 1,
                                             &got),
                      FHX_E_OUTPUT);
        FHXF_CHECK_EQ(fhx_b64_encoder_update(&st, piece, k, dst, bound, &got),
                      FHX_OK);
        FHXF_CHECK(got <= bound && got % 4 == 0);
        fhxf_put(&acc, dst, got);
        free(piece);
        free(dst);
        pos += k;
    }
    FHXF_CHECK_EQ(fhx_b64_encoder_final(&st, tail, 3, &i), FHX_E_OUTPUT);
    FHXF_CHECK_EQ(fhx_b64_encoder_final(&st, tail, sizeof tail, &i), FHX_OK);
    fhxf_put(&acc, tail, i);
    FHXF_CHECK_MEM(acc.ptr, acc.len, enc.ptr, need);

    fhx_buf_free(&acc);
    fhxf_guard_free(&src);
    fhxf_guard_free(&enc);
    fhxf_guard_free(&back);
}

int fhxf_b64(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    uint32_t param;
    fhxf_take_header(&data, &size, hdr);
    param = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
            (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    check_text(data, size, param);
    check_bytes(data, size, param);
    return 0;
}

FHXF_ENTRY(fhxf_b64)
