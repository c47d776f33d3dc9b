/* SPDX-License-Identifier: MIT */
/* JSON scanning for the DOM-free partition transform: the subset jansson agrees on. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "glue2dlf/utf8.h"
#include "transform/ptrans-internal.h"

/* ---- parser ----------------------------------------------------------------------------- */

/* A string at c->p (the opening quote): its body. Falls back on escapes. */
int pt_scan_string(struct cur *c, const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)c->p + 1, *end = (const unsigned char *)c->end;
    const unsigned char *start = p;

    while (p < end) {
        unsigned ch;

#ifdef __SSE2__
        /* Sixteen plain bytes at a time: signed < 0x20 is also every byte >= 0x80. */
        while (end - p >= 16) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i bad = _mm_or_si128(_mm_cmplt_epi8(w, _mm_set1_epi8(0x20)),
                                       _mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))));
            unsigned mask = (unsigned)_mm_movemask_epi8(bad);

            if (mask) {
                p += __builtin_ctz(mask);
                break;
            }
            p += 16;
        }
#endif
        /* Eight plain bytes at a time: none >= 0x80, < 0x20, '"' or '\\'. */
        while (end - p >= 8) {
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t w, q, b;

            memcpy(&w, p, 8);
            q = w ^ (ones * '"');
            b = w ^ (ones * '\\');
            if (((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high))
                break;
            p += 8;
        }
        if (p >= end)
            break;
        ch = *p;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            p++;
        } else if (ch == '"') {
            *s = (const char *)start;
            *n = (size_t)(p - start);
            c->p = (const char *)p + 1;
            return 0;
        } else if (ch >= 0x80) {
            size_t k = g2d_utf8_seq(p, end);

            if (!k)
                return FB;
            p += k;
        } else {
            return FB; /* a control character or an escape */
        }
    }
    return FB;
}

/*
 * A number by jansson's grammar: integers (no '.', 'e', 'E') of up to 18 digits, reals
 * converted with strtod() exactly as jansson does (falling back if that is not finite).
 */
static int scan_number(struct cur *c, struct val *v)
{
    const char *p = c->p, *start = p, *end = c->end;
    bool neg = false, real = false;
    size_t digits = 0;

    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p < end && *p == '0') {
        p++;
        digits = 1;
        if (p < end && *p >= '0' && *p <= '9')
            return FB; /* a leading zero: jansson refuses it */
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    } else {
        return FB;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return FB;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        real = true;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return FB;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        real = true;
    }
    if (!real) {
        const char *q = start + neg;
        long long i = 0;

        if (digits > 18)
            return FB;
        for (; q < p; q++)
            i = i * 10 + (*q - '0');
        v->t = T_INT;
        v->i = neg ? -i : i;
    } else {
        char buf[REAL_MAX_LEN + 1], *e;
        size_t len = (size_t)(p - start);

        if (len > REAL_MAX_LEN)
            return FB;
        memcpy(buf, start, len);
        buf[len] = '\0';
        v->d = strtod(buf, &e);
        if (e != buf + len || isinf(v->d))
            return FB; /* another locale's decimal point, or jansson's overflow error */
        v->t = T_REAL;
    }
    c->p = p;
    return 0;
}

int pt_skip_value(struct cur *c, int depth);

/* Any value at the cursor: scalars decoded, objects and arrays validated and skipped. */
int pt_parse_value(struct cur *c, struct val *v, int depth)
{
    size_t left;

    switch (peek(c)) {
    case '"':
        v->t = T_STR;
        return pt_scan_string(c, &v->s, &v->n);
    case '{':
        v->t = T_OBJ;
        return pt_skip_value(c, depth);
    case '[':
        v->t = T_ARR;
        return pt_skip_value(c, depth);
    case 't':
    case 'f':
    case 'n':
        left = (size_t)(c->end - c->p);
        if (left >= 4 && memcmp(c->p, "true", 4) == 0) {
            v->t = T_TRUE;
            c->p += 4;
        } else if (left >= 5 && memcmp(c->p, "false", 5) == 0) {
            v->t = T_FALSE;
            c->p += 5;
        } else if (left >= 4 && memcmp(c->p, "null", 4) == 0) {
            v->t = T_NULL;
            c->p += 4;
        } else {
            return FB;
        }
        return 0;
    default:
        return scan_number(c, v);
    }
}

/*
 * Object iteration: call with *state = 0 first. Sets *k to the next key and leaves the
 * cursor on its value, or sets *k = NULL after the closing brace.
 */
int pt_obj_next(struct cur *c, int *state, const char **k, size_t *nk)
{
    char ch = peek(c);

    if (*state == 0) {
        if (ch != '{')
            return FB;
        c->p++;
        ch = peek(c);
        if (ch == '}') {
            c->p++;
            *k = NULL;
            return 0;
        }
        *state = 1;
    } else if (ch == '}') {
        c->p++;
        *k = NULL;
        return 0;
    } else if (ch == ',') {
        c->p++;
        ch = peek(c);
    } else {
        return FB;
    }
    if (ch != '"' || pt_scan_string(c, k, nk) != 0 || peek(c) != ':')
        return FB;
    c->p++;
    /* A value follows: callers may look at *c->p. */
    return peek(c) ? 0 : FB;
}

/* Array iteration, like pt_obj_next(): *more is false after the closing bracket. */
int pt_arr_next(struct cur *c, int *state, bool *more)
{
    char ch = peek(c);

    if (*state == 0) {
        if (ch != '[')
            return FB;
        c->p++;
        *state = 1;
        if (peek(c) == ']') {
            c->p++;
            *more = false;
            return 0;
        }
    } else if (ch == ']') {
        c->p++;
        *more = false;
        return 0;
    } else if (ch == ',') {
        c->p++;
    } else {
        return FB;
    }
    *more = true;
    /* An element follows: callers may look at *c->p. */
    return peek(c) ? 0 : FB;
}

int pt_skip_value(struct cur *c, int depth)
{
    struct val v;
    int st = 0, r;

    if (depth >= SKIP_MAX_DEPTH)
        return FB;
    if (peek(c) == '{') {
        const char *k;
        size_t nk;

        for (;;) {
            if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
                return r;
            if (!k)
                return 0;
            if ((r = pt_parse_value(c, &v, depth + 1)) != 0)
                return r;
        }
    }
    if (peek(c) == '[') {
        bool more;

        for (;;) {
            if ((r = pt_arr_next(c, &st, &more)) != 0)
                return r;
            if (!more)
                return 0;
            if ((r = pt_parse_value(c, &v, depth + 1)) != 0)
                return r;
        }
    }
    return pt_parse_value(c, &v, depth);
}
