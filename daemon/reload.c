/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's reload, the same for SIGHUP and `glue2dlfctl reload`: load the file again,
 * hand the new config to the sync engine (which rebuilds its snapshot if the scope
 * changed), tell which fixed settings would need a restart, reopen the result log, retire
 * the old config once no cycle uses it, and reschedule. See daemon.h.
 */
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "log.h"
#include "notify.h"

void reload_retire_sweep(struct daemon *d)
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

/* Load the file and give it to the sync engine. @return 0 with *out owned, or an error. */
static int load_and_apply(struct daemon *d, struct g2d_config **out, struct g2d_error *err)
{
    struct g2d_config *cfg = NULL;
    int r;

    *out = NULL;
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
        return r;
    }
    *out = cfg;
    return 0;
}

/* Reopen the result log (also what log rotation needs); on failure keep the old one. */
static void reopen_result_log(struct daemon *d, const struct g2d_config *cfg, json_t *warn)
{
    struct g2d_error ferr = {0};
    struct result_log next;

    if (result_log_same(&d->result_log, cfg))
        return;
    if (d->result_log.mode == RESULT_LOG_OSS)
        result_log_close(&d->result_log); /* one uploader per spool at a time */
    if (daemon_result_log_open(d, cfg, &next, &ferr) < 0) {
        log_warning("reload: %s; keeping the previous result log", ferr.msg);
        json_array_append_new(warn, g2d_ctl_json_string(ferr.msg));
        return;
    }
    result_log_close(&d->result_log);
    d->result_log = next;
}

/* Move the scrape endpoint to metrics.listen; on failure say so (and why). */
static void move_scrape(struct daemon *d, const struct g2d_config *cfg, json_t *warn)
{
    struct g2d_error ferr = {0};

    if (scrape_apply(d, cfg, &ferr) < 0) {
        log_warning("reload: %s; %s", ferr.msg,
                    scrape_address(d) ? "the scrape endpoint stays where it was"
                                      : "no scrape endpoint");
        json_array_append_new(warn, g2d_ctl_json_string(ferr.msg));
    }
}

/* Make @p cfg current; the old one waits among the retired until no cycle uses it. */
static void switch_config(struct daemon *d, struct g2d_config *cfg)
{
    if (d->nretired == MAX_RETIRED) {
        /* Cannot happen (at most one retired config is in use), but never leak. */
        reload_retire_sweep(d);
    }
    if (d->nretired < MAX_RETIRED)
        d->retired[d->nretired++] = d->cfg;
    else
        g2d_config_free(d->cfg);
    d->cfg = cfg;
    reload_retire_sweep(d);
}

static void log_restart_keys(const json_t *rr)
{
    char keys[256] = "";

    if (json_array_size(rr) == 0)
        return;
    for (size_t i = 0; i < json_array_size(rr); i++) {
        if (i)
            strncat(keys, ", ", sizeof(keys) - strlen(keys) - 1);
        strncat(keys, json_string_value(json_array_get(rr, i)), sizeof(keys) - strlen(keys) - 1);
    }
    log_warning("reload: changes to %s take effect only after a restart", keys);
}

static void hand_out(json_t **out, json_t *arr)
{
    if (out)
        *out = arr;
    else
        json_decref(arr);
}

int reload_config(struct daemon *d, json_t **restart, json_t **warnings, struct g2d_error *err)
{
    struct log_field fl[] = {{"GLUE2DLF_CONFIG", d->config_path}};
    struct g2d_config *cfg;
    json_t *rr, *warn;
    int r;

    notify_reloading();
    log_info("reloading configuration from '%s'", d->config_path);
    r = load_and_apply(d, &cfg, err);
    if (r < 0) {
        notify_ready();
        return r;
    }
    rr = json_array();
    warn = json_array();
    /* Under memory pressure the list may come out short: only a warning is lost. */
    if (rr)
        (void)fixed_settings_changes(&d->fixed, cfg, rr);
    log_set_level(cfg->log_level);
    reopen_result_log(d, cfg, warn);
    move_scrape(d, cfg, warn);
    switch_config(d, cfg);
    log_restart_keys(rr);
    log_fields(LOG_INFO, LOG_MID_RELOAD_OK, fl, 1, "configuration reloaded from '%s'",
               d->config_path);
    if (!d->running) {
        (void)uv_timer_stop(&d->sched_timer);
        schedule_next(d);
    }
    status_update(d);
    notify_ready();
    hand_out(restart, rr);
    hand_out(warnings, warn);
    return 0;
}
