/* SPDX-License-Identifier: MIT */
/* The OSS client pieces of the result log. See include/glue2dlf/oss.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/oss.h"
#include "glue2dlf/sign.h"

/* 1 if the host of @p url (scheme://host[:port]) is an IP literal or localhost. */
static int host_is_literal(const char *url)
{
    const char *h = strstr(url, "://");
    char host[256];
    unsigned char sa[16];
    size_t n;

    h = h ? h + 3 : url;
    if (*h == '[')
        return 1;
    n = strcspn(h, ":/");
    if (n == 0 || n >= sizeof(host))
        return 0;
    memcpy(host, h, n);
    host[n] = '\0';
    return strcasecmp(host, "localhost") == 0 || inet_pton(AF_INET, host, sa) == 1;
}

int g2d_oss_base_url(const char *bucket, const char *region, bool internal, const char *override,
                     char **base, bool *path_style)
{
    struct g2d_buf b;
    const char *h;
    int r;

    *base = NULL;
    *path_style = false;
    if (!bucket || (!override && !region))
        return -EINVAL;
    if (region && strncmp(region, "oss-", 4) == 0)
        region += 4;
    g2d_buf_init(&b, 4096);
    if (override && host_is_literal(override)) {
        *path_style = true;
        r = g2d_buf_puts(&b, override);
    } else if (override) {
        h = strstr(override, "://");
        if (!h)
            return -EINVAL;
        r = g2d_buf_printf(&b, "%.*s%s.%s", (int)(h + 3 - override), override, bucket, h + 3);
    } else {
        r = g2d_buf_printf(&b, "https://%s.oss-%s%s.aliyuncs.com", bucket, region,
                           internal ? "-internal" : "");
    }
    while (r == 0 && b.len && b.data[b.len - 1] == '/')
        b.data[--b.len] = '\0';
    if (r == 0)
        *base = g2d_buf_steal(&b);
    g2d_buf_done(&b);
    return r ? r : *base ? 0 : -ENOMEM;
}

int g2d_oss_object_name(char *out, size_t outsz, int64_t start_unix, uint64_t cycle_id,
                        unsigned part)
{
    time_t t = (time_t)start_unix;
    struct tm tm;
    int n;

    if (!gmtime_r(&t, &tm))
        return -EINVAL;
    n = snprintf(out, outsz, "%04d%02d%02dT%02d%02d%02dZ-cycle-%06" PRIu64 "-part-%04u.jsonl",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 cycle_id, part);
    return n < 0 || (size_t)n >= outsz ? -ENOSPC : n;
}

/* Parse exactly @p n digits at *@p p (advanced). */
static int digits(const char **p, int n, long long *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

int g2d_oss_object_name_parse(const char *name, int64_t *start_unix, uint64_t *cycle_id,
                              unsigned *part)
{
    const char *p = name;
    long long f[6];
    struct tm tm = {0};
    char *end;
    unsigned long long c, pt;
    static const int w[6] = {4, 2, 2, 2, 2, 2};

    for (int i = 0; i < 6; i++) {
        if (digits(&p, w[i], &f[i]) < 0)
            return -EINVAL;
        if (i == 2 && *p++ != 'T')
            return -EINVAL;
    }
    if (strncmp(p, "Z-cycle-", 8) != 0 || !isdigit((unsigned char)p[8]))
        return -EINVAL;
    errno = 0;
    c = strtoull(p + 8, &end, 10);
    if (errno || end - (p + 8) < 6 || strncmp(end, "-part-", 6) != 0 ||
        !isdigit((unsigned char)end[6]))
        return -EINVAL;
    p = end + 6;
    pt = strtoull(p, &end, 10);
    if (errno || end - p < 4 || pt > 99999999 || strcmp(end, ".jsonl") != 0)
        return -EINVAL;
    tm.tm_year = (int)f[0] - 1900;
    tm.tm_mon = (int)f[1] - 1;
    tm.tm_mday = (int)f[2];
    tm.tm_hour = (int)f[3];
    tm.tm_min = (int)f[4];
    tm.tm_sec = (int)f[5];
    *start_unix = (int64_t)timegm(&tm);
    *cycle_id = c;
    *part = (unsigned)pt;
    return 0;
}

/* Copy the text of the first <tag>...</tag> in [b, b+len) into @p out, decoded. */
static int xml_text(const char *b, size_t len, const char *tag, char *out, size_t outsz)
{
    char open[40], close[40];
    const char *s, *e;
    size_t on, o = 0;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    on = strlen(open);
    s = memmem(b, len, open, on);
    if (!s)
        return -ENOENT;
    s += on;
    e = memmem(s, len - (size_t)(s - b), close, strlen(close));
    if (!e)
        return -ENOENT;
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    while (s < e && o + 1 < outsz) {
        char c = *s++;
        size_t i;

        if (c == '&')
            for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
                size_t n = strlen(ents[i].ent);

                if ((size_t)(e - (s - 1)) >= n && memcmp(s - 1, ents[i].ent, n) == 0) {
                    c = ents[i].c;
                    s += n - 1;
                    break;
                }
            }
        out[o++] = (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c;
    }
    out[o] = '\0';
    return 0;
}

int g2d_oss_error_parse(const char *body, size_t len, char *code, size_t codesz, char *msg,
                        size_t msgsz)
{
    const char *err;

    if (codesz)
        code[0] = '\0';
    if (msgsz)
        msg[0] = '\0';
    if (!body || !codesz || !msgsz)
        return -ENOENT;
    err = memmem(body, len, "<Error>", 7);
    if (!err)
        return -ENOENT;
    len -= (size_t)(err - body);
    if (xml_text(err, len, "Code", code, codesz) < 0)
        return -ENOENT;
    (void)xml_text(err, len, "Message", msg, msgsz);
    return 0;
}

int g2d_oss_md5(const void *data, size_t n, char *out, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    struct g2d_buf b;
    int r;

    if (!EVP_Digest(data, n, md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
        return -EIO;
    g2d_buf_init(&b, 64);
    r = g2d_base64(md, mdlen, &b);
    if (r == 0)
        snprintf(out, 25, "%s", g2d_buf_cstr(&b));
    g2d_buf_done(&b);
    if (hex) {
        g2d_hex(md, mdlen, hex);
        for (size_t i = 0; hex[i]; i++)
            hex[i] = (char)toupper((unsigned char)hex[i]);
    }
    return r;
}

/* The resource the signers see: "/bucket/key", whatever the addressing style. */
static int resource(const struct g2d_oss_ctx *o, const char *path, struct g2d_buf *out)
{
    if (o->path_style)
        return g2d_buf_puts(out, path);
    return g2d_buf_printf(out, "/%s%s", o->bucket, path);
}

static int add_all(struct g2d_http_attempt *a, const struct g2d_kv *h, size_t n)
{
    int r = 0;

    for (size_t i = 0; i < n && r == 0; i++)
        r = g2d_http_attempt_add_header(a, h[i].name, h[i].value);
    return r;
}

int g2d_oss_prepare(struct g2d_http_attempt *a, void *ctx)
{
    const struct g2d_oss_ctx *o = ctx;
    struct g2d_oss_creds c = {0};
    struct g2d_kv h[8];
    struct g2d_buf auth, res;
    struct g2d_sign_req req = {0};
    char date[30], odate[17], md5[25];
    size_t n = 0;
    int r;

    r = o->creds(o->creds_arg, &c);
    if (r < 0 || !c.access_key_id || !c.access_key_secret)
        return r < 0 ? r : -ENOKEY;
    g2d_time_rfc1123(a->now, date);
    h[n++] = (struct g2d_kv){"Date", date};
    if (a->body) {
        r = g2d_oss_md5(a->body, a->body_len, md5, NULL);
        if (r < 0)
            return r;
        h[n++] = (struct g2d_kv){"Content-MD5", md5};
        h[n++] = (struct g2d_kv){"Content-Type", "application/x-ndjson"};
    }
    if (c.security_token && *c.security_token)
        h[n++] = (struct g2d_kv){"x-oss-security-token", c.security_token};
    if (o->signature == G2D_OSS_SIG_V4) {
        g2d_time_amz(a->now, odate);
        h[n++] = (struct g2d_kv){"x-oss-date", odate};
        h[n++] = (struct g2d_kv){"x-oss-content-sha256", "UNSIGNED-PAYLOAD"};
    }
    g2d_buf_init(&auth, 4096);
    g2d_buf_init(&res, 4096);
    r = resource(o, a->path, &res);
    req = (struct g2d_sign_req){.method = a->method,
                                .path = g2d_buf_cstr(&res),
                                .query = a->query,
                                .nquery = a->nquery,
                                .headers = h,
                                .nheaders = n};
    if (r == 0 && o->signature == G2D_OSS_SIG_V4)
        r = g2d_oss4_sign(&req, NULL, 0, c.access_key_id, c.access_key_secret, o->region, odate,
                          &auth, NULL, NULL);
    else if (r == 0)
        r = g2d_oss1_sign(&req, c.access_key_id, c.access_key_secret, &auth, NULL, NULL);
    if (r == 0)
        r = add_all(a, h, n);
    if (r == 0)
        r = g2d_http_attempt_add_header(a, "Authorization", g2d_buf_cstr(&auth));
    g2d_buf_done(&auth);
    g2d_buf_done(&res);
    return r;
}

enum g2d_http_verdict g2d_oss_classify(struct g2d_http_response *resp, void *ctx)
{
    (void)ctx;
    if (resp->status >= 200 && resp->status < 300)
        return G2D_HTTP_OK;
    if (g2d_oss_error_parse(resp->body, resp->body_len, resp->error_code, sizeof(resp->error_code),
                            resp->error_message, sizeof(resp->error_message)) < 0)
        snprintf(resp->error_message, sizeof(resp->error_message), "HTTP %ld from OSS",
                 resp->status);
    if (resp->status == 429)
        return G2D_HTTP_RETRY_THROTTLE;
    if (resp->status >= 500 || strcmp(resp->error_code, "RequestTimeTooSkewed") == 0)
        return G2D_HTTP_RETRY;
    return G2D_HTTP_FAIL;
}
