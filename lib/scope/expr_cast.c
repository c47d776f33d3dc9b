/* SPDX-License-Identifier: MIT */
/*
 * Glue's casts, shared by the literals of an expression (cast once, at parse time) and
 * the stored partition values (cast at evaluation): integers, decimals, dates and
 * timestamps; and the type classes of Glue column types (int, bigint, decimal(p,s),
 * date, timestamp, string...).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/utf8.h"
#include "scope/expr_internal.h"

/* Strict integer: [+-]?[0-9]+, the whole string, within int64. */
bool g2d__expr_parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0, lim;

    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!is_digit((unsigned char)*s))
        return false;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; is_digit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');

        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*s)
        return false;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return true;
}

/*
 * Strict decimal: [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?, the whole
 * string. No infinities, NaN, hex or spaces. Kept exact: compared digit by digit.
 */
bool g2d__expr_parse_dec(const char *s, struct dec *out)
{
    const char *p = s, *first = NULL, *last = NULL;
    int64_t intdig = 0, lead = 0, e = 0, ndig = 0;
    bool seen_dot = false, any = false, eneg = false;

    out->sign = 1;
    if (*p == '-' || *p == '+')
        out->sign = *p++ == '-' ? -1 : 1;
    for (;; p++) {
        if (*p == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (!is_digit((unsigned char)*p))
            break;
        any = true;
        if (!seen_dot)
            intdig++;
        if (*p != '0') {
            if (!first)
                first = p;
            last = p;
        }
        if (!first)
            lead++;
        else
            ndig++;
        if (intdig > DEC_MAX_EXP || ndig > DEC_MAX_EXP || lead > DEC_MAX_EXP)
            return false;
    }
    if (!any)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        if (!is_digit((unsigned char)*p))
            return false;
        for (; is_digit((unsigned char)*p); p++) {
            e = e * 10 + (*p - '0');
            if (e > DEC_MAX_EXP)
                return false;
        }
    }
    if (*p)
        return false;
    if (!first) {
        out->sign = 0;
        out->dig = NULL;
        out->ndig = 0;
        out->exp = 0;
        return true;
    }
    /* Count significant digits between first and last, skipping a '.' in between. */
    out->dig = first;
    out->ndig = 0;
    for (p = first; p <= last; p++)
        if (*p != '.')
            out->ndig++;
    out->exp = intdig - lead + (eneg ? -e : e);
    return true;
}

int g2d__expr_dec_cmp(const struct dec *a, const struct dec *b)
{
    const char *p, *q;
    uint32_t i;
    int r = 0;

    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    if (a->exp != b->exp) {
        r = a->exp < b->exp ? -1 : 1;
    } else {
        p = a->dig;
        q = b->dig;
        for (i = 0; i < a->ndig && i < b->ndig && r == 0; i++, p++, q++) {
            if (*p == '.')
                p++;
            if (*q == '.')
                q++;
            r = (*p > *q) - (*p < *q);
        }
        if (r == 0)
            r = (a->ndig > b->ndig) - (a->ndig < b->ndig);
    }
    return a->sign > 0 ? r : -r;
}

/* The first UTF-16 code unit of code point @p cp. */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xd800 + ((cp - 0x10000) >> 10);
}

static uint32_t utf8_decode(const unsigned char *p, size_t n)
{
    static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = p[0] & lead_mask[n];

    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (p[i] & 0x3f);
    return cp;
}

int g2d__expr_str_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    const unsigned char *ea, *eb;
    size_t n, m;
    uint32_t x, y;

    while (*p && *p == *q) {
        p++;
        q++;
    }
    if (!*p || !*q || (*p < 0x80 && *q < 0x80))
        return (*p > *q) - (*p < *q);
    /* Back to the start of the character the difference is in (the bytes before match). */
    while (p > (const unsigned char *)a && (*p & 0xc0) == 0x80) {
        p--;
        q--;
    }
    ea = p + strlen((const char *)p);
    eb = q + strlen((const char *)q);
    n = *p < 0x80 ? 1 : g2d_utf8_seq(p, ea);
    m = *q < 0x80 ? 1 : g2d_utf8_seq(q, eb);
    if (!n || !m)
        return strcmp((const char *)p, (const char *)q) < 0 ? -1 : 1;
    x = utf8_decode(p, n);
    y = utf8_decode(q, m);
    if (utf16_lead(x) != utf16_lead(y))
        return utf16_lead(x) < utf16_lead(y) ? -1 : 1;
    return (x > y) - (x < y);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* 'yyyy-MM-dd' at the start of s (exactly 10 characters, validated). */
static bool parse_date_prefix(const char *s, int64_t *days)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d, dim;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12)
        return false;
    dim = mdays[m - 1] + (m == 2 && is_leap(y));
    if (d < 1 || d > dim)
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

bool g2d__expr_parse_date(const char *s, int64_t *days)
{
    return strlen(s) == 10 && parse_date_prefix(s, days);
}

/* 'yyyy-MM-dd HH:mm:ss[.f{1,9}]'. A bare date is not one: Java's Timestamp.valueOf
 * refuses it, and Glue documents only the full form. */
bool g2d__expr_parse_ts(const char *s, struct ts *out)
{
    unsigned hh, mi, ss;
    int64_t days;
    int32_t ns = 0;
    int n = 0;

    if (strnlen(s, 11) < 10 || !parse_date_prefix(s, &days))
        return false;
    s += 10;
    if (*s != ' ' || !digits(s + 1, 2, &hh) || s[3] != ':' || !digits(s + 4, 2, &mi) ||
        s[6] != ':' || !digits(s + 7, 2, &ss))
        return false;
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    s += 9;
    if (*s == '.') {
        for (s++; is_digit((unsigned char)*s); s++) {
            if (++n > 9)
                return false;
            ns = ns * 10 + (*s - '0');
        }
        if (n == 0)
            return false;
        for (; n < 9; n++)
            ns *= 10;
    }
    if (*s)
        return false;
    out->sec = days * 86400 + hh * 3600 + mi * 60 + ss;
    out->ns = ns;
    return true;
}

/* ---- Key types ---- */

bool g2d__expr_word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Hive type string -> class. Parameterised forms: char(n), varchar(n), decimal(p[,s]). */
int g2d__expr_classify(const char *t)
{
    static const char *const ints[] = {"int", "integer", "bigint", "long", "tinyint", "smallint"};
    const char *w, *end;
    size_t n, i;

    if (!t)
        return TC_BAD;
    while (is_space((unsigned char)*t))
        t++;
    end = t + strlen(t);
    while (end > t && is_space((unsigned char)end[-1]))
        end--;
    for (w = t; w < end && is_alpha((unsigned char)*w); w++)
        ;
    n = (size_t)(w - t);
    if (w < end) {
        const char *q;

        /* Only "(digits[, digits])" may follow, and only after these three. */
        while (w < end && is_space((unsigned char)*w))
            w++;
        if (*w != '(' || end[-1] != ')')
            return TC_BAD;
        for (q = w + 1; q < end - 1; q++)
            if (!is_digit((unsigned char)*q) && *q != ',' && !is_space((unsigned char)*q))
                return TC_BAD;
        if (g2d__expr_word_is(t, n, "char") || g2d__expr_word_is(t, n, "varchar"))
            return TC_STRING;
        if (g2d__expr_word_is(t, n, "decimal"))
            return TC_DEC;
        return TC_BAD;
    }
    if (g2d__expr_word_is(t, n, "string") || g2d__expr_word_is(t, n, "char") ||
        g2d__expr_word_is(t, n, "varchar"))
        return TC_STRING;
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        if (g2d__expr_word_is(t, n, ints[i]))
            return TC_INT;
    /* Glue's documented key types are string, date, timestamp, int, bigint, long, tinyint,
     * smallint and decimal; "any other key type raises an exception": not double, float. */
    if (g2d__expr_word_is(t, n, "decimal"))
        return TC_DEC;
    if (g2d__expr_word_is(t, n, "date"))
        return TC_DATE;
    if (g2d__expr_word_is(t, n, "timestamp"))
        return TC_TS;
    return TC_BAD;
}

const char *g2d__expr_class_family(int tc)
{
    switch (tc) {
    case TC_INT:
        return "Integral";
    case TC_DEC:
        return "Decimal";
    case TC_DATE:
        return "Date";
    case TC_TS:
        return "Timestamp";
    default:
        return "String";
    }
}
