/* fhx event: newline-delimited messages in, Direct PUT events out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx event [--max-bytes N] [-v] [FILE|-]\n"
    "\n"
    "Read newline-delimited messages (the file FILE, or standard input),\n"
    "the way an IoT topic rule with separator \"\\n\" hands them to\n"
    "Firehose, and write Firehose Direct PUT transformation events, one\n"
    "compact JSON event per output line.\n"
    "\n"
    "Each non-empty line becomes one record whose data is the line with\n"
    "its \"\\n\" (a last line without one stays without). recordIds are\n"
    "56-digit decimal strings, unique across the output;\n"
    "approximateArrivalTimestamp is the current time in epoch\n"
    "milliseconds, or SOURCE_DATE_EPOCH * 1000 when that variable is set.\n"
    "\n"
    "Options:\n"
    "  --max-bytes N  at most N bytes per event, its newline not counted\n"
    "                 (default 6291556, the Lambda payload limit); a new\n"
    "                 event starts when the next record would not fit\n"
    "  -v, --verbose  print a summary line on standard error\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "A message too long for an event of its own exits with status 65,\n"
    "naming its line, and nothing is written.\n";

enum { OPT_MAX_BYTES, OPT_VERBOSE, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {
    {"max-bytes", 0, 1}, {"verbose", 'v', 0}, {"help", 'h', 0},
    {"version", 'V', 0}};

/* ==== Input ============================================================== */

/* A line holding only "\r" and "\n" bytes carries no message. */
static int is_blank(const char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != '\n' && p[i] != '\r') return 0;
    return 1;
}

static int too_long(const cli_events *w, const char *name,
                    const char *text, size_t len, size_t pos, size_t line,
                    size_t n) {
    char where[512];
    cli_format_where(where, sizeof where, name, text, len, pos,
                     FHX_NO_RECORD, NULL);
    cli_err("%s: the message on line %zu (%zu bytes) does not fit in an "
            "event of at most %zu bytes",
            where, line, n, w->max);
    return CLI_EX_DATAERR;
}

static int convert(cli_events *w, const char *name, const char *text,
                   size_t len, size_t *messages) {
    size_t pos = 0, line = 1;
    int st;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (!is_blank(text + pos, end - pos)) {
            st = cli_events_add(w, text + pos, end - pos, 0);
            if (st == CLI_EX_DATAERR)
                return too_long(w, name, text, len, pos, line, end - pos);
            if (st != CLI_EX_OK) return st;
            (*messages)++;
        }
        pos = end;
        line++;
    }
    return cli_events_close(w);
}

/* ==== Command ============================================================ */

static int parse_args(size_t *max, const char **path, int argc,
                      char **argv, int *verbose, int *done) {
    cli_args a;
    const char *val;
    int k;
    cli_args_init(&a, argc, argv, "event");
    while ((k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND) {
            if (*path) return cli_usage_error("event", "too many arguments");
            *path = val;
        } else if (k == OPT_MAX_BYTES) {
            if (!cli_parse_size(val, max))
                return cli_usage_error(
                    "event", "--max-bytes needs a positive integer, not '%s'",
                    val);
        } else if (k == OPT_VERBOSE) {
            *verbose = 1;
        } else {
            *done = 1;
            return k == OPT_HELP ? cli_puts_stdout(usage)
                                 : cli_print_version();
        }
    }
    return CLI_EX_OK;
}

int cli_cmd_event(int argc, char **argv) {
    cli_events w;
    const char *path = NULL;
    char *text = NULL;
    size_t len = 0, messages = 0, max = FHX_LAMBDA_RESPONSE_LIMIT;
    int st, verbose = 0, done = 0;
    st = parse_args(&max, &path, argc, argv, &verbose, &done);
    if (done || st != CLI_EX_OK) return st;
    st = cli_events_init(&w, max, "event");
    if (st != CLI_EX_OK) return st;
    st = cli_read_input(path, &text, &len);
    if (st == CLI_EX_OK)
        st = convert(&w, cli_input_name(path), text, len, &messages);
    if (st == CLI_EX_OK && verbose)
        cli_err("event: %zu messages in %zu events", messages, w.events);
    if (st == CLI_EX_OK) st = cli_write_stdout(w.out.ptr, w.out.len);
    cli_events_free(&w);
    free(text);
    return st;
}
