/* SPDX-License-Identifier: MIT */
/* The daemon's metrics. See metrics.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "glue2dlf/version.h"

#include "metrics.h"
#include "render.h"

static const char *const outcome_names[METRIC_NOUT] = {"success", "failed", "held", "planned"};
static const char *const cycle_names[METRIC_NCYC] = {"ok", "partial", "failed", "cancelled"};

void metrics_count_item(struct metrics *m, const struct g2d_item_result *it)
{
    unsigned o;

    if ((unsigned)it->type >= 4 || (unsigned)it->diff >= 3)
        return;
    if (it->held)
        o = METRIC_OUT_HELD;
    else if (it->dry_run)
        o = METRIC_OUT_PLANNED;
    else if (it->success)
        o = METRIC_OUT_SUCCESS;
    else
        o = METRIC_OUT_FAILED;
    m->items[it->type][it->diff][o]++;
}

void metrics_count_cycle(struct metrics *m, const struct g2d_cycle_stats *st)
{
    const char *oc = cycle_outcome(st);

    m->cycles_total++;
    for (unsigned i = 0; i < METRIC_NCYC; i++)
        if (strcmp(oc, cycle_names[i]) == 0)
            m->cycles[i]++;
    m->have_last = true;
    m->last_duration_s =
        st->finished_ms > st->started_ms ? (double)(st->finished_ms - st->started_ms) / 1000.0 : 0;
    if (st->status == 0 && !st->cancelled)
        m->last_success_s = st->finished_ms / 1000;
    if (st->status == 0 && !st->cancelled && st->failed == 0 && !st->dry_run)
        m->last_clean_start_s = st->started_ms / 1000;
    if (!st->dry_run)
        m->last_held = st->held;
    m->glue_requests += st->glue_requests;
    m->dlf_requests += st->dlf_requests;
}

/* ---- Output --------------------------------------------------------------------------- */

struct mo {
    struct g2d_buf *b;
    bool om; /* OpenMetrics */
    int r;   /* first error */
};

static void put(struct mo *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct mo *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    if (o->r)
        return;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        o->r = -EOVERFLOW;
        return;
    }
    o->r = g2d_buf_printf(o->b, "%s", tmp);
}

/* HELP and TYPE of one family. In OpenMetrics a counter's family drops the "_total" of its
 * samples and an "info" family the "_info"; the 0.0.4 text format names the samples and
 * has no "info" type (a gauge of 1). */
static void head(struct mo *o, const char *name, const char *type, const char *help)
{
    size_t n = strlen(name);

    if (o->om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
        n -= 6;
    else if (o->om && !strcmp(type, "info") && n > 5 && !strcmp(name + n - 5, "_info"))
        n -= 5;
    else if (!o->om && !strcmp(type, "info"))
        type = "gauge";
    put(o, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

static void gauge1(struct mo *o, const char *name, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void gauge1(struct mo *o, const char *name, const char *help, const char *fmt, ...)
{
    char v[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    head(o, name, "gauge", help);
    put(o, "%s %s\n", name, v);
}

/* ---- The families --------------------------------------------------------------------- */

static void render_cycles(struct mo *o, const struct metrics *m, const struct metrics_extra *x)
{
    head(o, "glue2dlf_build_info", "info", "The running glue2dlfd's version.");
    put(o, "glue2dlf_build_info{version=\"%s\"} 1\n", G2D_VERSION);
    head(o, "glue2dlf_cycles_total", "counter", "Sync cycles finished, by outcome.");
    for (unsigned i = 0; i < METRIC_NCYC; i++)
        put(o, "glue2dlf_cycles_total{outcome=\"%s\"} %" PRIu64 "\n", cycle_names[i], m->cycles[i]);
    head(o, "glue2dlf_items_total", "counter",
         "Items acted on, by object type, diff result and outcome.");
    for (unsigned t = 0; t < 4; t++)
        for (unsigned d = 0; d < 3; d++)
            for (unsigned k = 0; k < METRIC_NOUT; k++)
                put(o, "glue2dlf_items_total{type=\"%s\",diff=\"%s\",outcome=\"%s\"} %" PRIu64 "\n",
                    render_item_type(t), render_diff(d), outcome_names[k], m->items[t][d][k]);
    if (m->have_last)
        gauge1(o, "glue2dlf_last_cycle_duration_seconds", "Wall time of the last finished cycle.",
               "%.3f", m->last_duration_s);
    if (m->last_success_s > 0)
        gauge1(o, "glue2dlf_last_cycle_success_timestamp_seconds",
               "Unix time at which the last cycle that ran as a whole finished.", "%" PRId64,
               m->last_success_s);
    if (m->last_clean_start_s > 0 && x->now_s >= m->last_clean_start_s)
        gauge1(o, "glue2dlf_replication_lag_seconds",
               "Estimated age of the oldest Glue change not yet in DLF: now minus the start of "
               "the last cycle that finished without a failure.",
               "%" PRId64, x->now_s - m->last_clean_start_s);
    gauge1(o, "glue2dlf_held_deletes", "Deletes held by the delete guards in the last cycle.",
           "%" PRIu64, m->last_held);
}

/* One line per side of a g2d_http_stats field. */
struct http_family {
    const char *name, *type, *help;
    size_t off;
    int kind; /* 0 uint64_t, 1 unsigned, 2 double */
};

#define HF(n, t, h, f, k)                                                                          \
    {                                                                                              \
        n, t, h, offsetof(struct g2d_http_stats, f), k                                             \
    }
static const struct http_family http_families[] = {
    HF("glue2dlf_http_attempts_total", "counter", "HTTP attempts started.", attempts, 0),
    HF("glue2dlf_http_retries_total", "counter", "HTTP attempts beyond the first.", retries, 0),
    HF("glue2dlf_http_throttled_total", "counter", "HTTP responses classified as throttling.",
       throttled, 0),
    HF("glue2dlf_http_resends_total", "counter",
       "Attempts sent again, signed anew, because the connection died before any answer.", resends,
       0),
    HF("glue2dlf_http_failures_total", "counter",
       "HTTP requests that ended in failure after their retries.", failures, 0),
    HF("glue2dlf_http_received_bytes_total", "counter", "Response body bytes received.", bytes_in,
       0),
    HF("glue2dlf_http_sent_bytes_total", "counter", "Request body bytes sent.", bytes_out, 0),
    HF("glue2dlf_http_in_flight_requests", "gauge", "Transfers running now.", in_flight, 1),
    HF("glue2dlf_http_queued_requests", "gauge",
       "Requests waiting for a slot, a rate token or a backoff timer.", queued, 1),
    HF("glue2dlf_http_concurrency_limit", "gauge", "Effective concurrency limit in force.",
       concurrency, 1),
    HF("glue2dlf_http_rate_limit_requests_per_second", "gauge",
       "Request rate limit in force (configured or learnt from throttling); 0 = none.", rate_limit,
       2),
};

static void http_line(struct mo *o, const struct http_family *f, const char *side,
                      const struct g2d_http_stats *s)
{
    const char *p = (const char *)s + f->off;

    if (f->kind == 0)
        put(o, "%s{side=\"%s\"} %" PRIu64 "\n", f->name, side, *(const uint64_t *)p);
    else if (f->kind == 1)
        put(o, "%s{side=\"%s\"} %u\n", f->name, side, *(const unsigned *)p);
    else
        put(o, "%s{side=\"%s\"} %g\n", f->name, side, *(const double *)p);
}

/* Per operation: requests, answers by status class and error-code family, retries,
 * throttles, and the attempt latency histogram. */
static void api_counts(struct mo *o, const char *side, const struct g2d_http_stats *s,
                       unsigned which)
{
    for (unsigned i = 0; i < s->napis; i++) {
        const struct g2d_http_api_stats *a = &s->apis[i];

        if (which == 0) {
            put(o,
                "glue2dlf_http_api_requests_total{side=\"%s\",api=\"%s\",outcome=\"ok\"} %" PRIu64
                "\n",
                side, a->name, a->requests_ok);
            put(o,
                "glue2dlf_http_api_requests_total{side=\"%s\",api=\"%s\",outcome=\"failed\"} "
                "%" PRIu64 "\n",
                side, a->name, a->requests_failed);
        } else if (which == 1) {
            for (unsigned c = 0; c < G2D_HTTP_NCLASS; c++)
                for (unsigned f = 0; f < G2D_HTTP_NCODE; f++)
                    if (a->answers[c][f])
                        put(o,
                            "glue2dlf_http_api_answers_total{side=\"%s\",api=\"%s\",status=\"%s\","
                            "code=\"%s\"} %" PRIu64 "\n",
                            side, a->name, g2d_http_class_name(c), g2d_http_code_family_name(f),
                            a->answers[c][f]);
        } else {
            put(o, "glue2dlf_http_api_%s_total{side=\"%s\",api=\"%s\"} %" PRIu64 "\n",
                which == 2 ? "retries" : "throttled", side, a->name,
                which == 2 ? a->retries : a->throttled);
        }
    }
}

static void api_latency(struct mo *o, const char *side, const struct g2d_http_stats *s)
{
    static const char N[] = "glue2dlf_http_attempt_duration_seconds";

    for (unsigned i = 0; i < s->napis; i++) {
        const struct g2d_http_api_stats *a = &s->apis[i];
        uint64_t cum = 0;

        for (unsigned b = 0; b < G2D_HTTP_LATENCY_BUCKETS; b++) {
            cum += a->latency[b];
            if (b + 1 < G2D_HTTP_LATENCY_BUCKETS)
                put(o, "%s_bucket{side=\"%s\",api=\"%s\",le=\"%g\"} %" PRIu64 "\n", N, side,
                    a->name, g2d_http_latency_bounds[b], cum);
            else
                put(o, "%s_bucket{side=\"%s\",api=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", N, side,
                    a->name, cum);
        }
        put(o, "%s_sum{side=\"%s\",api=\"%s\"} %.6f\n", N, side, a->name, a->latency_sum);
        put(o, "%s_count{side=\"%s\",api=\"%s\"} %" PRIu64 "\n", N, side, a->name, cum);
    }
}

static void render_apis(struct mo *o, const struct metrics_extra *x)
{
    static const struct {
        const char *name, *help;
    } fam[] = {
        {"glue2dlf_http_api_requests_total", "HTTP requests completed, by operation and outcome."},
        {"glue2dlf_http_api_answers_total",
         "HTTP attempts by operation, status class (none: no answer) and error-code family."},
        {"glue2dlf_http_api_retries_total", "HTTP attempts beyond the first, by operation."},
        {"glue2dlf_http_api_throttled_total", "Throttled HTTP answers, by operation."},
    };

    if (!x->glue->napis && !x->dlf->napis)
        return;
    for (unsigned f = 0; f < 4; f++) {
        head(o, fam[f].name, "counter", fam[f].help);
        api_counts(o, "glue", x->glue, f);
        api_counts(o, "dlf", x->dlf, f);
    }
    head(o, "glue2dlf_http_attempt_duration_seconds", "histogram",
         "Duration of HTTP attempts (connect to last byte), by operation.");
    api_latency(o, "glue", x->glue);
    api_latency(o, "dlf", x->dlf);
}

static void render_http(struct mo *o, const struct metrics *m, const struct metrics_extra *x)
{
    head(o, "glue2dlf_http_requests_total", "counter", "HTTP requests completed, per side.");
    put(o, "glue2dlf_http_requests_total{side=\"glue\"} %" PRIu64 "\n",
        x->glue ? x->glue->requests : m->glue_requests);
    put(o, "glue2dlf_http_requests_total{side=\"dlf\"} %" PRIu64 "\n",
        x->dlf ? x->dlf->requests : m->dlf_requests);
    if (!x->glue || !x->dlf)
        return;
    for (size_t i = 0; i < sizeof(http_families) / sizeof(http_families[0]); i++) {
        head(o, http_families[i].name, http_families[i].type, http_families[i].help);
        http_line(o, &http_families[i], "glue", x->glue);
        http_line(o, &http_families[i], "dlf", x->dlf);
    }
    render_apis(o, x);
}

static void render_progress(struct mo *o, const struct metrics_extra *x)
{
    static const char *const phases[] = {"idle", "snapshot", "extract", "load"};
    const struct g2d_progress *p = x->progress;
    unsigned cur = p ? (unsigned)p->phase : 0;

    gauge1(o, "glue2dlf_snapshot_items", "Objects in the in-memory snapshot of DLF.", "%" PRIu64,
           x->snapshot_items);
    if (p)
        gauge1(o, "glue2dlf_snapshot_bytes", "Memory held by the snapshot of DLF.", "%zu",
               p->snapshot_bytes);
    gauge1(o, "glue2dlf_paused", "1 while scheduled cycles are paused.", "%d", x->paused ? 1 : 0);
    head(o, "glue2dlf_held_delete_records", "gauge",
         "Held deletes listed by glue2dlfctl held, per state.");
    for (unsigned i = 0; i < 3; i++)
        put(o, "glue2dlf_held_delete_records{state=\"%s\"} %" PRIu64 "\n",
            (const char *const[]){"held", "approved", "rejected"}[i], x->held[i]);
    head(o, "glue2dlf_cycle_phase", "gauge", "1 for the phase the daemon is in.");
    for (unsigned i = 0; i < 4; i++)
        put(o, "glue2dlf_cycle_phase{phase=\"%s\"} %d\n", phases[i], i == cur ? 1 : 0);
    if (!p || p->phase == G2D_PHASE_IDLE)
        return;
    gauge1(o, "glue2dlf_cycle_databases_done", "Databases finished in the running cycle.",
           "%" PRIu64, p->databases_done);
    gauge1(o, "glue2dlf_cycle_databases_total", "Databases in scope of the running cycle.",
           "%" PRIu64, p->databases_total);
    gauge1(o, "glue2dlf_cycle_tables_done", "Tables finished in the running cycle.", "%" PRIu64,
           p->tables_done);
    gauge1(o, "glue2dlf_cycle_tables_total", "Tables known to the running cycle.", "%" PRIu64,
           p->tables_total);
    gauge1(o, "glue2dlf_cycle_objects_seen", "Glue objects read in the running cycle.", "%" PRIu64,
           p->items_seen);
    gauge1(o, "glue2dlf_cycle_writes_done", "DLF writes finished in the running cycle.", "%" PRIu64,
           p->writes_done);
    gauge1(o, "glue2dlf_cycle_writes_queued", "DLF writes waiting in the running cycle.",
           "%" PRIu64, p->writes_queued);
}

/* The OSS result log's spool and uploads. */
static void render_result_oss(struct mo *o, const struct metrics_result_oss *r)
{
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } f[] = {
        {"glue2dlf_result_spool_bytes", "gauge", "Bytes of result lines waiting in the spool.",
         offsetof(struct metrics_result_oss, spool_bytes)},
        {"glue2dlf_result_pending_parts", "gauge", "Result parts waiting for upload to OSS.",
         offsetof(struct metrics_result_oss, pending_parts)},
        {"glue2dlf_result_uploaded_parts_total", "counter", "Result parts uploaded to OSS.",
         offsetof(struct metrics_result_oss, uploaded_parts)},
        {"glue2dlf_result_upload_failures_total", "counter",
         "Result part uploads that failed (retried later).",
         offsetof(struct metrics_result_oss, upload_failures)},
        {"glue2dlf_result_dropped_lines_total", "counter",
         "Result lines dropped because the spool was full.",
         offsetof(struct metrics_result_oss, dropped_lines)},
    };

    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        head(o, f[i].name, f[i].type, f[i].help);
        put(o, "%s %" PRIu64 "\n", f[i].name, *(const uint64_t *)((const char *)r + f[i].off));
    }
    gauge1(o, "glue2dlf_result_spool_full",
           "1 while the result spool is full and new lines are dropped.", "%d",
           r->spool_full ? 1 : 0);
}

/* The usual process_* families (Prometheus client conventions), from /proc/self. */
static void render_process(struct mo *o, const struct metrics_extra *x)
{
    unsigned long utime = 0, stime = 0, vsize = 0;
    long rss = 0, tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    struct rlimit rl;
    unsigned nfd = 0;
    char line[1024], *p;
    FILE *f = fopen("/proc/self/stat", "re");
    DIR *dir;
    struct dirent *e;

    if (f) {
        p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
        /* after "pid (comm)": field 3 is state; utime 14, stime 15, vsize 23, rss 24 */
        if (!p || sscanf(p + 2,
                         "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d "
                         "%*d %*d %*u %lu %ld",
                         &utime, &stime, &vsize, &rss) != 4)
            utime = stime = vsize = 0, rss = 0;
        fclose(f);
    }
    if ((dir = opendir("/proc/self/fd"))) {
        while ((e = readdir(dir)))
            nfd += e->d_name[0] != '.';
        closedir(dir);
        nfd--; /* the directory stream's own descriptor */
    }
    head(o, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent.");
    put(o, "process_cpu_seconds_total %.2f\n", tck > 0 ? (double)(utime + stime) / tck : 0.0);
    gauge1(o, "process_resident_memory_bytes", "Resident memory size in bytes.", "%ld",
           rss * (page > 0 ? page : 4096));
    gauge1(o, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "%lu", vsize);
    gauge1(o, "process_open_fds", "Number of open file descriptors.", "%u", nfd);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        gauge1(o, "process_max_fds", "Maximum number of open file descriptors.", "%llu",
               (unsigned long long)rl.rlim_cur);
    if (x->process_start_s > 0)
        gauge1(o, "process_start_time_seconds", "Start time of the process since the epoch.",
               "%" PRId64, x->process_start_s);
}

int metrics_render(struct g2d_buf *out, const struct metrics *m, const struct metrics_extra *x)
{
    struct mo o = {out, x->openmetrics, 0};

    render_cycles(&o, m, x);
    render_http(&o, m, x);
    render_progress(&o, x);
    if (x->result_oss)
        render_result_oss(&o, x->result_oss);
    if (!x->textfile)
        render_process(&o, x);
    if (o.om)
        put(&o, "# EOF\n");
    return o.r;
}
