/* SPDX-License-Identifier: MIT */
/*
 * The AWS credential chain, planned without network, in the order of the AWS SDKs
 * (botocore's create_credential_resolver):
 *
 *  1. the configured keys or the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *     AWS_SESSION_TOKEN; read by the config loader, lib/config/config_secrets.c);
 *  2. the profile (AWS_PROFILE, else "default") of the shared files (AWS_CONFIG_FILE,
 *     ~/.aws/config with `[profile NAME]`; AWS_SHARED_CREDENTIALS_FILE,
 *     ~/.aws/credentials with `[NAME]`, whose settings win): role_arn with
 *     source_profile or credential_source (STS AssumeRole), then
 *  3. web identity (the profile's web_identity_token_file + role_arn, or
 *     AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN; STS AssumeRoleWithWebIdentity), then
 *     the profile's keys in the credentials file, its credential_process, its keys in
 *     the config file;
 *  4. the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI,
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]);
 *  5. EC2 instance metadata (IMDSv2; AWS_EC2_METADATA_SERVICE_ENDPOINT,
 *     AWS_EC2_METADATA_DISABLED; IMDSv1 only with glue.imds_v1_fallback).
 *
 * STS is https://sts.<region>.amazonaws.com unless AWS_ENDPOINT_URL_STS (or
 * AWS_ENDPOINT_URL) says otherwise.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glue2dlf/config.h"
#include "creds/creds-internal.h"

#define MAX_ROLE_DEPTH 4

struct aws_files {
    struct g2d__ini cred, conf;
    char cred_path[4096], conf_path[4096];
    const struct g2d_config *cfg;
    char *why;
    size_t whysz;
};

static int fail(struct aws_files *f, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct aws_files *f, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(f->why, f->whysz, fmt, ap);
    va_end(ap);
    return code;
}

void g2d__src_free(struct g2d__src *s)
{
    if (!s)
        return;
    g2d__cval_clear(&s->v);
    free(s->command);
    free(s->role_arn);
    free(s->session_name);
    free(s->external_id);
    free(s->token_file);
    free(s->sts_url);
    free(s->region);
    g2d__src_free(s->base);
    free(s->url);
    g2d__wipe_free(s->auth);
    free(s->auth_file);
    free(s->imds_url);
    free(s->role_name);
    free(s->oidc_provider_arn);
    free(s);
}

bool g2d__src_fetched(const struct g2d__src *s)
{
    return s && s->kind != G2D_SRC_STATIC;
}

static struct g2d__src *src_new(enum g2d__src_kind kind)
{
    struct g2d__src *s = calloc(1, sizeof(*s));

    if (s)
        s->kind = kind;
    return s;
}

static int set(char **dst, const char *v)
{
    if (!v)
        return 0;
    *dst = strdup(v);
    return *dst ? 0 : -ENOMEM;
}

static void home_path(char *out, size_t sz, const char *env_name, const char *rel)
{
    const char *e = g2d__env(env_name), *home = g2d__env("HOME");
    struct passwd *pw;

    if (e) {
        snprintf(out, sz, "%s", e);
        return;
    }
    if (!home && (pw = getpwuid(getuid())))
        home = pw->pw_dir;
    snprintf(out, sz, "%s/%s", home ? home : "", rel);
}

/* Load one shared file; a missing one is empty. */
static int load_file(struct aws_files *f, const char *path, struct g2d__ini *ini)
{
    int r = g2d__ini_load(path, ini, f->why, f->whysz);

    if (r == -ENOENT || r == -ENOTDIR)
        return 0;
    return r;
}

static int static_from(struct aws_files *f, const struct g2d__ini_sect *s, const char *what,
                       struct g2d__src **out)
{
    const char *id = g2d__ini_get(s, "aws_access_key_id");
    const char *sec = g2d__ini_get(s, "aws_secret_access_key");
    struct g2d__src *src;

    if (!id && !sec)
        return 0;
    if (!id || !sec)
        return fail(f, -EINVAL, "%s: aws_access_key_id and aws_secret_access_key go together",
                    what);
    src = src_new(G2D_SRC_STATIC);
    if (!src || set(&src->v.id, id) < 0 || set(&src->v.secret, sec) < 0 ||
        set(&src->v.token, g2d__ini_get(s, "aws_session_token")) < 0) {
        g2d__src_free(src);
        return -ENOMEM;
    }
    snprintf(src->what, sizeof(src->what), "%s", what);
    *out = src;
    return 1;
}

static const char *prof_get(struct aws_files *f, const char *profile, const char *key)
{
    char name[300];
    const struct g2d__ini_sect *s = g2d__ini_section(&f->cred, profile);
    const char *v = g2d__ini_get(s, key);

    if (v)
        return v;
    snprintf(name, sizeof(name), "profile %s", profile);
    s = g2d__ini_section(&f->conf, name);
    if (!s && strcmp(profile, "default") == 0)
        s = g2d__ini_section(&f->conf, "default");
    return g2d__ini_get(s, key);
}

static bool prof_exists(struct aws_files *f, const char *profile)
{
    char name[300];

    snprintf(name, sizeof(name), "profile %s", profile);
    return g2d__ini_section(&f->cred, profile) || g2d__ini_section(&f->conf, name) ||
           (strcmp(profile, "default") == 0 && g2d__ini_section(&f->conf, "default"));
}

static int sts_fill(struct aws_files *f, struct g2d__src *s, const char *profile)
{
    const char *region = profile ? prof_get(f, profile, "region") : NULL;
    const char *ep = g2d__env("AWS_ENDPOINT_URL_STS");
    char url[512];

    if (!ep)
        ep = g2d__env("AWS_ENDPOINT_URL");
    if (!region)
        region = f->cfg->glue.region;
    if (!region)
        region = "us-east-1";
    if (ep)
        snprintf(url, sizeof(url), "%.*s", (int)strcspn(ep, " "), ep);
    else
        snprintf(url, sizeof(url), "https://sts.%s.amazonaws.%s", region,
                 strncmp(region, "cn-", 3) ? "com" : "com.cn");
    while (strlen(url) > 8 && url[strlen(url) - 1] == '/')
        url[strlen(url) - 1] = '\0';
    if (set(&s->sts_url, url) < 0 || set(&s->region, region) < 0)
        return -ENOMEM;
    if (!s->session_name && set(&s->session_name, "glue2dlf") < 0)
        return -ENOMEM;
    s->duration_s = 3600;
    return 0;
}

static int web_identity(struct aws_files *f, const char *file, const char *role, const char *name,
                        const char *profile, const char *what, struct g2d__src **out)
{
    struct g2d__src *s = src_new(G2D_SRC_WEB_IDENTITY);

    if (!s || set(&s->token_file, file) < 0 || set(&s->role_arn, role) < 0 ||
        set(&s->session_name, name) < 0 || sts_fill(f, s, profile) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    g2d__whatf(s->what, sizeof(s->what), "%s: STS AssumeRoleWithWebIdentity for %.120s at %.100s",
               what, role, s->sts_url);
    *out = s;
    return 1;
}

static int profile_source(struct aws_files *f, const char *profile, unsigned depth,
                          struct g2d__src **out);

static int credential_source(struct aws_files *f, const char *profile, const char *cs,
                             struct g2d__src **out)
{
    const char *id = g2d__env("AWS_ACCESS_KEY_ID"), *sec = g2d__env("AWS_SECRET_ACCESS_KEY");
    struct g2d__src *s;
    int r;

    if (strcmp(cs, "Environment") == 0) {
        if (!id || !sec)
            return fail(f, -ENOKEY,
                        "profile '%s': credential_source Environment, but AWS_ACCESS_KEY_ID / "
                        "AWS_SECRET_ACCESS_KEY are not set",
                        profile);
        s = src_new(G2D_SRC_STATIC);
        if (!s || set(&s->v.id, id) < 0 || set(&s->v.secret, sec) < 0 ||
            set(&s->v.token, g2d__env("AWS_SESSION_TOKEN")) < 0) {
            g2d__src_free(s);
            return -ENOMEM;
        }
        g2d__whatf(s->what, sizeof(s->what), "environment (AWS_ACCESS_KEY_ID)");
        *out = s;
        return 1;
    }
    if (strcmp(cs, "EcsContainer") == 0) {
        r = g2d__aws_container(out);
        return r == 0 ? fail(f, -ENOKEY,
                             "profile '%s': credential_source EcsContainer, but "
                             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set",
                             profile)
                      : r;
    }
    if (strcmp(cs, "Ec2InstanceMetadata") == 0)
        return g2d__aws_imds(f->cfg, out);
    return fail(f, -EINVAL,
                "profile '%s': credential_source '%.64s' is not Environment, EcsContainer or "
                "Ec2InstanceMetadata",
                profile, cs);
}

/* role_arn in @p profile: AssumeRole over its source, or web identity. */
static int assume_role(struct aws_files *f, const char *profile, unsigned depth,
                       struct g2d__src **out)
{
    const char *role = prof_get(f, profile, "role_arn");
    const char *sp = prof_get(f, profile, "source_profile");
    const char *cs = prof_get(f, profile, "credential_source");
    const char *wit = prof_get(f, profile, "web_identity_token_file");
    const char *dur = prof_get(f, profile, "duration_seconds");
    struct g2d__src *s, *base = NULL;
    char what[160];
    int r;

    snprintf(what, sizeof(what), "profile '%.64s' in %.80s", profile, f->conf_path);
    if (wit)
        return web_identity(f, wit, role, prof_get(f, profile, "role_session_name"), profile, what,
                            out);
    if (sp && cs)
        return fail(f, -EINVAL, "profile '%s': source_profile and credential_source together",
                    profile);
    if (!sp && !cs)
        return fail(f, -EINVAL, "profile '%s': role_arn needs source_profile or credential_source",
                    profile);
    if (depth >= MAX_ROLE_DEPTH)
        return fail(f, -ELOOP, "profile '%s': source_profile chain is too long (a loop?)", profile);
    if (cs)
        r = credential_source(f, profile, cs, &base);
    else if (strcmp(sp, profile) == 0)
        r = static_from(f, g2d__ini_section(&f->cred, profile), "the credentials file", &base);
    else if (!prof_exists(f, sp))
        r = fail(f, -ENOENT, "profile '%s': source_profile '%.64s' does not exist", profile, sp);
    else
        r = profile_source(f, sp, depth + 1, &base);
    if (r == 0)
        r = fail(f, -ENOKEY, "profile '%s': its source has no credentials", profile);
    if (r < 0)
        return r;
    s = src_new(G2D_SRC_ASSUME_ROLE);
    if (!s || set(&s->role_arn, role) < 0 ||
        set(&s->session_name, prof_get(f, profile, "role_session_name")) < 0 ||
        set(&s->external_id, prof_get(f, profile, "external_id")) < 0 || sts_fill(f, s, profile)) {
        g2d__src_free(s);
        g2d__src_free(base);
        return -ENOMEM;
    }
    if (dur && atoi(dur) >= 900 && atoi(dur) <= 43200)
        s->duration_s = (unsigned)atoi(dur);
    s->base = base;
    g2d__whatf(s->what, sizeof(s->what), "%s: STS AssumeRole %.100s at %.80s, signed with %.100s",
               what, role, s->sts_url, base->what);
    *out = s;
    return 1;
}

/* The profile links: role, web identity, keys, credential_process. 0 = none. */
static int profile_source(struct aws_files *f, const char *profile, unsigned depth,
                          struct g2d__src **out)
{
    char name[300], what[4200];
    const struct g2d__ini_sect *cs;
    const char *proc;
    struct g2d__src *s;
    int r;

    snprintf(name, sizeof(name), "profile %s", profile);
    if (prof_get(f, profile, "role_arn"))
        return assume_role(f, profile, depth, out);
    if (depth == 0 && g2d__env("AWS_WEB_IDENTITY_TOKEN_FILE") && g2d__env("AWS_ROLE_ARN"))
        return web_identity(f, g2d__env("AWS_WEB_IDENTITY_TOKEN_FILE"), g2d__env("AWS_ROLE_ARN"),
                            g2d__env("AWS_ROLE_SESSION_NAME"), NULL, "web identity (environment)",
                            out);
    snprintf(what, sizeof(what), "profile '%.64s' in %s", profile, f->cred_path);
    r = static_from(f, g2d__ini_section(&f->cred, profile), what, out);
    if (r)
        return r;
    if ((proc = prof_get(f, profile, "credential_process"))) {
        s = src_new(G2D_SRC_PROCESS);
        if (!s || set(&s->command, proc) < 0) {
            g2d__src_free(s);
            return -ENOMEM;
        }
        g2d__whatf(s->what, sizeof(s->what), "profile '%.64s': credential_process", profile);
        *out = s;
        return 1;
    }
    cs = g2d__ini_section(&f->conf, name);
    if (!cs && strcmp(profile, "default") == 0)
        cs = g2d__ini_section(&f->conf, "default");
    snprintf(what, sizeof(what), "profile '%.64s' in %s", profile, f->conf_path);
    return static_from(f, cs, what, out);
}

static int plan_files(struct aws_files *f, const char *profile, bool named, struct g2d__src **out)
{
    int r;

    home_path(f->cred_path, sizeof(f->cred_path), "AWS_SHARED_CREDENTIALS_FILE",
              ".aws/credentials");
    home_path(f->conf_path, sizeof(f->conf_path), "AWS_CONFIG_FILE", ".aws/config");
    r = load_file(f, f->cred_path, &f->cred);
    if (r == 0)
        r = load_file(f, f->conf_path, &f->conf);
    if (r < 0)
        return r;
    if (named && !prof_exists(f, profile))
        return fail(f, -ENOENT, "profile '%.64s' is in neither %s nor %s", profile, f->cred_path,
                    f->conf_path);
    return profile_source(f, profile, 0, out);
}

static int plan_static(const struct g2d_config *cfg, struct g2d__src **out)
{
    const struct g2d_glue_config *g = &cfg->glue;
    struct g2d__src *s;

    if (!g->access_key_id || !g->secret_access_key.value)
        return 0;
    s = src_new(G2D_SRC_STATIC);
    if (!s || set(&s->v.id, g->access_key_id) < 0 ||
        set(&s->v.secret, g->secret_access_key.value) < 0 ||
        set(&s->v.token, g->session_token.value) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    if (g->secret_access_key.source == G2D_SECRET_ENV)
        g2d__whatf(s->what, sizeof(s->what), "environment (AWS_ACCESS_KEY_ID, %s%s)",
                   g->secret_access_key.origin, g->session_token.value ? ", a session token" : "");
    else if (g->secret_access_key.source == G2D_SECRET_CREDENTIAL)
        g2d__whatf(s->what, sizeof(s->what), "static keys: systemd credential '%s'",
                   g->secret_access_key.origin);
    else
        g2d__whatf(s->what, sizeof(s->what), "static keys in the config file");
    *out = s;
    return 1;
}

static int plan_chain(struct aws_files *f, const char *spec, struct g2d__src **out)
{
    const char *profile = g2d__env("AWS_PROFILE");
    bool named = profile != NULL;
    int r = 0;

    if (strncmp(spec, "profile ", 8) == 0) {
        profile = spec + 8;
        named = true;
    } else {
        r = plan_static(f->cfg, out);
    }
    if (r == 0)
        r = plan_files(f, profile ? profile : "default", named, out);
    if (r == 0)
        r = g2d__aws_container(out);
    if (r == 0 && (g2d__env("AWS_EC2_METADATA_SERVICE_ENDPOINT") || g2d__looks_like_ec2()))
        r = g2d__aws_imds(f->cfg, out);
    if (r == 0)
        r = fail(f, -ENOKEY,
                 "no AWS credentials: not in the config or the environment, no profile '%.64s' "
                 "with credentials in %s or %s, no container endpoint, and this host is not "
                 "an EC2 instance (or AWS_EC2_METADATA_DISABLED is set)",
                 profile ? profile : "default", f->cred_path, f->conf_path);
    return r;
}

int g2d__plan_aws(const struct g2d_config *cfg, struct g2d__src **out, char *why, size_t whysz)
{
    const char *spec = cfg->glue.credentials ? cfg->glue.credentials : "chain";
    struct aws_files f = {.cfg = cfg, .why = why, .whysz = whysz};
    int r;

    *out = NULL;
    why[0] = '\0';
    if (strcmp(spec, "static") == 0) {
        r = plan_static(cfg, out);
        if (r == 0)
            r = fail(&f, -ENOKEY,
                     "no AWS credentials: glue.credentials is 'static' but glue.access_key_id / "
                     "glue.secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) "
                     "are not set");
    } else if (strcmp(spec, "web-identity") == 0) {
        r = g2d__env("AWS_WEB_IDENTITY_TOKEN_FILE") && g2d__env("AWS_ROLE_ARN")
                ? web_identity(&f, g2d__env("AWS_WEB_IDENTITY_TOKEN_FILE"),
                               g2d__env("AWS_ROLE_ARN"), g2d__env("AWS_ROLE_SESSION_NAME"), NULL,
                               "web identity (environment)", out)
                : fail(&f, -ENOKEY,
                       "no AWS credentials: AWS_WEB_IDENTITY_TOKEN_FILE and "
                       "AWS_ROLE_ARN are not both set");
    } else if (strcmp(spec, "container") == 0) {
        r = g2d__aws_container(out);
        if (r == 0)
            r = fail(&f, -ENOKEY,
                     "no AWS credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / "
                     "_FULL_URI are not set");
    } else if (strcmp(spec, "instance-metadata") == 0) {
        r = g2d__aws_imds(cfg, out);
        if (r == 0)
            r = fail(&f, -ENOKEY, "no AWS credentials: AWS_EC2_METADATA_DISABLED is set");
    } else {
        r = plan_chain(&f, spec, out);
    }
    g2d__ini_free(&f.cred);
    g2d__ini_free(&f.conf);
    if (r == -EPERM && !why[0])
        snprintf(why, whysz,
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to "
                 "loopback or the ECS/EKS agent address");
    if (r < 0) {
        g2d__src_free(*out);
        *out = NULL;
        if (r == -ENOMEM)
            snprintf(why, whysz, "out of memory");
        return r;
    }
    return 0;
}

int g2d_creds_aws_region(const char *spec, char *buf, size_t sz)
{
    char why[256];
    struct aws_files f = {.why = why, .whysz = sizeof(why)};
    const char *profile = g2d__env("AWS_PROFILE"), *v;
    int r = -ENOENT;

    if (spec && strncmp(spec, "profile ", 8) == 0)
        profile = spec + 8;
    home_path(f.conf_path, sizeof(f.conf_path), "AWS_CONFIG_FILE", ".aws/config");
    home_path(f.cred_path, sizeof(f.cred_path), "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    if (g2d__ini_load(f.conf_path, &f.conf, why, sizeof(why)) == 0) {
        v = prof_get(&f, profile ? profile : "default", "region");
        if (v && strlen(v) < sz) {
            snprintf(buf, sz, "%s", v);
            r = 0;
        }
    }
    g2d__ini_free(&f.conf);
    return r;
}
