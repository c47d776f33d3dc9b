/* SPDX-License-Identifier: MIT */
/*
 * The Alibaba Cloud credential chain, planned without network, in the order of Alibaba's
 * credentials libraries (credentials-go/java DefaultCredentialsProvider):
 *
 *  1. the configured keys or ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET
 *     (+ ALIBABA_CLOUD_SECURITY_TOKEN), read by the config loader;
 *  2. RRSA/OIDC: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN +
 *     ALIBABA_CLOUD_OIDC_TOKEN_FILE (ALIBABA_CLOUD_ROLE_SESSION_NAME): STS
 *     AssumeRoleWithOIDC;
 *  3. the CLI's ~/.aliyun/config.json, profile ALIBABA_CLOUD_PROFILE or its "current"
 *     (modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC; skipped
 *     with ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true);
 *  4. the ini file ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials, section
 *     ALIBABA_CLOUD_PROFILE or "default" (type access_key, ecs_ram_role, ram_role_arn,
 *     oidc_role_arn);
 *  5. the ECS RAM role from instance metadata (100.100.100.200, the hardened mode's token
 *     first, then without unless ALIBABA_CLOUD_IMDSV1_DISABLED=true; role
 *     ALIBABA_CLOUD_ECS_METADATA or asked; skipped with
 *     ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, and in the chain only on a host that looks
 *     like ECS, or with ALIBABA_CLOUD_ECS_METADATA or the endpoint override set);
 *  6. ALIBABA_CLOUD_CREDENTIALS_URI.
 *
 * STS is https://sts.aliyuncs.com, or sts[-vpc].<region>.aliyuncs.com with
 * ALIBABA_CLOUD_STS_REGION (ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED). Two overrides are
 * glue2dlf's own (there are no standard ones; tests and private endpoints use them):
 * G2D_ALIBABA_STS_ENDPOINT and G2D_ALIBABA_ECS_METADATA_ENDPOINT.
 */
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "glue2dlf/config.h"
#include "creds/creds-internal.h"

#define MAX_CHAIN 4
#define CLI_MAX (1u << 20)

struct sts_opts {
    const char *role, *session, *external_id, *region;
    int duration;
    bool vpc;
};

static int set(char **dst, const char *v)
{
    if (!v)
        return 0;
    *dst = strdup(v);
    return *dst ? 0 : -ENOMEM;
}

static struct g2d__src *src_new(enum g2d__src_kind kind)
{
    struct g2d__src *s = calloc(1, sizeof(*s));

    if (s)
        s->kind = kind;
    return s;
}

static int ali_static(const char *id, const char *secret, const char *token, const char *what,
                      struct g2d__src **out)
{
    struct g2d__src *s = src_new(G2D_SRC_STATIC);

    if (!s || set(&s->v.id, id) < 0 || set(&s->v.secret, secret) < 0 ||
        set(&s->v.token, token) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    g2d__whatf(s->what, sizeof(s->what), "%s", what);
    *out = s;
    return 1;
}

/* The STS endpoint and the call's options. */
static int sts_fill(struct g2d__src *s, const struct sts_opts *o)
{
    const char *ep = g2d__env("G2D_ALIBABA_STS_ENDPOINT");
    const char *region = o->region ? o->region : g2d__env("ALIBABA_CLOUD_STS_REGION");
    bool vpc = o->vpc || g2d__env_true("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
    char url[512];
    size_t n;

    if (ep)
        snprintf(url, sizeof(url), "%s", ep);
    else if (region)
        snprintf(url, sizeof(url), "https://sts%s.%s.aliyuncs.com", vpc ? "-vpc" : "", region);
    else
        snprintf(url, sizeof(url), "https://sts.aliyuncs.com");
    n = strlen(url);
    while (n > 8 && url[n - 1] == '/')
        url[--n] = '\0';
    s->duration_s = o->duration >= 900 ? (unsigned)o->duration : 3600;
    if (set(&s->sts_url, url) < 0 || set(&s->role_arn, o->role) < 0 ||
        set(&s->session_name, o->session ? o->session : "glue2dlf") < 0 ||
        set(&s->external_id, o->external_id) < 0)
        return -ENOMEM;
    return 0;
}

static int oidc(const struct sts_opts *o, const char *provider_arn, const char *token_file,
                const char *what, struct g2d__src **out, char *why, size_t whysz)
{
    struct g2d__src *s;

    if (!o->role || !provider_arn || !token_file) {
        snprintf(why, whysz, "%s: OIDC needs a role ARN, an OIDC provider ARN and a token file",
                 what);
        return -EINVAL;
    }
    s = src_new(G2D_SRC_ALI_OIDC);
    if (!s || sts_fill(s, o) < 0 || set(&s->oidc_provider_arn, provider_arn) < 0 ||
        set(&s->token_file, token_file) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    g2d__whatf(s->what, sizeof(s->what), "%s: STS AssumeRoleWithOIDC for %.120s at %.100s", what,
               o->role, s->sts_url);
    *out = s;
    return 1;
}

static int ram_role(struct g2d__src *base, const struct sts_opts *o, const char *what,
                    struct g2d__src **out, char *why, size_t whysz)
{
    struct g2d__src *s;

    if (!o->role) {
        snprintf(why, whysz, "%s: RamRoleArn needs ram_role_arn", what);
        g2d__src_free(base);
        return -EINVAL;
    }
    s = src_new(G2D_SRC_ALI_ASSUME_ROLE);
    if (!s || sts_fill(s, o) < 0) {
        g2d__src_free(s);
        g2d__src_free(base);
        return -ENOMEM;
    }
    s->base = base;
    g2d__whatf(s->what, sizeof(s->what), "%s: STS AssumeRole %.100s at %.80s, signed with %.100s",
               what, o->role, s->sts_url, base->what);
    *out = s;
    return 1;
}

/* Does this host look like an Alibaba Cloud ECS instance (DMI)? */
static bool looks_like_ecs(void)
{
    static const char *const files[] = {"/sys/class/dmi/id/sys_vendor",
                                        "/sys/class/dmi/id/product_name"};
    char buf[64];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f = fopen(files[i], "re");
        size_t n;

        if (!f)
            continue;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (strstr(buf, "Alibaba Cloud"))
            return true;
    }
    return false;
}

static int ecs(const char *role, const char *what, struct g2d__src **out)
{
    const char *ep = g2d__env("G2D_ALIBABA_ECS_METADATA_ENDPOINT");
    struct g2d__src *s = src_new(G2D_SRC_IMDS);
    size_t n;

    if (!s || set(&s->imds_url, ep ? ep : "http://100.100.100.200") < 0 ||
        set(&s->role_name, role) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    n = strlen(s->imds_url);
    while (n > 8 && s->imds_url[n - 1] == '/')
        s->imds_url[--n] = '\0';
    s->ali = true;
    s->v1_ok = !g2d__env_true("ALIBABA_CLOUD_IMDSV1_DISABLED");
    g2d__whatf(s->what, sizeof(s->what), "%s: ECS RAM role%s%.64s%s from instance metadata at %s",
               what, role ? " '" : "", role ? role : "", role ? "'" : "", s->imds_url);
    *out = s;
    return 1;
}

static int uri(const char *url, struct g2d__src **out)
{
    struct g2d__src *s = src_new(G2D_SRC_CONTAINER);

    if (!s || set(&s->url, url) < 0) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    s->ali = true;
    g2d__whatf(s->what, sizeof(s->what), "credentials URI %.200s (ALIBABA_CLOUD_CREDENTIALS_URI)",
               url);
    *out = s;
    return 1;
}

/* ---- ~/.aliyun/config.json ---------------------------------------------------------- */

static const char *js(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);

    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

static json_t *find_profile(json_t *profiles, const char *name)
{
    size_t i;
    json_t *p;

    json_array_foreach(profiles, i, p)
    {
        const char *n = js(p, "name");

        if (n && strcmp(n, name) == 0)
            return p;
    }
    return NULL;
}

static int cli_profile(json_t *profiles, json_t *p, unsigned depth, struct g2d__src **out,
                       char *why, size_t whysz);

static int cli_mode(json_t *profiles, json_t *p, const char *mode, const char *what, unsigned depth,
                    struct g2d__src **out, char *why, size_t whysz)
{
    struct sts_opts o = {js(p, "ram_role_arn"),
                         js(p, "ram_session_name"),
                         js(p, "external_id"),
                         js(p, "sts_region"),
                         (int)json_integer_value(json_object_get(p, "expired_seconds")),
                         json_is_true(json_object_get(p, "enable_vpc"))};
    const char *id = js(p, "access_key_id"), *sec = js(p, "access_key_secret");
    struct g2d__src *base = NULL;
    json_t *src;
    int r;

    if (strcmp(mode, "EcsRamRole") == 0)
        return ecs(js(p, "ram_role_name"), what, out);
    if (strcmp(mode, "OIDC") == 0)
        return oidc(&o, js(p, "oidc_provider_arn"), js(p, "oidc_token_file"), what, out, why,
                    whysz);
    if (strcmp(mode, "ChainableRamRoleArn") == 0) {
        src = js(p, "source_profile") ? find_profile(profiles, js(p, "source_profile")) : NULL;
        if (!src || depth >= MAX_CHAIN) {
            snprintf(why, whysz, "%s: source_profile is missing, unknown or loops", what);
            return -EINVAL;
        }
        r = cli_profile(profiles, src, depth + 1, &base, why, whysz);
        return r < 0 ? r : ram_role(base, &o, what, out, why, whysz);
    }
    if (strcmp(mode, "AK") != 0 && strcmp(mode, "StsToken") != 0 &&
        strcmp(mode, "RamRoleArn") != 0) {
        snprintf(why, whysz, "%s: mode '%.32s' is not supported", what, mode);
        return -EINVAL;
    }
    if (!id || !sec) {
        snprintf(why, whysz, "%s: mode %.32s needs access_key_id and access_key_secret", what,
                 mode);
        return -EINVAL;
    }
    if (strcmp(mode, "AK") == 0 || strcmp(mode, "StsToken") == 0)
        return ali_static(id, sec, strcmp(mode, "StsToken") == 0 ? js(p, "sts_token") : NULL, what,
                          out);

    r = ali_static(id, sec, NULL, "its access key", &base);
    return r < 0 ? r : ram_role(base, &o, what, out, why, whysz);
}

static int cli_profile(json_t *profiles, json_t *p, unsigned depth, struct g2d__src **out,
                       char *why, size_t whysz)
{
    char what[160];
    const char *mode = js(p, "mode");

    snprintf(what, sizeof(what), "profile '%.64s' (mode %.32s) of ~/.aliyun/config.json",
             js(p, "name") ? js(p, "name") : "?", mode ? mode : "?");
    if (!mode) {
        snprintf(why, whysz, "%s: no mode", what);
        return -EINVAL;
    }
    return cli_mode(profiles, p, mode, what, depth, out, why, whysz);
}

int g2d__aliyun_cli_profile(const char *text, size_t len, const char *name, struct g2d__src **out,
                            char *why, size_t whysz)
{
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *profiles, *p;
    int r = 0;

    *out = NULL;
    profiles = json_object_get(j, "profiles");
    if (!json_is_object(j) || !json_is_array(profiles)) {
        snprintf(why, whysz, "~/.aliyun/config.json: not an object with a profiles array");
        r = -EINVAL;
    } else if (!name && !(name = js(j, "current"))) {
        r = 0;
    } else if ((p = find_profile(profiles, name))) {
        r = cli_profile(profiles, p, 0, out, why, whysz);
    }
    json_decref(j);
    if (r < 0) {
        g2d__src_free(*out);
        *out = NULL;
    }
    return r;
}

/* ---- the files ---------------------------------------------------------------------- */

static void home_file(char *out, size_t sz, const char *rel)
{
    const char *home = g2d__env("HOME");
    struct passwd *pw;

    if (!home && (pw = getpwuid(getuid())))
        home = pw->pw_dir;
    snprintf(out, sz, "%s/%s", home ? home : "", rel);
}

static int plan_cli(const char *name, struct g2d__src **out, char *why, size_t whysz)
{
    char path[4096], *text = NULL;
    int r;

    if (g2d__env_true("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"))
        return 0;
    home_file(path, sizeof(path), ".aliyun/config.json");
    r = g2d__read_small(path, &text, why, whysz);
    if (r == -ENOENT || r == -ENOTDIR) {
        why[0] = '\0';
        return 0;
    }
    if (r < 0)
        return r;
    r = g2d__aliyun_cli_profile(text, strlen(text), name, out, why, whysz);
    g2d__wipe_free(text);
    return r;
}

static int ini_section(const struct g2d__ini_sect *s, const char *what, struct g2d__src **out,
                       char *why, size_t whysz)
{
    const char *type = g2d__ini_get(s, "type");
    const char *id = g2d__ini_get(s, "access_key_id"), *sec = g2d__ini_get(s, "access_key_secret");
    struct sts_opts o = {
        g2d__ini_get(s, "role_arn"), g2d__ini_get(s, "role_session_name"), NULL, NULL, 3600, false};
    struct g2d__src *base = NULL;
    int r;

    if (type && strcmp(type, "ecs_ram_role") == 0)
        return ecs(g2d__ini_get(s, "role_name"), what, out);
    if (type && strcmp(type, "oidc_role_arn") == 0)
        return oidc(&o, g2d__ini_get(s, "oidc_provider_arn"),
                    g2d__ini_get(s, "oidc_token_file_path"), what, out, why, whysz);
    if (!type || (strcmp(type, "access_key") != 0 && strcmp(type, "ram_role_arn") != 0)) {
        snprintf(why, whysz, "%s: type '%.32s' is not supported", what, type ? type : "");
        return -EINVAL;
    }
    if (!id || !sec) {
        snprintf(why, whysz, "%s: access_key_id and access_key_secret are required", what);
        return -EINVAL;
    }
    if (strcmp(type, "access_key") == 0)
        return ali_static(id, sec, NULL, what, out);
    r = ali_static(id, sec, NULL, "its access key", &base);
    return r < 0 ? r : ram_role(base, &o, what, out, why, whysz);
}

static int plan_ini(const char *name, struct g2d__src **out, char *why, size_t whysz)
{
    char path[4096], what[4200];
    const char *e = g2d__env("ALIBABA_CLOUD_CREDENTIALS_FILE");
    struct g2d__ini ini;
    const struct g2d__ini_sect *s;
    int r;

    if (e)
        snprintf(path, sizeof(path), "%s", e);
    else
        home_file(path, sizeof(path), ".alibabacloud/credentials");
    r = g2d__ini_load(path, &ini, why, whysz);
    if (r == -ENOENT || r == -ENOTDIR) {
        why[0] = '\0';
        return 0;
    }
    if (r < 0)
        return r;
    s = g2d__ini_section(&ini, name ? name : "default");
    snprintf(what, sizeof(what), "profile '%.64s' of %s", name ? name : "default", path);
    r = s ? ini_section(s, what, out, why, whysz) : 0;
    g2d__ini_free(&ini);
    return r;
}

/* ---- the chain ---------------------------------------------------------------------- */

static int plan_static(const struct g2d_config *cfg, struct g2d__src **out)
{
    const struct g2d_dlf_config *d = &cfg->dlf;
    char what[160];

    if (!d->access_key_id || !d->access_key_secret.value)
        return 0;
    if (d->access_key_secret.source == G2D_SECRET_ENV)
        snprintf(what, sizeof(what), "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, %.64s)",
                 d->access_key_secret.origin);
    else if (d->access_key_secret.source == G2D_SECRET_CREDENTIAL)
        snprintf(what, sizeof(what), "static keys: systemd credential '%.64s'",
                 d->access_key_secret.origin);
    else
        snprintf(what, sizeof(what), "static keys in the config file");
    return ali_static(d->access_key_id, d->access_key_secret.value, d->security_token.value, what,
                      out);
}

static int plan_oidc_env(struct g2d__src **out, char *why, size_t whysz)
{
    struct sts_opts o = {g2d__env("ALIBABA_CLOUD_ROLE_ARN"),
                         g2d__env("ALIBABA_CLOUD_ROLE_SESSION_NAME"),
                         NULL,
                         NULL,
                         3600,
                         false};

    if (!o.role || !g2d__env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") ||
        !g2d__env("ALIBABA_CLOUD_OIDC_TOKEN_FILE"))
        return 0;
    return oidc(&o, g2d__env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
                g2d__env("ALIBABA_CLOUD_OIDC_TOKEN_FILE"), "RRSA/OIDC (environment)", out, why,
                whysz);
}

static int plan_ecs(bool chain, struct g2d__src **out)
{
    const char *role = g2d__env("ALIBABA_CLOUD_ECS_METADATA");

    if (g2d__env_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED"))
        return 0;
    if (chain && !role && !g2d__env("G2D_ALIBABA_ECS_METADATA_ENDPOINT") && !looks_like_ecs())
        return 0;
    return ecs(role, "instance metadata", out);
}

static int plan_chain(const struct g2d_config *cfg, const char *profile, struct g2d__src **out,
                      char *why, size_t whysz)
{
    int r = profile ? 0 : plan_static(cfg, out);

    if (r == 0 && !profile)
        r = plan_oidc_env(out, why, whysz);
    if (r == 0)
        r = plan_cli(profile ? profile : g2d__env("ALIBABA_CLOUD_PROFILE"), out, why, whysz);
    if (r == 0)
        r = plan_ini(profile ? profile : g2d__env("ALIBABA_CLOUD_PROFILE"), out, why, whysz);
    if (r == 0 && profile) {
        snprintf(why, whysz,
                 "profile '%.64s' is in neither ~/.aliyun/config.json nor the "
                 "credentials file",
                 profile);
        return -ENOENT;
    }
    if (r == 0)
        r = plan_ecs(true, out);
    if (r == 0 && g2d__env("ALIBABA_CLOUD_CREDENTIALS_URI"))
        r = uri(g2d__env("ALIBABA_CLOUD_CREDENTIALS_URI"), out);
    if (r == 0) {
        snprintf(why, whysz,
                 "no Alibaba Cloud credentials: not in the config (dlf.access_key_id / "
                 "dlf.access_key_secret) or ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, no OIDC "
                 "variables, no profile in ~/.aliyun/config.json or ~/.alibabacloud/credentials, "
                 "not an ECS instance, no ALIBABA_CLOUD_CREDENTIALS_URI");
        return -ENOKEY;
    }
    return r;
}

int g2d__plan_alibaba(const struct g2d_config *cfg, struct g2d__src **out, char *why, size_t whysz)
{
    const char *spec = cfg->dlf.credentials ? cfg->dlf.credentials : "chain";
    int r;

    *out = NULL;
    why[0] = '\0';
    if (strcmp(spec, "static") == 0)
        r = plan_static(cfg, out);
    else if (strcmp(spec, "oidc") == 0)
        r = plan_oidc_env(out, why, whysz);
    else if (strcmp(spec, "ecs-ram-role") == 0)
        r = plan_ecs(false, out);
    else if (strcmp(spec, "uri") == 0)
        r = g2d__env("ALIBABA_CLOUD_CREDENTIALS_URI")
                ? uri(g2d__env("ALIBABA_CLOUD_CREDENTIALS_URI"), out)
                : 0;
    else
        r = plan_chain(cfg, strncmp(spec, "profile ", 8) == 0 ? spec + 8 : NULL, out, why, whysz);
    if (r == 0) {
        snprintf(why, whysz, "no Alibaba Cloud credentials for dlf.credentials '%.64s'", spec);
        r = -ENOKEY;
    }
    if (r < 0) {
        g2d__src_free(*out);
        *out = NULL;
        if (r == -ENOMEM)
            snprintf(why, whysz, "out of memory");
        return r;
    }
    return 0;
}
