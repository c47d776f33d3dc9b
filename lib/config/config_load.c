/* SPDX-License-Identifier: MIT */
/*
 * Loading a config: reading the file (bounded, permission-checked when it holds a
 * literal secret), choosing the front end, applying the defaults and the validator, then
 * what is derived once every key is known (regions from the environment, the jitter,
 * credential fallbacks, the endpoint URLs). Also freeing a config and the small queries
 * on a loaded one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/creds.h"
#include "config/config_check.h"

/* Position for a message about a whole section: its key, or 1:1 when absent. */
static const struct g2d__node *section_pos(const struct g2d__cfg_ctx *c, const char *name)
{
    size_t j;

    for (j = 0; j < g2d__nsections; j++)
        if (!strcmp(g2d__sections[j].name, name))
            return c->section_node[j];
    return NULL;
}

static g2d_region_lookup_fn region_lookup;

void g2d_config_set_region_lookup(g2d_region_lookup_fn fn)
{
    region_lookup = fn;
}

/* May glue.credentials (@p spec) take keys from instance metadata? */
static bool spec_may_use_imds(const char *spec)
{
    return !spec || strcmp(spec, "chain") == 0 || strcmp(spec, "instance-metadata") == 0;
}

static int resolve_regions(struct g2d__cfg_ctx *c)
{
    static const char *const envs[] = {"AWS_REGION", "AWS_DEFAULT_REGION"};
    struct g2d_config *cfg = c->cfg;
    const struct g2d__node *g = section_pos(c, "glue"), *d = section_pos(c, "dlf");
    int gl = g ? g->key_line : 1, gc = g ? g->key_col : 1;
    size_t i;

    for (i = 0; i < 2 && !cfg->glue.region; i++) {
        const char *e = secure_getenv(envs[i]);

        if (!e || !*e)
            continue;
        if (!g2d__valid_region(e))
            return g2d_error_set_at(c->err, -EINVAL, c->file, gl, gc,
                                    "key 'glue.region': environment variable %s holds an "
                                    "invalid region",
                                    envs[i]);
        if (g2d__cfg_set_str(c, &cfg->glue.region, e) < 0)
            return -ENOMEM;
    }
    if (!cfg->glue.region) {
        char pr[64];

        if (g2d_creds_aws_region(cfg->glue.credentials, pr, sizeof(pr)) == 0 &&
            g2d__valid_region(pr) && g2d__cfg_set_str(c, &cfg->glue.region, pr) < 0)
            return -ENOMEM;
    }
    if (!cfg->glue.region && region_lookup && spec_may_use_imds(cfg->glue.credentials)) {
        char ir[64];

        if (region_lookup(cfg->glue.imds_v1_fallback, ir, sizeof(ir)) == 0 &&
            g2d__valid_region(ir) && g2d__cfg_set_str(c, &cfg->glue.region, ir) < 0)
            return -ENOMEM;
    }
    if (!cfg->glue.region)
        return g2d_error_set_at(
            c->err, -EINVAL, c->file, cfg->legacy ? 1 : gl, cfg->legacy ? 1 : gc,
            "key '%s': required (or set AWS_REGION / AWS_DEFAULT_REGION, or region in "
            "the AWS profile; on EC2 the daemon also asks instance metadata at start, which "
            "--check-config does not)",
            cfg->legacy ? "aws.region" : "glue.region");
    if (!cfg->dlf.region)
        return g2d_error_set_at(c->err, -EINVAL, c->file, cfg->legacy || !d ? 1 : d->key_line,
                                cfg->legacy || !d ? 1 : d->key_col, "key '%s': required",
                                cfg->legacy ? "aliyun.region" : "dlf.region");
    return 0;
}

static int derive_url(struct g2d__cfg_ctx *c, char **out, const char *endpoint, const char *host,
                      const char *region, const char *suffix)
{
    int r = endpoint ? (int)((*out = strdup(endpoint)) ? 0 : -1)
                     : asprintf(out, "https://%s.%s.%s", host, region, suffix);

    if (r < 0) {
        *out = NULL;
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}

/* glue.credentials names a link of the AWS chain (lib/creds/aws_plan.c). */
static int check_credentials_spec(struct g2d__cfg_ctx *c)
{
    const struct g2d__node *g = section_pos(c, "glue");
    const char *why;

    const struct g2d__node *d = section_pos(c, "dlf");

    if (!g2d_creds_spec_valid(G2D_CREDS_AWS, c->cfg->glue.credentials, &why))
        return g2d_error_set_at(c->err, -EINVAL, c->file, g ? g->key_line : 1, g ? g->key_col : 1,
                                "key 'glue.credentials': '%s': %s",
                                g2d__cfg_shown((char[96]){0}, 96, c->cfg->glue.credentials), why);
    if (!g2d_creds_spec_valid(G2D_CREDS_ALIBABA, c->cfg->dlf.credentials, &why))
        return g2d_error_set_at(c->err, -EINVAL, c->file, d ? d->key_line : 1, d ? d->key_col : 1,
                                "key 'dlf.credentials': '%s': %s",
                                g2d__cfg_shown((char[96]){0}, 96, c->cfg->dlf.credentials), why);
    return 0;
}

static int finish(struct g2d__cfg_ctx *c)
{
    struct g2d_config *cfg = c->cfg;
    char b[32];
    int r;

    r = resolve_regions(c);
    if (r < 0)
        return r;
    if (!c->jitter) {
        cfg->jitter_ms = cfg->interval_ms / G2D_DEFAULT_JITTER_DIVISOR;
    } else if (cfg->jitter_ms >= cfg->interval_ms) {
        g2d__fmt_duration(b, sizeof(b), cfg->interval_ms);
        return g2d__cfg_fail(c, c->jitter, false, "sync.jitter",
                             "must be less than sync.interval (%s)", b);
    }
    r = g2d__resolve_side(c, &cfg->glue.access_key_id, &cfg->glue.secret_access_key,
                          &cfg->glue.session_token, c->sec[SLOT_GLUE_SECRET].node,
                          c->sec[SLOT_GLUE_TOKEN].node, "AWS_ACCESS_KEY_ID",
                          "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "glue-secret-access-key");
    if (r < 0)
        return r;
    r = g2d__resolve_side(
        c, &cfg->dlf.access_key_id, &cfg->dlf.access_key_secret, &cfg->dlf.security_token,
        c->sec[SLOT_DLF_SECRET].node, c->sec[SLOT_DLF_TOKEN].node, "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "dlf-access-key-secret");
    if (r < 0)
        return r;
    r = check_credentials_spec(c);
    if (r < 0)
        return r;
    /* AWS partitions other than "aws" use their own DNS suffix. */
    r = derive_url(c, &cfg->glue_url, cfg->glue.http.endpoint, "glue", cfg->glue.region,
                   strncmp(cfg->glue.region, "cn-", 3) ? "amazonaws.com" : "amazonaws.com.cn");
    if (r == 0)
        r = derive_url(c, &cfg->dlf_url, cfg->dlf.http.endpoint, "dlf", cfg->dlf.region,
                       "aliyuncs.com");
    return r;
}

static int load_mem(struct g2d_config **out, const char *name, const char *data, size_t len,
                    bool legacy, struct g2d__literal_pos *lit, struct g2d_error *err)
{
    const char *file = name ? name : "<input>";
    struct g2d__node *root = NULL;
    struct g2d__cfg_ctx c;
    int r;

    memset(lit, 0, sizeof(*lit));
    if (len > G2D_CONFIG_MAX_BYTES)
        return g2d_error_set_at(err, -E2BIG, file, 1, 1, "config larger than %u bytes",
                                G2D_CONFIG_MAX_BYTES);
    memset(&c, 0, sizeof(c));
    c.file = file;
    c.err = err;
    c.lit = lit;
    c.cfg = calloc(1, sizeof(*c.cfg));
    if (!c.cfg)
        return g2d_error_set_at(err, -ENOMEM, file, 1, 1, "out of memory");
    r = g2d__config_set_defaults(c.cfg);
    c.cfg->legacy = legacy;
    if (r < 0)
        r = g2d_error_set_at(err, -ENOMEM, file, 1, 1, "out of memory");
    if (r == 0 && name)
        r = g2d__cfg_set_str(&c, &c.cfg->path, name);
    if (r == 0)
        r = legacy ? g2d__props_parse(file, data, len, &root, err)
                   : g2d__yaml_parse(file, data, len, &root, err);
    if (r == 0)
        r = g2d__cfg_walk(&c, root);
    if (r == 0)
        r = finish(&c);
    g2d__node_free(root);
    if (r < 0) {
        g2d_config_free(c.cfg);
        return r;
    }
    *out = c.cfg;
    return 0;
}

int g2d_config_load_buffer(struct g2d_config **out, const char *name, const char *data, size_t len,
                           bool legacy, struct g2d_error *err)
{
    struct g2d__literal_pos lit;

    return load_mem(out, name, data, len, legacy, &lit, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

int g2d_config_load(struct g2d_config **out, const char *path, struct g2d_error *err)
{
    struct g2d_config *cfg = NULL;
    struct g2d__literal_pos lit;
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    int fd, r;

    /* O_NONBLOCK: opening a FIFO must not hang; regular files ignore it. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return g2d_error_set(err, -errno, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        r = g2d_error_set(err, -errno, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = g2d_error_set(err, -EINVAL, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size > (off_t)G2D_CONFIG_MAX_BYTES) {
        r = g2d_error_set(err, -E2BIG, "%s: larger than %u bytes", path, G2D_CONFIG_MAX_BYTES);
        goto out;
    }
    /* The size may change under us: read to a ceiling, not to st_size. */
    data = malloc(G2D_CONFIG_MAX_BYTES + 1);
    if (!data) {
        r = g2d_error_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t k = read(fd, data + len, G2D_CONFIG_MAX_BYTES + 1 - len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = g2d_error_set(err, -errno, "%s: cannot read: %s", path, strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        len += (size_t)k;
        if (len > G2D_CONFIG_MAX_BYTES) {
            r = g2d_error_set(err, -E2BIG, "%s: larger than %u bytes", path, G2D_CONFIG_MAX_BYTES);
            goto out;
        }
    }
    r = load_mem(&cfg, path, data, len,
                 ends_with(path, ".properties") || g2d__props_sniff(data, len), &lit, err);
    if (r < 0)
        goto out;
    if (lit.found && (st.st_mode & S_IROTH)) {
        r = g2d_error_set_at(err, -EPERM, path, lit.line, lit.col,
                             "key '%s': refusing a file that holds a secret and is readable by "
                             "others (mode %04o); run 'chmod 0640 %s', or take the secret from "
                             "the environment (*_env) or a systemd credential (*_credential)",
                             lit.name, (unsigned)(st.st_mode & 07777), path);
        g2d_config_free(cfg);
        goto out;
    }
    *out = cfg;
    r = 0;
out:
    if (data) {
        explicit_bzero(data, len);
        free(data);
    }
    close(fd);
    return r;
}

void g2d_config_free(struct g2d_config *cfg)
{
    if (!cfg)
        return;
    g2d__config_free_keys(cfg);
    free(cfg->path);
    free(cfg->glue_url);
    free(cfg->dlf_url);
    free(cfg);
}

const char *g2d_config_glue_url(const struct g2d_config *cfg)
{
    return cfg->glue_url;
}

const char *g2d_config_dlf_url(const struct g2d_config *cfg)
{
    return cfg->dlf_url;
}

bool g2d_config_database_selected(const struct g2d_config *cfg, const char *db)
{
    size_t i;

    if (!cfg->ndatabases)
        return true;
    for (i = 0; i < cfg->ndatabases; i++)
        if (!strcasecmp(cfg->databases[i], db))
            return true;
    return false;
}

bool g2d_config_table_selected(const struct g2d_config *cfg, const char *table)
{
    size_t i;

    if (!cfg->ntable_prefixes)
        return true;
    for (i = 0; i < cfg->ntable_prefixes; i++)
        if (!strncasecmp(table, cfg->table_prefixes[i], strlen(cfg->table_prefixes[i])))
            return true;
    return false;
}

const char *g2d_config_partition_filter(const struct g2d_config *cfg, const char *db,
                                        const char *table)
{
    size_t i;

    for (i = 0; i < cfg->npartition_filters; i++)
        if (!strcasecmp(cfg->partition_filters[i].database, db) &&
            !strcasecmp(cfg->partition_filters[i].table, table))
            return cfg->partition_filters[i].expression;
    return NULL;
}
