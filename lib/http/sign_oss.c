/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud OSS signers: Signature V4 (OSS4-HMAC-SHA256) and V1 (HMAC-SHA1,
 * "OSS AK:signature"). Both follow the OSS SDKs' signers (alibabacloud-oss-go-sdk-v2
 * oss/signer/v4.go and v1.go), whose published expectations are unit tests in
 * tests/unit/test_sign_oss.c.
 *
 * V4: canonical request = method, the URI "/bucket/key" percent-encoded except '/', the
 * query (names and values RFC 3986-encoded, sorted by encoded name, "name" alone when the
 * value is empty), the signed headers (every x-oss-*, Content-Type and Content-MD5, plus
 * the additional headers the caller names) as "name:trimmed value\n", the additional
 * header names joined by ';', and the payload hash (the x-oss-content-sha256 header,
 * else UNSIGNED-PAYLOAD). The signing key is HMAC-SHA256 chained over "aliyun_v4" +
 * secret, the date, the region (without "oss-"), "oss" and "aliyun_v4_request".
 *
 * V1: string to sign = method, Content-MD5, Content-Type, Date, the x-oss-* headers
 * ("name:value\n", sorted) and the resource "/bucket/key" with the signed sub-resources
 * of the query (decoded, sorted).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "glue2dlf/encode.h"
#include "glue2dlf/sign.h"
#include "base/encode-internal.h"
#include "http/sign-internal.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* @p v with leading and trailing blanks removed, appended to @p out. */
static int put_trimmed(struct g2d_buf *out, const char *v)
{
    size_t n = strlen(v);

    while (n && is_blank(*v))
        v++, n--;
    while (n && is_blank(v[n - 1]))
        n--;
    return g2d_buf_append(out, v, n);
}

static int is_default_signed(const char *low)
{
    return strncmp(low, "x-oss-", 6) == 0 || strcmp(low, "content-type") == 0 ||
           strcmp(low, "content-md5") == 0;
}

static int valid_id(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!s || !*s)
        return 0;
    for (; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ',' || *p == ':')
            return 0;
    return 1;
}

/* 1 if the lower-cased @p low is named (any case) in @p add. */
static int named(const char *low, const char *const *add, size_t nadd)
{
    size_t i;

    for (i = 0; i < nadd; i++)
        if (add[i] && strcasecmp(add[i], low) == 0)
            return 1;
    return 0;
}

/*
 * Canonical headers ("name:value\n", equal names joined by ',') of the sorted @p h whose
 * names pass default-signed (V4: and additional, V1: x-oss- only); @p addl receives the
 * additional names (V4) joined by ';'.
 */
static int put_headers(struct g2d_buf *out, struct g2d_buf *addl, const struct sign__hdr *h,
                       size_t n, const char *const *add, size_t nadd, int v1)
{
    const char *prev = NULL;
    size_t i;
    int r = 0;

    for (i = 0; i < n && r == 0; i++) {
        int dflt = v1 ? strncmp(h[i].name, "x-oss-", 6) == 0 : is_default_signed(h[i].name);
        int extra = !v1 && !dflt && named(h[i].name, add, nadd);

        if (!dflt && !extra)
            continue;
        if (prev && strcmp(prev, h[i].name) == 0) {
            r = g2d_buf_putc(out, ',');
        } else {
            r = g2d_buf_printf(out, "%s%s:", prev ? "\n" : "", h[i].name);
            if (r == 0 && extra && addl)
                r = g2d_buf_printf(addl, "%s%s", addl->len ? ";" : "", h[i].name);
        }
        prev = h[i].name;
        if (r == 0)
            r = put_trimmed(out, h[i].value);
    }
    if (r == 0 && prev)
        r = g2d_buf_putc(out, '\n');
    return r;
}

static int enc_param_cmp(const void *a, const void *b)
{
    const struct sign__param *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

/* V4 canonical query: encoded, sorted by encoded name; an empty value gives "name". */
static int put_query4(struct g2d_buf *out, const struct g2d_kv *q, size_t n)
{
    struct sign__param *p;
    struct g2d_buf enc;
    size_t i, *off;
    int r = 0;

    if (n == 0)
        return 0;
    p = calloc(n, sizeof(*p));
    off = calloc(2 * n, sizeof(*off));
    g2d_buf_init(&enc, SIGN__MAX);
    if (!p || !off)
        r = -ENOMEM;
    for (i = 0; i < n && r == 0; i++) {
        off[2 * i] = enc.len;
        r = g2d_uri_encode(q[i].name, strlen(q[i].name), 0, &enc);
        if (r == 0)
            r = g2d_buf_putc(&enc, '\0');
        off[2 * i + 1] = enc.len;
        if (r == 0)
            r = g2d_uri_encode(q[i].value ? q[i].value : "", q[i].value ? strlen(q[i].value) : 0, 0,
                               &enc);
        if (r == 0)
            r = g2d_buf_putc(&enc, '\0');
    }
    for (i = 0; i < n && r == 0; i++) {
        p[i].name = enc.data + off[2 * i];
        p[i].value = enc.data + off[2 * i + 1];
        p[i].idx = i;
    }
    if (r == 0)
        qsort(p, n, sizeof(*p), enc_param_cmp);
    for (i = 0; i < n && r == 0; i++)
        r = g2d_buf_printf(out, "%s%s%s%s", i ? "&" : "", p[i].name, *p[i].value ? "=" : "",
                           p[i].value);
    g2d_buf_done(&enc);
    free(off);
    free(p);
    return r;
}

static const char *hdr_value(const struct g2d_sign_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

/* 1 if @p d is `YYYYMMDDTHHMMSSZ`. */
static int valid_oss_date(const char *d)
{
    size_t i;

    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

static int oss4_canonical(const struct g2d_sign_req *req, const char *const *add, size_t nadd,
                          struct g2d_buf *cr, struct g2d_buf *addl)
{
    struct sign__hdr *h = NULL;
    const char *path = req->path && *req->path ? req->path : "/";
    const char *payload = hdr_value(req, "x-oss-content-sha256");
    int r;

    r = sign__hdrs_collect(req->headers, req->nheaders, &h);
    if (r < 0)
        return r;
    r = g2d_buf_printf(cr, "%s\n", req->method);
    if (r == 0)
        r = g2d_uri_encode(path, strlen(path), 1, cr);
    if (r == 0)
        r = g2d_buf_putc(cr, '\n');
    if (r == 0)
        r = put_query4(cr, req->query, req->nquery);
    if (r == 0)
        r = g2d_buf_putc(cr, '\n');
    if (r == 0)
        r = put_headers(cr, addl, h, req->nheaders, add, nadd, 0);
    if (r == 0)
        r = g2d_buf_printf(cr, "\n%s\n%s", g2d_buf_cstr(addl),
                           payload ? payload : "UNSIGNED-PAYLOAD");
    sign__hdrs_free(h, req->nheaders);
    return r;
}

/* The V4 signature of @p sts (hex into @p hex). */
static int oss4_signature(const char *secret, const char *date8, const char *region,
                          const struct g2d_buf *sts, char hex[65])
{
    const char *const steps[] = {region, "oss", "aliyun_v4_request"};
    uint8_t key[32], next[32], mac[32];
    size_t klen = strlen(secret) + 9, i;
    char *k0 = malloc(klen + 1);
    int r;

    if (!k0)
        return -ENOMEM;
    memcpy(k0, "aliyun_v4", 9);
    memcpy(k0 + 9, secret, klen - 9 + 1);
    r = sign__hmac_sha256(k0, klen, date8, 8, key);
    OPENSSL_cleanse(k0, klen);
    free(k0);
    for (i = 0; i < 3 && r == 0; i++) {
        r = sign__hmac_sha256(key, 32, steps[i], strlen(steps[i]), next);
        memcpy(key, next, 32);
    }
    if (r == 0)
        r = sign__hmac_sha256(key, 32, sts->data, sts->len, mac);
    if (r == 0)
        g2d_hex(mac, 32, hex);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(next, sizeof(next));
    return r;
}

int g2d_oss4_sign(const struct g2d_sign_req *req, const char *const *additional, size_t nadditional,
                  const char *access_key_id, const char *secret, const char *region,
                  const char *oss_date, struct g2d_buf *auth_out, char *sig_out,
                  struct g2d_sign_debug *dbg)
{
    struct g2d_buf cr, addl, sts, auth;
    char date8[9], crhash[65], sig[65];
    int r;

    if (!req || !req->method || !sign__is_token(req->method) || !valid_id(access_key_id) ||
        !secret || !*secret || !valid_id(region) || !valid_oss_date(oss_date) || !auth_out ||
        (nadditional && !additional))
        return -EINVAL;
    memcpy(date8, oss_date, 8);
    date8[8] = '\0';
    g2d_buf_init(&cr, SIGN__MAX);
    g2d_buf_init(&addl, SIGN__MAX);
    g2d_buf_init(&sts, SIGN__MAX);
    g2d_buf_init(&auth, SIGN__MAX);
    r = oss4_canonical(req, additional, nadditional, &cr, &addl);
    if (r == 0) {
        g2d_sha256_hex(cr.data, cr.len, crhash);
        r = g2d_buf_printf(&sts, "OSS4-HMAC-SHA256\n%s\n%s/%s/oss/aliyun_v4_request\n%s", oss_date,
                           date8, region, crhash);
    }
    if (r == 0)
        r = oss4_signature(secret, date8, region, &sts, sig);
    if (r == 0)
        r = g2d_buf_printf(&auth,
                           "OSS4-HMAC-SHA256 Credential=%s/%s/%s/oss/aliyun_v4_request%s%s"
                           ",Signature=%s",
                           access_key_id, date8, region, addl.len ? ",AdditionalHeaders=" : "",
                           g2d_buf_cstr(&addl), sig);
    if (r == 0)
        r = sign__debug_fill(dbg, &cr, &sts);
    if (r == 0)
        r = sign__buf_set(auth_out, &auth);
    if (r == 0 && sig_out)
        memcpy(sig_out, sig, 65);
    g2d_buf_done(&cr);
    g2d_buf_done(&addl);
    g2d_buf_done(&sts);
    g2d_buf_done(&auth);
    return r;
}

/* The query parameters OSS V1 signs as sub-resources (v1.go requiredSignedParametersMap). */
static int v1_subresource(const char *name)
{
    static const char *const list[] = {
        "acl",
        "bucketInfo",
        "location",
        "stat",
        "delete",
        "append",
        "tagging",
        "objectMeta",
        "uploads",
        "uploadId",
        "partNumber",
        "security-token",
        "position",
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "restore",
        "callback",
        "callback-var",
        "versions",
        "versioning",
        "versionId",
        "sequential",
        "continuation-token",
        "regionList",
        "cloudboxes",
        "symlink",
    };
    size_t i;

    if (strncmp(name, "x-oss-", 6) == 0)
        return 1;
    for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

/* V1 resource: the raw path, then '?' and the signed sub-resources sorted by name. */
static int put_resource1(struct g2d_buf *out, const struct g2d_sign_req *req)
{
    struct sign__param *p = NULL;
    size_t i, n = 0;
    int r;

    r = g2d_buf_puts(out, req->path && *req->path ? req->path : "/");
    if (r || req->nquery == 0)
        return r;
    p = calloc(req->nquery, sizeof(*p));
    if (!p)
        return -ENOMEM;
    for (i = 0; i < req->nquery; i++)
        if (req->query[i].name && v1_subresource(req->query[i].name)) {
            p[n].name = req->query[i].name;
            p[n].value = req->query[i].value ? req->query[i].value : "";
            p[n].idx = n;
            n++;
        }
    sign__params_sort(p, n);
    for (i = 0; i < n && r == 0; i++)
        r = g2d_buf_printf(out, "%s%s%s%s", i ? "&" : "?", p[i].name, *p[i].value ? "=" : "",
                           p[i].value);
    free(p);
    return r;
}

int g2d_oss1_sign(const struct g2d_sign_req *req, const char *access_key_id, const char *secret,
                  struct g2d_buf *auth_out, char *sig_out, struct g2d_sign_debug *dbg)
{
    struct sign__hdr *h = NULL;
    struct g2d_buf sts, auth;
    const char *md5, *ctype, *date;
    uint8_t mac[20];
    int r;

    if (!req || !req->method || !sign__is_token(req->method) || !valid_id(access_key_id) ||
        !secret || !*secret || !auth_out)
        return -EINVAL;
    md5 = hdr_value(req, "content-md5");
    ctype = hdr_value(req, "content-type");
    date = hdr_value(req, "date");
    r = sign__hdrs_collect(req->headers, req->nheaders, &h);
    if (r < 0)
        return r;
    g2d_buf_init(&sts, SIGN__MAX);
    g2d_buf_init(&auth, SIGN__MAX);
    r = g2d_buf_printf(&sts, "%s\n%s\n%s\n%s\n", req->method, md5 ? md5 : "", ctype ? ctype : "",
                       date ? date : "");
    if (r == 0)
        r = put_headers(&sts, NULL, h, req->nheaders, NULL, 0, 1);
    if (r == 0)
        r = put_resource1(&sts, req);
    if (r == 0)
        r = sign__hmac_sha1(secret, strlen(secret), sts.data, sts.len, mac);
    if (r == 0)
        r = g2d_buf_printf(&auth, "OSS %s:", access_key_id);
    if (r == 0)
        r = g2d_base64(mac, sizeof(mac), &auth);
    if (r == 0 && sig_out)
        snprintf(sig_out, 29, "%s", auth.data + strlen(access_key_id) + 5);
    if (r == 0)
        r = sign__debug_fill(dbg, NULL, &sts);
    if (r == 0)
        r = sign__buf_set(auth_out, &auth);
    sign__hdrs_free(h, req->nheaders);
    g2d_buf_done(&sts);
    g2d_buf_done(&auth);
    return r;
}
