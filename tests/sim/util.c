/* SPDX-License-Identifier: MIT */
/*
 * Small helpers: Java-style number output for Glue responses, request ids, date parsing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

/*
 * Integers from 1E7 up to 2^53 (times, sizes): their decimal digits are the shortest that
 * read back, so the form is digits[0] "." rest "E" exponent without the search below.
 */
static int java_double_int(double d, struct g2d_buf *out)
{
    unsigned long long v = (unsigned long long)fabs(d);
    char digits[24], buf[48];
    int nd = 0, i, exp10, n = 0;

    for (; v; v /= 10)
        digits[nd++] = (char)('0' + v % 10); /* reversed */
    exp10 = nd - 1;
    i = 0;
    while (i < nd - 1 && digits[i] == '0')
        i++; /* trailing zeros of the number */
    if (d < 0)
        buf[n++] = '-';
    buf[n++] = digits[nd - 1];
    buf[n++] = '.';
    if (i == nd - 1)
        buf[n++] = '0';
    else
        while (nd - 2 >= i)
            buf[n++] = digits[--nd - 1];
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, "E%d", exp10);
    return g2d_buf_append(out, buf, (size_t)n);
}

/* The general case: the shortest %e form that reads back, then Java's layout. */
static int java_double_search(double d, struct g2d_buf *out)
{
    char e[48], digits[24];
    int p, exp10, nd = 0, point, i, r = 0;
    const char *s;

    /* Shortest %e form that reads back as the same double. */
    for (p = 0; p < 17; p++) {
        snprintf(e, sizeof(e), "%.*e", p, d);
        if (strtod(e, NULL) == d)
            break;
    }
    s = e;
    if (*s == '-') {
        r |= g2d_buf_putc(out, '-');
        s++;
    }
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    digits[nd] = '\0';
    exp10 = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7) {
        point = exp10 + 1; /* digits before the decimal point */
        if (point <= 0) {
            r |= g2d_buf_puts(out, "0.");
            for (i = 0; i < -point; i++)
                r |= g2d_buf_putc(out, '0');
            r |= g2d_buf_puts(out, digits);
        } else if (point >= nd) {
            r |= g2d_buf_puts(out, digits);
            for (i = nd; i < point; i++)
                r |= g2d_buf_putc(out, '0');
            r |= g2d_buf_puts(out, ".0");
        } else {
            r |= g2d_buf_append(out, digits, (size_t)point);
            r |= g2d_buf_putc(out, '.');
            r |= g2d_buf_puts(out, digits + point);
        }
    } else {
        r |= g2d_buf_putc(out, digits[0]);
        r |= g2d_buf_putc(out, '.');
        r |= g2d_buf_puts(out, nd > 1 ? digits + 1 : "0");
        r |= g2d_buf_printf(out, "E%d", exp10);
    }
    return r ? -ENOMEM : 0;
}

int sim_java_double(double d, struct g2d_buf *out)
{
    if (d == 0)
        return g2d_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
    if (fabs(d) >= 1e7 && fabs(d) <= 9007199254740992.0 && d == floor(d))
        return java_double_int(d, out);
    return java_double_search(d, out);
}

char *sim_dump_java(const json_t *v)
{
    char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    struct g2d_buf out;
    const char *p;
    int in_str = 0, r = 0;

    if (!raw)
        return NULL;
    g2d_buf_init(&out, 0);
    for (p = raw; *p && r == 0;) {
        if (in_str) {
            if (*p == '\\' && p[1]) {
                r = g2d_buf_append(&out, p, 2);
                p += 2;
                continue;
            }
            if (*p == '"')
                in_str = 0;
            r = g2d_buf_putc(&out, *p++);
        } else if (*p == '"') {
            in_str = 1;
            r = g2d_buf_putc(&out, *p++);
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            size_t n = strspn(p, "-+0123456789.eE");

            if (memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n))
                r = sim_java_double(strtod(p, NULL), &out);
            else
                r = g2d_buf_append(&out, p, n);
            p += n;
        } else {
            r = g2d_buf_putc(&out, *p++);
        }
    }
    free(raw);
    if (r) {
        g2d_buf_done(&out);
        return NULL;
    }
    return g2d_buf_steal(&out);
}

/*
 * The refusal of a PageSize above @p max, naming the limit the way lib/cloud/limits.c
 * reads it (an invalid-input code, "PageSize", the limit as the largest smaller number).
 */
void sim_dlf_page_msg(char *buf, size_t size, unsigned max)
{
    snprintf(buf, size, "PageSize must be between 1 and %u.", max);
}

void sim_request_id(struct sim *sim, char out[40])
{
    uint64_t st =
        __atomic_add_fetch(&sim->reqid_state, 2 * 0x9E3779B97F4A7C15ULL, __ATOMIC_RELAXED);
    uint64_t a = sim_splitmix64(&st), b = sim_splitmix64(&st);

    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

static int parse_fmt(const char *s, const char *fmt, int64_t *t)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    if (!s)
        return -EINVAL;
    end = strptime(s, fmt, &tm);
    if (!end || *end)
        return -EINVAL;
    *t = (int64_t)timegm(&tm);
    return 0;
}

int sim_parse_amz_date(const char *s, int64_t *t)
{
    if (!s || strlen(s) != 16)
        return -EINVAL;
    return parse_fmt(s, "%Y%m%dT%H%M%SZ", t);
}

int sim_parse_iso8601(const char *s, int64_t *t)
{
    if (!s || strlen(s) != 20)
        return -EINVAL;
    return parse_fmt(s, "%Y-%m-%dT%H:%M:%SZ", t);
}

int sim_parse_rfc1123(const char *s, int64_t *t)
{
    return parse_fmt(s, "%a, %d %b %Y %H:%M:%S GMT", t);
}

/* ---- nonce set ---- */

void sim_nonces_init(struct sim_nonces *ns)
{
    memset(ns, 0, sizeof(*ns));
}

static size_t nonce_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SIM_NONCE_BUCKETS;
}

void sim_nonces_done(struct sim_nonces *ns)
{
    size_t i;

    if (!ns)
        return;
    for (i = 0; i < SIM_NONCE_BUCKETS; i++) {
        struct sim_nonce *n = ns->bucket[i], *next;

        for (; n; n = next) {
            next = n->next;
            free(n->s);
            free(n);
        }
    }
    free(ns->ring);
    sim_nonces_init(ns);
}

int sim_nonce_seen(struct sim_nonces *ns, const char *nonce)
{
    size_t h = nonce_hash(nonce);
    struct sim_nonce *n;

    for (n = ns->bucket[h]; n; n = n->next)
        if (strcmp(n->s, nonce) == 0)
            return 1;
    if (!ns->ring) {
        ns->ring = calloc(SIM_NONCE_MAX, sizeof(*ns->ring));
        if (!ns->ring)
            return -ENOMEM;
    }
    if (ns->n == SIM_NONCE_MAX) {
        struct sim_nonce *old = ns->ring[ns->head], **pp;

        for (pp = &ns->bucket[nonce_hash(old->s)]; *pp != old; pp = &(*pp)->next)
            ;
        *pp = old->next;
        free(old->s);
        free(old);
        ns->head = (ns->head + 1) % SIM_NONCE_MAX;
        ns->n--;
    }
    n = malloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->s = strdup(nonce);
    if (!n->s) {
        free(n);
        return -ENOMEM;
    }
    n->next = ns->bucket[h];
    ns->bucket[h] = n;
    ns->ring[(ns->head + ns->n) % SIM_NONCE_MAX] = n;
    ns->n++;
    return 0;
}
