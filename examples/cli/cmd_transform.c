/* fhx transform: event in, response out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx transform [--handler NAME] [--chunk N] [-v] [EVENT|-]\n"
    "\n"
    "Read a Firehose transformation event (the file EVENT, or standard\n"
    "input) and write the response JSON to standard output.\n"
    "\n"
    "Options:\n"
    "  --handler NAME  what to do with each record (default identity):\n"
    "                    identity  Ok, data unchanged\n"
    "                    ndjson    Ok, every non-empty line of the data\n"
    "                              followed by one \"\\n\" (\"\\r\\n\" and a\n"
    "                              missing last newline handled); Dropped\n"
    "                              when the data holds no line\n"
    "                    iot       Ok, each IoT message as one compact JSON\n"
    "                              line, partition keys from its topic\n"
    "                              (fhx/iot.h); ProcessingFailed when the\n"
    "                              data is not one JSON object with a topic\n"
    "                    drop      Dropped\n"
    "                    fail      ProcessingFailed\n"
    "                    cloudwatch-logs\n"
    "                              CloudWatch Logs subscription data\n"
    "                              (gzip JSON): Dropped for a\n"
    "                              CONTROL_MESSAGE; each log message as\n"
    "                              one line ending in \"\\n\"; a record\n"
    "                              that is corrupt, truncated, over\n"
    "                              16777216 bytes decompressed or not\n"
    "                              CloudWatch Logs: ProcessingFailed\n"
    "  --chunk N       feed the event to the library N bytes at a time\n"
    "                  (the response is the same for every N)\n"
    "  -v, --verbose   print a summary line on standard error (and, for\n"
    "                  cloudwatch-logs, why each failed record failed)\n"
    "  -h, --help      show this help and exit\n"
    "  -V, --version   show the version and exit\n"
    "\n"
    "A record whose data is not valid base64 is answered ProcessingFailed;\n"
    "the others go through. An invalid event exits with status 65, one\n"
    "error line on standard error and nothing on standard output.\n";

enum { OPT_HANDLER, OPT_CHUNK, OPT_VERBOSE, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {
    {"handler", 0, 1}, {"chunk", 0, 1}, {"verbose", 'v', 0},
    {"help", 'h', 0},  {"version", 'V', 0},
};

typedef struct transform_opts {
    const char *handler_name;
    fhx_handler_fn handler;
    size_t chunk; /* 0: whole buffer */
    int verbose;
    const char *path;
    int done; /* --help or --version handled: exit with status */
    int status;
} transform_opts;

/* Handle one parsed option. Returns 0 to go on, else an exit status
 * (stored in o->status with o->done set for --help/--version). */
static int apply_option(transform_opts *o, int k, const char *val) {
    switch (k) {
    case OPT_HANDLER:
        o->handler = fhx_handler_find(val);
        if (!o->handler)
            return cli_usage_error("transform", "unknown handler '%s'", val);
        o->handler_name = val;
        return 0;
    case OPT_CHUNK:
        if (!cli_parse_size(val, &o->chunk))
            return cli_usage_error("transform",
                                   "--chunk needs a positive integer, not "
                                   "'%s'",
                                   val);
        return 0;
    case OPT_VERBOSE:
        o->verbose = 1;
        return 0;
    case OPT_HELP:
        o->done = 1;
        o->status = cli_puts_stdout(usage);
        return o->status;
    default:
        o->done = 1;
        o->status = cli_print_version();
        return o->status;
    }
}

static int parse_args(transform_opts *o, int argc, char **argv) {
    cli_args a;
    const char *val;
    int k, st;
    cli_args_init(&a, argc, argv, "transform");
    while ((k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND) {
            if (o->path)
                return cli_usage_error("transform", "too many arguments");
            o->path = val;
            continue;
        }
        st = apply_option(o, k, val);
        if (o->done || st != 0) return st;
    }
    if (!o->handler) {
        o->handler_name = "identity";
        o->handler = fhx_handler_find("identity");
        if (!o->handler) return cli_fail_status("transform", FHX_E_ARG);
    }
    return CLI_EX_OK;
}

/* cloudwatch-logs -v: why a record failed, on standard error. */
static void cwl_error(void *user, const fhx_record *rec, const fhx_error *e) {
    char id[128];
    const char *zipped =
        e->code == FHX_E_ZLIB || e->code == FHX_E_TRUNCATED ||
                e->code == FHX_E_LIMIT
            ? "decoded data"
            : "decompressed document";
    (void)user;
    cli_printable(id, sizeof id, rec->id.ptr, rec->id.len, 80);
    cli_err("transform: record %zu (recordId %s): byte %zu of the %s: %s "
            "(ProcessingFailed)",
            rec->index, id, e->offset, zipped,
            e->msg ? e->msg : fhx_strerror(e->code));
}

/* Run the transform, whole or in chunks. */
static int run(fhx_transformer *t, const transform_opts *o, const char *ev,
               size_t len, const char **out, size_t *out_len, void *ctx) {
    size_t off;
    int st;
    if (o->chunk == 0)
        return fhx_transform(t, ev, len, o->handler, ctx, out, out_len);
    st = fhx_transform_begin(t, o->handler, ctx);
    for (off = 0; st == FHX_OK && off < len; off += o->chunk) {
        size_t n = len - off < o->chunk ? len - off : o->chunk;
        st = fhx_transform_feed(t, ev + off, n);
    }
    if (st != FHX_OK) return st;
    return fhx_transform_finish(t, out, out_len);
}

static void print_summary(const fhx_transformer *t, const transform_opts *o) {
    const fhx_transform_stats *s = fhx_transform_get_stats(t);
    if (!s) return;
    fprintf(stderr,
            "fhx: transform (%s): %zu records: %zu Ok, %zu Dropped, "
            "%zu ProcessingFailed (%zu invalid data, %zu handler errors, "
            "%zu over the limit); %zu bytes in, %zu bytes out\n",
            o->handler_name, s->records, s->ok, s->dropped, s->failed,
            s->invalid, s->handler_errors, s->over_limit, s->bytes_in,
            s->bytes_out);
}

/* Turn a failed transform into a message and an exit status. */
static int report_failure(const fhx_transformer *t, int st,
                          const char *name, const char *ev, size_t len) {
    const fhx_error *e = fhx_transform_error(t);
    fhx_error fallback;
    if (st == FHX_E_NOMEM || st == FHX_E_ARG || st == FHX_E_STATE || st > 0)
        return cli_fail_status("transform", st);
    if (!e || e->code == FHX_OK) {
        fallback.code = st;
        fallback.offset = len;
        fallback.record = FHX_NO_RECORD;
        fallback.msg = fhx_strerror(st);
        e = &fallback;
    }
    return cli_report_error(name, ev, len, e);
}

int cli_cmd_transform(int argc, char **argv) {
    transform_opts o;
    fhx_cwlogs_opts cwl;
    fhx_buf cwl_doc;
    void *ctx = NULL;
    fhx_transformer *t = NULL;
    char *ev = NULL;
    size_t len = 0, out_len = 0;
    const char *out = NULL;
    int st;
    memset(&o, 0, sizeof o);
    st = parse_args(&o, argc, argv);
    if (o.done || st != CLI_EX_OK) return st;
    st = cli_read_input(o.path, &ev, &len);
    if (st != CLI_EX_OK) return st;
    st = fhx_transformer_new(&t, NULL);
    if (st != FHX_OK) {
        free(ev);
        return cli_fail_status("transform", st);
    }
    memset(&cwl, 0, sizeof cwl);
    fhx_buf_init(&cwl_doc, NULL);
    if (o.handler == fhx_handler_cloudwatch_logs) {
        /* reuse one reader and one buffer for every record */
        st = fhx_gunzip_reader_new(&cwl.reader, NULL);
        if (st != FHX_OK) {
            fhx_transformer_free(t);
            free(ev);
            return cli_fail_status("transform", st);
        }
        cwl.scratch = &cwl_doc;
        if (o.verbose) cwl.on_error = cwl_error;
        ctx = &cwl;
    }
    st = run(t, &o, ev, len, &out, &out_len, ctx);
    if (st == FHX_OK) {
        if (o.verbose) print_summary(t, &o);
        st = cli_write_stdout(out, out_len);
    } else {
        st = report_failure(t, st, cli_input_name(o.path), ev, len);
    }
    fhx_transformer_free(t);
    fhx_gunzip_reader_free(cwl.reader);
    fhx_buf_free(&cwl_doc);
    free(ev);
    return st;
}
