/* fhx check: is RESPONSE a valid answer to EVENT? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx check [-v] EVENT RESPONSE\n"
    "\n"
    "Check that RESPONSE is a valid answer to the transformation event\n"
    "EVENT, the way Firehose judges it: every recordId of the event\n"
    "answered exactly once and no other, result Ok, Dropped or\n"
    "ProcessingFailed, strict base64 data (required on Ok), well-formed\n"
    "metadata, and the whole response within 6291556 bytes. One of the\n"
    "two may be '-' for standard input.\n"
    "\n"
    "Every problem is listed on standard error, one line each:\n"
    "  FILE:LINE:COL: byte N (record R, recordId X): message\n"
    "\n"
    "Options:\n"
    "  -v, --verbose  say so on standard error when the response is valid\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "Exit status: 0 valid, 1 problems found, 65 EVENT is not a valid\n"
    "event.\n";

enum { OPT_VERBOSE, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {
    {"verbose", 'v', 0}, {"help", 'h', 0}, {"version", 'V', 0}};

typedef struct input {
    const char *path;
    const char *name;
    char *text;
    size_t len;
} input;

typedef struct check_ctx {
    input event;
    input response;
} check_ctx;

/* The JSON value at offset (a string with its quotes, or a scalar), as
 * printable text, for the problems whose offset is a value's start (a bad
 * result, a member of the wrong type); else empty. */
static void token_at(char *buf, size_t cap, const fhx_problem *p,
                     const char *text, size_t len) {
    size_t off = p->offset, end = off;
    buf[0] = '\0';
    if (p->in_event || (p->code != FHX_E_RESULT && p->code != FHX_E_SCHEMA))
        return;
    if (off >= len || text[off] == '{' || text[off] == '[') return;
    if (text[off] == '"') {
        end = off + 1;
        while (end < len && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
        end = end < len ? end + 1 : len;
    } else {
        while (end < len && !strchr(",]}: \t\r\n", text[end])) end++;
    }
    if (end > off) cli_printable(buf, cap, text + off, end - off, 64);
}

static void on_problem(void *ctx, const fhx_problem *p) {
    const check_ctx *c = ctx;
    const input *in = p->in_event ? &c->event : &c->response;
    char where[512], token[96];
    cli_format_where(where, sizeof where, in->name, in->text, in->len,
                     p->offset, p->record, &p->id);
    token_at(token, sizeof token, p, in->text, in->len);
    if (token[0] == '\0')
        fprintf(stderr, "%s: %s\n", where,
                p->msg ? p->msg : fhx_strerror(p->code));
    else
        fprintf(stderr, "%s: %s: %s\n", where,
                p->msg ? p->msg : fhx_strerror(p->code), token);
}

static int parse_args(check_ctx *c, int argc, char **argv, int *verbose,
                      int *done) {
    cli_args a;
    const char *val;
    int k, n = 0;
    cli_args_init(&a, argc, argv, "check");
    while ((k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND) {
            if (n >= 2) return cli_usage_error("check", "too many arguments");
            (n++ == 0 ? &c->event : &c->response)->path = val;
        } else if (k == OPT_VERBOSE) {
            *verbose = 1;
        } else {
            *done = 1;
            return k == OPT_HELP ? cli_puts_stdout(usage)
                                 : cli_print_version();
        }
    }
    if (n < 2) return cli_usage_error("check", "needs EVENT and RESPONSE");
    if (strcmp(c->event.path, "-") == 0 && strcmp(c->response.path, "-") == 0)
        return cli_usage_error("check", "only one input can be '-'");
    return CLI_EX_OK;
}

static int load(input *in) {
    in->name = cli_input_name(in->path);
    return cli_read_input(in->path, &in->text, &in->len);
}

static int verify(check_ctx *c, int verbose) {
    fhx_error err;
    size_t n = 0;
    int st;
    memset(&err, 0, sizeof err);
    st = fhx_verify_response(c->event.text, c->event.len, c->response.text,
                             c->response.len, 0, on_problem, c, &n, NULL,
                             &err);
    if (st == FHX_E_NOMEM || st == FHX_E_ARG || st == FHX_E_STATE || st > 0)
        return cli_fail_status("check", st);
    if (st != FHX_OK) {
        if (err.code == FHX_OK) {
            err.code = st;
            err.offset = 0;
            err.record = FHX_NO_RECORD;
            err.msg = fhx_strerror(st);
        }
        return cli_report_error(c->event.name, c->event.text, c->event.len,
                                &err);
    }
    if (n > 0) {
        cli_err("check: %s: %zu problem%s", c->response.name, n,
                n == 1 ? "" : "s");
        return CLI_EX_FAIL;
    }
    if (verbose)
        cli_err("check: %s is a valid answer to %s", c->response.name,
                c->event.name);
    return CLI_EX_OK;
}

int cli_cmd_check(int argc, char **argv) {
    check_ctx c;
    int st, verbose = 0, done = 0;
    memset(&c, 0, sizeof c);
    st = parse_args(&c, argc, argv, &verbose, &done);
    if (done || st != CLI_EX_OK) return st;
    st = load(&c.event);
    if (st == CLI_EX_OK) st = load(&c.response);
    if (st == CLI_EX_OK) st = verify(&c, verbose);
    free(c.event.text);
    free(c.response.text);
    return st;
}
