/* SPDX-License-Identifier: MIT */
/*
 * Signals and the graceful shutdown of glue2dlfd. SIGTERM/SIGINT stop gracefully (the
 * running cycle is cancelled; in-flight writes finish and are recorded; then every handle
 * is closed so that uv_loop_close() succeeds); a second one abandons in-flight work at
 * once. SIGHUP reloads, like `glue2dlfctl reload`. See daemon.h.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "log.h"
#include "notify.h"

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void shutdown_finish(struct daemon *d)
{
    if (d->finishing)
        return;
    d->finishing = true;
    waiters_fail_all(&d->waiters_cur, G2D_CTL_E_STOPPING, "the daemon is shutting down");
    waiters_fail_all(&d->plans_cur, G2D_CTL_E_STOPPING, "the daemon is shutting down");
    result_log_close(&d->result_log);
    ctl_server_close(d->ctl, NULL, NULL);
    d->ctl = NULL;
    scrape_stop(d);
    report_free(d);
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

#define DRAIN_TICK_MS 100
#define DRAIN_MAX_TICKS 100 /* 10 s for the result log's last uploads */

static void on_finish_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;
    size_t left = result_log_pending(&d->result_log);

    if (left && d->drain_ticks == 0)
        log_info("stopping: waiting up to %u s for %zu result part(s) to reach OSS",
                 DRAIN_TICK_MS * DRAIN_MAX_TICKS / 1000, left);
    if (left && d->drain_ticks++ < DRAIN_MAX_TICKS) {
        (void)uv_timer_start(&d->sched_timer, on_finish_timer, DRAIN_TICK_MS, 0);
        return;
    }
    if (left)
        log_warning("stopping: %zu result part(s) not uploaded yet stay in the spool; the next "
                    "start uploads them",
                    left);
    shutdown_finish(d);
}

void shutdown_begin(struct daemon *d, int exit_code)
{
    d->exit_code = exit_code;
    if (!d->stopping) {
        d->stopping = true;
        notify_stopping();
        (void)uv_timer_stop(&d->sched_timer);
        waiters_fail_all(&d->waiters_next, G2D_CTL_E_STOPPING, "the daemon is shutting down");
        waiters_fail_all(&d->plans_next, G2D_CTL_E_STOPPING, "the daemon is shutting down");
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

void shutdown_on_signal(uv_signal_t *s, int signum)
{
    struct daemon *d = s->data;

    if (signum == SIGHUP) {
        struct g2d_error err = {0};

        if (d->stopping)
            return;
        (void)reload_config(d, NULL, NULL, &err);
        return;
    }
    if (d->stopping) {
        log_warning("second SIG%s: abandoning in-flight work and exiting now",
                    sigabbrev_np(signum));
        result_log_flush(&d->result_log);
        exit(1);
    }
    log_info("SIG%s received, shutting down", sigabbrev_np(signum));
    shutdown_begin(d, d->once ? 1 : 0);
}
