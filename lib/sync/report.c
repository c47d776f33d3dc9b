/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/sync.h"

#include "base/jwrite.h"

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

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    size_t n, i;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (n > left)
        return 0;
    for (i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
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
