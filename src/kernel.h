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

#endif /* FHX_KERNEL_H */
