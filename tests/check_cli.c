/*
 * Suite "cli": runs the built fhx binary (env FHX_BIN) with posix_spawn,
 * feeding stdin and capturing stdout, stderr and the exit status through
 * pipes. No shell is involved. Test data lives in temporary files in a
 * directory per test case, made under $TMPDIR (or /tmp) by an unchecked
 * fixture, which removes it in the runner process even when a test fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"

extern char **environ;

/* ==== Temporary files ===================================================== */

static char tmp_dir[512];

/* Unchecked setup: a fresh directory for the test case's files. */
static void tmp_setup(void) {
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/fhx-cli-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) tmp_dir[0] = '\0'; /* tmp_file then fails */
}

/* Unchecked teardown: remove the directory and everything in it. */
static void tmp_teardown(void) {
    DIR *d;
    struct dirent *e;
    char path[1024];
    if (!tmp_dir[0] || !(d = opendir(tmp_dir))) return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmp_dir);
    tmp_dir[0] = '\0';
}

/* A new temporary file holding data; it lives until the test case ends.
 * The path is in a rotating static buffer (enough for one test). */
static const char *tmp_file(const void *data, size_t len) {
    static char paths[64][600];
    static size_t next;
    const char *p = data;
    char *path = paths[next++ % 64];
    int fd;
    ck_assert_msg(tmp_dir[0] != '\0', "no temporary directory");
    snprintf(path, sizeof paths[0], "%s/in-XXXXXX", tmp_dir);
    fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
    while (len > 0) {
        ssize_t put = write(fd, p, len);
        if (put < 0 && errno == EINTR) continue;
        ck_assert_msg(put > 0, "write %s: %s", path, strerror(errno));
        p += put;
        len -= (size_t)put;
    }
    ck_assert_int_eq(close(fd), 0);
    return path;
}

static const char *tmp_str(const char *s) { return tmp_file(s, strlen(s)); }

/* ==== Running the binary ================================================== */

typedef struct run_result {
    int status; /* exit status, or 128 + signal */
    char *out;  /* NUL-terminated (one extra byte) */
    size_t out_len;
    char *err;
    size_t err_len;
} run_result;

static void run_free(run_result *r) {
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static const char *fhx_bin(void) {
    const char *b = getenv("FHX_BIN");
    return b && *b ? b : "./fhx";
}

static void append(char **buf, size_t *len, const char *p, size_t n) {
    char *nb = realloc(*buf, *len + n + 1);
    ck_assert_msg(nb != NULL, "out of memory");
    memcpy(nb + *len, p, n);
    *len += n;
    nb[*len] = '\0';
    *buf = nb;
}

static void make_pipe(int fds[2]) {
    ck_assert_int_eq(pipe(fds), 0);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
}

/* Drain one readable pipe; closes it at EOF. */
static void drain(int *fd, char **buf, size_t *len) {
    char chunk[65536];
    ssize_t got = read(*fd, chunk, sizeof chunk);
    if (got > 0) {
        append(buf, len, chunk, (size_t)got);
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

/* Feed stdin; closes it when done or when the child stopped reading. */
static void feed(int *fd, const char *in, size_t in_len, size_t *pos) {
    ssize_t put = write(*fd, in + *pos, in_len - *pos);
    if (put > 0) *pos += (size_t)put;
    if ((put < 0 && errno != EINTR && errno != EAGAIN) || *pos == in_len) {
        close(*fd);
        *fd = -1;
    }
}

/* Shuttle data until both output pipes are closed. */
static void pump(run_result *r, int fd_in, int fd_out, int fd_err,
                 const char *in, size_t in_len) {
    size_t pos = 0;
    if (fd_in >= 0 && in_len == 0) {
        close(fd_in);
        fd_in = -1;
    }
    while (fd_out >= 0 || fd_err >= 0) {
        struct pollfd p[3];
        nfds_t n = 0;
        size_t k;
        p[n].fd = fd_out, p[n].events = POLLIN, n++;
        p[n].fd = fd_err, p[n].events = POLLIN, n++;
        p[n].fd = fd_in, p[n].events = POLLOUT, n++;
        if (poll(p, n, -1) < 0) {
            ck_assert_msg(errno == EINTR, "poll: %s", strerror(errno));
            continue;
        }
        for (k = 0; k < 3; k++) p[k].revents &= (short)~POLLNVAL;
        if (fd_out >= 0 && p[0].revents) drain(&fd_out, &r->out, &r->out_len);
        if (fd_err >= 0 && p[1].revents) drain(&fd_err, &r->err, &r->err_len);
        if (fd_in >= 0 && p[2].revents) feed(&fd_in, in, in_len, &pos);
    }
    if (fd_in >= 0) close(fd_in);
}

/*
 * Run fhx ARGS... with `in` on stdin (NULL: /dev/null). stdout goes to a
 * pipe, or to the file out_path when it is not NULL.
 */
static void run_full(run_result *r, const char *in, size_t in_len,
                     const char *out_path, const char *const *args) {
    char *argv[64];
    int pin[2], pout[2] = {-1, -1}, perr[2], st, wst;
    size_t n = 0;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    memset(r, 0, sizeof *r);
    append(&r->out, &r->out_len, "", 0);
    append(&r->err, &r->err_len, "", 0);
    argv[n++] = (char *)(uintptr_t)fhx_bin();
    while (args && args[n - 1] && n < 63) {
        argv[n] = (char *)(uintptr_t)args[n - 1];
        n++;
    }
    argv[n] = NULL;
    make_pipe(pin);
    make_pipe(perr);
    if (!out_path) make_pipe(pout);
    ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    if (out_path)
        posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
    st = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ck_assert_msg(st == 0, "posix_spawn %s: %s", argv[0], strerror(st));
    close(pin[0]);
    close(perr[1]);
    if (!out_path) close(pout[1]);
    fcntl(pin[1], F_SETFL, O_NONBLOCK);
    if (!in) { /* the child reads EOF at once */
        close(pin[1]);
        pin[1] = -1;
    }
    pump(r, pin[1], pout[0], perr[0], in, in ? in_len : 0);
    while (waitpid(pid, &wst, 0) < 0)
        ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
    r->status = WIFEXITED(wst) ? WEXITSTATUS(wst)
                               : 128 + (WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
    ck_assert_msg(r->status < 128, "fhx died with signal %d; stderr: %s",
                  r->status - 128, r->err);
}

static void run_in(run_result *r, const char *in, size_t in_len,
                   const char *const *args) {
    run_full(r, in, in_len, NULL, args);
}

static void run(run_result *r, const char *const *args) {
    run_full(r, NULL, 0, NULL, args);
}

/* Run, expect status, return stdout (the caller frees). */
static char *run_ok(const char *const *args, int status, size_t *len) {
    run_result r;
    char *out;
    run(&r, args);
    ck_assert_msg(r.status == status, "%s %s: status %d (want %d): %s",
                  args[0], args[1] ? args[1] : "", r.status, status, r.err);
    out = r.out;
    if (len) *len = r.out_len;
    free(r.err);
    return out;
}

static size_t count_lines(const char *s, size_t len) {
    size_t i, n = 0;
    for (i = 0; i < len; i++) n += s[i] == '\n';
    return n;
}

/* Event-level failure: 65, nothing on stdout, one stderr line with a
 * byte offset. */
static void assert_data_error(const run_result *r, const char *what) {
    ck_assert_msg(r->status == 65, "%s: status %d, stderr: %s", what,
                  r->status, r->err);
    ck_assert_msg(r->out_len == 0, "%s: %zu bytes on stdout", what,
                  r->out_len);
    ck_assert_msg(count_lines(r->err, r->err_len) == 1 &&
                      r->err[r->err_len - 1] == '\n',
                  "%s: want one stderr line, got: %s", what, r->err);
    ck_assert_msg(strstr(r->err, "byte ") != NULL, "%s: %s", what, r->err);
    ck_assert_msg(strncmp(r->err, "fhx: ", 5) == 0, "%s: %s", what, r->err);
}

/* ==== Building events ===================================================== */

typedef struct evb {
    fhx_buf b;
    size_t n;
} evb;

static void evb_put(evb *e, const char *s) {
    ck_assert_int_eq(fhx_buf_append(&e->b, s, strlen(s)), FHX_OK);
}

static void evb_begin(evb *e) {
    fhx_buf_init(&e->b, NULL);
    e->n = 0;
    evb_put(e, "{\"invocationId\":\"inv-1\",\"deliveryStreamArn\":"
               "\"arn:aws:firehose:us-east-1:123456789012:deliverystream/"
               "t\",\"region\":\"us-east-1\",\"records\":[");
}

/* A record with raw (unchecked) data content and a raw timestamp token
 * (NULL: no timestamp). */
static void evb_add_raw(evb *e, const char *id, const char *ts,
                        const char *data) {
    if (e->n++) evb_put(e, ",");
    evb_put(e, "{\"recordId\":\"");
    evb_put(e, id);
    evb_put(e, "\"");
    if (ts) {
        evb_put(e, ",\"approximateArrivalTimestamp\":");
        evb_put(e, ts);
    }
    evb_put(e, ",\"data\":\"");
    evb_put(e, data);
    evb_put(e, "\"}");
}

static char *b64(const void *p, size_t n) {
    size_t cap = FHX_B64_ENCODED_LEN(n) + 1, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fhx_b64_encode(p, n, s, cap, &len), FHX_OK);
    s[len] = '\0';
    return s;
}

static void evb_add(evb *e, const char *id, const char *data) {
    char *enc = b64(data, strlen(data));
    evb_add_raw(e, id, "1700000000000", enc);
    free(enc);
}

/* Finish: a temporary file holding the event. */
static const char *evb_end(evb *e) {
    const char *path;
    evb_put(e, "]}");
    path = tmp_file(e->b.ptr, e->b.len);
    fhx_buf_free(&e->b);
    return path;
}

/* The response fragment for one record. */
static void assert_answer(const char *resp, const char *id,
                          const char *result, const char *data) {
    char frag[1024], *enc = data ? b64(data, strlen(data)) : NULL;
    if (enc)
        snprintf(frag, sizeof frag,
                 "{\"recordId\":\"%s\",\"result\":\"%s\",\"data\":\"%s\"}",
                 id, result, enc);
    else
        snprintf(frag, sizeof frag, "{\"recordId\":\"%s\",\"result\":\"%s\"}",
                 id, result);
    free(enc);
    ck_assert_msg(strstr(resp, frag) != NULL, "missing %s in %s", frag, resp);
}

/* ==== Messages and generated events ======================================= */

/* IoT-shaped messages as the topic rule delivers them, one per line;
 * with blank lines to skip and no newline after the last one. */
static char *iot_messages(size_t n, size_t *len) {
    fhx_buf b;
    size_t i;
    fhx_buf_init(&b, NULL);
    for (i = 0; i < n; i++) {
        char line[512];
        int k = snprintf(line, sizeof line,
                         "{\"topic\":\"iot-test-topic/dev%zu\",\"seq\":%zu,"
                         "\"message\":\"%.*s\"}%s",
                         i % 7, i, (int)(i * 13 % 97),
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                         i + 1 < n ? (i % 11 == 5 ? "\n\n" : "\n") : "");
        ck_assert_int_eq(fhx_buf_append(&b, line, (size_t)k), FHX_OK);
    }
    ck_assert_int_eq(fhx_buf_append(&b, "", 1), FHX_OK);
    *len = b.len - 1;
    return (char *)b.ptr;
}

/* The input without its blank lines: what the events must carry. */
static char *without_blank_lines(const char *s, size_t len, size_t *out) {
    char *r = malloc(len + 1);
    size_t i = 0, n = 0;
    ck_assert_ptr_nonnull(r);
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        size_t k;
        int blank = 1;
        for (k = i; k < end; k++)
            if (s[k] != '\n' && s[k] != '\r') blank = 0;
        if (!blank) {
            memcpy(r + n, s + i, end - i);
            n += end - i;
        }
        i = end;
    }
    r[n] = '\0';
    *out = n;
    return r;
}

/* `fhx event` on messages: a temporary file with the events. */
static const char *make_events(const char *msgs, size_t len,
                               const char *max_bytes, char **text,
                               size_t *text_len) {
    const char *in = tmp_file(msgs, len);
    const char *args_max[] = {"event", "--max-bytes", max_bytes, in, NULL};
    const char *args[] = {"event", in, NULL};
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    *text = run_ok(max_bytes ? args_max : args, 0, text_len);
    return tmp_file(*text, *text_len);
}

/* ==== Tests: help, version, usage ========================================= */

START_TEST(test_help_version) {
    const char *cmds[] = {"transform", "decode", "event", "check"};
    char want[128], usage[64];
    const char *a_help[] = {"--help", NULL}, *a_ver[] = {"--version", NULL};
    const char *a_h[] = {"help", "event", NULL};
    char *out;
    size_t i, len;
    out = run_ok(a_help, 0, &len);
    ck_assert_msg(strstr(out, "usage: fhx COMMAND") != NULL, "%s", out);
    free(out);
    out = run_ok(a_ver, 0, &len);
    snprintf(want, sizeof want, "fhx (libfirehose-xform) %s\n",
             fhx_version());
    ck_assert_str_eq(out, want);
    free(out);
    out = run_ok(a_h, 0, &len);
    ck_assert_msg(strncmp(out, "usage: fhx event", 16) == 0, "%s", out);
    free(out);
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *a1[] = {cmds[i], "--help", NULL};
        const char *a2[] = {cmds[i], "-V", NULL};
        out = run_ok(a1, 0, &len);
        snprintf(usage, sizeof usage, "usage: fhx %s", cmds[i]);
        ck_assert_msg(strncmp(out, usage, strlen(usage)) == 0, "%s", out);
        free(out);
        out = run_ok(a2, 0, &len);
        ck_assert_str_eq(out, want);
        free(out);
    }
}
END_TEST

static const char *const usage_cases[][6] = {
    {NULL},
    {"frobnicate", NULL},
    {"--bogus", NULL},
    {"--help", "extra", NULL},
    {"help", "nope", NULL},
    {"transform", "--bogus", NULL},
    {"transform", "-x", NULL},
    {"transform", "--handler", "nope", NULL},
    {"transform", "--handler", NULL},
    {"transform", "--handler=", NULL},
    {"transform", "--chunk", "0", NULL},
    {"transform", "--chunk", "-1", NULL},
    {"transform", "--chunk", "12x", NULL},
    {"transform", "--chunk", " 12", NULL},
    {"transform", "--chunk", "99999999999999999999999999", NULL},
    {"transform", "--chunk=", NULL},
    {"transform", "--verbose=1", NULL},
    {"transform", "a", "b", NULL},
    {"decode", "x", "y", NULL},
    {"decode", "--jsonx", NULL},
    {"event", "--max-bytes", "0", NULL},
    {"event", "--max-bytes=abc", NULL},
    {"event", "--max-bytes", NULL},
    {"check", NULL},
    {"check", "one", NULL},
    {"check", "a", "b", "c", NULL},
    {"check", "-", "-", NULL},
};

START_TEST(test_usage_errors) {
    run_result r;
    const char *const *args = usage_cases[_i];
    run(&r, args);
    ck_assert_msg(r.status == 64, "case %d: status %d, stderr: %s", _i,
                  r.status, r.err);
    ck_assert_msg(r.out_len == 0, "case %d: stdout %s", _i, r.out);
    ck_assert_msg(strstr(r.err, "--help") != NULL, "case %d: no hint: %s",
                  _i, r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_bad_source_date_epoch) {
    run_result r;
    const char *args[] = {"event", "-", NULL};
    setenv("SOURCE_DATE_EPOCH", "soon", 1);
    run_in(&r, "a\n", 2, args);
    unsetenv("SOURCE_DATE_EPOCH"); /* CK_FORK=no runs the rest here */
    ck_assert_msg(r.status == 64, "status %d: %s", r.status, r.err);
    ck_assert_uint_eq(r.out_len, 0);
    run_free(&r);
}
END_TEST

START_TEST(test_missing_file) {
    const char *ok = tmp_str("{\"records\":[]}");
    const char *missing = "/nonexistent-fhx-test-dir/event.json";
    const char *const cases[][5] = {
        {"transform", missing, NULL},
        {"transform", "--handler", "ndjson", missing, NULL},
        {"decode", missing, NULL},
        {"decode", "--json", missing, NULL},
        {"event", missing, NULL},
        {"check", missing, ok, NULL},
        {"check", ok, missing, NULL},
        {"transform", "/", NULL}, /* a directory cannot be read */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(&r, cases[i]);
        ck_assert_msg(r.status == 66, "case %zu: status %d: %s", i, r.status,
                      r.err);
        ck_assert_uint_eq(r.out_len, 0);
        ck_assert_msg(strncmp(r.err, "fhx: ", 5) == 0, "%s", r.err);
        run_free(&r);
    }
}
END_TEST

START_TEST(test_write_error) {
    struct stat st;
    run_result r;
    const char *ev = tmp_str("{\"records\":[{\"recordId\":\"a\",\"data\":"
                             "\"QQ==\"}]}");
    const char *args[] = {"transform", ev, NULL};
    const char *args2[] = {"--help", NULL};
    if (stat("/dev/full", &st) != 0) return; /* not on this system */
    run_full(&r, NULL, 0, "/dev/full", args);
    ck_assert_msg(r.status == 74, "status %d: %s", r.status, r.err);
    run_free(&r);
    run_full(&r, NULL, 0, "/dev/full", args2);
    ck_assert_msg(r.status == 74, "status %d: %s", r.status, r.err);
    run_free(&r);
}
END_TEST

/* ==== Tests: peer fixtures ================================================ */

typedef struct peer_case {
    const char *file;
    int transform; /* expected exit status of fhx transform */
    int decode;    /* expected exit status of fhx decode */
} peer_case;

static const peer_case peer_cases[] = {
    {"aws-lambda-go/kinesis-firehose-event.json", 0, 0},
    {"aws-lambda-rust-runtime/example-firehose-event.json", 0, 0},
    {"aws-lambda-rust-runtime/example-kinesis-firehose-event.json", 0, 0},
    {"powertools-lambda-python/kinesisFirehosePutEvent.json", 0, 0},
    {"powertools-lambda-python/kinesisFirehoseKinesisEvent.json", 0, 0},
    {"powertools-lambda-python/kinesisFirehoseSQSEvent.json", 0, 0},
    {"powertools-lambda-typescript/firehose-put.json", 0, 0},
    {"powertools-lambda-typescript/firehose.json", 0, 0},
    {"powertools-lambda-typescript/firehose-sqs.json", 0, 0},
    {"powertools-lambda-typescript/firehose-sqs-invalid.json", 0, 0},
    {"aws-lambda-java-libs/firehose_event.json", 0, 0},
    {"aws-lambda-java-libs/msk_firehose_event.json", 0, 0},
    {"aws-lambda-java-libs/msk_firehose_event_roundtrip.json", 0, 0},
    {"aws-lambda-java-libs/samples/kinesis-firehose-event-handler/event.json",
     0, 0},
    {"aws-lambda-java-libs/samples/msk-firehose-event-handler/event.json", 0,
     0},
    {"aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json", 0, 0},
    /* templates: "{{{data}}}" is not base64 (record-level failure) */
    {"aws-sam-cli/KinesisFirehose.json", 0, 65},
    {"aws-sam-cli/KinesisFirehoseApachelog.json", 0, 65},
    {"aws-sam-cli/KinesisFirehoseStreamsAsSource.json", 0, 65},
    /* duplicate recordIds: the batch cannot be answered */
    {"aws-sam-cli/KinesisFirehoseSyslog.json", 65, 65},
    /* not a Firehose event (a Kinesis stream event: "Records") */
    {"powertools-lambda-typescript/stream-cloudwatch-logs.json", 65, 65},
};

static const char *peer_path(const char *file) {
    static char path[4096];
    const char *dir = fhxt_peers_dir();
    if (!dir) return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return path;
}

START_TEST(test_peer_fixture) {
    const peer_case *pc = &peer_cases[_i];
    const char *handlers[] = {"identity", "ndjson", "drop", "fail"};
    const char *path = peer_path(pc->file);
    run_result r;
    size_t h;
    if (!path) return; /* no shared fixtures here */
    for (h = 0; h < sizeof handlers / sizeof handlers[0]; h++) {
        const char *args[] = {"transform", "--handler", handlers[h], path,
                              NULL};
        run(&r, args);
        ck_assert_msg(r.status == pc->transform, "%s %s: status %d: %s",
                      pc->file, handlers[h], r.status, r.err);
        if (r.status == 0) {
            const char *resp = tmp_file(r.out, r.out_len);
            const char *chk[] = {"check", path, resp, NULL};
            char *o = run_ok(chk, 0, NULL);
            ck_assert_msg(r.err_len == 0, "%s", r.err);
            free(o);
        } else {
            assert_data_error(&r, pc->file);
        }
        run_free(&r);
    }
    {
        const char *args[] = {"decode", path, NULL};
        run(&r, args);
        ck_assert_msg(r.status == pc->decode, "decode %s: status %d: %s",
                      pc->file, r.status, r.err);
        if (pc->transform != 0) assert_data_error(&r, pc->file);
        run_free(&r);
    }
}
END_TEST

/* Responses of other runtimes: what Firehose would write to S3. Invalid
 * result strings (the Go and Rust marshalling fixtures) deliver nothing. */
START_TEST(test_peer_responses) {
    static const char *const cases[][2] = {
        {"aws-lambda-dotnet/kinesis-firehose-response.json", "HELLO WORLD"},
        {"aws-lambda-java-libs/msk_firehose_response.json",
         "transformed data"},
        {"aws-lambda-go/kinesis-firehose-response.json", ""},
        {"aws-lambda-rust-runtime/example-kinesis-firehose-response.json",
         ""},
    };
    size_t i;
    if (!fhxt_peers_dir()) return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        const char *args[] = {"decode", "--response", path, NULL};
        char *out;
        snprintf(path, sizeof path, "%s", peer_path(cases[i][0]));
        out = run_ok(args, 0, NULL);
        ck_assert_str_eq(out, cases[i][1]);
        free(out);
    }
}
END_TEST

/* ==== Tests: round trips ================================================== */

START_TEST(test_round_trip_handlers) {
    const char *handlers[] = {"identity", "ndjson", "drop", "fail"};
    const char *chunks[] = {"1", "2", "3", "7", "64", "4096"};
    size_t msgs_len, want_len, ev_len, h, c;
    char *msgs = iot_messages(40, &msgs_len), *events;
    char *want = without_blank_lines(msgs, msgs_len, &want_len);
    const char *ev = make_events(msgs, msgs_len, NULL, &events, &ev_len);
    ck_assert_uint_eq(count_lines(events, ev_len), 1);
    for (h = 0; h < sizeof handlers / sizeof handlers[0]; h++) {
        const char *args[] = {"transform", "--handler", handlers[h], ev,
                              NULL};
        size_t resp_len, got_len;
        char *resp = run_ok(args, 0, &resp_len), *got;
        const char *rp = tmp_file(resp, resp_len);
        const char *chk[] = {"check", ev, rp, NULL};
        const char *dec[] = {"decode", "--response", rp, NULL};
        free(run_ok(chk, 0, NULL));
        got = run_ok(dec, 0, &got_len);
        if (h < 2) { /* identity and ndjson deliver every message; ndjson
                        ends the last one, which had no newline */
            ck_assert_uint_eq(got_len, want_len + h);
            ck_assert_msg(memcmp(got, want, want_len) == 0, "%s delivers %s",
                          handlers[h], got);
            if (h == 1) ck_assert_int_eq(got[want_len], '\n');
        } else {
            ck_assert_uint_eq(got_len, 0);
        }
        free(got);
        for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            const char *a2[] = {"transform", "--chunk", chunks[c],
                                "--handler", handlers[h], ev, NULL};
            size_t len2;
            char *resp2 = run_ok(a2, 0, &len2);
            ck_assert_msg(len2 == resp_len && memcmp(resp, resp2, len2) == 0,
                          "--chunk %s --handler %s differs", chunks[c],
                          handlers[h]);
            free(resp2);
        }
        free(resp);
    }
    free(msgs);
    free(want);
    free(events);
}
END_TEST

START_TEST(test_round_trip_stdin_verbose) {
    size_t msgs_len, ev_len;
    char *msgs = iot_messages(5, &msgs_len), *events;
    const char *args[] = {"transform", "-v", "--handler=ndjson", "-", NULL};
    run_result r;
    make_events(msgs, msgs_len, NULL, &events, &ev_len);
    run_in(&r, events, ev_len, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "5 records: 5 Ok") != NULL, "%s", r.err);
    ck_assert_uint_eq(count_lines(r.err, r.err_len), 1);
    run_free(&r);
    free(msgs);
    free(events);
}
END_TEST

/* ==== Tests: ndjson and invalid data ====================================== */

START_TEST(test_ndjson_framing) {
    evb e;
    const char *ev, *rp;
    char *resp;
    size_t len;
    evb_begin(&e);
    evb_add(&e, "crlf", "a\r\nb\r\n");
    evb_add(&e, "lf", "a\nb\n");
    evb_add(&e, "nofinal", "x\ny");
    evb_add(&e, "empty", "");
    evb_add(&e, "blank", "\n\r\n\n");
    evb_add(&e, "one", "{\"k\":1}");
    evb_add(&e, "gaps", "\n\np\n\n\nq\r\n");
    ev = evb_end(&e);
    {
        const char *args[] = {"transform", "--handler", "ndjson", ev, NULL};
        resp = run_ok(args, 0, &len);
    }
    assert_answer(resp, "crlf", "Ok", "a\nb\n");
    assert_answer(resp, "lf", "Ok", "a\nb\n");
    assert_answer(resp, "nofinal", "Ok", "x\ny\n");
    assert_answer(resp, "empty", "Dropped", NULL);
    assert_answer(resp, "blank", "Dropped", NULL);
    assert_answer(resp, "one", "Ok", "{\"k\":1}\n");
    assert_answer(resp, "gaps", "Ok", "p\nq\n");
    rp = tmp_file(resp, len);
    {
        const char *chk[] = {"check", ev, rp, NULL};
        const char *dec[] = {"decode", "--response", rp, NULL};
        char *got;
        free(run_ok(chk, 0, NULL));
        got = run_ok(dec, 0, &len);
        ck_assert_str_eq(got, "a\nb\na\nb\nx\ny\n{\"k\":1}\np\nq\n");
        free(got);
    }
    free(resp);
}
END_TEST

START_TEST(test_invalid_base64_record) {
    evb e;
    const char *ev;
    char *resp;
    run_result r;
    size_t len;
    evb_begin(&e);
    evb_add(&e, "r0", "Hello");
    evb_add_raw(&e, "r1", "1", "SGVsbG8");  /* length not a multiple of 4 */
    evb_add_raw(&e, "r2", "2", "SGV$bG8="); /* bad character */
    evb_add(&e, "r3", "world\n");
    evb_add_raw(&e, "r4", "4", "SGVsbG9="); /* non-zero trailing bits */
    ev = evb_end(&e);
    {
        const char *args[] = {"transform", ev, NULL};
        resp = run_ok(args, 0, &len);
    }
    assert_answer(resp, "r0", "Ok", "Hello");
    assert_answer(resp, "r1", "ProcessingFailed", NULL);
    assert_answer(resp, "r2", "ProcessingFailed", NULL);
    assert_answer(resp, "r3", "Ok", "world\n");
    assert_answer(resp, "r4", "ProcessingFailed", NULL);
    {
        const char *chk[] = {"check", ev, tmp_file(resp, len), NULL};
        free(run_ok(chk, 0, NULL));
    }
    free(resp);
    {
        const char *args[] = {"decode", ev, NULL};
        run(&r, args);
    }
    ck_assert_msg(r.status == 65, "status %d", r.status);
    ck_assert_str_eq(r.out, "Helloworld\n");
    ck_assert_uint_eq(count_lines(r.err, r.err_len), 3);
    ck_assert_msg(strstr(r.err, "(record 1, recordId r1)") != NULL, "%s",
                  r.err);
    ck_assert_msg(strstr(r.err, "(record 2, recordId r2)") != NULL, "%s",
                  r.err);
    ck_assert_msg(strstr(r.err, "(record 4, recordId r4)") != NULL, "%s",
                  r.err);
    ck_assert_msg(strstr(r.err, "byte ") != NULL, "%s", r.err);
    run_free(&r);
}
END_TEST

/* ==== Tests: hostile input ================================================ */

static char *repeat(char c, size_t n, const char *prefix, size_t *len) {
    size_t p = strlen(prefix);
    char *s = malloc(p + n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, prefix, p);
    memset(s + p, c, n);
    s[p + n] = '\0';
    *len = p + n;
    return s;
}

START_TEST(test_hostile_input) {
    static const char *const texts[] = {
        "",
        "   \n",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"}",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"}]} x",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"}]}{}",
        "{\"records\":[1e999999999]}",
        "{\"records\":[{\"recordId\":\"\xff\xfe\",\"data\":\"QQ==\"}]}",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\",\"x\":\"\xc0\xaf"
        "\"}]}",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"},"
        "{\"recordId\":\"a\",\"data\":\"QQ==\"}]}",
        "{\"records\":{}}",
        "{\"Records\":[]}",
        "[]",
        "null",
        "\"records\"",
    };
    size_t i, len;
    char *big;
    char garbage[4096];
    const char *paths[32];
    size_t n = 0;
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
        paths[n++] = tmp_str(texts[i]);
    big = repeat('[', 10000, "", &len);
    paths[n++] = tmp_file(big, len);
    free(big);
    big = repeat('[', 10000,
                 "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\",\"x\":",
                 &len);
    paths[n++] = tmp_file(big, len);
    free(big);
    big = repeat('9', 100000, "", &len);
    paths[n++] = tmp_file(big, len);
    free(big);
    for (i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(unsigned char)((i * 7919u + 13u) & 0xffu);
    garbage[0] = '\x89';
    paths[n++] = tmp_file(garbage, sizeof garbage);
    for (i = 0; i < n; i++) {
        const char *cmds[][5] = {{"transform", paths[i], NULL},
                                 {"transform", "--chunk", "3", paths[i], NULL},
                                 {"decode", paths[i], NULL},
                                 {"decode", "--json", paths[i], NULL},
                                 {"check", paths[i], paths[i], NULL}};
        size_t c;
        for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
            run_result r;
            char what[64];
            snprintf(what, sizeof what, "input %zu, command %zu", i, c);
            run(&r, cmds[c]);
            assert_data_error(&r, what);
            run_free(&r);
        }
    }
}
END_TEST

START_TEST(test_hostile_stdin) {
    run_result r;
    const char *args[] = {"transform", NULL};
    run_in(&r, "{\"records\":\n[{]}", 16, args);
    assert_data_error(&r, "stdin");
    ck_assert_msg(strncmp(r.err, "fhx: <stdin>:2:", 15) == 0, "%s", r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_metadata_drift) {
    evb e;
    const char *ev;
    char *out;
    size_t len;
    evb_begin(&e);
    evb_add_raw(&e, "big", "123456789012345678901234567890", "QQ==");
    evb_add_raw(&e, "iso", "\"2012-04-23T18:25:43.511Z\"", "Qg==");
    evb_add_raw(&e, "none", NULL, "");
    evb_add_raw(&e, "neg", "-1.5e3", "Qw==");
    ev = evb_end(&e);
    {
        const char *args[] = {"transform", ev, NULL};
        out = run_ok(args, 0, &len);
    }
    assert_answer(out, "big", "Ok", "A");
    assert_answer(out, "none", "Ok", "");
    free(out);
    {
        const char *args[] = {"decode", "--json", ev, NULL};
        out = run_ok(args, 0, &len);
    }
    ck_assert_str_eq(
        out,
        "{\"recordId\":\"big\",\"approximateArrivalTimestamp\":"
        "123456789012345678901234567890,\"length\":1,\"data\":\"QQ==\"}\n"
        "{\"recordId\":\"iso\",\"approximateArrivalTimestamp\":"
        "\"2012-04-23T18:25:43.511Z\",\"length\":1,\"data\":\"Qg==\"}\n"
        "{\"recordId\":\"none\",\"approximateArrivalTimestamp\":null,"
        "\"length\":0,\"data\":\"\"}\n"
        "{\"recordId\":\"neg\",\"approximateArrivalTimestamp\":-1.5e3,"
        "\"length\":1,\"data\":\"Qw==\"}\n");
    free(out);
}
END_TEST

/* ==== Tests: fhx event ==================================================== */

typedef struct id_list {
    char **ids;
    size_t n, cap;
} id_list;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Decode one event line with the library: append its data to *data and
 * its ids to ids; check the header. */
static void take_event(const char *line, size_t len, fhx_buf *data,
                       id_list *ids) {
    fhx_event_decoder *dec;
    fhx_record rec;
    const fhx_event_header *h;
    int st;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, line, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        size_t n;
        ck_assert_int_eq(rec.status, FHX_OK);
        ck_assert_uint_eq(rec.id.len, 56);
        ck_assert_int_eq(rec.arrival_ms, 1700000000000);
        ck_assert_int_eq(fhx_buf_reserve(data, rec.data_len + 1), FHX_OK);
        ck_assert_int_eq(fhx_record_decode(&rec, data->ptr + data->len,
                                           rec.data_len, &n),
                         FHX_OK);
        data->len += n;
        if (ids->n == ids->cap) {
            ids->cap = ids->cap ? ids->cap * 2 : 64;
            ids->ids = realloc(ids->ids, ids->cap * sizeof *ids->ids);
            ck_assert_ptr_nonnull(ids->ids);
        }
        ids->ids[ids->n] = fhxt_dup(rec.id.ptr, rec.id.len + 1);
        ids->ids[ids->n++][rec.id.len] = '\0';
    }
    ck_assert_msg(st == FHX_END, "event does not decode: %s",
                  fhx_event_error(dec)->msg);
    ck_assert_uint_gt(fhx_event_record_count(dec), 0);
    h = fhx_event_get_header(dec);
    ck_assert_int_eq(h->invocation_id.kind, FHX_META_STRING);
    ck_assert_int_eq(h->delivery_stream_arn.kind, FHX_META_STRING);
    ck_assert_int_eq(h->region.kind, FHX_META_STRING);
    fhx_event_decoder_free(dec);
}

static const char *const max_bytes_cases[] = {"600",  "601",  "777",
                                              "1500", "4096", NULL};

START_TEST(test_event_split) {
    size_t msgs_len, want_len, ev_len, max = 0, pos = 0, i, events = 0;
    char *msgs = iot_messages(300, &msgs_len), *text;
    char *want = without_blank_lines(msgs, msgs_len, &want_len);
    const char *mb = max_bytes_cases[_i];
    fhx_buf data;
    id_list ids = {NULL, 0, 0};
    if (mb) max = strtoul(mb, NULL, 10);
    make_events(msgs, msgs_len, mb, &text, &ev_len);
    fhx_buf_init(&data, NULL);
    while (pos < ev_len) {
        const char *nl = memchr(text + pos, '\n', ev_len - pos);
        size_t len;
        ck_assert_msg(nl != NULL, "event without its newline");
        len = (size_t)(nl - (text + pos));
        if (max) ck_assert_msg(len <= max, "event of %zu > %zu", len, max);
        take_event(text + pos, len, &data, &ids);
        pos += len + 1;
        events++;
    }
    ck_assert_uint_eq(data.len, want_len);
    ck_assert_msg(memcmp(data.ptr, want, want_len) == 0, "data differs");
    ck_assert_uint_eq(ids.n, 300);
    if (!mb) ck_assert_uint_eq(events, 1);
    if (mb && max < 1000) ck_assert_uint_gt(events, 10);
    qsort(ids.ids, ids.n, sizeof *ids.ids, cmp_str);
    for (i = 0; i < ids.n; i++) {
        if (i > 0) ck_assert_str_ne(ids.ids[i - 1], ids.ids[i]);
    }
    for (i = 0; i < ids.n; i++) free(ids.ids[i]);
    free(ids.ids);
    fhx_buf_free(&data);
    free(text);
    free(want);
    free(msgs);
}
END_TEST

START_TEST(test_event_too_long) {
    char msgs[3000];
    const char *in;
    run_result r;
    memset(msgs, 'z', sizeof msgs);
    memcpy(msgs, "short\n\nshort\n", 13);
    msgs[2000] = '\n';
    in = tmp_file(msgs, sizeof msgs);
    {
        const char *args[] = {"event", "--max-bytes", "1000", in, NULL};
        run(&r, args);
    }
    ck_assert_msg(r.status == 65, "status %d: %s", r.status, r.err);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_uint_eq(count_lines(r.err, r.err_len), 1);
    ck_assert_msg(strstr(r.err, ":4:1: byte 13") != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "line 4") != NULL, "%s", r.err);
    run_free(&r);
    {
        const char *args[] = {"event", "--max-bytes", "10", "-", NULL};
        run_in(&r, "a\n", 2, args);
    }
    ck_assert_msg(r.status == 65, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "line 1") != NULL, "%s", r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_event_empty_and_exact) {
    char *out;
    size_t len, max;
    char num[32];
    const char *blank = tmp_str("\n\r\n\n");
    const char *in = tmp_str("{\"m\":1}\n");
    const char *a0[] = {"event", blank, NULL};
    const char *a1[] = {"event", in, NULL};
    out = run_ok(a0, 0, &len);
    ck_assert_uint_eq(len, 0);
    free(out);
    /* an event of exactly N bytes is allowed */
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    out = run_ok(a1, 0, &len);
    max = len - 1;
    free(out);
    snprintf(num, sizeof num, "%zu", max);
    {
        const char *a2[] = {"event", "--max-bytes", num, in, NULL};
        out = run_ok(a2, 0, &len);
        ck_assert_uint_eq(len, max + 1);
        free(out);
    }
    snprintf(num, sizeof num, "%zu", max - 1);
    {
        const char *a3[] = {"event", "--max-bytes", num, in, NULL};
        free(run_ok(a3, 65, &len));
        ck_assert_uint_eq(len, 0);
    }
}
END_TEST

/* ==== Tests: fhx decode =================================================== */

START_TEST(test_decode) {
    evb e;
    const char *ev;
    char *out;
    size_t len;
    evb_begin(&e);
    evb_add(&e, "r0", "Hello, ");
    evb_add(&e, "r\\/1", "world!\n");
    evb_add_raw(&e, "r2", "1", "SGk\\/");
    ev = evb_end(&e);
    {
        const char *args[] = {"decode", ev, NULL};
        out = run_ok(args, 0, &len);
    }
    ck_assert_uint_eq(len, 17);
    ck_assert_int_eq(memcmp(out, "Hello, world!\nHi?", 17), 0);
    free(out);
    {
        const char *args[] = {"decode", "--json", ev, NULL};
        out = run_ok(args, 0, &len);
    }
    ck_assert_str_eq(out,
                     "{\"recordId\":\"r0\",\"approximateArrivalTimestamp\":"
                     "1700000000000,\"length\":7,\"data\":\"SGVsbG8sIA==\"}\n"
                     "{\"recordId\":\"r\\/1\",\"approximateArrivalTimestamp\":"
                     "1700000000000,\"length\":7,\"data\":\"d29ybGQhCg==\"}\n"
                     "{\"recordId\":\"r2\",\"approximateArrivalTimestamp\":1,"
                     "\"length\":3,\"data\":\"SGk/\"}\n");
    free(out);
}
END_TEST

START_TEST(test_decode_response) {
    const char *resp = tmp_str(
        "{\"records\":["
        "{\"recordId\":\"a\",\"result\":\"Ok\",\"data\":\"b2sx\"},"
        "{\"recordId\":\"b\",\"result\":\"Dropped\",\"data\":\"ZHJvcA==\"},"
        "{\"recordId\":\"c\",\"result\":\"ProcessingFailed\"},"
        "{\"metadata\":{\"result\":\"Ok\"},\"recordId\":\"d\",\"data\":"
        "\"eA==\",\"result\":\"Dropped\"},"
        "{\"data\":\"b2sy\",\"result\":\"\\u004fk\",\"recordId\":\"e\"}]}");
    const char *bad = tmp_str(
        "{\"records\":[{\"recordId\":\"a\",\"result\":\"Ok\"},"
        "{\"recordId\":\"b\",\"result\":\"Ok\",\"data\":\"b2sz\"}]}");
    const char *args[] = {"decode", "--response", resp, NULL};
    const char *args2[] = {"decode", "--response", bad, NULL};
    run_result r;
    char *out = run_ok(args, 0, NULL);
    ck_assert_str_eq(out, "ok1ok2");
    free(out);
    run(&r, args2); /* Ok without data: reported, the rest written */
    ck_assert_int_eq(r.status, 65);
    ck_assert_str_eq(r.out, "ok3");
    ck_assert_msg(strstr(r.err, "recordId a") != NULL, "%s", r.err);
    run_free(&r);
}
END_TEST

/* ==== Tests: fhx check ==================================================== */

START_TEST(test_check_go_fixture) {
    char ev[4096], resp[4096];
    const char *args[] = {"check", ev, resp, NULL};
    run_result r;
    if (!fhxt_peers_dir()) return;
    snprintf(ev, sizeof ev, "%s",
             peer_path("aws-lambda-go/kinesis-firehose-event.json"));
    snprintf(resp, sizeof resp, "%s",
             peer_path("aws-lambda-go/kinesis-firehose-response.json"));
    run(&r, args);
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_msg(strstr(r.err, "\"TRANSFORMED_STATE_OK\"") != NULL, "%s",
                  r.err);
    ck_assert_msg(strstr(r.err, "\"TRANSFORMED_STATE_DROPPED\"") != NULL,
                  "%s", r.err);
    ck_assert_msg(strstr(r.err, "recordId record3") != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "kinesis-firehose-response.json:") != NULL,
                  "%s", r.err);
    ck_assert_msg(count_lines(r.err, r.err_len) >= 4, "%s", r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_check_problems) {
    evb e;
    const char *ev, *resp;
    run_result r;
    evb_begin(&e);
    evb_add(&e, "r0", "a");
    evb_add(&e, "r1", "b");
    evb_add(&e, "r2", "c");
    ev = evb_end(&e);
    resp = tmp_str(
        "{\"records\":[\n"
        "{\"recordId\":\"r0\",\"result\":\"Ok\",\"data\":\"YQ==\"},\n"
        "{\"recordId\":\"r0\",\"result\":\"Dropped\"},\n"
        "{\"recordId\":\"r9\",\"result\":\"Ok\",\"data\":\"YQ==\"},\n"
        "{\"recordId\":\"r1\",\"result\":\"ok\",\"data\":\"YQ=\"}\n"
        "]}");
    {
        const char *args[] = {"check", ev, resp, NULL};
        run(&r, args);
    }
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "recordId r2") != NULL, "missing: %s", r.err);
    ck_assert_msg(strstr(r.err, "recordId r9") != NULL, "unknown: %s", r.err);
    ck_assert_msg(strstr(r.err, ":3:") != NULL, "duplicate: %s", r.err);
    ck_assert_msg(strstr(r.err, "\"ok\"") != NULL, "result: %s", r.err);
    run_free(&r);
    {
        const char *bad_ev = tmp_str("{\"records\":[");
        const char *args[] = {"check", bad_ev, resp, NULL};
        run(&r, args);
        assert_data_error(&r, "check with an invalid event");
        run_free(&r);
    }
}
END_TEST

/* ==== gzip, gunzip, cloudwatch-logs, decode --gunzip/--gzip, replay ===== */

/* The library's gunzip of buf, as a NUL-terminated string (free it). */
static char *lib_gunzip(const char *buf, size_t len, size_t *out_len) {
    fhx_buf b;
    fhx_error err;
    char *s;
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_gunzip_append(NULL, &b, buf, len, SIZE_MAX, &err),
                     FHX_OK);
    s = malloc(b.len + 1);
    if (b.len) memcpy(s, b.ptr, b.len);
    s[b.len] = '\0';
    *out_len = b.len;
    fhx_buf_free(&b);
    return s;
}

START_TEST(test_gzip_gunzip) {
    static const char *const levels[] = {"-1", "-6", "-9", NULL};
    const char *text = "{\"topic\":\"iot-test-topic/a\",\"v\":1}\n"
                       "{\"topic\":\"iot-test-topic/a\",\"v\":2}\n";
    size_t i, n;
    for (i = 0; i < 4; i++) {
        const char *gz_args[] = {"gzip", levels[i], NULL};
        const char *gunzip_args[] = {"gunzip", NULL};
        run_result r, back;
        fhx_buf want;
        char *plain;
        run_in(&r, text, strlen(text), gz_args);
        ck_assert_msg(r.status == 0, "gzip %s: %d %s", levels[i] ? levels[i]
                                                                 : "",
                      r.status, r.err);
        /* the same bytes as the library's one-shot member */
        fhx_buf_init(&want, NULL);
        ck_assert_int_eq(fhx_gzip_append(&want, text, strlen(text),
                                         levels[i] ? levels[i][1] - '0' : 6),
                         FHX_OK);
        ck_assert_uint_eq(r.out_len, want.len);
        ck_assert_mem_eq(r.out, want.ptr, want.len);
        fhx_buf_free(&want);
        plain = lib_gunzip(r.out, r.out_len, &n);
        ck_assert_str_eq(plain, text);
        free(plain);
        run_in(&back, r.out, r.out_len, gunzip_args);
        ck_assert_int_eq(back.status, 0);
        ck_assert_str_eq(back.out, text);
        run_free(&back);
        run_free(&r);
    }
}
END_TEST

START_TEST(test_gunzip_errors) {
    const char *text = "hello, hello, hello, hello\n";
    fhx_buf gz;
    run_result r;
    const char *plain[] = {"gunzip", NULL};
    const char *small[] = {"gunzip", "--max-bytes", "26", NULL};
    const char *exact[] = {"gunzip", "--max-bytes=27", NULL};
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, text, strlen(text), 6), FHX_OK);
    ck_assert_int_eq(fhx_gzip_append(&gz, "", 0, 6), FHX_OK); /* 2 members */
    run_in(&r, text, strlen(text), plain);
    assert_data_error(&r, "not gzip");
    ck_assert_ptr_nonnull(strstr(r.err, "byte 0: not gzip data"));
    run_free(&r);
    run_in(&r, (const char *)gz.ptr, gz.len - 3, plain);
    assert_data_error(&r, "truncated");
    run_free(&r);
    run_in(&r, (const char *)gz.ptr, gz.len, small);
    assert_data_error(&r, "over --max-bytes");
    ck_assert_ptr_nonnull(strstr(r.err, "more than 26 bytes"));
    run_free(&r);
    run_in(&r, (const char *)gz.ptr, gz.len, exact);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, text);
    run_free(&r);
    fhx_buf_free(&gz);
}
END_TEST

START_TEST(test_gzip_usage) {
    static const char *const cases[][4] = {
        {"gzip", "-0", NULL, NULL},
        {"gzip", "file", NULL, NULL},
        {"gunzip", "--max-bytes", "0", NULL},
        {"gunzip", "--max-bytes=x", NULL, NULL},
        {"gunzip", "file", NULL, NULL},
        {"replay", NULL, NULL, NULL},
        {"replay", "--max-bytes", "-1", "f"},
        {"transform", "--handler", "cloudwatch", NULL},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(&r, cases[i]);
        ck_assert_msg(r.status == 64, "%s %s: %d", cases[i][0],
                      cases[i][1] ? cases[i][1] : "", r.status);
        ck_assert_uint_eq(r.out_len, 0);
        run_free(&r);
    }
    {
        const char *help[] = {"gzip", "--help", NULL};
        const char *help2[] = {"replay", "-h", NULL};
        char *o = run_ok(help, 0, NULL);
        ck_assert_ptr_nonnull(strstr(o, "usage: fhx gzip"));
        free(o);
        o = run_ok(help2, 0, NULL);
        ck_assert_ptr_nonnull(strstr(o, "usage: fhx replay"));
        free(o);
    }
}
END_TEST

#define SAM_CWL "aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json"

START_TEST(test_cloudwatch_logs_fixture) {
    /* the SAM CLI CloudWatch Logs event: a control message (Dropped) and
     * three data messages of three log lines each */
    const char *path = peer_path(SAM_CWL);
    const char *args[] = {"transform", "--handler", "cloudwatch-logs", "-v",
                          path, NULL};
    run_result r;
    char *delivered;
    size_t n;
    ck_assert_msg(path != NULL, "no shared fixtures");
    run(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "4 records: 3 Ok, 1 Dropped, 0 "
                                        "ProcessingFailed"));
    {
        const char *resp = tmp_file(r.out, r.out_len);
        const char *chk[] = {"check", path, resp, NULL};
        const char *dec[] = {"decode", "--response", resp, NULL};
        free(run_ok(chk, 0, NULL));
        delivered = run_ok(dec, 0, &n);
    }
    ck_assert_str_eq(delivered, "8499846a-88c1-4fb3-bfca-117ec023c5c3\n"
                                "5615152f-ae3e-4163-bbd0-c26a241e4ca1\n"
                                "bfacbeeb-e5ab-4bdd-b6fc-4f0bebd4fa09\n"
                                "a24dd759-ce31-4ae0-8ef9-14c42a21f0d9\n"
                                "ac8b4b50-429a-42ec-be00-63e5de169e94\n"
                                "f1ec20c0-b864-4843-ae3f-5ff125a42c16\n"
                                "e30b6f46-56ae-4703-949d-59f27f49c169\n"
                                "65100cf2-0099-47a3-a2f2-789b7a8aafdb\n"
                                "7401ce63-3563-4aa0-88f1-339c2e88ff8d\n");
    ck_assert_ptr_nonnull(strstr(r.out, "\"result\":\"Dropped\""));
    free(delivered);
    run_free(&r);
}
END_TEST

START_TEST(test_cloudwatch_logs_bad_record) {
    /* a corrupt gzip record fails alone; -v says where */
    fhx_buf gz;
    evb e;
    char *good, *bad;
    const char *doc = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":"
                      "[{\"message\":\"one\"}]}";
    run_result r;
    const char *args[] = {"transform", "--handler", "cloudwatch-logs", "-v",
                          "--chunk", "7", NULL, NULL};
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, doc, strlen(doc), 6), FHX_OK);
    good = b64(gz.ptr, gz.len);
    gz.ptr[gz.len - 5] ^= 0x10; /* the CRC-32 */
    bad = b64(gz.ptr, gz.len);
    evb_begin(&e);
    evb_add_raw(&e, "a", NULL, good);
    evb_add_raw(&e, "b", NULL, bad);
    evb_put(&e, "]}");
    args[6] = tmp_file(e.b.ptr, e.b.len);
    run(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "{\"recordId\":\"a\",\"result\":\"Ok\","
                                        "\"data\":\"b25lCg==\"}"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "{\"recordId\":\"b\",\"result\":\"ProcessingFailed\"}"));
    ck_assert_ptr_nonnull(strstr(r.err, "record 1 (recordId b): byte"));
    ck_assert_ptr_nonnull(strstr(r.err, "CRC-32 mismatch"));
    run_free(&r);
    free(good);
    free(bad);
    fhx_buf_free(&e.b);
    fhx_buf_free(&gz);
}
END_TEST

START_TEST(test_decode_gunzip_gzip) {
    const char *path = peer_path(SAM_CWL);
    const char *gunzip[] = {"decode", "--gunzip", path, NULL};
    const char *both[] = {"decode", "--gunzip", "--gzip", path, NULL};
    const char *json[] = {"decode", "--gunzip", "--json", path, NULL};
    const char *raw[] = {"decode", "--gzip", path, NULL};
    char *docs, *zipped, *lines, *back;
    size_t n, zn, bn;
    ck_assert_msg(path != NULL, "no shared fixtures");
    docs = run_ok(gunzip, 0, &n);
    ck_assert_int_eq(strncmp(docs, "{\"messageType\":\"CONTROL_MESSAGE\",", 33),
                     0);
    ck_assert_uint_eq(n, 236 + 752 + 751 + 751);
    zipped = run_ok(both, 0, &zn);
    back = lib_gunzip(zipped, zn, &bn);
    ck_assert_uint_eq(bn, n);
    ck_assert_mem_eq(back, docs, n);
    free(back);
    free(zipped);
    lines = run_ok(json, 0, &n);
    ck_assert_uint_eq(count_lines(lines, n), 4);
    ck_assert_ptr_nonnull(strstr(lines, "\"length\":236,\"data\":\"eyJtZXNz"));
    free(lines);
    /* --gzip alone: the (still compressed) records, in one member */
    zipped = run_ok(raw, 0, &zn);
    back = lib_gunzip(zipped, zn, &bn);
    ck_assert_uint_eq(bn, 198 + 423 + 423 + 422);
    ck_assert_int_eq(fhx_gzip_is_gzip(back, bn), 1);
    free(back);
    free(zipped);
    free(docs);
}
END_TEST

START_TEST(test_decode_gunzip_not_gzip) {
    /* a record that is not gzip is skipped with a located message: 65 */
    evb e;
    fhx_buf gz;
    char *good;
    run_result r;
    const char *args[] = {"decode", "--gunzip", NULL, NULL};
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, "zipped\n", 7, 1), FHX_OK);
    good = b64(gz.ptr, gz.len);
    evb_begin(&e);
    evb_add_raw(&e, "plain", NULL, "cGxhaW4K");
    evb_add_raw(&e, "zipped", NULL, good);
    evb_put(&e, "]}");
    args[2] = tmp_file(e.b.ptr, e.b.len);
    run(&r, args);
    ck_assert_int_eq(r.status, 65);
    ck_assert_str_eq(r.out, "zipped\n");
    ck_assert_ptr_nonnull(strstr(r.err, "recordId plain"));
    ck_assert_ptr_nonnull(strstr(r.err, "byte 0 of the decoded data: not gzip"));
    run_free(&r);
    free(good);
    fhx_buf_free(&e.b);
    fhx_buf_free(&gz);
}
END_TEST

START_TEST(test_replay) {
    /* error objects (plain and gzip) → events → transform → the original
     * records, in order */
    const char *lines =
        "{\"rawData\":\"Zmlyc3QK\",\"errorCode\":\"Lambda.ProcessingFailedStatus"
        "\",\"errorMessage\":\"ProcessingFailed status set for record\","
        "\"attemptsMade\":1,\"arrivalTimestamp\":1700000000000,"
        "\"attemptEndingTimestamp\":1700000000500,\"lambdaARN\":\"arn:aws:"
        "lambda:us-west-2:123456789012:function:f:$LATEST\"}\n"
        "{\"RawData\":\"c2Vjb25kCg==\",\"lambdaArn\":\"x\"}\n";
    const char *more = "{\"rawData\":\"dGhpcmQK\"}\n";
    fhx_buf gz;
    const char *plain_path, *gz_path;
    run_result r;
    char *delivered;
    size_t n;
    fhx_buf_init(&gz, NULL);
    ck_assert_int_eq(fhx_gzip_append(&gz, more, strlen(more), 6), FHX_OK);
    plain_path = tmp_str(lines);
    gz_path = tmp_file(gz.ptr, gz.len);
    {
        const char *args[] = {"replay", "-v", plain_path, gz_path, NULL};
        run(&r, args);
    }
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_uint_eq(count_lines(r.out, r.out_len), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "3 records from 2 files in 1 events"));
    {
        const char *ev = tmp_file(r.out, r.out_len);
        const char *tr[] = {"transform", ev, NULL};
        char *resp = run_ok(tr, 0, &n);
        const char *rp = tmp_file(resp, n);
        const char *dec[] = {"decode", "--response", rp, NULL};
        delivered = run_ok(dec, 0, &n);
        free(resp);
    }
    ck_assert_str_eq(delivered, "first\nsecond\nthird\n");
    free(delivered);
    run_free(&r);
    /* a small --max-bytes: one event per record; too small: 65 */
    {
        const char *args[] = {"replay", "--max-bytes", "320", plain_path,
                              gz_path, NULL};
        const char *tiny[] = {"replay", "--max-bytes", "100", plain_path,
                              NULL};
        run(&r, args);
        ck_assert_int_eq(r.status, 0);
        ck_assert_uint_eq(count_lines(r.out, r.out_len), 3);
        run_free(&r);
        run(&r, tiny);
        assert_data_error(&r, "record too big");
        ck_assert_ptr_nonnull(strstr(r.err, "does not fit"));
        run_free(&r);
    }
    fhx_buf_free(&gz);
}
END_TEST

START_TEST(test_replay_bad_input) {
    const char *bad_json = tmp_str("{\"rawData\":\"Zmlyc3QK\"}\n{\"rawData\":1}\n");
    const char *bad_b64 = tmp_str("{\"rawData\":\"Zmlyc3Q\"}\n");
    const char *not_gz = tmp_file("\x1f\x8b\x08\x00garbage", 11);
    const char *good = tmp_str("{\"rawData\":\"Zmlyc3QK\"}\n");
    const char *a1[] = {"replay", good, bad_json, NULL};
    const char *a2[] = {"replay", bad_b64, NULL};
    const char *a3[] = {"replay", not_gz, NULL};
    const char *a4[] = {"replay", good, "/nonexistent/fhx-replay", NULL};
    run_result r;
    run(&r, a1);
    assert_data_error(&r, "rawData not a string");
    ck_assert_ptr_nonnull(strstr(r.err, ":2:12: byte 34 (record 1)"));
    run_free(&r);
    run(&r, a2);
    assert_data_error(&r, "bad base64");
    run_free(&r);
    run(&r, a3);
    assert_data_error(&r, "bad gzip");
    run_free(&r);
    run(&r, a4);
    ck_assert_int_eq(r.status, 66);
    ck_assert_uint_eq(r.out_len, 0);
    run_free(&r);
}
END_TEST

static TCase *gzip_tcase(void) {
    TCase *tc = tcase_create("gzip");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_gzip_gunzip);
    ADD_TEST(tc, test_gunzip_errors);
    ADD_TEST(tc, test_gzip_usage);
    ADD_TEST(tc, test_cloudwatch_logs_fixture);
    ADD_TEST(tc, test_cloudwatch_logs_bad_record);
    ADD_TEST(tc, test_decode_gunzip_gzip);
    ADD_TEST(tc, test_decode_gunzip_not_gzip);
    ADD_TEST(tc, test_replay);
    ADD_TEST(tc, test_replay_bad_input);
    return tc;
}

/* ==== Suite =============================================================== */

static Suite *cli_suite(void) {
    Suite *s = suite_create("cli");
    TCase *tc;
    int n_usage = (int)(sizeof usage_cases / sizeof usage_cases[0]);
    int n_peers = (int)(sizeof peer_cases / sizeof peer_cases[0]);

    tc = tcase_create("usage");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    ADD_TEST(tc, test_help_version);
    tcase_add_loop_test(tc, test_usage_errors, 0, n_usage);
    ADD_TEST(tc, test_bad_source_date_epoch);
    ADD_TEST(tc, test_missing_file);
    ADD_TEST(tc, test_write_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("peers");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_peer_fixture, 0, n_peers);
    ADD_TEST(tc, test_check_go_fixture);
    ADD_TEST(tc, test_peer_responses);
    suite_add_tcase(s, tc);

    tc = tcase_create("transform");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_round_trip_handlers);
    ADD_TEST(tc, test_round_trip_stdin_verbose);
    ADD_TEST(tc, test_ndjson_framing);
    ADD_TEST(tc, test_invalid_base64_record);
    ADD_TEST(tc, test_metadata_drift);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_hostile_input);
    ADD_TEST(tc, test_hostile_stdin);
    suite_add_tcase(s, tc);

    tc = tcase_create("event");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_event_split, 0,
                        (int)(sizeof max_bytes_cases /
                              sizeof max_bytes_cases[0]));
    ADD_TEST(tc, test_event_too_long);
    ADD_TEST(tc, test_event_empty_and_exact);
    suite_add_tcase(s, tc);

    tc = tcase_create("decode_check");
    tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
    ADD_TEST(tc, test_decode);
    ADD_TEST(tc, test_decode_response);
    ADD_TEST(tc, test_check_problems);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, gzip_tcase());
    return s;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    return fhxt_run_suite(cli_suite());
}
