/* SPDX-License-Identifier: MIT */
/*
 * The credential services, on the Glue port: EC2 instance metadata (IMDSv2: PUT
 * /latest/api/token, then the role and its credentials, the token required unless
 * --imds-v1), the ECS/EKS container endpoint (GET /_creds/container, Authorization checked
 * against --container-token; --imds-v1: the token PUT is refused, the rest needs none), and STS (POST / with Action=AssumeRole, SigV4-signed for
 * service "sts" by any key the simulator knows, or AssumeRoleWithWebIdentity with
 * --web-identity-token). Each answer issues new temporary credentials that live
 * --cred-lifetime seconds; the Glue API accepts them until then and refuses them after with
 * ExpiredTokenException, which /_sim/creds counts (with the credentials issued).
 * The DLF port serves Alibaba's counterparts: ECS instance metadata (the hardened mode's
 * token, /latest/meta-data/ram/security-credentials/sim-ram-role), a credentials URI
 * (GET /_creds/container) and STS (AssumeRoleWithOIDC with --web-identity-token as the OIDC
 * token, AssumeRole ACS3-signed); DLF accepts the "STS." keys it issues with their
 * security token until they expire, then answers InvalidSecurityToken.Expired.
 * POST /_sim/creds?fail=N makes the next N credential answers fail with HTTP 500.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"
#include "sim.h"

#define MAX_ISSUED 4096
#define MAX_IMDS_TOKENS 64

struct issued {
    char akid[24], secret[48], token[72];
    int64_t expires;
};

static struct {
    pthread_mutex_t mu;
    struct issued iss[MAX_ISSUED];
    size_t n; /* ring: the oldest are forgotten */
    char imds[MAX_IMDS_TOKENS][40];
    size_t nimds;
    unsigned long issued, expired_refused, fail_left, answers;
} cs = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void rand_hex(char *out, size_t nbytes)
{
    unsigned char b[32];

    (void)g2d_random_bytes(b, nbytes);
    g2d_hex(b, nbytes, out);
}

int sim_creds_key(struct sim *sim, enum sim_side side, const char *akid, struct sim_key *k)
{
    int r = -1;

    memset(k, 0, sizeof(*k));
    if (side == SIM_DLF && strcmp(akid, sim->cfg.dlf_akid) == 0) {
        snprintf(k->secret, sizeof(k->secret), "%s", sim->cfg.dlf_secret);
        return 0;
    }
    if (side == SIM_GLUE && strcmp(akid, sim->cfg.glue_akid) == 0) {
        snprintf(k->secret, sizeof(k->secret), "%s", sim->cfg.glue_secret);
        if (sim->cfg.glue_token)
            snprintf(k->token, sizeof(k->token), "%s", sim->cfg.glue_token);
        k->has_token = sim->cfg.glue_token != NULL;
        return 0;
    }
    pthread_mutex_lock(&cs.mu);
    for (size_t i = 0; i < MAX_ISSUED && i < cs.issued; i++)
        if (strcmp(cs.iss[i].akid, akid) == 0) {
            snprintf(k->secret, sizeof(k->secret), "%s", cs.iss[i].secret);
            snprintf(k->token, sizeof(k->token), "%s", cs.iss[i].token);
            k->has_token = 1;
            k->expired = (int64_t)time(NULL) >= cs.iss[i].expires;
            r = 0;
            break;
        }
    pthread_mutex_unlock(&cs.mu);
    return r;
}

void sim_creds_count_expired(void)
{
    pthread_mutex_lock(&cs.mu);
    cs.expired_refused++;
    pthread_mutex_unlock(&cs.mu);
}

/* Issue new credentials (Alibaba's "STS." ids on the DLF side); -1 when failures are due. */
static int issue(struct sim *sim, struct issued *out, enum sim_side side)
{
    int r = 0;

    pthread_mutex_lock(&cs.mu);
    cs.answers++;
    if (cs.fail_left) {
        cs.fail_left--;
        r = -1;
    } else {
        strcpy(out->akid, side == SIM_DLF ? "STS.SIM" : "ASIASIM");
        rand_hex(out->akid + 7, 6);
        rand_hex(out->secret, 20);
        rand_hex(out->token, 32);
        out->expires = (int64_t)time(NULL) + (int64_t)sim->cfg.cred_lifetime;
        cs.iss[cs.n] = *out;
        cs.n = (cs.n + 1) % MAX_ISSUED;
        cs.issued++;
    }
    pthread_mutex_unlock(&cs.mu);
    return r;
}

static void text(struct sim_resp *rs, unsigned status, const char *ct, const char *body)
{
    rs->status = status;
    rs->body = strdup(body);
    rs->content_type = ct;
}

/* The credentials JSON of a metadata service: AWS's field names, or Alibaba's. */
static void json_creds(struct sim_resp *rs, const struct issued *c, enum sim_side side)
{
    char exp[21];

    g2d_time_iso8601(c->expires, exp);
    sim_resp_json(rs, 200,
                  side == SIM_DLF
                      ? json_pack("{s:s,s:s,s:s,s:s,s:s}", "Code", "Success", "AccessKeyId",
                                  c->akid, "AccessKeySecret", c->secret, "SecurityToken", c->token,
                                  "Expiration", exp)
                      : json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Code", "Success", "Type",
                                  "AWS-HMAC", "AccessKeyId", c->akid, "SecretAccessKey", c->secret,
                                  "Token", c->token, "Expiration", exp),
                  0, "application/json");
}

static int imds_token_ok(const struct sim_req *rq)
{
    const char *t = sim_header(rq, rq->side == SIM_DLF ? "X-aliyun-ecs-metadata-token"
                                                       : "X-aws-ec2-metadata-token");
    int ok = 0;

    if (!t)
        return rq->sim->cfg.imds_v1;
    pthread_mutex_lock(&cs.mu);
    for (size_t i = 0; i < cs.nimds && !ok; i++)
        ok = strcmp(cs.imds[i], t) == 0;
    pthread_mutex_unlock(&cs.mu);
    return ok;
}

static void serve_imds(struct sim_req *rq, struct sim_resp *rs)
{
    int ali = rq->side == SIM_DLF;
    const char *role = ali ? "/latest/meta-data/ram/security-credentials/"
                           : "/latest/meta-data/iam/security-credentials/";
    const char *name = ali ? "sim-ram-role" : "sim-role";
    struct issued c;
    char tok[40];

    if (strcmp(rq->path, "/latest/api/token") == 0) {
        if (rq->sim->cfg.imds_v1) { /* IMDSv1 only: as behind a hop limit of 1 */
            text(rs, 403, "text/plain", "Forbidden");
            return;
        }
        if (strcmp(rq->method, "PUT") != 0 || sim_header(rq, "X-Forwarded-For") ||
            !sim_header(rq, ali ? "X-aliyun-ecs-metadata-token-ttl-seconds"
                                : "X-aws-ec2-metadata-token-ttl-seconds")) {
            text(rs, strcmp(rq->method, "PUT") ? 405 : 400, "text/plain", "bad token request");
            return;
        }
        rand_hex(tok, 16);
        pthread_mutex_lock(&cs.mu);
        snprintf(cs.imds[cs.nimds % MAX_IMDS_TOKENS], sizeof(cs.imds[0]), "%s", tok);
        cs.nimds = cs.nimds + 1 > MAX_IMDS_TOKENS ? MAX_IMDS_TOKENS : cs.nimds + 1;
        pthread_mutex_unlock(&cs.mu);
        text(rs, 200, "text/plain", tok);
        return;
    }
    if (!imds_token_ok(rq)) {
        text(rs, 401, "text/plain", "Unauthorized");
        return;
    }
    if (!ali && strcmp(rq->path, "/latest/meta-data/placement/region") == 0)
        text(rs, 200, "text/plain",
             rq->sim->cfg.imds_region ? rq->sim->cfg.imds_region : "us-east-1");
    else if (strcmp(rq->path, role) == 0)
        text(rs, 200, "text/plain", name);
    else if (strncmp(rq->path, role, strlen(role)) != 0 ||
             strcmp(rq->path + strlen(role), name) != 0)
        text(rs, 404, "text/plain", "Not Found");
    else if (issue(rq->sim, &c, rq->side) < 0)
        text(rs, 500, "text/plain", "Internal Server Error");
    else
        json_creds(rs, &c, rq->side);
}

static void serve_container(struct sim_req *rq, struct sim_resp *rs)
{
    const char *want = rq->sim->cfg.container_token, *got = sim_header(rq, "Authorization");
    struct issued c;

    if (rq->side == SIM_GLUE && want && (!got || strcmp(got, want) != 0))
        text(rs, 403, "application/json", "{\"message\":\"bad Authorization\"}");
    else if (issue(rq->sim, &c, rq->side) < 0)
        text(rs, 500, "application/json", "{\"message\":\"outage\"}");
    else
        json_creds(rs, &c, rq->side);
}

/* The value of @p key in a form body, decoded, into @p out; 0 or -1. */
static int form_get(const struct sim_req *rq, const char *key, char *out, size_t sz)
{
    size_t kl = strlen(key), i = 0, n = rq->body_len;
    const char *b = rq->body ? rq->body : "";
    struct g2d_buf v;
    int r = -1;

    while (i < n) {
        size_t e = i;

        while (e < n && b[e] != '&')
            e++;
        if (e - i > kl && memcmp(b + i, key, kl) == 0 && b[i + kl] == '=') {
            g2d_buf_init(&v, 0);
            if (g2d_uri_decode(b + i + kl + 1, e - i - kl - 1, &v) == 0 && v.len < sz) {
                snprintf(out, sz, "%s", g2d_buf_cstr(&v));
                r = 0;
            }
            g2d_buf_done(&v);
            return r;
        }
        i = e + 1;
    }
    return -1;
}

static void sts_answer(struct sim_resp *rs, const char *action, const struct issued *c)
{
    char exp[21], *body = NULL;

    g2d_time_iso8601(c->expires, exp);
    if (asprintf(&body,
                 "<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
                 "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                 "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
                 "</%sResult></%sResponse>",
                 action, action, c->akid, c->secret, c->token, exp, action, action) < 0)
        body = NULL;
    rs->status = body ? 200 : 500;
    rs->body = body ? body : strdup("");
    rs->content_type = "text/xml";
}

static void sts_error(struct sim_resp *rs, unsigned status, const char *code, const char *msg)
{
    char *body = NULL;

    if (asprintf(&body,
                 "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message>"
                 "</Error></ErrorResponse>",
                 code, msg) < 0)
        body = NULL;
    rs->status = status;
    rs->body = body ? body : strdup("");
    rs->content_type = "text/xml";
}

static void serve_sts(struct sim_req *rq, struct sim_resp *rs)
{
    char action[64], role[256], tok[1024];
    const char *want = rq->sim->cfg.web_identity_token;
    struct issued c;

    if (form_get(rq, "Action", action, sizeof(action)) < 0 ||
        form_get(rq, "RoleArn", role, sizeof(role)) < 0) {
        sts_error(rs, 400, "MissingParameter", "Action and RoleArn are required");
        return;
    }
    if (strcmp(action, "AssumeRoleWithWebIdentity") == 0) {
        if (!want || form_get(rq, "WebIdentityToken", tok, sizeof(tok)) < 0 ||
            strcmp(tok, want) != 0) {
            sts_error(rs, 400, "InvalidIdentityToken", "The web identity token is not valid");
            return;
        }
    } else if (strcmp(action, "AssumeRole") != 0) {
        sts_error(rs, 400, "InvalidAction", "Unknown action");
        return;
    } else if (sim_auth_sigv4(rq, rs, "sts") < 0) {
        return;
    }
    if (issue(rq->sim, &c, SIM_GLUE) < 0)
        sts_error(rs, 500, "ServiceUnavailable", "outage");
    else
        sts_answer(rs, action, &c);
}

/* Alibaba STS: AssumeRoleWithOIDC (a form, unsigned) or AssumeRole (ACS3-signed). */
static void serve_ali_sts(struct sim_req *rq, struct sim_resp *rs)
{
    const char *hdr_action = sim_header(rq, "x-acs-action");
    const char *want = rq->sim->cfg.web_identity_token;
    char action[64] = "", role[256], tok[1024], exp[21];
    struct issued c;

    if (hdr_action)
        snprintf(action, sizeof(action), "%s", hdr_action);
    else
        (void)form_get(rq, "Action", action, sizeof(action));
    if (form_get(rq, "RoleArn", role, sizeof(role)) < 0) {
        sim_dlf_gw_error(rs, rq, 400, "MissingRoleArn", "RoleArn is mandatory for this action.");
        return;
    }
    if (strcmp(action, "AssumeRoleWithOIDC") == 0) {
        if (!want || form_get(rq, "OIDCToken", tok, sizeof(tok)) < 0 || strcmp(tok, want) != 0 ||
            form_get(rq, "OIDCProviderArn", role, sizeof(role)) < 0) {
            sim_dlf_gw_error(rs, rq, 400, "AuthenticationFail.OIDCToken.Invalid",
                             "The OIDC token is invalid.");
            return;
        }
    } else if (strcmp(action, "AssumeRole") != 0) {
        sim_dlf_gw_error(rs, rq, 400, "InvalidAction.NotFound", "Unknown action.");
        return;
    } else if (sim_auth_dlf(rq, rs) < 0) {
        return;
    }
    if (issue(rq->sim, &c, SIM_DLF) < 0) {
        sim_dlf_gw_error(rs, rq, 503, "ServiceUnavailable", "outage");
        return;
    }
    g2d_time_iso8601(c.expires, exp);
    sim_resp_json(rs, 200,
                  json_pack("{s:s,s:{s:s,s:s,s:s,s:s}}", "RequestId", rq->request_id, "Credentials",
                            "AccessKeyId", c.akid, "AccessKeySecret", c.secret, "SecurityToken",
                            c.token, "Expiration", exp),
                  0, "application/json");
}

int sim_creds_wants(const struct sim_req *rq)
{
    const char *ct = sim_header(rq, "Content-Type");

    if (strncmp(rq->path, "/latest/", 8) == 0 || strcmp(rq->path, "/_creds/container") == 0 ||
        strcmp(rq->path, "/_sim/creds") == 0)
        return 1;
    return strcmp(rq->method, "POST") == 0 && strcmp(rq->path, "/") == 0 && ct &&
           strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static void serve_admin(struct sim_req *rq, struct sim_resp *rs)
{
    const char *fail = sim_query(rq, "fail");

    pthread_mutex_lock(&cs.mu);
    if (strcmp(rq->method, "POST") == 0 && fail)
        cs.fail_left = strtoul(fail, NULL, 10);
    sim_resp_json(rs, 200,
                  json_pack("{s:I,s:I,s:I,s:I}", "issued", (json_int_t)cs.issued, "expired_refused",
                            (json_int_t)cs.expired_refused, "answers", (json_int_t)cs.answers,
                            "fail_left", (json_int_t)cs.fail_left),
                  0, "application/json");
    pthread_mutex_unlock(&cs.mu);
}

void sim_creds_serve(struct sim_req *rq, struct sim_resp *rs)
{
    if (strcmp(rq->path, "/_sim/creds") == 0)
        serve_admin(rq, rs);
    else if (strncmp(rq->path, "/latest/", 8) == 0)
        serve_imds(rq, rs);
    else if (strcmp(rq->path, "/_creds/container") == 0)
        serve_container(rq, rs);
    else if (rq->side == SIM_DLF)
        serve_ali_sts(rq, rs);
    else
        serve_sts(rq, rs);
}
