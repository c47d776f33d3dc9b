/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "jscan.h"

struct scan {
    const char *p, *end;
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Past a string starting at its opening quote. */
static int skip_string(struct scan *s)
{
    if (s->p >= s->end || *s->p != '"')
        return -EPROTO;
    for (s->p++; s->p < s->end; s->p++) {
        unsigned char c = (unsigned char)*s->p;

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
                    if (s->p >= s->end || !strchr("0123456789abcdefABCDEF", *s->p) || !*s->p)
                        return -EPROTO;
                }
            } else if (!strchr("\"\\/bfnrt", *s->p) || !*s->p) {
                return -EPROTO;
            }
        }
    }
    return -EPROTO;
}

static int skip_value(struct scan *s, int depth);

/* Past a literal or a number: the characters that can make one up. */
static int skip_scalar(struct scan *s)
{
    const char *start = s->p;

    while (s->p < s->end && (strchr("+-.0123456789eEtruefalsn", *s->p) && *s->p))
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

int g2d_jscan_member(const char *buf, size_t len, const char *key, const char **val, size_t *vlen)
{
    struct scan s = {buf, buf + len};
    size_t klen = strlen(key);
    int r;

    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return -EPROTO;
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}')
        return -ENOENT;
    for (;;) {
        const char *k, *v;
        size_t kn;

        skip_ws(&s);
        k = s.p + 1;
        r = skip_string(&s);
        if (r < 0)
            return r;
        kn = (size_t)(s.p - k) - 1; /* without the closing quote */
        skip_ws(&s);
        if (s.p >= s.end || *s.p != ':')
            return -EPROTO;
        s.p++;
        skip_ws(&s);
        v = s.p;
        r = skip_value(&s, 1);
        if (r < 0)
            return r;
        if (kn == klen && memcmp(k, key, klen) == 0) {
            *val = v;
            *vlen = (size_t)(s.p - v);
            return 0;
        }
        skip_ws(&s);
        if (s.p >= s.end)
            return -EPROTO;
        if (*s.p == '}')
            return -ENOENT;
        if (*s.p != ',')
            return -EPROTO;
        s.p++;
    }
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
