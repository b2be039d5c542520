/* Suite "event": the streaming event decoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* ---- helpers ----------------------------------------------------------- */

/* A record as seen by a test: deep copies, comparable across runs. */
typedef struct seen_rec {
    size_t index, offset, length, data_offset, data_len;
    char id[128];
    char data[256];
    unsigned flags;
    int status;
    fhx_error err;
} seen_rec;

typedef struct seen {
    seen_rec recs[64];
    size_t n;
    int final_status;
    fhx_error err;
} seen;

static void copy_slice(char *dst, size_t cap, fhx_slice s) {
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = '\0';
}

static void record_seen(seen *out, const fhx_record *r) {
    seen_rec *s;
    ck_assert_uint_lt(out->n, 64);
    s = &out->recs[out->n++];
    memset(s, 0, sizeof *s);
    s->index = r->index;
    s->offset = r->offset;
    s->length = r->length;
    s->data_offset = r->data_offset;
    s->data_len = r->status == FHX_OK ? r->data_len : 0;
    copy_slice(s->id, sizeof s->id, r->id);
    copy_slice(s->data, sizeof s->data, r->data);
    s->flags = r->flags;
    s->status = r->status;
    s->err = r->err;
}

/* Decode a whole buffer (exact-size heap copy). */
static void decode_whole(const char *json, size_t len, seen *out) {
    fhx_event_decoder *dec;
    fhx_record rec;
    char *copy = fhxt_dup(json, len);
    int st;
    memset(out, 0, sizeof *out);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, copy, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) record_seen(out, &rec);
    out->final_status = st;
    out->err = *fhx_event_error(dec);
    /* sticky */
    ck_assert_int_eq(fhx_event_next(dec, &rec), st);
    fhx_event_decoder_free(dec);
    free(copy);
}

/* Decode in pieces of `chunk` bytes, each an exact-size heap copy. */
static void decode_chunked(const char *json, size_t len, size_t chunk,
                           seen *out) {
    fhx_event_decoder *dec;
    fhx_record rec;
    size_t pos = 0;
    char *piece = NULL;
    int st;
    memset(out, 0, sizeof *out);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
    for (;;) {
        st = fhx_event_next(dec, &rec);
        if (st == FHX_OK) {
            record_seen(out, &rec);
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
    out->final_status = st;
    out->err = *fhx_event_error(dec);
    free(piece);
    fhx_event_decoder_free(dec);
}

static void assert_same(const seen *a, const seen *b, size_t chunk) {
    size_t i;
    ck_assert_msg(a->n == b->n, "chunk %zu: %zu records vs %zu", chunk, a->n,
                  b->n);
    ck_assert_msg(a->final_status == b->final_status,
                  "chunk %zu: status %d vs %d", chunk, a->final_status,
                  b->final_status);
    ck_assert_int_eq(a->err.code, b->err.code);
    ck_assert_msg(a->err.offset == b->err.offset,
                  "chunk %zu: error offset %zu vs %zu", chunk, a->err.offset,
                  b->err.offset);
    ck_assert_uint_eq(a->err.record, b->err.record);
    for (i = 0; i < a->n; i++) {
        const seen_rec *x = &a->recs[i], *y = &b->recs[i];
        ck_assert_uint_eq(x->index, y->index);
        ck_assert_uint_eq(x->offset, y->offset);
        ck_assert_uint_eq(x->length, y->length);
        ck_assert_uint_eq(x->data_offset, y->data_offset);
        ck_assert_uint_eq(x->data_len, y->data_len);
        ck_assert_str_eq(x->id, y->id);
        ck_assert_str_eq(x->data, y->data);
        ck_assert_uint_eq(x->flags, y->flags);
        ck_assert_int_eq(x->status, y->status);
        ck_assert_int_eq(x->err.code, y->err.code);
        ck_assert_uint_eq(x->err.offset, y->err.offset);
    }
}

/* Every split size gives the same records, status and error. */
static void assert_split_invariant(const char *json) {
    size_t len = strlen(json), chunk;
    seen whole, part;
    decode_whole(json, len, &whole);
    for (chunk = 1; chunk <= len + 1; chunk++) {
        decode_chunked(json, len, chunk, &part);
        assert_same(&whole, &part, chunk);
    }
}

static const char *direct_put =
    "{\"invocationId\":\"inv-1\",\"deliveryStreamArn\":\"arn:aws:firehose:"
    "us-east-1:123456789012:deliverystream/s\",\"region\":\"us-east-1\","
    "\"records\":[{\"recordId\":\"r1\",\"approximateArrivalTimestamp\":"
    "1664029185290,\"data\":\"SGVsbG8gV29ybGQ=\"},{\"recordId\":\"r2\","
    "\"approximateArrivalTimestamp\":1664029186945,\"data\":"
    "\"eyJIZWxsbyI6ICJXb3JsZCJ9\"}]}";

/* ---- vectors ------------------------------------------------------------ */

START_TEST(test_direct_put) {
    seen s;
    const fhx_event_header *h;
    fhx_event_decoder *dec;
    fhx_record rec;
    uint8_t buf[64];
    size_t n;
    decode_whole(direct_put, strlen(direct_put), &s);
    ck_assert_int_eq(s.final_status, FHX_END);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_str_eq(s.recs[0].id, "r1");
    ck_assert_str_eq(s.recs[0].data, "SGVsbG8gV29ybGQ=");
    ck_assert_uint_eq(s.recs[0].data_len, 11);
    ck_assert_int_eq(s.recs[0].status, FHX_OK);
    ck_assert_uint_eq(s.recs[0].flags & FHX_REC_ARRIVAL_MS,
                      FHX_REC_ARRIVAL_MS);
    ck_assert_uint_eq(s.recs[1].index, 1);
    ck_assert_uint_eq(s.recs[0].offset,
                      (size_t)(strstr(direct_put, "{\"recordId\":\"r1") -
                               direct_put));
    ck_assert_uint_eq(s.recs[0].data_offset,
                      (size_t)(strstr(direct_put, "SGVs") - direct_put));

    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, direct_put, strlen(direct_put)),
                     FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert(rec.id.ptr >= direct_put &&
              rec.id.ptr < direct_put + strlen(direct_put)); /* zero-copy */
    ck_assert(rec.arrival_ms == 1664029185290LL);
    ck_assert_int_eq(fhx_record_decode(&rec, buf, sizeof buf, &n), FHX_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert_mem_eq(buf, "Hello World", 11);
    ck_assert_int_eq(fhx_record_decode(&rec, buf, 10, &n), FHX_E_OUTPUT);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    ck_assert_uint_eq(fhx_event_record_count(dec), 2);
    h = fhx_event_get_header(dec);
    ck_assert_int_eq(h->invocation_id.kind, FHX_META_STRING);
    ck_assert_uint_eq(h->invocation_id.raw.len, 5);
    ck_assert_mem_eq(h->invocation_id.raw.ptr, "inv-1", 5);
    ck_assert_int_eq(h->region.kind, FHX_META_STRING);
    ck_assert_int_eq(h->source_kinesis_stream_arn.kind, FHX_META_ABSENT);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_kinesis_source_and_drift) {
    /* number-or-string drift in the metadata is never an error */
    const char *ev =
        "{\"records\":[{\"data\":\"SGVsbG8=\",\"recordId\":\"a\","
        "\"approximateArrivalTimestamp\":\"2012-04-23T18:25:43.511Z\","
        "\"kinesisRecordMetadata\":{\"shardId\":\"shardId-000000000000\","
        "\"partitionKey\":\"pk\",\"approximateArrivalTimestamp\":"
        "\"2012-04-23T18:25:43.511Z\",\"sequenceNumber\":\"4954\","
        "\"subsequenceNumber\":\"\",\"extra\":[1,{\"x\":null}]}},"
        "{\"recordId\":\"b\",\"data\":\"\",\"kinesisRecordMetadata\":"
        "{\"subsequenceNumber\":123456,\"approximateArrivalTimestamp\":"
        "1507217624302}}],\"sourceKinesisStreamArn\":\"arn:k\"}";
    fhx_event_decoder *dec;
    fhx_record rec;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.status, FHX_OK);
    ck_assert(rec.flags & FHX_REC_KINESIS);
    ck_assert(rec.flags & FHX_REC_HAS_ARRIVAL);
    ck_assert(!(rec.flags & FHX_REC_ARRIVAL_MS));
    ck_assert_int_eq(rec.arrival.kind, FHX_META_STRING);
    ck_assert_int_eq(rec.kinesis.subsequence_number.kind, FHX_META_STRING);
    ck_assert_uint_eq(rec.kinesis.subsequence_number.raw.len, 0);
    ck_assert_int_eq(rec.kinesis.shard_id.kind, FHX_META_STRING);
    ck_assert_mem_eq(rec.kinesis.partition_key.raw.ptr, "pk", 2);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.status, FHX_OK); /* empty data is valid */
    ck_assert_uint_eq(rec.data_len, 0);
    ck_assert_int_eq(rec.kinesis.subsequence_number.kind, FHX_META_NUMBER);
    ck_assert_mem_eq(rec.kinesis.subsequence_number.raw.ptr, "123456", 6);
    ck_assert_int_eq(rec.kinesis.shard_id.kind, FHX_META_ABSENT);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    /* a member after records is in the header at the end */
    ck_assert_int_eq(
        fhx_event_get_header(dec)->source_kinesis_stream_arn.kind,
        FHX_META_STRING);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_msk_source) {
    const char *ev =
        "{\"sourceMSKArn\":\"arn:aws:kafka:EXAMPLE\",\"records\":[{"
        "\"recordId\":\"0000\",\"approximateArrivalTimestamp\":1716369573887,"
        "\"mskRecordMetadata\":{\"offset\":\"0\",\"partitionId\":\"1\","
        "\"approximateArrivalTimestamp\":\"1716369573887\"},"
        "\"kafkaRecordValue\":\"eyJOYW1lIjoiSGVsbG8gV29ybGQifQ==\"}]}";
    fhx_event_decoder *dec;
    fhx_record rec;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.status, FHX_OK);
    ck_assert(rec.flags & FHX_REC_KAFKA);
    ck_assert(rec.flags & FHX_REC_MSK);
    ck_assert_uint_eq(rec.data_len, 22);
    ck_assert_int_eq(rec.msk.approximate_arrival_timestamp.kind,
                     FHX_META_STRING);
    ck_assert_int_eq(rec.msk.offset.kind, FHX_META_STRING);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    ck_assert_int_eq(fhx_event_get_header(dec)->source_msk_arn.kind,
                     FHX_META_STRING);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_escapes) {
    /* "\/" is legal JSON inside base64; ids keep their raw escapes */
    const char *ev =
        "{\"re\\u0063ords\":[{\"recordId\":\"a\\\"b\\u00e9\",\"data\":"
        "\"\\/w\\u003d\\u003d\"},{\"recordId\":\"c\",\"data\":\"ab\\/+\"}]}";
    fhx_event_decoder *dec;
    fhx_record rec;
    uint8_t buf[8];
    size_t n = 0;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.status, FHX_OK);
    ck_assert(rec.flags & FHX_REC_ID_ESCAPED);
    ck_assert(rec.flags & FHX_REC_DATA_ESCAPED);
    ck_assert_uint_eq(rec.id.len, strlen("a\\\"b\\u00e9"));
    ck_assert_uint_eq(rec.data_len, 1);
    ck_assert_int_eq(fhx_record_decode(&rec, buf, sizeof buf, &n), FHX_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(buf[0], 0xFF); /* "/w==" */
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.status, FHX_OK);
    ck_assert_uint_eq(rec.data_len, 3);
    ck_assert_int_eq(fhx_record_decode(&rec, buf, sizeof buf, &n), FHX_OK);
    ck_assert_mem_eq(buf, "\x69\xbf\xfe", 3);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_inplace_decode) {
    char ev[] = "{\"records\":[{\"recordId\":\"x\",\"data\":\"aGVsbG8K\"}]}";
    fhx_event_decoder *dec;
    fhx_record rec;
    size_t n = 0;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(fhx_record_decode(&rec, (uint8_t *)(uintptr_t)rec.data.ptr,
                                       rec.data.len, &n),
                     FHX_OK);
    ck_assert_uint_eq(n, 6);
    ck_assert_mem_eq(rec.data.ptr, "hello\n", 6);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_whitespace_and_order) {
    const char *ev =
        " \r\n\t{ \"x\" : [ {\"deep\" : [ true , false , null , -1.5e+3 ] } ] ,"
        "\n \"records\" : [ { \"data\" : \"QQ==\" , \"recordId\" : \"1\" } ,"
        " { \"recordId\" : \"2\" , \"data\" : \"QUI=\" } ] , \"y\" : { } }"
        " \n ";
    seen s;
    decode_whole(ev, strlen(ev), &s);
    ck_assert_int_eq(s.final_status, FHX_END);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_str_eq(s.recs[1].id, "2");
    ck_assert_uint_eq(s.recs[1].data_len, 2);
    assert_split_invariant(ev);
}
END_TEST

START_TEST(test_response_result_member) {
    /* a response read with the decoder reports each record's result */
    const char *resp = "{\"records\":[{\"recordId\":\"a\",\"result\":\"Ok\","
                       "\"data\":\"QQ==\"},{\"recordId\":\"b\",\"result\":7}]}";
    fhx_event_decoder *dec;
    fhx_record rec;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, direct_put, strlen(direct_put)),
                     FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.result.kind, FHX_META_ABSENT);
    ck_assert_int_eq(fhx_event_begin(dec, resp, strlen(resp)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.result.kind, FHX_META_STRING);
    ck_assert_uint_eq(rec.result.raw.len, 2);
    ck_assert_mem_eq(rec.result.raw.ptr, "Ok", 2);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(rec.result.kind, FHX_META_NUMBER);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_END);
    fhx_event_decoder_free(dec);
}
END_TEST

START_TEST(test_empty_records) {
    seen s;
    decode_whole("{\"records\":[]}", 14, &s);
    ck_assert_int_eq(s.final_status, FHX_END);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* ---- record-level errors ------------------------------------------------ */

START_TEST(test_record_errors) {
    /* one bad record never sinks the batch */
    const char *ev =
        "{\"records\":["
        "{\"recordId\":\"ok1\",\"data\":\"QQ==\"},"
        "{\"recordId\":\"bad64\",\"data\":\"QQ=A\"},"
        "{\"recordId\":\"nodata\"},"
        "{\"recordId\":\"numdata\",\"data\":42},"
        "{\"recordId\":\"nulldata\",\"data\":null},"
        "{\"recordId\":\"both\",\"data\":\"QQ==\",\"kafkaRecordValue\":\"QQ==\"},"
        "{\"recordId\":\"twice\",\"data\":\"QQ==\",\"data\":\"QQ==\"},"
        "{\"recordId\":\"bits\",\"data\":\"QR==\"},"
        "{\"recordId\":\"len\",\"data\":\"QUJD\\/Q\"},"
        "{\"recordId\":\"esc\",\"data\":\"QU\\nJD\"},"
        "{\"recordId\":\"ok2\",\"data\":\"QUJD\"}]}";
    seen s;
    const char *bad64 = strstr(ev, "QQ=A");
    decode_whole(ev, strlen(ev), &s);
    ck_assert_int_eq(s.final_status, FHX_END);
    ck_assert_uint_eq(s.n, 11);
    ck_assert_int_eq(s.recs[0].status, FHX_OK);
    ck_assert_int_eq(s.recs[1].status, FHX_E_BASE64);
    ck_assert_uint_eq(s.recs[1].err.offset, (size_t)(bad64 - ev) + 2);
    ck_assert_uint_eq(s.recs[1].err.record, 1);
    ck_assert_ptr_nonnull(s.recs[1].err.msg);
    ck_assert_int_eq(s.recs[2].status, FHX_E_NO_DATA);
    ck_assert_uint_eq(s.recs[2].err.offset, s.recs[2].offset);
    ck_assert_int_eq(s.recs[3].status, FHX_E_NO_DATA);
    ck_assert_uint_eq(s.recs[3].err.offset,
                      (size_t)(strstr(ev, "42") - ev));
    ck_assert_int_eq(s.recs[4].status, FHX_E_NO_DATA);
    ck_assert_int_eq(s.recs[5].status, FHX_E_SCHEMA);
    ck_assert_int_eq(s.recs[6].status, FHX_E_SCHEMA);
    ck_assert_int_eq(s.recs[7].status, FHX_E_BASE64);
    ck_assert_uint_eq(s.recs[7].err.offset,
                      (size_t)(strstr(ev, "QR==") - ev) + 1);
    ck_assert_int_eq(s.recs[8].status, FHX_E_BASE64);
    /* an escape that decodes to a non-base64 character: at the backslash */
    ck_assert_int_eq(s.recs[9].status, FHX_E_BASE64);
    ck_assert_uint_eq(s.recs[9].err.offset,
                      (size_t)(strstr(ev, "QU\\nJD") - ev) + 2);
    ck_assert_int_eq(s.recs[10].status, FHX_OK);
    ck_assert_str_eq(s.recs[10].id, "ok2");
    assert_split_invariant(ev);
}
END_TEST

/* ---- event-level errors (code, offset, record) ------------------------- */

typedef struct err_case {
    const char *json;
    int code;
    const char *at; /* offset = position of this marker in json; NULL: end */
    size_t record;
} err_case;

static const err_case err_cases[] = {
    {"", FHX_E_TRUNCATED, NULL, FHX_NO_RECORD},
    {"   ", FHX_E_TRUNCATED, NULL, FHX_NO_RECORD},
    {"[]", FHX_E_SCHEMA, "[", FHX_NO_RECORD},
    {"x", FHX_E_JSON, "x", FHX_NO_RECORD},
    {"\xEF\xBB\xBF{}", FHX_E_JSON, "\xEF", FHX_NO_RECORD},
    {"{}", FHX_E_SCHEMA, "}", FHX_NO_RECORD},
    {"{\"records\":{}}", FHX_E_SCHEMA, "{}", FHX_NO_RECORD},
    {"{\"records\":null}", FHX_E_SCHEMA, "null", FHX_NO_RECORD},
    {"{\"records\":[]", FHX_E_TRUNCATED, NULL, FHX_NO_RECORD},
    {"{\"records\":[]}x", FHX_E_JSON, "x", FHX_NO_RECORD},
    {"{\"records\":[]} {}", FHX_E_JSON, "{}", FHX_NO_RECORD},
    {"{\"records\":[],\"records\":[]}", FHX_E_SCHEMA, "\"records\":[]}",
     FHX_NO_RECORD},
    {"{\"records\":[1]}", FHX_E_SCHEMA, "1]", 0},
    {"{\"records\":[{}]}", FHX_E_SCHEMA, "{}", 0},
    {"{\"records\":[{\"recordId\":7}]}", FHX_E_SCHEMA, "7", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"recordId\":\"b\"}]}", FHX_E_SCHEMA,
     "\"recordId\":\"b\"", 0},
    {"{\"records\":[{\"recordId\":\"a\"},{\"recordId\":\"a\"}]}",
     FHX_E_DUPLICATE_ID, "a\"}]", 1},
    {"{\"records\":[{\"recordId\":\"a\"},{\"recordId\":\"\\u0061\"}]}",
     FHX_E_DUPLICATE_ID, "\\u0061", 1},
    {"{\"records\":[{\"recordId\":\"a\",}]}", FHX_E_JSON, "}]}", 0},
    {"{\"records\":[{\"recordId\":\"a\"},]}", FHX_E_JSON, "]}", 1},
    {"{\"records\":[{\"recordId\":\"a\"} {\"recordId\":\"b\"}]}", FHX_E_JSON,
     "{\"recordId\":\"b", 1},
    {"{\"records\":[{\"recordId\":\"a\x01\"}]}", FHX_E_JSON, "\x01", 0},
    {"{\"records\":[{\"recordId\":\"\xC3\x28\"}]}", FHX_E_JSON, "\x28", 0},
    {"{\"records\":[{\"recordId\":\"\\x\"}]}", FHX_E_JSON, "x\"", 0},
    {"{\"records\":[{\"recordId\":\"\\u12G4\"}]}", FHX_E_JSON, "G", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"t\":01}]}", FHX_E_JSON, "1}", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"t\":1.}]}", FHX_E_JSON, "}]", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"t\":-}]}", FHX_E_JSON, "}]", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"t\":tru}]}", FHX_E_JSON, "}]", 0},
    {"{\"records\":[{\"recordId\":\"a\",\"t\":nul", FHX_E_TRUNCATED, NULL, 0},
    {"{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==", FHX_E_TRUNCATED,
     NULL, 0},
    {"{\"records\":[{\"recordId\" \"a\"}]}", FHX_E_JSON, "\"a\"", 0},
    {"{\"records\" []}", FHX_E_JSON, "[", FHX_NO_RECORD},
    {"{records:[]}", FHX_E_JSON, "records", FHX_NO_RECORD},
    {"{\"a\":1 \"records\":[]}", FHX_E_JSON, "\"records", FHX_NO_RECORD},
    {"{\"a\":[1,]}", FHX_E_JSON, "]}", FHX_NO_RECORD},
    {"{\"a\":{\"b\"}}", FHX_E_JSON, "}}", FHX_NO_RECORD},
    {"{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"}]", FHX_E_TRUNCATED,
     NULL, FHX_NO_RECORD},
};

START_TEST(test_error_table) {
    const err_case *c = &err_cases[_i];
    size_t len = strlen(c->json);
    size_t want = c->at ? (size_t)(strstr(c->json, c->at) - c->json) : len;
    seen s;
    decode_whole(c->json, len, &s);
    ck_assert_msg(s.final_status == c->code, "case %d (%s): status %d, want %d",
                  _i, c->json, s.final_status, c->code);
    ck_assert_int_eq(s.err.code, c->code);
    ck_assert_msg(s.err.offset == want, "case %d (%s): offset %zu, want %zu",
                  _i, c->json, s.err.offset, want);
    ck_assert_msg(s.err.record == c->record, "case %d: record %zu, want %zu",
                  _i, s.err.record, c->record);
    ck_assert_ptr_nonnull(s.err.msg);
    assert_split_invariant(c->json);
}
END_TEST

START_TEST(test_depth_limit) {
    /* nesting deeper than FHX_MAX_DEPTH, and 10000 levels: no crash */
    char *ev = malloc(20100);
    size_t n = 0, i;
    seen s;
    n += (size_t)sprintf(ev, "{\"x\":");
    for (i = 0; i < 10000; i++) ev[n++] = '[';
    ev[n] = '\0';
    decode_whole(ev, n, &s);
    ck_assert_int_eq(s.final_status, FHX_E_DEPTH);
    /* the top object is depth 1, so the 64th '[' is depth 65 */
    ck_assert_uint_eq(s.err.offset, 5 + FHX_MAX_DEPTH - 1);
    /* exactly at the limit is fine */
    n = (size_t)sprintf(ev, "{\"records\":[],\"x\":");
    for (i = 0; i < FHX_MAX_DEPTH - 1; i++) ev[n++] = '[';
    for (i = 0; i < FHX_MAX_DEPTH - 1; i++) ev[n++] = ']';
    ev[n++] = '}';
    ev[n] = '\0';
    decode_whole(ev, n, &s);
    ck_assert_int_eq(s.final_status, FHX_END);
    free(ev);
}
END_TEST

/* ---- chunking -------------------------------------------------------------- */

START_TEST(test_split_invariance_fixtures) {
    assert_split_invariant(direct_put);
    assert_split_invariant(
        "{\"records\":[{\"recordId\":\"12345678901234567890\","
        "\"approximateArrivalTimestamp\":12345678901234567890123,"
        "\"data\":\"\\/\\/\\/\\/\"}],\"n\":-0.0e-0}");
}
END_TEST

START_TEST(test_random_splits) {
    /* a large event split at pseudo-random points */
    size_t cap = 1 << 16, n = 0, i, r;
    char *ev = malloc(cap);
    uint32_t x = 2463534242u;
    seen whole, part;
    fhx_event_decoder *dec;
    fhx_record rec;
    n += (size_t)sprintf(ev + n, "{\"records\":[");
    for (i = 0; i < 60; i++)
        n += (size_t)sprintf(ev + n,
                             "%s{\"recordId\":\"id-%zu\",\"data\":\"%s\"}",
                             i ? "," : "", i,
                             i % 7 == 3 ? "not base64!" : "SGVsbG8gV29ybGQ=");
    n += (size_t)sprintf(ev + n, "]}");
    decode_whole(ev, n, &whole);
    ck_assert_int_eq(whole.final_status, FHX_END);
    ck_assert_uint_eq(whole.n, 60);
    for (r = 0; r < (getenv("FHX_TEST_LIGHT") ? 20u : 200u); r++) {
        size_t pos = 0;
        memset(&part, 0, sizeof part);
        ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
        ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
        for (;;) {
            int st = fhx_event_next(dec, &rec);
            if (st == FHX_OK) {
                record_seen(&part, &rec);
                continue;
            }
            if (st != FHX_NEED_INPUT) {
                part.final_status = st;
                break;
            }
            if (pos == n) {
                ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
                continue;
            }
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            {
                size_t k = 1 + x % 97;
                if (k > n - pos) k = n - pos;
                ck_assert_int_eq(fhx_event_feed(dec, ev + pos, k), FHX_OK);
                pos += k;
            }
        }
        part.err = *fhx_event_error(dec);
        assert_same(&whole, &part, r);
        fhx_event_decoder_free(dec);
    }
    free(ev);
}
END_TEST

START_TEST(test_big_record_one_byte_chunks) {
    /* a 600 KB payload fed one byte at a time stays linear (this would
     * take minutes if every byte re-parsed the record) */
    size_t data_len = getenv("FHX_TEST_LIGHT") ? 80000 : 800000, n = 0, i;
    char *ev = malloc(data_len + 100);
    fhx_event_decoder *dec;
    fhx_record rec;
    int st;
    n += (size_t)sprintf(ev, "{\"records\":[{\"recordId\":\"r\",\"data\":\"");
    for (i = 0; i < data_len; i++) ev[n++] = "QUJD"[i % 4];
    n += (size_t)sprintf(ev + n, "\"}]}");
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
    i = 0;
    while ((st = fhx_event_next(dec, &rec)) != FHX_END) {
        if (st == FHX_OK) {
            ck_assert_int_eq(rec.status, FHX_OK);
            ck_assert_uint_eq(rec.data_len, data_len / 4 * 3);
            continue;
        }
        ck_assert_int_eq(st, FHX_NEED_INPUT);
        if (i == n)
            ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
        else
            ck_assert_int_eq(fhx_event_feed(dec, ev + i++, 1), FHX_OK);
    }
    ck_assert_uint_eq(fhx_event_record_count(dec), 1);
    fhx_event_decoder_free(dec);
    free(ev);
}
END_TEST

/* ---- allocation -------------------------------------------------------- */

static char *make_event(size_t n_records, size_t *len) {
    size_t cap = 100 + n_records * 100, n = 0, i;
    char *ev = malloc(cap);
    n += (size_t)sprintf(ev, "{\"records\":[");
    for (i = 0; i < n_records; i++)
        n += (size_t)sprintf(ev + n,
                             "%s{\"recordId\":\"%056zu\",\"data\":\"QUJD\"}",
                             i ? "," : "", i);
    n += (size_t)sprintf(ev + n, "]}");
    *len = n;
    return ev;
}

static size_t count_allocs(fhx_event_decoder *dec, fhxt_counter *c,
                           const char *ev, size_t len, size_t expect) {
    fhx_record rec;
    size_t before = c->allocs + c->reallocs, n = 0;
    int st;
    ck_assert_int_eq(fhx_event_begin(dec, ev, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) n++;
    ck_assert_int_eq(st, FHX_END);
    ck_assert_uint_eq(n, expect);
    return c->allocs + c->reallocs - before;
}

START_TEST(test_no_per_record_allocation) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_event_decoder *dec;
    size_t len_small, len_big, first, again;
    char *small = make_event(10, &len_small);
    char *big = make_event(20000, &len_big);
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, &alc), FHX_OK);
    first = count_allocs(dec, &c, big, len_big, 20000);
    /* growth is geometric: a handful of allocations for 20000 records */
    ck_assert_uint_lt(first, 40);
    /* warm: nothing at all */
    again = count_allocs(dec, &c, big, len_big, 20000);
    ck_assert_uint_eq(again, 0);
    ck_assert_uint_eq(count_allocs(dec, &c, small, len_small, 10), 0);
    fhx_event_decoder_free(dec);
    ck_assert_uint_eq(c.live, 0);
    /* pre-sized: the first event allocates nothing either */
    ck_assert_int_eq(fhx_event_decoder_new(&dec, &alc), FHX_OK);
    ck_assert_int_eq(fhx_event_decoder_reserve(dec, 20000), FHX_OK);
    ck_assert_uint_eq(count_allocs(dec, &c, big, len_big, 20000), 0);
    fhx_event_decoder_free(dec);
    ck_assert_uint_eq(c.live, 0);
    free(small);
    free(big);
}
END_TEST

START_TEST(test_alloc_failures) {
    /* every allocation point fails cleanly: an error, never a leak */
    size_t len, k;
    char *ev = make_event(300, &len);
    for (k = 1; k < 40; k++) {
        fhxt_counter c;
        fhx_allocator alc;
        fhx_event_decoder *dec = NULL;
        fhx_record rec;
        int st;
        memset(&c, 0, sizeof c);
        c.fail_at = k;
        alc = fhxt_counting_allocator(&c);
        st = fhx_event_decoder_new(&dec, &alc);
        if (st == FHX_OK) {
            size_t pos = 0;
            ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
            for (;;) {
                st = fhx_event_next(dec, &rec);
                if (st == FHX_OK) continue;
                if (st != FHX_NEED_INPUT) break;
                if (pos == len) {
                    fhx_event_finish(dec);
                    continue;
                }
                fhx_event_feed(dec, ev + pos, len - pos < 7 ? len - pos : 7);
                pos += len - pos < 7 ? len - pos : 7;
            }
            ck_assert(st == FHX_END || st == FHX_E_NOMEM);
            if (st == FHX_E_NOMEM) {
                ck_assert_int_eq(fhx_event_error(dec)->code, FHX_E_NOMEM);
                ck_assert_ptr_nonnull(fhx_event_error(dec)->msg);
            }
            fhx_event_decoder_free(dec);
        } else {
            ck_assert_int_eq(st, FHX_E_NOMEM);
        }
        ck_assert_uint_eq(c.live, 0);
    }
    free(ev);
}
END_TEST

/* ---- misuse ------------------------------------------------------------------ */

static void *never_alloc(void *ctx, size_t size) {
    (void)ctx;
    (void)size;
    return NULL;
}

START_TEST(test_misuse) {
    fhx_event_decoder *dec;
    fhx_record rec;
    fhx_allocator half = {0};
    half.free = NULL;
    half.alloc = NULL;
    ck_assert_int_eq(fhx_event_decoder_new(NULL, NULL), FHX_E_ARG);
    {
        fhx_allocator partial;
        memset(&partial, 0, sizeof partial);
        partial.alloc = never_alloc;
        ck_assert_int_eq(fhx_event_decoder_new(&dec, &partial), FHX_E_ARG);
    }
    ck_assert_int_eq(fhx_event_decoder_new(&dec, &half), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_E_STATE);
    ck_assert_int_eq(fhx_event_feed(dec, "x", 1), FHX_E_STATE);
    ck_assert_int_eq(fhx_event_finish(dec), FHX_E_STATE);
    ck_assert_int_eq(fhx_event_next(NULL, &rec), FHX_E_ARG);
    ck_assert_int_eq(fhx_event_next(dec, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_event_begin(dec, NULL, 3), FHX_E_ARG);
    ck_assert_int_eq(fhx_event_begin(dec, "{", 1), FHX_OK);
    ck_assert_int_eq(fhx_event_feed(dec, "}", 1), FHX_E_STATE);
    ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
    ck_assert_int_eq(fhx_event_feed(dec, "{", 1), FHX_OK);
    ck_assert_int_eq(fhx_event_feed(dec, "}", 1), FHX_E_STATE); /* busy */
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_NEED_INPUT);
    ck_assert_int_eq(fhx_event_feed(dec, NULL, 0), FHX_OK);
    ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
    ck_assert_int_eq(fhx_event_finish(dec), FHX_E_STATE);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_E_TRUNCATED);
    ck_assert_uint_eq(fhx_event_error(dec)->offset, 1);
    ck_assert_ptr_null(fhx_event_get_header(NULL));
    ck_assert_int_eq(fhx_record_decode(NULL, NULL, 0, NULL), FHX_E_ARG);
    fhx_event_decoder_free(dec);
    fhx_event_decoder_free(NULL);
}
END_TEST

static Suite *event_suite(void) {
    Suite *s = suite_create("event");
    TCase *tc;
    tc = tcase_create("vectors");
    ADD_TEST(tc, test_direct_put);
    ADD_TEST(tc, test_kinesis_source_and_drift);
    ADD_TEST(tc, test_msk_source);
    ADD_TEST(tc, test_escapes);
    ADD_TEST(tc, test_inplace_decode);
    ADD_TEST(tc, test_whitespace_and_order);
    ADD_TEST(tc, test_empty_records);
    ADD_TEST(tc, test_response_result_member);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    ADD_TEST(tc, test_record_errors);
    tcase_add_loop_test(tc, test_error_table, 0,
                        (int)(sizeof err_cases / sizeof err_cases[0]));
    ADD_TEST(tc, test_depth_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("streaming");
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_split_invariance_fixtures);
    ADD_TEST(tc, test_random_splits);
    ADD_TEST(tc, test_big_record_one_byte_chunks);
    suite_add_tcase(s, tc);
    tc = tcase_create("alloc");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_no_per_record_allocation);
    ADD_TEST(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    ADD_TEST(tc, test_misuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(event_suite()); }
