/*
 * bench_transform: in-process throughput of fhx_transform with the
 * built-in identity and ndjson handlers, best of N runs, in MB/s of event
 * JSON (1 MB = 10^6 bytes). Not a test: it asserts nothing about time.
 *
 * usage: bench_transform [-n RUNS] EVENT
 * Prints one human line and one "seconds HANDLER S" line per handler.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firehose-xform.h"

static double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *p;
    size_t cap = 0, n = 0, got;
    if (!f) return NULL;
    do {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Best time of runs transforms (after one warm-up run); < 0 on error. */
static double best_of(fhx_transformer *t, const char *ev, size_t len,
                      fhx_handler_fn fn, int runs, size_t *out_len) {
    double best = -1.0;
    int i;
    for (i = 0; i <= runs; i++) {
        const char *out;
        double t0 = now(), dt;
        int st = fhx_transform(t, ev, len, fn, NULL, &out, out_len);
        dt = now() - t0;
        if (st != FHX_OK) {
            const fhx_error *e = fhx_transform_error(t);
            fprintf(stderr, "bench_transform: byte %zu: %s\n", e->offset,
                    e->msg ? e->msg : fhx_strerror(st));
            return -1.0;
        }
        if (i > 0 && (best < 0 || dt < best)) best = dt;
    }
    return best;
}

int main(int argc, char **argv) {
    static const char *const names[] = {"identity", "ndjson"};
    fhx_transformer *t = NULL;
    const char *path;
    char *ev;
    size_t len = 0, i;
    int runs = 20, status = 0;
    if (argc == 4 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        path = argv[3];
    } else if (argc == 2) {
        path = argv[1];
    } else {
        fputs("usage: bench_transform [-n RUNS] EVENT\n", stderr);
        return 64;
    }
    if (runs < 1) runs = 1;
    ev = read_file(path, &len);
    if (!ev) {
        perror(path);
        return 66;
    }
    if (fhx_transformer_new(&t, NULL) != FHX_OK) {
        free(ev);
        return 71;
    }
    for (i = 0; i < sizeof names / sizeof names[0] && status == 0; i++) {
        size_t out_len = 0;
        double s = best_of(t, ev, len, fhx_handler_find(names[i]), runs,
                           &out_len);
        if (s < 0) {
            status = 65;
            break;
        }
        printf("C in-process %-8s: %zu bytes in, %zu out, best of %d: "
               "%.3f ms, %.1f MB/s\n",
               names[i], len, out_len, runs, s * 1e3,
               s > 0 ? (double)len / 1e6 / s : 0.0);
        printf("seconds %s %.9f\n", names[i], s);
    }
    fhx_transformer_free(t);
    free(ev);
    return status;
}
