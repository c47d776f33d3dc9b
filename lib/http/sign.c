/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the SigV4 (sign_aws.c) and Alibaba (sign_acs.c) signers: header and
 * parameter sorting, HMAC, debug output and the constant-time comparison.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "glue2dlf/sign.h"
#include "http/sign-internal.h"

void g2d_sign_debug_init(struct g2d_sign_debug *d)
{
    g2d_buf_init(&d->canonical_request, SIGN__MAX);
    g2d_buf_init(&d->string_to_sign, SIGN__MAX);
}

void g2d_sign_debug_done(struct g2d_sign_debug *d)
{
    if (!d)
        return;
    g2d_buf_done(&d->canonical_request);
    g2d_buf_done(&d->string_to_sign);
}

int sign__is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    const unsigned char *p = (const unsigned char *)s;

    if (!s || !*s)
        return 0;
    for (; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            continue;
        if (!strchr(extra, *p))
            return 0;
    }
    return 1;
}

static int hdr_cmp(const void *a, const void *b)
{
    const struct sign__hdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void sign__hdrs_free(struct sign__hdr *h, size_t n)
{
    size_t i;

    if (!h)
        return;
    for (i = 0; i < n; i++)
        free(h[i].name);
    free(h);
}

int sign__hdrs_collect(const struct g2d_kv *h, size_t n, struct sign__hdr **out)
{
    struct sign__hdr *v = NULL;
    size_t i, j;

    *out = NULL;
    if (n == 0)
        return 0;
    if (!h)
        return -EINVAL;
    for (i = 0; i < n; i++)
        if (!sign__is_token(h[i].name) || !h[i].value)
            return -EINVAL;
    v = calloc(n, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        v[i].name = strdup(h[i].name);
        if (!v[i].name) {
            sign__hdrs_free(v, i);
            return -ENOMEM;
        }
        for (j = 0; v[i].name[j]; j++)
            if (v[i].name[j] >= 'A' && v[i].name[j] <= 'Z')
                v[i].name[j] = (char)(v[i].name[j] - 'A' + 'a');
        v[i].value = h[i].value;
        v[i].idx = i;
    }
    qsort(v, n, sizeof(*v), hdr_cmp);
    *out = v;
    return 0;
}

static int param_cmp(const void *a, const void *b)
{
    const struct sign__param *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    c = strcmp(x->value, y->value);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void sign__params_sort(struct sign__param *p, size_t n)
{
    if (n > 1)
        qsort(p, n, sizeof(*p), param_cmp);
}

static int hmac(const EVP_MD *md, const void *key, size_t klen, const void *msg, size_t mlen,
                uint8_t *out, unsigned int want)
{
    unsigned int len = 0;

    if (klen > INT_MAX)
        return -EINVAL;
    if (!HMAC(md, key, (int)klen, msg ? msg : (const void *)"", mlen, out, &len) || len != want)
        return -EIO;
    return 0;
}

int sign__hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32])
{
    return hmac(EVP_sha256(), key, klen, msg, mlen, out, 32);
}

int sign__hmac_sha1(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[20])
{
    return hmac(EVP_sha1(), key, klen, msg, mlen, out, 20);
}

int sign__buf_set(struct g2d_buf *out, const struct g2d_buf *s)
{
    g2d_buf_reset(out);
    return g2d_buf_append(out, g2d_buf_cstr(s), s->len);
}

int sign__debug_fill(struct g2d_sign_debug *dbg, const struct g2d_buf *canonical,
                     const struct g2d_buf *sts)
{
    int r;

    if (!dbg)
        return 0;
    g2d_buf_reset(&dbg->canonical_request);
    if (canonical) {
        r = sign__buf_set(&dbg->canonical_request, canonical);
        if (r < 0)
            return r;
    }
    return sign__buf_set(&dbg->string_to_sign, sts);
}

int g2d_consttime_streq(const char *a, const char *b)
{
    size_t la, lb;

    if (!a || !b)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    /* The length of a signature is public; only its bytes need constant time. */
    if (la != lb)
        return 0;
    return CRYPTO_memcmp(a, b, la) == 0;
}
