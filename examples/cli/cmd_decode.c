/* fhx decode: the decoded data of an event's (or a response's) records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx decode [--json] [--response] [--gunzip] [--gzip] [FILE|-]\n"
    "\n"
    "Read a Firehose transformation event (the file FILE, or standard\n"
    "input) and write the decoded data of all its records, concatenated:\n"
    "what an identity transform delivers to S3.\n"
    "\n"
    "Options:\n"
    "  --json         one JSON line per record instead:\n"
    "                 {\"recordId\":\"...\",\"approximateArrivalTimestamp\":"
    "T,\n"
    "                  \"length\":N,\"data\":\"BASE64\"}\n"
    "                 (T as it came: a number, a string, or null)\n"
    "  --response     FILE is a transformation response: use only its\n"
    "                 records whose result is Ok (exactly what Firehose\n"
    "                 writes to S3 for that response)\n"
    "  --gunzip       open compressed records: each record's data must be\n"
    "                 gzip (CloudWatch Logs subscription data is) and is\n"
    "                 decompressed, at most 16777216 bytes per record;\n"
    "                 --json then reports the decompressed data\n"
    "  --gzip         write the output as one gzip member (level 6): the\n"
    "                 object a pipeline with GZIP compression stores\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "A record whose data is invalid is skipped with one line on standard\n"
    "error; the others are still written and the exit status is 65.\n"
    "An invalid document exits with status 65 and writes nothing.\n";

enum { OPT_JSON, OPT_RESPONSE, OPT_GUNZIP, OPT_GZIP, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {{"json", 0, 0},   {"response", 0, 0},
                               {"gunzip", 0, 0}, {"gzip", 0, 0},
                               {"help", 'h', 0}, {"version", 'V', 0}};

typedef struct decode_ctx {
    int json;
    int response;
    int gunzip;
    int gzip;
    fhx_gunzip_reader *reader; /* --gunzip */
    fhx_buf plain;             /* --gunzip --json: the decompressed data */
    const char *path;
    const char *name;
    const char *text;
    size_t len;
    fhx_buf out;
    fhx_buf scratch;
    fhx_buf msgs; /* stderr lines for skipped records, held back until
                     the whole document is known to be valid */
    size_t bad;   /* invalid records skipped */
} decode_ctx;

/* ==== Results of a response's records =================================== */

/* raw JSON string content equals the text s (escapes resolved). */
static int raw_equals(const char *raw, size_t len, const char *s) {
    char buf[64];
    size_t n = 0;
    if (!memchr(raw, '\\', len))
        return len == strlen(s) && memcmp(raw, s, len) == 0;
    if (fhx_json_unescape(raw, len, buf, sizeof buf, &n, NULL) != FHX_OK)
        return 0;
    return n == strlen(s) && memcmp(buf, s, n) == 0;
}

/* ==== Output ============================================================ */

static int report_record(decode_ctx *c, const fhx_record *rec) {
    char where[512], line[768];
    cli_format_where(where, sizeof where, c->name, c->text, c->len,
                     rec->err.offset, rec->index, &rec->id);
    snprintf(line, sizeof line, "fhx: %s: %s (record skipped)\n", where,
             rec->err.msg ? rec->err.msg : fhx_strerror(rec->status));
    c->bad++;
    return cli_buf_append_str(&c->msgs, line);
}

/* Decode rec's payload into b (appended). */
static int decode_into(fhx_buf *b, const fhx_record *rec) {
    size_t n = 0;
    int st;
    if (fhx_buf_reserve(b, rec->data_len + 1) != FHX_OK)
        return cli_fail_status("decode", FHX_E_NOMEM);
    st = fhx_record_decode(rec, b->ptr + b->len, b->cap - b->len, &n);
    if (st != FHX_OK) return cli_fail_status("decode", st);
    b->len += n;
    return CLI_EX_OK;
}

static int append_timestamp(fhx_buf *b, const fhx_meta_value *v) {
    int st;
    switch (v->kind) {
    case FHX_META_NUMBER:
        return cli_buf_append(b, v->raw.ptr, v->raw.len);
    case FHX_META_STRING:
        st = cli_buf_append(b, "\"", 1);
        if (st == CLI_EX_OK) st = cli_buf_append(b, v->raw.ptr, v->raw.len);
        if (st == CLI_EX_OK) st = cli_buf_append(b, "\"", 1);
        return st;
    default:
        return cli_buf_append_str(b, "null");
    }
}

static int append_b64(fhx_buf *b, const uint8_t *p, size_t n) {
    size_t need = FHX_B64_ENCODED_LEN(n), put = 0;
    int st;
    if (need == 0 && n > 0) return cli_fail_status("decode", FHX_E_LIMIT);
    if (fhx_buf_reserve(b, need + 1) != FHX_OK)
        return cli_fail_status("decode", FHX_E_NOMEM);
    st = fhx_b64_encode(p, n, (char *)b->ptr + b->len, b->cap - b->len, &put);
    if (st != FHX_OK) return cli_fail_status("decode", st);
    b->len += put;
    return CLI_EX_OK;
}

/* --gunzip: decompress rec's payload, appended to dst. Returns CLI_EX_OK,
 * an exit status, or -1 when the record is skipped (reported). */
static int gunzip_into(decode_ctx *c, fhx_buf *dst, const fhx_record *rec) {
    char where[512], line[1024];
    fhx_error e;
    int st;
    c->scratch.len = 0;
    st = decode_into(&c->scratch, rec);
    if (st != CLI_EX_OK) return st;
    st = fhx_gunzip_append(c->reader, dst, c->scratch.ptr, c->scratch.len,
                           FHX_GUNZIP_RECORD_MAX, &e);
    if (st == FHX_OK) return CLI_EX_OK;
    if (st == FHX_E_NOMEM || st == FHX_E_ARG)
        return cli_fail_status("decode", st);
    cli_format_where(where, sizeof where, c->name, c->text, c->len,
                     rec->data_offset, rec->index, &rec->id);
    snprintf(line, sizeof line,
             "fhx: %s: byte %zu of the decoded data: %s (record skipped)\n",
             where, e.offset, e.msg ? e.msg : fhx_strerror(st));
    c->bad++;
    st = cli_buf_append_str(&c->msgs, line);
    return st == CLI_EX_OK ? -1 : st;
}

static int write_json_line(decode_ctx *c, const fhx_record *rec) {
    char num[32];
    const fhx_buf *data = &c->scratch;
    int st;
    c->scratch.len = 0;
    c->plain.len = 0;
    if (c->gunzip) {
        st = gunzip_into(c, &c->plain, rec);
        if (st < 0) return CLI_EX_OK;
        data = &c->plain;
    } else {
        st = decode_into(&c->scratch, rec);
    }
    if (st == CLI_EX_OK) st = cli_buf_append_str(&c->out, "{\"recordId\":\"");
    if (st == CLI_EX_OK) st = cli_buf_append(&c->out, rec->id.ptr, rec->id.len);
    if (st == CLI_EX_OK)
        st = cli_buf_append_str(&c->out, "\",\"approximateArrivalTimestamp\":");
    if (st == CLI_EX_OK) st = append_timestamp(&c->out, &rec->arrival);
    snprintf(num, sizeof num, ",\"length\":%zu,\"data\":\"", data->len);
    if (st == CLI_EX_OK) st = cli_buf_append_str(&c->out, num);
    if (st == CLI_EX_OK) st = append_b64(&c->out, data->ptr, data->len);
    if (st == CLI_EX_OK) st = cli_buf_append_str(&c->out, "\"}\n");
    return st;
}

/* 1 when the record's result is Ok (response mode): the decoder reports
 * a response record's "result" member as it came. */
static int record_is_ok(const fhx_record *rec) {
    return rec->result.kind == FHX_META_STRING &&
           raw_equals(rec->result.raw.ptr, rec->result.raw.len, "Ok");
}

static int handle_record(decode_ctx *c, const fhx_record *rec) {
    if (c->response && !record_is_ok(rec)) return CLI_EX_OK;
    if (rec->status != FHX_OK) return report_record(c, rec);
    if (c->json) return write_json_line(c, rec);
    if (c->gunzip) {
        int st = gunzip_into(c, &c->out, rec);
        return st < 0 ? CLI_EX_OK : st;
    }
    return decode_into(&c->out, rec);
}

static int decode_all(decode_ctx *c) {
    fhx_event_decoder *dec = NULL;
    fhx_record rec;
    int st = fhx_event_decoder_new(&dec, NULL), ex = CLI_EX_OK;
    if (st != FHX_OK) return cli_fail_status("decode", st);
    st = fhx_event_begin(dec, c->text, c->len);
    while (st == FHX_OK && ex == CLI_EX_OK &&
           (st = fhx_event_next(dec, &rec)) == FHX_OK)
        ex = handle_record(c, &rec);
    if (ex == CLI_EX_OK && st != FHX_END) {
        const fhx_error *e = fhx_event_error(dec);
        if (st > 0 || st == FHX_E_NOMEM || st == FHX_E_ARG ||
            st == FHX_E_STATE || !e || e->code == FHX_OK)
            ex = cli_fail_status("decode", st);
        else
            ex = cli_report_error(c->name, c->text, c->len, e);
    }
    fhx_event_decoder_free(dec);
    return ex;
}

static int parse_args(decode_ctx *c, int argc, char **argv, int *done) {
    cli_args a;
    const char *val;
    int k;
    cli_args_init(&a, argc, argv, "decode");
    while ((k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND) {
            if (c->path)
                return cli_usage_error("decode", "too many arguments");
            c->path = val;
        } else if (k == OPT_JSON) {
            c->json = 1;
        } else if (k == OPT_RESPONSE) {
            c->response = 1;
        } else if (k == OPT_GUNZIP) {
            c->gunzip = 1;
        } else if (k == OPT_GZIP) {
            c->gzip = 1;
        } else {
            *done = 1;
            return k == OPT_HELP ? cli_puts_stdout(usage)
                                 : cli_print_version();
        }
    }
    return CLI_EX_OK;
}

int cli_cmd_decode(int argc, char **argv) {
    decode_ctx c;
    fhx_buf gz;
    char *text = NULL;
    int st, done = 0;
    memset(&c, 0, sizeof c);
    fhx_buf_init(&c.out, NULL);
    fhx_buf_init(&c.scratch, NULL);
    fhx_buf_init(&c.msgs, NULL);
    fhx_buf_init(&c.plain, NULL);
    fhx_buf_init(&gz, NULL);
    st = parse_args(&c, argc, argv, &done);
    if (done || st != CLI_EX_OK) return st;
    if (c.gunzip && (st = fhx_gunzip_reader_new(&c.reader, NULL)) != FHX_OK)
        return cli_fail_status("decode", st);
    st = cli_read_input(c.path, &text, &c.len);
    if (st != CLI_EX_OK) {
        fhx_gunzip_reader_free(c.reader);
        return st;
    }
    c.text = text;
    c.name = cli_input_name(c.path);
    st = decode_all(&c);
    if (st == CLI_EX_OK && c.msgs.len > 0)
        fwrite(c.msgs.ptr, 1, c.msgs.len, stderr);
    if (st == CLI_EX_OK && c.gzip) {
        int zs = fhx_gzip_append(&gz, c.out.ptr, c.out.len,
                                 FHX_GZIP_DEFAULT_LEVEL);
        st = zs == FHX_OK ? cli_write_stdout(gz.ptr, gz.len)
                          : cli_fail_status("decode", zs);
    } else if (st == CLI_EX_OK) {
        st = cli_write_stdout(c.out.ptr, c.out.len);
    }
    if (st == CLI_EX_OK && c.bad > 0) st = CLI_EX_DATAERR;
    fhx_buf_free(&c.out);
    fhx_buf_free(&c.scratch);
    fhx_buf_free(&c.msgs);
    fhx_buf_free(&c.plain);
    fhx_buf_free(&gz);
    fhx_gunzip_reader_free(c.reader);
    free(text);
    return st;
}
