/*
 * libfirehose-xform: the AVX-512 VBMI kernel.
 *
 * Compiled with -mavx512f -mavx512bw -mavx512vbmi and nothing else. Uses
 * only 512-bit instructions of AVX-512F, AVX-512BW and AVX-512 VBMI, plus
 * the AVX/AVX2 and earlier instructions those flags let the compiler emit;
 * no AVX-512VL (no EVEX-encoded 128/256-bit operation is written here, and
 * without -mavx512vl the compiler cannot emit one).
 *
 * Required at run time (isa.c checks all of it before selecting "avx512"):
 *   CPUID.1:ECX.OSXSAVE[27] and CPUID.1:ECX.AVX[28],
 *   CPUID.7.0:EBX.AVX2[5], .AVX512F[16], .AVX512BW[30],
 *   CPUID.7.0:ECX.AVX512_VBMI[1],
 *   XCR0 bits 1, 2, 5, 6, 7 set (SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM).
 * (gcc's -mavx512f also implies POPCNT and clang's FMA and F16C; this file
 * uses none of them: integer code only, no popcount. __builtin_ctzll is
 * emitted as BSF or as TZCNT, whose encoding runs as BSF on CPUs without
 * BMI1, and is only applied to non-zero values.)
 *
 * The algorithms are those of W. Mula and D. Lemire, "Base64 encoding and
 * decoding at almost the speed of a memory copy" (arXiv:1910.05109):
 *
 *   encoding, 48 bytes to 64 characters per block: VPERMB spreads each
 *   group of 3 bytes a, b, c to the 4 bytes b, a, c, b of a 32-bit lane;
 *   VPMULTISHIFTQB extracts the four 6-bit fields of each group into the
 *   low bits of 4 bytes; VPERMB looks them up in the 64-byte alphabet
 *   (it only uses the low 6 bits of each index, so nothing is masked).
 *
 *   decoding, 64 characters to 48 bytes per block: VPERMI2B looks every
 *   character up in the first 128 entries of fhxi_b64_dec_table (the low
 *   7 bits of each byte index the two 64-byte halves); the value is 0..63
 *   or 0xFF, so the sign bits of (value | character) flag exactly the
 *   bytes outside the alphabet, non-ASCII bytes included (VPMOVB2M);
 *   VPMADDUBSW and VPMADDWD pack 4 sextets into 24 bits per 32-bit lane;
 *   VPERMB compacts the 16 lanes to 48 bytes, most significant first.
 *
 * Exactness (kernel.h): the first flagged byte of a block gives the first
 * invalid quantum (index / 4), so decoding stores exactly the quanta
 * before it and returns the same count as the scalar loop. Tails use
 * masked loads (AVX-512 suppresses faults on masked-out bytes; the
 * zeroed lanes are masked out of every result, though a zero byte is
 * flagged anyway, at the end, where it changes nothing) and masked stores, so
 * nothing outside [src, src + n) is read and nothing outside the decoded
 * or encoded output is written, for every length and alignment.
 *
 * The loops walk a pointer and a count, not an index: with src + 4 * i
 * forms, clang 14 with -fsanitize=address,undefined (at -O1/-O2 in
 * scan_string, at -O3 in validate_quanta) aborts in its back end with
 * "Cannot emit physreg copy instruction" (an LLVM opmask-copy bug,
 * triggered through the pointer-overflow check). No pointer arithmetic
 * happens for a zero length, so a NULL pointer is then fine.
 *
 * In place (dst == src, or any dst <= src): each block is loaded whole
 * before its 48 output bytes are stored, and block k stores into
 * [dst + 48k, dst + 48k + 48), which ends before src + 64k + 64, the
 * first byte not yet read.
 */
#include "internal.h"

#include <immintrin.h>

#include "kernel.h"

/* Mask of the low n bytes of a 64-byte vector, 0 <= n <= 64. */
static inline __mmask64 low_bytes(size_t n) {
    return n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
}

/* Index of the lowest set bit of m (m != 0). */
static inline size_t lowest(__mmask64 m) {
    return (size_t)__builtin_ctzll(m);
}

/* ---- encoding ---- */

/* VPERMB indices: group i (bytes 3i, 3i+1, 3i+2 = a, b, c) to lane i as
 * the bytes b, a, c, b, i.e. the 32-bit value b | a << 8 | c << 16 |
 * b << 24. */
_Alignas(64) static const uint8_t enc_spread[64] = {
    1,  0,  2,  1,  4,  3,  5,  4,  7,  6,  8,  7,  10, 9,  11, 10,
    13, 12, 14, 13, 16, 15, 17, 16, 19, 18, 20, 19, 22, 21, 23, 22,
    25, 24, 26, 25, 28, 27, 29, 28, 31, 30, 32, 31, 34, 33, 35, 34,
    37, 36, 38, 37, 40, 39, 41, 40, 43, 42, 44, 43, 46, 45, 47, 46,
};

/* VPMULTISHIFTQB bit offsets for the two lanes of each 64-bit element:
 * in the lane b | a << 8 | c << 16 | b << 24 the sextets are
 *   s0 = a >> 2                 bits 10..15  (offset 10)
 *   s1 = (a & 3) << 4 | b >> 4  bits  4..9   (offset 4)
 *   s2 = (b & 15) << 2 | c >> 6 bits 22..27  (offset 22)
 *   s3 = c & 63                 bits 16..21  (offset 16)
 * and 32 more for the upper lane. Byte j of the control is the offset of
 * output byte j: 10, 4, 22, 16, 42, 36, 54, 48. */
#define ENC_SHIFTS 0x3036242A1016040ALL

/* Encode the 16 groups of the low 48 bytes of in to 64 characters. */
static inline __m512i enc_block(__m512i in, __m512i spread, __m512i shifts,
                                __m512i alphabet) {
    __m512i lanes = _mm512_permutexvar_epi8(spread, in);
    __m512i sextets = _mm512_multishift_epi64_epi8(shifts, lanes);
    return _mm512_permutexvar_epi8(sextets, alphabet);
}

static void avx512_encode_groups(const uint8_t *src, size_t n_groups,
                                 char *dst) {
    const __m512i spread = _mm512_load_si512((const void *)enc_spread);
    const __m512i shifts = _mm512_set1_epi64(ENC_SHIFTS);
    const __m512i alphabet =
        _mm512_loadu_si512((const void *)fhxi_b64_enc_alphabet);
    size_t left = n_groups;

    /* Full 64-byte loads (of which 48 bytes are used) while at least 64
     * input bytes remain: 3 * 22 >= 64. */
    while (left >= 22) {
        __m512i in = _mm512_loadu_si512((const void *)src);
        _mm512_storeu_si512((void *)dst,
                            enc_block(in, spread, shifts, alphabet));
        src += 48;
        dst += 64;
        left -= 16;
    }
    /* The last 1..21 groups: masked loads and stores of exactly 3g bytes
     * and 4g characters. */
    while (left > 0) {
        size_t g = left < 16 ? left : 16;
        __m512i in = _mm512_maskz_loadu_epi8(low_bytes(3 * g),
                                             (const void *)src);
        _mm512_mask_storeu_epi8((void *)dst, low_bytes(4 * g),
                                enc_block(in, spread, shifts, alphabet));
        src += 3 * g;
        dst += 4 * g;
        left -= g;
    }
}

/* ---- decoding and validation ---- */

/* VPERMB indices: the 24-bit value of lane g (byte 0 its least
 * significant) to the 3 output bytes 3g..3g+2, most significant first.
 * Bytes 48..63 are not stored. */
_Alignas(64) static const uint8_t dec_compact[64] = {
    2,  1,  0,  6,  5,  4,  10, 9,  8,  14, 13, 12, 18, 17, 16, 22,
    21, 20, 26, 25, 24, 30, 29, 28, 34, 33, 32, 38, 37, 36, 42, 41,
    40, 46, 45, 44, 50, 49, 48, 54, 53, 52, 58, 57, 56, 62, 61, 60,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

/* The first 128 entries of fhxi_b64_dec_table, as two vectors. */
typedef struct dec_consts {
    __m512i lo, hi;
} dec_consts;

static inline dec_consts dec_load_consts(void) {
    dec_consts c;
    c.lo = _mm512_loadu_si512((const void *)fhxi_b64_dec_table);
    c.hi = _mm512_loadu_si512((const void *)(fhxi_b64_dec_table + 64));
    return c;
}

/* Table values (0..63 or 0xFF) of the 64 characters of in; the bytes of
 * in outside the alphabet are those with the sign bit set in
 * (values | in). */
static inline __m512i dec_lookup(__m512i in, dec_consts c) {
    return _mm512_permutex2var_epi8(c.lo, in, c.hi);
}

/* Mask of the bytes of in outside the alphabet, given their values. */
static inline __mmask64 dec_bad(__m512i in, __m512i values) {
    return _mm512_movepi8_mask(_mm512_or_si512(values, in));
}

/* Pack 16 quanta of sextets into 48 bytes (the low 48 of the result). */
static inline __m512i dec_pack(__m512i values, __m512i compact) {
    /* [s0, s1] -> s0 << 6 | s1 in each 16-bit element. */
    __m512i pairs =
        _mm512_maddubs_epi16(values, _mm512_set1_epi32(0x01400140));
    /* [p0, p1] -> p0 << 12 | p1 in each 32-bit element: 24 bits. */
    __m512i lanes = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
    return _mm512_permutexvar_epi8(compact, lanes);
}

#define DEC_STORE_48 (((__mmask64)1 << 48) - 1)

static size_t avx512_decode_quanta(const char *src, size_t n_quanta,
                                   uint8_t *dst) {
    const dec_consts c = dec_load_consts();
    const __m512i compact = _mm512_load_si512((const void *)dec_compact);
    size_t left = n_quanta; /* quanta still to decode */

    while (left >= 16) {
        __m512i in = _mm512_loadu_si512((const void *)src);
        __m512i values = dec_lookup(in, c);
        __mmask64 bad = dec_bad(in, values);
        __m512i out = dec_pack(values, compact);
        if (FHXI_UNLIKELY(bad != 0)) {
            size_t k = lowest(bad) / 4; /* valid quanta in this block */
            _mm512_mask_storeu_epi8((void *)dst, low_bytes(3 * k), out);
            return n_quanta - left + k;
        }
        _mm512_mask_storeu_epi8((void *)dst, DEC_STORE_48, out);
        src += 64;
        dst += 48;
        left -= 16;
    }
    if (left > 0) { /* 1..15 quanta */
        __mmask64 loaded = low_bytes(4 * left);
        __m512i in = _mm512_maskz_loadu_epi8(loaded, (const void *)src);
        __m512i values = dec_lookup(in, c);
        __mmask64 bad = dec_bad(in, values) & loaded;
        __m512i out = dec_pack(values, compact);
        size_t k = bad != 0 ? lowest(bad) / 4 : left;
        _mm512_mask_storeu_epi8((void *)dst, low_bytes(3 * k), out);
        return n_quanta - left + k;
    }
    return n_quanta;
}

static size_t avx512_validate_quanta(const char *src, size_t n_quanta) {
    const dec_consts c = dec_load_consts();
    size_t left = n_quanta; /* quanta still to validate */

    /* 4 blocks (256 characters) per step, one test for all of them; the
     * step that fails is redone block by block below to find the exact
     * quantum. */
    while (left >= 64) {
        __m512i a = _mm512_loadu_si512((const void *)src);
        __m512i b = _mm512_loadu_si512((const void *)(src + 64));
        __m512i d = _mm512_loadu_si512((const void *)(src + 128));
        __m512i e = _mm512_loadu_si512((const void *)(src + 192));
        /* 0xFE: A | B | C. */
        __m512i ab =
            _mm512_ternarylogic_epi32(a, b, dec_lookup(a, c), 0xFE);
        __m512i de =
            _mm512_ternarylogic_epi32(d, e, dec_lookup(d, c), 0xFE);
        __m512i all = _mm512_ternarylogic_epi32(ab, de, dec_lookup(b, c),
                                                0xFE);
        all = _mm512_or_si512(all, dec_lookup(e, c));
        if (FHXI_UNLIKELY(_mm512_movepi8_mask(all) != 0)) break;
        src += 256;
        left -= 64;
    }
    while (left >= 16) {
        __m512i in = _mm512_loadu_si512((const void *)src);
        __mmask64 bad = dec_bad(in, dec_lookup(in, c));
        if (FHXI_UNLIKELY(bad != 0))
            return n_quanta - left + lowest(bad) / 4;
        src += 64;
        left -= 16;
    }
    if (left > 0) { /* 1..15 quanta */
        __mmask64 loaded = low_bytes(4 * left);
        __m512i in = _mm512_maskz_loadu_epi8(loaded, (const void *)src);
        __mmask64 bad = dec_bad(in, dec_lookup(in, c)) & loaded;
        if (bad != 0) return n_quanta - left + lowest(bad) / 4;
    }
    return n_quanta;
}

/* ---- JSON string scan ---- */

/* 0x80 for the ASCII bytes that end the fast path of a JSON string:
 * control characters, '"' (0x22) and '\\' (0x5C); 0 otherwise. */
_Alignas(64) static const uint8_t scan_table[128] = {
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, /* 0x00 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, /* 0x08 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, /* 0x10 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, /* 0x18 */
    0,    0,    0x80, 0,    0,    0,    0,    0,    /* 0x20 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x28 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x30 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x38 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x40 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x48 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x50 */
    0,    0,    0,    0,    0x80, 0,    0,    0,    /* 0x58 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x60 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x68 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x70 */
    0,    0,    0,    0,    0,    0,    0,    0,    /* 0x78 */
};

typedef struct scan_consts {
    __m512i lo, hi, mode; /* mode: 0xFF bytes when utf8, else 0 */
} scan_consts;

/* Sign bit set in each byte of in that needs a closer look. VPERMI2B
 * looks up the low 7 bits of each byte; a byte >= 0x80 is special in
 * utf8 mode (table value | byte) and never otherwise (table value &
 * ~byte): one VPTERNLOGD, 0xE4 = mode ? (t | in) : (t & ~in). */
static inline __m512i scan_flags(__m512i in, scan_consts k) {
    __m512i t = _mm512_permutex2var_epi8(k.lo, in, k.hi);
    return _mm512_ternarylogic_epi32(k.mode, t, in, 0xE4);
}

static size_t avx512_scan_string(const char *p, size_t len, int utf8) {
    const char *s = p;
    size_t left = len;
    scan_consts k;
    __mmask64 m;

    k.lo = _mm512_load_si512((const void *)scan_table);
    k.hi = _mm512_load_si512((const void *)(scan_table + 64));
    k.mode = _mm512_set1_epi32(utf8 ? -1 : 0);

    /* The first block alone: most strings of an event (recordIds, keys,
     * metadata, small payloads) end inside it, and the 4-block step below
     * would look at 256 bytes to find them. */
    if (left >= 64) {
        m = _mm512_movepi8_mask(
            scan_flags(_mm512_loadu_si512((const void *)s), k));
        if (m != 0) return lowest(m);
        s += 64;
        left -= 64;
    }
    /* 4 blocks per step, one test; the failing step is redone block by
     * block below. */
    while (left >= 256) {
        __m512i a = scan_flags(_mm512_loadu_si512((const void *)s), k);
        __m512i b =
            scan_flags(_mm512_loadu_si512((const void *)(s + 64)), k);
        __m512i d =
            scan_flags(_mm512_loadu_si512((const void *)(s + 128)), k);
        __m512i e =
            scan_flags(_mm512_loadu_si512((const void *)(s + 192)), k);
        __m512i all =
            _mm512_or_si512(_mm512_ternarylogic_epi32(a, b, d, 0xFE), e);
        if (_mm512_movepi8_mask(all) != 0) break;
        s += 256;
        left -= 256;
    }
    while (left >= 64) {
        m = _mm512_movepi8_mask(
            scan_flags(_mm512_loadu_si512((const void *)s), k));
        if (m != 0) return len - left + lowest(m);
        s += 64;
        left -= 64;
    }
    if (left > 0) {
        __mmask64 loaded = low_bytes(left);
        __m512i in = _mm512_maskz_loadu_epi8(loaded, (const void *)s);
        m = _mm512_movepi8_mask(scan_flags(in, k)) & loaded;
        if (m != 0) return len - left + lowest(m);
    }
    return len;
}

const fhxi_kernel fhxi_kernel_avx512 = {
    "avx512",
    avx512_encode_groups,
    avx512_decode_quanta,
    avx512_validate_quanta,
    avx512_scan_string,
};
