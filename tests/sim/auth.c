/* SPDX-License-Identifier: MIT */
/*
 * Signature verification. The simulator recomputes every signature with the very signers
 * the daemon uses (lib/sign.c): it rebuilds a g2d_sign_req from what arrived on the wire
 * and compares the result in constant time. It also enforces the freshness rules (SigV4:
 * X-Amz-Date within 5 minutes; Alibaba: x-acs-date or Date within 15 minutes) and, for
 * DLF, single use of x-acs-signature-nonce (a bounded FIFO set of recent nonces).
 *
 * Secrets never appear in responses or logs; the canonical request and string to sign do
 * (they are derived from public request data only), as the real services do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "glue2dlf/encode.h"
#include "sim.h"

#define GLUE_SKEW 300
#define DLF_SKEW 900
#define MAX_SIGNED 64

/* ---- shared parsing ---- */

struct auth_params {
    char buf[4096];
    const char *credential;
    const char *signed_headers;
    const char *signature;
};

/* Parse "Credential=..., SignedHeaders=..., Signature=..." (comma, optional blanks). */
static int parse_params(const char *s, struct auth_params *ap)
{
    char *tok, *save = NULL;

    memset(ap, 0, sizeof(*ap));
    if (strlen(s) >= sizeof(ap->buf))
        return -EINVAL;
    strcpy(ap->buf, s);
    for (tok = strtok_r(ap->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;

        while (*tok == ' ' || *tok == '\t')
            tok++;
        end = tok + strlen(tok);
        while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (strncmp(tok, "Credential=", 11) == 0)
            ap->credential = tok + 11;
        else if (strncmp(tok, "SignedHeaders=", 14) == 0)
            ap->signed_headers = tok + 14;
        else if (strncmp(tok, "Signature=", 10) == 0)
            ap->signature = tok + 10;
        else
            return -EINVAL;
    }
    if (!ap->credential || !ap->signed_headers || !ap->signature)
        return -EINVAL;
    return 0;
}

struct signed_set {
    char buf[2048];
    const char *name[MAX_SIGNED];
    size_t n;
    struct g2d_kv hdr[SIM_MAX_HEADERS];
    size_t nhdr;
};

/* Split SignedHeaders and collect the received values of those headers, in order. */
static int collect_signed(const struct sim_req *rq, const char *list, struct signed_set *ss)
{
    char *tok, *save = NULL;
    size_t i, j;

    memset(ss, 0, sizeof(*ss));
    if (!*list || strlen(list) >= sizeof(ss->buf))
        return -EINVAL;
    strcpy(ss->buf, list);
    for (tok = strtok_r(ss->buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        if (ss->n == MAX_SIGNED)
            return -EINVAL;
        ss->name[ss->n++] = tok;
    }
    for (i = 0; i < ss->n; i++)
        for (j = 0; j < rq->nheaders; j++)
            if (strcasecmp(rq->headers[j].name, ss->name[i]) == 0) {
                ss->hdr[ss->nhdr].name = ss->name[i];
                ss->hdr[ss->nhdr].value = rq->headers[j].value;
                ss->nhdr++;
            }
    return 0;
}

static int is_signed(const struct signed_set *ss, const char *name)
{
    size_t i;

    for (i = 0; i < ss->n; i++)
        if (strcasecmp(ss->name[i], name) == 0)
            return 1;
    return 0;
}

static void fill_req(const struct sim_req *rq, struct g2d_sign_req *sr, const struct g2d_kv *h,
                     size_t nh)
{
    sr->method = rq->method;
    sr->path = rq->path;
    sr->query = rq->query;
    sr->nquery = rq->nquery;
    sr->headers = h;
    sr->nheaders = nh;
    sr->body = rq->body;
    sr->body_len = rq->body_len;
}

/* ---- Glue: AWS SigV4 ---- */

static int glue_fail(struct sim_req *rq, struct sim_resp *rs, const char *type, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

static int glue_fail(struct sim_req *rq, struct sim_resp *rs, const char *type, const char *fmt,
                     ...)
{
    char msg[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_glue_error(rs, rq, 400, type, "%s", msg);
    return -1;
}

static void amz_fmt(int64_t t, char out[17])
{
    struct tm tm;
    time_t tt = (time_t)t;

    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/*
 * Split the Credential into @p part (pointers into @p scope, 512 bytes) and check the
 * access key, service and terminator. @return 0 or -1 with the error answered.
 */
static int glue_scope(struct sim_req *rq, struct sim_resp *rs, const char *credential, char *scope,
                      char *part[5], const char *service, struct sim_key *key)
{
    char *save = NULL;
    size_t i;

    if (strlen(credential) >= 512)
        return glue_fail(rq, rs, "IncompleteSignatureException", "Credential is too long.");
    strcpy(scope, credential);
    for (i = 0; i < 5; i++) {
        part[i] = strtok_r(i ? NULL : scope, "/", &save);
        if (!part[i])
            return glue_fail(rq, rs, "IncompleteSignatureException",
                             "Credential should be of the form "
                             "<AKID>/<date>/<region>/<service>/aws4_request.");
    }
    if (strtok_r(NULL, "/", &save))
        return glue_fail(rq, rs, "IncompleteSignatureException",
                         "Credential should be of the form "
                         "<AKID>/<date>/<region>/<service>/aws4_request.");
    if (sim_creds_key(rq->sim, SIM_GLUE, part[0], key) < 0)
        return glue_fail(rq, rs, "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
    if (strcmp(part[4], "aws4_request") != 0)
        return glue_fail(rq, rs, "IncompleteSignatureException",
                         "Credential should be scoped with a valid terminator: 'aws4_request', "
                         "not '%s'.",
                         part[4]);
    if (strcmp(part[3], service) != 0)
        return glue_fail(rq, rs, "InvalidSignatureException",
                         "Credential should be scoped to correct service: '%s'. ", service);
    if (rq->sim->cfg.glue_region && strcmp(service, "glue") == 0 &&
        strcmp(part[2], rq->sim->cfg.glue_region) != 0)
        return glue_fail(rq, rs, "InvalidSignatureException",
                         "Credential should be scoped to a valid region. ");
    return 0;
}

/* X-Amz-Date: valid, matching the scope date @p day, within 5 minutes. @return 0 or -1. */
static int glue_date(struct sim_req *rq, struct sim_resp *rs, const char *amz_date, const char *day)
{
    int64_t t, now = (int64_t)time(NULL);
    char a[17], b[17];

    if (!amz_date || sim_parse_amz_date(amz_date, &t) < 0)
        return glue_fail(rq, rs, "IncompleteSignatureException",
                         "Authorization header requires existence of a valid 'X-Amz-Date' "
                         "header (YYYYMMDDTHHMMSSZ).");
    if (strncmp(day, amz_date, 8) != 0 || strlen(day) != 8)
        return glue_fail(rq, rs, "InvalidSignatureException",
                         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                         "of date from HTTP: '%s' != '%.8s', from '%s'.",
                         day, amz_date, amz_date);
    if (t < now - GLUE_SKEW) {
        amz_fmt(now - GLUE_SKEW, a);
        amz_fmt(now, b);
        return glue_fail(rq, rs, "InvalidSignatureException",
                         "Signature expired: %s is now earlier than %s (%s - 5 min.)", amz_date, a,
                         b);
    }
    if (t > now + GLUE_SKEW) {
        amz_fmt(now + GLUE_SKEW, a);
        amz_fmt(now, b);
        return glue_fail(rq, rs, "InvalidSignatureException",
                         "Signature not yet current: %s is still later than %s (%s + 5 min.)",
                         amz_date, a, b);
    }
    return 0;
}

/* Recompute the SigV4 signature over @p ss and compare. @return 0 or -1 with the error set. */
static int glue_verify(struct sim_req *rq, struct sim_resp *rs, const struct signed_set *ss,
                       char *const part[5], const char *amz_date, const char *signature,
                       const struct sim_key *key)
{
    struct g2d_sign_req sr;
    struct g2d_sign_debug dbg;
    struct g2d_buf out;
    char sig[65];
    int r, ok;

    fill_req(rq, &sr, ss->hdr, ss->nhdr);
    g2d_buf_init(&out, 0);
    g2d_sign_debug_init(&dbg);
    r = g2d_sigv4_sign(&sr, part[0], key->secret, part[2], part[3], amz_date, &out, sig, &dbg);
    ok = r == 0 && g2d_consttime_streq(sig, signature);
    if (!ok) {
        if (r < 0)
            sim_log(rq->sim, "glue: signer failed (%d) on a request", r);
        glue_fail(rq, rs, "InvalidSignatureException",
                  "The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method. Consult the "
                  "service documentation for details.\n\nThe Canonical String for this request "
                  "should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
                  g2d_buf_cstr(&dbg.canonical_request), g2d_buf_cstr(&dbg.string_to_sign));
    }
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&out);
    return ok ? 0 : -1;
}

int sim_auth_glue(struct sim_req *rq, struct sim_resp *rs)
{
    return sim_auth_sigv4(rq, rs, "glue");
}

int sim_auth_sigv4(struct sim_req *rq, struct sim_resp *rs, const char *service)
{
    const char *auth = sim_header(rq, "Authorization");
    const char *amz_date = sim_header(rq, "X-Amz-Date");
    const char *token = sim_header(rq, "X-Amz-Security-Token");
    static const char *const required[] = {"host", "x-amz-date", "x-amz-target"};
    size_t nreq = strcmp(service, "glue") == 0 ? 3 : 2;
    struct auth_params ap;
    struct signed_set ss;
    struct sim_key key;
    char scope[512], *part[5];
    size_t i;

    if (!auth)
        return glue_fail(rq, rs, "MissingAuthenticationTokenException",
                         "Missing Authentication Token");
    if (strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0)
        return glue_fail(rq, rs, "IncompleteSignatureException",
                         "Unsupported AWS 'algorithm' in the Authorization header.");
    if (parse_params(auth + 17, &ap) < 0)
        return glue_fail(rq, rs, "IncompleteSignatureException",
                         "Authorization header requires 'Credential', 'Signature' and "
                         "'SignedHeaders' parameters.");
    if (glue_scope(rq, rs, ap.credential, scope, part, service, &key) < 0 ||
        glue_date(rq, rs, amz_date, part[1]) < 0)
        return -1;
    if (collect_signed(rq, ap.signed_headers, &ss) < 0)
        return glue_fail(rq, rs, "IncompleteSignatureException", "Invalid SignedHeaders list.");
    for (i = 0; i < nreq; i++)
        if (!is_signed(&ss, required[i]))
            return glue_fail(rq, rs, "InvalidSignatureException",
                             "'%s' must be a 'SignedHeader' in the AWS Authorization.",
                             required[i]);
    if (key.has_token ? !token || !g2d_consttime_streq(token, key.token) : token != NULL)
        return glue_fail(rq, rs, "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
    if (key.expired) {
        sim_creds_count_expired();
        return glue_fail(rq, rs, "ExpiredTokenException",
                         "The security token included in the request is expired");
    }
    return glue_verify(rq, rs, &ss, part, amz_date, ap.signature, &key);
}

/* ---- DLF: ACS3-HMAC-SHA256 and ROA HMAC-SHA1 ---- */

static int dlf_fail(struct sim_req *rq, struct sim_resp *rs, unsigned status, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int dlf_fail(struct sim_req *rq, struct sim_resp *rs, unsigned status, const char *code,
                    const char *fmt, ...)
{
    char msg[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_dlf_gw_error(rs, rq, status, code, "%s", msg);
    return -1;
}

static int check_time(struct sim_req *rq, struct sim_resp *rs, int parsed, int64_t t)
{
    int64_t now = (int64_t)time(NULL);

    if (parsed < 0)
        return dlf_fail(rq, rs, 400, "InvalidTimeStamp.Format",
                        "Specified time stamp or date value is not well formatted.");
    if (t < now - DLF_SKEW || t > now + DLF_SKEW)
        return dlf_fail(rq, rs, 400, "InvalidTimeStamp.Expired",
                        "Specified time stamp or date value is expired.");
    return 0;
}

static int use_nonce(struct sim_req *rq, struct sim_resp *rs, const char *nonce)
{
    int r;

    pthread_mutex_lock(&rq->sim->mu);
    r = sim_nonce_seen(&rq->sim->nonces, nonce);
    pthread_mutex_unlock(&rq->sim->mu);
    if (r == 1)
        return dlf_fail(rq, rs, 400, "SignatureNonceUsed",
                        "Specified signature nonce was used already.");
    if (r < 0)
        return dlf_fail(rq, rs, 500, "InternalError", "The request processing has failed.");
    return 0;
}

/*
 * The secret of a DLF access key: the static one (its security token is not checked), or
 * temporary credentials the simulator issued (their token must match and be unexpired).
 */
static int dlf_key(struct sim_req *rq, struct sim_resp *rs, const char *akid, struct sim_key *key)
{
    const char *token = sim_header(rq, "x-acs-security-token");

    if (sim_creds_key(rq->sim, SIM_DLF, akid, key) < 0)
        return dlf_fail(rq, rs, 404, "InvalidAccessKeyId.NotFound",
                        "Specified access key is not found.");
    if (key->has_token && (!token || !g2d_consttime_streq(token, key->token)))
        return dlf_fail(rq, rs, 400, "InvalidSecurityToken.Mismatch",
                        "Specified SecurityToken is not matched with the access key.");
    if (key->expired) {
        sim_creds_count_expired();
        return dlf_fail(rq, rs, 400, "InvalidSecurityToken.Expired",
                        "Specified SecurityToken is expired.");
    }
    return 0;
}

static int acs3(struct sim_req *rq, struct sim_resp *rs, const char *params)
{
    struct sim_key key;
    const char *sha = sim_header(rq, "x-acs-content-sha256");
    const char *date = sim_header(rq, "x-acs-date");
    const char *nonce = sim_header(rq, "x-acs-signature-nonce");
    struct auth_params ap;
    struct signed_set ss;
    struct g2d_sign_req sr;
    struct g2d_sign_debug dbg;
    struct g2d_buf out;
    char body_sha[65], sig[65];
    int64_t t = 0;
    size_t i;
    int r, ok;

    if (parse_params(params, &ap) < 0)
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "The request signature does not conform to Aliyun standards: "
                        "Credential, SignedHeaders and Signature are required.");
    if (dlf_key(rq, rs, ap.credential, &key) < 0)
        return -1;
    r = sim_parse_iso8601(date, &t);
    if (check_time(rq, rs, r, t) < 0)
        return -1;
    g2d_sha256_hex(rq->body, rq->body_len, body_sha);
    if (!sha || strcasecmp(sha, body_sha) != 0)
        return dlf_fail(rq, rs, 400, "SignatureDoesNotMatch",
                        "Specified signature is not matched with our calculation: "
                        "x-acs-content-sha256 is not the SHA-256 of the request body.");
    if (!nonce || !*nonce)
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "The request signature does not conform to Aliyun standards: "
                        "x-acs-signature-nonce is required.");
    if (collect_signed(rq, ap.signed_headers, &ss) < 0)
        return dlf_fail(rq, rs, 400, "IncompleteSignature", "Invalid SignedHeaders list.");
    if (!is_signed(&ss, "host"))
        return dlf_fail(rq, rs, 400, "IncompleteSignature", "Header 'host' must be signed.");
    for (i = 0; i < rq->nheaders; i++) {
        const char *n = rq->headers[i].name;

        if ((strncasecmp(n, "x-acs-", 6) == 0 || strcasecmp(n, "content-type") == 0) &&
            !is_signed(&ss, n))
            return dlf_fail(rq, rs, 400, "IncompleteSignature", "Header '%s' must be signed.", n);
    }

    fill_req(rq, &sr, ss.hdr, ss.nhdr);
    g2d_buf_init(&out, 0);
    g2d_sign_debug_init(&dbg);
    r = g2d_acs3_sign(&sr, ap.credential, key.secret, &out, sig, &dbg);
    ok = r == 0 && g2d_consttime_streq(sig, ap.signature);
    if (!ok)
        dlf_fail(rq, rs, 400, "SignatureDoesNotMatch",
                 "Specified signature is not matched with our calculation. server canonical "
                 "request is:%s",
                 g2d_buf_cstr(&dbg.canonical_request));
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&out);
    if (!ok)
        return -1;
    return use_nonce(rq, rs, nonce);
}

static int content_md5_ok(const struct sim_req *rq, const char *want)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    struct g2d_buf b64;
    int ok;

    if (!EVP_Digest(rq->body ? (const void *)rq->body : (const void *)"", rq->body_len, md, &mdlen,
                    EVP_md5(), NULL))
        return 0;
    g2d_buf_init(&b64, 64);
    ok = g2d_base64(md, mdlen, &b64) == 0 && strcmp(g2d_buf_cstr(&b64), want) == 0;
    g2d_buf_done(&b64);
    return ok;
}

static int roa(struct sim_req *rq, struct sim_resp *rs, const char *params)
{
    struct sim_key key;
    const char *colon = strchr(params, ':');
    const char *md5 = sim_header(rq, "Content-MD5");
    const char *method = sim_header(rq, "x-acs-signature-method");
    const char *nonce = sim_header(rq, "x-acs-signature-nonce");
    struct g2d_sign_req sr;
    struct g2d_sign_debug dbg;
    struct g2d_buf out;
    char ak[256], sig[64];
    int64_t t = 0;
    int r, ok;

    if (!colon || colon == params || (size_t)(colon - params) >= sizeof(ak) || !colon[1])
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "The request signature does not conform to Aliyun standards.");
    memcpy(ak, params, (size_t)(colon - params));
    ak[colon - params] = '\0';
    if (dlf_key(rq, rs, ak, &key) < 0)
        return -1;
    r = sim_parse_rfc1123(sim_header(rq, "Date"), &t);
    if (check_time(rq, rs, r, t) < 0)
        return -1;
    if (md5 && !content_md5_ok(rq, md5))
        return dlf_fail(rq, rs, 400, "ContentMD5NotMatched",
                        "The Content-MD5 you specified does not match the request body.");
    if (method && strcmp(method, "HMAC-SHA1") != 0)
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "Specified signature method is not supported.");
    if (!nonce || !*nonce)
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "The request signature does not conform to Aliyun standards: "
                        "x-acs-signature-nonce is required.");

    fill_req(rq, &sr, rq->headers, rq->nheaders);
    g2d_buf_init(&out, 0);
    g2d_sign_debug_init(&dbg);
    r = g2d_roa_sign(&sr, ak, key.secret, &out, sig, &dbg);
    ok = r == 0 && g2d_consttime_streq(sig, colon + 1);
    if (!ok)
        dlf_fail(rq, rs, 400, "SignatureDoesNotMatch",
                 "Specified signature is not matched with our calculation. server string to "
                 "sign is:%s",
                 g2d_buf_cstr(&dbg.string_to_sign));
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&out);
    if (!ok)
        return -1;
    return use_nonce(rq, rs, nonce);
}

int sim_auth_dlf(struct sim_req *rq, struct sim_resp *rs)
{
    const char *auth = sim_header(rq, "Authorization");

    if (!auth)
        return dlf_fail(rq, rs, 400, "IncompleteSignature",
                        "The request signature does not conform to Aliyun standards: "
                        "the Authorization header is missing.");
    if (strncmp(auth, "ACS3-HMAC-SHA256 ", 17) == 0)
        return acs3(rq, rs, auth + 17);
    if (strncmp(auth, "acs ", 4) == 0)
        return roa(rq, rs, auth + 4);
    return dlf_fail(rq, rs, 400, "IncompleteSignature",
                    "The request signature does not conform to Aliyun standards: unsupported "
                    "signature algorithm.");
}
