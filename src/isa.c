/*
 * libfirehose-xform: choice of the base64 kernel.
 *
 * The kernel is resolved once, at first use: FHX_ISA from the environment
 * when it names a supported kernel, else the best supported kernel in
 * isa_preference. The result is published with a compare-and-swap on an
 * atomic int, so concurrent first callers agree on one winner (each may
 * evaluate the choice, which is a pure function of the environment and the
 * CPU) and fhx_isa_force() is never overridden by a late resolution. No
 * lock, no pthread_once/call_once: <threads.h> is missing from older C
 * libraries (glibc < 2.28, macOS) and pthread_once needs -lpthread on glibc
 * < 2.34.
 *
 * Which kernels are compiled in is decided by configure (m4/fhx_simd.m4),
 * which defines FHX_KERNEL_<ISA> for each one it builds; whether the CPU
 * runs them is decided here, once.
 *
 * Adding a kernel: declare it below, point its isa_table entry at it
 * (under the #if that compiles it) and give it a CPU detection function.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "internal.h"

#include "kernel.h"

#if defined(FHX_KERNEL_AVX2) || defined(FHX_KERNEL_AVX512)
#include <cpuid.h>
#endif
#if defined(FHX_KERNEL_NEON)
#include <sys/auxv.h>
#endif

#if defined(FHX_KERNEL_AVX2) || defined(FHX_KERNEL_AVX512)
/* XCR0: which register state the OS saves on a context switch. */
static uint64_t xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* CPUID leaf 1 and leaf 7 subleaf 0, plus XCR0 when the OS has enabled
 * XSAVE (without OSXSAVE, XGETBV itself is an invalid instruction). */
typedef struct x86_features {
    uint32_t ecx1, ebx7, ecx7;
    uint64_t xcr0;
} x86_features;

static x86_features x86_read(void) {
    x86_features f = {0, 0, 0, 0};
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    f.ecx1 = c;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.ebx7 = b;
        f.ecx7 = c;
    }
    if (f.ecx1 & (1u << 27)) f.xcr0 = xcr0(); /* OSXSAVE */
    return f;
}

/* AVX2: CPUID.1:ECX.AVX[28], CPUID.7.0:EBX.AVX2[5], and the OS saves the
 * SSE and AVX state (XCR0 bits 1 and 2). */
static int x86_avx2_ok(x86_features f) {
    return (f.ecx1 & (1u << 28)) && (f.ebx7 & (1u << 5)) &&
           (f.xcr0 & 0x6) == 0x6;
}
#endif

#if defined(FHX_KERNEL_AVX2)
static int cpu_has_avx2(void) { return x86_avx2_ok(x86_read()); }
#endif

#if defined(FHX_KERNEL_AVX512)
/* AVX-512 VBMI kernel: F (EBX[16]), BW (EBX[30]), VBMI (ECX[1]) on top of
 * AVX2, and the OS saves the opmask and ZMM state (XCR0 bits 5, 6, 7). */
static int cpu_has_avx512(void) {
    x86_features f = x86_read();
    return x86_avx2_ok(f) && (f.ebx7 & (1u << 16)) &&
           (f.ebx7 & (1u << 30)) && (f.ecx7 & (1u << 1)) &&
           (f.xcr0 & 0xE6) == 0xE6;
}
#endif

#if defined(FHX_KERNEL_NEON)
/* AdvSIMD is architectural on aarch64; the kernel still asks the kernel's
 * HWCAP, which is what the Linux ABI promises. */
static int cpu_has_neon(void) {
#if defined(HWCAP_ASIMD)
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#else
    return 1;
#endif
}
#endif

typedef struct isa_entry {
    const char *name;
    /* NULL when the kernel is not compiled into this build. */
    const fhxi_kernel *kernel;
    /* Run-time CPU check; NULL when a compiled-in kernel always runs. */
    int (*cpu_has)(void);
} isa_entry;

/* Indexed by fhx_isa. */
static const isa_entry isa_table[FHX_ISA_COUNT] = {
    /* FHX_ISA_SCALAR */ {"scalar", &fhxi_kernel_scalar, NULL},
#if defined(FHX_KERNEL_AVX2)
    /* FHX_ISA_AVX2 */ {"avx2", &fhxi_kernel_avx2, cpu_has_avx2},
#else
    /* FHX_ISA_AVX2 */ {"avx2", NULL, NULL},
#endif
#if defined(FHX_KERNEL_AVX512)
    /* FHX_ISA_AVX512 */ {"avx512", &fhxi_kernel_avx512, cpu_has_avx512},
#else
    /* FHX_ISA_AVX512 */ {"avx512", NULL, NULL},
#endif
#if defined(FHX_KERNEL_NEON)
    /* FHX_ISA_NEON */ {"neon", &fhxi_kernel_neon, cpu_has_neon},
#else
    /* FHX_ISA_NEON */ {"neon", NULL, NULL},
#endif
};

/* Automatic choice, best first; scalar (always supported) ends it. */
static const fhx_isa isa_preference[] = {
    FHX_ISA_AVX512, FHX_ISA_AVX2, FHX_ISA_NEON, FHX_ISA_SCALAR,
};

/* 1 + the active fhx_isa, or 0 before the first use (zero-initialised:
 * a valid state for a static atomic without ATOMIC_VAR_INIT). */
static atomic_int isa_active;

/* The table entry of isa, or NULL when isa is out of range. */
static const isa_entry *isa_entry_of(fhx_isa isa) {
    unsigned i = (unsigned)isa;
    return i < FHX_ISA_COUNT ? &isa_table[i] : NULL;
}

int fhx_isa_supported(fhx_isa isa) {
    const isa_entry *e = isa_entry_of(isa);
    if (!e || !e->kernel) return 0;
    return e->cpu_has ? e->cpu_has() != 0 : 1;
}

const char *fhx_isa_name(fhx_isa isa) {
    const isa_entry *e = isa_entry_of(isa);
    return e ? e->name : "unknown";
}

/* ASCII case-insensitive equality of two NUL-terminated strings. */
static int name_eq(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return 0;
        if (x == '\0') return 1;
    }
}

/* The kernel to use when nothing was forced. */
static fhx_isa isa_resolve(void) {
    const char *want = getenv("FHX_ISA");
    size_t i;

    if (want && *want) {
        for (i = 0; i < FHX_ISA_COUNT; i++) {
            fhx_isa isa = (fhx_isa)i;
            if (name_eq(want, isa_table[i].name) && fhx_isa_supported(isa))
                return isa;
        }
        /* Unknown or unsupported here: fall back to the automatic choice. */
    }
    for (i = 0; i < sizeof isa_preference / sizeof isa_preference[0]; i++)
        if (fhx_isa_supported(isa_preference[i])) return isa_preference[i];
    return FHX_ISA_SCALAR;
}

/* The active kernel index, resolving it on the first call. */
static unsigned isa_current(void) {
    int cur = atomic_load_explicit(&isa_active, memory_order_acquire);
    int expected = 0;

    if (FHXI_LIKELY(cur > 0)) return (unsigned)(cur - 1);
    cur = 1 + (int)isa_resolve();
    /* Publish unless another thread (or fhx_isa_force) got there first;
     * on failure `expected` holds the value that won. */
    if (!atomic_compare_exchange_strong_explicit(&isa_active, &expected, cur,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        cur = expected;
    return (unsigned)(cur - 1);
}

fhx_isa fhx_isa_active(void) { return (fhx_isa)isa_current(); }

int fhx_isa_force(fhx_isa isa) {
    if (!fhx_isa_supported(isa)) return FHX_E_ARG;
    atomic_store_explicit(&isa_active, 1 + (int)isa, memory_order_release);
    atomic_store_explicit(&fhxi_kernel_cur, isa_table[isa].kernel,
                          memory_order_release);
    return FHX_OK;
}

_Atomic(const fhxi_kernel *) fhxi_kernel_cur;

const fhxi_kernel *fhxi_kernel_resolve(void) {
    const fhxi_kernel *k = isa_table[isa_current()].kernel;
    atomic_store_explicit(&fhxi_kernel_cur, k, memory_order_release);
    return k;
}
