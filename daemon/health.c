/* SPDX-License-Identifier: MIT */
/* The "health" check of glue2dlfd. See health.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/ctlproto.h"

#include "health.h"
#include "render.h"

#define MIN_MAX_RUNNING_S 3600

int64_t health_default_max_running_s(uint64_t interval_ms)
{
    int64_t s = (int64_t)(interval_ms / 1000) * 4;

    return s > MIN_MAX_RUNNING_S ? s : MIN_MAX_RUNNING_S;
}

/* "45s", "2m05s", "3h10m". */
static void fmt_dur(char *buf, size_t n, int64_t s)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, n, "%" PRId64 "s", s);
    else if (s < 3600)
        snprintf(buf, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    else
        snprintf(buf, n, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
}

/* Seconds from @p then to @p now (both ms), 0 if @p then is later. */
static int64_t age_s(uint64_t now, uint64_t then)
{
    return now > then ? (int64_t)((now - then) / 1000) : 0;
}

struct health_ctx {
    const struct health_input *in;
    int64_t max_age, max_running;
    json_t *problems;
    int err;
};

static void problem(struct health_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct health_ctx *c, const char *fmt, ...)
{
    char msg[320];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (json_array_append_new(c->problems, g2d_ctl_json_string(msg)) < 0)
        c->err = -1;
}

/* The last sync cycle: failed, partial, cancelled, held deletes. */
static void check_last(struct health_ctx *c)
{
    const struct g2d_cycle_stats *st = c->in->last;

    if (!st)
        return;
    if (st->status < 0)
        problem(c, "last cycle %" PRIu64 " failed: %.160s", st->cycle_id, st->error);
    else if (st->cancelled)
        problem(c, "last cycle %" PRIu64 " was cancelled", st->cycle_id);
    if (st->status == 0 && st->failed)
        problem(c, "last cycle %" PRIu64 ": %" PRIu64 " item%s failed", st->cycle_id, st->failed,
                st->failed == 1 ? "" : "s");
    if (st->held)
        problem(c, "last cycle %" PRIu64 ": %" PRIu64 " delete%s held by the delete guard",
                st->cycle_id, st->held, st->held == 1 ? "" : "s");
}

/* True when more than @p limit_s seconds lie between @p then and @p now (ms). */
static bool older(uint64_t now, uint64_t then, int64_t limit_s)
{
    return now > then && now - then > (uint64_t)limit_s * 1000;
}

/* Stuck and stale. */
static void check_times(struct health_ctx *c)
{
    const struct health_input *in = c->in;
    char a[32], b[32];

    if (in->running && older(in->now_ms, in->running_since_ms, c->max_running)) {
        fmt_dur(a, sizeof(a), age_s(in->now_ms, in->running_since_ms));
        fmt_dur(b, sizeof(b), c->max_running);
        problem(c, "stuck: cycle %" PRIu64 " running for %s (max %s)", in->running_cycle_id, a, b);
    }
    fmt_dur(b, sizeof(b), c->max_age);
    if (in->last_ok_ms) {
        if (older(in->now_ms, in->last_ok_ms, c->max_age)) {
            fmt_dur(a, sizeof(a), age_s(in->now_ms, in->last_ok_ms));
            problem(c, "stale: last good cycle %" PRIu64 " finished %s ago (max %s)",
                    in->last_ok_id, a, b);
        }
    } else if (older(in->now_ms, in->started_ms, c->max_age)) {
        fmt_dur(a, sizeof(a), age_s(in->now_ms, in->started_ms));
        problem(c, "stale: no good cycle in the %s since start-up (max %s)", a, b);
    }
}

/* The part of the message every answer ends with: what the daemon is doing. */
static int state_text(struct g2d_buf *m, const struct health_input *in)
{
    char a[32];

    if (in->stopping)
        return g2d_buf_puts(m, "stopping");
    if (in->running) {
        fmt_dur(a, sizeof(a), age_s(in->now_ms, in->running_since_ms));
        return g2d_buf_printf(m, "cycle %" PRIu64 " running for %s%s", in->running_cycle_id, a,
                              in->paused ? ", paused" : "");
    }
    return g2d_buf_puts(m, in->paused ? "paused" : "idle");
}

static int message(struct g2d_buf *m, const struct health_ctx *c)
{
    const struct health_input *in = c->in;
    size_t i;
    json_t *p;
    char a[32];
    int r = 0;

    json_array_foreach(c->problems, i, p)
    {
        r = g2d_buf_printf(m, "%s%s", i ? "; " : "", json_string_value(p));
        if (r < 0)
            return r;
    }
    if (json_array_size(c->problems) == 0) {
        if (in->last) {
            fmt_dur(a, sizeof(a), age_s(in->now_ms, in->last_done_ms));
            r = g2d_buf_printf(m, "last cycle %" PRIu64 " ok %s ago", in->last->cycle_id, a);
        } else {
            fmt_dur(a, sizeof(a), age_s(in->now_ms, in->started_ms));
            r = g2d_buf_printf(m, "no cycle finished yet (up %s)", a);
        }
    }
    if (r == 0)
        r = g2d_buf_puts(m, "; ");
    return r < 0 ? r : state_text(m, in);
}

static json_t *ms_or_null(bool have, int64_t v)
{
    return have ? json_integer(v) : json_null();
}

json_t *health_json(const struct health_input *in)
{
    struct health_ctx c = {.in = in, .problems = json_array()};
    const struct g2d_cycle_stats *st = in->last;
    struct g2d_buf m;
    json_t *o = NULL;

    c.max_running =
        in->max_running_s > 0 ? in->max_running_s : health_default_max_running_s(in->interval_ms);
    c.max_age = in->max_age_s > 0
                    ? in->max_age_s
                    : 2 * (int64_t)((in->interval_ms + in->jitter_ms) / 1000) + c.max_running;
    if (!c.problems)
        return NULL;
    if (in->stopping)
        problem(&c, "the daemon is shutting down");
    check_last(&c);
    check_times(&c);
    g2d_buf_init(&m, 8192);
    if (!c.err && message(&m, &c) == 0)
        o = json_pack(
            "{s:b, s:o, s:O, s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:o, s:o, s:o}", "healthy",
            json_array_size(c.problems) == 0, "message", g2d_ctl_json_string(g2d_buf_cstr(&m)),
            "problems", c.problems, "state",
            in->stopping  ? "stopping"
            : in->running ? "running"
            : in->paused  ? "paused"
                          : "idle",
            "max_age_s", (json_int_t)c.max_age, "max_running_s", (json_int_t)c.max_running,
            "last_cycle_id", ms_or_null(st, st ? (int64_t)st->cycle_id : 0), "last_outcome",
            st ? json_string(cycle_outcome(st)) : json_null(), "failed",
            (json_int_t)(st ? st->failed : 0), "held", (json_int_t)(st ? st->held : 0),
            "last_ok_cycle_id", ms_or_null(in->last_ok_ms, (int64_t)in->last_ok_id),
            "last_ok_age_s", ms_or_null(in->last_ok_ms, age_s(in->now_ms, in->last_ok_ms)),
            "running_s", ms_or_null(in->running, age_s(in->now_ms, in->running_since_ms)));
    g2d_buf_done(&m);
    json_decref(c.problems);
    return o;
}
