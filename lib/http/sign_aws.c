/* SPDX-License-Identifier: MIT */
/*
 * AWS Signature Version 4, header signing (glue-api.md §3.1).
 *
 * The path is taken as raw (decoded) bytes: it is normalised (empty and "." segments
 * dropped, ".." resolved) and each segment is percent-encoded once. That equals the AWS
 * non-S3 rule "encode the already-encoded wire path a second time" for a wire path that
 * is the single encoding of the raw one, and gives `/%E1%88%B4` for get-utf8.
 *
 * Header values are trimmed and runs of blanks collapsed to one space. A value holding
 * line breaks (an obs-folded header, vector get-header-value-multiline) counts as one
 * value per non-empty line, and repeated header names are joined with ',' in the order
 * given, as the 2015 test suite expects (`my-header1:value1,value2,value3`).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "glue2dlf/encode.h"
#include "glue2dlf/sign.h"
#include "base/encode-internal.h"
#include "http/sign-internal.h"

static const char algorithm[] = "AWS4-HMAC-SHA256";

/* `YYYYMMDDTHHMMSSZ` */
static int valid_amz_date(const char *d)
{
    size_t i;

    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

/* Access key id, region and service go into the credential scope: no '/', ',' or blanks. */
static int valid_scope_part(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!s || !*s)
        return 0;
    for (; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ',')
            return 0;
    return 1;
}

static int put_canonical_uri(const char *path, struct g2d_buf *out)
{
    size_t plen = strlen(path), nseg = 0, i, start;
    size_t *seg = NULL; /* pairs (offset, length) of the kept segments */
    int r;

    if (plen == 0)
        return g2d_buf_putc(out, '/');
    if (path[0] != '/')
        return -EINVAL;
    /* At most one segment per '/' in the path. */
    seg = calloc(plen, 2 * sizeof(*seg));
    if (!seg)
        return -ENOMEM;
    for (i = 1, start = 1; i <= plen; i++) {
        size_t n;

        if (i < plen && path[i] != '/')
            continue;
        n = i - start;
        if (n == 0 || (n == 1 && path[start] == '.')) {
            /* Empty or "." segment: dropped. */
        } else if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
            if (nseg > 0)
                nseg--;
        } else {
            seg[2 * nseg] = start;
            seg[2 * nseg + 1] = n;
            nseg++;
        }
        start = i + 1;
    }
    r = g2d_buf_putc(out, '/');
    for (i = 0; r == 0 && i < nseg; i++) {
        if (i > 0)
            r = g2d_buf_putc(out, '/');
        if (r == 0)
            r = g2d_uri_encode(path + seg[2 * i], seg[2 * i + 1], 0, out);
    }
    if (r == 0 && nseg > 0 && path[plen - 1] == '/')
        r = g2d_buf_putc(out, '/');
    free(seg);
    return r;
}

/* Canonical query: encoded names and values, sorted by encoded name then value. */
static int put_canonical_query(const struct g2d_kv *q, size_t n, struct g2d_buf *out)
{
    struct sign__param *p = NULL;
    size_t *off = NULL; /* pairs (name, value) of offsets into the arena */
    struct g2d_buf arena;
    size_t i;
    int r = 0;

    if (n == 0)
        return 0;
    if (!q)
        return -EINVAL;
    g2d_buf_init(&arena, SIGN__MAX);
    p = calloc(n, sizeof(*p));
    off = calloc(n, 2 * sizeof(*off));
    if (!p || !off) {
        r = -ENOMEM;
        goto out;
    }
    /* Encode everything into one arena of "name\0value\0" pairs; the pointers are set
     * once the arena no longer moves. */
    for (i = 0; i < n; i++) {
        if (!q[i].name) {
            r = -EINVAL;
            goto out;
        }
        off[2 * i] = arena.len;
        r = g2d_uri_encode(q[i].name, strlen(q[i].name), 0, &arena);
        if (r == 0)
            r = g2d_buf_putc(&arena, '\0');
        off[2 * i + 1] = arena.len;
        if (r == 0 && q[i].value)
            r = g2d_uri_encode(q[i].value, strlen(q[i].value), 0, &arena);
        if (r == 0)
            r = g2d_buf_putc(&arena, '\0');
        if (r < 0)
            goto out;
    }
    for (i = 0; i < n; i++) {
        p[i].name = arena.data + off[2 * i];
        p[i].value = arena.data + off[2 * i + 1];
        p[i].idx = i;
    }
    sign__params_sort(p, n);
    for (i = 0; r == 0 && i < n; i++) {
        if (i > 0)
            r = g2d_buf_putc(out, '&');
        if (r == 0)
            r = g2d_buf_printf(out, "%s=%s", p[i].name, p[i].value);
    }
out:
    free(p);
    free(off);
    g2d_buf_done(&arena);
    return r;
}

/* One header value: each line trimmed, blank runs collapsed, non-empty lines joined by ','. */
static int put_header_value(const char *v, int *first, struct g2d_buf *out)
{
    const char *p = v;
    int r = 0;

    for (;;) {
        size_t len = strcspn(p, "\r\n");
        const char *s = p, *e = p + len;

        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (s < e) {
            if (!*first)
                r = g2d_buf_putc(out, ',');
            *first = 0;
            while (r == 0 && s < e) {
                if (*s == ' ' || *s == '\t') {
                    while (*s == ' ' || *s == '\t')
                        s++;
                    r = g2d_buf_putc(out, ' ');
                } else {
                    r = g2d_buf_putc(out, *s++);
                }
            }
            if (r < 0)
                return r;
        }
        p += len;
        if (!*p)
            return 0;
        p++;
    }
}

/* Canonical headers block (each line ends in '\n') and the signed-headers list. */
static int put_canonical_headers(const struct sign__hdr *h, size_t n, struct g2d_buf *canon,
                                 struct g2d_buf *signed_hdrs)
{
    size_t i = 0;
    int r = 0;

    while (r == 0 && i < n) {
        size_t j;
        int first = 1;

        if (i > 0)
            r = g2d_buf_putc(signed_hdrs, ';');
        if (r == 0)
            r = g2d_buf_puts(signed_hdrs, h[i].name);
        if (r == 0)
            r = g2d_buf_printf(canon, "%s:", h[i].name);
        for (j = i; r == 0 && j < n && strcmp(h[j].name, h[i].name) == 0; j++)
            r = put_header_value(h[j].value, &first, canon);
        if (r == 0)
            r = g2d_buf_putc(canon, '\n');
        i = j;
    }
    return r;
}

int sign__sigv4_key(const char *secret, const char *date8, const char *region, const char *service,
                    uint8_t out[32])
{
    size_t slen;
    char *k = NULL;
    uint8_t a[32], b[32];
    int r;

    if (!secret || !date8 || !region || !service)
        return -EINVAL;
    slen = strlen(secret);
    k = malloc(slen + 5);
    if (!k)
        return -ENOMEM;
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, slen + 1);
    r = sign__hmac_sha256(k, slen + 4, date8, strlen(date8), a);
    if (r == 0)
        r = sign__hmac_sha256(a, 32, region, strlen(region), b);
    if (r == 0)
        r = sign__hmac_sha256(b, 32, service, strlen(service), a);
    if (r == 0)
        r = sign__hmac_sha256(a, 32, "aws4_request", 12, out);
    OPENSSL_cleanse(k, slen + 4);
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    free(k);
    return r;
}

/*
 * The canonical request of @p req (borrowed) with its sorted headers @p h into @p canon, the
 * signed-header list into @p signed_hdrs, and the SHA-256 of the canonical request in @p md.
 */
static int sigv4_canonical_request(const struct g2d_sign_req *req, const struct sign__hdr *h,
                                   struct g2d_buf *canon, struct g2d_buf *signed_hdrs,
                                   uint8_t md[32])
{
    char hex[65];
    int r;

    r = g2d_buf_printf(canon, "%s\n", req->method);
    if (r == 0)
        r = put_canonical_uri(req->path, canon);
    if (r == 0)
        r = g2d_buf_putc(canon, '\n');
    if (r == 0)
        r = put_canonical_query(req->query, req->nquery, canon);
    if (r == 0)
        r = g2d_buf_putc(canon, '\n');
    if (r == 0)
        r = put_canonical_headers(h, req->nheaders, canon, signed_hdrs);
    if (r == 0)
        r = g2d_buf_printf(canon, "\n%s\n", g2d_buf_cstr(signed_hdrs));
    if (r == 0)
        r = encode__sha256(req->body, req->body_len, md);
    if (r < 0)
        return r;
    g2d_hex(md, 32, hex);
    r = g2d_buf_puts(canon, hex);
    if (r == 0)
        r = encode__sha256(canon->data, canon->len, md);
    return r;
}

int g2d_sigv4_sign(const struct g2d_sign_req *req, const char *access_key_id,
                   const char *secret_access_key, const char *region, const char *service,
                   const char *amz_date, struct g2d_buf *auth_out, char *sig_out,
                   struct g2d_sign_debug *dbg)
{
    struct g2d_buf canon, signed_hdrs, sts, auth;
    struct sign__hdr *h = NULL;
    uint8_t md[32], key[32];
    char hex[65], date8[9];
    size_t i;
    int r;

    if (!req || !req->method || !req->path || !auth_out || !sign__is_token(req->method) ||
        (req->body_len && !req->body) || !valid_scope_part(access_key_id) || !secret_access_key ||
        !*secret_access_key || !valid_scope_part(region) || !valid_scope_part(service) ||
        !valid_amz_date(amz_date))
        return -EINVAL;
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';

    g2d_buf_init(&canon, SIGN__MAX);
    g2d_buf_init(&signed_hdrs, SIGN__MAX);
    g2d_buf_init(&sts, SIGN__MAX);
    g2d_buf_init(&auth, SIGN__MAX);
    r = sign__hdrs_collect(req->headers, req->nheaders, &h);
    if (r < 0)
        goto out;
    /* A signed x-amz-date header that disagrees with the scope date cannot verify. */
    for (i = 0; i < req->nheaders; i++) {
        if (strcmp(h[i].name, "x-amz-date") == 0 && strcmp(h[i].value, amz_date) != 0) {
            r = -EINVAL;
            goto out;
        }
    }

    r = sigv4_canonical_request(req, h, &canon, &signed_hdrs, md);
    if (r < 0)
        goto out;
    g2d_hex(md, sizeof(md), hex);
    r = g2d_buf_printf(&sts, "%s\n%s\n%s/%s/%s/aws4_request\n%s", algorithm, amz_date, date8,
                       region, service, hex);
    if (r == 0)
        r = sign__sigv4_key(secret_access_key, date8, region, service, key);
    if (r == 0)
        r = sign__hmac_sha256(key, sizeof(key), sts.data, sts.len, md);
    OPENSSL_cleanse(key, sizeof(key));
    if (r < 0)
        goto out;
    g2d_hex(md, sizeof(md), hex);
    r = g2d_buf_printf(&auth,
                       "%s Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
                       "Signature=%s",
                       algorithm, access_key_id, date8, region, service, g2d_buf_cstr(&signed_hdrs),
                       hex);
    if (r == 0)
        r = sign__debug_fill(dbg, &canon, &sts);
    if (r == 0)
        r = sign__buf_set(auth_out, &auth);
    if (r < 0)
        goto out;
    if (sig_out)
        memcpy(sig_out, hex, sizeof(hex));
    r = 0;
out:
    sign__hdrs_free(h, req->nheaders);
    g2d_buf_done(&canon);
    g2d_buf_done(&signed_hdrs);
    g2d_buf_done(&sts);
    g2d_buf_done(&auth);
    return r;
}
