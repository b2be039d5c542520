/*
 * libfirehose-xform: the aarch64 AdvSIMD (NEON) kernel.
 *
 * AdvSIMD is part of the aarch64 baseline, so this file needs no ISA flags;
 * on other targets it compiles to nothing. See kernel.h for the rules.
 *
 * Only single-register table lookups (vqtbl1q_u8): four-register lookups
 * need four consecutive registers per table, which compilers serve by
 * copying or spilling the table on every block.
 *
 * Encoding, 48 bytes to 64 characters per block: vld3q_u8 de-interleaves
 * the groups so that lane j of the three vectors holds the three bytes of
 * group j; shifts and inserts give the four 6-bit indices; each index gets
 * the offset of its range of the alphabet added (enc_chars); vst4q_u8
 * stores the characters interleaved. A half block (64-bit vectors) follows.
 *
 * Decoding, 64 characters to 48 bytes per block: vld4q_u8 puts character k
 * of quantum j in lane j of vector k. Validity comes from two lookups by
 * the high and low nibble (dec_valid), the value from one lookup by the
 * high nibble (dec_value). A block holding any byte outside the alphabet is
 * left to the scalar loop, which stops before exactly the same quantum (it
 * is the reference), so the results cannot differ. Otherwise three shift-
 * and-insert steps pack the 6-bit values and vst3q_u8 stores 48 bytes.
 * Every block is read completely before its output is stored, and the
 * output (3 per 4) never passes the input already read: in place is safe.
 * Validation needs no de-interleaving and uses plain loads.
 *
 * String scanning, 16 bytes per vector: '"', '\\', and one unsigned
 * compare of c - 0x20 against a threshold that flags c < 0x20 only
 * (0xE0) or also c >= 0x80 (0x60). The first flagged lane comes from the
 * 4-bits-per-lane mask made by a narrowing shift (vshrn_n_u16).
 *
 * Tails shorter than a vector go to the scalar loops; no load or store
 * touches a byte outside the caller's buffers.
 */
#include "internal.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include "kernel.h"

/* ---- encoding ------------------------------------------------------------ */

/* Index 0..63 to character by addition of an offset that depends on the
 * range of the index, looked up by r = saturating(index - 51), which is 0
 * for 0..51 and 1..12 for 52..63, with 13 substituted for 0..25:
 *   0..25 +65 'A'; 26..51 +71 'a'; 52..61 -4 '0'; 62 -19 '+'; 63 -16 '/'.
 * One single-register table lookup, no 64-byte table. */
static const uint8_t enc_offsets[16] = {
    71,   0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC,
    0xFC, 0xFC, 0xFC, 0xED, 0xF0, 65,   0,    0,
};

static inline uint8x16_t enc_chars(uint8x16_t idx, uint8x16_t offs) {
    uint8x16_t r = vqsubq_u8(idx, vdupq_n_u8(51));
    r = vorrq_u8(r, vandq_u8(vcltq_u8(idx, vdupq_n_u8(26)), vdupq_n_u8(13)));
    return vaddq_u8(idx, vqtbl1q_u8(offs, r));
}

static inline uint8x8_t enc_chars8(uint8x8_t idx, uint8x16_t offs) {
    uint8x8_t r = vqsub_u8(idx, vdup_n_u8(51));
    r = vorr_u8(r, vand_u8(vclt_u8(idx, vdup_n_u8(26)), vdup_n_u8(13)));
    return vadd_u8(idx, vqtbl1_u8(offs, r));
}

static void neon_encode_groups(const uint8_t *src, size_t n_groups,
                               char *dst) {
    const uint8x16_t offs = vld1q_u8(enc_offsets);
    const uint8x16_t m6 = vdupq_n_u8(0x3F);
    uint8_t *out = (uint8_t *)dst;
    size_t i = 0;

    /* 16 groups per block: 48 bytes in, 64 characters out. */
    for (; n_groups - i >= 16; i += 16) {
        uint8x16x3_t in = vld3q_u8(src + i * 3);
        uint8x16x4_t o;
        /* a>>2 | (a<<4 | b>>4)&63 | (b<<2 | c>>6)&63 | c&63 */
        o.val[0] = vshrq_n_u8(in.val[0], 2);
        o.val[1] = vandq_u8(vsriq_n_u8(vshlq_n_u8(in.val[0], 4), in.val[1], 4),
                            m6);
        o.val[2] = vandq_u8(vsriq_n_u8(vshlq_n_u8(in.val[1], 2), in.val[2], 6),
                            m6);
        o.val[3] = vandq_u8(in.val[2], m6);
        o.val[0] = enc_chars(o.val[0], offs);
        o.val[1] = enc_chars(o.val[1], offs);
        o.val[2] = enc_chars(o.val[2], offs);
        o.val[3] = enc_chars(o.val[3], offs);
        vst4q_u8(out + i * 4, o);
    }
    /* 8 groups: 24 bytes in, 32 characters out. */
    if (n_groups - i >= 8) {
        const uint8x8_t m6h = vdup_n_u8(0x3F);
        uint8x8x3_t in = vld3_u8(src + i * 3);
        uint8x8x4_t o;
        o.val[0] = vshr_n_u8(in.val[0], 2);
        o.val[1] = vand_u8(vsri_n_u8(vshl_n_u8(in.val[0], 4), in.val[1], 4),
                           m6h);
        o.val[2] = vand_u8(vsri_n_u8(vshl_n_u8(in.val[1], 2), in.val[2], 6),
                           m6h);
        o.val[3] = vand_u8(in.val[2], m6h);
        o.val[0] = enc_chars8(o.val[0], offs);
        o.val[1] = enc_chars8(o.val[1], offs);
        o.val[2] = enc_chars8(o.val[2], offs);
        o.val[3] = enc_chars8(o.val[3], offs);
        vst4_u8(out + i * 4, o);
        i += 8;
    }
    if (i < n_groups)
        fhxi_scalar_encode_groups(src + i * 3, n_groups - i, dst + i * 4);
}

/* ---- decoding and validation ----------------------------------------- */

/* Validity by nibbles: a character c is in the alphabet exactly when
 * dec_hi[c >> 4] & dec_lo[c & 15] is non-zero. One bit per row class:
 *   bit 0  row 2: '+' (lo B) and '/' (lo F)
 *   bit 1  row 3: '0'..'9' (lo 0..9)
 *   bit 2  rows 4 and 6: 'A'..'O', 'a'..'o' (lo 1..F)
 *   bit 3  rows 5 and 7: 'P'..'Z', 'p'..'z' (lo 0..A)
 * Rows 0, 1 and 8..F (controls, space, punctuation, bytes >= 0x80) have no
 * class. The value is then c + dec_shift[c >> 4], minus 3 more for '/'
 * (which shares row 2 with '+'): '+' 43+19=62, '/' 47+19-3=63, '0' 48+4=52,
 * 'A' 65-65=0, 'a' 97-71=26. */
static const uint8_t dec_hi[16] = {
    0, 0, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
};
static const uint8_t dec_lo[16] = {
    0x0A, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E,
    0x0E, 0x0E, 0x0C, 0x05, 0x04, 0x04, 0x04, 0x05,
};
static const uint8_t dec_shift[16] = {
    0, 0, 19, 4, 0xBF, 0xBF, 0xB9, 0xB9, 0, 0, 0, 0, 0, 0, 0, 0,
};

typedef struct dec_tables {
    uint8x16_t hi, lo, shift;
} dec_tables;

static inline dec_tables dec_load(void) {
    dec_tables d;
    d.hi = vld1q_u8(dec_hi);
    d.lo = vld1q_u8(dec_lo);
    d.shift = vld1q_u8(dec_shift);
    return d;
}

/* Non-zero in the lanes of c that are alphabet characters. */
static inline uint8x16_t dec_valid(const dec_tables *d, uint8x16_t c) {
    return vandq_u8(vqtbl1q_u8(d->hi, vshrq_n_u8(c, 4)),
                    vqtbl1q_u8(d->lo, vandq_u8(c, vdupq_n_u8(0x0F))));
}

static inline uint8x8_t dec_valid8(const dec_tables *d, uint8x8_t c) {
    return vand_u8(vqtbl1_u8(d->hi, vshr_n_u8(c, 4)),
                   vqtbl1_u8(d->lo, vand_u8(c, vdup_n_u8(0x0F))));
}

/* The 6-bit value of every lane of c (meaningful for alphabet lanes). */
static inline uint8x16_t dec_value(const dec_tables *d, uint8x16_t c) {
    uint8x16_t sh = vqtbl1q_u8(d->shift, vshrq_n_u8(c, 4));
    uint8x16_t slash = vandq_u8(vceqq_u8(c, vdupq_n_u8('/')),
                                vdupq_n_u8(0xFD)); /* -3 */
    return vaddq_u8(vaddq_u8(c, sh), slash);
}

static inline uint8x8_t dec_value8(const dec_tables *d, uint8x8_t c) {
    uint8x8_t sh = vqtbl1_u8(d->shift, vshr_n_u8(c, 4));
    uint8x8_t slash = vand_u8(vceq_u8(c, vdup_n_u8('/')), vdup_n_u8(0xFD));
    return vadd_u8(vadd_u8(c, sh), slash);
}

/* 1 when every byte of the block q (16 quanta) is an alphabet character. */
static inline int dec_ok(const dec_tables *d, const uint8x16x4_t *q) {
    uint8x16_t v0 = dec_valid(d, q->val[0]), v1 = dec_valid(d, q->val[1]);
    uint8x16_t v2 = dec_valid(d, q->val[2]), v3 = dec_valid(d, q->val[3]);
    return vminvq_u8(vminq_u8(vminq_u8(v0, v1), vminq_u8(v2, v3))) != 0;
}

static inline int dec_ok8(const dec_tables *d, const uint8x8x4_t *q) {
    uint8x8_t v0 = dec_valid8(d, q->val[0]), v1 = dec_valid8(d, q->val[1]);
    uint8x8_t v2 = dec_valid8(d, q->val[2]), v3 = dec_valid8(d, q->val[3]);
    return vminv_u8(vmin_u8(vmin_u8(v0, v1), vmin_u8(v2, v3))) != 0;
}

static size_t neon_decode_quanta(const char *src, size_t n_quanta,
                                 uint8_t *dst) {
    const dec_tables d = dec_load();
    const uint8_t *s = (const uint8_t *)src;
    size_t i = 0;

    /* 16 quanta per block: 64 characters in, 48 bytes out. */
    for (; n_quanta - i >= 16; i += 16) {
        uint8x16x4_t q = vld4q_u8(s + i * 4);
        uint8x16_t a, b, c, e;
        uint8x16x3_t o;
        if (!dec_ok(&d, &q)) break;
        a = dec_value(&d, q.val[0]);
        b = dec_value(&d, q.val[1]);
        c = dec_value(&d, q.val[2]);
        e = dec_value(&d, q.val[3]);
        /* a<<2 | b>>4, b<<4 | c>>2, c<<6 | e (shift left and insert) */
        o.val[0] = vsliq_n_u8(vshrq_n_u8(b, 4), a, 2);
        o.val[1] = vsliq_n_u8(vshrq_n_u8(c, 2), b, 4);
        o.val[2] = vsliq_n_u8(e, c, 6);
        vst3q_u8(dst + i * 3, o);
    }
    /* 8 quanta: 32 characters in, 24 bytes out (not after a bad block). */
    if (n_quanta - i >= 8 && n_quanta - i < 16) {
        uint8x8x4_t q = vld4_u8(s + i * 4);
        if (dec_ok8(&d, &q)) {
            uint8x8_t a = dec_value8(&d, q.val[0]);
            uint8x8_t b = dec_value8(&d, q.val[1]);
            uint8x8_t c = dec_value8(&d, q.val[2]);
            uint8x8_t e = dec_value8(&d, q.val[3]);
            uint8x8x3_t o;
            o.val[0] = vsli_n_u8(vshr_n_u8(b, 4), a, 2);
            o.val[1] = vsli_n_u8(vshr_n_u8(c, 2), b, 4);
            o.val[2] = vsli_n_u8(e, c, 6);
            vst3_u8(dst + i * 3, o);
            i += 8;
        }
    }
    /* The tail, or the block holding a bad character: the scalar loop
     * stops before the first bad quantum. */
    if (i < n_quanta)
        i += fhxi_scalar_decode_quanta(src + i * 4, n_quanta - i, dst + i * 3);
    return i;
}

static size_t neon_validate_quanta(const char *src, size_t n_quanta) {
    const dec_tables d = dec_load();
    const uint8_t *s = (const uint8_t *)src;
    size_t i = 0;

    /* Validation ignores character order: plain 64-byte loads. */
    for (; n_quanta - i >= 16; i += 16) {
        const uint8_t *p = s + i * 4;
        uint8x16_t v0 = dec_valid(&d, vld1q_u8(p));
        uint8x16_t v1 = dec_valid(&d, vld1q_u8(p + 16));
        uint8x16_t v2 = dec_valid(&d, vld1q_u8(p + 32));
        uint8x16_t v3 = dec_valid(&d, vld1q_u8(p + 48));
        if (vminvq_u8(vminq_u8(vminq_u8(v0, v1), vminq_u8(v2, v3))) == 0)
            break;
    }
    if (n_quanta - i >= 4 && n_quanta - i < 16) {
        /* 4..15 quanta left: whole 16-byte vectors of them */
        while (n_quanta - i >= 4) {
            if (vminvq_u8(dec_valid(&d, vld1q_u8(s + i * 4))) == 0) break;
            i += 4;
        }
    }
    if (i < n_quanta)
        i += fhxi_scalar_validate_quanta(src + i * 4, n_quanta - i);
    return i;
}

/* ---- string scanning ------------------------------------------------- */

/* 0xFF in every lane of c that needs a closer look; thr is 0xE0 (c < 0x20
 * only) or 0x60 (c < 0x20 or c >= 0x80), compared with c - 0x20 mod 256. */
static inline uint8x16_t scan_mask(uint8x16_t c, uint8x16_t thr) {
    uint8x16_t q = vceqq_u8(c, vdupq_n_u8('"'));
    uint8x16_t b = vceqq_u8(c, vdupq_n_u8('\\'));
    uint8x16_t r = vcgeq_u8(vsubq_u8(c, vdupq_n_u8(0x20)), thr);
    return vorrq_u8(vorrq_u8(q, b), r);
}

/* 4 bits per lane of a 0x00/0xFF mask, lane 0 lowest. */
static inline uint64_t mask_bits(uint8x16_t m) {
    uint8x8_t n = vshrn_n_u16(vreinterpretq_u16_u8(m), 4);
    return vget_lane_u64(vreinterpret_u64_u8(n), 0);
}

/* Index of the first flagged lane of m; m has one. */
static inline size_t first_lane(uint8x16_t m) {
    return (size_t)__builtin_ctzll(mask_bits(m)) >> 2;
}

static size_t neon_scan_string(const char *p, size_t len, int utf8) {
    const uint8_t *u = (const uint8_t *)p;
    const uint8x16_t thr = vdupq_n_u8(utf8 ? 0x60 : 0xE0);
    size_t i = 0;

    if (len < 16) return fhxi_scalar_scan_string(p, len, utf8);

    /* 64 bytes per step while they last. */
    for (; len - i >= 64; i += 64) {
        uint8x16_t m0 = scan_mask(vld1q_u8(u + i), thr);
        uint8x16_t m1 = scan_mask(vld1q_u8(u + i + 16), thr);
        uint8x16_t m2 = scan_mask(vld1q_u8(u + i + 32), thr);
        uint8x16_t m3 = scan_mask(vld1q_u8(u + i + 48), thr);
        uint8x16_t any = vorrq_u8(vorrq_u8(m0, m1), vorrq_u8(m2, m3));
        if (mask_bits(any)) {
            if (mask_bits(m0)) return i + first_lane(m0);
            if (mask_bits(m1)) return i + 16 + first_lane(m1);
            if (mask_bits(m2)) return i + 32 + first_lane(m2);
            return i + 48 + first_lane(m3);
        }
    }
    for (; len - i >= 16; i += 16) {
        uint8x16_t m = scan_mask(vld1q_u8(u + i), thr);
        if (mask_bits(m)) return i + first_lane(m);
    }
    /* The last 1..15 bytes: the final 16 bytes of the buffer again (len is
     * at least 16); lanes before i were already found clear. */
    if (i < len) {
        size_t at = len - 16;
        uint8x16_t m = scan_mask(vld1q_u8(u + at), thr);
        if (mask_bits(m)) return at + first_lane(m);
    }
    return len;
}

const fhxi_kernel fhxi_kernel_neon = {
    "neon",
    neon_encode_groups,
    neon_decode_quanta,
    neon_validate_quanta,
    neon_scan_string,
};

#else
/* Not aarch64: nothing to compile (ISO C wants a declaration here). */
typedef int fhxi_kernel_neon_unused;
#endif /* __aarch64__ */
