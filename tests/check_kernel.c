/*
 * Suite "kernel": every SIMD kernel this build and this CPU support gives
 * the scalar kernel's results, on every length and alignment, with its
 * buffers placed against PROT_NONE guard pages so that a read or write one
 * byte outside them faults at once. Then the same through the public API
 * (fhx_isa_force), errors and offsets included.
 *
 * FHX_TEST_LIGHT=1 (valgrind runs) shortens the loops.
 */
#define _DEFAULT_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check_util.h"
#include "../src/kernel.h"

/* ---- guarded buffers ------------------------------------------------- */

/* A mapping of `pages` usable pages between two PROT_NONE pages. */
typedef struct guarded {
    uint8_t *map;
    size_t map_len;
    uint8_t *lo, *hi; /* first and one-past-last usable byte */
} guarded;

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static guarded guarded_new(size_t min_len) {
    guarded g;
    size_t ps = page_size();
    size_t pages = (min_len + 64 + ps - 1) / ps;
    void *m;
    g.map_len = (pages + 2) * ps;
    m = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    g.map = m;
    ck_assert_int_eq(mprotect(g.map, ps, PROT_NONE), 0);
    ck_assert_int_eq(mprotect(g.map + (pages + 1) * ps, ps, PROT_NONE), 0);
    g.lo = g.map + ps;
    g.hi = g.map + (pages + 1) * ps;
    return g;
}

static void guarded_free(guarded *g) { munmap(g->map, g->map_len); }

/* n bytes ending exactly at the upper guard page. */
static uint8_t *at_end(const guarded *g, size_t n) { return g->hi - n; }

/* n bytes starting `align` bytes after the lower guard page. */
static uint8_t *at_start(const guarded *g, size_t align) {
    return g->lo + align;
}

/* ---- inputs ------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static void fill_random(uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)rnd();
}

static void fill_b64(uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)fhxi_b64_enc_alphabet[rnd() & 63];
}

static int light(void) {
    const char *l = getenv("FHX_TEST_LIGHT");
    return l && *l == '1';
}

/* The SIMD kernels this build and CPU run (scalar excluded). */
static const fhxi_kernel *kernel_of(fhx_isa isa) {
    switch (isa) {
#if defined(FHX_KERNEL_AVX2)
    case FHX_ISA_AVX2: return &fhxi_kernel_avx2;
#endif
#if defined(FHX_KERNEL_AVX512)
    case FHX_ISA_AVX512: return &fhxi_kernel_avx512;
#endif
#if defined(FHX_KERNEL_NEON)
    case FHX_ISA_NEON: return &fhxi_kernel_neon;
#endif
    default: return NULL;
    }
}

static size_t kernels(const fhxi_kernel **out) {
    size_t n = 0;
    unsigned i;
    for (i = 1; i < FHX_ISA_COUNT; i++) {
        const fhxi_kernel *k = kernel_of((fhx_isa)i);
        if (k && fhx_isa_supported((fhx_isa)i)) out[n++] = k;
    }
    return n;
}

#define MAX_LEN 1100

/* ---- encode ------------------------------------------------------------ */

static void check_encode(const fhxi_kernel *k, size_t groups, size_t align,
                         guarded *in, guarded *out, uint8_t *want) {
    size_t n = groups * 3, m = groups * 4;
    uint8_t *src = align == SIZE_MAX ? at_end(in, n) : at_start(in, align);
    uint8_t *dst;
    fill_random(src, n);
    fhxi_scalar_encode_groups(src, groups, (char *)want);
    dst = align == SIZE_MAX ? at_end(out, m) : at_start(out, (align * 7) % 64);
    memset(dst, 0xAA, m);
    k->encode_groups(src, groups, (char *)dst);
    ck_assert_msg(memcmp(dst, want, m) == 0, "%s encode: %zu groups, align %zu",
                  k->name, groups, align);
}

START_TEST(encode_matches_scalar) {
    const fhxi_kernel *ks[FHX_ISA_COUNT];
    size_t nk = kernels(ks), i, g, a, step = light() ? 37 : 1;
    guarded in = guarded_new(MAX_LEN), out = guarded_new(MAX_LEN * 2);
    uint8_t *want = malloc(MAX_LEN * 2);
    ck_assert_ptr_nonnull(want);
    for (i = 0; i < nk; i++)
        for (g = 0; g * 3 <= MAX_LEN; g += step) {
            check_encode(ks[i], g, SIZE_MAX, &in, &out, want);
            for (a = 0; a < 64; a += light() ? 13 : 1)
                check_encode(ks[i], g, a, &in, &out, want);
        }
    free(want);
    guarded_free(&in);
    guarded_free(&out);
}
END_TEST

/* ---- decode and validate ------------------------------------------------ */

/* Decode src (n quanta) with k and the scalar kernel; compare the count,
 * the output, validate_quanta, and in-place decoding. */
static void check_decode(const fhxi_kernel *k, const uint8_t *src,
                         size_t nq, guarded *out, guarded *work,
                         uint8_t *want, const char *what, size_t at) {
    size_t want_n, got, v;
    uint8_t *dst = at_end(out, nq * 3), *ip;
    want_n = fhxi_scalar_decode_quanta((const char *)src, nq, want);
    memset(dst, 0xAA, nq * 3);
    got = k->decode_quanta((const char *)src, nq, dst);
    ck_assert_msg(got == want_n, "%s decode %s: %zu quanta, at %zu: %zu != %zu",
                  k->name, what, nq, at, got, want_n);
    ck_assert_msg(memcmp(dst, want, want_n * 3) == 0,
                  "%s decode %s: %zu quanta, at %zu: output differs",
                  k->name, what, nq, at);
    v = k->validate_quanta((const char *)src, nq);
    ck_assert_msg(v == want_n, "%s validate %s: %zu quanta at %zu: %zu != %zu",
                  k->name, what, nq, at, v, want_n);
    /* in place, the buffer ending at the guard page */
    ip = at_end(work, nq * 4);
    memcpy(ip, src, nq * 4);
    got = k->decode_quanta((const char *)ip, nq, ip);
    ck_assert_msg(got == want_n && memcmp(ip, want, want_n * 3) == 0,
                  "%s in-place decode %s: %zu quanta at %zu", k->name, what,
                  nq, at);
}

START_TEST(decode_matches_scalar) {
    const fhxi_kernel *ks[FHX_ISA_COUNT];
    size_t nk = kernels(ks), i, nq, a, step = light() ? 29 : 1;
    guarded in = guarded_new(MAX_LEN), out = guarded_new(MAX_LEN),
            work = guarded_new(MAX_LEN);
    uint8_t *want = malloc(MAX_LEN);
    ck_assert_ptr_nonnull(want);
    for (i = 0; i < nk; i++)
        for (nq = 0; nq * 4 <= MAX_LEN; nq += step) {
            uint8_t *src = at_end(&in, nq * 4);
            fill_b64(src, nq * 4);
            check_decode(ks[i], src, nq, &out, &work, want, "valid", 0);
            for (a = 1; a < 64; a += light() ? 13 : 1) {
                src = at_start(&in, a);
                fill_b64(src, nq * 4);
                check_decode(ks[i], src, nq, &out, &work, want, "aligned", a);
            }
        }
    free(want);
    guarded_free(&in);
    guarded_free(&out);
    guarded_free(&work);
}
END_TEST

/* Every byte outside the alphabet, at every position of short inputs and
 * at sampled positions of long ones. */
START_TEST(decode_stops_at_every_invalid_byte) {
    const fhxi_kernel *ks[FHX_ISA_COUNT];
    size_t nk = kernels(ks), i, nq, pos;
    unsigned c;
    guarded in = guarded_new(MAX_LEN), out = guarded_new(MAX_LEN),
            work = guarded_new(MAX_LEN);
    uint8_t *want = malloc(MAX_LEN);
    ck_assert_ptr_nonnull(want);
    for (i = 0; i < nk; i++)
        for (nq = 1; nq <= (light() ? 20u : 80u); nq += light() ? 7 : 1) {
            size_t n = nq * 4;
            uint8_t *src = at_end(&in, n);
            for (pos = 0; pos < n; pos += (n > 100 ? 3 : 1))
                for (c = 0; c < 256; c++) {
                    if (fhxi_b64_dec_table[c] != 0xFF) continue;
                    if (light() && c % 17 != 0 && c != '=') continue;
                    fill_b64(src, n);
                    src[pos] = (uint8_t)c;
                    check_decode(ks[i], src, nq, &out, &work, want,
                                 "invalid", pos);
                }
        }
    free(want);
    guarded_free(&in);
    guarded_free(&out);
    guarded_free(&work);
}
END_TEST

/* ---- JSON string scan ------------------------------------------------- */

static const uint8_t specials[] = {'"', '\\', 0x00, 0x01, 0x1F, 0x80, 0xC3,
                                   0xFF};

START_TEST(scan_matches_scalar) {
    const fhxi_kernel *ks[FHX_ISA_COUNT];
    size_t nk = kernels(ks), i, n, pos, s, step = light() ? 23 : 1;
    int utf8;
    guarded in = guarded_new(MAX_LEN);
    for (i = 0; i < nk; i++)
        for (utf8 = 0; utf8 <= 1; utf8++)
            for (n = 0; n <= (light() ? 300u : 700u); n += step) {
                uint8_t *p = at_end(&in, n);
                size_t want, got;
                fill_b64(p, n);
                want = fhxi_scalar_scan_string((const char *)p, n, utf8);
                got = ks[i]->scan_string((const char *)p, n, utf8);
                ck_assert_msg(got == want && want == n,
                              "%s scan clean %zu: %zu != %zu", ks[i]->name, n,
                              got, want);
                for (pos = 0; pos < n; pos += (n > 200 ? 7 : 1))
                    for (s = 0; s < sizeof specials; s++) {
                        p = (pos & 1) ? at_start(&in, pos % 64) : at_end(&in, n);
                        fill_b64(p, n);
                        p[pos] = specials[s];
                        /* a second special later must not matter */
                        if (pos + 5 < n) p[pos + 5] = '"';
                        want = fhxi_scalar_scan_string((const char *)p, n,
                                                       utf8);
                        got = ks[i]->scan_string((const char *)p, n, utf8);
                        ck_assert_msg(got == want,
                                      "%s scan utf8=%d len %zu byte 0x%02x "
                                      "at %zu: %zu != %zu",
                                      ks[i]->name, utf8, n, specials[s], pos,
                                      got, want);
                    }
            }
    guarded_free(&in);
}
END_TEST

/* ---- the public API under every kernel --------------------------------- */

typedef struct api_result {
    int code;
    size_t offset, len;
    uint8_t out[512];
} api_result;

static api_result api_decode(const char *s, size_t n) {
    api_result r;
    fhx_error err;
    memset(&r, 0, sizeof r);
    memset(&err, 0, sizeof err);
    r.code = fhx_b64_decode(s, n, r.out, sizeof r.out, &r.len, &err);
    r.offset = r.code == FHX_OK ? 0 : err.offset;
    return r;
}

/* Inputs that exercise padding, bits and placement rules around SIMD
 * block boundaries. */
START_TEST(api_agrees_under_every_kernel) {
    char buf[400];
    size_t lens[] = {0, 4, 8, 28, 32, 36, 60, 64, 68, 92, 96, 124, 128,
                     132, 188, 192, 256, 260, 384};
    size_t li, pos;
    unsigned isa;
    fhx_isa before = fhx_isa_active();
    const char *tails[] = {"", "=", "==", "A=", "AA==", "AAA=", "AB==",
                           "AAB=", "A", "AA", "AAA", "=AAA", "AA=A", "*AAA"};
    size_t ti;
    for (li = 0; li < sizeof lens / sizeof lens[0]; li++)
        for (ti = 0; ti < sizeof tails / sizeof tails[0]; ti++)
            for (pos = 0; pos <= lens[li]; pos += 5) {
                size_t n = lens[li], tl = strlen(tails[ti]);
                api_result want, got;
                char *in;
                fill_b64((uint8_t *)buf, n);
                if (pos < n && pos % 3 == 0) buf[pos] = '=';
                memcpy(buf + n, tails[ti], tl);
                in = fhxt_dup(buf, n + tl);
                ck_assert_int_eq(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
                want = api_decode(in, n + tl);
                for (isa = 1; isa < FHX_ISA_COUNT; isa++) {
                    if (fhx_isa_force((fhx_isa)isa) != FHX_OK) continue;
                    got = api_decode(in, n + tl);
                    ck_assert_msg(got.code == want.code &&
                                      got.offset == want.offset &&
                                      got.len == want.len &&
                                      memcmp(got.out, want.out, got.len) == 0,
                                  "%s: len %zu tail '%s' pos %zu: code %d/%d "
                                  "offset %zu/%zu",
                                  fhx_isa_name((fhx_isa)isa), n, tails[ti],
                                  pos, got.code, want.code, got.offset,
                                  want.offset);
                }
                free(in);
            }
    ck_assert_int_eq(fhx_isa_force(before), FHX_OK);
}
END_TEST

/* The automatic choice is the best kernel the CPU supports, and FHX_ISA
 * names that are unknown here are refused. */
START_TEST(isa_choice) {
    unsigned i;
    ck_assert_int_eq(fhx_isa_supported(FHX_ISA_SCALAR), 1);
    ck_assert_int_eq(fhx_isa_force((fhx_isa)FHX_ISA_COUNT), FHX_E_ARG);
    ck_assert_str_eq(fhx_isa_name((fhx_isa)99), "unknown");
    for (i = 0; i < FHX_ISA_COUNT; i++) {
        fhx_isa isa = (fhx_isa)i;
        if (fhx_isa_supported(isa)) {
            ck_assert_int_eq(fhx_isa_force(isa), FHX_OK);
            ck_assert_int_eq(fhx_isa_active(), isa);
        } else {
            fhx_isa cur = fhx_isa_active();
            ck_assert_int_eq(fhx_isa_force(isa), FHX_E_ARG);
            ck_assert_int_eq(fhx_isa_active(), cur);
        }
    }
    ck_assert_int_eq(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
}
END_TEST

static Suite *kernel_suite(void) {
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 600);
    ADD_TEST(tc, encode_matches_scalar);
    ADD_TEST(tc, decode_matches_scalar);
    ADD_TEST(tc, decode_stops_at_every_invalid_byte);
    ADD_TEST(tc, scan_matches_scalar);
    ADD_TEST(tc, api_agrees_under_every_kernel);
    ADD_TEST(tc, isa_choice);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    const fhxi_kernel *ks[FHX_ISA_COUNT];
    size_t i, n = kernels(ks);
    fprintf(stderr, "kernels under test:");
    for (i = 0; i < n; i++) fprintf(stderr, " %s", ks[i]->name);
    fprintf(stderr, n ? "\n" : " none (scalar only)\n");
    return fhxt_run_suite(kernel_suite());
}
