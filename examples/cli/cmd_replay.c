/* fhx replay: Firehose processing-failed error objects back into events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx replay [--max-bytes N] [-v] FILE...\n"
    "\n"
    "Read Firehose processing-failed error objects (the JSON lines Firehose\n"
    "writes under its error prefix, gzip-compressed or not; '-' is standard\n"
    "input) and write Firehose Direct PUT transformation events of their\n"
    "rawData, in order, one compact JSON event per output line: ready to\n"
    "run a transform on them again (fhx transform).\n"
    "\n"
    "Keys are matched case-insensitively (AWS documents lambdaArn, real\n"
    "objects spell it lambdaARN); rawData must be strict base64 and is\n"
    "copied as it is. recordIds are fresh 56-digit decimal strings;\n"
    "approximateArrivalTimestamp is the current time in epoch\n"
    "milliseconds, or SOURCE_DATE_EPOCH * 1000 when that variable is set\n"
    "(a record put back into Firehose arrives anew).\n"
    "\n"
    "Options:\n"
    "  --max-bytes N  at most N bytes per event, its newline not counted\n"
    "                 (default 6291556, the Lambda payload limit)\n"
    "  -v, --verbose  print a summary line on standard error\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "All or nothing: an invalid object, invalid gzip, or a record too big\n"
    "for an event exits with status 65, naming the file and byte offset\n"
    "(in the decompressed text for a gzip file), and writes nothing.\n";

enum { OPT_MAX_BYTES, OPT_VERBOSE, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {
    {"max-bytes", 0, 1}, {"verbose", 'v', 0}, {"help", 'h', 0},
    {"version", 'V', 0}};

/* Turn one file's text into events. */
static int replay_text(cli_events *w, const char *name, const char *text,
                       size_t len, fhx_buf *scratch, size_t *records) {
    fhx_failed_reader r;
    fhx_failed_record rec;
    fhx_error e;
    char where[512];
    int st;
    fhx_failed_begin(&r, text, len, scratch);
    while ((st = fhx_failed_next(&r, &rec, &e)) == FHX_OK) {
        st = cli_events_add(w, rec.raw_data.ptr, rec.raw_data.len, 1);
        if (st == CLI_EX_DATAERR) {
            cli_format_where(where, sizeof where, name, text, len,
                             rec.offset, rec.index, NULL);
            cli_err("%s: rawData (%zu bytes of base64) does not fit in an "
                    "event of at most %zu bytes",
                    where, rec.raw_data.len, w->max);
            return CLI_EX_DATAERR;
        }
        if (st != CLI_EX_OK) return st;
        (*records)++;
    }
    if (st == FHX_END) return CLI_EX_OK;
    if (st == FHX_E_NOMEM || st == FHX_E_ARG) return cli_fail_status(name, st);
    return cli_report_error(name, text, len, &e);
}

static int replay_file(cli_events *w, const char *path, fhx_buf *plain,
                       fhx_buf *scratch, size_t *records) {
    const char *name = cli_input_name(path);
    char *text = NULL;
    size_t len = 0;
    fhx_error e;
    int st = cli_read_input(path, &text, &len);
    if (st != CLI_EX_OK) return st;
    if (fhx_gzip_is_gzip(text, len)) {
        plain->len = 0;
        st = fhx_gunzip_append(NULL, plain, text, len, CLI_GUNZIP_MAX, &e);
        if (st == FHX_OK)
            st = replay_text(w, name, (const char *)plain->ptr, plain->len,
                             scratch, records);
        else if (st == FHX_E_ARG)
            st = cli_fail_status(name, st);
        else
            st = cli_gunzip_report(name, &e, CLI_GUNZIP_MAX);
    } else {
        st = replay_text(w, name, text, len, scratch, records);
    }
    free(text);
    return st;
}

int cli_cmd_replay(int argc, char **argv) {
    cli_args a;
    cli_events w;
    fhx_buf plain, scratch;
    const char *val, **paths;
    size_t max = FHX_LAMBDA_RESPONSE_LIMIT, n_paths = 0, records = 0, i;
    int k, st, verbose = 0;
    paths = calloc((size_t)(argc > 0 ? argc : 1), sizeof *paths);
    if (!paths) return cli_fail_status("replay", FHX_E_NOMEM);
    cli_args_init(&a, argc, argv, "replay");
    st = CLI_EX_OK;
    while (st == CLI_EX_OK &&
           (k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR)
            st = CLI_EX_USAGE;
        else if (k == CLI_ARG_OPERAND)
            paths[n_paths++] = val;
        else if (k == OPT_MAX_BYTES && !cli_parse_size(val, &max))
            st = cli_usage_error(
                "replay", "--max-bytes needs a positive integer, not '%s'",
                val);
        else if (k == OPT_VERBOSE)
            verbose = 1;
        else if (k == OPT_HELP || k == OPT_VERSION) {
            free(paths);
            return k == OPT_HELP ? cli_puts_stdout(usage)
                                 : cli_print_version();
        }
    }
    if (st == CLI_EX_OK && n_paths == 0)
        st = cli_usage_error("replay", "no FILE given");
    if (st == CLI_EX_OK) st = cli_events_init(&w, max, "replay");
    if (st != CLI_EX_OK) {
        free(paths);
        return st;
    }
    fhx_buf_init(&plain, NULL);
    fhx_buf_init(&scratch, NULL);
    for (i = 0; st == CLI_EX_OK && i < n_paths; i++)
        st = replay_file(&w, paths[i], &plain, &scratch, &records);
    if (st == CLI_EX_OK) st = cli_events_close(&w);
    if (st == CLI_EX_OK && verbose)
        cli_err("replay: %zu records from %zu files in %zu events", records,
                n_paths, w.events);
    if (st == CLI_EX_OK) st = cli_write_stdout(w.out.ptr, w.out.len);
    cli_events_free(&w);
    fhx_buf_free(&plain);
    fhx_buf_free(&scratch);
    free(paths);
    return st;
}
