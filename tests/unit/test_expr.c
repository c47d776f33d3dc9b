/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/expr.c: the Glue GetPartitions Expression parser and evaluator. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/expr.h"

#define NUL_PART "__HIVE_DEFAULT_PARTITION__"
#define MAX_KEYS 4

/*
 * One case: an expression, keys as "name:type;name:type", the partition's values as
 * "v1|v2", and the expected result: 1 match, 0 no match, or a negative error code whose
 * message must contain msg (when given).
 */
struct row {
    const char *expr;
    const char *keys;
    const char *vals;
    int want;
    const char *msg;
};

static const struct row rows[] = {
    /* Comparisons on a string key. */
    {"dt = '2024-01-01'", "dt:string", "2024-01-01", 1, NULL},
    {"dt <> '2024-01-01'", "dt:string", "2024-01-01", 0, NULL},
    {"dt != '2024-01-02'", "dt:string", "2024-01-01", 1, NULL},
    {"dt < '2024-01-02'", "dt:string", "2024-01-01", 1, NULL},
    {"dt <= '2024-01-01'", "dt:string", "2024-01-01", 1, NULL},
    {"dt > '2024-01-01'", "dt:string", "2024-01-01", 0, NULL},
    {"dt >= '2024-01-01'", "dt:string", "2024-01-01", 1, NULL},
    {"dt<'2024-01-01'", "dt:string", "2024-01-01", 0, NULL},
    {"'2024-01-02' > dt", "dt:string", "2024-01-01", 1, NULL},
    {"'2024-01-02' <= dt", "dt:string", "2024-01-01", 0, NULL},
    {"'2024-01-01' >= (dt)", "dt:string", "2024-01-01", 1, NULL},
    {"(dt) >= '2024'", "dt:string", "2024-01-01", 1, NULL},
    {"(dt) < '2024'", "dt:string", "2024-01-01", 0, NULL},
    {"DT = 'x'", "dt:string", "x", 1, NULL},
    {"dt = 'x'", "Dt:STRING", "x", 1, NULL},
    {"`dt` = 'x'", "dt:string", "x", 1, NULL},
    {"`in` = 'a'", "in:string", "a", 1, NULL},
    {"s = 'it''s'", "s:string", "it's", 1, NULL},
    {"s = ''''", "s:string", "'", 1, NULL},
    {"s = ''", "s:string", "", 1, NULL},
    {"s = 'B'", "s:string", "b", 0, NULL},
    {"s > 'Z'", "s:string", "a", 1, NULL},
    {"c = 'ab'", "c:varchar(10)", "ab", 1, NULL},
    {"c = 'ab'", "c:char(2)", "ab", 1, NULL},
    {"dt\r\n=\t'a'", "dt:string", "a", 1, NULL},
    /* The legacy numeric literal against a string key compares as text. */
    {"dt>=20220101", "dt:string", "20230505", 1, NULL},
    {"dt>=20220101", "dt:string", "20211231", 0, NULL},
    {"dt>=20220101", "dt:string", "9", 1, NULL},
    {"dt = 1.50", "dt:string", "1.5", 0, NULL},
    {"dt = -5", "dt:string", "-5", 1, NULL},
    /* Precedence: AND binds tighter than OR. */
    {"a = '1' OR b = '1' AND c = '1'", "a:string;b:string;c:string", "1|0|0", 1, NULL},
    {"(a = '1' OR b = '1') AND c = '1'", "a:string;b:string;c:string", "1|0|0", 0, NULL},
    {"a = '0' OR b = '1' AND c = '1'", "a:string;b:string;c:string", "0|1|1", 1, NULL},
    {"a = '0' AND b = '1' OR c = '1'", "a:string;b:string;c:string", "0|0|1", 1, NULL},
    {"a = '0' and b = '1' or c = '0'", "a:string;b:string;c:string", "0|0|1", 0, NULL},
    /* NOT and parentheses. */
    {"NOT a = '1'", "a:string", "1", 0, NULL},
    {"NOT NOT a = '1'", "a:string", "1", 1, NULL},
    {"not (a = '1' or a = '2')", "a:string", "3", 1, NULL},
    {"NOT (a = '1') AND a = '2'", "a:string", "2", 1, NULL},
    {"((((a = '1'))))", "a:string", "1", 1, NULL},
    {"(a = '1' AND (a = '2' OR (a = '1')))", "a:string", "1", 1, NULL},
    /* IN and NOT IN. */
    {"region IN ('eu','us')", "region:string", "eu", 1, NULL},
    {"region IN ('eu','us')", "region:string", "ap", 0, NULL},
    {"region NOT IN ('eu', 'us')", "region:string", "ap", 1, NULL},
    {"(region) NOT IN ('eu')", "region:string", "eu", 0, NULL},
    {"NOT (region) IN ('eu')", "region:string", "us", 1, NULL},
    {"n in (1, 2, 3)", "n:int", "02", 1, NULL},
    {"n IN (1, 2)", "n:int", "x", -ERANGE, "partition value 'x' of key 'n' cannot be cast to int"},
    {"n IN (1, 'b')", "n:int", "1", -EINVAL,
     "literal 'b' cannot be cast to int (key 'n') at offset 9"},
    /* BETWEEN, inclusive at both ends. */
    {"n BETWEEN 1 AND 5", "n:int", "1", 1, NULL},
    {"n BETWEEN 1 AND 5", "n:int", "5", 1, NULL},
    {"n BETWEEN 1 AND 5", "n:int", "6", 0, NULL},
    {"n BETWEEN 1 AND 5", "n:int", "0", 0, NULL},
    {"n NOT BETWEEN 1 AND 5", "n:int", "6", 1, NULL},
    {"n NOT BETWEEN 1 AND 5", "n:int", "3", 0, NULL},
    {"n BETWEEN 5 AND 1", "n:int", "3", 0, NULL},
    {"dt BETWEEN '2024-01-01' AND '2024-01-31' AND region = 'eu'", "dt:string;region:string",
     "2024-01-31|eu", 1, NULL},
    /* LIKE: whole-string match, % and _, backslash escapes. */
    {"s LIKE 'ab%'", "s:string", "abc", 1, NULL},
    {"s LIKE 'ab%'", "s:string", "xabc", 0, NULL},
    {"s LIKE 'a_c'", "s:string", "abc", 1, NULL},
    {"s LIKE 'a_c'", "s:string", "abbc", 0, NULL},
    {"s LIKE '%b'", "s:string", "ab", 1, NULL},
    {"s LIKE '%b'", "s:string", "abc", 0, NULL},
    {"s LIKE '%a%b%'", "s:string", "xxaxxbxx", 1, NULL},
    {"s LIKE '%a%b%'", "s:string", "xxbxxa", 0, NULL},
    {"s LIKE 'abc'", "s:string", "ABC", 0, NULL},
    {"s LIKE '100\\%'", "s:string", "100%", 1, NULL},
    {"s LIKE '100\\%'", "s:string", "1000", 0, NULL},
    {"s LIKE 'a\\_b'", "s:string", "a_b", 1, NULL},
    {"s LIKE 'a\\_b'", "s:string", "axb", 0, NULL},
    {"s LIKE 'a\\\\b'", "s:string", "a\\b", 1, NULL},
    {"s NOT LIKE 'a%'", "s:string", "ba", 1, NULL},
    {"s LIKE '%'", "s:string", "", 1, NULL},
    {"s LIKE '_'", "s:string", "", 0, NULL},
    {"s LIKE '_'", "s:string", "\xc3\xa9", 1, NULL},
    {"s LIKE 'it''%'", "s:string", "it's", 1, NULL},
    {"n LIKE '1%'", "n:int", "1", -EINVAL, "Integral data type doesn't support operation 'LIKE'"},
    {"d LIKE '2024%'", "d:date", "2024-01-01", -EINVAL, "Date data type doesn't support"},
    {"t like 'x'", "t:timestamp", "2024-01-01", -EINVAL, "Timestamp data type doesn't support"},
    {"x LIKE '1'", "x:decimal", "1", -EINVAL, "Decimal data type doesn't support"},
    /* Glue stores partition values as strings: the Hive default partition is the string it
     * is on a string key (IS NULL, which the config refuses, never holds for it), and a
     * value that cannot be cast on any other key (InvalidStateException). */
    {"s IS NULL", "s:string", NUL_PART, 0, NULL},
    {"s IS NULL", "s:string", "x", 0, NULL},
    {"s is not null", "s:string", "x", 1, NULL},
    {"s IS NOT NULL", "s:string", NUL_PART, 1, NULL},
    {"s = '__HIVE_DEFAULT_PARTITION__'", "s:string", NUL_PART, 1, NULL},
    {"s >= '2024'", "s:string", NUL_PART, 1, NULL},
    {"s < '2024'", "s:string", NUL_PART, 0, NULL},
    {"NOT s = 'x'", "s:string", NUL_PART, 1, NULL},
    {"s LIKE '__HIVE%'", "s:string", NUL_PART, 1, NULL},
    {"s IN ('a', 'b')", "s:string", NUL_PART, 0, NULL},
    {"n IS NULL", "n:int", NUL_PART, 0, NULL},
    {"n = 1", "n:int", NUL_PART, -ERANGE, "'__HIVE_DEFAULT_PARTITION__' of key 'n' cannot be cast"},
    {"NOT n = 1", "n:int", NUL_PART, -ERANGE, NULL},
    {"d = '2024-01-01'", "d:date", NUL_PART, -ERANGE, "cannot be cast to date"},
    {"n = 1 OR s = 'x'", "n:int;s:string", NUL_PART "|x", -ERANGE, NULL},
    {"NOT (s = 'y')", "n:int;s:string", NUL_PART "|x", 1, NULL},
    /* Strings compare in Java's order (Glue is a Java service): UTF-16 code units, so a
     * character above U+FFFF sorts below U+E000..U+FFFF, unlike UTF-8 byte order. */
    {"s < '\xee\x80\x80'", "s:string", "\xf0\x9f\x98\x80", 1, NULL},
    {"s > '\xee\x80\x80'", "s:string", "\xf0\x9f\x98\x80", 0, NULL},
    {"s < '\xf0\x9f\x98\x81'", "s:string", "\xf0\x9f\x98\x80", 1, NULL},
    {"s > '\xc3\xa9'", "s:string", "\xe4\xb8\xad", 1, NULL},
    {"s > 'z'", "s:string", "\xc3\xa9", 1, NULL},
    {"s > 'ab'", "s:string", "abc", 1, NULL},
    {"s < 'ab'", "s:string", "a", 1, NULL},
    /* Integral keys: 64-bit, numeric order, strict casts. */
    {"n > 9", "n:int", "10", 1, NULL},
    {"n > -1", "n:int", "0", 1, NULL},
    {"n = 3", "n:bigint", "3", 1, NULL},
    {"n = 3", "n:tinyint", "+3", 1, NULL},
    {"n < 3", "n:smallint", "-3", 1, NULL},
    {"n >= 3", "n:long", "3", 1, NULL},
    {"n = 9223372036854775807", "n:bigint", "9223372036854775807", 1, NULL},
    {"n < 0", "n:bigint", "-9223372036854775808", 1, NULL},
    {"n > 0", "n:bigint", "9223372036854775808", -ERANGE, "'9223372036854775808' of key 'n'"},
    {"n = 99999999999999999999", "n:bigint", "1", -EINVAL, "cannot be cast to bigint"},
    {"n = '7'", "n:int", "7", 1, NULL},
    {"n = '2024-01'", "n:int", "1", -EINVAL, "literal '2024-01' cannot be cast to int"},
    {"n = 1.5", "n:int", "1", -EINVAL, "literal '1.5' cannot be cast to int"},
    {"n = 1", "n:int", "1.0", -ERANGE, "cannot be cast to int"},
    {"n = 1", "n:int", "", -ERANGE, "partition value '' of key 'n'"},
    {"n = 1", "n:int", " 1", -ERANGE, NULL},
    /* Decimal keys: exact decimal comparison. Double and float are not key types Glue
     * takes ("any other key type raises an exception"). */
    {"x > 1.5", "x:decimal(10,2)", "1.50", 0, NULL},
    {"x > 1.5", "x:decimal(10, 2)", "1.51", 1, NULL},
    {"x = 1.5", "x:decimal", "001.500", 1, NULL},
    {"x < 0", "x:decimal", "-0.01", 1, NULL},
    {"x = 0", "x:decimal", "-0.00", 1, NULL},
    {"x < -1.5", "x:decimal", "-2", 1, NULL},
    {"x > 99.9", "x:decimal(10,2)", "1e3", 1, NULL},
    {"x < 0.001", "x:decimal", "1E-4", 1, NULL},
    {"x BETWEEN -1 AND 1", "x:float", "0.5", -EINVAL, "unsupported partition key type 'float'"},
    {"x > 1", "x:double", "2", -EINVAL, "unsupported partition key type 'double'"},
    {"x > 12345678901234567890.1", "x:decimal(38,1)", "12345678901234567890.2", 1, NULL},
    {"x = 1", "x:decimal", "abc", -ERANGE, "cannot be cast to decimal"},
    {"x = 1", "x:decimal", "NaN", -ERANGE, NULL},
    {"x = 'abc'", "x:decimal", "1", -EINVAL, "literal 'abc' cannot be cast to decimal"},
    /* Date keys, including leap days and invalid dates. */
    {"d > '2020-08-15'", "d:date", "2020-08-16", 1, NULL},
    {"d > '2020-08-15'", "d:date", "2020-08-15", 0, NULL},
    {"d = '2024-02-29'", "d:date", "2024-02-29", 1, NULL},
    {"d < '2024-03-01'", "d:date", "2024-02-29", 1, NULL},
    {"d = '2000-02-29'", "d:date", "2000-02-29", 1, NULL},
    {"d < '1970-01-01'", "d:date", "1969-12-31", 1, NULL},
    {"d = '2023-02-29'", "d:date", "2023-02-28", -EINVAL, "literal '2023-02-29' cannot be cast"},
    {"d > '2024-01-01'", "d:date", "2024-13-01", -ERANGE, "'2024-13-01' of key 'd'"},
    {"d > '1900-01-01'", "d:date", "1900-02-29", -ERANGE, NULL},
    {"d > '2024-01-01'", "d:date", "2024-04-31", -ERANGE, NULL},
    {"d = 20240101", "d:date", "2024-01-01", -EINVAL, "literal '20240101' cannot be cast to date"},
    {"d >= '2024-1-1'", "d:date", "2024-01-01", -EINVAL, NULL},
    /* Timestamp keys: seconds, then nanoseconds. */
    {"t > '2024-01-01 00:00:00'", "t:timestamp", "2024-01-01 00:00:00.000000001", 1, NULL},
    {"t = '2024-01-01 10:00:00.5'", "t:timestamp", "2024-01-01 10:00:00.500", 1, NULL},
    {"t < '2024-01-02 00:00:00'", "t:timestamp", "2024-01-01 23:59:59", 1, NULL},
    {"t >= '2024-01-02 00:00:00'", "t:timestamp", "2024-01-01 23:59:59.999999999", 0, NULL},
    /* A bare date is no timestamp (Java's Timestamp.valueOf refuses it), literal or value. */
    {"t < '2024-01-02'", "t:timestamp", "2024-01-01 23:59:59", -EINVAL,
     "literal '2024-01-02' cannot be cast to timestamp"},
    {"t < '2024-01-02 00:00:00'", "t:timestamp", "2024-01-01", -ERANGE, "cannot be cast"},
    {"t = '2024-01-01 24:00:00'", "t:timestamp", "2024-01-01", -EINVAL, "cannot be cast"},
    {"t = '2024-01-01 10:00:00.1234567891'", "t:timestamp", "2024-01-01", -EINVAL, NULL},
    {"t > '2024-01-01 00:00:00'", "t:timestamp", "yesterday", -ERANGE, "of key 't'"},
    /* Types Glue refuses, unknown keys, error precedence. */
    {"b = 'true'", "b:boolean", "true", -EINVAL, "unsupported partition key type 'boolean'"},
    {"b = 'x'", "b:array<string>", "x", -EINVAL, "unsupported partition key type"},
    {"zz = 'a'", "dt:string", "a", -EINVAL, "unknown partition key 'zz' at offset 0"},
    {"dt = 'x' OR zz = 'a'", "dt:string", "x", -EINVAL, "unknown partition key 'zz' at offset 12"},
    {"n = 1 OR zz = 'a'", "n:int", "bad", -EINVAL, "unknown partition key 'zz'"},
    {"s = 'x' OR n = 1", "s:string;n:int", "x|bad", -ERANGE, "partition value 'bad'"},
    /* Syntax errors, with offsets. */
    {"dt = 'abc", "dt:string", "", -EINVAL, "unterminated string literal at offset 5"},
    {"dt = 'a' xyz", "dt:string", "", -EINVAL,
     "unexpected 'xyz' after a complete expression at offset 9"},
    {"dt = 'a')", "dt:string", "", -EINVAL,
     "unexpected ')' after a complete expression at offset 8"},
    {"(dt = 'a'", "dt:string", "", -EINVAL,
     "missing ')' for the '(' at offset 0, found end of expression at offset 9"},
    {"", "dt:string", "", -EINVAL, "empty expression"},
    {" \t\n", "dt:string", "", -EINVAL, "empty expression"},
    {"dt = 10L", "dt:string", "", -EINVAL, "Hive type suffix 'L' is not supported"},
    {"dt = 10bd", "dt:string", "", -EINVAL, "Hive type suffix 'bd'"},
    {"dt = 1e5", "dt:string", "", -EINVAL, "bad number '1e5' at offset 5"},
    {"dt = 1.", "dt:string", "", -EINVAL, "bad number"},
    {"dt IN ()", "dt:string", "", -EINVAL, "expected a literal, found ')' at offset 7"},
    {"dt IN 'a'", "dt:string", "", -EINVAL, "expected '(' after IN"},
    {"dt IN ('a' 'b')", "dt:string", "", -EINVAL, "expected ',' or ')' in the IN list"},
    {"dt = ", "dt:string", "", -EINVAL, "expected a literal, found end of expression at offset 5"},
    {"dt BETWEEN 1 5", "dt:string", "", -EINVAL, "expected AND in BETWEEN, found '5'"},
    {"dt LIKE 5", "dt:string", "", -EINVAL, "expected a string literal"},
    {"dt IS 'x'", "dt:string", "", -EINVAL, "expected NULL"},
    {"dt NOT = 'x'", "dt:string", "", -EINVAL, "expected IN, BETWEEN or LIKE after NOT"},
    {"dt = 'a' AND", "dt:string", "", -EINVAL, "found end of expression at offset 12"},
    {"dt 'a'", "dt:string", "", -EINVAL, "expected an operator after 'dt', found ''a''"},
    {"dt", "dt:string", "", -EINVAL, "expected an operator after 'dt'"},
    {"dt = other", "dt:string", "", -EINVAL, "comparison of two partition keys"},
    {"'a' = 'b'", "dt:string", "", -EINVAL, "comparison of two literals"},
    {"'a' IN ('b')", "dt:string", "", -EINVAL, "comparison operator after the literal"},
    {"dt = \"a\"", "dt:string", "", -EINVAL, "unexpected '\"'"},
    {"dt # 1", "dt:string", "", -EINVAL, "unexpected character '#' at offset 3"},
    {"dt = 'a' \x01", "dt:string", "", -EINVAL, "unexpected byte 0x01 at offset 9"},
    {"AND = 1", "dt:string", "", -EINVAL, "found keyword 'AND'"},
    {") dt", "dt:string", "", -EINVAL, "at offset 0"},
    {"`dt = 'a'", "dt:string", "", -EINVAL, "unterminated quoted identifier"},
    {"(dt) AND dt = 'a'", "dt:string", "", -EINVAL, "expected an operator after 'dt'"},
    /* Messages stay one line of valid UTF-8 whatever the quoted text holds. */
    {"n = 'a\nb'", "n:int", "1", -EINVAL, "literal 'a?b' cannot be cast to int"},
    {"n = 1", "n:int", "\xc3", -ERANGE, "partition value '?' of key 'n'"},
    {"n = 1", "n:int", "\xc3\xa9", -ERANGE, "partition value '\xc3\xa9' of key 'n'"},
    /* By the one strict validator: overlongs, surrogates, values above U+10FFFF are '?'. */
    {"n = 1", "n:int", "\xc0\xaf", -ERANGE, "partition value '\?\?' of key 'n'"},
    {"n = 1", "n:int", "\xed\xa0\x80", -ERANGE, "partition value '\?\?\?' of key 'n'"},
    {"n = 1", "n:int", "\xf4\x90\x80\x80", -ERANGE, "partition value '\?\?\?\?' of key 'n'"},
    {"n = 1", "n:int", "a\xf0\x9f\x98\x80", -ERANGE, "partition value 'a\xf0\x9f\x98\x80' of key"},
    {"dt = 'x' 'a\tb'", "dt:string", "", -EINVAL, "unexpected ''a?b'' after"},
    /* The examples of glue-api.md §1.4. */
    {"Category = 'Books' and creationDate > '2020-08-15'", "Category:string;creationDate:date",
     "Books|2020-08-16", 1, NULL},
    {"Category = 'Books' and creationDate > '2020-08-15'", "Category:string;creationDate:date",
     "Books|2020-08-15", 0, NULL},
    {"Category = 'Books' and creationDate > '2020-08-15'", "Category:string;creationDate:date",
     "Music|2021-01-01", 0, NULL},
    {"dt >= '2024-01-01' AND region IN ('eu','us')", "dt:string;region:string", "2024-03-01|us", 1,
     NULL},
    {"dt >= '2024-01-01' AND region IN ('eu','us')", "dt:string;region:string", "2023-12-31|us", 0,
     NULL},
    {"dt >= '2024-01-01' AND region IN ('eu','us')", "dt:date;region:string", "2024-01-01|ap", 0,
     NULL},
};

/*
 * The forms whose meaning in Glue is not known, refused by g2d_expr_check_known(): @p keys
 * NULL as at config load, or "name:type" of one key as when the sync reads the table.
 */
struct known_row {
    const char *expr;
    const char *key; /* "name:type" or NULL */
    int want;
    const char *msg;
};

static const struct known_row known_rows[] = {
    /* what Glue documents passes */
    {"dt >= '2024-01-01' AND region IN ('eu', 'us')", NULL, 0, NULL},
    {"dt>=20220101", NULL, 0, NULL},
    {"n = 0 OR n = -5 OR x = 0.5 OR x = 10.25 OR x = -0.5", NULL, 0, NULL},
    {"s LIKE 'a%b_c'", NULL, 0, NULL},
    {"s = 'it''s'", NULL, 0, NULL},
    {"t = '2024-01-01 10:00:00.5'", NULL, 0, NULL},
    {"NOT (dt BETWEEN '2024-01-01' AND '2024-01-31')", NULL, 0, NULL},
    {"h BETWEEN 1 AND 1", NULL, 0, NULL},
    {"v = '1-2-3-4' OR v = 'x-1-2'", NULL, 0, NULL},
    /* IS NULL */
    {"dt IS NULL", NULL, -EINVAL, "IS NULL: Glue stores partition values as strings"},
    {"dt = 'a' OR dt IS NOT NULL", NULL, -EINVAL, "IS NOT NULL: Glue stores"},
    /* backslashes, LIKE escapes among them */
    {"s LIKE '100\\%'", NULL, -EINVAL, "a backslash in the string literal '100\\%'"},
    {"s = 'a\\'", NULL, -EINVAL, "a backslash"},
    /* numbers not in their plain form */
    {"dt >= 020220101", NULL, -EINVAL, "the number 020220101 is not in its plain form"},
    {"x = 1.50", NULL, -EINVAL, "the number 1.50"},
    {"x = 1.0", NULL, -EINVAL, "the number 1.0"},
    {"x = -0", NULL, -EINVAL, "the number -0"},
    {"x IN (1, 007)", NULL, -EINVAL, "at offset 9"},
    {"x BETWEEN 00 AND 5", NULL, -EINVAL, "the number 00"},
    /* dates not zero-padded or not real, as literals of any kind */
    {"d = '2024-1-5'", NULL, -EINVAL, "'2024-1-5' is not a zero-padded yyyy-MM-dd date"},
    {"d > '24-01-05'", NULL, -EINVAL, "not a zero-padded"},
    {"d IN ('2024-01-05', '2024-01-5')", NULL, -EINVAL, "'2024-01-5'"},
    {"d = '2024-02-30'", NULL, -EINVAL, "'2024-02-30' is not a real date"},
    {"d = '2023-02-29'", NULL, -EINVAL, "not a real date"},
    {"d = '2024-02-29'", NULL, 0, NULL},
    {"t = '2024-01-01 1:00:00'", NULL, -EINVAL, "is not a timestamp of the form"},
    {"t = '2024-01-01T10:00:00'", NULL, -EINVAL, "is not a timestamp"},
    {"'2024-1-1' < d", NULL, -EINVAL, "at offset 0"},
    /* BETWEEN with reversed bounds: at load, when reversed in every type they can take */
    {"dt BETWEEN '2024-12-01' AND '2024-01-01'", NULL, -EINVAL,
     "BETWEEN bounds reversed as strings ('2024-12-01' above '2024-01-01')"},
    {"s NOT BETWEEN 'b' AND 'a'", NULL, -EINVAL, "reversed as strings"},
    {"n BETWEEN 50 AND 12", NULL, -EINVAL, "reversed as strings"},
    {"n BETWEEN 5 AND 12", NULL, 0, NULL}, /* in order as integers */
    {"n BETWEEN 12 AND 5", NULL, 0, NULL}, /* in order as strings */
    {"n BETWEEN 12 AND 5", "n:bigint", -EINVAL, "reversed as integers ('12' above '5')"},
    {"d BETWEEN '2024-02-01' AND '2024-01-31'", "d:date", -EINVAL, "reversed as dates"},
    /* ... and with the table's key, in its type */
    {"n BETWEEN 5 AND 12", "n:int", 0, NULL},
    {"n BETWEEN 5 AND 12", "n:string", -EINVAL, "BETWEEN bounds reversed as strings ('5' above"},
    {"n BETWEEN 5 AND 12", "N:varchar(4)", -EINVAL, "reversed as strings"},
    {"x BETWEEN 2 AND 10.5", "x:decimal(5,1)", 0, NULL},
    {"x BETWEEN 2 AND 10.5", "x:string", -EINVAL, "reversed as strings"},
    {"n BETWEEN 'x' AND 5", "n:int", 0, NULL}, /* not castable: g2d_expr_check's to refuse */
};

static void test_known_forms(void **state)
{
    size_t i, bad = 0;

    (void)state;
    for (i = 0; i < sizeof(known_rows) / sizeof(known_rows[0]); i++) {
        const struct known_row *r = &known_rows[i];
        char kb[64], *colon;
        struct g2d_expr_key key = {0};
        struct g2d_error err;
        struct g2d_expr *e = NULL;
        int rc;

        g2d_error_clear(&err);
        assert_int_equal(g2d_expr_parse(r->expr, &e, &err), 0);
        if (r->key) {
            snprintf(kb, sizeof(kb), "%s", r->key);
            colon = strchr(kb, ':');
            *colon = '\0';
            key.name = kb;
            key.type = colon + 1;
        }
        rc = g2d_expr_check_known(e, r->key ? &key : NULL, r->key ? 1 : 0, &err);
        if (rc != r->want || (r->msg && !strstr(err.msg, r->msg))) {
            print_error("'%s' key %s: got %d, want %d (%s)\n", r->expr, r->key ? r->key : "-", rc,
                        r->want, err.msg);
            bad++;
        }
        g2d_expr_free(e);
    }
    assert_int_equal(bad, 0);
}

/* Splits spec at sep into up to max NUL-terminated parts of buf (modified in place). */
static size_t split(char *buf, char sep, char **parts, size_t max)
{
    size_t n = 0;
    char *p = buf;

    for (;;) {
        char *q = strchr(p, sep);

        assert_true(n < max);
        parts[n++] = p;
        if (!q)
            return n;
        *q = '\0';
        p = q + 1;
    }
}

/* Returns the number of failures (0 or 1), reported through cmocka's print_error(). */
static int run_row(const struct row *r)
{
    char kbuf[256], vbuf[256], *kparts[MAX_KEYS], *vparts[MAX_KEYS];
    struct g2d_expr_key keys[MAX_KEYS];
    const char *values[MAX_KEYS];
    struct g2d_error err;
    struct g2d_expr *e = NULL;
    size_t nk, nv, i;
    int rc, crc;

    snprintf(kbuf, sizeof(kbuf), "%s", r->keys);
    snprintf(vbuf, sizeof(vbuf), "%s", r->vals);
    nk = split(kbuf, ';', kparts, MAX_KEYS);
    nv = split(vbuf, '|', vparts, MAX_KEYS);
    for (i = 0; i < nk; i++) {
        char *colon = strchr(kparts[i], ':');

        assert_non_null(colon);
        *colon = '\0';
        keys[i].name = kparts[i];
        keys[i].type = colon + 1;
        values[i] = i < nv ? vparts[i] : "";
    }

    g2d_error_clear(&err);
    rc = g2d_expr_parse(r->expr, &e, &err);
    if (rc == 0) {
        assert_non_null(e);
        crc = g2d_expr_check(e, keys, nk, &err);
        rc = g2d_expr_eval(e, keys, nk, values, &err);
        /* A static error shows the same way in check and eval; a value error only in eval. */
        if (crc < 0)
            assert_int_equal(rc, crc);
        else
            assert_int_not_equal(rc, -EINVAL);
        /* Evaluation keeps no state: a second run gives the same answer. */
        assert_int_equal(g2d_expr_eval(e, keys, nk, values, NULL), rc);
    } else {
        assert_null(e);
    }
    g2d_expr_free(e);
    if (rc != r->want) {
        print_error("'%s' keys %s values %s: got %d, want %d (%s)\n", r->expr, r->keys, r->vals, rc,
                    r->want, rc < 0 ? err.msg : "");
        return 1;
    }
    if (rc < 0 && (err.code != rc || strncmp(err.msg, "expression: ", 12) != 0 ||
                   (r->msg && !strstr(err.msg, r->msg)))) {
        print_error("'%s': message '%s' (code %d) lacks '%s'\n", r->expr, err.msg, err.code,
                    r->msg ? r->msg : "expression: ");
        return 1;
    }
    return 0;
}

static void test_table(void **state)
{
    size_t i;
    int failed = 0;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        failed += run_row(&rows[i]);
    assert_int_equal(failed, 0);
    assert_true(sizeof(rows) / sizeof(rows[0]) >= 60);
}

static int parse_nested(const char *open, const char *close, int levels, struct g2d_error *err)
{
    char buf[G2D_EXPR_MAX_LEN + 1] = "";
    struct g2d_expr *e = NULL;
    int i, rc;

    for (i = 0; i < levels; i++)
        strcat(buf, open);
    strcat(buf, "a = '1'");
    for (i = 0; close && i < levels; i++)
        strcat(buf, close);
    rc = g2d_expr_parse(buf, &e, err);
    if (rc == 0) {
        const struct g2d_expr_key k = {"a", "string"};
        const char *v = "1";
        int want = open[0] == '(' || levels % 2 == 0;

        assert_int_equal(g2d_expr_eval(e, &k, 1, &v, err), want);
    }
    g2d_expr_free(e);
    return rc;
}

static void test_nesting_bound(void **state)
{
    struct g2d_error err;

    (void)state;
    assert_int_equal(parse_nested("(", ")", 64, &err), 0);
    assert_int_equal(parse_nested("(", ")", 65, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "too deeply nested"));
    assert_non_null(strstr(err.msg, "at offset 64"));
    assert_int_equal(parse_nested("NOT ", NULL, 64, &err), 0);
    assert_int_equal(parse_nested("NOT ", NULL, 65, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "too deeply nested"));
    assert_int_equal(parse_nested("NOT (", ")", 32, &err), 0);
    assert_int_equal(parse_nested("NOT (", ")", 33, &err), -EINVAL);
    /* Far deeper than the bound: refused without recursing. */
    assert_int_equal(parse_nested("(", NULL, 1000, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "too deeply nested"));
}

static void test_length_bound(void **state)
{
    char buf[G2D_EXPR_MAX_LEN + 2];
    const struct g2d_expr_key k = {"s", "string"};
    struct g2d_expr *e = NULL;
    struct g2d_error err;
    const char *v;
    size_t n;

    (void)state;
    /* s = 'xxx...x' of exactly G2D_EXPR_MAX_LEN bytes is accepted. */
    memset(buf, 'x', sizeof(buf));
    memcpy(buf, "s = '", 5);
    buf[G2D_EXPR_MAX_LEN - 1] = '\'';
    buf[G2D_EXPR_MAX_LEN] = '\0';
    assert_int_equal(strlen(buf), G2D_EXPR_MAX_LEN);
    assert_int_equal(g2d_expr_parse(buf, &e, &err), 0);
    n = G2D_EXPR_MAX_LEN - 6;
    {
        char *val = malloc(n + 1);

        assert_non_null(val);
        memset(val, 'x', n);
        val[n] = '\0';
        v = val;
        assert_int_equal(g2d_expr_eval(e, &k, 1, &v, &err), 1);
        val[0] = 'y';
        assert_int_equal(g2d_expr_eval(e, &k, 1, &v, &err), 0);
        free(val);
    }
    g2d_expr_free(e);

    /* One byte more is refused. */
    buf[G2D_EXPR_MAX_LEN - 1] = 'x';
    buf[G2D_EXPR_MAX_LEN] = '\'';
    buf[G2D_EXPR_MAX_LEN + 1] = '\0';
    e = (struct g2d_expr *)&err; /* must be reset to NULL on failure */
    assert_int_equal(g2d_expr_parse(buf, &e, &err), -EINVAL);
    assert_null(e);
    assert_int_equal(err.code, -EINVAL);
    assert_non_null(strstr(err.msg, "longer than 2048 bytes"));
}

/* Long flat AND/OR chains are n-ary nodes, evaluated without deep recursion. */
static void test_long_chain(void **state)
{
    const struct g2d_expr_key k = {"n", "int"};
    char buf[G2D_EXPR_MAX_LEN + 1] = "n = 0";
    struct g2d_expr *e = NULL;
    const char *v;
    char num[32];
    int i;

    (void)state;
    for (i = 1; strlen(buf) + 32 < sizeof(buf); i++) {
        snprintf(num, sizeof(num), " OR n = %d", i);
        strcat(buf, num);
    }
    assert_int_equal(g2d_expr_parse(buf, &e, NULL), 0);
    snprintf(num, sizeof(num), "%d", i - 1);
    v = num;
    assert_int_equal(g2d_expr_eval(e, &k, 1, &v, NULL), 1);
    v = "-1";
    assert_int_equal(g2d_expr_eval(e, &k, 1, &v, NULL), 0);
    g2d_expr_free(e);
}

/* Keys are resolved at every call: the same expression serves tables of different keys. */
static void test_keys_at_eval(void **state)
{
    const struct g2d_expr_key ks[] = {{"dt", "string"}, {"hr", "int"}};
    const struct g2d_expr_key kd[] = {{"hr", "int"}, {"dt", "date"}};
    const char *vs[] = {"2024-01-01", "7"}, *vd[] = {"7", "2024-01-01"};
    struct g2d_expr *e = NULL;
    struct g2d_error err;

    (void)state;
    assert_int_equal(g2d_expr_parse("dt >= '2024-01-01' AND hr < 10", &e, &err), 0);
    assert_int_equal(g2d_expr_check(e, ks, 2, &err), 0);
    assert_int_equal(g2d_expr_eval(e, ks, 2, vs, &err), 1);
    assert_int_equal(g2d_expr_check(e, kd, 2, &err), 0);
    assert_int_equal(g2d_expr_eval(e, kd, 2, vd, &err), 1);
    assert_int_equal(g2d_expr_check(e, ks, 1, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown partition key 'hr'"));
    g2d_expr_free(e);
}

static void test_api_misuse(void **state)
{
    const struct g2d_expr_key k = {"a", NULL};
    const char *v = "1";
    struct g2d_expr *e = NULL;
    struct g2d_error err;

    (void)state;
    g2d_expr_free(NULL);
    assert_int_equal(g2d_expr_parse("a = 1", NULL, &err), -EINVAL);
    assert_int_equal(g2d_expr_parse(NULL, &e, &err), -EINVAL);
    assert_null(e);
    assert_int_equal(g2d_expr_parse("a = 1", &e, NULL), 0);
    assert_int_equal(g2d_expr_check(NULL, &k, 1, &err), -EINVAL);
    assert_int_equal(g2d_expr_eval(e, &k, 1, NULL, &err), -EINVAL);
    /* A key without a type is not a supported key. */
    assert_int_equal(g2d_expr_eval(e, &k, 1, &v, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unsupported partition key type"));
    /* No keys at all: every identifier is unknown. */
    assert_int_equal(g2d_expr_eval(e, NULL, 0, NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown partition key 'a'"));
    g2d_expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),         cmocka_unit_test(test_known_forms),
        cmocka_unit_test(test_nesting_bound), cmocka_unit_test(test_length_bound),
        cmocka_unit_test(test_long_chain),    cmocka_unit_test(test_keys_at_eval),
        cmocka_unit_test(test_api_misuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
