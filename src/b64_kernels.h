/*
 * libfirehose-xform: the base64 kernel seam (private).
 *
 * A kernel handles whole blocks only; the shared code in b64.c owns
 * padding, partial quanta, streaming state and the exact location of
 * errors. Every kernel must give output byte-identical to the scalar one
 * and read/write only inside the buffers given.
 */
#ifndef FHX_B64_KERNELS_H
#define FHX_B64_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef struct fhxi_b64_kernel {
    const char *name;
    /* Encode n_groups groups of 3 bytes into 4 characters each. */
    void (*encode_groups)(const uint8_t *src, size_t n_groups, char *dst);
    /* Decode up to n_quanta quanta of 4 characters (no padding) into 3
     * bytes each; stop before the first quantum holding a character outside
     * the alphabet. Returns the number of quanta decoded. */
    size_t (*decode_quanta)(const char *src, size_t n_quanta, uint8_t *dst);
} fhxi_b64_kernel;

/* The portable kernel (b64_scalar.c). */
extern const fhxi_b64_kernel fhxi_b64_kernel_scalar;

/* The active kernel (isa.c); resolved once, on first use. */
const fhxi_b64_kernel *fhxi_b64_active(void);

/* Decoding table: value 0..63 for alphabet characters, 0xFF otherwise
 * (b64_scalar.c). */
extern const uint8_t fhxi_b64_dec_table[256];
/* Encoding alphabet (b64_scalar.c). */
extern const char fhxi_b64_enc_alphabet[64];

#endif /* FHX_B64_KERNELS_H */
