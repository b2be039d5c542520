/*
 * libfirehose-xform fuzzing: the plain replay driver (no libFuzzer).
 *
 *   replay [--only NAME] [--own] [PATH...]
 *
 * Runs every input file through every harness of fuzz/harnesses.h (a
 * corpus file of one harness is a fine odd input for the others). A PATH is
 * a file or a directory; a directory is read recursively, in name order.
 * Without PATH, the corpora under $FHX_FUZZ_CORPUS (default: the source
 * tree's fuzz/corpus) are used, plus a few generated inputs (empty, every
 * single byte). --only runs one harness; --own (or FHX_TEST_LIGHT=1 in the
 * environment, as under valgrind) runs each harness on its own corpus
 * directory only.
 *
 * A harness that finds a broken invariant aborts; the driver then names
 * the harness and the input on stderr before the process dies, so
 * `make check` fails with the file to look at.
 */
#define _DEFAULT_SOURCE /* DT_DIR, sigaction */

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "harnesses.h"

#ifndef FHXF_CORPUS_DIR
#define FHXF_CORPUS_DIR "fuzz/corpus"
#endif

typedef struct harness {
    const char *name;
    int (*fn)(const uint8_t *, size_t);
    size_t runs;
} harness;

#define FHXF_ROW(name) {#name, fhxf_##name, 0},
static harness harnesses[] = {FHXF_HARNESSES(FHXF_ROW)};
#undef FHXF_ROW
#define N_HARNESSES (sizeof harnesses / sizeof harnesses[0])

/* What is running, for the crash message. */
static const char *current_harness = "-";
static char current_input[4096] = "-";

static void on_crash(int sig) {
    static const char a[] = "replay: crashed in harness ";
    static const char b[] = " on input ";
    ssize_t r = 0;
    r += write(2, a, sizeof a - 1);
    r += write(2, current_harness, strlen(current_harness));
    r += write(2, b, sizeof b - 1);
    r += write(2, current_input, strlen(current_input));
    r += write(2, "\n", 1);
    (void)r;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void) {
    static const int sigs[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    size_t i;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_crash;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static void run_one(harness *h, const char *label, const uint8_t *data,
                    size_t len) {
    uint8_t *copy = malloc(len ? len : 1); /* exact size, like libFuzzer */
    if (!copy) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    if (len) memcpy(copy, data, len);
    current_harness = h->name;
    snprintf(current_input, sizeof current_input, "%s", label);
    h->fn(copy, len);
    h->runs++;
    free(copy);
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            uint8_t *p = realloc(buf, cap ? cap * 2 : 8192);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
            cap = cap ? cap * 2 : 8192;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int only = -1; /* index into harnesses, or -1: all */
static int own = 0;

static void run_file(const char *path, const char *own_name) {
    size_t len = 0, i;
    uint8_t *data = read_all(path, &len);
    if (!data) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        exit(2);
    }
    for (i = 0; i < N_HARNESSES; i++) {
        if (only >= 0 && (size_t)only != i) continue;
        if (own && own_name && strcmp(own_name, harnesses[i].name) != 0)
            continue;
        run_one(&harnesses[i], path, data, len);
    }
    free(data);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A file, or a directory read recursively in name order. own_name: the
 * harness whose corpus this is (the first directory level), or NULL. */
static void run_path(const char *path, const char *own_name, int depth) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat %s\n", path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path, own_name);
        return;
    }
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        exit(2);
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **p = realloc(names, (cap ? cap * 2 : 64) * sizeof *names);
            if (!p) exit(2);
            names = p;
            cap = cap ? cap * 2 : 64;
        }
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (!names[n]) exit(2);
        sprintf(names[n], "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        const char *base = strrchr(names[i], '/') + 1;
        run_path(names[i], depth == 0 ? base : own_name, depth + 1);
        free(names[i]);
    }
    free(names);
}

static void run_generated(void) {
    uint8_t b[1];
    size_t i, k;
    for (i = 0; i < N_HARNESSES; i++) {
        if (only >= 0 && (size_t)only != i) continue;
        run_one(&harnesses[i], "(empty)", b, 0);
        for (k = 0; k < 256; k++) {
            b[0] = (uint8_t)k;
            run_one(&harnesses[i], "(one byte)", b, 1);
        }
    }
}

int main(int argc, char **argv) {
    int i, paths = 0;
    const char *light = getenv("FHX_TEST_LIGHT");
    size_t k;

    install_handlers();
    own = light && *light && strcmp(light, "0") != 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            const char *name = argv[++i];
            for (k = 0; k < N_HARNESSES; k++)
                if (strcmp(harnesses[k].name, name) == 0) only = (int)k;
            if (only < 0) {
                fprintf(stderr, "replay: no harness %s\n", name);
                return 64;
            }
        } else if (strcmp(argv[i], "--own") == 0) {
            own = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: replay [--only NAME] [--own] [PATH...]\n");
            return 64;
        } else {
            paths = 1;
        }
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] != '-') run_path(argv[i], NULL, 1);
    }
    if (!paths) {
        const char *dir = getenv("FHX_FUZZ_CORPUS");
        run_path(dir && *dir ? dir : FHXF_CORPUS_DIR, NULL, 0);
        run_generated();
    }
    for (k = 0; k < N_HARNESSES; k++)
        if (only < 0 || (size_t)only == k)
            printf("%s: %zu inputs ok\n", harnesses[k].name, harnesses[k].runs);
    return 0;
}
