/* Suite "regress": the bugs fuzzing and the failing-allocator walk found,
 * one test each, named after what was wrong (fuzz/README.md lists them). */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* Decode ev whole (chunk 0) or in pieces; the offset after FHX_END. */
static size_t offset_after_end(const char *ev, size_t chunk) {
    fhx_event_decoder *dec;
    fhx_record rec;
    size_t len = strlen(ev), pos = 0, off;
    int st;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    if (chunk == 0)
        ck_assert_int_eq(fhx_event_begin(dec, ev, len), FHX_OK);
    else
        ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
    for (;;) {
        st = fhx_event_next(dec, &rec);
        if (st == FHX_OK) continue;
        if (st != FHX_NEED_INPUT) break;
        if (pos == len) {
            ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
        } else {
            size_t k = len - pos < chunk ? len - pos : chunk;
            ck_assert_int_eq(fhx_event_feed(dec, ev + pos, k), FHX_OK);
            pos += k;
        }
    }
    ck_assert_int_eq(st, FHX_END);
    off = fhx_event_offset(dec);
    fhx_event_decoder_free(dec);
    return off;
}

/* fuzz_event: after FHX_END, fhx_event_offset left out the trailing
 * whitespace of a whole buffer (but not of some chunked splits), so the
 * "bytes consumed" answer depended on the split. */
START_TEST(test_offset_after_end_counts_trailing_space) {
    static const char *const evs[] = {
        "{\"records\":[]}\n",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QUJD\"}]} \t\r\n  ",
        "{\"records\":[]}",
    };
    size_t i, chunk;
    for (i = 0; i < sizeof evs / sizeof evs[0]; i++)
        for (chunk = 0; chunk < 8; chunk++)
            ck_assert_uint_eq(offset_after_end(evs[i], chunk), strlen(evs[i]));
}
END_TEST

static Suite *regress_suite(void) {
    Suite *s = suite_create("regress");
    TCase *tc = tcase_create("core");
    ADD_TEST(tc, test_offset_after_end_counts_trailing_space);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(regress_suite()); }
