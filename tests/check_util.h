/* libfirehose-xform tests: helpers shared by every Check suite. */
#ifndef FHX_CHECK_UTIL_H
#define FHX_CHECK_UTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "firehose-xform.h"

/* Add a test to a TCase named after it. */
#define ADD_TEST(tc, fn) tcase_add_test((tc), fn)

/* Run one suite with an SRunner; returns the process exit status. */
int fhxt_run_suite(Suite *s);

/* Read a whole file; NULL when it cannot be read. free() the result.
 * The buffer is exactly *len bytes long (no terminator inside the
 * allocation is relied on by callers; one NUL byte follows for
 * convenience, outside *len). */
char *fhxt_read_file(const char *path, size_t *len);

/* Path of tests/data/NAME (FHX_TEST_DATA), in a static buffer. */
const char *fhxt_data_path(const char *name);

/* Directory of the peer fixtures (FHX_SHARED_DIR/fixtures/peers), or NULL
 * when it does not exist. */
const char *fhxt_peers_dir(void);

/* An exact-size heap copy of len bytes (so ASan and valgrind catch a read
 * past the end). free() it. */
char *fhxt_dup(const void *src, size_t len);

/* Counting allocator: counts calls and live bytes, and fails the call
 * numbered fail_at (1-based; 0 never fails). */
typedef struct fhxt_counter {
    size_t allocs;    /* alloc calls that succeeded */
    size_t reallocs;  /* realloc calls that succeeded */
    size_t frees;     /* free calls */
    size_t calls;     /* alloc + realloc calls, failed ones included */
    size_t live;      /* bytes currently allocated */
    size_t fail_at;   /* 0, or the call number that fails */
} fhxt_counter;

/* An allocator over the C library that updates c. */
fhx_allocator fhxt_counting_allocator(fhxt_counter *c);

#endif /* FHX_CHECK_UTIL_H */
