/*
 * bench_gzip: gzip compression MB/s of the library at levels 1 and 6,
 * beside the gzip tool (and `fhx gzip` as a process, when its path is
 * given) on the same deterministic data, in the same run.
 *
 *     bench/bench_gzip [FHX] [MIB]
 *
 * The data are MIB MiB (default 32) of IoT-like JSON lines, generated
 * deterministically and written to a temporary file that the processes
 * read on stdin; their output goes to a temporary file, not a pipe. Each
 * figure is the best of 5 runs, in MB/s of uncompressed input
 * (1 MB = 10^6 bytes). Every output is checked to decompress to the data.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "firehose-xform.h"

extern char **environ;

#define RUNS 5

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "bench_gzip: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* IoT-like JSON lines, the same bytes on every run. */
static char *make_data(size_t n) {
    char *p = malloc(n);
    uint32_t x = 2463534242u;
    size_t i = 0;
    if (!p) die("malloc");
    while (i < n) {
        char line[200];
        int k;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        k = snprintf(line, sizeof line,
                     "{\"topic\":\"iot-test-topic/device-%03u\",\"ts\":%u,"
                     "\"temperature\":%u.%u,\"humidity\":%u,"
                     "\"status\":\"%s\",\"seq\":%u}\n",
                     x % 200, 1700000000u + (x >> 12), 15 + x % 20, x % 10,
                     30 + x % 50, (x & 7) ? "ok" : "degraded", x >> 8);
        if ((size_t)k > n - i) k = (int)(n - i);
        memcpy(p + i, line, (size_t)k);
        i += (size_t)k;
    }
    return p;
}

static void write_file(const char *path, const char *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) die(path);
}

/* Decompress gz and compare with data; exits on a mismatch. */
static void check(const char *who, const void *gz, size_t len,
                  const char *data, size_t n) {
    fhx_buf b;
    fhx_error e;
    fhx_buf_init(&b, NULL);
    if (fhx_gunzip_append(NULL, &b, gz, len, n, &e) != FHX_OK ||
        b.len != n || memcmp(b.ptr, data, n) != 0) {
        fprintf(stderr, "bench_gzip: %s: output does not decompress to the "
                        "data\n", who);
        exit(1);
    }
    fhx_buf_free(&b);
}

/* Time argv reading in_path on stdin, writing out_path: best of RUNS. */
static double time_process(char *const *argv, const char *in_path,
                           const char *out_path) {
    double best = 1e30;
    int r;
    for (r = 0; r < RUNS; r++) {
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int st, wst;
        double t0;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out_path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        t0 = now();
        st = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (st != 0) return -1;
        while (waitpid(pid, &wst, 0) < 0)
            if (errno != EINTR) die("waitpid");
        if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) return -1;
        t0 = now() - t0;
        if (t0 < best) best = t0;
    }
    return best;
}

/* Library, one-shot member into a warm buffer: best of RUNS. */
static double time_oneshot(const char *data, size_t n, int level,
                           fhx_buf *out) {
    double best = 1e30;
    int r;
    for (r = 0; r < RUNS; r++) {
        double t0;
        out->len = 0;
        t0 = now();
        if (fhx_gzip_append(out, data, n, level) != FHX_OK) die("gzip");
        t0 = now() - t0;
        if (t0 < best) best = t0;
    }
    return best;
}

/* Library, streaming writer fed 64 KiB pieces into a 64 KiB output
 * buffer (copied out, as a caller would): best of RUNS. */
static double time_stream(const char *data, size_t n, int level,
                          fhx_buf *out) {
    static unsigned char piece[65536];
    fhx_gzip_writer *w;
    double best = 1e30;
    int r;
    if (fhx_gzip_writer_new(&w, level, NULL) != FHX_OK) die("writer");
    for (r = 0; r < RUNS; r++) {
        size_t pos = 0;
        double t0 = now();
        int st;
        out->len = 0;
        fhx_gzip_writer_reset(w, level);
        do {
            size_t k = n - pos < 65536 ? n - pos : 65536, used, put;
            st = fhx_gzip_write(w, data + pos, k, &used, piece, sizeof piece,
                                &put, pos + k == n ? FHX_GZIP_FINISH
                                                   : FHX_GZIP_NO_FLUSH);
            pos += used;
            if (fhx_buf_append(out, piece, put) != FHX_OK) die("append");
        } while (st == FHX_NEED_OUTPUT || st == FHX_NEED_INPUT);
        if (st != FHX_END) die("stream");
        t0 = now() - t0;
        if (t0 < best) best = t0;
    }
    fhx_gzip_writer_free(w);
    return best;
}

static void row(const char *what, double secs, size_t n, size_t out_len,
                double base) {
    if (secs < 0) {
        printf("| %-34s | %8s | %8s | %10s | %6s |\n", what, "n/a", "n/a",
               "n/a", "");
        return;
    }
    printf("| %-34s | %8.1f | %8.1f | %10zu | %5.2fx |\n", what, secs * 1e3,
           (double)n / secs / 1e6, out_len, base > 0 ? base / secs : 0.0);
}

int main(int argc, char **argv) {
    const char *fhx = argc > 1 ? argv[1] : NULL;
    size_t mib = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 32, n;
    const char *tmp = getenv("TMPDIR");
    char in_path[512], out_path[520];
    char *data;
    fhx_buf out;
    int levels[] = {1, 6}, i, fd;
    if (mib == 0) mib = 32;
    n = mib << 20;
    data = make_data(n);
    snprintf(in_path, sizeof in_path, "%s/fhx-bench-gzip-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if ((fd = mkstemp(in_path)) < 0) die("mkstemp");
    close(fd);
    snprintf(out_path, sizeof out_path, "%s.gz", in_path);
    write_file(in_path, data, n);
    fhx_buf_init(&out, NULL);
    printf("gzip of %zu bytes of IoT JSON lines, best of %d; MB/s of input; "
           "x = speed relative to the gzip tool at the same level\n\n",
           n, RUNS);
    printf("| %-34s | %8s | %8s | %10s | %6s |\n", "level / implementation",
           "ms", "MB/s", "bytes out", "vs gzip");
    printf("|%s|---------:|---------:|-----------:|-------:|\n",
           "------------------------------------");
    for (i = 0; i < 2; i++) {
        char opt[4], label[64], a_gzip[] = "gzip", a_c[] = "-c";
        char *gz_argv[] = {a_gzip, opt, a_c, NULL};
        char *fhx_argv[] = {(char *)(uintptr_t)fhx, a_gzip, opt, NULL};
        double t_tool, t_lib, t_stream, t_fhx = -1;
        size_t tool_len = 0, fhx_len = 0, lib_len, stream_len;
        char *got;
        snprintf(opt, sizeof opt, "-%d", levels[i]);
        t_tool = time_process(gz_argv, in_path, out_path);
        if (t_tool > 0) {
            FILE *f = fopen(out_path, "rb");
            got = malloc(n + 1024);
            tool_len = fread(got, 1, n + 1024, f);
            fclose(f);
            check("gzip tool", got, tool_len, data, n);
            free(got);
        }
        if (fhx) {
            t_fhx = time_process(fhx_argv, in_path, out_path);
            if (t_fhx > 0) {
                FILE *f = fopen(out_path, "rb");
                got = malloc(n + 1024);
                fhx_len = fread(got, 1, n + 1024, f);
                fclose(f);
                check("fhx gzip", got, fhx_len, data, n);
                free(got);
            }
        }
        t_lib = time_oneshot(data, n, levels[i], &out);
        lib_len = out.len;
        check("fhx_gzip_append", out.ptr, out.len, data, n);
        t_stream = time_stream(data, n, levels[i], &out);
        stream_len = out.len;
        check("fhx_gzip_write", out.ptr, out.len, data, n);
        snprintf(label, sizeof label, "%s gzip tool (process)", opt);
        row(label, t_tool, n, tool_len, t_tool);
        snprintf(label, sizeof label, "%s fhx gzip (process)", opt);
        if (fhx) row(label, t_fhx, n, fhx_len, t_tool);
        snprintf(label, sizeof label, "%s fhx_gzip_append (in-process)", opt);
        row(label, t_lib, n, lib_len, t_tool);
        snprintf(label, sizeof label, "%s fhx_gzip_write 64 KiB pieces", opt);
        row(label, t_stream, n, stream_len, t_tool);
    }
    fhx_buf_free(&out);
    unlink(out_path);
    unlink(in_path);
    free(data);
    return 0;
}
