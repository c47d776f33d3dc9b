/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's state and the functions its files call on each other. One libuv loop runs
 * the sync engine on a schedule, serves the control socket, talks to systemd and writes
 * the result log. The files of the program (linked only into glue2dlfd):
 *
 *   main.c      options, start-up in order, the one cleanup ladder, exit status
 *   cycle.c     starting a cycle, each item's result, the cycle-done handling
 *   schedule.c  the schedule timer (interval, jitter), what runs after a cycle, watchdog
 *   status.c    request rates, the STATUS= line, the "status" and "metrics" replies
 *   reload.c    reload (SIGHUP and `glue2dlfctl reload`), retired configurations
 *   ctl_cmds.c  the control commands the daemon serves, and the waiting callers
 *   shutdown.c  signals and the graceful shutdown
 *
 * Everything here runs on the loop thread. There is one daemon (the_daemon, in main.c);
 * every function takes it explicitly and borrows it for the call, except where a comment
 * says a pointer is kept.
 */
#ifndef GLUE2DLFD_DAEMON_H
#define GLUE2DLFD_DAEMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "glue2dlf/config.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

#include "ctl_server.h"
#include "fixed_settings.h"
#include "metrics.h"
#include "result_log.h"
#include "results_ring.h"

#define DEFAULT_CONFIG "/etc/glue2dlf/glue2dlf.yaml"
#define RESULTS_RING 10000
#define PLAN_ITEMS_MAX 100000
#define MAX_WAITERS 64
#define MAX_RETIRED 8

/** Control calls waiting for a cycle; each is owned here until answered. */
struct call_vec {
    struct ctl_call *v[MAX_WAITERS];
    size_t n;
};

/** What the running cycle's items came to, for its journal summaries (cycle.c). */
struct cycle_tally {
    uint64_t failed[4], held[4]; /* by object type */
    unsigned lines;              /* failed-item lines logged one by one */
    char first_failed[4][320], first_held[4][320];
};

struct daemon {
    uv_loop_t *loop;
    char creds_err[2][512];          /* the credentials error last logged, per side */
    int64_t rate_ms;                 /* when the request counters were last sampled */
    uint64_t rate_req[2];            /* Glue, DLF requests completed at that time */
    double rps[2];                   /* smoothed request rates */
    uint64_t rate_items, rate_cycle; /* items seen (of that cycle) when last sampled */
    double items_ps;                 /* smoothed items per second of the running cycle */
    char last_error[512];            /* the last item or cycle error, "" = none yet */
    int64_t last_error_ms;           /* its Unix time in ms */
    uint32_t dropped_reported;       /* Glue fields without a DLF counterpart, already logged */
    const char *config_path;         /* argv or DEFAULT_CONFIG: lives as long as the process */
    const char *socket_override;
    const char *checkpoint; /* --checkpoint, or NULL */
    unsigned ckpt_interval; /* --checkpoint-interval, seconds */
    bool once, dry_run_flag, quiet;

    struct g2d_config *cfg;                  /* owned */
    struct g2d_config *retired[MAX_RETIRED]; /* owned; replaced, maybe still in use */
    size_t nretired;

    struct g2d_http *http;
    struct g2d_sync *sync;
    struct ctl_server *ctl;

    struct fixed_settings fixed; /* settings that need a restart, as in effect */

    struct result_log result_log;
    struct g2d_buf fmt; /* one item's result line, reused */
    struct results_ring ring;
    struct metrics metrics;
    struct metrics_http *scrape; /* the metrics.listen endpoint, NULL = none; owned */
    char *scrape_listen;         /* the address it was started for; owned */
    int64_t started_wall_s;      /* Unix time of the start, for process_start_time_seconds */

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
    uint64_t cycle_start_mono;        /* start of the running cycle (sync or plan) */
    struct g2d_cycle_stats last_sync; /* the last finished sync cycle (no plan), for health */
    bool have_last_sync;
    uint64_t last_sync_mono;           /* when it finished */
    uint64_t last_ok_mono, last_ok_id; /* the last good one (cycle_exit_code 0); 0: none */

    struct cycle_tally tally;
    json_t *rep_cur, *rep_last; /* per database: [changed, failed, held] of the running / last
                                   sync cycle (report.c); owned */
    json_t *rep_history;        /* the last sync cycles' stats, oldest first; owned */

    struct call_vec waiters_cur;  /* sync --wait callers of the running cycle */
    struct call_vec waiters_next; /* sync --wait callers of the queued sync */
    struct call_vec plans_cur;    /* plan callers served by the running plan cycle */
    struct call_vec plans_next;   /* plan callers waiting for the next plan cycle */
    json_t *plan_items;           /* owned: the running plan's items */
    size_t plan_count;

    int exit_code;
    unsigned drain_ticks; /* shutdown: ticks spent waiting for the result log's uploads */
};

/* ---- Credentials and the result log (main.c) ------------------------------------------ */

/**
 * The DLF credentials in force (id, secret, token), which OSS uses too: borrowed from the
 * current configuration until it is replaced. THE one accessor a credential chain replaces.
 * @p arg is the daemon. @return 0, or -ENOKEY when there are none.
 */
int daemon_dlf_creds(void *arg, struct g2d_oss_creds *out);

/** Open the result log @p cfg describes on the daemon's engine into @p out (see
 * result_log_open_cfg()). */
int daemon_result_log_open(struct daemon *d, const struct g2d_config *cfg, struct result_log *out,
                           struct g2d_error *err);

/* ---- Small queries (status.c) --------------------------------------------------------- */

/** Loop time in ms (monotonic). Owns nothing. */
uint64_t daemon_now_ms(const struct daemon *d);
/** --dry-run or dry_run in the configuration. Owns nothing. */
bool daemon_dry_run(const struct daemon *d);
/** Stats of the last finished cycle, NULL before the first; borrowed from the sync engine,
 * valid until the next cycle finishes or the engine is freed. */
const struct g2d_cycle_stats *daemon_last_stats(const struct daemon *d);

/* ---- Status (status.c) ---------------------------------------------------------------- */

/** Send the STATUS= line for the current state to systemd. Keeps nothing. */
void status_update(struct daemon *d);
/** The 1 s status timer callback: samples request rates, refreshes STATUS= while running.
 * Its handle's data is the daemon. */
void status_on_timer(uv_timer_t *t);
/** The held deletes per state (held, approved, rejected) into @p c. Owns nothing. */
void status_held_counts(struct daemon *d, uint64_t c[3]);
/** Reply object of "status"; a new reference the caller owns (NULL on allocation failure). */
json_t *status_json(struct daemon *d);
/** Reply object of "health" (health.h) with the thresholds of @p req; a new reference the
 * caller owns (NULL on allocation failure). */
json_t *status_health_json(struct daemon *d, const struct g2d_ctl_request *req);
/** Reply object of "metrics" ({"text": Prometheus text}); a new reference the caller owns
 * (NULL on allocation failure). */
json_t *status_metrics_json(struct daemon *d);

/* ---- Metrics outside the control socket (scrape.c) ----------------------------------- */

struct metrics_http;

/** The metrics now, in the Prometheus text format or OpenMetrics, appended to @p out. */
int scrape_render(struct daemon *d, bool openmetrics, struct g2d_buf *out);
/** Start, move or close the scrape endpoint so that it matches @p cfg (borrowed for the
 * call). On failure the running endpoint, if any, stays as it was. @return 0 or -errno. */
int scrape_apply(struct daemon *d, const struct g2d_config *cfg, struct g2d_error *err);
/** Write metrics.textfile, if configured; a failure is logged and the cycle goes on. */
void scrape_write_textfile(struct daemon *d);
/** Close the scrape endpoint (shutdown). */
void scrape_stop(struct daemon *d);
/** The address the endpoint is bound to, NULL when none; borrowed until it moves. */
const char *scrape_address(const struct daemon *d);

/* ---- The report (report.c) ---------------------------------------------------------- */

/** Count one item of a sync cycle for its database (@p it borrowed for the call). */
void report_count_item(struct daemon *d, const struct g2d_item_result *it);
/** A sync cycle finished: its counts become the last ones, its stats join the history. */
void report_cycle_done(struct daemon *d, const struct g2d_cycle_stats *st);
/** Reply object of "report"; a new reference the caller owns (NULL on no memory). */
json_t *report_json(struct daemon *d);
/** Free what the report keeps (shutdown). */
void report_free(struct daemon *d);

/* ---- Cycles (cycle.c) ----------------------------------------------------------------- */

/**
 * Start a cycle now: a plan (dry run, items collected for the plan callers) or a sync
 * (full: rebuild the snapshot first; also when a full reconcile is due).
 * The sync engine keeps @p d as its callback argument until the cycle is done.
 * @return 0 or a negative errno (-EBUSY if one runs).
 */
int cycle_start(struct daemon *d, bool plan, bool full);

/** The sync engine's per-item callback; @p arg is the daemon, @p it borrowed for the call. */
void cycle_on_item(const struct g2d_item_result *it, void *arg);

/* ---- Schedule (schedule.c) ------------------------------------------------------------ */

/** Arm the schedule timer for the next cycle (no-op when --once, stopping, paused or
 * running). The timer reaches @p d through its handle's data, set at start-up. */
void schedule_next(struct daemon *d);
/** Once the engine is idle: start the queued sync, else the queued plan, else schedule. */
void schedule_after_cycle(struct daemon *d);
/** For the watchdog: false if idle, not paused or stopping, and no cycle is scheduled.
 * @p arg is the daemon. */
bool schedule_healthy(void *arg);

/* ---- Reload (reload.c) ---------------------------------------------------------------- */

/**
 * Load the config file again and switch to it. On failure the old config stays (the
 * failure is logged, @p err says why).
 * @param[out] restart  keys whose change needs a restart, a new JSON array the caller owns;
 *                      may be NULL
 * @param[out] warnings non-fatal problems, a new JSON array the caller owns; may be NULL
 * @return 0 or a negative errno
 */
int reload_config(struct daemon *d, json_t **restart, json_t **warnings, struct g2d_error *err);

/** Free the retired configurations the sync engine no longer uses (d->retired owns them). */
void reload_retire_sweep(struct daemon *d);

/* ---- Control commands (ctl_cmds.c) ---------------------------------------------------- */

/** The control server's dispatch callback; @p arg is the daemon. @p call is answered now or
 * kept in a call_vec until its cycle ends. */
void ctl_cmds_dispatch(struct ctl_call *call, void *arg);

/** Keep @p call waiting in @p cv (owned there until answered); when full it is answered
 * "busy" at once. @return true if kept. */
bool waiters_add(struct call_vec *cv, struct ctl_call *call);
/** Answer every call in @p cv with @p result (stolen: one reference each, then dropped). */
void waiters_reply_all(struct call_vec *cv, json_t *result);
/** Answer every call in @p cv with the error @p code / @p msg (both read during the call). */
void waiters_fail_all(struct call_vec *cv, const char *code, const char *msg);

/* ---- Shutdown (shutdown.c) ------------------------------------------------------------ */

/** The SIGTERM/SIGINT/SIGHUP callback; its handle's data is the daemon. */
void shutdown_on_signal(uv_signal_t *s, int signum);
/**
 * Shut down with @p exit_code: cancel the running cycle and wait for its callback, then
 * finish from a fresh loop iteration (never from inside a sync engine callback, which must
 * not free the engine).
 */
void shutdown_begin(struct daemon *d, int exit_code);
/** Close the control server, the engines, the result log and every handle (once); what
 * they owned is freed here or in their close callbacks, on the next loop iteration. */
void shutdown_finish(struct daemon *d);

#endif
