/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's metrics outside the control socket: the scrape endpoint (`metrics.listen`),
 * moved by a reload, and the node_exporter text file (`metrics.textfile`), written after
 * each cycle. Both render what `glue2dlfctl metrics` shows. See daemon.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "metrics_http.h"

/* Render the metrics as they are now; @p textfile leaves out the process_* families. */
static int render(struct daemon *d, bool openmetrics, bool textfile, struct g2d_buf *out)
{
    struct g2d_http_stats gs, ds;
    struct metrics_extra x = {0};
    struct metrics_result_oss ro;
    struct g2d_progress p;

    g2d_sync_progress(d->sync, &p);
    g2d_sync_http_stats(d->sync, &gs, &ds);
    x.glue = &gs;
    x.dlf = &ds;
    x.snapshot_items = p.snapshot_items;
    status_held_counts(d, x.held);
    x.progress = &p;
    x.paused = d->paused;
    x.openmetrics = openmetrics;
    x.textfile = textfile;
    x.now_s = (int64_t)time(NULL);
    x.process_start_s = d->started_wall_s;
    if (result_log_counters(&d->result_log, &ro))
        x.result_oss = &ro;
    return metrics_render(out, &d->metrics, &x);
}

int scrape_render(struct daemon *d, bool openmetrics, struct g2d_buf *out)
{
    return render(d, openmetrics, false, out);
}

static int on_scrape(void *arg, bool openmetrics, struct g2d_buf *out)
{
    return render(arg, openmetrics, false, out);
}

void scrape_stop(struct daemon *d)
{
    metrics_http_stop(d->scrape);
    d->scrape = NULL;
    free(d->scrape_listen);
    d->scrape_listen = NULL;
}

int scrape_apply(struct daemon *d, const struct g2d_config *cfg, struct g2d_error *err)
{
    const char *want = cfg->metrics_listen;
    struct metrics_http_opts o = {.listen = want, .render = on_scrape, .arg = d};
    struct metrics_http *next = NULL;
    char *copy;
    int r;

    if ((!want && !d->scrape_listen) ||
        (want && d->scrape_listen && strcmp(want, d->scrape_listen) == 0))
        return 0;
    if (want) {
        copy = strdup(want);
        if (!copy)
            return g2d_error_set(err, -ENOMEM, "out of memory");
        r = metrics_http_start(&next, d->loop, &o, err);
        if (r == -EADDRINUSE && d->scrape) {
            /* The old endpoint may hold that port (the same address spelt another way):
             * close it and try once more. */
            scrape_stop(d);
            g2d_error_clear(err);
            r = metrics_http_start(&next, d->loop, &o, err);
        }
        if (r < 0) {
            free(copy);
            return r;
        }
        if (want[0] == '/')
            log_info("metrics: serving /metrics on the UNIX socket '%s'", want);
        else
            log_info("metrics: serving http://%s/metrics", metrics_http_address(next));
    } else {
        copy = NULL;
        log_info("metrics: scrape endpoint closed");
    }
    metrics_http_stop(d->scrape);
    free(d->scrape_listen);
    d->scrape = next;
    d->scrape_listen = copy;
    return 0;
}

void scrape_write_textfile(struct daemon *d)
{
    const char *path = d->cfg->metrics_textfile;
    struct g2d_error err = {0};
    struct g2d_buf b;

    if (!path)
        return;
    g2d_buf_init(&b, 16u << 20);
    if (render(d, false, true, &b) < 0)
        log_warning("metrics.textfile '%s': cannot render the metrics", path);
    else if (metrics_write_textfile(path, g2d_buf_cstr(&b), b.len, &err) < 0)
        log_warning("%s", err.msg);
    g2d_buf_done(&b);
}

const char *scrape_address(const struct daemon *d)
{
    return d->scrape ? metrics_http_address(d->scrape) : NULL;
}
