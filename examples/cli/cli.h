/*
 * fhx: command-line front-end of libfirehose-xform.
 *
 * Shared declarations of the commands (cmd_*.c) and their helpers
 * (util.c). The CLI uses only the public API of the library.
 *
 * Output discipline: a command builds all of its stdout in memory and
 * writes it only once it knows it has succeeded, so an invalid input
 * leaves stdout empty.
 */
#ifndef FHX_CLI_H
#define FHX_CLI_H

#include <stddef.h>

#include "firehose-xform.h"

/* ==== Exit statuses (the values of BSD sysexits) ====================== */

enum cli_exit {
    CLI_EX_OK = 0,         /* success */
    CLI_EX_FAIL = 1,       /* fhx check: the response has problems */
    CLI_EX_USAGE = 64,     /* bad command line */
    CLI_EX_DATAERR = 65,   /* invalid input data */
    CLI_EX_NOINPUT = 66,   /* an input file cannot be opened or read */
    CLI_EX_SOFTWARE = 70,  /* internal error (library misuse) */
    CLI_EX_OSERR = 71,     /* out of memory */
    CLI_EX_IOERR = 74      /* writing stdout failed */
};

/* ==== Commands ========================================================= */

/* Each gets argv[0] = the command name. Returns an exit status. */
int cli_cmd_transform(int argc, char **argv);
int cli_cmd_decode(int argc, char **argv);
int cli_cmd_event(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_gzip(int argc, char **argv);
int cli_cmd_gunzip(int argc, char **argv);
int cli_cmd_replay(int argc, char **argv);

/* ==== Messages ========================================================= */

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* "fhx: " + message + "\n" on stderr. */
void cli_err(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Usage error: "fhx: CMD: message", a hint line; returns CLI_EX_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/*
 * Print a located error on stderr:
 *   fhx: NAME:LINE:COL: byte OFFSET (record R): message
 * text/len is the input the offset refers to (for LINE:COL); the record
 * part only when e->record is a record. Returns CLI_EX_DATAERR.
 */
int cli_report_error(const char *name, const char *text, size_t len,
                     const fhx_error *e);

/*
 * The location part "NAME:LINE:COL: byte OFFSET" plus an optional
 * " (record R[, recordId X])" into buf (always NUL-terminated).
 * id may be NULL.
 */
void cli_format_where(char *buf, size_t cap, const char *name,
                      const char *text, size_t len, size_t offset,
                      size_t record, const fhx_slice *id);

/*
 * Copy at most max bytes of s into buf as printable text (control bytes
 * become '?', a cut is marked with "..."); always NUL-terminated.
 */
void cli_printable(char *buf, size_t cap, const char *s, size_t len,
                   size_t max);

/* Report a library status that is not about the input (out of memory,
 * misuse) and return the matching exit status. */
int cli_fail_status(const char *what, int status);

/* ==== Input and output ================================================= */

/* The name to use in messages for a path ("-" or NULL: "<stdin>"). */
const char *cli_input_name(const char *path);

/*
 * Read a whole file, or stdin for NULL or "-", into a malloc'ed buffer
 * (one NUL byte follows, outside *len). Prints the error itself.
 * Returns CLI_EX_OK, CLI_EX_NOINPUT or CLI_EX_OSERR.
 */
int cli_read_input(const char *path, char **buf, size_t *len);

/* Write all of buf to stdout. Prints the error itself.
 * Returns CLI_EX_OK or CLI_EX_IOERR. */
int cli_write_stdout(const void *buf, size_t len);

/* Write a NUL-terminated string to stdout (as cli_write_stdout). */
int cli_puts_stdout(const char *s);

/* Append to an fhx_buf; returns CLI_EX_OK or CLI_EX_OSERR (printed). */
int cli_buf_append(fhx_buf *b, const void *p, size_t len);
int cli_buf_append_str(fhx_buf *b, const char *s);

/* ==== Command line ===================================================== */

/* An option a command accepts. */
typedef struct cli_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0: none */
    int takes_arg;    /* 1: needs a value ("--name V" or "--name=V") */
} cli_opt;

/* Iterator over argv[1..argc-1]. */
typedef struct cli_args {
    int argc;
    char **argv;
    int i;             /* next argv index */
    int only_operands; /* after "--" */
    const char *cmd;   /* command name, for messages */
} cli_args;

enum {
    CLI_ARG_END = -1,     /* no more arguments */
    CLI_ARG_OPERAND = -2, /* *val is an operand (a file name or "-") */
    CLI_ARG_ERROR = -3    /* usage error, already printed */
};

void cli_args_init(cli_args *a, int argc, char **argv, const char *cmd);

/*
 * Next argument: the index of the matched option in opts (its value in
 * *val when it takes one), CLI_ARG_OPERAND, CLI_ARG_END or CLI_ARG_ERROR.
 */
int cli_args_next(cli_args *a, const cli_opt *opts, size_t n_opts,
                  const char **val);

/*
 * Parse a positive decimal integer (no sign, no spaces, no leading junk)
 * that fits in size_t. Returns 1 on success, 0 otherwise.
 */
int cli_parse_size(const char *s, size_t *out);

/* ==== Building Direct PUT events (events.c) =========================== */

/* Records become events of at most max bytes (newline excluded), one
 * compact event per output line; recordIds are 56-digit decimal strings,
 * the arrival time is now (or SOURCE_DATE_EPOCH * 1000). */
typedef struct cli_events {
    fhx_buf out;            /* the events written so far */
    size_t max;             /* bytes per event, newline excluded */
    int64_t ts_ms;          /* approximateArrivalTimestamp */
    char ts_text[24];
    size_t ts_len;
    size_t event_start;     /* out.len where the open event starts */
    size_t in_event;        /* records in the open event (0: none open) */
    size_t events;          /* events started */
    unsigned long long ids; /* records written */
} cli_events;

/* Returns CLI_EX_OK or a usage error (bad SOURCE_DATE_EPOCH) for cmd. */
int cli_events_init(cli_events *w, size_t max, const char *cmd);

/* Add a record: data is n raw bytes, or (is_b64) n characters of strict
 * base64 copied as they are. It goes into the open event when it fits,
 * else into a new one. Returns CLI_EX_DATAERR (not printed) when it fits
 * in no event. */
int cli_events_add(cli_events *w, const char *data, size_t n, int is_b64);

/* Close the open event (if any) with its newline. */
int cli_events_close(cli_events *w);

void cli_events_free(cli_events *w);

/* ==== gzip input (cmd_gzip.c) ========================================== */

/* Default maximum decompressed size of a gzip input: 1 GiB. */
#define CLI_GUNZIP_MAX ((size_t)1 << 30)

/* Print a gunzip error of input NAME ("NAME: byte N: message") and return
 * CLI_EX_DATAERR (CLI_EX_OSERR for out of memory). */
int cli_gunzip_report(const char *name, const fhx_error *e, size_t max);

/* "fhx (libfirehose-xform) VERSION\n" on stdout; returns an exit status. */
int cli_print_version(void);

#endif /* FHX_CLI_H */
