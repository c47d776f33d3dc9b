/* SPDX-License-Identifier: MIT */
/*
 * Small encoders: hex, base64, RFC 3986 percent-encoding, SHA-256, random bytes and the
 * three timestamp formats the two clouds want. No global state.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "glue2dlf/encode.h"
#include "base/encode-internal.h"

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

void g2d_hex(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hex_lower[p[i] >> 4];
        out[2 * i + 1] = hex_lower[p[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

int g2d_base64(const void *in, size_t n, struct g2d_buf *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = in;
    char quad[4];
    size_t i;
    int r;

    if (n / 3 > (SIZE_MAX - 4) / 4)
        return -E2BIG;
    /* Check the ceiling up front so that a failure leaves the buffer unchanged. */
    if ((n + 2) / 3 * 4 > out->max || out->len > out->max - (n + 2) / 3 * 4)
        return -E2BIG;
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

        quad[0] = tbl[v >> 18];
        quad[1] = tbl[(v >> 12) & 0x3f];
        quad[2] = tbl[(v >> 6) & 0x3f];
        quad[3] = tbl[v & 0x3f];
        r = g2d_buf_append(out, quad, 4);
        if (r < 0)
            return r;
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16;

        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        quad[0] = tbl[v >> 18];
        quad[1] = tbl[(v >> 12) & 0x3f];
        quad[2] = i + 1 < n ? tbl[(v >> 6) & 0x3f] : '=';
        quad[3] = '=';
        r = g2d_buf_append(out, quad, 4);
        if (r < 0)
            return r;
    }
    /* An empty input still yields a valid (empty) C string. */
    if (n == 0)
        return g2d_buf_append(out, "", 0);
    return 0;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int g2d_uri_encode(const char *s, size_t n, int keep_slash, struct g2d_buf *out)
{
    size_t i, start = 0, oldlen = out->len;
    char esc[3];
    int r = 0;

    esc[0] = '%';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_unreserved(c) || (keep_slash && c == '/'))
            continue;
        /* Flush the run of bytes kept as they are, then the escape. */
        r = g2d_buf_append(out, s + start, i - start);
        if (r < 0)
            goto fail;
        esc[1] = hex_upper[c >> 4];
        esc[2] = hex_upper[c & 0x0f];
        r = g2d_buf_append(out, esc, 3);
        if (r < 0)
            goto fail;
        start = i + 1;
    }
    r = g2d_buf_append(out, s + start, n - start);
    if (r < 0)
        goto fail;
    return 0;
fail:
    out->len = oldlen;
    if (out->data)
        out->data[oldlen] = '\0';
    return r;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int g2d_uri_decode(const char *s, size_t n, struct g2d_buf *out)
{
    size_t i, oldlen = out->len;
    int r = 0;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int hi, lo;

            if (n - i < 3) {
                r = -EINVAL;
                goto fail;
            }
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                r = -EINVAL;
                goto fail;
            }
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        r = g2d_buf_putc(out, c);
        if (r < 0)
            goto fail;
    }
    if (n == 0)
        r = g2d_buf_append(out, "", 0);
    if (r < 0)
        goto fail;
    return 0;
fail:
    out->len = oldlen;
    if (out->data)
        out->data[oldlen] = '\0';
    return r;
}

int encode__sha256(const void *in, size_t n, uint8_t out[32])
{
    unsigned int len = 0;

    if (!EVP_Digest(in ? in : "", n, out, &len, EVP_sha256(), NULL) || len != 32)
        return -EIO;
    return 0;
}

void g2d_sha256(const void *in, size_t n, uint8_t out[32])
{
    /* The public signature cannot report failure (only possible when OpenSSL cannot
     * allocate); an all-zero digest then never matches anything real. */
    if (encode__sha256(in, n, out) < 0)
        memset(out, 0, 32);
}

void g2d_sha256_hex(const void *in, size_t n, char out[65])
{
    uint8_t md[32];

    g2d_sha256(in, n, md);
    g2d_hex(md, sizeof(md), out);
}

int g2d_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;

    while (n > 0) {
        int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;

        if (RAND_bytes(p, chunk) != 1)
            return -EIO;
        p += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

/*
 * Break @p t into UTC fields. Times outside the years 0000..9999 are clamped so that every
 * formatter always writes exactly its fixed width.
 */
static void utc_fields(int64_t t, struct tm *tm)
{
    const int64_t lo = -62167219200LL; /* 0000-01-01T00:00:00Z */
    const int64_t hi = 253402300799LL; /* 9999-12-31T23:59:59Z */
    time_t tt;

    if (t < lo)
        t = lo;
    if (t > hi)
        t = hi;
    tt = (time_t)t;
    memset(tm, 0, sizeof(*tm));
    if (!gmtime_r(&tt, tm)) {
        memset(tm, 0, sizeof(*tm));
        tm->tm_year = 70;
        tm->tm_mday = 1;
        tm->tm_wday = 4;
    }
}

static char *put_num(char *p, int v, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

void g2d_time_amz(int64_t t, char out[17])
{
    struct tm tm;
    char *p = out;

    utc_fields(t, &tm);
    p = put_num(p, tm.tm_year + 1900, 4);
    p = put_num(p, tm.tm_mon + 1, 2);
    p = put_num(p, tm.tm_mday, 2);
    *p++ = 'T';
    p = put_num(p, tm.tm_hour, 2);
    p = put_num(p, tm.tm_min, 2);
    p = put_num(p, tm.tm_sec, 2);
    *p++ = 'Z';
    *p = '\0';
}

void g2d_time_iso8601(int64_t t, char out[21])
{
    struct tm tm;
    char *p = out;

    utc_fields(t, &tm);
    p = put_num(p, tm.tm_year + 1900, 4);
    *p++ = '-';
    p = put_num(p, tm.tm_mon + 1, 2);
    *p++ = '-';
    p = put_num(p, tm.tm_mday, 2);
    *p++ = 'T';
    p = put_num(p, tm.tm_hour, 2);
    *p++ = ':';
    p = put_num(p, tm.tm_min, 2);
    *p++ = ':';
    p = put_num(p, tm.tm_sec, 2);
    *p++ = 'Z';
    *p = '\0';
}

void g2d_time_rfc1123(int64_t t, char out[30])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    char *p = out;

    utc_fields(t, &tm);
    memcpy(p, days[tm.tm_wday % 7], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = put_num(p, tm.tm_mday, 2);
    *p++ = ' ';
    memcpy(p, months[tm.tm_mon % 12], 3);
    p += 3;
    *p++ = ' ';
    p = put_num(p, tm.tm_year + 1900, 4);
    *p++ = ' ';
    p = put_num(p, tm.tm_hour, 2);
    *p++ = ':';
    p = put_num(p, tm.tm_min, 2);
    *p++ = ':';
    p = put_num(p, tm.tm_sec, 2);
    memcpy(p, " GMT", 5);
}
