/* SPDX-License-Identifier: MIT */
/*
 * Item results: what the engine tells its caller about every item it acted on (or
 * planned, or held), and their one-line JSON rendering for the result log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/sync.h"

#include "glue2dlf/utf8.h"

#include "base/jwrite.h"
#include "sync/engine.h"

const char *g2d_item_type_name(enum g2d_item_type t)
{
    switch (t) {
    case G2D_ITEM_DATABASE:
        return "database";
    case G2D_ITEM_TABLE:
        return "table";
    case G2D_ITEM_PARTITION:
        return "partition";
    case G2D_ITEM_FUNCTION:
        return "function";
    }
    return "unknown";
}

const char *g2d_diff_name(enum g2d_diff d)
{
    switch (d) {
    case G2D_DIFF_GLUE_NEW:
        return "glueNew";
    case G2D_DIFF_NEED_UPDATE:
        return "needUpdate";
    case G2D_DIFF_DLF_NEW:
        return "dlfNew";
    }
    return "unknown";
}

const char *g2d_phase_name(enum g2d_phase p)
{
    switch (p) {
    case G2D_PHASE_IDLE:
        return "idle";
    case G2D_PHASE_SNAPSHOT:
        return "snapshot";
    case G2D_PHASE_EXTRACT:
        return "extract";
    case G2D_PHASE_LOAD:
        return "load";
    }
    return "unknown";
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0: the one strict validator. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    return p[0] < 0x80 ? 1 : g2d_utf8_seq(p, p + left);
}

/* Untrusted text (service messages, possibly cut mid-character): invalid bytes become '?'. */
static int put_text_field(struct g2d_buf *out, const char *key, const char *val)
{
    const unsigned char *p = (const unsigned char *)val;
    size_t n = strlen(val), i = 0;
    char *clean = malloc(n + 1);
    int r;

    if (!clean)
        return -ENOMEM;
    while (i < n) {
        size_t k = utf8_len(p + i, n - i);

        if (k == 0) {
            clean[i++] = '?';
            continue;
        }
        memcpy(clean + i, p + i, k);
        i += k;
    }
    clean[n] = '\0';
    r = g2d_buf_printf(out, ",\"%s\":", key);
    if (r == 0)
        r = g2d_jwrite_string(out, clean, n);
    free(clean);
    return r;
}

/* "key":"value" with the value escaped; a comma first unless it is the first member. */
static int put_field(struct g2d_buf *out, const char *key, const char *val, int first)
{
    int r = first ? 0 : g2d_buf_putc(out, ',');

    if (r == 0)
        r = g2d_buf_printf(out, "\"%s\":", key);
    return r ? r : g2d_jwrite_string(out, val, strlen(val));
}

int g2d_item_result_format(const struct g2d_item_result *r, struct g2d_buf *out)
{
    char ts[64];
    struct tm tm;
    time_t secs = (time_t)(r->time_ms / 1000);
    int rc;

    gmtime_r(&secs, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(r->time_ms % 1000));
    /* Written by hand (one line per item, millions per first sync): the documented order. */
    rc = g2d_buf_printf(out, "{\"cycleId\":%llu", (unsigned long long)r->cycle_id);
    if (rc == 0)
        rc = put_field(out, "time", ts, 0);
    if (rc == 0)
        rc = put_field(out, "itemType", g2d_item_type_name(r->type), 0);
    if (rc == 0)
        rc = put_field(out, "itemName", r->name ? r->name : "", 0);
    if (rc == 0)
        rc = put_field(out, "diffResult", g2d_diff_name(r->diff), 0);
    if (rc == 0)
        rc = g2d_buf_printf(out, ",\"isSuccess\":%s", r->success ? "true" : "false");
    if (rc == 0)
        rc = put_text_field(out, "errorMsg", r->error ? r->error : "");
    if (rc == 0 && r->dry_run)
        rc = g2d_buf_puts(out, ",\"dryRun\":true");
    if (rc == 0 && r->held)
        rc = g2d_buf_puts(out, ",\"held\":true");
    if (rc == 0 && r->warning)
        rc = put_text_field(out, "warning", r->warning);
    return rc ? rc : g2d_buf_putc(out, '}');
}

/* ---- the engine's side ---------------------------------------------------------------- */

int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *join2(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *r = malloc(la + ls + lb + 1);

    if (r) {
        memcpy(r, a, la);
        memcpy(r + la, sep, ls);
        memcpy(r + la + ls, b, lb + 1);
    }
    return r;
}

void report(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
            const char *tbl, enum g2d_diff diff, bool success, bool held, const char *error,
            const char *warning)
{
    struct g2d_item_result r = {0};

    r.cycle_id = s->cur.cycle_id;
    r.time_ms = now_ms();
    r.type = type;
    r.name = name;
    r.database = db;
    r.table = tbl;
    r.diff = diff;
    r.success = success;
    r.dry_run = s->cur.dry_run;
    r.held = held;
    r.error = error;
    r.warning = warning;
    if (s->on_item)
        s->on_item(&r, s->item_arg);
}

void report_failed(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
                   const char *tbl, enum g2d_diff diff, const char *error)
{
    s->cur.failed++;
    report(s, type, name, db, tbl, diff, false, false, error, NULL);
}

void count_ok(struct g2d_sync *s, enum g2d_diff diff)
{
    if (diff == G2D_DIFF_GLUE_NEW)
        s->cur.created++;
    else if (diff == G2D_DIFF_NEED_UPDATE)
        s->cur.updated++;
    else
        s->cur.deleted++;
}

/*
 * One name or value of a partition name as Hive writes it (FileUtils.escapePathName): the
 * control characters, DEL and the characters of `special` below as %XX (upper-case hex),
 * the bytes of UTF-8 sequences as they are, an empty or null value as
 * __HIVE_DEFAULT_PARTITION__; key names lower-cased.
 */
static int hive_escape(struct g2d_buf *b, const char *v, size_t n, bool lower)
{
    static const char special[] = "\"#%'*/:=?\\{[]^";
    size_t i;
    int r = 0;

    if (!v || n == 0)
        return g2d_buf_puts(b, "__HIVE_DEFAULT_PARTITION__");
    for (i = 0; r == 0 && i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x20 || c == 0x7f || (c && strchr(special, c)))
            r = g2d_buf_printf(b, "%%%02X", c);
        else
            r = g2d_buf_putc(b, lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c);
    }
    return r;
}

char *partition_name(const char *key, char *const *keys, size_t nkeys, json_t *values)
{
    struct g2d_buf b;
    size_t i;
    json_t *v;

    g2d_buf_init(&b, 1u << 20);
    g2d_buf_puts(&b, key);
    json_array_foreach(values, i, v)
    {
        const char *k = i < nkeys && keys[i] ? keys[i] : "?";

        g2d_buf_putc(&b, '/');
        hive_escape(&b, k, strlen(k), true);
        g2d_buf_putc(&b, '=');
        hive_escape(&b, json_string_value(v), json_string_length(v), false);
    }
    return g2d_buf_steal(&b);
}

char *tunit_partition_name(const struct tunit *tu, json_t *values)
{
    char *keys[MAX_KEYS];
    size_t i;

    for (i = 0; i < tu->nkeys; i++)
        keys[i] = (char *)tu->keys[i].name;
    return partition_name(tu->key, keys, tu->nkeys, values);
}

char *name_fold(const char *a, const char *b)
{
    char *r = b ? join2(a, ".", b) : strdup(a);
    char *p;

    for (p = r; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return r;
}
