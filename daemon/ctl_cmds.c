/* SPDX-License-Identifier: MIT */
/*
 * The control commands glue2dlfd serves (status, sync, plan, pause, resume, reload,
 * results, metrics, health, held, approve, reject, restore), and the callers waiting for a cycle: `sync --wait` is answered when
 * its cycle ends, `plan` when its plan cycle ends. See daemon.h; the socket, peers and the
 * line protocol are ctl_server.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "log.h"

bool waiters_add(struct call_vec *cv, struct ctl_call *call)
{
    if (cv->n >= MAX_WAITERS) {
        ctl_call_reply_error(call, G2D_CTL_E_BUSY, "too many requests waiting");
        return false;
    }
    cv->v[cv->n++] = call;
    return true;
}

void waiters_reply_all(struct call_vec *cv, json_t *result)
{
    for (size_t i = 0; i < cv->n; i++) {
        json_incref(result);
        ctl_call_reply_ok(cv->v[i], result);
    }
    cv->n = 0;
    json_decref(result);
}

void waiters_fail_all(struct call_vec *cv, const char *code, const char *msg)
{
    for (size_t i = 0; i < cv->n; i++)
        ctl_call_reply_error(cv->v[i], code, "%s", msg);
    cv->n = 0;
}

static void cmd_sync(struct daemon *d, struct ctl_call *call)
{
    const struct g2d_ctl_request *req = ctl_call_request(call);
    struct g2d_progress p;
    int r;

    if (d->running && !d->cycle_is_plan) {
        if (req->wait) {
            waiters_add(&d->waiters_cur, call);
            return;
        }
        g2d_sync_progress(d->sync, &p);
        ctl_call_reply_ok(call, json_pack("{s:b, s:I}", "already_running", 1, "cycle_id",
                                          (json_int_t)p.cycle_id));
        return;
    }
    if (d->running) {
        /* A plan is running: the sync starts right after it. */
        d->pending_sync = true;
        d->pending_full |= req->full;
        if (req->wait)
            waiters_add(&d->waiters_next, call);
        else
            ctl_call_reply_ok(call, json_pack("{s:b}", "queued", 1));
        return;
    }
    /* Works while paused: an explicit request is not a scheduled cycle. */
    r = cycle_start(d, false, req->full);
    if (r < 0) {
        ctl_call_reply_error(call, r == -EBUSY ? G2D_CTL_E_BUSY : G2D_CTL_E_INTERNAL,
                             "cannot start a cycle: %s", strerror(-r));
        return;
    }
    if (req->wait) {
        waiters_add(&d->waiters_cur, call);
        return;
    }
    g2d_sync_progress(d->sync, &p);
    ctl_call_reply_ok(call,
                      json_pack("{s:b, s:I}", "started", 1, "cycle_id", (json_int_t)p.cycle_id));
}

static void cmd_plan(struct daemon *d, struct ctl_call *call)
{
    int r;

    if (d->running) {
        waiters_add(&d->plans_next, call);
        return;
    }
    r = cycle_start(d, true, false);
    if (r < 0) {
        ctl_call_reply_error(call, G2D_CTL_E_INTERNAL, "cannot start a plan: %s", strerror(-r));
        return;
    }
    waiters_add(&d->plans_cur, call);
}

static void cmd_pause(struct daemon *d, struct ctl_call *call)
{
    if (!d->paused)
        log_info("scheduled cycles paused");
    d->paused = true;
    (void)uv_timer_stop(&d->sched_timer);
    status_update(d);
    ctl_call_reply_ok(call, json_pack("{s:b}", "paused", 1));
}

static void cmd_resume(struct daemon *d, struct ctl_call *call)
{
    if (d->paused)
        log_info("scheduled cycles resumed");
    d->paused = false;
    schedule_next(d);
    status_update(d);
    ctl_call_reply_ok(call, json_pack("{s:b}", "paused", 0));
}

static void cmd_reload(struct daemon *d, struct ctl_call *call)
{
    struct g2d_error err = {0};
    json_t *restart = NULL, *warnings = NULL, *res;

    if (reload_config(d, &restart, &warnings, &err) < 0) {
        ctl_call_reply_error(call, G2D_CTL_E_CONFIG_INVALID, "%s", err.msg);
        return;
    }
    res = json_pack("{s:b}", "reloaded", 1);
    if (res && json_array_size(restart) > 0)
        json_object_set(res, "restart_required", restart);
    if (res && json_array_size(warnings) > 0)
        json_object_set(res, "warnings", warnings);
    json_decref(restart);
    json_decref(warnings);
    ctl_call_reply_ok(call, res);
}

/* log-level [LEVEL]: switch the threshold until the next reload or restart. */
static void cmd_log_level(struct daemon *d, struct ctl_call *call)
{
    const struct g2d_ctl_request *req = ctl_call_request(call);
    char was[16];
    struct log_field f[] = {{"GLUE2DLF_LEVEL", req->level}};

    snprintf(was, sizeof(was), "%s", log_prio_name(log_get_level()));
    if (req->level) {
        log_set_level(log_level_parse(req->level));
        log_fields(LOG_NOTICE, LOG_MID_LOG_LEVEL, f, 1,
                   "log level set to %s (was %s) from the control socket; a reload or restart "
                   "applies log.level again",
                   req->level, was);
    }
    ctl_call_reply_ok(call,
                      json_pack("{s:s, s:s, s:s}", "level", log_prio_name(log_get_level()),
                                "previous", was, "configured", log_prio_name(d->cfg->log_level)));
}

/* ---- held deletes ------------------------------------------------------------------ */

#define HELD_LIST_MAX 10000 /* held deletes one reply lists (the count says how many) */

struct held_acc {
    json_t *items;
    size_t n;
};

static void held_item(const struct g2d_held_view *h, void *arg)
{
    struct held_acc *acc = arg;
    char id[17];

    if (acc->n++ >= HELD_LIST_MAX || !acc->items)
        return;
    snprintf(id, sizeof(id), "%016llx", (unsigned long long)h->id);
    json_array_append_new(
        acc->items,
        json_pack("{s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:I, s:I}", "id", id, "type",
                  g2d_item_type_name(h->type), "name", g2d_ctl_json_string(h->name), "reason",
                  h->reason, "state", h->state, "first_cycle", (json_int_t)h->first_cycle,
                  "last_cycle", (json_int_t)h->last_cycle, "first_seen_ms", (json_int_t)h->first_ms,
                  "last_seen_ms", (json_int_t)h->last_ms));
}

static json_t *held_reply(struct held_acc *acc, const char *count_key)
{
    json_t *res = json_pack("{s:o, s:I}", "held", acc->items ? acc->items : json_array(), count_key,
                            (json_int_t)acc->n);

    if (res && acc->n > HELD_LIST_MAX)
        json_object_set_new(res, "truncated", json_true());
    return res;
}

static void filter_of(const struct g2d_ctl_request *req, struct g2d_held_filter *f, uint64_t *ids)
{
    size_t i;
    json_t *v;

    memset(f, 0, sizeof(*f));
    f->types = req->types;
    f->scope = req->scope;
    json_array_foreach(req->ids, i, v)
    {
        unsigned long long id = strtoull(json_string_value(v), NULL, 16);

        ids[i] = (uint64_t)id;
    }
    f->ids = ids;
    f->nids = json_array_size(req->ids);
}

static void cmd_held(struct daemon *d, struct ctl_call *call)
{
    struct held_acc acc = {json_array(), 0};
    struct g2d_held_filter f;

    filter_of(ctl_call_request(call), &f, NULL);
    g2d_sync_held_list(d->sync, &f, held_item, &acc);
    ctl_call_reply_ok(call, held_reply(&acc, "count"));
}

/* approve / reject: decided at once; an approval is applied by a cycle started now (or
 * right after the running one), which deletes what is still missing from Glue. */
static void cmd_decide(struct daemon *d, struct ctl_call *call, bool approve)
{
    const struct g2d_ctl_request *req = ctl_call_request(call);
    struct held_acc acc = {json_array(), 0};
    struct g2d_held_filter f;
    uint64_t *ids = calloc(json_array_size(req->ids) + 1, sizeof(*ids)), unknown = 0;
    const char *cycle = "none";
    json_t *res;

    if (!ids) {
        json_decref(acc.items);
        ctl_call_reply_error(call, G2D_CTL_E_INTERNAL, "out of memory");
        return;
    }
    filter_of(req, &f, ids);
    if (g2d_sync_held_decide(d->sync, &f, approve, held_item, &acc, &unknown) < 0) {
        free(ids);
        json_decref(acc.items);
        ctl_call_reply_error(call, G2D_CTL_E_BAD_REQUEST,
                             "no held delete %016llx matches (see glue2dlfctl held)",
                             (unsigned long long)unknown);
        return;
    }
    free(ids);
    log_info("%s %zu held delete(s)", approve ? "approved" : "rejected", acc.n);
    if (approve && acc.n && d->running) {
        d->pending_sync = true;
        cycle = "queued";
    } else if (approve && acc.n && cycle_start(d, false, false) == 0) {
        cycle = "started";
    }
    res = held_reply(&acc, approve ? "approved" : "rejected");
    if (res)
        json_object_set_new(res, "cycle", json_string(cycle));
    ctl_call_reply_ok(call, res);
}

static void restore_done(int err, const char *message, enum g2d_item_type type, const char *name,
                         void *arg)
{
    struct ctl_call *call = arg;

    if (err) {
        log_warning("restore of %s '%s' failed: %s", g2d_item_type_name(type), name, message);
        ctl_call_reply_error(call, G2D_CTL_E_INTERNAL, "DLF refused the restore of %s: %s", name,
                             message);
        return;
    }
    log_info("restored %s '%s' from the deleted-objects archive", g2d_item_type_name(type), name);
    ctl_call_reply_ok(call, json_pack("{s:s, s:o}", "type", g2d_item_type_name(type), "name",
                                      g2d_ctl_json_string(name)));
}

/* restore NAME: from the deleted-objects archive, while no cycle runs. */
static void cmd_restore(struct daemon *d, struct ctl_call *call)
{
    const struct g2d_ctl_request *req = ctl_call_request(call);
    struct g2d_error err = {0};
    int type = -1, r;

    for (unsigned i = 0; i < 4; i++)
        if (req->types == 1u << i)
            type = (int)i;
    if (d->running) {
        ctl_call_reply_error(call, G2D_CTL_E_BUSY, "a cycle is running: try again when it ends");
        return;
    }
    r = g2d_sync_restore(d->sync, type, req->name, restore_done, call, &err);
    if (r < 0)
        ctl_call_reply_error(call, r == -EBUSY ? G2D_CTL_E_BUSY : G2D_CTL_E_BAD_REQUEST, "%s",
                             err.msg);
}

void ctl_cmds_dispatch(struct ctl_call *call, void *arg)
{
    struct daemon *d = arg;
    const struct g2d_ctl_request *req = ctl_call_request(call);

    /* While stopping: only what starts no cycle (plan would start one). */
    if (d->stopping && req->cmd != G2D_CTL_STATUS && req->cmd != G2D_CTL_RESULTS &&
        req->cmd != G2D_CTL_METRICS && req->cmd != G2D_CTL_HEALTH &&
        req->cmd != G2D_CTL_LOG_LEVEL && req->cmd != G2D_CTL_HELD) {
        ctl_call_reply_error(call, G2D_CTL_E_STOPPING, "the daemon is shutting down");
        return;
    }
    switch (req->cmd) {
    case G2D_CTL_STATUS:
        ctl_call_reply_ok(call, status_json(d));
        break;
    case G2D_CTL_SYNC:
        cmd_sync(d, call);
        break;
    case G2D_CTL_PLAN:
        cmd_plan(d, call);
        break;
    case G2D_CTL_PAUSE:
        cmd_pause(d, call);
        break;
    case G2D_CTL_RESUME:
        cmd_resume(d, call);
        break;
    case G2D_CTL_RELOAD:
        cmd_reload(d, call);
        break;
    case G2D_CTL_RESULTS:
        ctl_call_reply_ok(call, results_ring_json(&d->ring, &(struct results_filter){
                                                                .limit = (size_t)req->limit,
                                                                .failed = req->failed,
                                                                .cycle = (uint64_t)req->cycle,
                                                            }));
        break;
    case G2D_CTL_HEALTH:
        ctl_call_reply_ok(call, status_health_json(d, req));
        break;
    case G2D_CTL_METRICS:
        ctl_call_reply_ok(call, status_metrics_json(d));
        break;
    case G2D_CTL_LOG_LEVEL:
        cmd_log_level(d, call);
        break;
    case G2D_CTL_HELD:
        cmd_held(d, call);
        break;
    case G2D_CTL_REPORT:
        ctl_call_reply_ok(call, report_json(d));
        break;
    case G2D_CTL_APPROVE:
    case G2D_CTL_REJECT:
        cmd_decide(d, call, req->cmd == G2D_CTL_APPROVE);
        break;
    case G2D_CTL_RESTORE:
        cmd_restore(d, call);
        break;
    default:
        ctl_call_reply_error(call, G2D_CTL_E_UNKNOWN_COMMAND, "unknown command");
        break;
    }
}
