/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud signers for DLF (dlf-api.md §6): V3 ACS3-HMAC-SHA256 and the older ROA
 * HMAC-SHA1 ("acs AK:signature").
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

static const char acs3_algorithm[] = "ACS3-HMAC-SHA256";

/* Access key ids go into the Authorization header: no blanks, ',' or ':'. */
static int valid_key_id(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!s || !*s)
        return 0;
    for (; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ',' || *p == ':')
            return 0;
    return 1;
}

static int valid_hex64(const char *s)
{
    size_t i;

    if (!s || strlen(s) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* A header value with surrounding white space removed, as a (pointer, length) pair. */
struct span {
    const char *p;
    size_t n;
};

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);

    if (c)
        return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

/*
 * V3 canonical headers: `name:value\n` per distinct name, values trimmed; the values of a
 * repeated name sorted (byte order) and joined with ',' (vector V1).
 */
static int acs3_headers(const struct sign__hdr *h, size_t n, struct g2d_buf *canon,
                        struct g2d_buf *signed_hdrs)
{
    struct span *v = NULL;
    size_t i = 0, j, k;
    int r = 0;

    if (n == 0)
        return 0;
    v = calloc(n, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        const char *s = h[i].value, *e = s + strlen(s);

        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        /* A line break inside a value would forge another canonical header line. */
        if (memchr(s, '\n', (size_t)(e - s)) || memchr(s, '\r', (size_t)(e - s))) {
            r = -EINVAL;
            goto out;
        }
        v[i].p = s;
        v[i].n = (size_t)(e - s);
    }
    for (i = 0; r == 0 && i < n; i = j) {
        for (j = i + 1; j < n && strcmp(h[j].name, h[i].name) == 0; j++)
            ;
        if (j - i > 1)
            qsort(v + i, j - i, sizeof(*v), span_cmp);
        if (i > 0)
            r = g2d_buf_putc(signed_hdrs, ';');
        if (r == 0)
            r = g2d_buf_puts(signed_hdrs, h[i].name);
        if (r == 0)
            r = g2d_buf_printf(canon, "%s:", h[i].name);
        for (k = i; r == 0 && k < j; k++) {
            if (k > i)
                r = g2d_buf_putc(canon, ',');
            if (r == 0)
                r = g2d_buf_append(canon, v[k].p, v[k].n);
        }
        if (r == 0)
            r = g2d_buf_putc(canon, '\n');
    }
out:
    free(v);
    return r;
}

/*
 * Copy the query into a sorted array (by raw name, then raw value, as the SDKs sort),
 * NULL values read as "". *@p out is NULL when n == 0.
 */
static int sorted_params(const struct g2d_kv *q, size_t n, struct sign__param **out)
{
    struct sign__param *p;
    size_t i;

    *out = NULL;
    if (n == 0)
        return 0;
    if (!q)
        return -EINVAL;
    for (i = 0; i < n; i++)
        if (!q[i].name)
            return -EINVAL;
    p = calloc(n, sizeof(*p));
    if (!p)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        p[i].name = q[i].name;
        p[i].value = q[i].value ? q[i].value : "";
        p[i].idx = i;
    }
    sign__params_sort(p, n);
    *out = p;
    return 0;
}

/* V3 canonical query: `name=value` percent-encoded, '&'-joined; empty value gives `name=`. */
static int acs3_query(const struct g2d_kv *q, size_t n, struct g2d_buf *out)
{
    struct sign__param *p = NULL;
    size_t i;
    int r = sorted_params(q, n, &p);

    for (i = 0; r == 0 && i < n; i++) {
        if (i > 0)
            r = g2d_buf_putc(out, '&');
        if (r == 0)
            r = g2d_uri_encode(p[i].name, strlen(p[i].name), 0, out);
        if (r == 0)
            r = g2d_buf_putc(out, '=');
        if (r == 0)
            r = g2d_uri_encode(p[i].value, strlen(p[i].value), 0, out);
    }
    free(p);
    return r;
}

int sign__acs3_sign_hashed(const struct g2d_sign_req *req, const char *access_key_id,
                           const char *access_key_secret, const char *payload_hash,
                           struct g2d_buf *auth_out, char *sig_out, struct g2d_sign_debug *dbg)
{
    struct g2d_buf canon, signed_hdrs, sts, auth;
    struct sign__hdr *h = NULL;
    const char *path;
    uint8_t md[32];
    char hex[65];
    int r;

    /* The method may be "" (vector V2), but must otherwise be a token. */
    if (!req || !req->method || (*req->method && !sign__is_token(req->method)) || !req->path ||
        !auth_out || !valid_key_id(access_key_id) || !access_key_secret || !*access_key_secret ||
        !valid_hex64(payload_hash))
        return -EINVAL;
    path = *req->path ? req->path : "/";

    g2d_buf_init(&canon, SIGN__MAX);
    g2d_buf_init(&signed_hdrs, SIGN__MAX);
    g2d_buf_init(&sts, SIGN__MAX);
    g2d_buf_init(&auth, SIGN__MAX);
    r = sign__hdrs_collect(req->headers, req->nheaders, &h);
    if (r == 0)
        r = g2d_buf_printf(&canon, "%s\n", req->method);
    if (r == 0)
        r = g2d_uri_encode(path, strlen(path), 1, &canon);
    if (r == 0)
        r = g2d_buf_putc(&canon, '\n');
    if (r == 0)
        r = acs3_query(req->query, req->nquery, &canon);
    if (r == 0)
        r = g2d_buf_putc(&canon, '\n');
    if (r == 0)
        r = acs3_headers(h, req->nheaders, &canon, &signed_hdrs);
    if (r == 0)
        r = g2d_buf_printf(&canon, "\n%s\n%s", g2d_buf_cstr(&signed_hdrs), payload_hash);
    if (r == 0)
        r = encode__sha256(canon.data, canon.len, md);
    if (r < 0)
        goto out;
    g2d_hex(md, sizeof(md), hex);
    r = g2d_buf_printf(&sts, "%s\n%s", acs3_algorithm, hex);
    if (r == 0)
        r = sign__hmac_sha256(access_key_secret, strlen(access_key_secret), sts.data, sts.len, md);
    if (r < 0)
        goto out;
    g2d_hex(md, sizeof(md), hex);
    r = g2d_buf_printf(&auth, "%s Credential=%s,SignedHeaders=%s,Signature=%s", acs3_algorithm,
                       access_key_id, g2d_buf_cstr(&signed_hdrs), hex);
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

int g2d_acs3_sign(const struct g2d_sign_req *req, const char *access_key_id,
                  const char *access_key_secret, struct g2d_buf *auth_out, char *sig_out,
                  struct g2d_sign_debug *dbg)
{
    uint8_t md[32];
    char hash[65];
    size_t i;
    int r;

    if (!req || (req->body_len && !req->body) || (req->nheaders && !req->headers))
        return -EINVAL;
    r = encode__sha256(req->body, req->body_len, md);
    if (r < 0)
        return r;
    g2d_hex(md, sizeof(md), hash);
    /* A signed x-acs-content-sha256 that does not describe the body is a client bug the
     * server would reject; refuse it here rather than sign a lie. */
    for (i = 0; i < req->nheaders; i++) {
        if (req->headers[i].name && req->headers[i].value &&
            strcasecmp(req->headers[i].name, "x-acs-content-sha256") == 0 &&
            strcmp(req->headers[i].value, hash) != 0)
            return -EINVAL;
    }
    return sign__acs3_sign_hashed(req, access_key_id, access_key_secret, hash, auth_out, sig_out,
                                  dbg);
}

static int roa_sig(const void *sts, size_t len, const char *secret, struct g2d_buf *out)
{
    uint8_t md[20];
    int r = sign__hmac_sha1(secret, strlen(secret), sts, len, md);

    if (r == 0)
        r = g2d_base64(md, sizeof(md), out);
    return r;
}

int g2d_roa_signature(const char *string_to_sign, const char *secret, char *out, size_t outsz)
{
    struct g2d_buf sig;
    int r;

    if (!string_to_sign || !secret || !*secret || !out || outsz < 29)
        return -EINVAL;
    g2d_buf_init(&sig, 64);
    r = roa_sig(string_to_sign, strlen(string_to_sign), secret, &sig);
    if (r == 0)
        memcpy(out, sig.data, sig.len + 1);
    g2d_buf_done(&sig);
    return r;
}

/* ROA canonicalized header value: tabs, CR, LF and FF become spaces (as the C++ SDK). */
static int roa_header_value(const char *v, struct g2d_buf *out)
{
    int r = 0;

    for (; r == 0 && *v; v++)
        r = g2d_buf_putc(out, (*v == '\t' || *v == '\r' || *v == '\n' || *v == '\f') ? ' ' : *v);
    return r;
}

static const char *const roa_fixed[] = {"accept", "content-md5", "content-type", "date"};

/*
 * From the sorted headers @p h (borrowed), the values of the four fixed headers (pointers
 * into @p h) and the canonical x-acs-* block appended to @p xacs. A repeated name among
 * them is ambiguous: -EINVAL.
 */
static int roa_pick_headers(const struct sign__hdr *h, size_t n, const char *fixed_val[4],
                            struct g2d_buf *xacs)
{
    size_t i, k;
    int r;

    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
            for (k = 0; k < 4; k++)
                if (strcmp(h[i].name, roa_fixed[k]) == 0)
                    break;
            if (k < 4 || strncmp(h[i].name, "x-acs-", 6) == 0)
                return -EINVAL;
            continue;
        }
        for (k = 0; k < 4; k++) {
            if (strcmp(h[i].name, roa_fixed[k]) == 0) {
                fixed_val[k] = h[i].value;
            }
        }
        if (strncmp(h[i].name, "x-acs-", 6) == 0) {
            r = g2d_buf_printf(xacs, "%s:", h[i].name);
            if (r == 0)
                r = roa_header_value(h[i].value, xacs);
            if (r == 0)
                r = g2d_buf_putc(xacs, '\n');
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int g2d_roa_sign(const struct g2d_sign_req *req, const char *access_key_id,
                 const char *access_key_secret, struct g2d_buf *auth_out, char *sig_out,
                 struct g2d_sign_debug *dbg)
{
    const char *fixed_val[4] = {"", "", "", ""};
    struct g2d_buf sts, xacs, sig, auth;
    struct sign__hdr *h = NULL;
    struct sign__param *p = NULL;
    size_t i;
    int r;

    if (!req || !req->method || !sign__is_token(req->method) || !req->path || !auth_out ||
        !valid_key_id(access_key_id) || !access_key_secret || !*access_key_secret)
        return -EINVAL;

    g2d_buf_init(&sts, SIGN__MAX);
    g2d_buf_init(&xacs, SIGN__MAX);
    g2d_buf_init(&sig, 64);
    g2d_buf_init(&auth, SIGN__MAX);
    r = sign__hdrs_collect(req->headers, req->nheaders, &h);
    if (r < 0)
        goto out;
    r = roa_pick_headers(h, req->nheaders, fixed_val, &xacs);
    if (r < 0)
        goto out;
    r = g2d_buf_printf(&sts, "%s\n%s\n%s\n%s\n%s\n%s%s", req->method, fixed_val[0], fixed_val[1],
                       fixed_val[2], fixed_val[3], g2d_buf_cstr(&xacs),
                       *req->path ? req->path : "/");
    if (r == 0)
        r = sorted_params(req->query, req->nquery, &p);
    for (i = 0; r == 0 && i < req->nquery; i++) {
        r = g2d_buf_putc(&sts, i == 0 ? '?' : '&');
        if (r == 0)
            r = g2d_buf_puts(&sts, p[i].name);
        if (r == 0 && *p[i].value)
            r = g2d_buf_printf(&sts, "=%s", p[i].value);
    }
    if (r == 0)
        r = roa_sig(sts.data, sts.len, access_key_secret, &sig);
    if (r == 0)
        r = g2d_buf_printf(&auth, "acs %s:%s", access_key_id, g2d_buf_cstr(&sig));
    if (r == 0)
        r = sign__debug_fill(dbg, NULL, &sts);
    if (r == 0)
        r = sign__buf_set(auth_out, &auth);
    if (r < 0)
        goto out;
    if (sig_out)
        memcpy(sig_out, sig.data, sig.len + 1);
    r = 0;
out:
    free(p);
    sign__hdrs_free(h, req->nheaders);
    g2d_buf_done(&sts);
    g2d_buf_done(&xacs);
    g2d_buf_done(&sig);
    g2d_buf_done(&auth);
    return r;
}
