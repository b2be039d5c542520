/* Suite "room": making room in a full response (src/room.c), and the
 * transform that relies on it to answer every record under the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/room.h"
#include "check_util.h"

/* ---- fhxi_room_make on written responses --------------------------- */

#define A_OK "{\"recordId\":\"a\",\"result\":\"Ok\",\"data\":\"QUFBQUFBQUFBQUFB\"}"
#define A_OK_EMPTY "{\"recordId\":\"e\",\"result\":\"Ok\",\"data\":\"\"}"
#define A_DROP                                                             \
    "{\"recordId\":\"b\",\"result\":\"Dropped\",\"data\":\"QUFBQUFBQUFBQUFB\"}"
#define A_PF_KEYS                                                          \
    "{\"recordId\":\"c\\\"d\",\"result\":\"ProcessingFailed\",\"data\":"    \
    "\"QQ==\",\"metadata\":{\"partitionKeys\":{\"k\":\"v}\\\"\"}}}"
#define A_KAFKA                                                            \
    "{\"recordId\":\"f\",\"result\":\"Ok\",\"kafkaRecordValue\":"           \
    "\"QUFBQUFBQUFBQUFBQUFBQUFB\"}"
#define PF(id) "{\"recordId\":\"" id "\",\"result\":\"ProcessingFailed\"}"
#define DROPPED(id) "{\"recordId\":\"" id "\",\"result\":\"Dropped\"}"
#define BEGIN "{\"records\":["

/* Run fhxi_room_make on a copy of text; returns its status, fills out. */
static int make(const char *text, size_t need, char **out,
                fhxi_room_stats *rs) {
    size_t len = strlen(text);
    char *buf = fhxt_dup(text, len + 1);
    int st = fhxi_room_make(buf, &len, need, rs);
    buf[len] = '\0';
    *out = buf;
    return st;
}

START_TEST(test_latest_first) {
    const char *in = BEGIN A_OK "," A_DROP "," A_OK_EMPTY "," A_KAFKA;
    char *out;
    fhxi_room_stats rs;
    /* the kafka answer alone gives enough: only it changes */
    ck_assert_int_eq(make(in, 1, &out, &rs), FHX_OK);
    ck_assert_str_eq(out, BEGIN A_OK "," A_DROP "," A_OK_EMPTY "," PF("f"));
    ck_assert_uint_eq(rs.freed, strlen(A_KAFKA) - strlen(PF("f")));
    ck_assert_uint_eq(rs.ok, 1);
    ck_assert_uint_eq(rs.trimmed, 0);
    free(out);
    /* one byte more than it gives: the Dropped answer goes too; the empty
     * Ok answer (smaller than ProcessingFailed) stays as it is */
    ck_assert_int_eq(make(in, strlen(A_KAFKA) - strlen(PF("f")) + 1, &out,
                          &rs),
                     FHX_OK);
    ck_assert_str_eq(out, BEGIN A_OK "," DROPPED("b") "," A_OK_EMPTY
                          "," PF("f"));
    ck_assert_uint_eq(rs.ok, 1);
    ck_assert_uint_eq(rs.trimmed, 1);
    free(out);
}
END_TEST

START_TEST(test_everything) {
    const char *in = BEGIN A_OK "," A_PF_KEYS "," A_DROP "," A_KAFKA;
    const char *all = BEGIN PF("a") "," PF("c\\\"d") "," DROPPED("b")
                                    "," PF("f");
    char *out;
    fhxi_room_stats rs;
    size_t gives = strlen(in) - strlen(all);
    ck_assert_int_eq(make(in, gives, &out, &rs), FHX_OK);
    ck_assert_str_eq(out, all);
    ck_assert_uint_eq(rs.freed, gives);
    ck_assert_uint_eq(rs.ok, 2);
    ck_assert_uint_eq(rs.trimmed, 2);
    free(out);
    /* more than everything: nothing changes */
    ck_assert_int_eq(make(in, gives + 1, &out, &rs), FHX_FULL);
    ck_assert_str_eq(out, in);
    free(out);
    /* nothing asked: nothing changes */
    ck_assert_int_eq(make(in, 0, &out, &rs), FHX_OK);
    ck_assert_str_eq(out, in);
    ck_assert_uint_eq(rs.freed, 0);
    free(out);
}
END_TEST

START_TEST(test_nothing_to_give) {
    char *out;
    fhxi_room_stats rs;
    ck_assert_int_eq(make(BEGIN, 1, &out, &rs), FHX_FULL);
    free(out);
    ck_assert_int_eq(make(BEGIN PF("x") "," A_OK_EMPTY, 1, &out, &rs),
                     FHX_FULL);
    free(out);
}
END_TEST

START_TEST(test_not_a_response) {
    static const char *bad[] = {
        "", "{\"records\"", "{\"records\":[{\"id\":\"a\"}",
        BEGIN "{\"recordId\":\"a",
        BEGIN "{\"recordId\":\"a\",\"result\":\"Maybe\"}",
        BEGIN "{\"recordId\":\"a\",\"result\":\"Ok\",\"data\":\"QQ==\"",
        BEGIN A_OK ";" A_OK,
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out;
        fhxi_room_stats rs;
        ck_assert_msg(make(bad[i], 1, &out, &rs) == FHX_E_STATE, "%s",
                      bad[i]);
        ck_assert_str_eq(out, bad[i]);
        free(out);
    }
}
END_TEST

/* ---- the transform under a tight limit ------------------------------ */

/* Deterministic generator (xorshift). */
static uint64_t rng(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct event {
    char *json;
    size_t len;
    size_t n;       /* records */
    size_t all_pf;  /* size of the response that fails every record */
} event;

/* n records; id lengths in [1, max_id], payloads in [0, max_data] bytes. */
static void make_event(event *e, uint64_t seed, size_t n, size_t max_id,
                       size_t max_data) {
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = 64 + n * (max_id + max_data * 2 + 128), i, k;
    char *p = malloc(cap);
    size_t len = (size_t)sprintf(p, "{\"records\":[");
    e->all_pf = 14;
    for (i = 0; i < n; i++) {
        size_t id = 1 + (size_t)(rng(&seed) % max_id);
        size_t data = (size_t)(rng(&seed) % (max_data + 1)) / 3 * 4;
        len += (size_t)sprintf(p + len, "%s{\"recordId\":\"%zu-", i ? "," : "",
                               i);
        for (k = 0; k < id; k++) p[len++] = (char)('a' + k % 26);
        len += (size_t)sprintf(p + len,
                               "\",\"approximateArrivalTimestamp\":1,"
                               "\"data\":\"");
        for (k = 0; k < data; k++) p[len++] = b64[rng(&seed) % 64];
        len += (size_t)sprintf(p + len, "\"}");
        e->all_pf += FHXI_ROOM_PF_SIZE((size_t)snprintf(NULL, 0, "%zu-", i) +
                                       id) +
                     (i ? 1 : 0);
    }
    len += (size_t)sprintf(p + len, "]}");
    ck_assert_uint_lt(len, cap);
    e->json = fhxt_dup(p, len);
    e->len = len;
    e->n = n;
    free(p);
}

/* Ok, with the payload's bytes as they are, for even record indices;
 * Dropped with data for the others (data Firehose ignores). */
static int mixed(void *ctx, const fhx_record *rec, const uint8_t *data,
                 size_t len, fhx_buf *out, fhx_answer *ans) {
    (void)ctx;
    (void)out;
    ans->result = rec->index % 2 ? FHX_RESULT_DROPPED : FHX_RESULT_OK;
    ans->data = data ? data : (const uint8_t *)"";
    ans->data_len = len;
    return FHX_OK;
}

/* Run a transform whole (chunk 0) or in chunks of `chunk` bytes. */
static int transform(fhx_transformer *t, const event *e, size_t chunk,
                     fhx_handler_fn fn, const char **out, size_t *out_len) {
    size_t off;
    int st;
    if (chunk == 0) return fhx_transform(t, e->json, e->len, fn, NULL, out,
                                         out_len);
    st = fhx_transform_begin(t, fn, NULL);
    for (off = 0; st == FHX_OK && off < e->len; off += chunk)
        st = fhx_transform_feed(t, e->json + off,
                                e->len - off < chunk ? e->len - off : chunk);
    return st == FHX_OK ? fhx_transform_finish(t, out, out_len) : st;
}

/* First occurrence of s in p[0, n), or NULL. */
static const char *find(const char *p, size_t n, const char *s) {
    size_t k = strlen(s), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(p + i, s, k) == 0) return p + i;
    return NULL;
}

/* 1 when p[0, n) contains s. */
static int contains(const char *p, size_t n, const char *s) {
    return find(p, n, s) != NULL;
}

/* Split a response of this suite's events into its answers (the ids and
 * payloads here never contain "},{"). */
static size_t split(const char *resp, size_t len, const char **starts,
                    size_t *lens, size_t max) {
    const char *p = resp + 12, *end = resp + len - 2, *q;
    size_t n = 0;
    if (len == 14) return 0;
    while (n < max) {
        starts[n] = p;
        q = find(p, (size_t)(end - p), "},{");
        if (!q) {
            lens[n++] = (size_t)(end - p);
            break;
        }
        lens[n++] = (size_t)(q + 1 - p);
        p = q + 2;
    }
    return n;
}

/* Every answer under the limit is the unlimited answer, or that answer in
 * its smallest form; the response is valid. */
static void check_against(const event *e, const char *full, size_t full_len,
                          const char *resp, size_t resp_len, size_t limit,
                          const fhx_transform_stats *stats) {
    const char **a = malloc(e->n * sizeof *a), **b = malloc(e->n * sizeof *b);
    size_t *al = malloc(e->n * sizeof *al), *bl = malloc(e->n * sizeof *bl);
    size_t i, problems = 9, ok = 0, pf = 0;
    fhx_error err;
    ck_assert_uint_le(resp_len, limit);
    ck_assert_int_eq(fhx_verify_response(e->json, e->len, resp, resp_len,
                                         limit, NULL, NULL, &problems, NULL,
                                         &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    ck_assert_uint_eq(split(full, full_len, a, al, e->n), e->n);
    ck_assert_uint_eq(split(resp, resp_len, b, bl, e->n), e->n);
    for (i = 0; i < e->n; i++) {
        const char *id_end = memchr(a[i] + 13, '"', al[i] - 13);
        size_t id = (size_t)(id_end - a[i]) - 13;
        int same = al[i] == bl[i] && memcmp(a[i], b[i], al[i]) == 0;
        int is_pf = bl[i] == FHXI_ROOM_PF_SIZE(id) &&
                    memcmp(b[i], a[i], 13 + id) == 0 &&
                    memcmp(b[i] + 13 + id, "\",\"result\":\"Processing", 22) ==
                        0;
        int is_drop = bl[i] == FHXI_ROOM_DROPPED_SIZE(id) &&
                      memcmp(b[i], a[i], 13 + id) == 0 &&
                      contains(a[i], al[i], "\"Dropped\"") &&
                      memcmp(b[i] + 13 + id, "\",\"result\":\"Dropped\"}", 21) ==
                          0;
        ck_assert_msg(same || is_pf || is_drop, "record %zu: %.*s", i,
                      (int)bl[i], b[i]);
        if (same && contains(b[i], bl[i], "\"Ok\"")) ok++;
        if (!same && is_pf) pf++;
    }
    ck_assert_uint_eq(stats->records, e->n);
    ck_assert_uint_eq(stats->ok, ok);
    ck_assert_uint_eq(stats->over_limit, pf);
    ck_assert_uint_eq(stats->bytes_out, resp_len);
    free(a);
    free(b);
    free(al);
    free(bl);
}

/* Limits from just under the all-ProcessingFailed size to above the full
 * response: success exactly when the ProcessingFailed answers fit; a
 * chunked run gives what the whole run gives, byte for byte. */
static void sweep(const event *e, fhx_handler_fn fn, size_t chunk) {
    fhx_transformer *t, *u, *v;
    const char *full, *resp;
    size_t full_len, resp_len, limit, step, hi;
    char *copy;
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transformer_new(&u, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transformer_new(&v, NULL), FHX_OK);
    ck_assert_int_eq(transform(u, e, 0, fn, &full, &full_len), FHX_OK);
    copy = fhxt_dup(full, full_len);
    hi = (full_len > e->all_pf ? full_len : e->all_pf) + 1;
    step = (hi - e->all_pf) / 23 + 1;
    for (limit = e->all_pf - 1; limit <= hi; limit += step) {
        int st;
        ck_assert_int_eq(fhx_transformer_set_limit(t, limit), FHX_OK);
        st = transform(t, e, chunk, fn, &resp, &resp_len);
        if (chunk) {
            const char *whole;
            size_t whole_len;
            ck_assert_int_eq(fhx_transformer_set_limit(v, limit), FHX_OK);
            ck_assert_int_eq(transform(v, e, 0, fn, &whole, &whole_len), st);
            if (st == FHX_OK) {
                ck_assert_uint_eq(whole_len, resp_len);
                ck_assert_mem_eq(whole, resp, resp_len);
            }
        }
        if (limit < e->all_pf) {
            /* a handler's Dropped answers may be smaller still */
            if (st == FHX_OK) continue;
            ck_assert_int_eq(st, FHX_E_LIMIT);
            ck_assert_uint_ne(fhx_transform_error(t)->record, FHX_NO_RECORD);
            continue;
        }
        ck_assert_msg(st == FHX_OK, "limit %zu (all failed %zu): %s", limit,
                      e->all_pf, fhx_strerror(st));
        check_against(e, copy, full_len, resp, resp_len, limit,
                      fhx_transform_get_stats(t));
        if (limit >= full_len) ck_assert_mem_eq(resp, copy, full_len);
    }
    free(copy);
    fhx_transformer_free(t);
    fhx_transformer_free(u);
    fhx_transformer_free(v);
}

START_TEST(test_big_then_small) {
    /* the defect this module fixes: a few large answers fill the response,
     * and then many records with long ids could not even be failed */
    event e;
    size_t cap = 400000, n = 0, i, k, resp_len = 0, problems = 9;
    fhx_error err;
    char *p = malloc(cap);
    fhx_transformer *t;
    const char *resp;
    const fhx_transform_stats *s;
    n += (size_t)sprintf(p, "{\"records\":[");
    for (i = 0; i < 210; i++) {
        size_t data = i < 10 ? 4000 : 4, id = i < 10 ? 1 : 200;
        n += (size_t)sprintf(p + n, "%s{\"recordId\":\"%03zu", i ? "," : "", i);
        for (k = 0; k < id; k++) p[n++] = 'x';
        n += (size_t)sprintf(p + n, "\",\"data\":\"");
        for (k = 0; k < data; k++) p[n++] = 'A';
        n += (size_t)sprintf(p + n, "\"}");
    }
    n += (size_t)sprintf(p + n, "]}");
    e.json = p;
    e.len = n;
    e.n = 210;
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    /* all ten large answers fit; then 200 x ~247 bytes do not */
    ck_assert_int_eq(fhx_transformer_set_limit(t, 10 * 4050 + 200 * 200),
                     FHX_OK);
    ck_assert_int_eq(transform(t, &e, 0, NULL, &resp, &resp_len), FHX_OK);
    s = fhx_transform_get_stats(t);
    ck_assert_uint_eq(s->records, 210);
    ck_assert_uint_gt(s->over_limit, 0);
    ck_assert_uint_eq(s->ok + s->failed, 210);
    ck_assert_uint_le(resp_len, 10 * 4050 + 200 * 200);
    ck_assert_int_eq(fhx_verify_response(p, n, resp, resp_len,
                                         10 * 4050 + 200 * 200, NULL, NULL,
                                         &problems, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    ck_assert_int_eq(transform(t, &e, 1000, NULL, &resp, &resp_len), FHX_OK);
    ck_assert_uint_eq(fhx_transform_get_stats(t)->records, 210);
    fhx_transformer_free(t);
    free(p);
}
END_TEST

START_TEST(test_sweep_identity) {
    event e;
    make_event(&e, 0x9e3779b97f4a7c15u, 60, 40, 300);
    sweep(&e, NULL, 0);
    sweep(&e, NULL, 97);
    free(e.json);
}
END_TEST

START_TEST(test_sweep_mixed) {
    event e;
    make_event(&e, 12345, 80, 8, 200);
    sweep(&e, mixed, 0);
    sweep(&e, mixed, 1);
    free(e.json);
}
END_TEST

START_TEST(test_sweep_ndjson_random) {
    uint64_t seed = 777;
    int round;
    for (round = 0; round < 12; round++) {
        event e;
        size_t n = 1 + (size_t)(rng(&seed) % 50);
        make_event(&e, rng(&seed), n, 1 + (size_t)(rng(&seed) % 64),
                   (size_t)(rng(&seed) % 600));
        sweep(&e, fhx_handler_ndjson, 0);
        sweep(&e, fhx_handler_ndjson, 1 + (size_t)(rng(&seed) % 200));
        free(e.json);
    }
}
END_TEST

START_TEST(test_warm_after_room) {
    /* room made on one event; the next event, with the default limit, is
     * answered in full (no reserve or slack left over) */
    event e;
    fhx_transformer *t;
    const char *resp;
    size_t len, full;
    make_event(&e, 99, 40, 30, 300);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(transform(t, &e, 0, NULL, &resp, &len), FHX_OK);
    full = len;
    ck_assert_int_eq(fhx_transformer_set_limit(t, e.all_pf + 10), FHX_OK);
    ck_assert_int_eq(transform(t, &e, 0, NULL, &resp, &len), FHX_OK);
    ck_assert_uint_gt(fhx_transform_get_stats(t)->over_limit, 0);
    ck_assert_int_eq(fhx_transformer_set_limit(t, full), FHX_OK);
    ck_assert_int_eq(transform(t, &e, 0, NULL, &resp, &len), FHX_OK);
    ck_assert_uint_eq(len, full);
    ck_assert_uint_eq(fhx_transform_get_stats(t)->over_limit, 0);
    fhx_transformer_free(t);
    free(e.json);
}
END_TEST

static Suite *room_suite(void) {
    Suite *s = suite_create("room");
    TCase *tc = tcase_create("room");
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_latest_first);
    ADD_TEST(tc, test_everything);
    ADD_TEST(tc, test_nothing_to_give);
    ADD_TEST(tc, test_not_a_response);
    ADD_TEST(tc, test_big_then_small);
    ADD_TEST(tc, test_sweep_identity);
    ADD_TEST(tc, test_sweep_mixed);
    ADD_TEST(tc, test_sweep_ndjson_random);
    ADD_TEST(tc, test_warm_after_room);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(room_suite()); }
