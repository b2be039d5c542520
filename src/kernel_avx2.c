/*
 * libfirehose-xform: the AVX2 kernel (compiled with -mavx2 only; isa.c
 * calls it only on a CPU and OS that support AVX2).
 *
 * Algorithms (Mula and Lemire, "Faster Base64 Encoding and Decoding Using
 * AVX2 Instructions", ACM TWEB 2018, arXiv:1704.00605), 32 characters and
 * 24 bytes per block:
 *   - encoding: a byte shuffle places the 3 bytes of each group as
 *     (b1, b0, b2, b1) in a 32-bit lane; two masks and two 16-bit
 *     multiplies (mulhi for the 6-bit fields that move right, mullo for
 *     those that move left) leave one 6-bit index per byte; a saturating
 *     subtract and a compare reduce each index to one of 14 ranges whose
 *     ASCII offset comes from a 16-entry pshufb table;
 *   - decoding: two pshufb lookups on the low and the high nibble of each
 *     character give bit sets whose AND is zero exactly for the 64 alphabet
 *     characters (validation); a third lookup on the high nibble (adjusted
 *     for '/') gives the offset from character to 6-bit value; two
 *     multiply-adds (pmaddubsw, pmaddwd) pack 4 values into 24 bits per
 *     32-bit lane, and a shuffle plus a cross-lane permute pack the 24
 *     bytes of a block;
 *   - the string scan compares 32 bytes at a time and takes the first set
 *     bit of the movemask.
 *
 * Exactness and bounds (see kernel.h):
 *   - every load and store covers only whole blocks inside the caller's
 *     buffers: the encoder loads a block of 24 bytes as two overlapping
 *     16-byte loads [0, 16) and [8, 24), the decoder stores a block of 24
 *     bytes as 16 + 8; a tail shorter than a block is either done again
 *     as one block ending exactly at the end (string scan and validation
 *     always; encoding and decoding only when input and output are
 *     disjoint, as the overlap is read again) or by the scalar loop;
 *   - the decoder validates a block before storing anything of it, and a
 *     block holding a character outside the alphabet is decoded again by
 *     fhxi_scalar_decode_quanta, which stops before exactly the right
 *     quantum;
 *   - in-place decoding: every block is loaded before the stores of its
 *     iteration, and the stores of quanta [0, k) reach byte 3k, never past
 *     the character 4k still to be read.
 */
#include "internal.h"

#include <immintrin.h>

#include "kernel.h"

/* Declared here as well as wherever isa.c finds it: a definition with
 * external linkage wants a previous declaration. */
extern const fhxi_kernel fhxi_kernel_avx2;

/* Unaligned vector access through void pointers (the intrinsics take
 * vector pointers; the casts carry no alignment claim). */
static inline __m256i load256(const void *p) {
    return _mm256_loadu_si256((const __m256i *)p);
}
static inline __m128i load128(const void *p) {
    return _mm_loadu_si128((const __m128i *)p);
}
static inline void store128(void *p, __m128i v) {
    _mm_storeu_si128((__m128i *)p, v);
}
static inline void store64(void *p, __m128i v) {
    _mm_storel_epi64((__m128i *)p, v);
}
static inline void store256(void *p, __m256i v) {
    _mm256_storeu_si256((__m256i *)p, v);
}

/* 1 when [a, a + na) and [b, b + nb) share no byte (integer comparison of
 * the addresses: comparing pointers to different objects is undefined). */
static inline int disjoint(const void *a, size_t na, const void *b,
                           size_t nb) {
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x + na <= y || y + nb <= x;
}

/* Index of the lowest set bit of a non-zero mask. */
static inline unsigned lowest_bit(uint32_t m) {
    return (unsigned)__builtin_ctz(m);
}

/* ==== Encoding ========================================================= */

/* 24 input bytes at src: bytes [0, 12) in the low 128-bit lane, [12, 24)
 * in the high one at lane offsets 4..15 (loaded from src + 8), so the two
 * loads read exactly [src, src + 24). */
static inline __m256i enc_load(const uint8_t *src) {
    __m128i lo = load128(src);
    __m128i hi = load128(src + 8);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

/* 32 characters from the block loaded by enc_load. */
static inline __m256i enc_block(__m256i in) {
    /* Group g of a lane (bytes b0 b1 b2 at lane offset 3g, plus 4 in the
     * high lane) becomes the 32-bit lane (b1, b0, b2, b1): its low 16-bit
     * word is b0:b1 and its high word b1:b2, most significant first. */
    const __m256i shuf = _mm256_setr_epi8(
        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
        5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14);
    /* Index a = bits 15..10 of the low word, b = bits 9..4 of the low
     * word, c = bits 11..6 of the high word, d = bits 5..0 of the high
     * word; wanted in bytes 0, 1, 2, 3 of the lane. */
    const __m256i mask_ac = _mm256_set1_epi32(0x0FC0FC00);
    const __m256i mul_ac = _mm256_set1_epi32(0x04000040); /* >>10, >>6 */
    const __m256i mask_bd = _mm256_set1_epi32(0x003F03F0);
    const __m256i mul_bd = _mm256_set1_epi32(0x01000010); /* <<4, <<8 */
    /* Ranges of the index after the reduction below: 0 for 0..25 ('A'),
     * 1 for 26..51 ('a'), 2..11 for 52..61 ('0'), 12 for 62 ('+'), 13 for
     * 63 ('/'); the offset from index to ASCII of each. */
    const __m256i offsets = _mm256_setr_epi8(
        65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0,
        65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    __m256i t, ac, bd, idx, red;

    t = _mm256_shuffle_epi8(in, shuf);
    ac = _mm256_mulhi_epu16(_mm256_and_si256(t, mask_ac), mul_ac);
    bd = _mm256_mullo_epi16(_mm256_and_si256(t, mask_bd), mul_bd);
    idx = _mm256_or_si256(ac, bd);
    /* 0 for 0..51, 1..12 for 52..63; plus 1 above 25. */
    red = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
    red = _mm256_sub_epi8(red,
                          _mm256_cmpgt_epi8(idx, _mm256_set1_epi8(25)));
    return _mm256_add_epi8(idx, _mm256_shuffle_epi8(offsets, red));
}

static void avx2_encode_groups(const uint8_t *src, size_t n_groups,
                               char *dst) {
    size_t i = 0; /* groups done */

    if (n_groups < 8) {
        fhxi_scalar_encode_groups(src, n_groups, dst);
        return;
    }
    /* Two blocks (16 groups) per step, then one. */
    for (; n_groups - i >= 16; i += 16) {
        __m256i a = enc_block(enc_load(src + i * 3));
        __m256i b = enc_block(enc_load(src + i * 3 + 24));
        store256(dst + i * 4, a);
        store256(dst + i * 4 + 32, b);
    }
    if (n_groups - i >= 8) {
        store256(dst + i * 4, enc_block(enc_load(src + i * 3)));
        i += 8;
    }
    if (i == n_groups) return;
    /* Fewer than 8 groups left. When the buffers are disjoint, encode the
     * last 8 groups again as one block ending at the end (the overlap gets
     * the same characters again); otherwise (say the input sits at the end
     * of the output buffer, which the scalar loop allows) input already
     * overwritten must not be read again: finish with the scalar loop. */
    if (disjoint(src, n_groups * 3, dst, n_groups * 4)) {
        i = n_groups - 8;
        store256(dst + i * 4, enc_block(enc_load(src + i * 3)));
    } else {
        fhxi_scalar_encode_groups(src + i * 3, n_groups - i, dst + i * 4);
    }
}

/* ==== Decoding and validation ========================================== */

/* Bit sets for validation: each high nibble has one class bit; the table
 * of the low nibble holds the classes for which (high, low) is not an
 * alphabet character. Classes: 0x01 high 0, 1, 8..15 (no character valid);
 * 0x02 high 2 (only '+' 0x2B and '/' 0x2F); 0x04 high 3 (digits 0x30..
 * 0x39); 0x08 high 4 and 6 (0x41..0x4F, 0x61..0x6F); 0x10 high 5 and 7
 * (0x50..0x5A, 0x70..0x7A). */
#define LUT_LO                                                              \
    0x0B, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x07, 0x15, \
        0x17, 0x17, 0x17, 0x15
#define LUT_HI                                                              \
    0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x08, 0x10, 0x01, 0x01, 0x01, 0x01, \
        0x01, 0x01, 0x01, 0x01
/* Offset from character to value by high nibble; '/' (0x2F) is looked up
 * at index 1 (its high nibble minus 1), '+' at 2. */
#define LUT_ROLL                                                            \
    0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0

/* The 6-bit values of 32 characters; *bad gets a non-zero byte for every
 * character outside the alphabet. */
static inline __m256i dec_values(__m256i in, __m256i *bad) {
    const __m256i lut_lo = _mm256_setr_epi8(LUT_LO, LUT_LO);
    const __m256i lut_hi = _mm256_setr_epi8(LUT_HI, LUT_HI);
    const __m256i lut_roll = _mm256_setr_epi8(LUT_ROLL, LUT_ROLL);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nib);
    __m256i lo = _mm256_and_si256(in, nib);
    __m256i slash = _mm256_cmpeq_epi8(in, _mm256_set1_epi8('/'));
    __m256i roll;

    *bad = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo),
                            _mm256_shuffle_epi8(lut_hi, hi));
    roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(slash, hi));
    return _mm256_add_epi8(in, roll);
}

/* Pack 32 values (4 per 32-bit lane, first most significant) into 24
 * bytes and store exactly those at dst. */
static inline void dec_store(__m256i v, uint8_t *dst) {
    /* (v0, v1) -> v0 * 64 + v1 per 16-bit word; then word pairs
     * (w0, w1) -> w0 * 4096 + w1: 24 bits per lane, v0 on top. */
    const __m256i mul_pairs = _mm256_set1_epi32(0x01400140);
    const __m256i mul_words = _mm256_set1_epi32(0x00011000);
    /* The 3 bytes of each lane, most significant first, 12 per half. */
    const __m256i pack = _mm256_setr_epi8(
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    __m256i w = _mm256_maddubs_epi16(v, mul_pairs);
    __m256i d = _mm256_madd_epi16(w, mul_words);
    d = _mm256_shuffle_epi8(d, pack);
    d = _mm256_permutevar8x32_epi32(d, join);
    store128(dst, _mm256_castsi256_si128(d));
    store64(dst + 16, _mm256_extracti128_si256(d, 1));
}

static size_t avx2_decode_quanta(const char *src, size_t n_quanta,
                                 uint8_t *dst) {
    size_t i = 0; /* quanta done */
    __m256i a, b, bad_a, bad_b;

    for (;;) {
        /* Two blocks (16 quanta) per step, both validated before either
         * is stored. */
        while (n_quanta - i >= 16) {
            a = dec_values(load256(src + i * 4), &bad_a);
            b = dec_values(load256(src + i * 4 + 32), &bad_b);
            if (!_mm256_testz_si256(_mm256_or_si256(bad_a, bad_b),
                                    _mm256_or_si256(bad_a, bad_b)))
                break;
            dec_store(a, dst + i * 3);
            dec_store(b, dst + i * 3 + 24);
            i += 16;
        }
        if (n_quanta - i < 8) break;
        /* One block: the last one, or the first of a pair with an error. */
        a = dec_values(load256(src + i * 4), &bad_a);
        if (_mm256_testz_si256(bad_a, bad_a)) {
            dec_store(a, dst + i * 3);
            i += 8;
        } else {
            size_t k = fhxi_scalar_decode_quanta(src + i * 4, 8, dst + i * 3);
            i += k;
            if (k < 8) return i;
        }
    }
    if (i == n_quanta) return i;
    /* Fewer than 8 quanta left. With at least one block and disjoint
     * buffers, decode the last 8 quanta again as one block ending at the
     * end (the overlap gets the same bytes again) when it is valid. In
     * place, the input before the tail is overwritten: scalar tail. */
    if (n_quanta >= 8 &&
        disjoint(src, n_quanta * 4, dst, n_quanta * 3)) {
        size_t j = n_quanta - 8;
        a = dec_values(load256(src + j * 4), &bad_a);
        if (_mm256_testz_si256(bad_a, bad_a)) {
            dec_store(a, dst + j * 3);
            return n_quanta;
        }
    }
    return i + fhxi_scalar_decode_quanta(src + i * 4, n_quanta - i,
                                         dst + i * 3);
}

static size_t avx2_validate_quanta(const char *src, size_t n_quanta) {
    size_t i = 0; /* quanta known valid */
    __m256i bad;

    for (;;) {
        /* Four blocks (32 quanta, 128 characters) per step. */
        while (n_quanta - i >= 32) {
            __m256i b0, b1, b2, b3;
            (void)dec_values(load256(src + i * 4), &b0);
            (void)dec_values(load256(src + i * 4 + 32), &b1);
            (void)dec_values(load256(src + i * 4 + 64), &b2);
            (void)dec_values(load256(src + i * 4 + 96), &b3);
            b0 = _mm256_or_si256(_mm256_or_si256(b0, b1),
                                 _mm256_or_si256(b2, b3));
            if (!_mm256_testz_si256(b0, b0)) break;
            i += 32;
        }
        if (n_quanta - i < 8) break;
        (void)dec_values(load256(src + i * 4), &bad);
        if (_mm256_testz_si256(bad, bad)) {
            i += 8;
        } else {
            size_t k = fhxi_scalar_validate_quanta(src + i * 4, 8);
            i += k;
            if (k < 8) return i;
        }
    }
    if (i == n_quanta) return i;
    /* Fewer than 8 quanta left: check the last 8 as one block ending at
     * the end; on an error, the scalar loop finds the exact quantum. */
    if (n_quanta >= 8) {
        (void)dec_values(load256(src + (n_quanta - 8) * 4), &bad);
        if (_mm256_testz_si256(bad, bad)) return n_quanta;
    }
    return i + fhxi_scalar_validate_quanta(src + i * 4, n_quanta - i);
}

/* ==== String scan ====================================================== */

/* Bit i set when byte i of v is '"', '\\', below 0x20, or (utf8) at or
 * above 0x80. utf8 is a constant in each caller after inlining. */
static inline uint32_t scan_mask(__m256i v, int utf8) {
    __m256i q = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'));
    __m256i bs = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'));
    __m256i ctl;
    if (utf8) /* signed: below 0x20, or 0x80..0xFF (negative) */
        ctl = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v);
    else /* unsigned v <= 0x1F */
        ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)),
                                v);
    return (uint32_t)_mm256_movemask_epi8(
        _mm256_or_si256(_mm256_or_si256(q, bs), ctl));
}

static inline size_t scan_impl(const char *p, size_t len, int utf8) {
    size_t i = 0;
    uint32_t m;

    if (len < 32) return fhxi_scalar_scan_string(p, len, utf8);
    /* Two blocks per step while there are two. */
    for (; len - i >= 64; i += 64) {
        uint32_t m0 = scan_mask(load256(p + i), utf8);
        uint32_t m1 = scan_mask(load256(p + i + 32), utf8);
        if (m0) return i + lowest_bit(m0);
        if (m1) return i + 32 + lowest_bit(m1);
    }
    if (len - i >= 32) {
        m = scan_mask(load256(p + i), utf8);
        if (m) return i + lowest_bit(m);
        i += 32;
    }
    /* The last block ends at len: its bytes before i were found clean, so
     * its first set bit is the first special byte at or after i. */
    if (i < len) {
        m = scan_mask(load256(p + len - 32), utf8);
        if (m) return len - 32 + lowest_bit(m);
    }
    return len;
}

static size_t avx2_scan_string(const char *p, size_t len, int utf8) {
    return utf8 ? scan_impl(p, len, 1) : scan_impl(p, len, 0);
}

const fhxi_kernel fhxi_kernel_avx2 = {
    "avx2",
    avx2_encode_groups,
    avx2_decode_quanta,
    avx2_validate_quanta,
    avx2_scan_string,
};
