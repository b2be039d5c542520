/*
 * bench_transform: in-process transform throughput, per base64 kernel,
 * cold and warm, in MB/s of event JSON (1 MB = 10^6 bytes), and the cost
 * per record. Not a test: it asserts nothing about time.
 *
 * usage: bench_transform [-n RUNS] EVENT...
 *        bench_transform --rss HANDLER EVENT
 *
 * For each event, each kernel the CPU supports, and the handlers identity
 * and ndjson:
 *   warm  one transformer reused for every run (a warm Lambda): its
 *         decoder, writer and scratch memory are already there;
 *   cold  a new transformer per run (a cold start), whose allocator maps
 *         fresh pages for every allocation (mmap/munmap, as a new process
 *         gets them), so the page faults of first use are in the time;
 *         malloc would hand back the warm pages of the previous run.
 * Best of RUNS runs (after one warm-up run for warm). Lines starting with
 * "result" are for scripts:
 *   result EVENT KERNEL HANDLER MODE SECONDS BYTES RECORDS
 * --rss transforms EVENT once in this fresh process and prints the growth
 * of peak RSS over the process's peak before reading the event:
 *   rss EVENT_BYTES RESPONSE_BYTES PEAK_GROWTH_BYTES
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "firehose-xform.h"

/* CPU time of this process (user + system, so the page faults of fresh
 * memory count), not wall time: on a shared machine a run preempted by
 * another process is not charged for the wait. */
static double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long sz;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)sz + 1);
        if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)sz;
    }
    fclose(f);
    return buf;
}

static int report_error(fhx_transformer *t, int st) {
    const fhx_error *e = fhx_transform_error(t);
    fprintf(stderr, "bench_transform: byte %zu: %s\n", e->offset,
            e->msg ? e->msg : fhx_strerror(st));
    return -1;
}

/* One transform; its time in seconds, or < 0 on error. */
static double once(fhx_transformer *t, const char *ev, size_t len,
                   fhx_handler_fn fn, size_t *out_len, size_t *records) {
    const char *out;
    double t0 = now(), dt;
    int st = fhx_transform(t, ev, len, fn, NULL, &out, out_len);
    dt = now() - t0;
    if (st != FHX_OK) return report_error(t, st);
    *records = fhx_transform_get_stats(t)->records;
    return dt;
}

static double best_warm(const char *ev, size_t len, fhx_handler_fn fn,
                        int runs, size_t *out_len, size_t *records) {
    fhx_transformer *t = NULL;
    double best = -1.0;
    int i;
    if (fhx_transformer_new(&t, NULL) != FHX_OK) return -1.0;
    for (i = 0; i <= runs; i++) {
        double dt = once(t, ev, len, fn, out_len, records);
        if (dt < 0) {
            best = -1.0;
            break;
        }
        if (i > 0 && (best < 0 || dt < best)) best = dt;
    }
    fhx_transformer_free(t);
    return best;
}

/* The cold allocator: fresh zero pages from the kernel every time. */
static void *fresh_alloc(void *ctx, size_t size) {
    void *p;
    (void)ctx;
    p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void fresh_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    if (p) munmap(p, size ? size : 1);
}

static void *fresh_realloc(void *ctx, void *p, size_t old, size_t size) {
    void *q = fresh_alloc(ctx, size);
    if (q && p) {
        memcpy(q, p, old < size ? old : size);
        fresh_free(ctx, p, old);
    }
    return q;
}

static const fhx_allocator fresh_pages = {fresh_alloc, fresh_realloc,
                                          fresh_free, NULL};

static double best_cold(const char *ev, size_t len, fhx_handler_fn fn,
                        int runs, size_t *out_len, size_t *records) {
    double best = -1.0;
    int i;
    for (i = 0; i < runs; i++) {
        fhx_transformer *t = NULL;
        double t0 = now(), dt;
        if (fhx_transformer_new(&t, &fresh_pages) != FHX_OK) return -1.0;
        dt = once(t, ev, len, fn, out_len, records);
        if (dt >= 0) dt = now() - t0; /* creation is part of a cold start */
        fhx_transformer_free(t);
        if (dt < 0) return -1.0;
        if (best < 0 || dt < best) best = dt;
    }
    return best;
}

/* The same-run baseline: memcpy of the event, warm (into one reused
 * buffer) or cold (into fresh pages each run). */
static double best_memcpy(const char *ev, size_t len, int runs, int cold) {
    double best = -1.0;
    char *dst = cold ? NULL : malloc(len);
    int i;
    if (!cold && !dst) return -1.0;
    if (!cold) memcpy(dst, ev, len);
    for (i = 0; i < runs; i++) {
        double t0 = now(), dt;
        if (cold && !(dst = fresh_alloc(NULL, len))) return -1.0;
        memcpy(dst, ev, len);
        dt = now() - t0;
        if (dst[len / 2] != ev[len / 2]) abort(); /* keep the copy */
        if (cold) {
            fresh_free(NULL, dst, len);
            dst = NULL;
        }
        if (best < 0 || dt < best) best = dt;
    }
    if (!cold) free(dst);
    return best;
}

static long peak_rss_kib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

static int rss_mode(const char *handler, const char *path) {
    long before = peak_rss_kib(), after;
    fhx_transformer *t = NULL;
    size_t len = 0, out_len = 0;
    const char *out;
    char *ev = read_file(path, &len);
    int st;
    if (!ev) {
        perror(path);
        return 66;
    }
    if (fhx_transformer_new(&t, NULL) != FHX_OK) return 71;
    st = fhx_transform(t, ev, len, fhx_handler_find(handler), NULL, &out,
                       &out_len);
    if (st != FHX_OK) {
        report_error(t, st);
        return 65;
    }
    after = peak_rss_kib();
    printf("rss %zu %zu %ld\n", len, out_len, (after - before) * 1024);
    fhx_transformer_free(t);
    free(ev);
    return 0;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv) {
    static const char *const handlers[] = {"identity", "ndjson"};
    int runs = 20, argi = 1, status = 0;
    fhx_isa start = fhx_isa_active();

    if (argc == 4 && strcmp(argv[1], "--rss") == 0)
        return rss_mode(argv[2], argv[3]);
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        argi = 3;
    }
    if (argi >= argc || runs < 1) {
        fputs("usage: bench_transform [-n RUNS] EVENT...\n"
              "       bench_transform --rss HANDLER EVENT\n",
              stderr);
        return 64;
    }
    printf("%-12s %-8s %-9s %-5s %10s %10s %12s\n", "event", "kernel",
           "handler", "mode", "ms", "MB/s", "ns/record");
    for (; argi < argc && status == 0; argi++) {
        size_t len = 0;
        char *ev = read_file(argv[argi], &len);
        unsigned isa;
        if (!ev) {
            perror(argv[argi]);
            return 66;
        }
        {
            int cold;
            for (cold = 0; cold <= 1; cold++) {
                double s = best_memcpy(ev, len, runs, cold);
                const char *mode = cold ? "cold" : "warm";
                printf("%-12s %-8s %-9s %-5s %10.3f %10.1f\n",
                       base_name(argv[argi]), "-", "memcpy", mode, s * 1e3,
                       s > 0 ? (double)len / 1e6 / s : 0.0);
                printf("result %s - memcpy %s %.9f %zu 0\n",
                       base_name(argv[argi]), mode, s, len);
            }
        }
        for (isa = 0; isa < FHX_ISA_COUNT && status == 0; isa++) {
            size_t h;
            if (fhx_isa_force((fhx_isa)isa) != FHX_OK) continue;
            for (h = 0; h < 2 && status == 0; h++) {
                int cold;
                for (cold = 0; cold <= 1; cold++) {
                    size_t out_len = 0, records = 0;
                    fhx_handler_fn fn = fhx_handler_find(handlers[h]);
                    double s = cold ? best_cold(ev, len, fn, runs, &out_len,
                                                &records)
                                    : best_warm(ev, len, fn, runs, &out_len,
                                                &records);
                    const char *mode = cold ? "cold" : "warm";
                    if (s < 0) {
                        status = 65;
                        break;
                    }
                    printf("%-12s %-8s %-9s %-5s %10.3f %10.1f %12.1f\n",
                           base_name(argv[argi]), fhx_isa_name((fhx_isa)isa),
                           handlers[h], mode, s * 1e3,
                           s > 0 ? (double)len / 1e6 / s : 0.0,
                           records ? s * 1e9 / (double)records : 0.0);
                    printf("result %s %s %s %s %.9f %zu %zu\n",
                           base_name(argv[argi]), fhx_isa_name((fhx_isa)isa),
                           handlers[h], mode, s, len, records);
                }
            }
        }
        free(ev);
    }
    fhx_isa_force(start);
    return status;
}
