/*
 * bench_kernels: base64 throughput of every kernel this build and CPU
 * support, beside memcpy and libb64 measured in the same run, on a buffer
 * that stays in cache (64 KiB of binary, 87,384 base64 characters).
 *
 * usage: bench_kernels [-n RUNS] [-s BYTES]
 * Best of RUNS repetitions of a timed loop; GB/s = 10^9 bytes per second
 * of binary data (encode input, decode output), so encode and decode
 * figures compare directly with memcpy of the same binary size.
 * Not a test: it asserts nothing about time, only that every kernel's
 * output equals the scalar kernel's.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <b64/cdecode.h>
#include <b64/cencode.h>

#include "firehose-xform.h"

/* CPU time of this process (user + system, so the page faults of fresh
 * memory count), not wall time: on a shared machine a run preempted by
 * another process is not charged for the wait. */
static double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep results alive so the compiler cannot drop the work. */
static volatile unsigned sink;

typedef void (*work_fn)(void *ctx);

/* Seconds per call of fn: best of runs, each run timing enough calls to
 * last about 2 ms. */
static double best_per_call(work_fn fn, void *ctx, int runs) {
    double best = 1e30, t0, dt;
    size_t reps = 1, i;
    int r;
    /* calibrate */
    for (;;) {
        t0 = now();
        for (i = 0; i < reps; i++) fn(ctx);
        dt = now() - t0;
        if (dt > 0.002 || reps > ((size_t)1 << 24)) break;
        reps *= 2;
    }
    for (r = 0; r < runs; r++) {
        t0 = now();
        for (i = 0; i < reps; i++) fn(ctx);
        dt = (now() - t0) / (double)reps;
        if (dt < best) best = dt;
    }
    return best;
}

typedef struct job {
    uint8_t *bin;   /* n binary bytes */
    size_t n;
    char *text;     /* its base64, m characters */
    size_t m;
    uint8_t *out;   /* decode / copy destination, n (+ slack) bytes */
    char *enc;      /* encode destination, m (+ libb64 line breaks) */
    size_t enc_cap;
} job;

static void do_memcpy(void *c) {
    job *j = c;
    memcpy(j->out, j->bin, j->n);
    sink += j->out[j->n / 2];
}

static void do_encode(void *c) {
    job *j = c;
    size_t len = 0;
    if (fhx_b64_encode(j->bin, j->n, j->enc, j->enc_cap, &len) != FHX_OK)
        abort();
    sink += (unsigned)len;
}

static void do_decode(void *c) {
    job *j = c;
    size_t len = 0;
    if (fhx_b64_decode(j->text, j->m, j->out, j->n, &len, NULL) != FHX_OK)
        abort();
    sink += (unsigned)len;
}

static void do_validate(void *c) {
    job *j = c;
    size_t len = 0;
    if (fhx_b64_validate(j->text, j->m, &len, NULL) != FHX_OK) abort();
    sink += (unsigned)len;
}

static void do_libb64_encode(void *c) {
    job *j = c;
    base64_encodestate st;
    int k;
    base64_init_encodestate(&st);
    k = base64_encode_block((const char *)j->bin, (int)j->n, j->enc, &st);
    k += base64_encode_blockend(j->enc + k, &st);
    sink += (unsigned)k;
}

static void do_libb64_decode(void *c) {
    job *j = c;
    base64_decodestate st;
    int k;
    base64_init_decodestate(&st);
    k = base64_decode_block(j->text, (int)j->m, (char *)j->out, &st);
    sink += (unsigned)k;
}

static double gbps(size_t bytes, double s) { return (double)bytes / s / 1e9; }

int main(int argc, char **argv) {
    int runs = 30, i;
    size_t n = 65536, k;
    job j;
    double t_memcpy, t_lenc, t_ldec;
    uint8_t *ref_out;
    char *ref_enc;
    fhx_isa start = fhx_isa_active();
    unsigned isa;
    uint32_t x = 12345;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            n = (size_t)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_kernels [-n RUNS] [-s BYTES]\n");
            return 64;
        }
    }
    if (runs < 1 || n < 3) return 64;

    j.n = n;
    j.m = fhx_b64_encoded_len(n);
    j.enc_cap = j.m + j.m / 72 + 16; /* libb64 adds line breaks */
    j.bin = malloc(n);
    j.out = malloc(n + 16);
    j.text = malloc(j.m);
    j.enc = malloc(j.enc_cap);
    ref_out = malloc(n);
    ref_enc = malloc(j.m);
    if (!j.bin || !j.out || !j.text || !j.enc || !ref_out || !ref_enc)
        return 71;
    for (k = 0; k < n; k++) { /* deterministic bytes */
        x = x * 1103515245u + 12345u;
        j.bin[k] = (uint8_t)(x >> 16);
    }
    fhx_isa_force(FHX_ISA_SCALAR);
    if (fhx_b64_encode(j.bin, n, j.text, j.m, NULL) != FHX_OK) return 70;
    memcpy(ref_enc, j.text, j.m);

    t_memcpy = best_per_call(do_memcpy, &j, runs);
    t_lenc = best_per_call(do_libb64_encode, &j, runs);
    t_ldec = best_per_call(do_libb64_decode, &j, runs);

    printf("base64 on %zu bytes of binary (%zu characters), in cache; "
           "best of %d; GB/s of binary\n",
           n, j.m, runs);
    printf("%-10s %9s %9s %9s   %-22s %-22s\n", "", "encode", "decode",
           "validate", "encode x memcpy/libb64", "decode x memcpy/libb64");
    printf("%-10s %9.2f %9s %9s\n", "memcpy", gbps(n, t_memcpy), "", "");
    printf("%-10s %9.2f %9.2f %9s\n", "libb64", gbps(n, t_lenc),
           gbps(n, t_ldec), "");
    for (isa = 0; isa < FHX_ISA_COUNT; isa++) {
        double te, td, tv;
        size_t len = 0;
        if (fhx_isa_force((fhx_isa)isa) != FHX_OK) continue;
        /* same answer as the scalar kernel, or no figure */
        memset(j.enc, 0, j.enc_cap);
        if (fhx_b64_encode(j.bin, n, j.enc, j.enc_cap, &len) != FHX_OK ||
            len != j.m || memcmp(j.enc, ref_enc, j.m) != 0 ||
            fhx_b64_decode(j.text, j.m, ref_out, n, &len, NULL) != FHX_OK ||
            len != n || memcmp(ref_out, j.bin, n) != 0) {
            fprintf(stderr, "bench_kernels: %s disagrees with scalar\n",
                    fhx_isa_name((fhx_isa)isa));
            return 70;
        }
        te = best_per_call(do_encode, &j, runs);
        td = best_per_call(do_decode, &j, runs);
        tv = best_per_call(do_validate, &j, runs);
        printf("%-10s %9.2f %9.2f %9.2f   %5.2fx %8.1fx        %5.2fx %8.1fx\n",
               fhx_isa_name((fhx_isa)isa), gbps(n, te), gbps(n, td),
               gbps(n, tv), t_memcpy / te, t_lenc / te, t_memcpy / td,
               t_ldec / td);
        printf("kernel %s encode %.9f decode %.9f validate %.9f\n",
               fhx_isa_name((fhx_isa)isa), te, td, tv);
    }
    printf("baseline memcpy %.9f libb64_encode %.9f libb64_decode %.9f\n",
           t_memcpy, t_lenc, t_ldec);
    fhx_isa_force(start);
    free(j.bin);
    free(j.out);
    free(j.text);
    free(j.enc);
    free(ref_out);
    free(ref_enc);
    return 0;
}
