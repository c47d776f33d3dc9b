/* SPDX-License-Identifier: MIT */
/*
 * --print-config: the effective configuration as YAML in the layout of glue2dlf.yaml,
 * every value written out (defaults included), secrets replaced by "***" and a comment
 * saying where they came from. The output loads back to the same settings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "glue2dlf/config.h"
#include "glue2dlf/creds.h"
#include "config/config_internal.h"

struct out {
    struct g2d_buf *b;
    int r;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    if (o->r < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->r = -EINVAL;
    } else if ((size_t)n < sizeof(small)) {
        o->r = g2d_buf_append(o->b, small, (size_t)n);
    } else {
        char *big = NULL;

        va_start(ap, fmt);
        n = vasprintf(&big, fmt, ap);
        va_end(ap);
        o->r = n < 0 ? -ENOMEM : g2d_buf_append(o->b, big, (size_t)n);
        free(big);
    }
}

/*
 * The inside of a YAML double-quoted scalar. Control characters and the characters YAML
 * treats as line breaks (NEL, LS, PS) are escaped so that the text reads back unchanged.
 */
static void put_escaped(struct out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p && o->r == 0; p++) {
        if (*p == '"' || *p == '\\') {
            put(o, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            put(o, "\\x%02x", *p);
        } else if (p[0] == 0xc2 && p[1] == 0x85) {
            put(o, "\\N");
            p += 1;
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            put(o, "\\%c", p[2] == 0xa8 ? 'L' : 'P');
            p += 2;
        } else {
            o->r = g2d_buf_putc(o->b, (char)*p);
        }
    }
}

static void put_quoted(struct out *o, const char *s)
{
    put(o, "\"");
    put_escaped(o, s);
    put(o, "\"");
}

/*
 * One entry of a free-form mapping. YAML limits implicit keys to 1024 characters, so long
 * keys use the explicit "? key" form.
 */
static void put_entry(struct out *o, const char *k1, const char *k2, const char *v)
{
    bool explicit = strlen(k1) + (k2 ? strlen(k2) + 1 : 0) > 256;

    put(o, explicit ? "    ? \"" : "    \"");
    put_escaped(o, k1);
    if (k2) {
        put(o, ".");
        put_escaped(o, k2);
    }
    put(o, explicit ? "\"\n    : " : "\": ");
    put_quoted(o, v);
    put(o, "\n");
}

static void put_str(struct out *o, const char *key, const char *v, const char *comment)
{
    put(o, "  %s: ", key);
    if (v)
        put_quoted(o, v);
    else
        put(o, "null");
    if (comment)
        put(o, "  # %s", comment);
    put(o, "\n");
}

static void put_double(struct out *o, const char *key, double v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof(buf), "%.17g", v);
    put(o, "  %s: %s\n", key, buf);
}

static void put_duration(struct out *o, const char *key, uint64_t ms, const char *comment)
{
    char buf[32];

    g2d__fmt_duration(buf, sizeof(buf), ms);
    put(o, "  %s: %s%s%s\n", key, buf, comment ? "  # " : "", comment ? comment : "");
}

static void put_secret(struct out *o, const char *key, const struct g2d_secret *s,
                       const char *unset)
{
    switch (s->source) {
    case G2D_SECRET_FILE:
        put(o, "  %s: \"***\"  # from the config file\n", key);
        break;
    case G2D_SECRET_ENV:
        put(o, "  %s: \"***\"  # from env %s\n", key, s->origin ? s->origin : "?");
        break;
    case G2D_SECRET_CREDENTIAL:
        put(o, "  %s: \"***\"  # from credential %s\n", key, s->origin ? s->origin : "?");
        break;
    default:
        put(o, "  %s: null  # not set%s\n", key, unset);
    }
}

static void put_list(struct out *o, const char *key, char *const *v, size_t n, const char *empty)
{
    size_t i;

    if (!n) {
        put(o, "  %s: []  # %s\n", key, empty);
        return;
    }
    put(o, "  %s:\n", key);
    for (i = 0; i < n; i++) {
        put(o, "    - ");
        put_quoted(o, v[i]);
        put(o, "\n");
    }
}

static const char *level_name(int level)
{
    switch (level) {
    case LOG_DEBUG + 1:
        return "trace";
    case LOG_DEBUG:
        return "debug";
    case LOG_NOTICE:
        return "notice";
    case LOG_WARNING:
        return "warning";
    case LOG_ERR:
        return "err";
    default:
        return "info";
    }
}

static const char *target_name(enum g2d_log_target t)
{
    return t == G2D_LOG_JOURNAL ? "journal" : t == G2D_LOG_STDERR ? "stderr" : "auto";
}

static void put_side_http(struct out *o, const struct g2d_endpoint_config *h)
{
    put(o, "  max_concurrency: %u\n", h->max_concurrency);
    put_double(o, "max_requests_per_second", h->max_rps);
    put(o, "  page_size: %u\n", h->page_size);
}

/* Where the side's credentials come from, as the chain resolves them now (no secret). */
static void put_source(struct out *o, const struct g2d_config *cfg, enum g2d_creds_cloud cloud)
{
    struct g2d_creds *p = NULL;
    struct g2d_error err = {0};
    int r = g2d_creds_new(&p, cloud, cfg, &err);

    if (p && r == 0)
        put(o, "  # credentials from: %s\n", g2d_creds_describe(p));
    else
        put(o, "  # credentials from: none (%s)\n", err.msg[0] ? err.msg : strerror(-r));
    g2d_creds_free(p);
}

static void put_glue(struct out *o, const struct g2d_config *cfg)
{
    char derived[128];

    put(o, "glue:\n");
    put_str(o, "region", cfg->glue.region, NULL);
    snprintf(derived, sizeof(derived), "derived: %s", cfg->glue_url ? cfg->glue_url : "?");
    put_str(o, "endpoint", cfg->glue.http.endpoint, cfg->glue.http.endpoint ? NULL : derived);
    put_str(o, "catalog_id", cfg->glue.catalog_id,
            cfg->glue.catalog_id ? NULL : "the account's own catalog");
    put_str(o, "access_key_id", cfg->glue.access_key_id, NULL);
    put_secret(o, "secret_access_key", &cfg->glue.secret_access_key, "");
    put_secret(o, "session_token", &cfg->glue.session_token, "");
    put_str(o, "credentials", cfg->glue.credentials, NULL);
    put_source(o, cfg, G2D_CREDS_AWS);
    put(o, "  imds_v1_fallback: %s\n", cfg->glue.imds_v1_fallback ? "true" : "false");
    put_side_http(o, &cfg->glue.http);
    put(o, "  partition_segments: %u\n", cfg->glue.partition_segments);
}

static void put_dlf(struct out *o, const struct g2d_config *cfg)
{
    char derived[128];

    put(o, "dlf:\n");
    put_str(o, "region", cfg->dlf.region, NULL);
    snprintf(derived, sizeof(derived), "derived: %s", cfg->dlf_url ? cfg->dlf_url : "?");
    put_str(o, "endpoint", cfg->dlf.http.endpoint, cfg->dlf.http.endpoint ? NULL : derived);
    put_str(o, "catalog_id", cfg->dlf.catalog_id,
            cfg->dlf.catalog_id ? NULL : "the account's default catalog");
    put_str(o, "access_key_id", cfg->dlf.access_key_id, NULL);
    put_secret(o, "access_key_secret", &cfg->dlf.access_key_secret, "");
    put_secret(o, "security_token", &cfg->dlf.security_token, "");
    put_str(o, "credentials", cfg->dlf.credentials, NULL);
    put_source(o, cfg, G2D_CREDS_ALIBABA);
    put(o, "  signature: %s\n", cfg->dlf.signature == G2D_DLF_SIG_ROA ? "roa" : "acs3");
    put_side_http(o, &cfg->dlf.http);
    put(o, "  batch_size: %u\n", cfg->dlf.batch_size);
}

/* sync.rename: the database rules, then the table rules. */
static void put_renames(struct out *o, const struct g2d_config *cfg)
{
    static const char *const part[2] = {"databases", "tables"};

    if (!cfg->nrenames) {
        put(o, "  rename: {}  # none\n");
        return;
    }
    put(o, "  rename:\n");
    for (int t = 0; t < 2; t++) {
        bool any = false;

        for (size_t i = 0; i < cfg->nrenames; i++) {
            const struct g2d_rename_rule *r = &cfg->renames[i];

            if (!r->table != !t)
                continue;
            if (!any)
                put(o, "    %s:\n", part[t]);
            any = true;
            put(o, "  ");
            put_entry(o, r->database, r->table, r->to);
        }
    }
}

static void put_sync(struct out *o, const struct g2d_config *cfg)
{
    static const char *const objs[] = {"databases", "tables", "partitions", "functions"};
    bool first = true;
    size_t i;

    put(o, "sync:\n");
    put_duration(o, "interval", cfg->interval_ms, NULL);
    put_duration(o, "jitter", cfg->jitter_ms, NULL);
    put_duration(o, "full_reconcile", cfg->full_reconcile_ms,
                 cfg->full_reconcile_ms ? NULL : "never");
    put(o, "  run_on_start: %s\n", cfg->run_on_start ? "true" : "false");
    put(o, "  objects: [");
    for (i = 0; i < 4; i++) {
        if (cfg->objects & (1u << i)) {
            put(o, "%s%s", first ? "" : ", ", objs[i]);
            first = false;
        }
    }
    put(o, "]\n");
    put_list(o, "databases", cfg->databases, cfg->ndatabases, "all databases");
    put_list(o, "table_prefixes", cfg->table_prefixes, cfg->ntable_prefixes, "all tables");
    if (!cfg->npartition_filters)
        put(o, "  partition_filters: {}  # none\n");
    else
        put(o, "  partition_filters:\n");
    for (i = 0; i < cfg->npartition_filters; i++) {
        const struct g2d_partition_filter *f = &cfg->partition_filters[i];

        put_entry(o, f->database, f->table, f->expression);
    }
    put_renames(o, cfg);
    if (!cfg->nlocation_map)
        put(o, "  location_map: {}  # none\n");
    else
        put(o, "  location_map:\n");
    for (i = 0; i < cfg->nlocation_map; i++) {
        put_entry(o, cfg->location_map[i].from, NULL, cfg->location_map[i].to);
    }
    put(o, "  dry_run: %s\n", cfg->dry_run ? "true" : "false");
}

int g2d_config_print(const struct g2d_config *cfg, struct g2d_buf *b)
{
    struct out o = {b, 0};
    char tmp[64];

    put(&o, "# Effective glue2dlf configuration%s%s. Secrets are masked.\n",
        cfg->path ? " from " : "", cfg->path ? cfg->path : "");
    put_glue(&o, cfg);
    put_dlf(&o, cfg);
    put_sync(&o, cfg);

    put(&o, "deletes:\n");
    put(&o, "  enabled: %s\n", cfg->deletes ? "true" : "false");
    put(&o, "  max_count: %u\n", cfg->max_deletes);
    put_double(&o, "max_fraction", cfg->max_delete_fraction);
    put(&o, "  grace_cycles: %u\n", cfg->grace_cycles);
    put_duration(&o, "archive_max_age", cfg->archive_max_age_ms,
                 cfg->archive_max_age_ms ? NULL : "no archive");
    g2d__fmt_size(tmp, sizeof(tmp), cfg->archive_max_bytes);
    put(&o, "  archive_max_size: %s\n", tmp);

    put(&o, "http:\n");
    put_str(&o, "ca_file", cfg->ca_file, cfg->ca_file ? NULL : "the system store");
    put_duration(&o, "connect_timeout", cfg->connect_timeout_ms, NULL);
    put_duration(&o, "timeout", cfg->request_timeout_ms, NULL);
    put(&o, "  max_attempts: %u\n", cfg->max_attempts);
    g2d__fmt_size(tmp, sizeof(tmp), cfg->max_response_bytes);
    put(&o, "  max_response_size: %s\n", tmp);

    put(&o, "result:\n");
    put_str(&o, "path", cfg->result_path, cfg->result_path ? NULL : "no result log");
    if (cfg->result_path && !strncasecmp(cfg->result_path, "oss://", 6)) {
        const struct g2d_result_oss_config *ro = &cfg->result_oss;

        put_str(&o, "oss_endpoint", ro->endpoint,
                ro->endpoint ? NULL : "derived: oss-<dlf.region>.aliyuncs.com");
        put(&o, "  oss_internal: %s\n", ro->internal ? "true" : "false");
        put(&o, "  oss_signature: %s\n", ro->signature == 1 ? "v1" : "v4");
        put_str(&o, "spool_dir", ro->spool_dir,
                ro->spool_dir ? NULL : "$STATE_DIRECTORY/result-spool");
        g2d__fmt_size(tmp, sizeof(tmp), ro->spool_max_bytes);
        put(&o, "  spool_max_size: %s\n", tmp);
        g2d__fmt_size(tmp, sizeof(tmp), ro->part_bytes);
        put(&o, "  part_size: %s\n", tmp);
        put(&o, "  # OSS credentials: DLF's (dlf.access_key_id / access_key_secret / "
                "security_token)\n");
    }

    put(&o, "control:\n");
    put_str(&o, "socket", cfg->control_socket, NULL);
    put(&o, "  mode: \"%04o\"\n", (unsigned)cfg->control_mode);

    put(&o, "log:\n");
    put(&o, "  level: %s\n", level_name(cfg->log_level));
    put(&o, "  target: %s\n", target_name(cfg->log_target));
    put(&o, "  max_item_lines: %u\n", cfg->log_max_item_lines);

    put(&o, "metrics:\n");
    put_str(&o, "listen", cfg->metrics_listen,
            cfg->metrics_listen ? NULL : "no scrape endpoint (glue2dlfctl metrics only)");
    put_str(&o, "textfile", cfg->metrics_textfile,
            cfg->metrics_textfile ? NULL : "no node_exporter text file");
    return o.r;
}
