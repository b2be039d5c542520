/* Suite "api": versions, status text, locate, buffers, allocators, ISA. */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

START_TEST(test_version) {
    ck_assert_str_eq(fhx_version(), FHX_VERSION_STRING);
    ck_assert_uint_eq(fhx_version_number(), (unsigned)FHX_VERSION_NUM);
    ck_assert(FHX_AT_LEAST_VERSION(0, 0, 1));
    ck_assert(!FHX_AT_LEAST_VERSION(FHX_VERSION_MAJOR + 1, 0, 0));
}
END_TEST

START_TEST(test_strerror_every_code) {
    int code;
    for (code = FHX_E_VERSION; code <= FHX_FULL; code++) {
        ck_assert_str_ne(fhx_strerror(code), "unknown status");
        ck_assert_str_ne(fhx_status_name(code), "FHX_UNKNOWN");
        ck_assert(strncmp(fhx_status_name(code), "FHX_", 4) == 0);
    }
    ck_assert_str_eq(fhx_strerror(-999), "unknown status");
    ck_assert_str_eq(fhx_status_name(999), "FHX_UNKNOWN");
    ck_assert_str_eq(fhx_status_name(FHX_E_JSON), "FHX_E_JSON");
    /* codes are ABI: a few anchors */
    ck_assert_int_eq(FHX_E_ARG, -1);
    ck_assert_int_eq(FHX_E_BASE64, -8);
    ck_assert_int_eq(FHX_E_VERSION, -18);
}
END_TEST

START_TEST(test_size_macros_literal) {
    /* literal arguments compile warning-free (-Wtype-limits, -Werror) */
    ck_assert_uint_eq(FHX_B64_ENCODED_LEN(0), 0);
    ck_assert_uint_eq(FHX_B64_ENCODED_LEN(1), 4);
    ck_assert_uint_eq(FHX_B64_DECODED_MAX(0), 0);
    ck_assert_uint_eq(FHX_B64_DECODED_MAX(4), 3);
}
END_TEST

START_TEST(test_locate) {
    const char *t = "ab\ncd\n\nx";
    size_t line, col;
    ck_assert_int_eq(fhx_locate(t, strlen(t), 0, &line, &col), FHX_OK);
    ck_assert_uint_eq(line, 1);
    ck_assert_uint_eq(col, 1);
    ck_assert_int_eq(fhx_locate(t, strlen(t), 4, &line, &col), FHX_OK);
    ck_assert_uint_eq(line, 2);
    ck_assert_uint_eq(col, 2);
    ck_assert_int_eq(fhx_locate(t, strlen(t), 7, &line, &col), FHX_OK);
    ck_assert_uint_eq(line, 4);
    ck_assert_uint_eq(col, 1);
    ck_assert_int_eq(fhx_locate(t, strlen(t), 1000, &line, &col), FHX_OK);
    ck_assert_uint_eq(line, 4);
    ck_assert_uint_eq(col, 2);
    ck_assert_int_eq(fhx_locate(NULL, 3, 0, &line, &col), FHX_E_ARG);
    ck_assert_int_eq(fhx_locate(t, 3, 0, NULL, &col), FHX_E_ARG);
}
END_TEST

START_TEST(test_buf) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_buf b;
    size_t i;
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    fhx_buf_init(&b, &alc);
    for (i = 0; i < 1000; i++)
        ck_assert_int_eq(fhx_buf_append(&b, "xyz", 3), FHX_OK);
    ck_assert_uint_eq(b.len, 3000);
    ck_assert_mem_eq(b.ptr + 2997, "xyz", 3);
    ck_assert_uint_lt(c.allocs + c.reallocs, 12); /* geometric growth */
    ck_assert_int_eq(fhx_buf_reserve(&b, SIZE_MAX), FHX_E_LIMIT);
    ck_assert_int_eq(fhx_buf_append(&b, NULL, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_buf_append(&b, NULL, 0), FHX_OK);
    fhx_buf_free(&b);
    ck_assert_uint_eq(c.live, 0);
    ck_assert_uint_eq(b.len, 0);
    fhx_buf_free(&b); /* twice is fine */
    c.fail_at = c.calls + 1;
    ck_assert_int_eq(fhx_buf_append(&b, "x", 1), FHX_E_NOMEM);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(fhx_buf_reserve(NULL, 1), FHX_E_ARG);
}
END_TEST

START_TEST(test_isa) {
    fhx_isa active = fhx_isa_active();
    ck_assert(fhx_isa_supported(FHX_ISA_SCALAR));
    ck_assert(fhx_isa_supported(active));
    ck_assert_str_eq(fhx_isa_name(FHX_ISA_SCALAR), "scalar");
    ck_assert_str_eq(fhx_isa_name((fhx_isa)99), "unknown");
    ck_assert_int_eq(fhx_isa_force(FHX_ISA_SCALAR), FHX_OK);
    ck_assert_int_eq(fhx_isa_active(), FHX_ISA_SCALAR);
    ck_assert_int_eq(fhx_isa_force((fhx_isa)99), FHX_E_ARG);
    ck_assert_int_eq(fhx_isa_active(), FHX_ISA_SCALAR);
}
END_TEST

static Suite *api_suite(void) {
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    ADD_TEST(tc, test_version);
    ADD_TEST(tc, test_strerror_every_code);
    ADD_TEST(tc, test_size_macros_literal);
    ADD_TEST(tc, test_locate);
    ADD_TEST(tc, test_buf);
    ADD_TEST(tc, test_isa);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(api_suite()); }
