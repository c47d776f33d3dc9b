/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "glue2dlf/sync.h"

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

int g2d_item_result_format(const struct g2d_item_result *r, struct g2d_buf *out)
{
    char ts[64];
    struct tm tm;
    time_t secs = (time_t)(r->time_ms / 1000);
    json_t *o;
    char *s;
    int rc;

    gmtime_r(&secs, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(r->time_ms % 1000));
    /* JSON_PRESERVE_ORDER keeps the documented field order. */
    o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "cycleId", (json_int_t)r->cycle_id, "time",
                  ts, "itemType", g2d_item_type_name(r->type), "itemName", r->name ? r->name : "",
                  "diffResult", g2d_diff_name(r->diff), "isSuccess", r->success, "errorMsg",
                  r->error ? r->error : "");
    if (!o)
        return -ENOMEM;
    if (r->dry_run)
        json_object_set_new(o, "dryRun", json_true());
    if (r->held)
        json_object_set_new(o, "held", json_true());
    if (r->warning)
        json_object_set_new(o, "warning", json_string(r->warning));
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return -ENOMEM;
    rc = g2d_buf_puts(out, s);
    free(s);
    return rc;
}
