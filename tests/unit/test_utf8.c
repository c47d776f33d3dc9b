/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/base/utf8.c: the RFC 3629 edge cases, and agreement with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "glue2dlf/utf8.h"

#define OK(lit) assert_true(g2d_utf8_valid(lit, sizeof(lit) - 1))
#define BAD(lit) assert_false(g2d_utf8_valid(lit, sizeof(lit) - 1))

static void test_valid(void **state)
{
    (void)state;
    OK("");
    OK("plain ascii");
    OK("\x7f");
    OK("\xc2\x80");                         /* U+0080, smallest two-byte */
    OK("\xdf\xbf");                         /* U+07FF */
    OK("\xe0\xa0\x80");                     /* U+0800, smallest three-byte */
    OK("\xed\x9f\xbf");                     /* U+D7FF, just below the surrogates */
    OK("\xee\x80\x80");                     /* U+E000, just above them */
    OK("\xef\xbf\xbf");                     /* U+FFFF */
    OK("\xf0\x90\x80\x80");                 /* U+10000, smallest four-byte */
    OK("\xf4\x8f\xbf\xbf");                 /* U+10FFFF, the largest */
    OK("a\xc3\xa9z\xe2\x82\xac");           /* mixed */
    assert_true(g2d_utf8_valid("a\0b", 3)); /* NUL is a character */
    assert_true(g2d_utf8_valid_str("\xe2\x82\xac"));
}

static void test_overlong(void **state)
{
    (void)state;
    BAD("\xc0\x80"); /* NUL, overlong */
    BAD("\xc1\xbf");
    BAD("\xe0\x80\x80");
    BAD("\xe0\x9f\xbf"); /* U+07FF in three bytes */
    BAD("\xf0\x80\x80\x80");
    BAD("\xf0\x8f\xbf\xbf"); /* U+FFFF in four bytes */
}

static void test_surrogates_and_range(void **state)
{
    (void)state;
    BAD("\xed\xa0\x80");             /* U+D800 */
    BAD("\xed\xbf\xbf");             /* U+DFFF */
    BAD("\xed\xa0\x80\xed\xb0\x80"); /* a CESU-8 pair */
    BAD("\xf4\x90\x80\x80");         /* U+110000 */
    BAD("\xf5\x80\x80\x80");
    BAD("\xf8\x88\x80\x80\x80"); /* five-byte form */
    BAD("\xfe");
    BAD("\xff");
}

static void test_truncated_and_stray(void **state)
{
    (void)state;
    BAD("\x80"); /* stray continuation */
    BAD("a\xbf");
    BAD("\xc3");         /* truncated two-byte */
    BAD("\xe2\x82");     /* truncated three-byte */
    BAD("\xf0\x9f\x98"); /* truncated four-byte */
    BAD("\xc3(");        /* bad continuation */
    BAD("\xe2\x28\xa1");
    BAD("\xf0\x9f\x98\x28");
    /* A sequence cut by the length, though the byte after it would complete it. */
    assert_false(g2d_utf8_valid("\xc3\xa9", 1));
    assert_false(g2d_utf8_valid_str("ok\xe2\x82"));
}

static void test_seq(void **state)
{
    const unsigned char s[] = "\xf0\x9f\x98\x80\xc3\xa9";

    (void)state;
    assert_int_equal(g2d_utf8_seq(s, s + 6), 4);
    assert_int_equal(g2d_utf8_seq(s + 4, s + 6), 2);
    assert_int_equal(g2d_utf8_seq(s, s + 3), 0);
    assert_int_equal(g2d_utf8_seq(s + 1, s + 6), 0);
}

/* Every two- and three-byte pattern: the validator agrees with json_stringn(). */
static void test_agrees_with_jansson(void **state)
{
    unsigned a, b, c;

    (void)state;
    for (a = 0x80; a < 0x100; a++) {
        for (b = 0; b < 0x100; b++) {
            char s[3] = {(char)a, (char)b, 0};
            json_t *j = json_stringn(s, 2);

            assert_int_equal(g2d_utf8_valid(s, 2), j != NULL);
            json_decref(j);
            for (c = 0x7e; a >= 0xe0 && c < 0xc2; c += 0x11) {
                char t[3] = {(char)a, (char)b, (char)c};

                j = json_stringn(t, 3);
                assert_int_equal(g2d_utf8_valid(t, 3), j != NULL);
                json_decref(j);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates_and_range),
        cmocka_unit_test(test_truncated_and_stray),
        cmocka_unit_test(test_seq),
        cmocka_unit_test(test_agrees_with_jansson),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
