/* test_norm.c - core/norm.c: the word-at-a-time normaliser against a plain
 * byte-by-byte reference on random and crafted inputs; ordered search */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/norm.h"

/* ref - the definition: lower-case ASCII, white space runs to one space, trimmed */
static size_t ref(char *dst, const char *src, size_t n)
{
    size_t i, o = 0;
    int sp = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == 0) {
            sp = 1;
            continue;
        }
        if (sp && o)
            dst[o++] = ' ';
        sp = 0;
        dst[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    dst[o] = '\0';
    return o;
}

static void test_against_reference(void **state)
{
    static const char alphabet[] = "aZ Q\t\n  \r.9@\x80\xff\0-_";
    char in[300], want[301], got[301];
    unsigned seed = 12345;
    int round;

    (void)state;
    for (round = 0; round < 200000; round++) {
        size_t n, i, wl, gl;

        seed = seed * 1103515245u + 12345u;
        n = (seed >> 8) % sizeof(in);
        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        wl = ref(want, in, n);
        gl = sdx__norm(got, sizeof(got), in, n);
        if (wl != gl || memcmp(want, got, wl + 1) != 0)
            fail_msg("round %d: normal forms differ (length %zu vs %zu)", round, gl, wl);
    }
}

static void test_bounds_and_seq(void **state)
{
    char out[8];
    static const char *const frags[] = { "user", "unknown" };

    (void)state;
    assert_int_equal(sdx__norm(out, sizeof(out), "ABCDEFGHIJKL", 12), 7);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(sdx__norm(out, 0, "x", 1), 0);
    assert_int_equal(sdx__norm(out, sizeof(out), "   ", 3), 0);
    assert_true(sdx__find_seq("user is unknown", 15, frags, NULL, 2) == 11);
    assert_true(sdx__find_seq("unknown user", 12, frags, NULL, 2) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_bounds_and_seq),
    };
    return cmocka_run_group_tests_name("unit.norm", tests, NULL, NULL);
}
