/*
 * Suite "event_fast": the event decoder's fast path for plain records
 * (src/event.c, fast_record) against its general parser.
 *
 * Every vector is decoded with the fast path on and off (the internal
 * switch fhxi_event_fast_path), whole and in chunks of every size, under
 * every base64/JSON kernel the CPU has; every field of every record (all
 * metadata included), the final status, the error and the offset must be
 * the same each time. The count of records the fast path read
 * (fhxi_event_fast_records) shows which vectors take it and which fall
 * back, so a fast path that silently never runs fails here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "../src/internal.h"

/* ---- a full description of a decode ------------------------------------- */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(text *t, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    ck_assert_int_lt(n, (int)sizeof tmp);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->len + (size_t)n + 1);
        t->p = realloc(t->p, t->cap);
        ck_assert_ptr_nonnull(t->p);
    }
    memcpy(t->p + t->len, tmp, (size_t)n + 1);
    t->len += (size_t)n;
}

static void put_slice(text *t, const char *name, fhx_slice s) {
    size_t i;
    put(t, " %s=%zu:", name, s.len);
    for (i = 0; i < s.len; i++) put(t, "%02x", (unsigned char)s.ptr[i]);
}

static void put_meta(text *t, const char *name, const fhx_meta_value *v) {
    put(t, " %s.kind=%d", name, v->kind);
    put_slice(t, name, v->raw);
}

/* Every field of the record (slices by content: in chunked mode they may
 * point into the decoder's carry). */
static void put_record(text *t, const fhx_record *r) {
    put(t, "rec %zu off=%zu len=%zu flags=%u status=%d", r->index, r->offset,
        r->length, r->flags, r->status);
    put(t, " err=%d@%zu/%zu:%s", r->err.code, r->err.offset, r->err.record,
        r->err.msg ? r->err.msg : "-");
    put_slice(t, "id", r->id);
    put_slice(t, "data", r->data);
    put(t, " data_offset=%zu data_len=%zu arrival_ms=%lld", r->data_offset,
        r->status == FHX_OK ? r->data_len : 0, (long long)r->arrival_ms);
    put_meta(t, "arrival", &r->arrival);
    put_meta(t, "k.shard", &r->kinesis.shard_id);
    put_meta(t, "k.pk", &r->kinesis.partition_key);
    put_meta(t, "k.aat", &r->kinesis.approximate_arrival_timestamp);
    put_meta(t, "k.seq", &r->kinesis.sequence_number);
    put_meta(t, "k.subseq", &r->kinesis.subsequence_number);
    put_meta(t, "m.off", &r->msk.offset);
    put_meta(t, "m.part", &r->msk.partition_id);
    put_meta(t, "m.aat", &r->msk.approximate_arrival_timestamp);
    put_meta(t, "result", &r->result);
    put(t, "\n");
}

static void put_end(text *t, fhx_event_decoder *dec, int st) {
    const fhx_error *e = fhx_event_error(dec);
    put(t, "end %d err=%d@%zu/%zu:%s count=%zu offset=%zu\n", st, e->code,
        e->offset, e->record, e->msg ? e->msg : "-",
        fhx_event_record_count(dec), fhx_event_offset(dec));
}

/* Decode json whole (chunk 0) or in chunks of `chunk` bytes, each an
 * exact-size heap copy; *fast_records: records the fast path read. */
static text describe(const char *json, size_t len, int fast, size_t chunk,
                     size_t *fast_records) {
    fhx_event_decoder *dec;
    fhx_record rec;
    text t = {NULL, 0, 0};
    char *copy = NULL, *piece = NULL;
    size_t pos = 0;
    int st;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    fhxi_event_fast_path(dec, fast);
    if (chunk == 0) {
        copy = fhxt_dup(json, len);
        ck_assert_int_eq(fhx_event_begin(dec, copy, len), FHX_OK);
        while ((st = fhx_event_next(dec, &rec)) == FHX_OK)
            put_record(&t, &rec);
    } else {
        ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
        for (;;) {
            st = fhx_event_next(dec, &rec);
            if (st == FHX_OK) {
                put_record(&t, &rec);
                continue;
            }
            if (st != FHX_NEED_INPUT) break;
            free(piece);
            piece = NULL;
            if (pos == len) {
                ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
                continue;
            }
            {
                size_t n = len - pos < chunk ? len - pos : chunk;
                piece = fhxt_dup(json + pos, n);
                ck_assert_int_eq(fhx_event_feed(dec, piece, n), FHX_OK);
                pos += n;
            }
        }
    }
    put_end(&t, dec, st);
    if (fast_records) *fast_records = fhxi_event_fast_records(dec);
    if (!fast) ck_assert_uint_eq(fhxi_event_fast_records(dec), 0);
    fhx_event_decoder_free(dec);
    free(copy);
    free(piece);
    return t;
}

/* Every chunk size (every_split), or a few: 1, 2, 3, 5, 8, 13, ... */
static size_t next_chunk(size_t chunk, size_t *prev, int every_split) {
    size_t next;
    if (every_split && !getenv("FHX_TEST_LIGHT")) return chunk + 1;
    next = chunk + *prev;
    *prev = chunk;
    return next;
}

/* Fast and general agree on json, whole and in chunks (of every size when
 * every_split, else of a few sizes), under every kernel; returns the
 * records the fast path read, whole, scalar kernel. Under valgrind
 * (FHX_TEST_LIGHT) the splits are always the few. */
static size_t assert_fast_same(const char *json, size_t len,
                               int every_split) {
    fhx_isa before = fhx_isa_active();
    size_t fast_n = 0, n, chunk, prev = 1;
    text ref, t;
    unsigned isa;
    ck_assert_int_eq(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
    ref = describe(json, len, 0, 0, NULL);
    for (isa = 0; isa < FHX_ISA_COUNT; isa++) {
        if (fhx_isa_force((fhx_isa)isa) != FHX_OK) continue;
        t = describe(json, len, 1, 0, &n);
        ck_assert_msg(strcmp(ref.p, t.p) == 0,
                      "%s, fast path, whole:\n%s\ngeneral:\n%s",
                      fhx_isa_name((fhx_isa)isa), t.p, ref.p);
        if (isa == 0) fast_n = n;
        ck_assert_uint_eq(n, fast_n); /* the same records, every kernel */
        free(t.p);
    }
    ck_assert_int_eq(fhx_isa_force(before), FHX_OK);
    for (chunk = 1; chunk <= len + 1;
         chunk = next_chunk(chunk, &prev, every_split)) {
        int fast;
        for (fast = 0; fast <= 1; fast++) {
            t = describe(json, len, fast, chunk, NULL);
            ck_assert_msg(strcmp(ref.p, t.p) == 0,
                          "chunk %zu, fast %d:\n%s\nwhole, general:\n%s",
                          chunk, fast, t.p, ref.p);
            free(t.p);
        }
    }
    free(ref.p);
    return fast_n;
}

/* ---- vectors ------------------------------------------------------------- */

/* Each record is decoded as the first of {"records":[RECORD,LAST]}; LAST
 * is a plain record the fast path always reads. fast: the records the fast
 * path reads in that event (2: this record too; 1: this one falls back;
 * 0: this one is an event-level error, so LAST is never reached). */
#define LAST "{\"recordId\":\"zz-last\",\"data\":\"QQ==\"}"

typedef struct vec {
    const char *record;
    size_t fast;
} vec;

static const vec vecs[] = {
    /* ---- taken by the fast path ---- */
    {"{\"recordId\":\"r1\",\"approximateArrivalTimestamp\":1664029185290,"
     "\"data\":\"SGVsbG8gV29ybGQ=\"}", 2},
    /* the Kinesis-source shape of the peer fixtures */
    {"{\n  \"data\": \"SGVsbG8gV29ybGQ=\",\n  \"recordId\": \"record1\",\n"
     "  \"approximateArrivalTimestamp\": 1507217624302,\n"
     "  \"kinesisRecordMetadata\": {\n    \"shardId\": \"shardId-0\",\n"
     "    \"partitionKey\": \"4d1ad2b9\",\n"
     "    \"approximateArrivalTimestamp\": 1507217624302,\n"
     "    \"sequenceNumber\": \"4954698668313554428650745793\",\n"
     "    \"subsequenceNumber\": 123456\n  }\n}", 2},
    {" { \t\"recordId\" \r\n: \"a\" , \"data\":\"QUI=\"\n}", 2},
    {"{\"data\":\"QQ==\",\"recordId\":\"no timestamp\"}", 2},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":999999999999999999,"
     "\"data\":\"QQ==\"}", 2}, /* 18 digits */
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":7,\"data\":\"QQ==\"}",
     2},
    {"{\"recordId\":\"a\",\"data\":\"QQ=\"}", 2}, /* bad base64: record-level */
    {"{\"recordId\":\"a\",\"data\":\"Q\xc3\xa9\x41\"}", 2}, /* non-ASCII data */
    {"{\"recordId\":\"a\",\"data\":\"\"}", 2},
    {"{\"recordId\":\"\",\"data\":\"QQ==\"}", 2},
    {"{\"recordId\":\"~\x7f id with DEL\",\"data\":\"QQ==\"}", 2},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\",\"kinesisRecordMetadata\":{"
     "\"shardId\":1,\"partitionKey\":\"pk\\\"q\","
     "\"approximateArrivalTimestamp\":\"17\",\"sequenceNumber\":null,"
     "\"subsequenceNumber\":{\"a\":[1,{}]},\"extra\":\"x\"}}", 2}, /* drift */
    {"{\"kinesisRecordMetadata\":{},\"recordId\":\"a\",\"data\":\"QQ==\"}", 2},
    {"{\"recordId\":\"a\",\"data\":\"QUJD\",\"approximateArrivalTimestamp\":1}",
     2},
    /* ---- falls back, the event goes on ---- */
    {"{\"recordId\":\"r\\u0031\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"r\\\"q\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"r\xc3\xa9\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"data\":\"QQ\\u003d\\u003d\"}", 1},
    {"{\"recordId\":\"a\",\"data\":\"SGVs\\/bG8=\"}", 1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":0,\"data\":\"QQ==\"}",
     1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":-5,\"data\":\"QQ==\"}",
     1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":1.5,\"data\":\"QQ==\"}",
     1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":1e3,\"data\":\"QQ==\"}",
     1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":12E-1,"
     "\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":1234567890123456789,"
     "\"data\":\"QQ==\"}", 1}, /* 19 digits, fits */
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":99999999999999999999,"
     "\"data\":\"QQ==\"}", 1}, /* does not fit: no arrival_ms */
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":\"1664029185290\","
     "\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":null,"
     "\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"foo\":[1,{\"b\":2}],\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"kafkaRecordValue\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"kafkaRecordValue\":\"QQ==\",\"mskRecordMetadata\":"
     "{\"offset\":\"0\",\"partitionId\":\"1\","
     "\"approximateArrivalTimestamp\":1}}", 1},
    {"{\"recordId\":\"a\",\"result\":\"Ok\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\",\"data\":\"QUI=\"}", 1},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\",\"kafkaRecordValue\":\"QUI=\"}", 1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":1,"
     "\"approximateArrivalTimestamp\":2,\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"kinesisRecordMetadata\":{\"shardId\":\"s\"},"
     "\"data\":\"QQ==\",\"kinesisRecordMetadata\":{\"partitionKey\":\"p\"}}",
     1},
    {"{\"recordId\":\"a\",\"kinesisRecordMetadata\":\"x\",\"data\":\"QQ==\"}",
     1},
    {"{\"recordId\":\"no data\"}", 1},
    {"{\"recordId\":\"a\",\"data\":123}", 1},
    {"{\"recordId\":\"a\",\"data\":null,\"data\":\"QQ==\"}", 1},
    {"{\"record\\u0049d\":\"a\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"d\\u0061ta\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"dat\":\"x\",\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestampX\":1,"
     "\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"kinesisRecordMetadataX\":1,\"data\":\"QQ==\"}", 1},
    {"{\"recordId\":\"a\",\"\":1,\"data\":\"QQ==\"}", 1},
    /* ---- falls back, an event-level error ---- */
    {"{\"recordId\":\"a\",\"recordId\":\"b\",\"data\":\"QQ==\"}", 0},
    {"{\"data\":\"QQ==\"}", 0},
    {"{}", 0},
    {"{\"recordId\":5,\"data\":\"QQ==\"}", 0},
    {"{\"recordIdx\":\"a\",\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\x01\",\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"data\":\"Q\nQ==\"}", 0},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\\x\"}", 0},
    {"{\"recordId\":\"a\xff\",\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"kinesisRecordMetadata\":{\"shardId\":},"
     "\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"kinesisRecordMetadata\":{\"shardId\":1,},"
     "\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\",}", 0},
    {"{\"recordId\":\"a\",,\"data\":\"QQ==\"}", 0},
    {"{\"recordId\" \"a\",\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\" \"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":0123,"
     "\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":1.,"
     "\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":12x,"
     "\"data\":\"QQ==\"}", 0},
    {"{\"recordId\":\"a\",\"approximateArrivalTimestamp\":,\"data\":\"QQ==\"}",
     0},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\"]", 0},
    {"{\"recordId\":\"a\",\"data\":\"QQ==\"", 0},
    {"{\"recordId\":'a',\"data\":\"QQ==\"}", 0},
    /* a recordId seen before: the fast path reads the record and reports
     * the duplicate itself, as the general parser would */
    {LAST, 1},
};

START_TEST(test_fast_vectors) {
    const vec *v = &vecs[_i];
    size_t len = strlen("{\"records\":[") + strlen(v->record) +
                 strlen("," LAST "]}");
    char *json = malloc(len + 1);
    size_t got;
    ck_assert_ptr_nonnull(json);
    snprintf(json, len + 1, "{\"records\":[%s," LAST "]}", v->record);
    got = assert_fast_same(json, len, 1);
    ck_assert_msg(got == v->fast, "vector %d: %zu records fast, not %zu: %s",
                  _i, got, v->fast, v->record);
    free(json);
}
END_TEST

/* Two plain records cut at every length (whole buffer, so a truncation
 * error), and with one byte replaced by each of a set of characters that
 * matter to the grammar: fast and general agree on all of them. */
START_TEST(test_fast_mutations) {
    static const char base[] =
        "{\"records\":[{\"recordId\":\"r1\",\"approximateArrivalTimestamp\":"
        "1664029185290,\"data\":\"SGVsbG8=\",\"kinesisRecordMetadata\":"
        "{\"shardId\":\"s\"}},{\"data\":\"QUI=\",\"recordId\":\"r2\"}]}";
    static const char subst[] = "\"\\:,{}[] 0-.eA=\x01\x80";
    size_t len = sizeof base - 1, cut, i, k, fast_n = 0;
    char buf[sizeof base];
    text a, b;
    for (cut = 0; cut <= len; cut++) {
        a = describe(base, cut, 0, 0, NULL);
        b = describe(base, cut, 1, 0, &fast_n);
        ck_assert_msg(strcmp(a.p, b.p) == 0, "cut %zu:\n%s\nvs\n%s", cut,
                      b.p, a.p);
        free(a.p);
        free(b.p);
    }
    ck_assert_uint_eq(fast_n, 2); /* the whole event: both records fast */
    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof subst - 1; k++) {
            memcpy(buf, base, sizeof base);
            buf[i] = subst[k];
            a = describe(buf, len, 0, 0, NULL);
            b = describe(buf, len, 1, 0, NULL);
            ck_assert_msg(strcmp(a.p, b.p) == 0, "byte %zu = 0x%02x:\n%s\nvs\n%s",
                          i, (unsigned char)subst[k], b.p, a.p);
            free(a.p);
            free(b.p);
        }
    }
}
END_TEST

/* Timestamps of every length from 1 to 20 digits (the fast path reads up
 * to 18, eight at a time where it can), of several digit patterns, each
 * followed by a byte that ends the number or does not: fast and general
 * agree, and the fast path takes exactly the plain integers up to 18
 * digits. arrival_ms is checked against its own decimal value. */
START_TEST(test_fast_timestamps) {
    static const char *const patterns[] = {"98765432109876543210",
                                           "10000000000000000000",
                                           "19999999999999999999",
                                           "55555555555555555555"};
    static const char after[] = ",} \n0.eE:/\xfa\xff";
    size_t digits, a, pi,
        n_patterns = getenv("FHX_TEST_LIGHT")
                         ? 1 /* under valgrind */
                         : sizeof patterns / sizeof patterns[0];
    for (pi = 0; pi < n_patterns; pi++) {
        for (digits = 1; digits <= 20; digits++) {
            for (a = 0; a < sizeof after - 1; a++) {
                char c = after[a], json[256], num[22];
                const char *tail = c == ',' ? "\"kinesisRecordMetadata\":{}}"
                                   : c == '}' ? ""
                                              : ",\"kinesisRecordMetadata\":{}}";
                /* '0' only makes the number one digit longer */
                size_t len = digits + (c == '0');
                int plain = c == ',' || c == '}' || c == ' ' || c == '\n' ||
                            c == '0';
                size_t fast_n, want = plain ? (len <= 18 ? 2 : 1) : 0;
                int n = snprintf(json, sizeof json,
                                 "{\"records\":[{\"recordId\":\"a\",\"data\":"
                                 "\"QQ==\",\"approximateArrivalTimestamp\":%.*s%c%s,"
                                 LAST "]}",
                                 (int)digits, patterns[pi], c, tail);
                ck_assert_int_lt(n, (int)sizeof json);
                fast_n = assert_fast_same(json, (size_t)n, 0);
                ck_assert_msg(fast_n == want, "%s: %zu records fast, not %zu",
                              json, fast_n, want);
                if (want == 2) {
                    fhx_event_decoder *dec;
                    fhx_record rec;
                    memcpy(num, patterns[pi], digits);
                    num[digits] = c;
                    num[len] = '\0';
                    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
                    ck_assert_int_eq(fhx_event_begin(dec, json, (size_t)n),
                                     FHX_OK);
                    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
                    ck_assert(rec.flags & FHX_REC_ARRIVAL_MS);
                    ck_assert_uint_eq((unsigned long long)rec.arrival_ms,
                                      strtoull(num, NULL, 10));
                    ck_assert_uint_eq(rec.arrival.raw.len, len);
                    ck_assert_uint_eq(fhxi_event_fast_records(dec), 1);
                    fhx_event_decoder_free(dec);
                }
            }
        }
    }
}
END_TEST

/* A failed allocation of the recordId table inside the fast path is the
 * event's FHX_E_NOMEM at the record, as in the general parser. */
static size_t fail_after;
static size_t calls;

static void *limited_alloc(void *ctx, size_t size) {
    (void)ctx;
    if (++calls > fail_after) return NULL;
    return malloc(size);
}

static void *limited_realloc(void *ctx, void *p, size_t old, size_t size) {
    (void)ctx;
    (void)old;
    if (++calls > fail_after) return NULL;
    return realloc(p, size);
}

static void limited_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}

START_TEST(test_fast_nomem) {
    static const fhx_allocator alc = {limited_alloc, limited_realloc,
                                      limited_free, NULL};
    const char *ev = "{\"records\":[" LAST "]}";
    fhx_event_decoder *dec;
    fhx_record rec;
    text ref = {NULL, 0, 0}, t = {NULL, 0, 0};
    int fast;
    for (fast = 0; fast <= 1; fast++) {
        text *out = fast ? &t : &ref;
        int st;
        calls = 0;
        fail_after = 1; /* the decoder itself, then nothing */
        ck_assert_int_eq(fhx_event_decoder_new(&dec, &alc), FHX_OK);
        fhxi_event_fast_path(dec, fast);
        ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
        st = fhx_event_next(dec, &rec);
        ck_assert_int_eq(st, FHX_E_NOMEM);
        put_end(out, dec, st);
        fhx_event_decoder_free(dec);
    }
    ck_assert_str_eq(ref.p, t.p);
    free(ref.p);
    free(t.p);
}
END_TEST

static Suite *event_fast_suite(void) {
    Suite *s = suite_create("event_fast");
    TCase *tc = tcase_create("fast path");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_fast_vectors, 0,
                        (int)(sizeof vecs / sizeof vecs[0]));
    ADD_TEST(tc, test_fast_mutations);
    ADD_TEST(tc, test_fast_timestamps);
    ADD_TEST(tc, test_fast_nomem);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(event_fast_suite()); }
