/* test_buf.c - core/buf.c: growth, ceiling, NUL termination, detach, str helpers */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "smtpdx/buf.h"

static void test_grow_and_ceiling(void **state)
{
    struct sdx_buf b;
    int i;

    (void)state;
    sdx_buf_init(&b, 10);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(sdx_buf_adds(&b, "hello"), 0);
    assert_int_equal(sdx_buf_addf(&b, "%d", 12), 0);
    assert_string_equal(b.data, "hello12");
    /* over the ceiling: what fits is kept, SDX_ETOOBIG returned */
    assert_int_equal(sdx_buf_adds(&b, "world"), SDX_ETOOBIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "hello12wor");
    assert_int_equal(sdx_buf_addc(&b, 'x'), SDX_ETOOBIG);
    sdx_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    sdx_buf_release(&b);

    sdx_buf_init(&b, 1 << 20);
    for (i = 0; i < 10000; i++)
        assert_int_equal(sdx_buf_add(&b, "abcdefgh", 8), 0);
    assert_int_equal(b.len, 80000);
    assert_int_equal(b.data[80000], '\0');
    /* a long formatted string takes the slow path */
    sdx_buf_reset(&b);
    assert_int_equal(sdx_buf_addf(&b, "%0500d", 7), 0);
    assert_int_equal(b.len, 500);
    {
        size_t n;
        char *p = sdx_buf_detach(&b, &n);

        assert_int_equal(n, 500);
        assert_int_equal(p[499], '7');
        free(p);
    }
    assert_int_equal(b.len, 0);
    sdx_buf_release(&b);
}

static void test_str(void **state)
{
    struct sdx_str s = sdx_str_from("  Hello World \r\n");

    (void)state;
    s = sdx_str_trim(s);
    assert_int_equal(s.len, 11);
    assert_true(sdx_str_ieq(s, "hello world"));
    assert_false(sdx_str_eq(s, "hello world"));
    assert_true(sdx_str_eq(s, "Hello World"));
    assert_ptr_equal(sdx_str_ifind(s, "WORLD", 5), s.p + 6);
    assert_null(sdx_str_ifind(s, "planet", 6));
    assert_null(sdx_str_ifind(sdx_str_from("ab"), "abc", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_and_ceiling),
        cmocka_unit_test(test_str),
    };
    return cmocka_run_group_tests_name("unit.buf", tests, NULL, NULL);
}
