/* SPDX-License-Identifier: MIT */
/*
 * The control commands glue2dlfd serves (status, sync, plan, pause, resume, reload,
 * results, metrics, health), and the callers waiting for a cycle: `sync --wait` is answered when
 * its cycle ends, `plan` when its plan cycle ends. See daemon.h; the socket, peers and the
 * line protocol are ctl_server.c.
 */
#include <errno.h>
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

void ctl_cmds_dispatch(struct ctl_call *call, void *arg)
{
    struct daemon *d = arg;
    const struct g2d_ctl_request *req = ctl_call_request(call);

    /* While stopping: only what starts no cycle (plan would start one). */
    if (d->stopping && req->cmd != G2D_CTL_STATUS && req->cmd != G2D_CTL_RESULTS &&
        req->cmd != G2D_CTL_METRICS && req->cmd != G2D_CTL_HEALTH &&
        req->cmd != G2D_CTL_LOG_LEVEL) {
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
    default:
        ctl_call_reply_error(call, G2D_CTL_E_UNKNOWN_COMMAND, "unknown command");
        break;
    }
}
