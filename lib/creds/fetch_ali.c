/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud STS requests for lib/creds/fetch.c: the form of AssumeRoleWithOIDC (RRSA:
 * unsigned, the OIDC token read from its file at every fetch) and of AssumeRole, whose
 * headers are signed with ACS3-HMAC-SHA256 by the base credentials, as DLF's are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sign.h"
#include "creds/creds-internal.h"

#define ALI_STS_VERSION "2015-04-01"

static int form_add(struct g2d_buf *b, const char *k, const char *v)
{
    int r;

    if (!v)
        return 0;
    r = g2d_buf_printf(b, "%s%s=", b->len ? "&" : "", k);
    return r ? r : g2d_uri_encode(v, strlen(v), 0, b);
}

int g2d__ali_sts_body(const struct g2d__src *s, int64_t now, struct g2d_buf *b, char *why,
                      size_t whysz)
{
    bool oidc = s->kind == G2D_SRC_ALI_OIDC;
    char *tok = NULL, dur[16], ts[21];
    int r = 0;

    if (oidc && (r = g2d__read_small(s->token_file, &tok, why, whysz)) < 0)
        return r;
    snprintf(dur, sizeof(dur), "%u", s->duration_s ? s->duration_s : 3600);
    g2d_time_iso8601(now, ts);
    if (oidc)
        r = form_add(b, "Action", "AssumeRoleWithOIDC");
    if (r == 0)
        r = form_add(b, "DurationSeconds", dur);
    if (r == 0)
        r = form_add(b, "ExternalId", s->external_id);
    if (r == 0 && oidc)
        r = form_add(b, "Format", "JSON");
    if (r == 0)
        r = form_add(b, "OIDCProviderArn", s->oidc_provider_arn);
    if (r == 0)
        r = form_add(b, "OIDCToken", tok);
    if (r == 0)
        r = form_add(b, "RoleArn", s->role_arn);
    if (r == 0)
        r = form_add(b, "RoleSessionName", s->session_name ? s->session_name : "glue2dlf");
    if (r == 0 && oidc)
        r = form_add(b, "Timestamp", ts);
    if (r == 0 && oidc)
        r = form_add(b, "Version", ALI_STS_VERSION);
    g2d__wipe_free(tok);
    return r;
}

int g2d__ali_sts_sign(struct g2d_http_attempt *a, const struct g2d__cval *base)
{
    char date[32], nonce[33], sha[65];
    unsigned char rnd[16];
    struct g2d_kv h[9];
    size_t n = 0;
    struct g2d_sign_req req = {0};
    struct g2d_buf auth;
    int r = g2d_random_bytes(rnd, sizeof(rnd));

    if (r < 0)
        return r;
    g2d_hex(rnd, sizeof(rnd), nonce);
    g2d_time_iso8601(a->now, date);
    g2d_sha256_hex(a->body ? a->body : "", a->body_len, sha);
    h[n++] = (struct g2d_kv){"Accept", "application/json"};
    h[n++] = (struct g2d_kv){"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    h[n++] = (struct g2d_kv){"x-acs-action", "AssumeRole"};
    h[n++] = (struct g2d_kv){"x-acs-version", ALI_STS_VERSION};
    h[n++] = (struct g2d_kv){"x-acs-signature-nonce", nonce};
    h[n++] = (struct g2d_kv){"x-acs-date", date};
    h[n++] = (struct g2d_kv){"x-acs-content-sha256", sha};
    if (base->token)
        h[n++] = (struct g2d_kv){"x-acs-security-token", base->token};
    h[n++] = (struct g2d_kv){"Host", a->host};
    req.method = a->method;
    req.path = a->path;
    req.query = a->query;
    req.nquery = a->nquery;
    req.body = a->body;
    req.body_len = a->body_len;
    req.headers = h + 1; /* everything but Accept is signed */
    req.nheaders = n - 1;
    g2d_buf_init(&auth, 4096);
    r = g2d_acs3_sign(&req, base->id, base->secret, &auth, NULL, NULL);
    for (size_t i = 0; r == 0 && i + 1 < n; i++)
        r = g2d_http_attempt_add_header(a, h[i].name, h[i].value);
    if (r == 0)
        r = g2d_http_attempt_add_header(a, "Authorization", g2d_buf_cstr(&auth));
    g2d_buf_done(&auth);
    return r;
}
