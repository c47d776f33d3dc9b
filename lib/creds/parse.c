/* SPDX-License-Identifier: MIT */
/*
 * Answers of credential sources: the JSON of credential_process, of EC2 instance metadata
 * and of the container endpoint; the XML of STS; ISO 8601 expiry times. All of it is
 * outside input (fuzzed by tests/fuzz/fuzz_creds.c); secrets copied out of it are wiped by
 * g2d__cval_clear().
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creds/creds-internal.h"

#define FIELD_MAX 8192 /* longest id, secret or token we take */

void g2d__cval_clear(struct g2d__cval *v)
{
    free(v->id);
    g2d__wipe_free(v->secret);
    g2d__wipe_free(v->token);
    memset(v, 0, sizeof(*v));
}

static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int64_t g2d__parse_iso8601(const char *s)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, se, off = 0;
    const char *p;
    time_t t;

    if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return -1;
    y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 60)
        return -1;
    p = s + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = p[1] && p[2] ? digits(p + 1, 2) : -1, om;

        if (oh < 0 || !p[3] || (p[3] == ':' && !p[4]))
            return -1;
        om = p[3] == ':' ? digits(p + 4, 2) : digits(p + 3, 2);
        if (om < 0 || oh > 23 || om > 59)
            return -1;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += p[3] == ':' ? 6 : 5;
    }
    if (*p)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t - off;
}

static int take(char **dst, const char *src, size_t len, const char *name, char *why, size_t whysz)
{
    if (!src || !len || len > FIELD_MAX || memchr(src, '\0', len) || memchr(src, '\n', len)) {
        snprintf(why, whysz, "%s is missing, empty or malformed", name);
        return -EINVAL;
    }
    *dst = strndup(src, len);
    if (!*dst) {
        snprintf(why, whysz, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

static const char *jstr(json_t *o, const char *k, size_t *len)
{
    json_t *v = json_object_get(o, k);

    if (!json_is_string(v))
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

static int json_expiry(json_t *j, const char *key, bool required, struct g2d__cval *out, char *why,
                       size_t whysz)
{
    size_t l = 0;
    const char *e = jstr(j, key, &l);

    if (!e && !json_object_get(j, key) && !required)
        return 0;
    out->expiry = e ? g2d__parse_iso8601(e) : -1;
    if (out->expiry <= 0) {
        snprintf(why, whysz, "%s is missing or not an ISO 8601 time", key);
        return -EINVAL;
    }
    return 0;
}

static int json_fields(json_t *j, enum g2d__json_kind kind, struct g2d__cval *out, char *why,
                       size_t whysz)
{
    const char *tok_key = kind == G2D_JSON_PROCESS    ? "SessionToken"
                          : kind == G2D_JSON_METADATA ? "Token"
                                                      : "SecurityToken";
    const char *sec_key = kind == G2D_JSON_ALIBABA ? "AccessKeySecret" : "SecretAccessKey";
    const char *s;
    size_t l = 0;
    int r;

    s = jstr(j, "AccessKeyId", &l);
    r = take(&out->id, s, l, "AccessKeyId", why, whysz);
    if (r == 0) {
        s = jstr(j, sec_key, &l);
        r = take(&out->secret, s, l, sec_key, why, whysz);
    }
    if (r == 0 && (s = jstr(j, tok_key, &l)) && l)
        r = take(&out->token, s, l, tok_key, why, whysz);
    else if (r == 0 && kind != G2D_JSON_PROCESS) {
        snprintf(why, whysz, "%s is missing", tok_key);
        r = -EINVAL;
    }
    if (r == 0)
        r = json_expiry(j, "Expiration", kind != G2D_JSON_PROCESS, out, why, whysz);
    return r;
}

/* {"Code": "...", "Message": "..."}: -EACCES with "Code: Message". */
static int ali_sts_error(json_t *j, const char *code, char *why, size_t whysz)
{
    size_t l = 0;
    const char *m = jstr(j, "Message", &l);

    snprintf(why, whysz, "%.96s: %.256s", code, m ? m : "");
    for (char *p = why; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -EACCES;
}

int g2d__parse_cred_json(const char *body, size_t len, enum g2d__json_kind kind,
                         struct g2d__cval *out, char *why, size_t whysz)
{
    json_error_t jerr;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr), *ver, *inner;
    size_t l = 0;
    const char *code;
    int r;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(j)) {
        snprintf(why, whysz, "not a JSON object");
        json_decref(j);
        return -EINVAL;
    }
    ver = json_object_get(j, "Version");
    code = jstr(j, "Code", &l);
    if (kind == G2D_JSON_PROCESS && (!json_is_integer(ver) || json_integer_value(ver) != 1)) {
        snprintf(why, whysz, "Version is not 1");
        r = -EINVAL;
    } else if (kind == G2D_JSON_ALIBABA_STS) {
        inner = json_object_get(j, "Credentials");
        if (json_is_object(inner))
            r = json_fields(inner, G2D_JSON_ALIBABA, out, why, whysz);
        else if (code)
            r = ali_sts_error(j, code, why, whysz);
        else {
            snprintf(why, whysz, "STS answer has no Credentials");
            r = -EINVAL;
        }
    } else if (kind != G2D_JSON_PROCESS && code && strcmp(code, "Success") != 0) {
        snprintf(why, whysz, "Code is '%.64s', not 'Success'", code);
        r = -EINVAL;
    } else {
        r = json_fields(j, kind, out, why, whysz);
    }
    json_decref(j);
    if (r < 0)
        g2d__cval_clear(out);
    return r;
}

/* The text of the first <tag>...</tag> inside [p, end), or NULL. */
static const char *xml_elem(const char *p, const char *end, const char *tag, size_t *len)
{
    char open[64], close[64];
    size_t ol = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
    size_t cl = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
    const char *a = memmem(p, (size_t)(end - p), open, ol), *b;

    if (!a)
        return NULL;
    a += ol;
    b = memmem(a, (size_t)(end - a), close, cl);
    if (!b)
        return NULL;
    *len = (size_t)(b - a);
    return a;
}

/* Decode the five predefined XML entities into a new string; NULL on a bad one. */
static char *xml_text(const char *s, size_t n)
{
    static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    static const char rep[] = "&<>\"'";
    char *o = malloc(n + 1), *w = o;
    size_t i = 0, k;

    if (!o)
        return NULL;
    while (i < n) {
        if (s[i] != '&') {
            *w++ = s[i++];
            continue;
        }
        for (k = 0; k < 5; k++)
            if (n - i >= strlen(ent[k]) && memcmp(s + i, ent[k], strlen(ent[k])) == 0)
                break;
        if (k == 5) {
            explicit_bzero(o, n + 1);
            free(o);
            return NULL;
        }
        *w++ = rep[k];
        i += strlen(ent[k]);
    }
    *w = '\0';
    return o;
}

static int xml_take(char **dst, const char *p, const char *end, const char *tag, char *why,
                    size_t whysz)
{
    size_t l = 0;
    const char *s = xml_elem(p, end, tag, &l);
    char *t = s && l && l <= FIELD_MAX && !memchr(s, '<', l) ? xml_text(s, l) : NULL;
    int r;

    if (!t || !*t || strchr(t, '\n')) {
        g2d__wipe_free(t);
        snprintf(why, whysz, "STS answer: %s is missing or malformed", tag);
        return -EINVAL;
    }
    r = take(dst, t, strlen(t), tag, why, whysz);
    g2d__wipe_free(t);
    return r;
}

static int sts_error(const char *body, const char *end, char *why, size_t whysz)
{
    size_t cl = 0, ml = 0;
    const char *c = xml_elem(body, end, "Code", &cl), *m = xml_elem(body, end, "Message", &ml);

    if (!c) {
        snprintf(why, whysz, "STS answer has no Credentials");
        return -EINVAL;
    }
    snprintf(why, whysz, "%.*s: %.*s", (int)(cl > 96 ? 96 : cl), c, (int)(ml > 256 ? 256 : ml),
             m ? m : "");
    for (char *p = why; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -EACCES;
}

int g2d__parse_sts_xml(const char *body, size_t len, struct g2d__cval *out, char *why, size_t whysz)
{
    const char *end = body + len, *c, *exp;
    size_t cl = 0, el = 0;
    char ebuf[64];
    int r;

    memset(out, 0, sizeof(*out));
    c = xml_elem(body, end, "Credentials", &cl);
    if (!c)
        return sts_error(body, end, why, whysz);
    end = c + cl;
    r = xml_take(&out->id, c, end, "AccessKeyId", why, whysz);
    if (r == 0)
        r = xml_take(&out->secret, c, end, "SecretAccessKey", why, whysz);
    if (r == 0)
        r = xml_take(&out->token, c, end, "SessionToken", why, whysz);
    if (r == 0) {
        exp = xml_elem(c, end, "Expiration", &el);
        snprintf(ebuf, sizeof(ebuf), "%.*s", exp && el < sizeof(ebuf) ? (int)el : 0,
                 exp ? exp : "");
        out->expiry = g2d__parse_iso8601(ebuf);
        if (out->expiry <= 0) {
            snprintf(why, whysz, "STS answer: Expiration is missing or malformed");
            r = -EINVAL;
        }
    }
    if (r < 0)
        g2d__cval_clear(out);
    return r;
}
