/* SPDX-License-Identifier: MIT */
/* What glue2dlfctl prints for a reply. See output.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "output.h"

static const char *prog = "glue2dlfctl";

static json_int_t geti(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *gets_(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static void kv(FILE *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void kv(FILE *out, const char *key, const char *fmt, ...)
{
    va_list ap;
    char k[64];

    snprintf(k, sizeof(k), "%s:", key);
    fprintf(out, "%-16s", k);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

void output_duration(char *buf, size_t n, int64_t ms)
{
    int64_t s = ms / 1000;

    if (ms < 10000)
        snprintf(buf, n, "%.1fs", (double)ms / 1000.0);
    else if (s < 3600)
        snprintf(buf, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    else
        snprintf(buf, n, "%" PRId64 "h%02" PRId64 "m%02" PRId64 "s", s / 3600, s / 60 % 60, s % 60);
}

static void print_cycle_line(FILE *out, const json_t *st)
{
    char dur[32];

    output_duration(dur, sizeof(dur), geti(st, "duration_ms"));
    if (geti(st, "status") < 0) {
        fprintf(out, "cycle %" JSON_INTEGER_FORMAT " failed after %s: %s\n", geti(st, "cycle_id"),
                dur, gets_(st, "error"));
        return;
    }
    fprintf(out,
            "cycle %" JSON_INTEGER_FORMAT " %s%s in %s: %" JSON_INTEGER_FORMAT
            " seen, %" JSON_INTEGER_FORMAT " unchanged, %" JSON_INTEGER_FORMAT
            " created, %" JSON_INTEGER_FORMAT " updated, %" JSON_INTEGER_FORMAT
            " deleted, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " held\n",
            geti(st, "cycle_id"), gets_(st, "outcome"),
            json_is_true(json_object_get(st, "dry_run")) ? " (dry run)" : "", dur, geti(st, "seen"),
            geti(st, "unchanged"), geti(st, "created"), geti(st, "updated"), geti(st, "deleted"),
            geti(st, "failed"), geti(st, "held"));
}

static void print_http(FILE *out, const char *key, const json_t *h)
{
    if (!json_is_object(h)) {
        kv(out, key, "n/a");
        return;
    }
    kv(out, key,
       "%" JSON_INTEGER_FORMAT " requests, %" JSON_INTEGER_FORMAT " retries, %" JSON_INTEGER_FORMAT
       " throttled, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT
       " in flight, %" JSON_INTEGER_FORMAT " queued, concurrency %" JSON_INTEGER_FORMAT,
       geti(h, "requests"), geti(h, "retries"), geti(h, "throttled"), geti(h, "failures"),
       geti(h, "in_flight"), geti(h, "queued"), geti(h, "concurrency"));
}

/* The running cycle: progress, items, ETA. */
static void print_running(FILE *out, const json_t *r, const json_t *p)
{
    char buf[64];

    kv(out, "cycle", "%" JSON_INTEGER_FORMAT, geti(p, "cycle_id"));
    kv(out, "progress",
       "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT " databases, %" JSON_INTEGER_FORMAT
       "/%" JSON_INTEGER_FORMAT " tables, %" JSON_INTEGER_FORMAT
       " items seen, %" JSON_INTEGER_FORMAT " writes done, %" JSON_INTEGER_FORMAT " queued",
       geti(p, "databases_done"), geti(p, "databases_total"), geti(p, "tables_done"),
       geti(p, "tables_total"), geti(p, "items_seen"), geti(p, "writes_done"),
       geti(p, "writes_queued"));
    if (strcmp(gets_(p, "phase"), "snapshot") == 0)
        kv(out, "snapshot",
           "%" JSON_INTEGER_FORMAT " objects listed from DLF, %" JSON_INTEGER_FORMAT
           "/%" JSON_INTEGER_FORMAT " listings",
           geti(p, "snapshot_items"), geti(p, "snapshot_listings_done"),
           geti(p, "snapshot_listings_total"));
    kv(out, "items",
       "%.0f/s, %" JSON_INTEGER_FORMAT " failed and %" JSON_INTEGER_FORMAT " held so far",
       json_number_value(json_object_get(r, "items_per_s")), geti(r, "cycle_failed"),
       geti(r, "cycle_held"));
    if (json_is_integer(json_object_get(r, "eta_ms"))) {
        output_duration(buf, sizeof(buf), geti(r, "eta_ms"));
        kv(out, "eta", "%s", buf);
    } else {
        kv(out, "eta", "estimating");
    }
}

static void print_creds(FILE *out, const json_t *c)
{
    static const char *const side[2] = {"glue", "dlf"};

    for (int i = 0; i < 2; i++) {
        const json_t *s = json_object_get(c, side[i]);
        char key[32];

        if (!json_is_object(s))
            continue;
        snprintf(key, sizeof(key), "%s credentials", side[i]);
        kv(out, key, "%s", gets_(s, "source"));
        if (json_is_string(json_object_get(s, "error")))
            kv(out, "  refresh failing", "%s", gets_(s, "error"));
    }
}

static void print_status(FILE *out, const json_t *r)
{
    const json_t *p = json_object_get(r, "progress"), *last = json_object_get(r, "last_cycle");
    const json_t *next = json_object_get(r, "next_cycle_in_ms");
    char buf[64];

    kv(out, "state", "%s", gets_(r, "state"));
    kv(out, "paused", "%s", json_is_true(json_object_get(r, "paused")) ? "yes" : "no");
    if (json_is_true(json_object_get(r, "dry_run")))
        kv(out, "dry run", "yes");
    kv(out, "version", "%s", gets_(r, "version"));
    kv(out, "pid", "%" JSON_INTEGER_FORMAT, geti(r, "pid"));
    kv(out, "config", "%s", gets_(r, "config"));
    if (json_is_string(json_object_get(r, "metrics_listen")))
        kv(out, "metrics", "%s", gets_(r, "metrics_listen"));
    output_duration(buf, sizeof(buf), geti(r, "uptime_s") * 1000);
    kv(out, "uptime", "%s", buf);
    kv(out, "phase", "%s", gets_(r, "phase"));
    if (json_is_integer(next)) {
        output_duration(buf, sizeof(buf), json_integer_value(next));
        kv(out, "next cycle in", "%s", buf);
    } else {
        kv(out, "next cycle in", "-");
    }
    if (json_is_object(json_object_get(r, "held_deletes"))) {
        const json_t *h = json_object_get(r, "held_deletes");

        kv(out, "held deletes",
           "%" JSON_INTEGER_FORMAT " held, %" JSON_INTEGER_FORMAT " approved, %" JSON_INTEGER_FORMAT
           " rejected (glue2dlfctl held)",
           geti(h, "held"), geti(h, "approved"), geti(h, "rejected"));
    }
    if (strcmp(gets_(r, "state"), "running") == 0 && json_is_object(p))
        print_running(out, r, p);
    {
        const json_t *rt = json_object_get(r, "rates");

        if (json_is_object(rt))
            kv(out, "request rate", "%.0f/s Glue, %.0f/s DLF",
               json_number_value(json_object_get(rt, "glue_rps")),
               json_number_value(json_object_get(rt, "dlf_rps")));
    }
    if (json_is_object(json_object_get(r, "last_error")))
        kv(out, "last failure", "%s", gets_(json_object_get(r, "last_error"), "message"));
    if (json_is_object(p))
        kv(out, "snapshot", "%" JSON_INTEGER_FORMAT " objects, %.1f MiB", geti(p, "snapshot_items"),
           (double)geti(p, "snapshot_bytes") / (1024.0 * 1024.0));
    if (json_is_object(last)) {
        char dur[32];

        output_duration(dur, sizeof(dur), geti(last, "duration_ms"));
        kv(out, "last cycle",
           "%" JSON_INTEGER_FORMAT " %s%s in %s: %" JSON_INTEGER_FORMAT
           " created, %" JSON_INTEGER_FORMAT " updated, %" JSON_INTEGER_FORMAT
           " deleted, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " held",
           geti(last, "cycle_id"), gets_(last, "outcome"),
           json_is_true(json_object_get(last, "dry_run")) ? " (dry run)" : "", dur,
           geti(last, "created"), geti(last, "updated"), geti(last, "deleted"),
           geti(last, "failed"), geti(last, "held"));
        if (json_is_string(json_object_get(last, "error")))
            kv(out, "last error", "%s", gets_(last, "error"));
    } else {
        kv(out, "last cycle", "-");
    }
    print_http(out, "glue http", json_object_get(r, "glue"));
    print_http(out, "dlf http", json_object_get(r, "dlf"));
    print_creds(out, json_object_get(r, "credentials"));
}

static void print_plan(FILE *out, FILE *err, const json_t *r)
{
    const json_t *items = json_object_get(r, "items"), *it;
    size_t i, counts[4] = {0};

    json_array_foreach(items, i, it)
    {
        const char *diff = gets_(it, "diffResult");
        bool held = json_is_true(json_object_get(it, "held"));

        fprintf(out, "%-10s %-9s %s%s\n", diff, gets_(it, "itemType"), gets_(it, "itemName"),
                held ? "  (held)" : "");
        if (held)
            counts[3]++;
        else if (strcmp(diff, "glueNew") == 0)
            counts[0]++;
        else if (strcmp(diff, "needUpdate") == 0)
            counts[1]++;
        else
            counts[2]++;
    }
    /* The summary goes to the error stream so that the output stays one line per item. */
    fprintf(err, "plan: %zu to create, %zu to update, %zu to delete, %zu deletes held%s\n",
            counts[0], counts[1], counts[2], counts[3],
            json_is_true(json_object_get(r, "truncated")) ? " (list truncated)" : "");
}

static void print_results(FILE *out, const json_t *r)
{
    const json_t *items = json_object_get(r, "items"), *it;
    size_t i;

    json_array_foreach(items, i, it)
    {
        const char *state;

        if (json_is_true(json_object_get(it, "held")))
            state = "held";
        else if (json_is_true(json_object_get(it, "dryRun")))
            state = "planned";
        else if (json_is_true(json_object_get(it, "isSuccess")))
            state = "ok";
        else
            state = "FAILED";
        fprintf(out, "%s %-10s %-9s %s %s", gets_(it, "time"), gets_(it, "diffResult"),
                gets_(it, "itemType"), gets_(it, "itemName"), state);
        if (*gets_(it, "errorMsg"))
            fprintf(out, ": %s", gets_(it, "errorMsg"));
        fputc('\n', out);
    }
}

/* held, approve, reject: one line per held delete; a summary for approve/reject. */
static void print_held(FILE *out, FILE *err, const char *cmd, const json_t *r)
{
    const json_t *items = json_object_get(r, "held"), *it;
    size_t i;

    json_array_foreach(items, i, it)
    {
        char when[32] = "-";
        time_t t = (time_t)(geti(it, "first_seen_ms") / 1000);
        struct tm tm;

        if (t > 0 && gmtime_r(&t, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(out,
                "%s %-8s %-9s %s reason=%s cycles=%" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT
                " since=%s\n",
                gets_(it, "id"), gets_(it, "state"), gets_(it, "type"), gets_(it, "name"),
                gets_(it, "reason"), geti(it, "first_cycle"), geti(it, "last_cycle"), when);
    }
    if (json_is_true(json_object_get(r, "truncated")))
        fprintf(err, "%s: the list is truncated (the daemon lists at most 10000)\n", prog);
    if (strcmp(cmd, "approve") == 0)
        fprintf(err, "%s: approved %" JSON_INTEGER_FORMAT " held delete(s)%s\n", prog,
                geti(r, "approved"),
                strcmp(gets_(r, "cycle"), "started") == 0
                    ? ": a cycle started now deletes those still missing from Glue"
                : strcmp(gets_(r, "cycle"), "queued") == 0
                    ? ": the cycle after the running one deletes those still missing from Glue"
                    : "");
    else if (strcmp(cmd, "reject") == 0)
        fprintf(err,
                "%s: rejected %" JSON_INTEGER_FORMAT
                " held delete(s): kept in DLF, not held again while missing from Glue\n",
                prog, geti(r, "rejected"));
}

/* One line for a monitoring check, in the format of a Nagios plugin. */
static void print_health(FILE *out, const json_t *r)
{
    bool ok = json_is_true(json_object_get(r, "healthy"));

    fprintf(out, "GLUE2DLF %s - %s |", ok ? "OK" : "WARNING", gets_(r, "message"));
    if (json_is_integer(json_object_get(r, "last_ok_age_s")))
        fprintf(out, " last_ok_age=%" JSON_INTEGER_FORMAT "s;%" JSON_INTEGER_FORMAT,
                geti(r, "last_ok_age_s"), geti(r, "max_age_s"));
    if (json_is_integer(json_object_get(r, "running_s")))
        fprintf(out, " running=%" JSON_INTEGER_FORMAT "s;%" JSON_INTEGER_FORMAT,
                geti(r, "running_s"), geti(r, "max_running_s"));
    fprintf(out, " failed=%" JSON_INTEGER_FORMAT " held=%" JSON_INTEGER_FORMAT "\n",
            geti(r, "failed"), geti(r, "held"));
}

int output_verdict(const char *cmd, const json_t *r)
{
    if (strcmp(cmd, "health") == 0)
        return json_is_true(json_object_get(r, "healthy")) ? 0 : 1;
    /* sync --wait: the stats of the finished cycle (sync alone answers "started"). */
    if (strcmp(cmd, "sync") == 0 && json_object_get(r, "outcome"))
        return geti(r, "status") == 0 && geti(r, "failed") == 0 && geti(r, "held") == 0 &&
                       !json_is_true(json_object_get(r, "cancelled"))
                   ? 0
                   : 1;
    return 0;
}

void output_reply(FILE *out, FILE *err, const char *cmd, const json_t *r)
{
    if (strcmp(cmd, "health") == 0) {
        print_health(out, r);
    } else if (strcmp(cmd, "status") == 0) {
        print_status(out, r);
    } else if (strcmp(cmd, "plan") == 0) {
        print_plan(out, err, r);
    } else if (strcmp(cmd, "results") == 0) {
        print_results(out, r);
    } else if (strcmp(cmd, "held") == 0 || strcmp(cmd, "approve") == 0 ||
               strcmp(cmd, "reject") == 0) {
        print_held(out, err, cmd, r);
    } else if (strcmp(cmd, "restore") == 0) {
        fprintf(out, "restored %s %s\n", gets_(r, "type"), gets_(r, "name"));
    } else if (strcmp(cmd, "metrics") == 0) {
        fputs(gets_(r, "text"), out);
    } else if (strcmp(cmd, "log-level") == 0) {
        fprintf(out, "log level: %s (was %s; log.level: %s)\n", gets_(r, "level"),
                gets_(r, "previous"), gets_(r, "configured"));
    } else if (strcmp(cmd, "sync") == 0) {
        if (json_object_get(r, "cycle_id") && json_object_get(r, "outcome"))
            print_cycle_line(out, r);
        else if (json_is_true(json_object_get(r, "already_running")))
            fprintf(out, "cycle %" JSON_INTEGER_FORMAT " is already running\n",
                    geti(r, "cycle_id"));
        else if (json_is_true(json_object_get(r, "queued")))
            fprintf(out, "sync queued: it starts when the running plan finishes\n");
        else
            fprintf(out, "cycle %" JSON_INTEGER_FORMAT " started\n", geti(r, "cycle_id"));
    } else if (strcmp(cmd, "pause") == 0) {
        fprintf(out, "paused: no scheduled cycle starts until resume (a running cycle finishes)\n");
    } else if (strcmp(cmd, "resume") == 0) {
        fprintf(out, "resumed\n");
    } else if (strcmp(cmd, "reload") == 0) {
        const json_t *rr = json_object_get(r, "restart_required"),
                     *w = json_object_get(r, "warnings"), *k;
        size_t i;

        fprintf(out, "configuration reloaded\n");
        json_array_foreach(rr, i, k)
        {
            fprintf(err, "%s: warning: a change to '%s' takes effect only after a restart\n", prog,
                    json_string_value(k));
        }
        json_array_foreach(w, i, k)
        {
            fprintf(err, "%s: warning: %s\n", prog, json_string_value(k));
        }
    }
}
