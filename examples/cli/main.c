/* fhx: command dispatch, top-level --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"transform", cli_cmd_transform,
     "answer a Firehose transformation event (response JSON on stdout)"},
    {"decode", cli_cmd_decode,
     "write the decoded data of an event's records (or a response's)"},
    {"event", cli_cmd_event,
     "turn newline-delimited messages into Direct PUT events"},
    {"check", cli_cmd_check, "check that a response answers its event"},
    {"gzip", cli_cmd_gzip, "compress standard input to gzip"},
    {"gunzip", cli_cmd_gunzip, "decompress gzip from standard input"},
    {"replay", cli_cmd_replay,
     "turn Firehose processing-failed error objects back into events"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char usage_head[] =
    "usage: fhx COMMAND [OPTIONS] [ARGS]\n"
    "       fhx --help | --version\n"
    "\n"
    "Amazon Data Firehose transformation Lambda engine, on the command "
    "line.\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "Run 'fhx COMMAND --help' for the options of a command. A file name\n"
    "of '-' (or none) means standard input.\n"
    "\n"
    "Exit status: 0 success, 1 'check' found problems, 64 usage error,\n"
    "65 invalid input, 66 input not readable, 70 internal error,\n"
    "71 out of memory, 74 cannot write the output.\n";

static int print_usage(void) {
    int st = cli_puts_stdout(usage_head);
    size_t i;
    for (i = 0; st == CLI_EX_OK && i < N_COMMANDS; i++) {
        char line[160];
        snprintf(line, sizeof line, "  %-11s %s\n", commands[i].name,
                 commands[i].summary);
        st = cli_puts_stdout(line);
    }
    if (st == CLI_EX_OK) st = cli_puts_stdout(usage_tail);
    return st;
}

static const command *find_command(const char *name) {
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* "fhx help [COMMAND]". */
static int run_help(int argc, char **argv) {
    const command *c;
    char help[] = "--help";
    char *args[3];
    if (argc < 3) return print_usage();
    if (argc > 3) return cli_usage_error(NULL, "help: too many arguments");
    c = find_command(argv[2]);
    if (!c) return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
    args[0] = argv[2];
    args[1] = help;
    args[2] = NULL;
    return c->run(2, args);
}

int main(int argc, char **argv) {
    const char *arg;
    const command *c;
    if (argc < 2) return cli_usage_error(NULL, "no command given");
    arg = argv[1];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
        return argc == 2 ? print_usage()
                         : cli_usage_error(NULL, "too many arguments");
    if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0)
        return argc == 2 ? cli_print_version()
                         : cli_usage_error(NULL, "too many arguments");
    if (strcmp(arg, "help") == 0) return run_help(argc, argv);
    if (arg[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s'", arg);
    c = find_command(arg);
    if (!c) return cli_usage_error(NULL, "unknown command '%s'", arg);
    return c->run(argc - 1, argv + 1);
}
