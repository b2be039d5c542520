/*
 * libfirehose-xform: instruction-set kernels and their selection.
 *
 * The base64 kernel is chosen once, at first use: the environment variable
 * FHX_ISA (scalar, avx2, avx512, neon) if set to a supported kernel, else
 * the best kernel the CPU supports. fhx_isa_force() overrides the choice for
 * tests and fuzzers (it is not meant to be called while other threads
 * encode or decode). Built kernels: scalar everywhere; AVX2 and AVX-512
 * VBMI on x86-64 and NEON on aarch64 unless configured with --disable-simd
 * (fhx_isa_supported() tells which this build and this CPU have).
 */
#ifndef FHX_ISA_H
#define FHX_ISA_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kernel families. Values are ABI. */
typedef enum fhx_isa {
    FHX_ISA_SCALAR = 0, /**< portable C, always available */
    FHX_ISA_AVX2 = 1,   /**< x86-64 AVX2 */
    FHX_ISA_AVX512 = 2, /**< x86-64 AVX-512 VBMI */
    FHX_ISA_NEON = 3    /**< aarch64 NEON */
} fhx_isa;

/** Number of fhx_isa values (for loops over every kernel). */
#define FHX_ISA_COUNT 4

/** The kernel in use (resolving it on first call). */
FHX_API fhx_isa fhx_isa_active(void);

/** 1 when the kernel is compiled in and the CPU supports it, else 0. */
FHX_API int fhx_isa_supported(fhx_isa isa);

/**
 * Use this kernel from now on.
 * @return FHX_OK, or FHX_E_ARG when it is unknown or not supported (the
 *         active kernel is then unchanged).
 */
FHX_API int fhx_isa_force(fhx_isa isa);

/** "scalar", "avx2", "avx512", "neon", or "unknown". */
FHX_API const char *fhx_isa_name(fhx_isa isa);

#ifdef __cplusplus
}
#endif

#endif /* FHX_ISA_H */
