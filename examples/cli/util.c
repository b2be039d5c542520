/* fhx: input, output, messages and command-line parsing helpers. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ==== Messages ========================================================= */

void cli_err(const char *fmt, ...) {
    va_list ap;
    fputs("fhx: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fputs("fhx: ", stderr);
    if (cmd) fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cmd)
        fprintf(stderr, "Try 'fhx %s --help' for more information.\n", cmd);
    else
        fputs("Try 'fhx --help' for more information.\n", stderr);
    return CLI_EX_USAGE;
}

void cli_printable(char *buf, size_t cap, const char *s, size_t len,
                   size_t max) {
    size_t i, n = 0;
    int cut = len > max;
    if (cap == 0) return;
    if (cut) len = max;
    for (i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (cut) {
        const char *dots = "...";
        while (*dots && n + 1 < cap) buf[n++] = *dots++;
    }
    buf[n] = '\0';
}

void cli_format_where(char *buf, size_t cap, const char *name,
                      const char *text, size_t len, size_t offset,
                      size_t record, const fhx_slice *id) {
    size_t line = 0, col = 0;
    char idtext[128];
    int n;
    if (cap == 0) return;
    if (fhx_locate(text, len, offset, &line, &col) != FHX_OK) {
        line = 0;
        col = 0;
    }
    n = snprintf(buf, cap, "%s:%zu:%zu: byte %zu", name, line, col, offset);
    if (n < 0 || (size_t)n >= cap || record == FHX_NO_RECORD) return;
    if (id && id->ptr) {
        cli_printable(idtext, sizeof idtext, id->ptr, id->len, 80);
        snprintf(buf + n, cap - (size_t)n, " (record %zu, recordId %s)",
                 record, idtext);
    } else {
        snprintf(buf + n, cap - (size_t)n, " (record %zu)", record);
    }
}

int cli_report_error(const char *name, const char *text, size_t len,
                     const fhx_error *e) {
    char where[512];
    cli_format_where(where, sizeof where, name, text, len, e->offset,
                     e->record, NULL);
    cli_err("%s: %s", where,
            e->msg ? e->msg : fhx_strerror(e->code));
    return CLI_EX_DATAERR;
}

int cli_fail_status(const char *what, int status) {
    if (status == FHX_E_NOMEM) {
        cli_err("%s: out of memory", what);
        return CLI_EX_OSERR;
    }
    cli_err("%s: %s (%s)", what, fhx_strerror(status),
            fhx_status_name(status));
    return CLI_EX_SOFTWARE;
}

/* ==== Input ============================================================ */

const char *cli_input_name(const char *path) {
    return (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

/* Grow *buf so that at least one more byte fits after *len; a regular
 * file's size (hint) is allocated at once, plus room to see its end. */
static int grow(char **buf, size_t *cap, size_t len, size_t hint) {
    size_t ncap;
    char *p;
    if (len + 1 < *cap) return 1;
    if (*cap > SIZE_MAX / 2) return 0;
    ncap = *cap ? *cap * 2 : 65536;
    if (*cap == 0 && hint > 0 && hint < SIZE_MAX - 2) ncap = hint + 2;
    p = realloc(*buf, ncap);
    if (!p) return 0;
    *buf = p;
    *cap = ncap;
    return 1;
}

/* Read fd to its end. Returns 0, or an errno value (ENOMEM included). */
static int read_fd(int fd, char **out, size_t *out_len) {
    char *buf = NULL;
    size_t len = 0, cap = 0, hint = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size < SIZE_MAX / 2)
        hint = (size_t)st.st_size;
    for (;;) {
        ssize_t got;
        if (!grow(&buf, &cap, len, hint)) {
            free(buf);
            return ENOMEM;
        }
        got = read(fd, buf + len, cap - len - 1);
        if (got < 0) {
            int e = errno;
            if (e == EINTR) continue;
            free(buf);
            return e;
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

int cli_read_input(const char *path, char **buf, size_t *len) {
    const char *name = cli_input_name(path);
    int fd = 0, e;
    *buf = NULL;
    *len = 0;
    if (path && strcmp(path, "-") != 0) {
        do {
            fd = open(path, O_RDONLY);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            cli_err("%s: %s", name, strerror(errno));
            return CLI_EX_NOINPUT;
        }
    }
    e = read_fd(fd, buf, len);
    if (fd != 0 && close(fd) != 0 && e == 0) e = errno;
    if (e == ENOMEM) {
        free(*buf);
        *buf = NULL;
        cli_err("%s: out of memory", name);
        return CLI_EX_OSERR;
    }
    if (e != 0) {
        free(*buf);
        *buf = NULL;
        cli_err("%s: %s", name, strerror(e));
        return CLI_EX_NOINPUT;
    }
    return CLI_EX_OK;
}

/* ==== Output =========================================================== */

int cli_write_stdout(const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t put = write(STDOUT_FILENO, p, len);
        if (put < 0) {
            if (errno == EINTR) continue;
            cli_err("writing to stdout: %s", strerror(errno));
            return CLI_EX_IOERR;
        }
        p += put;
        len -= (size_t)put;
    }
    return CLI_EX_OK;
}

int cli_puts_stdout(const char *s) { return cli_write_stdout(s, strlen(s)); }

int cli_buf_append(fhx_buf *b, const void *p, size_t len) {
    int st = fhx_buf_append(b, p, len);
    if (st == FHX_OK) return CLI_EX_OK;
    return cli_fail_status("output", st == FHX_E_LIMIT ? FHX_E_NOMEM : st);
}

int cli_buf_append_str(fhx_buf *b, const char *s) {
    return cli_buf_append(b, s, strlen(s));
}

int cli_print_version(void) {
    char line[128];
    snprintf(line, sizeof line, "fhx (libfirehose-xform) %s\n",
             fhx_version());
    return cli_puts_stdout(line);
}

/* ==== Command line ===================================================== */

void cli_args_init(cli_args *a, int argc, char **argv, const char *cmd) {
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->only_operands = 0;
    a->cmd = cmd;
}

/* Match "--name" or "--name=value" (arg without the leading "--"). */
static int match_long(const cli_opt *opts, size_t n, const char *arg,
                      const char **inline_val) {
    size_t i;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (i = 0; i < n; i++) {
        if (strlen(opts[i].name) == len &&
            strncmp(opts[i].name, arg, len) == 0) {
            *inline_val = eq ? eq + 1 : NULL;
            return (int)i;
        }
    }
    return -1;
}

static int match_short(const cli_opt *opts, size_t n, char c) {
    size_t i;
    for (i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c) return (int)i;
    return -1;
}

/* The value of option k: inline, or the next argument. */
static int take_value(cli_args *a, const cli_opt *o, const char *inline_val,
                      const char *spelled, const char **val) {
    if (!o->takes_arg) {
        if (inline_val) {
            cli_usage_error(a->cmd, "option '%s' takes no value", spelled);
            return 0;
        }
        *val = NULL;
        return 1;
    }
    if (inline_val) {
        *val = inline_val;
        return 1;
    }
    if (a->i >= a->argc) {
        cli_usage_error(a->cmd, "option '%s' needs a value", spelled);
        return 0;
    }
    *val = a->argv[a->i++];
    return 1;
}

int cli_args_next(cli_args *a, const cli_opt *opts, size_t n_opts,
                  const char **val) {
    const char *arg, *inline_val = NULL;
    int k;
    *val = NULL;
    if (a->i >= a->argc) return CLI_ARG_END;
    arg = a->argv[a->i++];
    if (a->only_operands || arg[0] != '-' || arg[1] == '\0') {
        *val = arg;
        return CLI_ARG_OPERAND;
    }
    if (strcmp(arg, "--") == 0) {
        a->only_operands = 1;
        return cli_args_next(a, opts, n_opts, val);
    }
    if (arg[1] == '-') {
        k = match_long(opts, n_opts, arg + 2, &inline_val);
    } else {
        k = arg[2] == '\0' ? match_short(opts, n_opts, arg[1]) : -1;
    }
    if (k < 0) {
        cli_usage_error(a->cmd, "unknown option '%s'", arg);
        return CLI_ARG_ERROR;
    }
    if (!take_value(a, &opts[k], inline_val, arg, val)) return CLI_ARG_ERROR;
    return k;
}

int cli_parse_size(const char *s, size_t *out) {
    size_t v = 0;
    if (!s || *s == '\0') return 0;
    for (; *s; s++) {
        size_t d;
        if (*s < '0' || *s > '9') return 0;
        d = (size_t)(*s - '0');
        if (v > (SIZE_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (v == 0) return 0;
    *out = v;
    return 1;
}
