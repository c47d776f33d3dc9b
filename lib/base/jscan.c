/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "glue2dlf/jscan.h"

struct scan {
    const char *p, *end;
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Bytes of @p x (8 at a time) that are '"', '\\' or below 0x20: their high bits. */
static inline uint64_t special_bytes(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

    /* Exact for the lowest flagged byte (borrows only run upwards), which is all we use. */
    return ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) | ((x - ones * 0x20) & ~x & highs);
}

/* Past a string starting at its opening quote. */
static int skip_string(struct scan *s)
{
    if (s->p >= s->end || *s->p != '"')
        return -EPROTO;
    s->p++;
    for (;;) {
        unsigned char c;

        /* Plain text eight bytes at a time: strings are most of a Glue page. */
        while (s->end - s->p >= 8) {
            uint64_t x, m;

            memcpy(&x, s->p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            x = __builtin_bswap64(x); /* the first byte in the lowest bits */
#endif
            m = special_bytes(x);
            if (m) {
                s->p += (unsigned)__builtin_ctzll(m) / 8;
                break;
            }
            s->p += 8;
        }
        if (s->p >= s->end)
            return -EPROTO;
        c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return 0;
        }
        if (c < 0x20)
            return -EPROTO;
        if (c == '\\') {
            s->p++;
            if (s->p >= s->end)
                return -EPROTO;
            if (*s->p == 'u') {
                int i;

                for (i = 0; i < 4; i++) {
                    s->p++;
                    if (s->p >= s->end || !isxdigit((unsigned char)*s->p))
                        return -EPROTO;
                }
            } else if (!memchr("\"\\/bfnrt", *s->p, 8)) {
                return -EPROTO;
            }
        }
        s->p++;
    }
}

static int skip_value(struct scan *s, int depth);

/* The characters that can make up a literal or a number. */
static const bool scalar_char[256] = {
    ['+'] = 1, ['-'] = 1, ['.'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['e'] = 1, ['E'] = 1, ['t'] = 1,
    ['r'] = 1, ['u'] = 1, ['f'] = 1, ['a'] = 1, ['l'] = 1, ['s'] = 1, ['n'] = 1,
};

/* Past a literal or a number: the characters that can make one up. */
static int skip_scalar(struct scan *s)
{
    const char *start = s->p;

    while (s->p < s->end && scalar_char[(unsigned char)*s->p])
        s->p++;
    return s->p > start ? 0 : -EPROTO;
}

static int skip_container(struct scan *s, int depth, char open, char close)
{
    int r;

    if (depth > G2D_JSCAN_MAX_DEPTH)
        return -EPROTO;
    s->p++; /* the opening bracket */
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (open == '{') {
            skip_ws(s);
            r = skip_string(s);
            if (r < 0)
                return r;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return -EPROTO;
            s->p++;
        }
        r = skip_value(s, depth + 1);
        if (r < 0)
            return r;
        skip_ws(s);
        if (s->p >= s->end)
            return -EPROTO;
        if (*s->p == close) {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return -EPROTO;
        s->p++;
    }
}

static int skip_value(struct scan *s, int depth)
{
    skip_ws(s);
    if (s->p >= s->end)
        return -EPROTO;
    switch (*s->p) {
    case '"':
        return skip_string(s);
    case '{':
        return skip_container(s, depth, '{', '}');
    case '[':
        return skip_container(s, depth, '[', ']');
    default:
        return skip_scalar(s);
    }
}

/* Past the opening brace of an object. @return 1 if a member follows, 0 if it is empty. */
static int object_open(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != '{')
        return -EPROTO;
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return 0;
    }
    return 1;
}

/*
 * One member of an object: its key (raw, between the quotes) and its value's range; then
 * past the ',' or the closing '}'. @return 1 if another member follows, 0 after the last.
 */
static int object_member(struct scan *s, const char **k, size_t *kn, const char **v, size_t *vn)
{
    int r;

    skip_ws(s);
    *k = s->p + 1;
    r = skip_string(s);
    if (r < 0)
        return r;
    *kn = (size_t)(s->p - *k) - 1; /* without the closing quote */
    skip_ws(s);
    if (s->p >= s->end || *s->p != ':')
        return -EPROTO;
    s->p++;
    skip_ws(s);
    *v = s->p;
    r = skip_value(s, 1);
    if (r < 0)
        return r;
    *vn = (size_t)(s->p - *v);
    skip_ws(s);
    if (s->p >= s->end)
        return -EPROTO;
    if (*s->p == '}') {
        s->p++;
        return 0;
    }
    if (*s->p != ',')
        return -EPROTO;
    s->p++;
    return 1;
}

int g2d_jscan_member(const char *buf, size_t len, const char *key, const char **val, size_t *vlen)
{
    struct scan s = {buf, buf + len};
    size_t klen = strlen(key);
    int more = object_open(&s);

    while (more > 0) {
        const char *k, *v;
        size_t kn, vn;

        more = object_member(&s, &k, &kn, &v, &vn);
        if (more >= 0 && kn == klen && memcmp(k, key, klen) == 0) {
            *val = v;
            *vlen = vn;
            return 0;
        }
    }
    return more < 0 ? more : -ENOENT;
}

int g2d_jscan_array(const char *buf, size_t len, int (*cb)(const char *elem, size_t n, void *arg),
                    void *arg)
{
    struct scan s = {buf, buf + len};
    int r;

    skip_ws(&s);
    if (s.p >= s.end || *s.p != '[')
        return -EPROTO;
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == ']')
        return 0;
    for (;;) {
        const char *start;

        skip_ws(&s);
        start = s.p;
        r = skip_value(&s, 1);
        if (r < 0)
            return r;
        r = cb(start, (size_t)(s.p - start), arg);
        if (r)
            return r;
        skip_ws(&s);
        if (s.p >= s.end)
            return -EPROTO;
        if (*s.p == ']')
            return 0;
        if (*s.p != ',')
            return -EPROTO;
        s.p++;
    }
}

int g2d_jscan_members(const char *buf, size_t len, const char *const *keys, size_t nkeys,
                      const char **vals, size_t *vlens)
{
    struct scan s = {buf, buf + len};
    size_t i, found = 0;
    int more;

    for (i = 0; i < nkeys; i++) {
        vals[i] = NULL;
        vlens[i] = 0;
    }
    more = object_open(&s);
    while (more > 0) {
        const char *k, *v;
        size_t kn, vn;

        more = object_member(&s, &k, &kn, &v, &vn);
        if (more < 0)
            return more;
        for (i = 0; i < nkeys; i++) {
            if (!vals[i] && strlen(keys[i]) == kn && memcmp(k, keys[i], kn) == 0) {
                vals[i] = v;
                vlens[i] = vn;
                found++;
                break;
            }
        }
    }
    if (more < 0)
        return more;
    skip_ws(&s);
    return s.p == s.end ? (int)found : -EPROTO;
}
