/* fhx gzip, fhx gunzip: standard input to standard output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char gzip_usage[] =
    "usage: fhx gzip [-1 ... -9]\n"
    "\n"
    "Compress standard input into one gzip member on standard output (no\n"
    "file name, MTIME 0: the output depends only on the input and the\n"
    "level). Members appended to a file make a valid multi-member gzip\n"
    "file, as Firehose objects are read.\n"
    "\n"
    "Options:\n"
    "  -1 ... -9      compression level (default 6, what CloudWatch Logs\n"
    "                 uses)\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n";

static const char gunzip_usage[] =
    "usage: fhx gunzip [--max-bytes N]\n"
    "\n"
    "Decompress gzip data (every member) from standard input to standard\n"
    "output. Nothing is written unless the whole input is valid.\n"
    "\n"
    "Options:\n"
    "  --max-bytes N  refuse input that decompresses to more than N bytes\n"
    "                 (default 1073741824); the limit is enforced while\n"
    "                 decompressing, so a decompression bomb costs at most\n"
    "                 N bytes of memory\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "Invalid, truncated or oversized input exits with status 65 and one\n"
    "line on standard error naming the byte offset.\n";

static const cli_opt gzip_opts[] = {
    {"help", 'h', 0}, {"version", 'V', 0}, {"1", '1', 0}, {"2", '2', 0},
    {"3", '3', 0},    {"4", '4', 0},       {"5", '5', 0}, {"6", '6', 0},
    {"7", '7', 0},    {"8", '8', 0},       {"9", '9', 0}};

int cli_cmd_gzip(int argc, char **argv) {
    cli_args a;
    const char *val;
    char *in = NULL;
    size_t len = 0;
    fhx_buf out;
    int k, st, level = FHX_GZIP_DEFAULT_LEVEL;
    cli_args_init(&a, argc, argv, "gzip");
    while ((k = cli_args_next(&a, gzip_opts,
                              sizeof gzip_opts / sizeof gzip_opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND)
            return cli_usage_error("gzip", "reads standard input only");
        if (k == 0) return cli_puts_stdout(gzip_usage);
        if (k == 1) return cli_print_version();
        level = k - 1;
    }
    st = cli_read_input(NULL, &in, &len);
    if (st != CLI_EX_OK) return st;
    fhx_buf_init(&out, NULL);
    st = fhx_gzip_append(&out, in, len, level);
    st = st == FHX_OK ? cli_write_stdout(out.ptr, out.len)
                      : cli_fail_status("gzip", st);
    fhx_buf_free(&out);
    free(in);
    return st;
}

int cli_gunzip_report(const char *name, const fhx_error *e, size_t max) {
    if (e->code == FHX_E_NOMEM) return cli_fail_status(name, e->code);
    if (e->code == FHX_E_LIMIT)
        cli_err("%s: byte %zu: %s (more than %zu bytes)", name, e->offset,
                e->msg, max);
    else
        cli_err("%s: byte %zu: %s", name, e->offset,
                e->msg ? e->msg : fhx_strerror(e->code));
    return CLI_EX_DATAERR;
}

static const cli_opt gunzip_opts[] = {
    {"max-bytes", 0, 1}, {"help", 'h', 0}, {"version", 'V', 0}};

int cli_cmd_gunzip(int argc, char **argv) {
    cli_args a;
    const char *val;
    char *in = NULL;
    size_t len = 0, max = CLI_GUNZIP_MAX;
    fhx_buf out;
    fhx_error e;
    int k, st;
    cli_args_init(&a, argc, argv, "gunzip");
    while ((k = cli_args_next(&a, gunzip_opts,
                              sizeof gunzip_opts / sizeof gunzip_opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND)
            return cli_usage_error("gunzip", "reads standard input only");
        if (k == 1) return cli_puts_stdout(gunzip_usage);
        if (k == 2) return cli_print_version();
        if (!cli_parse_size(val, &max))
            return cli_usage_error(
                "gunzip", "--max-bytes needs a positive integer, not '%s'",
                val);
    }
    st = cli_read_input(NULL, &in, &len);
    if (st != CLI_EX_OK) return st;
    fhx_buf_init(&out, NULL);
    st = fhx_gunzip_append(NULL, &out, in, len, max, &e);
    if (st == FHX_OK)
        st = cli_write_stdout(out.ptr, out.len);
    else if (st == FHX_E_ARG)
        st = cli_fail_status("gunzip", st);
    else
        st = cli_gunzip_report("<stdin>", &e, max);
    fhx_buf_free(&out);
    free(in);
    return st;
}
