/*
 * libfirehose-xform: the portable kernel and the shared base64 tables.
 *
 * The kernel handles whole blocks only (see kernel.h): 3 bytes to 4
 * characters when encoding, 4 characters without padding to 3 bytes when
 * decoding. Padding, partial quanta, streaming and the exact location of
 * errors live in b64.c.
 *
 * Both loops work on whole blocks with table lookups and no per-character
 * branches: decoding ORs the table values of a block and tests the 0x80 bit
 * once. Every block is read completely before its output is stored, and the
 * output never runs ahead of the input (3 bytes out per 4 characters in),
 * so decoding in place (dst == src) is safe.
 */
#include "internal.h"

#include <string.h>

#include "kernel.h"

/* Value 0..63 of each alphabet character; 0xFF for every other byte,
 * '=' included (padding is handled by b64.c). */
const uint8_t fhxi_b64_dec_table[256] = {
    /* 0x00 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x08 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x10 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x18 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x20 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x28 */ 0xFF, 0xFF, 0xFF, 0x3E, 0xFF, 0xFF, 0xFF, 0x3F,
    /* 0x30 */ 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B,
    /* 0x38 */ 0x3C, 0x3D, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x40 */ 0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
    /* 0x48 */ 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
    /* 0x50 */ 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
    /* 0x58 */ 0x17, 0x18, 0x19, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x60 */ 0xFF, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20,
    /* 0x68 */ 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    /* 0x70 */ 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x30,
    /* 0x78 */ 0x31, 0x32, 0x33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x80 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x88 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x90 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0x98 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xA0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xA8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xB0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xB8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xC0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xC8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xD0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xD8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xE0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xE8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xF0 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 0xF8 */ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* RFC 4648 table 1 (not a string: no terminating NUL). */
const char fhxi_b64_enc_alphabet[64] = {
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M',
    'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
    'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '/',
};

/* Encode one group: the 24 bits of v (in its low bits) to 4 characters. */
static inline void enc_store(uint32_t v, char *dst) {
    const char *a = fhxi_b64_enc_alphabet;
    dst[0] = a[(v >> 18) & 0x3F];
    dst[1] = a[(v >> 12) & 0x3F];
    dst[2] = a[(v >> 6) & 0x3F];
    dst[3] = a[v & 0x3F];
}

void fhxi_scalar_encode_groups(const uint8_t *src, size_t n_groups,
                                 char *dst) {
    size_t i = 0;

    /* Two groups per step: independent dependency chains. */
    for (; i + 2 <= n_groups; i += 2) {
        uint32_t v = (uint32_t)src[0] << 16 | (uint32_t)src[1] << 8 |
                     (uint32_t)src[2];
        uint32_t w = (uint32_t)src[3] << 16 | (uint32_t)src[4] << 8 |
                     (uint32_t)src[5];
        enc_store(v, dst);
        enc_store(w, dst + 4);
        src += 6;
        dst += 8;
    }
    if (i < n_groups) {
        uint32_t v = (uint32_t)src[0] << 16 | (uint32_t)src[1] << 8 |
                     (uint32_t)src[2];
        enc_store(v, dst);
    }
}

/* Store the 24 bits of v as 3 bytes, most significant first. */
static inline void dec_store(uint32_t v, uint8_t *dst) {
    dst[0] = (uint8_t)(v >> 16);
    dst[1] = (uint8_t)(v >> 8);
    dst[2] = (uint8_t)v;
}

size_t fhxi_scalar_decode_quanta(const char *src, size_t n_quanta,
                                   uint8_t *dst) {
    const uint8_t *t = fhxi_b64_dec_table;
    const unsigned char *s = (const unsigned char *)src;
    size_t i;

    /* One quantum per step, one validity test for its 4 characters. (Two
     * quanta per step measured no faster: gcc spills the extra values.) */
    for (i = 0; i < n_quanta; i++) {
        uint32_t a = t[s[0]], b = t[s[1]], c = t[s[2]], d = t[s[3]];
        if ((a | b | c | d) & 0x80) break;
        dec_store(a << 18 | b << 12 | c << 6 | d, dst);
        s += 4;
        dst += 3;
    }
    return i;
}

size_t fhxi_scalar_validate_quanta(const char *src, size_t n_quanta) {
    const uint8_t *t = fhxi_b64_dec_table;
    const unsigned char *s = (const unsigned char *)src;
    size_t i;

    for (i = 0; i < n_quanta; i++, s += 4)
        if ((t[s[0]] | t[s[1]] | t[s[2]] | t[s[3]]) & 0x80) break;
    return i;
}

size_t fhxi_scalar_scan_string(const char *p, size_t len, int utf8) {
    const unsigned char *u = (const unsigned char *)p;
    uint64_t hi_mask = utf8 ? FHXI_SWAR_HIGHS : 0;
    size_t i = 0;

    while (len - i >= 8) {
        uint64_t w, m;
        memcpy(&w, p + i, 8);
        m = fhxi_swar_string_flags(w, hi_mask);
        if (m) {
#ifdef FHXI_SWAR_FIRST
            return i + FHXI_SWAR_FIRST(m);
#else
            break;
#endif
        }
        i += 8;
    }
    for (; i < len; i++) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\' || c < 0x20 || (utf8 && c >= 0x80)) break;
    }
    return i;
}

const fhxi_kernel fhxi_kernel_scalar = {
    "scalar",
    fhxi_scalar_encode_groups,
    fhxi_scalar_decode_quanta,
    fhxi_scalar_validate_quanta,
    fhxi_scalar_scan_string,
};
