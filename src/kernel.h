/*
 * libfirehose-xform: the instruction-set kernel seam (private).
 *
 * A kernel is the block-at-a-time inner loops of one instruction set:
 * base64 encoding, decoding and validation, and the scan for the end of a
 * JSON string. One kernel per file (kernel_scalar.c, kernel_avx2.c,
 * kernel_avx512.c, kernel_neon.c), each compiled with only its own ISA
 * flags; isa.c picks one at first use (fhxi_kernel_active).
 *
 * Rules every kernel keeps:
 *   - it handles whole blocks only; the shared code in b64.c owns padding,
 *     partial quanta, streaming state and the exact location of errors,
 *     and json.c owns escapes, UTF-8 and error messages;
 *   - its results are identical to the scalar kernel's on every input
 *     (the test suites and fuzzers compare them);
 *   - it reads only [src, src + n) and writes only [dst, dst + n'), for
 *     every length and alignment: no padding bytes around buffers, no
 *     reads past the end "because the page is mapped";
 *   - decode_quanta supports dst == src (in-place decoding): output never
 *     runs ahead of the input that is still to be read.
 */
#ifndef FHX_KERNEL_H
#define FHX_KERNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fhxi_kernel {
    const char *name;
    /* Encode n_groups groups of 3 bytes into 4 characters each. */
    void (*encode_groups)(const uint8_t *src, size_t n_groups, char *dst);
    /* Decode up to n_quanta quanta of 4 characters (no padding) into 3
     * bytes each; stop before the first quantum holding a character outside
     * the alphabet ('=' included). Returns the number of quanta decoded;
     * every quantum before it has been written. */
    size_t (*decode_quanta)(const char *src, size_t n_quanta, uint8_t *dst);
    /* As decode_quanta, writing nothing: the number of leading quanta
     * made only of alphabet characters. */
    size_t (*validate_quanta)(const char *src, size_t n_quanta);
    /* The index of the first byte of p[0, len) that needs a closer look
     * inside a JSON string: '"', '\\', a byte < 0x20, or, when utf8 is
     * non-zero, a byte >= 0x80. len when there is none. */
    size_t (*scan_string)(const char *p, size_t len, int utf8);
} fhxi_kernel;

/* The portable kernel (kernel_scalar.c); always compiled in. */
extern const fhxi_kernel fhxi_kernel_scalar;

/* The SIMD kernels (kernel_avx2.c, kernel_avx512.c, kernel_neon.c); each
 * exists only in builds that compile it (isa.c knows which). */
extern const fhxi_kernel fhxi_kernel_avx2;
extern const fhxi_kernel fhxi_kernel_avx512;
extern const fhxi_kernel fhxi_kernel_neon;

/* The active kernel (isa.c): NULL until the first use resolves it, then
 * the kernel (fhx_isa_force replaces it). */
extern _Atomic(const fhxi_kernel *) fhxi_kernel_cur;
/* Resolve the kernel (first use) and publish it in fhxi_kernel_cur. */
const fhxi_kernel *fhxi_kernel_resolve(void);

/* The active kernel; one load on the hot path. */
static inline const fhxi_kernel *fhxi_kernel_active(void) {
    const fhxi_kernel *k =
        atomic_load_explicit(&fhxi_kernel_cur, memory_order_acquire);
    return k ? k : fhxi_kernel_resolve();
}

/* Decoding table: value 0..63 for alphabet characters, 0xFF otherwise
 * (kernel_scalar.c). SIMD kernels use it for nothing but may. */
extern const uint8_t fhxi_b64_dec_table[256];
/* Encoding alphabet (kernel_scalar.c). */
extern const char fhxi_b64_enc_alphabet[64];

/* The scalar loops, for SIMD kernels to finish a tail with (a kernel
 * whose tail handling is the scalar code cannot disagree with it). */
void fhxi_scalar_encode_groups(const uint8_t *src, size_t n_groups,
                               char *dst);
size_t fhxi_scalar_decode_quanta(const char *src, size_t n_quanta,
                                 uint8_t *dst);
size_t fhxi_scalar_validate_quanta(const char *src, size_t n_quanta);
size_t fhxi_scalar_scan_string(const char *p, size_t len, int utf8);

/* SWAR, 8 bytes per step (the scalar kernel's loop, and json.c's inline
 * look at the first bytes of a string before it calls the kernel): the
 * bytes of x that need a closer look inside a string (quote, backslash,
 * control characters and, when hi_mask is FHXI_SWAR_HIGHS, bytes >= 0x80)
 * get their 0x80 bit set. The lowest flagged byte is always a real one (a
 * borrow only runs upwards, past a real match), so on a little-endian host
 * the count of trailing zero bits finds it (FHXI_SWAR_FIRST, defined only
 * there; elsewhere the caller looks at the word byte by byte). */
#define FHXI_SWAR_ONES ((uint64_t)0x0101010101010101u)
#define FHXI_SWAR_HIGHS ((uint64_t)0x8080808080808080u)
static inline uint64_t fhxi_swar_string_flags(uint64_t x, uint64_t hi_mask) {
    const uint64_t ones = FHXI_SWAR_ONES, highs = FHXI_SWAR_HIGHS;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    q = (q - ones) & ~q & highs;
    b = (b - ones) & ~b & highs;
    return q | b | ((x - ones * 0x20) & ~x & highs) | (x & hi_mask);
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FHXI_SWAR_FIRST(m) ((size_t)__builtin_ctzll(m) / 8)
#endif

#endif /* FHX_KERNEL_H */
