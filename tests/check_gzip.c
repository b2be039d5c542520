/*
 * Suite "gzip": the streaming gzip writer and the bounded reader, against
 * zlib itself, the gzip tool (gzip -t, zcat) and Python's gzip module
 * (skipped with a note when python3 is missing); bombs, truncations, bit
 * flips, trailing bytes; the allocator bridge (every allocation failure
 * is FHX_E_NOMEM and leaks nothing).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "check_util.h"

extern char **environ;

/* Under valgrind (FHX_TEST_LIGHT) the big inputs shrink. */
static int light(void) { return getenv("FHX_TEST_LIGHT") != NULL; }

/* ==== Data and helpers ================================================== */

/* Deterministic IoT-like JSON lines with some noise: compressible, but
 * not trivially. */
static uint8_t *make_data(size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    uint32_t x = 2463534242u;
    size_t i = 0;
    ck_assert_ptr_nonnull(p);
    while (i < n) {
        char line[160];
        int k;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        k = snprintf(line, sizeof line,
                     "{\"topic\":\"iot-test-topic/dev%u\",\"t\":%u,"
                     "\"temp\":%u.%u,\"id\":\"%08x\"}\n",
                     x % 50, x, x % 40, x % 10, x);
        if ((size_t)k > n - i) k = (int)(n - i);
        memcpy(p + i, line, (size_t)k);
        i += (size_t)k;
    }
    return p;
}

/* Incompressible bytes. */
static uint8_t *make_noise(size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    uint64_t x = 88172645463325252ull;
    size_t i;
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
    return p;
}

/* zlib's own gzip decoding of one or more members. */
static uint8_t *zlib_gunzip(const uint8_t *in, size_t len, size_t *out_len) {
    z_stream zs;
    size_t cap = len * 4 + 1024, n = 0;
    uint8_t *out = malloc(cap);
    int zr = Z_OK;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    while (zs.avail_in > 0 || zr != Z_STREAM_END) {
        if (n == cap) out = realloc(out, cap *= 2);
        zs.next_out = out + n;
        zs.avail_out = (uInt)(cap - n);
        zr = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
        if (zr == Z_STREAM_END && zs.avail_in > 0) {
            ck_assert_int_eq(inflateReset(&zs), Z_OK);
            zr = Z_OK;
            continue;
        }
        ck_assert_msg(zr == Z_OK || zr == Z_STREAM_END || zr == Z_BUF_ERROR,
                      "zlib inflate: %d", zr);
        if (zr == Z_STREAM_END) break;
    }
    inflateEnd(&zs);
    *out_len = n;
    return out;
}

/* zlib's gzip encoding at level. */
static uint8_t *zlib_gzip(const uint8_t *in, size_t len, int level,
                          size_t *out_len) {
    z_stream zs;
    size_t cap;
    uint8_t *out;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    cap = deflateBound(&zs, (uLong)len);
    out = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* Compress with the streaming writer, in_piece bytes in and out_piece
 * bytes of output space per call, one member (FINISH at the end). */
static uint8_t *stream_gzip(const uint8_t *in, size_t len, int level,
                            size_t in_piece, size_t out_piece,
                            size_t *out_len) {
    fhx_gzip_writer *w;
    size_t pos = 0, n = 0, cap = fhx_gzip_bound(len) + out_piece;
    uint8_t *out = malloc(cap);
    int st;
    ck_assert_int_eq(fhx_gzip_writer_new(&w, level, NULL), FHX_OK);
    for (;;) {
        size_t k = len - pos < in_piece ? len - pos : in_piece, used, put;
        int last = pos + k == len;
        size_t room = cap - n < out_piece ? cap - n : out_piece;
        st = fhx_gzip_write(w, in + pos, k, &used, out + n, room, &put,
                            last ? FHX_GZIP_FINISH : FHX_GZIP_NO_FLUSH);
        pos += used;
        n += put;
        ck_assert_uint_le(put, room);
        if (st == FHX_END) break;
        ck_assert_msg(st == FHX_NEED_OUTPUT || st == FHX_NEED_INPUT,
                      "status %d", st);
        if (st == FHX_NEED_INPUT) ck_assert_uint_eq(used, k);
    }
    ck_assert_uint_eq(pos, len);
    ck_assert_uint_eq(fhx_gzip_writer_total_in(w), len);
    ck_assert_uint_eq(fhx_gzip_writer_total_out(w), n);
    ck_assert_uint_eq(fhx_gzip_writer_members(w), 1);
    fhx_gzip_writer_free(w);
    *out_len = n;
    return out;
}

static char tmp_path[600];

static const char *write_tmp(const void *data, size_t len, const char *ext) {
    const char *base = getenv("TMPDIR");
    int fd;
    FILE *f;
    snprintf(tmp_path, sizeof tmp_path, "%s/fhx-gzip-XXXXXX",
             base && *base ? base : "/tmp");
    fd = mkstemp(tmp_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    if (ext) {
        char old[600];
        snprintf(old, sizeof old, "%s", tmp_path);
        strncat(tmp_path, ext, sizeof tmp_path - strlen(tmp_path) - 1);
        ck_assert_int_eq(rename(old, tmp_path), 0);
    }
    f = fopen(tmp_path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return tmp_path;
}

/*
 * Run a tool found in PATH (no shell), stdout into the file out_path (or
 * /dev/null). Returns its exit status; 127 when it cannot be run.
 */
static int run_tool(const char *const *argv, const char *out_path) {
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st, wst;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    st = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv,
                      environ);
    posix_spawn_file_actions_destroy(&fa);
    if (st != 0) return 127;
    while (waitpid(pid, &wst, 0) < 0) ck_assert_int_eq(errno, EINTR);
    return WIFEXITED(wst) ? WEXITSTATUS(wst) : 128;
}

/* The file at path holds exactly want[0..len). */
static void assert_file_is(const char *path, const uint8_t *want, size_t len,
                           const char *who) {
    size_t n = 0;
    char *got = fhxt_read_file(path, &n);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(n == len && memcmp(got, want, len) == 0,
                  "%s: %zu bytes back, want %zu", who, n, len);
    free(got);
}

/* gzip -t, zcat and (when present) Python read gz back as data. */
static void assert_tools_read(const uint8_t *gz, size_t gz_len,
                              const uint8_t *data, size_t len) {
    char gz_path[600], out_path[620];
    const char *t[] = {"gzip", "-t", NULL, NULL};
    const char *z[] = {"zcat", NULL, NULL};
    const char *py[] = {"python3", "-c",
                        "import gzip,sys\n"
                        "sys.stdout.buffer.write(gzip.open(sys.argv[1])"
                        ".read())",
                        NULL, NULL};
    int st;
    snprintf(gz_path, sizeof gz_path, "%s", write_tmp(gz, gz_len, ".gz"));
    snprintf(out_path, sizeof out_path, "%s.out", gz_path);
    t[2] = gz_path;
    ck_assert_msg(run_tool(t, NULL) == 0, "gzip -t rejects our output");
    z[1] = gz_path;
    ck_assert_int_eq(run_tool(z, out_path), 0);
    assert_file_is(out_path, data, len, "zcat");
    py[3] = gz_path;
    st = run_tool(py, out_path);
    if (st == 127)
        fprintf(stderr, "gzip: python3 not found; Python read-back skipped\n");
    else {
        ck_assert_int_eq(st, 0);
        assert_file_is(out_path, data, len, "python3 gzip");
    }
    unlink(out_path);
    unlink(gz_path);
}

/* One-shot gunzip into out (emptied first); returns the status. */
static int gunzip(const uint8_t *in, size_t len, size_t max, fhx_buf *out,
                  fhx_error *err) {
    out->len = 0;
    return fhx_gunzip_append(NULL, out, in, len, max, err);
}

/* ==== Writer ============================================================ */

START_TEST(test_levels_round_trip) {
    /* every level: streaming (odd pieces) == one-shot; zlib, gzip -t, zcat
     * and Python read it back */
    int level = _i;
    size_t len = light() ? 50000 : 400000, n1, n2, back_len;
    uint8_t *data = make_data(len), *a, *back;
    fhx_buf b;
    a = stream_gzip(data, len, level, 7777, 333, &n1);
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_gzip_append(&b, data, len, level), FHX_OK);
    n2 = b.len;
    if (level > 0) { /* stored blocks follow the output pieces' sizes */
        ck_assert_uint_eq(n1, n2);
        ck_assert_mem_eq(a, b.ptr, n1);
    }
    ck_assert_uint_le(n1, fhx_gzip_bound(len));
    ck_assert_uint_le(n2, fhx_gzip_bound(len));
    back = zlib_gunzip(a, n1, &back_len);
    ck_assert_uint_eq(back_len, len);
    ck_assert_mem_eq(back, data, len);
    /* the same bytes zlib makes: same header, same deflate */
    free(back);
    back = zlib_gzip(data, len, level, &back_len);
    ck_assert_uint_eq(back_len, n2);
    ck_assert_mem_eq(back, b.ptr, n2);
    assert_tools_read(a, n1, data, len);
    free(back);
    fhx_buf_free(&b);
    free(a);
    free(data);
}
END_TEST

START_TEST(test_tools_to_reader) {
    /* what zlib and the gzip tool write, at every level, we read */
    size_t len = light() ? 30000 : 200000, n, i;
    uint8_t *data = make_data(len), *z;
    fhx_buf out;
    fhx_error err;
    fhx_buf_init(&out, NULL);
    for (i = 1; i <= 9; i++) {
        char opt[4], gz_out[620];
        const char *argv[] = {"gzip", "-c", opt, NULL, NULL};
        size_t tool_len;
        char *tool;
        z = zlib_gzip(data, len, (int)i, &n);
        ck_assert_int_eq(gunzip(z, n, len, &out, &err), FHX_OK);
        ck_assert_uint_eq(out.len, len);
        ck_assert_mem_eq(out.ptr, data, len);
        fhx_buf_free(&out);
        free(z);
        snprintf(opt, sizeof opt, "-%zu", i);
        argv[3] = write_tmp(data, len, NULL);
        snprintf(gz_out, sizeof gz_out, "%s.gz", argv[3]);
        ck_assert_int_eq(run_tool(argv, gz_out), 0);
        tool = fhxt_read_file(gz_out, &tool_len);
        ck_assert_ptr_nonnull(tool);
        ck_assert_int_eq(gunzip((uint8_t *)tool, tool_len, len, &out, &err),
                         FHX_OK);
        ck_assert_uint_eq(out.len, len);
        ck_assert_mem_eq(out.ptr, data, len);
        fhx_buf_free(&out);
        free(tool);
        unlink(gz_out);
        unlink(argv[3]);
    }
    free(data);
}
END_TEST

START_TEST(test_multi_member) {
    /* three batches appended to one object: one multi-member file */
    const char *parts[] = {"first batch\n", "", "third batch\n"};
    fhx_gzip_writer *w;
    uint8_t out[4096];
    size_t n = 0, i, back_len;
    uint8_t *back;
    fhx_buf r;
    fhx_error err;
    fhx_gunzip_reader *rd;
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 9, NULL), FHX_OK);
    for (i = 0; i < 3; i++) {
        size_t used, put;
        ck_assert_int_eq(fhx_gzip_write(w, parts[i], strlen(parts[i]), &used,
                                        out + n, sizeof out - n, &put,
                                        FHX_GZIP_FINISH),
                         FHX_END);
        ck_assert_uint_eq(used, strlen(parts[i]));
        n += put;
    }
    ck_assert_uint_eq(fhx_gzip_writer_members(w), 3);
    fhx_gzip_writer_free(w);
    back = zlib_gunzip(out, n, &back_len);
    ck_assert_uint_eq(back_len, 24);
    ck_assert_mem_eq(back, "first batch\nthird batch\n", 24);
    free(back);
    assert_tools_read(out, n, (const uint8_t *)"first batch\nthird batch\n",
                      24);
    ck_assert_int_eq(fhx_gunzip_reader_new(&rd, NULL), FHX_OK);
    fhx_buf_init(&r, NULL);
    ck_assert_int_eq(fhx_gunzip_append(rd, &r, out, n, 24, &err), FHX_OK);
    ck_assert_uint_eq(fhx_gunzip_members(rd), 3);
    ck_assert_uint_eq(fhx_gunzip_total_out(rd), 24);
    ck_assert_mem_eq(r.ptr, "first batch\nthird batch\n", 24);
    /* one byte less than the whole is over the limit */
    r.len = 0;
    ck_assert_int_eq(fhx_gunzip_append(rd, &r, out, n, 23, &err),
                     FHX_E_LIMIT);
    ck_assert_uint_eq(r.len, 0);
    fhx_buf_free(&r);
    fhx_gunzip_reader_free(rd);
}
END_TEST

START_TEST(test_sync_flush) {
    /* after a sync flush, everything written so far decompresses */
    size_t len = 20000, used, put, n = 0;
    uint8_t *data = make_data(len), out[40000];
    fhx_gzip_writer *w;
    z_stream zs;
    uint8_t back[20000];
    int st, f;
    for (f = FHX_GZIP_SYNC_FLUSH; f <= FHX_GZIP_FULL_FLUSH; f++) {
        n = 0;
        ck_assert_int_eq(fhx_gzip_writer_new(&w, 6, NULL), FHX_OK);
        st = fhx_gzip_write(w, data, len / 2, &used, out, sizeof out, &put,
                            (fhx_gzip_flush)f);
        ck_assert_int_eq(st, FHX_OK);
        n += put;
        /* a second flush with nothing new is complete at once */
        ck_assert_int_eq(fhx_gzip_write(w, NULL, 0, &used, out + n,
                                        sizeof out - n, &put,
                                        (fhx_gzip_flush)f),
                         FHX_OK);
        n += put;
        memset(&zs, 0, sizeof zs);
        ck_assert_int_eq(inflateInit2(&zs, 31), Z_OK);
        zs.next_in = out;
        zs.avail_in = (uInt)n;
        zs.next_out = back;
        zs.avail_out = sizeof back;
        ck_assert_int_eq(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
        ck_assert_uint_eq(sizeof back - zs.avail_out, len / 2);
        ck_assert_mem_eq(back, data, len / 2);
        inflateEnd(&zs);
        ck_assert_int_eq(fhx_gzip_write(w, data + len / 2, len - len / 2,
                                        &used, out + n, sizeof out - n, &put,
                                        FHX_GZIP_FINISH),
                         FHX_END);
        n += put;
        {
            size_t bl;
            uint8_t *b = zlib_gunzip(out, n, &bl);
            ck_assert_uint_eq(bl, len);
            ck_assert_mem_eq(b, data, len);
            free(b);
        }
        fhx_gzip_writer_free(w);
    }
    free(data);
}
END_TEST

START_TEST(test_flush_small_output) {
    /* Regression (fuzz_gunzip): a SYNC or FULL flush into 1 to 6 bytes of
     * output per call never completed: each call ended with the output
     * full, so zlib emitted another flush marker on the next one. The
     * flush must complete in a bounded number of calls, be readable up to
     * there, and the member must decompress to the input. */
    static const char text[] = "hello, hello, hello flush";
    const size_t len = sizeof text - 1;
    size_t cap, used, put, n, left, calls;
    uint8_t out[4096], back[64];
    fhx_gzip_writer *w;
    z_stream zs;
    int st, f;
    for (f = FHX_GZIP_SYNC_FLUSH; f <= FHX_GZIP_FULL_FLUSH; f++) {
        for (cap = 1; cap <= 40; cap++) {
            ck_assert_int_eq(fhx_gzip_writer_new(&w, 6, NULL), FHX_OK);
            n = 0;
            left = len;
            calls = 0;
            do {
                st = fhx_gzip_write(w, text + len - left, left, &used,
                                    out + n, cap, &put, (fhx_gzip_flush)f);
                ck_assert_uint_le(put, cap);
                left -= used;
                n += put;
                ck_assert_uint_lt(++calls, 200);
            } while (st == FHX_NEED_OUTPUT);
            ck_assert_int_eq(st, FHX_OK);
            ck_assert_uint_eq(left, 0);
            /* everything so far decompresses to the input */
            memset(&zs, 0, sizeof zs);
            ck_assert_int_eq(inflateInit2(&zs, 31), Z_OK);
            zs.next_in = out;
            zs.avail_in = (uInt)n;
            zs.next_out = back;
            zs.avail_out = sizeof back;
            ck_assert_int_eq(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
            ck_assert_uint_eq(zs.avail_in, 0);
            ck_assert_uint_eq(sizeof back - zs.avail_out, len);
            ck_assert_mem_eq(back, text, len);
            inflateEnd(&zs);
            /* then FINISH, also in small pieces */
            do {
                st = fhx_gzip_write(w, NULL, 0, &used, out + n, cap, &put,
                                    FHX_GZIP_FINISH);
                n += put;
                ck_assert_uint_lt(++calls, 400);
            } while (st == FHX_NEED_OUTPUT);
            ck_assert_int_eq(st, FHX_END);
            ck_assert_uint_eq(fhx_gzip_writer_members(w), 1);
            ck_assert_uint_eq(fhx_gzip_writer_total_out(w), n);
            {
                size_t bl;
                uint8_t *b = zlib_gunzip(out, n, &bl);
                ck_assert_uint_eq(bl, len);
                ck_assert_mem_eq(b, text, len);
                free(b);
            }
            fhx_gzip_writer_free(w);
        }
    }
}
END_TEST

START_TEST(test_small_output_and_status) {
    /* NEED_INPUT without flush; output one byte at a time */
    fhx_gzip_writer *w;
    uint8_t out[64], one;
    size_t used, put, n = 0, left = 1;
    int st;
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 6, NULL), FHX_OK);
    st = fhx_gzip_write(w, "abc", 3, &used, out, sizeof out, &put,
                        FHX_GZIP_NO_FLUSH);
    ck_assert_int_eq(st, FHX_NEED_INPUT);
    ck_assert_uint_eq(used, 3);
    n = put;
    /* no output space: NEED_INPUT without input, NEED_OUTPUT with it */
    ck_assert_int_eq(fhx_gzip_write(w, NULL, 0, &used, NULL, 0, &put,
                                    FHX_GZIP_NO_FLUSH),
                     FHX_NEED_INPUT);
    ck_assert_int_eq(fhx_gzip_write(w, "d", 1, &used, NULL, 0, &put,
                                    FHX_GZIP_FINISH),
                     FHX_NEED_OUTPUT);
    ck_assert_uint_eq(used, 0);
    do { /* one byte of output space per call */
        st = fhx_gzip_write(w, &"d"[1 - left], left, &used, &one, 1, &put,
                            FHX_GZIP_FINISH);
        left -= used;
        if (put) out[n++] = one;
    } while (st == FHX_NEED_OUTPUT && n < sizeof out);
    ck_assert_int_eq(st, FHX_END);
    ck_assert_uint_eq(left, 0);
    {
        size_t bl;
        uint8_t *b = zlib_gunzip(out, n, &bl);
        ck_assert_uint_eq(bl, 4);
        ck_assert_mem_eq(b, "abcd", 4);
        free(b);
    }
    fhx_gzip_writer_free(w);
}
END_TEST

START_TEST(test_empty_and_bound) {
    /* an empty member is valid; the bound holds for incompressible data */
    fhx_buf b, r;
    fhx_error err;
    size_t len = 100000;
    uint8_t *noise = make_noise(len);
    int level;
    fhx_buf_init(&b, NULL);
    fhx_buf_init(&r, NULL);
    ck_assert_int_eq(fhx_gzip_append(&b, NULL, 0, 6), FHX_OK);
    ck_assert_uint_eq(b.len, 20); /* 10 header + 2 empty block + 8 trailer */
    assert_tools_read(b.ptr, b.len, (const uint8_t *)"", 0);
    ck_assert_int_eq(gunzip(b.ptr, b.len, 0, &r, &err), FHX_OK);
    ck_assert_uint_eq(r.len, 0);
    fhx_buf_free(&r);
    for (level = 0; level <= 9; level++) {
        b.len = 0;
        ck_assert_int_eq(fhx_gzip_append(&b, noise, len, level), FHX_OK);
        ck_assert_uint_le(b.len, fhx_gzip_bound(len));
    }
    ck_assert_uint_eq(fhx_gzip_bound(SIZE_MAX), SIZE_MAX);
    fhx_buf_free(&b);
    free(noise);
}
END_TEST

START_TEST(test_reset_and_args) {
    fhx_gzip_writer *w;
    fhx_buf ref;
    uint8_t out[256];
    size_t used, put;
    const char *msg = "reset me, reset me, reset me";
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 10, NULL), FHX_E_ARG);
    ck_assert_ptr_null(w);
    ck_assert_int_eq(fhx_gzip_writer_new(&w, -1, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_writer_new(NULL, 6, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 9, NULL), FHX_OK);
    ck_assert_int_eq(fhx_gzip_write(w, NULL, 3, &used, out, sizeof out, &put,
                                    FHX_GZIP_NO_FLUSH),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_write(w, "x", 1, &used, out, sizeof out, &put,
                                    (fhx_gzip_flush)7),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_write(w, "half", 4, &used, out, sizeof out,
                                    &put, FHX_GZIP_NO_FLUSH),
                     FHX_NEED_INPUT);
    /* reset to level 1: byte-identical to a fresh level-1 member */
    ck_assert_int_eq(fhx_gzip_writer_reset(w, 11), FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_writer_reset(w, 1), FHX_OK);
    ck_assert_uint_eq(fhx_gzip_writer_total_in(w), 0);
    ck_assert_int_eq(fhx_gzip_write(w, msg, strlen(msg), &used, out,
                                    sizeof out, &put, FHX_GZIP_FINISH),
                     FHX_END);
    fhx_buf_init(&ref, NULL);
    ck_assert_int_eq(fhx_gzip_append(&ref, msg, strlen(msg), 1), FHX_OK);
    ck_assert_uint_eq(put, ref.len);
    ck_assert_mem_eq(out, ref.ptr, put);
    ck_assert_int_eq(fhx_gzip_append(&ref, msg, 1, 12), FHX_E_ARG);
    ck_assert_int_eq(fhx_gzip_append(NULL, msg, 1, 1), FHX_E_ARG);
    fhx_buf_free(&ref);
    fhx_gzip_writer_free(w);
    fhx_gzip_writer_free(NULL);
    ck_assert_int_eq(fhx_gzip_is_gzip("\x1f\x8b", 2), 1);
    ck_assert_int_eq(fhx_gzip_is_gzip("\x1f", 1), 0);
    ck_assert_int_eq(fhx_gzip_is_gzip("\x1f\x8c", 2), 0);
    ck_assert_int_eq(fhx_gzip_is_gzip(NULL, 2), 0);
}
END_TEST

/* ==== Reader ============================================================ */

/* A small gzip stream of known content. */
static uint8_t *small_stream(size_t *len, uint8_t **data, size_t *data_len) {
    fhx_buf b;
    *data_len = 3000;
    *data = make_data(*data_len);
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_gzip_append(&b, *data, *data_len, 6), FHX_OK);
    *len = b.len;
    return b.ptr;
}

START_TEST(test_reader_pieces) {
    /* any input and output piece sizes give the same bytes */
    size_t len, dlen, ip, op;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen);
    fhx_gunzip_reader *r;
    uint8_t *out = malloc(dlen + 16);
    ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
    for (ip = 1; ip <= len; ip += ip < 8 ? 1 : 97) {
        for (op = 1; op <= dlen + 1; op += op < 4 ? 1 : 1013) {
            size_t in_pos = 0, n = 0, used, put;
            int st;
            fhx_gunzip_begin(r, dlen);
            do {
                size_t k = len - in_pos < ip ? len - in_pos : ip;
                size_t room = dlen + 16 - n < op ? dlen + 16 - n : op;
                st = fhx_gunzip_read(r, gz + in_pos, k, &used, out + n, room,
                                     &put, in_pos + k == len);
                in_pos += used;
                n += put;
                ck_assert_uint_le(put, room);
            } while (st == FHX_NEED_INPUT || st == FHX_NEED_OUTPUT);
            ck_assert_msg(st == FHX_END, "ip %zu op %zu: %d", ip, op, st);
            ck_assert_uint_eq(in_pos, len);
            ck_assert_uint_eq(n, dlen);
            ck_assert_mem_eq(out, data, dlen);
            /* the end is sticky */
            ck_assert_int_eq(fhx_gunzip_read(r, NULL, 0, &used, NULL, 0, &put,
                                             1),
                             FHX_END);
        }
    }
    fhx_gunzip_reader_free(r);
    free(out);
    free(data);
    free(gz);
}
END_TEST

START_TEST(test_truncations) {
    /* every proper prefix: FHX_E_TRUNCATED at the prefix's length, and
     * nothing appended */
    size_t len, dlen, cut;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen);
    fhx_buf out;
    fhx_error err;
    fhx_gunzip_reader *r;
    ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
    fhx_buf_init(&out, NULL);
    for (cut = 0; cut < len; cut++) {
        uint8_t *p = (uint8_t *)fhxt_dup(gz, cut);
        int st = fhx_gunzip_append(r, &out, p, cut, dlen, &err);
        ck_assert_msg(st == FHX_E_TRUNCATED, "cut %zu: %d", cut, st);
        ck_assert_uint_eq(err.offset, cut);
        ck_assert_ptr_nonnull(err.msg);
        ck_assert_uint_eq(out.len, 0);
        free(p);
    }
    fhx_buf_free(&out);
    fhx_gunzip_reader_free(r);
    free(data);
    free(gz);
}
END_TEST

START_TEST(test_bit_flips) {
    /* every single-bit flip: an error with an offset inside the input, or
     * (header fields zlib ignores: MTIME, XFL, OS) the same content */
    size_t len, dlen, i, errors = 0, same = 0;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen);
    fhx_buf out;
    fhx_error err;
    fhx_gunzip_reader *r;
    int bit;
    ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
    fhx_buf_init(&out, NULL);
    for (i = 0; i < len; i++) {
        for (bit = 0; bit < 8; bit++) {
            int st;
            gz[i] ^= (uint8_t)(1u << bit);
            out.len = 0;
            st = fhx_gunzip_append(r, &out, gz, len, dlen, &err);
            gz[i] ^= (uint8_t)(1u << bit);
            if (st == FHX_OK) {
                ck_assert_msg(out.len == dlen &&
                                  memcmp(out.ptr, data, dlen) == 0,
                              "flip %zu.%d: different content accepted", i,
                              bit);
                same++;
                continue;
            }
            ck_assert_msg(st == FHX_E_ZLIB || st == FHX_E_TRUNCATED ||
                              st == FHX_E_LIMIT,
                          "flip %zu.%d: %d", i, bit, st);
            ck_assert_uint_le(err.offset, len);
            ck_assert_ptr_nonnull(err.msg);
            errors++;
        }
    }
    ck_assert_uint_eq(errors + same, len * 8);
    ck_assert_uint_ge(same, 6 * 8); /* MTIME, XFL, OS at least */
    fhx_buf_free(&out);
    fhx_gunzip_reader_free(r);
    free(data);
    free(gz);
}
END_TEST

START_TEST(test_checks_and_junk) {
    size_t len, dlen;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen), *p;
    fhx_buf out;
    fhx_error err;
    fhx_buf_init(&out, NULL);
    /* CRC-32 and ISIZE mismatches name their trailer field */
    gz[len - 8] ^= 1;
    ck_assert_int_eq(gunzip(gz, len, dlen, &out, &err), FHX_E_ZLIB);
    ck_assert_uint_eq(err.offset, len - 8);
    ck_assert_str_eq(err.msg, "gzip CRC-32 mismatch");
    gz[len - 8] ^= 1;
    gz[len - 1] ^= 1;
    ck_assert_int_eq(gunzip(gz, len, SIZE_MAX, &out, &err), FHX_E_ZLIB);
    ck_assert_uint_eq(err.offset, len - 4);
    ck_assert_str_eq(err.msg, "gzip length (ISIZE) mismatch");
    gz[len - 1] ^= 1;
    /* trailing bytes that are not a member */
    p = malloc(len + 4);
    memcpy(p, gz, len);
    memcpy(p + len, "\0\0\0\0", 4);
    ck_assert_int_eq(gunzip(p, len + 4, dlen, &out, &err), FHX_E_ZLIB);
    ck_assert_uint_eq(err.offset, len);
    ck_assert_uint_eq(out.len, 0);
    p[len] = 0x1f;
    p[len + 1] = 0x8c;
    ck_assert_int_eq(gunzip(p, len + 4, dlen, &out, &err), FHX_E_ZLIB);
    ck_assert_uint_eq(err.offset, len + 1);
    /* the start of another member that ends early */
    ck_assert_int_eq(gunzip(p, len + 1, dlen, &out, &err), FHX_E_TRUNCATED);
    ck_assert_uint_eq(err.offset, len + 1);
    free(p);
    /* not gzip at all */
    ck_assert_int_eq(gunzip((const uint8_t *)"{\"a\":1}", 7, 100, &out, &err),
                     FHX_E_ZLIB);
    ck_assert_uint_eq(err.offset, 0);
    ck_assert_str_eq(err.msg, "not gzip data (no 1f 8b magic)");
    ck_assert_int_eq(gunzip((const uint8_t *)"\x1f", 1, 100, &out, &err),
                     FHX_E_TRUNCATED);
    ck_assert_int_eq(gunzip(NULL, 0, 100, &out, &err), FHX_E_TRUNCATED);
    ck_assert_uint_eq(err.offset, 0);
    fhx_buf_free(&out);
    free(data);
    free(gz);
}
END_TEST

START_TEST(test_magic_split) {
    /* Regression (fuzz_gunzip): a wrong second magic byte gave "not gzip
     * data" when both bytes came in one piece, but zlib's "incorrect
     * header check" when a piece ended after the 1f. The error must not
     * depend on the split, for the first member and for a later one. */
    size_t len, dlen, cut, i;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen), *p;
    p = malloc(len + 4);
    memcpy(p, gz, len);
    memcpy(p + len, "\x1f\x5a\x08\x00", 4);
    for (i = 0; i < 2; i++) {
        const uint8_t *s = i ? p : (const uint8_t *)"\x1f\x5a\x08\x00junk";
        size_t n = i ? len + 4 : 8, first = i ? len : 0;
        fhx_error whole;
        fhx_gunzip_reader *r;
        uint8_t *out = malloc(dlen + 1);
        size_t used, put;
        ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
        ck_assert_int_eq(fhx_gunzip_read(r, s, n, &used, out, dlen + 1, &put,
                                         1),
                         FHX_E_ZLIB);
        whole = *fhx_gunzip_error(r);
        ck_assert_uint_eq(whole.offset, first + 1);
        ck_assert_str_eq(whole.msg, i ? "bytes after a gzip member that are "
                                        "not another member"
                                      : "not gzip data (no 1f 8b magic)");
        cut = first + 1; /* a piece ends right after the 1f */
        {
            size_t u2, p2;
            const fhx_error *e;
            ck_assert_int_eq(fhx_gunzip_begin(r, SIZE_MAX), FHX_OK);
            ck_assert_int_eq(fhx_gunzip_read(r, s, cut, &used, out, dlen + 1,
                                             &put, 0),
                             FHX_NEED_INPUT);
            ck_assert_uint_eq(used, cut);
            ck_assert_int_eq(fhx_gunzip_read(r, s + cut, n - cut, &u2,
                                             out + put, dlen + 1 - put, &p2,
                                             1),
                             FHX_E_ZLIB);
            e = fhx_gunzip_error(r);
            ck_assert_uint_eq(e->offset, whole.offset);
            ck_assert_str_eq(e->msg, whole.msg);
        }
        fhx_gunzip_reader_free(r);
        free(out);
    }
    free(p);
    free(data);
    free(gz);
}
END_TEST

START_TEST(test_bomb_capacity) {
    /* Regression (fuzz_gunzip): fhx_gunzip_append grew its output with
     * fhx_buf_reserve, which rounds up to a power of two, so a maximum
     * that is not one (or the +1 of the first reservation on a power of
     * two) let a bomb allocate up to twice the maximum. The capacity never
     * passes what the buffer held + max + 1. */
    static const size_t maxes[] = {5000, 100000, 65536, (1u << 20) + 3};
    size_t zlen = 3u << 20, i, glen, rlen = 300000, rglen;
    uint8_t *zeros = calloc(1, zlen), *rnd = make_data(rlen);
    uint8_t *g = NULL, *rg = NULL;
    fhx_buf gz, out;
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, zeros, zlen, 9), FHX_OK);
    glen = gz.len;
    g = gz.ptr;
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, rnd, rlen, 0), FHX_OK);
    rglen = gz.len;
    rg = gz.ptr;
    for (i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
        size_t max = maxes[i];
        fhx_error err;
        int pre;
        for (pre = 0; pre < 2; pre++) { /* empty, or holding 10 bytes */
            fhx_buf_init(&out, NULL);
            if (pre) ck_assert_int_eq(fhx_buf_append(&out, "0123456789", 10),
                                      FHX_OK);
            /* a bomb: every growth step up to the maximum */
            ck_assert_int_eq(
                fhx_gunzip_append(NULL, &out, g, glen, max, &err),
                FHX_E_LIMIT);
            ck_assert_uint_le(out.cap, (pre ? 10u : 0u) + max + 1);
            fhx_buf_free(&out);
            fhx_buf_init(&out, NULL);
            /* stored data: the first guess (4x the input) is the maximum */
            ck_assert_int_eq(
                fhx_gunzip_append(NULL, &out, rg, rglen, max, &err),
                max >= rlen ? FHX_OK : FHX_E_LIMIT);
            ck_assert_uint_le(out.cap, max + 1);
            fhx_buf_free(&out);
        }
    }
    free(zeros);
    free(rnd);
    free(g);
    free(rg);
}
END_TEST

START_TEST(test_bomb) {
    /* 64 MiB of zeros (16 under valgrind) in ~64 KiB of gzip, read with a
     * 1 MiB maximum: FHX_E_LIMIT, never more than the maximum allocated */
    size_t big = (light() ? 16u : 64u) << 20, max = 1u << 20, chunk = 1u << 16;
    uint8_t *zeros = calloc(1, chunk);
    fhx_gzip_writer *w;
    fhx_buf gz, out;
    fhx_error err;
    fhxt_counter c;
    fhx_allocator alc;
    size_t done = 0;
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 9, NULL), FHX_OK);
    while (1) { /* stream the zeros in without holding them */
        size_t used, put, k = big - done < chunk ? big - done : chunk;
        int st;
        ck_assert_int_eq(fhx_buf_reserve(&gz, 65536), FHX_OK);
        st = fhx_gzip_write(w, zeros, k, &used, gz.ptr + gz.len,
                            gz.cap - gz.len, &put,
                            done + k == big ? FHX_GZIP_FINISH
                                            : FHX_GZIP_NO_FLUSH);
        done += used;
        gz.len += put;
        if (st == FHX_END) break;
    }
    fhx_gzip_writer_free(w);
    ck_assert_uint_lt(gz.len, big / 500);
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    fhx_buf_init(&out, &alc);
    ck_assert_int_eq(fhx_gunzip_append(NULL, &out, gz.ptr, gz.len, max, &err),
                     FHX_E_LIMIT);
    ck_assert_int_eq(err.code, FHX_E_LIMIT);
    ck_assert_uint_lt(err.offset, gz.len);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_uint_le(out.cap, max + 1);
    fhx_buf_free(&out);
    ck_assert_uint_eq(c.live, 0);
    /* exactly at the maximum is fine; one byte less is not */
    {
        fhx_gunzip_reader *r;
        uint8_t buf[4096];
        size_t used, put, total = 0, pos = 0;
        int st;
        ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
        fhx_gunzip_begin(r, big);
        do {
            st = fhx_gunzip_read(r, gz.ptr + pos, gz.len - pos, &used, buf,
                                 sizeof buf, &put, 1);
            pos += used;
            total += put;
        } while (st == FHX_NEED_OUTPUT);
        ck_assert_int_eq(st, FHX_END);
        ck_assert_uint_eq(total, big);
        fhx_gunzip_begin(r, big - 1);
        pos = total = 0;
        do {
            st = fhx_gunzip_read(r, gz.ptr + pos, gz.len - pos, &used, buf,
                                 sizeof buf, &put, 1);
            pos += used;
            total += put;
        } while (st == FHX_NEED_OUTPUT);
        ck_assert_int_eq(st, FHX_E_LIMIT);
        ck_assert_uint_eq(total, big - 1);
        /* sticky until begin */
        ck_assert_int_eq(fhx_gunzip_read(r, gz.ptr, 1, &used, buf, 1, &put, 1),
                         FHX_E_LIMIT);
        ck_assert_int_eq(fhx_gunzip_error(r)->code, FHX_E_LIMIT);
        fhx_gunzip_reader_free(r);
    }
    fhx_buf_free(&gz);
    free(zeros);
}
END_TEST

/* ==== Allocator bridge =================================================== */

START_TEST(test_bridge_counts) {
    /* zlib's state goes through the caller's allocator, sizes matching */
    fhxt_counter c;
    fhx_allocator alc;
    fhx_gzip_writer *w;
    fhx_gunzip_reader *r;
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_gzip_writer_new(&w, 6, &alc), FHX_OK);
    ck_assert_uint_ge(c.allocs, 5); /* object, state, window, prev, head,
                                       pending */
    ck_assert_uint_gt(c.live, 200000);
    fhx_gzip_writer_free(w);
    ck_assert_uint_eq(c.live, 0);
    ck_assert_uint_eq(c.frees, c.allocs);
    ck_assert_int_eq(fhx_gunzip_reader_new(&r, &alc), FHX_OK);
    ck_assert_uint_gt(c.live, 0);
    fhx_gunzip_reader_free(r);
    ck_assert_uint_eq(c.live, 0);
    {
        fhx_allocator partial = alc;
        partial.free = NULL;
        ck_assert_int_eq(fhx_gzip_writer_new(&w, 6, &partial), FHX_E_ARG);
        ck_assert_int_eq(fhx_gunzip_reader_new(&r, &partial), FHX_E_ARG);
    }
}
END_TEST

/* Run op with the allocator failing at call 1, 2, ... until it succeeds;
 * every failure must be FHX_E_NOMEM with nothing leaked. */
typedef int (*alloc_op)(const fhx_allocator *alc, const uint8_t *gz,
                        size_t len);

static void fail_every_allocation(alloc_op op, const uint8_t *gz, size_t len,
                                  const char *what) {
    size_t k;
    int st = FHX_E_NOMEM;
    for (k = 1; st != FHX_OK; k++) {
        fhxt_counter c;
        fhx_allocator alc;
        memset(&c, 0, sizeof c);
        c.fail_at = k;
        alc = fhxt_counting_allocator(&c);
        st = op(&alc, gz, len);
        ck_assert_msg(st == FHX_OK || st == FHX_E_NOMEM,
                      "%s: failing call %zu gave %d", what, k, st);
        ck_assert_msg(c.live == 0, "%s: failing call %zu leaked %zu bytes",
                      what, k, c.live);
        ck_assert_uint_lt(k, 100);
    }
    ck_assert_uint_gt(k, 2); /* at least one failure was exercised */
}

static int op_writer(const fhx_allocator *alc, const uint8_t *gz, size_t len) {
    fhx_gzip_writer *w;
    int st = fhx_gzip_writer_new(&w, 6, alc);
    (void)gz, (void)len;
    if (st == FHX_OK) fhx_gzip_writer_free(w);
    return st;
}

static int op_gzip_append(const fhx_allocator *alc, const uint8_t *gz,
                          size_t len) {
    fhx_buf b;
    int st;
    fhx_buf_init(&b, alc);
    st = fhx_gzip_append(&b, gz, len, 6);
    fhx_buf_free(&b);
    return st;
}

static int op_gunzip_append(const fhx_allocator *alc, const uint8_t *gz,
                            size_t len) {
    fhx_buf b;
    fhx_error err;
    int st;
    fhx_buf_init(&b, alc);
    st = fhx_gunzip_append(NULL, &b, gz, len, SIZE_MAX, &err);
    if (st != FHX_OK) ck_assert_int_eq(err.code, st);
    fhx_buf_free(&b);
    return st;
}

static int op_reader_read(const fhx_allocator *alc, const uint8_t *gz,
                          size_t len) {
    /* the window is allocated on first inflate: a failure there too */
    fhx_gunzip_reader *r;
    uint8_t out[65536];
    size_t used, put;
    int st = fhx_gunzip_reader_new(&r, alc);
    if (st != FHX_OK) return st;
    st = fhx_gunzip_read(r, gz, len, &used, out, sizeof out, &put, 1);
    if (st == FHX_E_NOMEM)
        ck_assert_int_eq(fhx_gunzip_error(r)->code, FHX_E_NOMEM);
    fhx_gunzip_reader_free(r);
    return st == FHX_END ? FHX_OK : st;
}

START_TEST(test_allocation_failures) {
    size_t len, dlen;
    uint8_t *data, *gz = small_stream(&len, &data, &dlen);
    fail_every_allocation(op_writer, NULL, 0, "writer_new");
    fail_every_allocation(op_gzip_append, data, dlen, "gzip_append");
    fail_every_allocation(op_gunzip_append, gz, len, "gunzip_append");
    fail_every_allocation(op_reader_read, gz, len, "gunzip_read");
    free(data);
    free(gz);
}
END_TEST

static Suite *gzip_suite(void) {
    Suite *s = suite_create("gzip");
    TCase *tc = tcase_create("writer");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_levels_round_trip, 0, 10);
    ADD_TEST(tc, test_tools_to_reader);
    ADD_TEST(tc, test_multi_member);
    ADD_TEST(tc, test_sync_flush);
    ADD_TEST(tc, test_small_output_and_status);
    ADD_TEST(tc, test_flush_small_output);
    ADD_TEST(tc, test_empty_and_bound);
    ADD_TEST(tc, test_reset_and_args);
    suite_add_tcase(s, tc);
    tc = tcase_create("reader");
    tcase_set_timeout(tc, 300);
    ADD_TEST(tc, test_reader_pieces);
    ADD_TEST(tc, test_truncations);
    ADD_TEST(tc, test_bit_flips);
    ADD_TEST(tc, test_checks_and_junk);
    ADD_TEST(tc, test_magic_split);
    ADD_TEST(tc, test_bomb_capacity);
    ADD_TEST(tc, test_bomb);
    suite_add_tcase(s, tc);
    tc = tcase_create("allocator");
    ADD_TEST(tc, test_bridge_counts);
    ADD_TEST(tc, test_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(gzip_suite()); }
