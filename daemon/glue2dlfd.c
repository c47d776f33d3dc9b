/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd: the daemon. One libuv loop runs the sync engine on a schedule, serves the
 * control socket, talks to systemd and writes the result log.
 *
 * Life cycle: load config (exit 2 on error) → log sink → loop, HTTP engine, sync engine,
 * result log, control socket (exit 2 on failure) → signals, timers → READY=1 → uv_run.
 * SIGTERM/SIGINT stop gracefully (the running cycle is cancelled; in-flight writes finish
 * and are recorded; then every handle is closed and uv_loop_close() must succeed); a
 * second one abandons in-flight work at once. SIGHUP reloads, like `glue2dlfctl reload`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "glue2dlf/config.h"
#include "glue2dlf/ctlproto.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

#include "ctl_server.h"
#include "log.h"
#include "notify.h"
#include "metrics.h"
#include "render.h"
#include "results_ring.h"
#include "sched_math.h"

#define DEFAULT_CONFIG "/etc/glue2dlf/glue2dlf.yaml"
#define RESULTS_RING 10000
#define PLAN_ITEMS_MAX 100000
#define MAX_WAITERS 64
#define MAX_RETIRED 8

struct call_vec {
    struct ctl_call *v[MAX_WAITERS];
    size_t n;
};

struct daemon {
    uv_loop_t *loop;
    int64_t rate_ms;           /* when the request counters were last sampled */
    uint64_t rate_req[2];      /* Glue, DLF requests completed at that time */
    double rps[2];             /* smoothed request rates */
    uint32_t dropped_reported; /* Glue fields without a DLF counterpart, already logged */
    const char *config_path;
    const char *socket_override;
    bool once, dry_run_flag;

    struct g2d_config *cfg;
    struct g2d_config *retired[MAX_RETIRED];
    size_t nretired;

    struct g2d_http *http;
    struct g2d_sync *sync;
    struct ctl_server *ctl;

    /* Settings that need a restart, as in effect. */
    char *socket_path;
    mode_t socket_mode;
    enum g2d_log_target log_target;
    struct {
        char *ca_file;
        uint64_t connect_timeout_ms, request_timeout_ms;
        size_t max_response_bytes;
        unsigned max_attempts;
    } http_in_effect; /* fixed when the HTTP engine and its endpoints are made */

    FILE *result_log;
    char *result_path;
    struct g2d_buf fmt;
    struct results_ring ring;
    struct metrics metrics;

    uv_timer_t sched_timer, status_timer;
    uv_signal_t sig_term, sig_int, sig_hup;
    bool handles_up;

    /* Cycle state. */
    bool running, cycle_is_plan;
    uint64_t last_start_mono; /* start of the last scheduled or manual cycle */
    uint64_t last_full_mono;
    bool paused, stopping, finishing;
    bool pending_sync, pending_full;
    uint64_t started_mono;

    struct call_vec waiters_cur;  /* sync --wait callers of the running cycle */
    struct call_vec waiters_next; /* sync --wait callers of the queued sync */
    struct call_vec plans_cur;    /* plan callers served by the running plan cycle */
    struct call_vec plans_next;   /* plan callers waiting for the next plan cycle */
    json_t *plan_items;
    size_t plan_count;

    int exit_code;
};

static struct daemon the_daemon;

static void schedule_next(struct daemon *d);
static void shutdown_begin(struct daemon *d, int exit_code);
static void after_cycle(struct daemon *d);

static uint64_t now_ms(struct daemon *d)
{
    return uv_now(d->loop);
}

static bool dry_run(const struct daemon *d)
{
    return d->dry_run_flag || d->cfg->dry_run;
}

/* ---- Result log ----------------------------------------------------------------------- */

static int result_log_open(const char *path, FILE **out, struct g2d_error *err)
{
    FILE *f;
    int fd;

    *out = NULL;
    if (!path || !*path)
        return 0;
    if (strncmp(path, "oss://", 6) == 0) {
        log_warning("result log: '%s' is an OSS location; the daemon writes local files only, "
                    "result log disabled (ship the journal or a local file instead)",
                    path);
        return 0;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return g2d_error_set(err, -errno, "cannot open result log '%s': %s", path, strerror(errno));
    f = fdopen(fd, "a");
    if (!f) {
        int e = errno;

        close(fd);
        return g2d_error_set(err, -e, "cannot open result log '%s': %s", path, strerror(e));
    }
    setvbuf(f, NULL, _IOFBF, 64 * 1024);
    *out = f;
    return 0;
}

static void result_log_sync(struct daemon *d)
{
    if (!d->result_log)
        return;
    if (fflush(d->result_log) != 0 || fsync(fileno(d->result_log)) < 0)
        log_warning("result log '%s': write failed: %s", d->result_path, strerror(errno));
}

static void result_log_close(struct daemon *d)
{
    if (!d->result_log)
        return;
    result_log_sync(d);
    fclose(d->result_log);
    d->result_log = NULL;
}

/* ---- Status --------------------------------------------------------------------------- */

/* Wall-clock ms: progress timestamps are wall-clock. */
static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t next_in_ms(struct daemon *d)
{
    if (!d->handles_up || !uv_is_active((uv_handle_t *)&d->sched_timer))
        return -1;
    return (int64_t)uv_timer_get_due_in(&d->sched_timer);
}

static const struct g2d_cycle_stats *last_stats(struct daemon *d)
{
    const struct g2d_cycle_stats *st = d->sync ? g2d_sync_last(d->sync) : NULL;

    return st && st->cycle_id ? st : NULL;
}

static void update_status(struct daemon *d)
{
    struct status_info si = {0};
    struct g2d_buf b;

    si.running = d->running;
    si.paused = d->paused;
    si.stopping = d->stopping;
    si.glue_rps = d->rps[0];
    si.dlf_rps = d->rps[1];
    si.now_ms = wall_ms();
    if (d->sync)
        g2d_sync_progress(d->sync, &si.progress);
    si.last = last_stats(d);
    si.next_in_ms = next_in_ms(d);
    g2d_buf_init(&b, 4096);
    if (status_line_format(&b, &si) == 0)
        notify_status(g2d_buf_cstr(&b));
    g2d_buf_done(&b);
}

static void sample_rates(struct daemon *d)
{
    struct g2d_http_stats st[2];
    int64_t now = (int64_t)uv_now(d->loop);
    int i;

    if (!d->sync)
        return;
    g2d_sync_http_stats(d->sync, &st[0], &st[1]);
    for (i = 0; i < 2; i++) {
        if (d->rate_ms && now > d->rate_ms) {
            double r =
                (double)(st[i].requests - d->rate_req[i]) * 1000.0 / (double)(now - d->rate_ms);

            /* Exponential smoothing over a few seconds: steady, yet quick to follow. */
            d->rps[i] = d->rps[i] ? 0.6 * d->rps[i] + 0.4 * r : r;
        }
        d->rate_req[i] = st[i].requests;
    }
    d->rate_ms = now;
}

static void on_status_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;

    sample_rates(d);
    if (d->running)
        update_status(d);
}

static bool watchdog_healthy(void *arg)
{
    struct daemon *d = arg;

    /* Idle, not paused and not stopping: a cycle must be scheduled. */
    if (!d->running && !d->paused && !d->stopping && !d->once)
        return uv_is_active((uv_handle_t *)&d->sched_timer);
    return true;
}

/* ---- Items and cycles ----------------------------------------------------------------- */

static void on_item(const struct g2d_item_result *it, void *arg)
{
    struct daemon *d = arg;

    if (d->cycle_is_plan) {
        json_t *o;

        d->plan_count++;
        if (d->plan_count > PLAN_ITEMS_MAX || !d->plan_items)
            return;
        o = json_plan_item(it);
        if (!o || json_array_append_new(d->plan_items, o) < 0) {
            json_decref(d->plan_items);
            d->plan_items = NULL;
        }
        return;
    }

    metrics_count_item(&d->metrics, it);
    g2d_buf_reset(&d->fmt);
    if (g2d_item_result_format(it, &d->fmt) == 0) {
        if (d->result_log && (fwrite(d->fmt.data, 1, d->fmt.len, d->result_log) != d->fmt.len ||
                              fputc('\n', d->result_log) == EOF))
            log_warning("result log '%s': write failed: %s", d->result_path, strerror(errno));
        if (results_ring_push(&d->ring, d->fmt.data, d->fmt.len) < 0)
            log_warning("results ring: out of memory");
    }
    if (!it->success && !it->held && !it->dry_run) {
        char cycle[24];
        struct log_field f[] = {
            {"GLUE2DLF_CYCLE_ID", cycle},
            {"GLUE2DLF_ITEM_TYPE", g2d_item_type_name(it->type)},
            {"GLUE2DLF_ITEM_NAME", it->name},
            {"GLUE2DLF_DIFF", g2d_diff_name(it->diff)},
            {"GLUE2DLF_DATABASE", it->database},
            {"GLUE2DLF_TABLE", it->table},
        };
        const char *verb = it->diff == G2D_DIFF_GLUE_NEW      ? "create"
                           : it->diff == G2D_DIFF_NEED_UPDATE ? "update"
                                                              : "delete";

        snprintf(cycle, sizeof(cycle), "%" PRIu64, it->cycle_id);
        log_fields(LOG_WARNING, NULL, f, 6, "failed to %s %s '%s': %s", verb,
                   g2d_item_type_name(it->type), it->name ? it->name : "",
                   it->error ? it->error : "unknown error");
    }
}

static void reply_all(struct call_vec *cv, json_t *result)
{
    for (size_t i = 0; i < cv->n; i++) {
        json_incref(result);
        ctl_call_reply_ok(cv->v[i], result);
    }
    cv->n = 0;
    json_decref(result);
}

static void fail_all(struct call_vec *cv, const char *code, const char *msg)
{
    for (size_t i = 0; i < cv->n; i++)
        ctl_call_reply_error(cv->v[i], code, "%s", msg);
    cv->n = 0;
}

static void retire_sweep(struct daemon *d)
{
    const struct g2d_config *in_use = d->sync ? g2d_sync_config_in_use(d->sync) : NULL;
    size_t k = 0;

    for (size_t i = 0; i < d->nretired; i++) {
        if (d->retired[i] == in_use)
            d->retired[k++] = d->retired[i];
        else
            g2d_config_free(d->retired[i]);
    }
    d->nretired = k;
}

static void log_cycle(struct daemon *d, const struct g2d_cycle_stats *st)
{
    char id[24], dur[32], counts[6][24];
    struct log_field f[] = {
        {"GLUE2DLF_CYCLE_ID", id},
        {"GLUE2DLF_DURATION_MS", dur},
        {"GLUE2DLF_CREATED", counts[0]},
        {"GLUE2DLF_UPDATED", counts[1]},
        {"GLUE2DLF_DELETED", counts[2]},
        {"GLUE2DLF_FAILED", counts[3]},
        {"GLUE2DLF_HELD", counts[4]},
        {"GLUE2DLF_SEEN", counts[5]},
        {"GLUE2DLF_OUTCOME", cycle_outcome(st)},
    };
    int64_t ms = st->finished_ms > st->started_ms ? st->finished_ms - st->started_ms : 0;

    snprintf(id, sizeof(id), "%" PRIu64, st->cycle_id);
    snprintf(dur, sizeof(dur), "%" PRId64, ms);
    snprintf(counts[0], sizeof(counts[0]), "%" PRIu64, st->created);
    snprintf(counts[1], sizeof(counts[1]), "%" PRIu64, st->updated);
    snprintf(counts[2], sizeof(counts[2]), "%" PRIu64, st->deleted);
    snprintf(counts[3], sizeof(counts[3]), "%" PRIu64, st->failed);
    snprintf(counts[4], sizeof(counts[4]), "%" PRIu64, st->held);
    snprintf(counts[5], sizeof(counts[5]), "%" PRIu64, st->seen);
    if (st->status < 0) {
        log_fields(LOG_ERR, LOG_MID_CYCLE_FAILED, f, 9, "cycle %s%s failed after %.1fs: %s", id,
                   st->dry_run ? " (dry run)" : "", (double)ms / 1000.0,
                   st->error[0] ? st->error : strerror(-st->status));
        return;
    }
    log_fields(st->failed ? LOG_WARNING : LOG_INFO, LOG_MID_CYCLE_FINISHED, f, 9,
               "cycle %s%s %s in %.1fs: %" PRIu64 " seen, %" PRIu64 " unchanged, %" PRIu64
               " created, %" PRIu64 " updated, %" PRIu64 " deleted, %" PRIu64 " failed, %" PRIu64
               " held",
               id, st->dry_run ? " (dry run)" : "",
               st->cancelled ? "cancelled" : (st->failed ? "finished with failures" : "finished"),
               (double)ms / 1000.0, st->seen, st->unchanged, st->created, st->updated, st->deleted,
               st->failed, st->held);
    if (st->held)
        log_warning("cycle %s: %" PRIu64 " deletes held back by the delete guard (see "
                    "deletes.max_count / deletes.max_fraction); nothing was deleted for them",
                    id, st->held);
    if (st->dropped_fields & ~d->dropped_reported) {
        /* Once per run: which Glue fields DLF has no place for, so they are not copied. */
        uint32_t bits = st->dropped_fields & ~d->dropped_reported;
        struct g2d_buf b;

        g2d_buf_init(&b, 4096);
        for (unsigned i = 0; i < 32; i++)
            if (bits & (1u << i))
                g2d_buf_printf(&b, "%s%s", b.len ? ", " : "", g2d_dropped_field_name(1u << i));
        log_notice("Glue fields with no DLF counterpart are not copied: %s", g2d_buf_cstr(&b));
        g2d_buf_done(&b);
        d->dropped_reported |= bits;
    }
}

static void on_cycle_done(const struct g2d_cycle_stats *st, void *arg)
{
    struct daemon *d = arg;
    bool was_plan = d->cycle_is_plan;

    d->running = false;
    d->cycle_is_plan = false;
    log_cycle(d, st);
    if (was_plan) {
        json_t *res = json_object();

        if (res && d->plan_items) {
            json_object_set_new(res, "items", d->plan_items);
            d->plan_items = NULL;
            if (d->plan_count > PLAN_ITEMS_MAX)
                json_object_set_new(res, "truncated", json_true());
            json_object_set_new(res, "total", json_integer((json_int_t)d->plan_count));
            json_object_set_new(res, "stats", json_cycle_stats(st));
            reply_all(&d->plans_cur, res);
        } else {
            json_decref(res);
            fail_all(&d->plans_cur, G2D_CTL_E_INTERNAL, "out of memory building the plan");
        }
        json_decref(d->plan_items);
        d->plan_items = NULL;
    } else {
        result_log_sync(d);
        metrics_count_cycle(&d->metrics, st);
        reply_all(&d->waiters_cur, json_cycle_stats(st));
        if (d->once)
            d->exit_code = cycle_exit_code(st);
    }
    retire_sweep(d);
    if (d->stopping) {
        shutdown_begin(d, d->exit_code);
        return;
    }
    if (d->once && !was_plan) {
        shutdown_begin(d, d->exit_code);
        return;
    }
#ifdef __GLIBC__
    /* Between cycles the daemon holds its snapshot and little else: hand the free pages a
     * big cycle left inside the heap (page bodies, batch texts) back to the system. */
    (void)malloc_trim(0);
#endif
    after_cycle(d);
}

/* Start a cycle now. @return 0 or a negative errno (-EBUSY if one runs). */
static int start_cycle(struct daemon *d, bool plan, bool full)
{
    unsigned flags = 0;
    int r;

    if (plan || dry_run(d))
        flags |= G2D_CYCLE_DRY_RUN;
    if (!plan && (full || sched_full_due(d->last_full_mono, now_ms(d), d->cfg->full_reconcile_ms)))
        flags |= G2D_CYCLE_FULL;
    if (plan) {
        d->plan_items = json_array();
        d->plan_count = 0;
        if (!d->plan_items)
            return -ENOMEM;
    }
    d->cycle_is_plan = plan;
    r = g2d_sync_start(d->sync, flags, on_cycle_done, d);
    if (r < 0) {
        d->cycle_is_plan = false;
        json_decref(d->plan_items);
        d->plan_items = NULL;
        return r;
    }
    d->running = true;
    (void)uv_timer_stop(&d->sched_timer);
    if (!plan) {
        d->last_start_mono = now_ms(d);
        if (flags & G2D_CYCLE_FULL)
            d->last_full_mono = d->last_start_mono;
    }
    update_status(d);
    return 0;
}

static void on_sched_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;
    int r;

    if (d->paused || d->stopping || d->running)
        return;
    r = start_cycle(d, false, false);
    if (r < 0) {
        log_error("cannot start a cycle: %s", strerror(-r));
        schedule_next(d);
    }
}

static void schedule_next(struct daemon *d)
{
    uint64_t now = now_ms(d), next, delay;

    if (d->once || d->stopping || d->paused || d->running)
        return;
    next = sched_next_start(d->last_start_mono, now, d->cfg->interval_ms,
                            sched_jitter(d->cfg->jitter_ms, sched_random()));
    delay = next > now ? next - now : 1;
    /* Never 0 ms: libuv 1.44 may rerun a 0 ms timer in the same pass (c-style.md §14). */
    if (delay == 0)
        delay = 1;
    (void)uv_timer_start(&d->sched_timer, on_sched_timer, delay, 0);
}

/* What to do once the engine is idle: queued sync, queued plan, or the schedule. */
static void after_cycle(struct daemon *d)
{
    int r;

    if (d->pending_sync) {
        bool full = d->pending_full;

        d->pending_sync = d->pending_full = false;
        r = start_cycle(d, false, full);
        if (r == 0) {
            d->waiters_cur = d->waiters_next;
            d->waiters_next.n = 0;
            return;
        }
        log_error("cannot start the requested cycle: %s", strerror(-r));
        fail_all(&d->waiters_next, G2D_CTL_E_INTERNAL, strerror(-r));
    }
    if (d->plans_next.n > 0) {
        r = start_cycle(d, true, false);
        if (r == 0) {
            d->plans_cur = d->plans_next;
            d->plans_next.n = 0;
            return;
        }
        log_error("cannot start the requested plan: %s", strerror(-r));
        fail_all(&d->plans_next, G2D_CTL_E_INTERNAL, strerror(-r));
    }
    schedule_next(d);
    update_status(d);
}

/* ---- Reload --------------------------------------------------------------------------- */

/*
 * Load the config file again and switch to it. On failure the old config stays.
 * @param[out] restart  keys whose change needs a restart (caller owns), may be NULL
 * @param[out] warnings non-fatal problems (caller owns), may be NULL
 */
static int do_reload(struct daemon *d, json_t **restart, json_t **warnings, struct g2d_error *err)
{
    struct g2d_config *cfg = NULL;
    json_t *rr = json_array(), *warn = json_array();
    FILE *f = NULL;
    int r;

    notify_reloading();
    log_info("reloading configuration from '%s'", d->config_path);
    r = g2d_config_load(&cfg, d->config_path, err);
    if (r == 0) {
        r = g2d_sync_set_config(d->sync, cfg, err);
        /* Make sure the engine holds no pointer to the config about to be freed. */
        if (r < 0)
            (void)g2d_sync_set_config(d->sync, d->cfg, NULL);
    }
    if (r < 0) {
        struct log_field fl[] = {{"GLUE2DLF_CONFIG", d->config_path}};

        g2d_config_free(cfg);
        log_fields(LOG_ERR, LOG_MID_RELOAD_FAILED, fl, 1,
                   "reload failed, keeping the running configuration: %s", err->msg);
        json_decref(rr);
        json_decref(warn);
        notify_ready();
        return r;
    }

    if (!d->socket_override && strcmp(cfg->control_socket ? cfg->control_socket : "",
                                      d->socket_path ? d->socket_path : "") != 0)
        json_array_append_new(rr, json_string("control_socket"));
    if ((cfg->control_mode & 0777) != (d->socket_mode & 0777))
        json_array_append_new(rr, json_string("control_mode"));
    if (cfg->log_target != d->log_target)
        json_array_append_new(rr, json_string("log_target"));
    if (strcmp(cfg->ca_file ? cfg->ca_file : "",
               d->http_in_effect.ca_file ? d->http_in_effect.ca_file : "") != 0)
        json_array_append_new(rr, json_string("http.ca_file"));
    if (cfg->connect_timeout_ms != d->http_in_effect.connect_timeout_ms)
        json_array_append_new(rr, json_string("http.connect_timeout"));
    if (cfg->request_timeout_ms != d->http_in_effect.request_timeout_ms)
        json_array_append_new(rr, json_string("http.timeout"));
    if (cfg->max_response_bytes != d->http_in_effect.max_response_bytes)
        json_array_append_new(rr, json_string("http.max_response_size"));
    if (cfg->max_attempts != d->http_in_effect.max_attempts)
        json_array_append_new(rr, json_string("http.max_attempts"));
    log_set_level(cfg->log_level);

    /* Reopen the result log (also what log rotation needs). */
    {
        struct g2d_error ferr = {0};

        if (result_log_open(cfg->result_path, &f, &ferr) < 0) {
            log_warning("reload: %s; keeping the previous result log", ferr.msg);
            json_array_append_new(warn, g2d_ctl_json_string(ferr.msg));
        } else {
            char *p = cfg->result_path ? strdup(cfg->result_path) : NULL;

            result_log_close(d);
            free(d->result_path);
            d->result_log = f;
            d->result_path = p;
        }
    }

    if (d->nretired == MAX_RETIRED) {
        /* Cannot happen (at most one retired config is in use), but never leak. */
        retire_sweep(d);
    }
    if (d->nretired < MAX_RETIRED)
        d->retired[d->nretired++] = d->cfg;
    else
        g2d_config_free(d->cfg);
    d->cfg = cfg;
    retire_sweep(d);

    if (json_array_size(rr) > 0) {
        char keys[256] = "";

        for (size_t i = 0; i < json_array_size(rr); i++) {
            if (i)
                strncat(keys, ", ", sizeof(keys) - strlen(keys) - 1);
            strncat(keys, json_string_value(json_array_get(rr, i)),
                    sizeof(keys) - strlen(keys) - 1);
        }
        log_warning("reload: changes to %s take effect only after a restart", keys);
    }
    {
        struct log_field fl[] = {{"GLUE2DLF_CONFIG", d->config_path}};

        log_fields(LOG_INFO, LOG_MID_RELOAD_OK, fl, 1, "configuration reloaded from '%s'",
                   d->config_path);
    }
    if (!d->running) {
        (void)uv_timer_stop(&d->sched_timer);
        schedule_next(d);
    }
    update_status(d);
    notify_ready();
    if (restart)
        *restart = rr;
    else
        json_decref(rr);
    if (warnings)
        *warnings = warn;
    else
        json_decref(warn);
    return 0;
}

/* ---- Control commands ----------------------------------------------------------------- */

static bool add_waiter(struct call_vec *cv, struct ctl_call *call)
{
    if (cv->n >= MAX_WAITERS) {
        ctl_call_reply_error(call, G2D_CTL_E_BUSY, "too many requests waiting");
        return false;
    }
    cv->v[cv->n++] = call;
    return true;
}

static json_t *status_json(struct daemon *d)
{
    struct g2d_progress p;
    const struct g2d_cycle_stats *last = last_stats(d);
    struct g2d_http_stats gs, ds;
    int64_t next = next_in_ms(d);
    const char *state;
    json_t *o;

    g2d_sync_progress(d->sync, &p);
    state = d->stopping ? "stopping" : d->running ? "running" : d->paused ? "paused" : "idle";
    o = json_pack("{s:s, s:I, s:s, s:b, s:b, s:s, s:s, s:o, s:o, s:o, s:I}", "version", G2D_VERSION,
                  "pid", (json_int_t)getpid(), "state", state, "paused", d->paused, "dry_run",
                  dry_run(d), "config", d->config_path, "phase", g2d_phase_name(p.phase),
                  "progress", json_progress(&p), "last_cycle",
                  last ? json_cycle_stats(last) : json_null(), "next_cycle_in_ms",
                  next >= 0 ? json_integer(next) : json_null(), "uptime_s",
                  (json_int_t)((now_ms(d) - d->started_mono) / 1000));
    if (!o)
        return NULL;
    g2d_sync_http_stats(d->sync, &gs, &ds);
    json_object_set_new(o, "rates",
                        json_pack("{s:f, s:f}", "glue_rps", d->rps[0], "dlf_rps", d->rps[1]));
    if (d->running) {
        int64_t eta = progress_eta_ms(&p, wall_ms());

        json_object_set_new(o, "eta_ms", eta >= 0 ? json_integer(eta) : json_null());
    }
    json_object_set_new(o, "glue", json_http_stats(&gs));
    json_object_set_new(o, "dlf", json_http_stats(&ds));
    if (d->once)
        json_object_set_new(o, "once", json_true());
    return o;
}

static json_t *metrics_json(struct daemon *d)
{
    struct g2d_http_stats gs, ds;
    struct metrics_extra x = {0};
    struct g2d_progress p;
    struct g2d_buf b;
    json_t *o = NULL;

    g2d_sync_progress(d->sync, &p);
    g2d_sync_http_stats(d->sync, &gs, &ds);
    x.glue = &gs;
    x.dlf = &ds;
    x.snapshot_items = p.snapshot_items;
    x.paused = d->paused;
    g2d_buf_init(&b, 4u << 20);
    if (metrics_render(&b, &d->metrics, &x) == 0)
        o = json_pack("{s:s}", "text", g2d_buf_cstr(&b));
    g2d_buf_done(&b);
    return o;
}

static void cmd_sync(struct daemon *d, struct ctl_call *call)
{
    const struct g2d_ctl_request *req = ctl_call_request(call);
    struct g2d_progress p;
    int r;

    if (d->running && !d->cycle_is_plan) {
        if (req->wait) {
            add_waiter(&d->waiters_cur, call);
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
            add_waiter(&d->waiters_next, call);
        else
            ctl_call_reply_ok(call, json_pack("{s:b}", "queued", 1));
        return;
    }
    /* Works while paused: an explicit request is not a scheduled cycle. */
    r = start_cycle(d, false, req->full);
    if (r < 0) {
        ctl_call_reply_error(call, r == -EBUSY ? G2D_CTL_E_BUSY : G2D_CTL_E_INTERNAL,
                             "cannot start a cycle: %s", strerror(-r));
        return;
    }
    if (req->wait) {
        add_waiter(&d->waiters_cur, call);
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
        add_waiter(&d->plans_next, call);
        return;
    }
    r = start_cycle(d, true, false);
    if (r < 0) {
        ctl_call_reply_error(call, G2D_CTL_E_INTERNAL, "cannot start a plan: %s", strerror(-r));
        return;
    }
    add_waiter(&d->plans_cur, call);
}

static void cmd_reload(struct daemon *d, struct ctl_call *call)
{
    struct g2d_error err = {0};
    json_t *restart = NULL, *warnings = NULL, *res;

    if (do_reload(d, &restart, &warnings, &err) < 0) {
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

static void dispatch(struct ctl_call *call, void *arg)
{
    struct daemon *d = arg;
    const struct g2d_ctl_request *req = ctl_call_request(call);

    if (d->stopping && req->cmd != G2D_CTL_STATUS && req->cmd != G2D_CTL_RESULTS &&
        req->cmd != G2D_CTL_METRICS) {
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
        if (!d->paused)
            log_info("scheduled cycles paused");
        d->paused = true;
        (void)uv_timer_stop(&d->sched_timer);
        update_status(d);
        ctl_call_reply_ok(call, json_pack("{s:b}", "paused", 1));
        break;
    case G2D_CTL_RESUME:
        if (d->paused)
            log_info("scheduled cycles resumed");
        d->paused = false;
        schedule_next(d);
        update_status(d);
        ctl_call_reply_ok(call, json_pack("{s:b}", "paused", 0));
        break;
    case G2D_CTL_RELOAD:
        cmd_reload(d, call);
        break;
    case G2D_CTL_RESULTS:
        ctl_call_reply_ok(call, results_ring_json(&d->ring, (size_t)req->limit));
        break;
    case G2D_CTL_METRICS:
        ctl_call_reply_ok(call, metrics_json(d));
        break;
    default:
        ctl_call_reply_error(call, G2D_CTL_E_UNKNOWN_COMMAND, "unknown command");
        break;
    }
}

/* ---- Shutdown ------------------------------------------------------------------------- */

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void shutdown_finish(struct daemon *d)
{
    if (d->finishing)
        return;
    d->finishing = true;
    fail_all(&d->waiters_cur, G2D_CTL_E_STOPPING, "the daemon is shutting down");
    fail_all(&d->plans_cur, G2D_CTL_E_STOPPING, "the daemon is shutting down");
    result_log_close(d);
    ctl_server_close(d->ctl, NULL, NULL);
    d->ctl = NULL;
    g2d_sync_free(d->sync);
    d->sync = NULL;
    if (d->http)
        g2d_http_close(d->http, NULL, NULL);
    d->http = NULL;
    notify_watchdog_stop();
    if (!d->handles_up)
        return;
    close_handle((uv_handle_t *)&d->sched_timer);
    close_handle((uv_handle_t *)&d->status_timer);
    close_handle((uv_handle_t *)&d->sig_term);
    close_handle((uv_handle_t *)&d->sig_int);
    close_handle((uv_handle_t *)&d->sig_hup);
}

static void on_finish_timer(uv_timer_t *t)
{
    shutdown_finish(t->data);
}

/*
 * Shut down: cancel the running cycle and wait for its callback, then finish from a fresh
 * loop iteration (never from inside a sync engine callback, which must not free the engine).
 */
static void shutdown_begin(struct daemon *d, int exit_code)
{
    d->exit_code = exit_code;
    if (!d->stopping) {
        d->stopping = true;
        notify_stopping();
        (void)uv_timer_stop(&d->sched_timer);
        fail_all(&d->waiters_next, G2D_CTL_E_STOPPING, "the daemon is shutting down");
        fail_all(&d->plans_next, G2D_CTL_E_STOPPING, "the daemon is shutting down");
        d->pending_sync = false;
        if (d->running) {
            log_info("stopping: cancelling the running cycle, in-flight writes finish first");
            /* The cycle callback (possibly run from inside cancel) finishes the shutdown. */
            g2d_sync_cancel(d->sync);
            return;
        }
    }
    if (!d->running && !d->finishing)
        (void)uv_timer_start(&d->sched_timer, on_finish_timer, 1, 0);
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct daemon *d = s->data;

    if (signum == SIGHUP) {
        struct g2d_error err = {0};

        if (d->stopping)
            return;
        (void)do_reload(d, NULL, NULL, &err);
        return;
    }
    if (d->stopping) {
        log_warning("second SIG%s: abandoning in-flight work and exiting now",
                    sigabbrev_np(signum));
        if (d->result_log)
            fflush(d->result_log);
        exit(1);
    }
    log_info("SIG%s received, shutting down", sigabbrev_np(signum));
    shutdown_begin(d, d->once ? 1 : 0);
}

/* ---- Start-up ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: glue2dlfd [OPTIONS]\n"
               "Keep an Alibaba Cloud DLF catalog in step with an AWS Glue Data Catalog.\n"
               "\n"
               "  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
               "      --once          run one cycle now, then exit (0 all items ok, 1 some\n"
               "                      failed or the cycle failed, 2 config or setup error)\n"
               "      --dry-run       plan and report, never write to DLF\n"
               "      --check-config  validate the configuration and exit (0 ok, 2 invalid)\n"
               "      --print-config  print the effective configuration, secrets masked\n"
               "      --socket PATH   control socket (overrides the configuration)\n"
               "  -h, --help          show this help\n"
               "      --version       show the version\n");
}

enum { OPT_ONCE = 256, OPT_DRY_RUN, OPT_CHECK, OPT_PRINT, OPT_SOCKET, OPT_VERSION };

static int load_config(const char *path, struct g2d_config **cfg)
{
    struct g2d_error err = {0};

    if (g2d_config_load(cfg, path, &err) < 0) {
        fprintf(stderr, "glue2dlfd: %s\n", err.msg[0] ? err.msg : "cannot load configuration");
        return -1;
    }
    return 0;
}

static int setup(struct daemon *d)
{
    struct g2d_error err = {0};
    struct g2d_http_opts hopts = {0};
    struct ctl_server_opts copts = {0};
    int r;

    d->loop = uv_default_loop();
    d->started_mono = uv_now(d->loop);
    d->last_start_mono = d->started_mono;
    d->last_full_mono = d->started_mono;
    g2d_buf_init(&d->fmt, 1u << 20);
    if (results_ring_init(&d->ring, RESULTS_RING) < 0) {
        log_error("out of memory");
        return -1;
    }
    hopts.ca_file = d->cfg->ca_file;
    hopts.connect_timeout_ms = d->cfg->connect_timeout_ms;
    hopts.timeout_ms = d->cfg->request_timeout_ms;
    hopts.max_body = d->cfg->max_response_bytes;
    d->http_in_effect.ca_file = d->cfg->ca_file ? strdup(d->cfg->ca_file) : NULL;
    d->http_in_effect.connect_timeout_ms = d->cfg->connect_timeout_ms;
    d->http_in_effect.request_timeout_ms = d->cfg->request_timeout_ms;
    d->http_in_effect.max_response_bytes = d->cfg->max_response_bytes;
    d->http_in_effect.max_attempts = d->cfg->max_attempts;
    r = g2d_http_new(&d->http, d->loop, &hopts, &err);
    if (r < 0) {
        log_error("cannot start the HTTP engine: %s", err.msg);
        return -1;
    }
    r = g2d_sync_new(&d->sync, d->http, d->cfg, on_item, d, &err);
    if (r < 0) {
        log_error("cannot start the sync engine: %s", err.msg);
        return -1;
    }
    r = result_log_open(d->cfg->result_path, &d->result_log, &err);
    if (r < 0) {
        log_error("%s", err.msg);
        return -1;
    }
    d->result_path = d->cfg->result_path ? strdup(d->cfg->result_path) : NULL;

    d->socket_path = strdup(d->socket_override       ? d->socket_override
                            : d->cfg->control_socket ? d->cfg->control_socket
                                                     : "/run/glue2dlf/control.sock");
    d->socket_mode = d->cfg->control_mode ? d->cfg->control_mode : 0660;
    d->log_target = d->cfg->log_target;
    if (!d->socket_path) {
        log_error("out of memory");
        return -1;
    }
    copts.path = d->socket_path;
    copts.mode = d->socket_mode;
    copts.dispatch = dispatch;
    copts.arg = d;
    r = ctl_server_start(&d->ctl, d->loop, &copts, &err);
    if (r < 0) {
        if (!d->once) {
            log_error("%s", err.msg);
            return -1;
        }
        log_warning("%s; continuing without a control socket (--once)", err.msg);
        d->ctl = NULL;
    }

    (void)uv_timer_init(d->loop, &d->sched_timer);
    (void)uv_timer_init(d->loop, &d->status_timer);
    (void)uv_signal_init(d->loop, &d->sig_term);
    (void)uv_signal_init(d->loop, &d->sig_int);
    (void)uv_signal_init(d->loop, &d->sig_hup);
    d->handles_up = true;
    d->sched_timer.data = d->status_timer.data = d;
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    if (uv_signal_start(&d->sig_term, on_signal, SIGTERM) < 0 ||
        uv_signal_start(&d->sig_int, on_signal, SIGINT) < 0 ||
        uv_signal_start(&d->sig_hup, on_signal, SIGHUP) < 0) {
        log_error("cannot install signal handlers");
        return -1;
    }
    (void)uv_timer_start(&d->status_timer, on_status_timer, 1000, 1000);
    r = notify_watchdog_start(d->loop, watchdog_healthy, d);
    if (r < 0)
        log_warning("cannot start the watchdog timer: %s", uv_strerror(r));
    return 0;
}

/* Tear down what setup() built when start-up fails; returns once the loop is closed. */
static void teardown_failed(struct daemon *d)
{
    if (!d->loop)
        return;
    d->stopping = true;
    shutdown_finish(d);
    (void)uv_run(d->loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(d->loop);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"once", no_argument, NULL, OPT_ONCE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"check-config", no_argument, NULL, OPT_CHECK},
        {"print-config", no_argument, NULL, OPT_PRINT},
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct daemon *d = &the_daemon;
    bool check = false, print = false;
    int c, r;

    d->config_path = DEFAULT_CONFIG;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            d->config_path = optarg;
            break;
        case OPT_ONCE:
            d->once = true;
            break;
        case OPT_DRY_RUN:
            d->dry_run_flag = true;
            break;
        case OPT_CHECK:
            check = true;
            break;
        case OPT_PRINT:
            print = true;
            break;
        case OPT_SOCKET:
            d->socket_override = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("glue2dlfd %s\n", G2D_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "glue2dlfd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    /* The process holds cloud secrets: no core dumps, no ptrace by other users. */
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (load_config(d->config_path, &d->cfg) < 0)
        return 2;
    if (check) {
        printf("config OK: %s\n", d->config_path);
        g2d_config_free(d->cfg);
        return 0;
    }
    if (print) {
        struct g2d_buf b;

        g2d_buf_init(&b, 0);
        r = g2d_config_print(d->cfg, &b);
        if (r == 0)
            fwrite(b.data ? b.data : "", 1, b.len, stdout);
        else
            fprintf(stderr, "glue2dlfd: cannot print the configuration: %s\n", strerror(-r));
        g2d_buf_done(&b);
        g2d_config_free(d->cfg);
        return r == 0 ? 0 : 2;
    }

    log_init(d->cfg->log_target, d->cfg->log_level);
    /* Writes to a closed control client must not kill us (libuv reports EPIPE). */
    signal(SIGPIPE, SIG_IGN);

    if (setup(d) < 0) {
        teardown_failed(d);
        g2d_config_free(d->cfg);
        return 2;
    }

    {
        struct log_field f[] = {{"GLUE2DLF_CONFIG", d->config_path}};

        log_fields(LOG_INFO, LOG_MID_STARTED, f, 1,
                   "glue2dlfd %s started: config '%s', control socket '%s'%s%s", G2D_VERSION,
                   d->config_path, d->socket_path, dry_run(d) ? ", dry run" : "",
                   d->once ? ", one cycle" : "");
    }

    d->exit_code = 0;
    if (d->once || d->cfg->run_on_start) {
        r = start_cycle(d, false, false);
        if (r < 0) {
            log_error("cannot start the first cycle: %s", strerror(-r));
            if (d->once) {
                teardown_failed(d);
                g2d_config_free(d->cfg);
                return 2;
            }
            schedule_next(d);
        }
    } else {
        schedule_next(d);
    }
    update_status(d);
    notify_ready();

    (void)uv_run(d->loop, UV_RUN_DEFAULT);

    r = uv_loop_close(d->loop);
    if (r < 0) {
        log_error("internal error: handles left open at exit (%s)", uv_strerror(r));
        if (d->exit_code == 0)
            d->exit_code = 1;
    }
    {
        struct log_field f[] = {{"GLUE2DLF_CONFIG", d->config_path}};

        log_fields(LOG_INFO, LOG_MID_STOPPED, f, 1, "glue2dlfd stopped");
    }
    for (size_t i = 0; i < d->nretired; i++)
        g2d_config_free(d->retired[i]);
    g2d_config_free(d->cfg);
    results_ring_done(&d->ring);
    g2d_buf_done(&d->fmt);
    free(d->socket_path);
    free(d->http_in_effect.ca_file);
    free(d->result_path);
    return d->exit_code;
}
