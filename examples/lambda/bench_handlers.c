/*
 * bench_handlers: in-process throughput of fhx_transform with the named
 * handlers on one event, best of N runs after a warm-up, in MB/s of event
 * JSON (1 MB = 10^6 bytes). Not a test: it asserts nothing about time.
 * The response limit is lifted (-u) so that a ~6 MB event whose answer
 * would not fit still measures the handler, not the fallback.
 *
 * usage: bench_handlers [-n RUNS] [-u] EVENT NAME...
 * Prints one human line and one "seconds NAME S" line per handler.
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
    char *buf = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    fhx_transformer *t = NULL;
    int runs = 20, arg = 1, unlimited = 0, status = 0;
    size_t len = 0;
    char *ev;
    while (arg < argc && argv[arg][0] == '-') {
        if (strcmp(argv[arg], "-n") == 0 && arg + 1 < argc) {
            runs = atoi(argv[arg + 1]);
            arg += 2;
        } else if (strcmp(argv[arg], "-u") == 0) {
            unlimited = 1;
            arg++;
        } else {
            break;
        }
    }
    if (argc - arg < 2) {
        fputs("usage: bench_handlers [-n RUNS] [-u] EVENT NAME...\n", stderr);
        return 64;
    }
    if (runs < 1) runs = 1;
    ev = read_file(argv[arg], &len);
    if (!ev) {
        perror(argv[arg]);
        return 66;
    }
    if (fhx_transformer_new(&t, NULL) != FHX_OK ||
        (unlimited && fhx_transformer_set_limit(t, (size_t)1 << 40) != FHX_OK)) {
        free(ev);
        return 71;
    }
    for (arg++; arg < argc && status == 0; arg++) {
        fhx_handler_fn fn = fhx_handler_find(argv[arg]);
        double best = -1.0;
        size_t out_len = 0;
        int i;
        if (!fn) {
            fprintf(stderr, "bench_handlers: unknown handler %s\n", argv[arg]);
            status = 64;
            break;
        }
        for (i = 0; i <= runs; i++) {
            const char *out;
            double t0 = now(), dt;
            int st = fhx_transform(t, ev, len, fn, NULL, &out, &out_len);
            dt = now() - t0;
            if (st != FHX_OK) {
                fprintf(stderr, "bench_handlers: %s: %s\n", argv[arg],
                        fhx_strerror(st));
                status = 65;
                break;
            }
            if (i > 0 && (best < 0 || dt < best)) best = dt;
        }
        if (status) break;
        printf("C in-process %-8s: %zu bytes in, %zu out (%zu failed), "
               "best of %d: %.3f ms, %.1f MB/s\n",
               argv[arg], len, out_len, fhx_transform_get_stats(t)->failed,
               runs, best * 1e3, (double)len / 1e6 / best);
        printf("seconds %s %.9f\n", argv[arg], best);
    }
    fhx_transformer_free(t);
    free(ev);
    return status;
}
