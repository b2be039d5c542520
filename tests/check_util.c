/* libfirehose-xform tests: helpers shared by every Check suite. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fhxt_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *fhxt_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, ncap + 1);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

const char *fhxt_data_path(const char *name) {
    static char path[4096];
    const char *dir = getenv("FHX_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return path;
}

const char *fhxt_peers_dir(void) {
    static char path[4096];
    struct stat st;
    const char *dir = getenv("FHX_SHARED_DIR");
    snprintf(path, sizeof path, "%s/fixtures/peers", dir ? dir : "../shared");
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return path;
}

char *fhxt_dup(const void *src, size_t len) {
    char *p = malloc(len ? len : 1);
    if (p && len) memcpy(p, src, len);
    return p;
}

static void *count_alloc(void *ctx, size_t size) {
    fhxt_counter *c = ctx;
    void *p;
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at) return NULL;
    p = malloc(size);
    if (p) {
        c->allocs++;
        c->live += size;
    }
    return p;
}

static void *count_realloc(void *ctx, void *ptr, size_t old_size,
                           size_t new_size) {
    fhxt_counter *c = ctx;
    void *p;
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at) return NULL;
    p = realloc(ptr, new_size);
    if (p) {
        c->reallocs++;
        c->live += new_size;
        c->live -= old_size;
    }
    return p;
}

static void count_free(void *ctx, void *ptr, size_t size) {
    fhxt_counter *c = ctx;
    c->frees++;
    c->live -= size;
    free(ptr);
}

fhx_allocator fhxt_counting_allocator(fhxt_counter *c) {
    fhx_allocator a;
    a.alloc = count_alloc;
    a.realloc = count_realloc;
    a.free = count_free;
    a.ctx = c;
    return a;
}
