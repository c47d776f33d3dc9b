/* SPDX-License-Identifier: MIT */
/*
 * What `glue2dlfctl report` draws: per database, the objects the snapshot holds and what
 * the last sync cycle changed, failed or held there; and the last cycles' durations and
 * request counts. The client turns the reply into a page (ctl/report.c). See daemon.h.
 */
#include <string.h>

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "render.h"

#define REPORT_MAX_DATABASES 10000 /* the rest are summed up under one row */
#define REPORT_HISTORY 50
#define OTHER_DBS "(other databases)"

enum { R_CHANGED, R_FAILED, R_HELD, R_N };

/* The per-database counters of @p db in @p o, made on first use (NULL on no memory). */
static json_t *db_row(json_t *o, const char *db, size_t len, size_t n)
{
    char name[256];
    json_t *row;

    if (len >= sizeof(name))
        len = sizeof(name) - 1;
    memcpy(name, db, len);
    name[len] = '\0';
    row = json_object_get(o, name);
    if (row)
        return row;
    if (json_object_size(o) >= REPORT_MAX_DATABASES) {
        row = json_object_get(o, OTHER_DBS);
        if (row)
            return row;
        snprintf(name, sizeof(name), "%s", OTHER_DBS);
    }
    row = json_array();
    for (size_t i = 0; row && i < n; i++)
        json_array_append_new(row, json_integer(0));
    if (!row || json_object_set_new(o, name, row) < 0)
        return NULL;
    return row;
}

static void bump(json_t *row, size_t i, uint64_t by)
{
    json_t *v = json_array_get(row, i);

    if (v)
        json_integer_set(v, json_integer_value(v) + (json_int_t)by);
}

void report_count_item(struct daemon *d, const struct g2d_item_result *it)
{
    json_t *row;
    const char *db = it->database ? it->database : it->name;

    if (!db || it->dry_run)
        return;
    if (!d->rep_cur && !(d->rep_cur = json_object()))
        return;
    row = db_row(d->rep_cur, db, strlen(db), R_N);
    if (!row)
        return;
    bump(row, it->held ? R_HELD : it->success ? R_CHANGED : R_FAILED, 1);
}

void report_cycle_done(struct daemon *d, const struct g2d_cycle_stats *st)
{
    json_t *s = json_cycle_stats(st);

    if (st->dry_run) {
        json_decref(s);
        return;
    }
    json_decref(d->rep_last);
    d->rep_last = d->rep_cur ? d->rep_cur : json_object();
    d->rep_cur = NULL;
    if (!d->rep_history)
        d->rep_history = json_array();
    if (s && d->rep_history && json_array_append_new(d->rep_history, s) == 0) {
        while (json_array_size(d->rep_history) > REPORT_HISTORY)
            json_array_remove(d->rep_history, 0);
    } else {
        json_decref(s);
    }
}

void report_free(struct daemon *d)
{
    json_decref(d->rep_cur);
    json_decref(d->rep_last);
    json_decref(d->rep_history);
    d->rep_cur = d->rep_last = d->rep_history = NULL;
}

/* The snapshot's objects, database by database, indexed by enum g2d_item_type. */
static void on_count(void *arg, const char *db, size_t len, enum g2d_item_type type, uint64_t n)
{
    json_t *row = db_row(arg, db, len, 4);

    if (row && (unsigned)type < 4)
        bump(row, (unsigned)type, n);
}

/* One row of the reply. */
static json_t *db_json(const char *name, const json_t *objs, const json_t *last)
{
    json_t *o = json_pack("{s:o}", "name", g2d_ctl_json_string(name));
    /* Indexed by enum g2d_item_type. */
    static const char *const ok[] = {"databases", "tables", "partitions", "functions"};
    static const char *const lk[] = {"changed", "failed", "held"};

    for (size_t i = 0; o && i < 4; i++)
        json_object_set_new(o, ok[i], json_integer(json_integer_value(json_array_get(objs, i))));
    for (size_t i = 0; o && i < R_N; i++)
        json_object_set_new(o, lk[i], json_integer(json_integer_value(json_array_get(last, i))));
    return o;
}

json_t *report_json(struct daemon *d)
{
    json_t *objs = json_object(), *dbs = json_array(), *o, *v;
    const char *name;
    const struct g2d_cycle_stats *last = daemon_last_stats(d);

    if (!objs || !dbs || !d->sync) {
        json_decref(objs);
        json_decref(dbs);
        return NULL;
    }
    g2d_sync_db_counts(d->sync, on_count, objs);
    json_object_foreach(objs, name, v)
    {
        json_array_append_new(dbs, db_json(name, v, json_object_get(d->rep_last, name)));
    }
    /* Databases the last cycle touched that the snapshot no longer holds (deleted). */
    json_object_foreach(d->rep_last, name, v)
    {
        if (!json_object_get(objs, name))
            json_array_append_new(dbs, db_json(name, NULL, v));
    }
    json_decref(objs);
    o = json_pack("{s:o, s:o, s:o, s:s, s:b}", "databases", dbs, "history",
                  d->rep_history ? json_incref(d->rep_history) : json_array(), "last_cycle",
                  last && d->have_last_sync ? json_cycle_stats(last) : json_null(), "state",
                  d->running  ? "running"
                  : d->paused ? "paused"
                              : "idle",
                  "snapshot_valid", d->have_last_sync);
    return o;
}
