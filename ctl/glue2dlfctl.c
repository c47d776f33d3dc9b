/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfctl: the control client of glue2dlfd. A plain blocking UNIX-socket client: sends
 * one request line, reads one reply line, renders it.
 *
 * Exit status: 0 the daemon answered ok, 1 it answered ok:false, 2 usage error, cannot
 * connect, timeout or a broken reply.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/ctlproto.h"

#define DEFAULT_SOCKET "/run/glue2dlf/control.sock"
#define REPLY_MAX (64u << 20)
#define DEFAULT_TIMEOUT_S 30

static const char *prog = "glue2dlfctl";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: glue2dlfctl [-s|--socket PATH] [--json] [--timeout SEC] COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  status                  state, progress, last cycle, HTTP statistics\n"
            "  sync [--wait] [--full]  start a cycle now (--wait: until it finishes;\n"
            "                          --full: rebuild the snapshot from DLF first)\n"
            "  plan                    what a cycle would do now (dry run), one line per item\n"
            "  pause | resume          stop / restart scheduled cycles\n"
            "  reload                  re-read the configuration; fails if it is invalid\n"
            "  results [-n N]          the last N item results (default 100)\n"
            "  metrics                 Prometheus text format\n"
            "\n"
            "options:\n"
            "  -s, --socket PATH  control socket (default $GLUE2DLF_SOCKET or " DEFAULT_SOCKET ")\n"
            "      --json         print the result as JSON\n"
            "      --timeout SEC  give up after SEC seconds (default 30; none for sync --wait,\n"
            "                     plan and reload; 0 = wait forever)\n"
            "  -h, --help         show this help\n");
}

/* ---- Transport ------------------------------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_socket(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * Read one line into @p b (without the '\n'). @p timeout_ms < 0 waits forever.
 * @return 0, -ETIMEDOUT, -EPIPE (closed before a full line), -E2BIG or -errno.
 */
static int read_line(int fd, struct g2d_buf *b, int64_t timeout_ms)
{
    int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : -1;
    char chunk[65536];

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char *nl;
        ssize_t n;
        int wait = -1, r;

        if (deadline >= 0) {
            int64_t left = deadline - mono_ms();

            if (left <= 0)
                return -ETIMEDOUT;
            wait = left > 1000000000 ? 1000000000 : (int)left;
        }
        r = poll(&pfd, 1, wait);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -ETIMEDOUT;
        n = recv(fd, chunk, sizeof(chunk), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EPIPE;
        nl = memchr(chunk, '\n', (size_t)n);
        r = g2d_buf_append(b, chunk, nl ? (size_t)(nl - chunk) : (size_t)n);
        if (r < 0)
            return r;
        if (nl)
            return 0;
    }
}

/* ---- Rendering ------------------------------------------------------------------------ */

static json_int_t geti(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *gets_(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static void kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kv(const char *key, const char *fmt, ...)
{
    va_list ap;
    char k[64];

    snprintf(k, sizeof(k), "%s:", key);
    printf("%-16s", k);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void fmt_duration(char *out, size_t n, int64_t ms)
{
    int64_t s = ms / 1000;

    if (ms < 10000)
        snprintf(out, n, "%.1fs", (double)ms / 1000.0);
    else if (s < 3600)
        snprintf(out, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    else
        snprintf(out, n, "%" PRId64 "h%02" PRId64 "m%02" PRId64 "s", s / 3600, s / 60 % 60, s % 60);
}

static void print_cycle_line(const json_t *st)
{
    char dur[32];

    fmt_duration(dur, sizeof(dur), geti(st, "duration_ms"));
    if (geti(st, "status") < 0) {
        printf("cycle %" JSON_INTEGER_FORMAT " failed after %s: %s\n", geti(st, "cycle_id"), dur,
               gets_(st, "error"));
        return;
    }
    printf("cycle %" JSON_INTEGER_FORMAT " %s%s in %s: %" JSON_INTEGER_FORMAT
           " seen, %" JSON_INTEGER_FORMAT " unchanged, %" JSON_INTEGER_FORMAT
           " created, %" JSON_INTEGER_FORMAT " updated, %" JSON_INTEGER_FORMAT
           " deleted, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " held\n",
           geti(st, "cycle_id"), gets_(st, "outcome"),
           json_is_true(json_object_get(st, "dry_run")) ? " (dry run)" : "", dur, geti(st, "seen"),
           geti(st, "unchanged"), geti(st, "created"), geti(st, "updated"), geti(st, "deleted"),
           geti(st, "failed"), geti(st, "held"));
}

static void print_http(const char *key, const json_t *h)
{
    if (!json_is_object(h)) {
        kv(key, "n/a");
        return;
    }
    kv(key,
       "%" JSON_INTEGER_FORMAT " requests, %" JSON_INTEGER_FORMAT " retries, %" JSON_INTEGER_FORMAT
       " throttled, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT
       " in flight, %" JSON_INTEGER_FORMAT " queued, concurrency %" JSON_INTEGER_FORMAT,
       geti(h, "requests"), geti(h, "retries"), geti(h, "throttled"), geti(h, "failures"),
       geti(h, "in_flight"), geti(h, "queued"), geti(h, "concurrency"));
}

static void print_status(const json_t *r)
{
    const json_t *p = json_object_get(r, "progress"), *last = json_object_get(r, "last_cycle");
    const json_t *next = json_object_get(r, "next_cycle_in_ms");
    char buf[64];

    kv("state", "%s", gets_(r, "state"));
    kv("paused", "%s", json_is_true(json_object_get(r, "paused")) ? "yes" : "no");
    if (json_is_true(json_object_get(r, "dry_run")))
        kv("dry run", "yes");
    kv("version", "%s", gets_(r, "version"));
    kv("pid", "%" JSON_INTEGER_FORMAT, geti(r, "pid"));
    kv("config", "%s", gets_(r, "config"));
    fmt_duration(buf, sizeof(buf), geti(r, "uptime_s") * 1000);
    kv("uptime", "%s", buf);
    kv("phase", "%s", gets_(r, "phase"));
    if (json_is_integer(next)) {
        fmt_duration(buf, sizeof(buf), json_integer_value(next));
        kv("next cycle in", "%s", buf);
    } else {
        kv("next cycle in", "-");
    }
    if (strcmp(gets_(r, "state"), "running") == 0 && json_is_object(p)) {
        kv("cycle", "%" JSON_INTEGER_FORMAT, geti(p, "cycle_id"));
        kv("progress",
           "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT " databases, %" JSON_INTEGER_FORMAT
           "/%" JSON_INTEGER_FORMAT " tables, %" JSON_INTEGER_FORMAT
           " items seen, %" JSON_INTEGER_FORMAT " writes done, %" JSON_INTEGER_FORMAT " queued",
           geti(p, "databases_done"), geti(p, "databases_total"), geti(p, "tables_done"),
           geti(p, "tables_total"), geti(p, "items_seen"), geti(p, "writes_done"),
           geti(p, "writes_queued"));
        if (json_is_integer(json_object_get(r, "eta_ms"))) {
            fmt_duration(buf, sizeof(buf), geti(r, "eta_ms"));
            kv("eta", "%s", buf);
        } else {
            kv("eta", "estimating");
        }
    }
    {
        const json_t *rt = json_object_get(r, "rates");

        if (json_is_object(rt))
            kv("request rate", "%.0f/s Glue, %.0f/s DLF",
               json_number_value(json_object_get(rt, "glue_rps")),
               json_number_value(json_object_get(rt, "dlf_rps")));
    }
    if (json_is_object(p))
        kv("snapshot", "%" JSON_INTEGER_FORMAT " objects, %.1f MiB", geti(p, "snapshot_items"),
           (double)geti(p, "snapshot_bytes") / (1024.0 * 1024.0));
    if (json_is_object(last)) {
        char dur[32];

        fmt_duration(dur, sizeof(dur), geti(last, "duration_ms"));
        kv("last cycle",
           "%" JSON_INTEGER_FORMAT " %s%s in %s: %" JSON_INTEGER_FORMAT
           " created, %" JSON_INTEGER_FORMAT " updated, %" JSON_INTEGER_FORMAT
           " deleted, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " held",
           geti(last, "cycle_id"), gets_(last, "outcome"),
           json_is_true(json_object_get(last, "dry_run")) ? " (dry run)" : "", dur,
           geti(last, "created"), geti(last, "updated"), geti(last, "deleted"),
           geti(last, "failed"), geti(last, "held"));
        if (json_is_string(json_object_get(last, "error")))
            kv("last error", "%s", gets_(last, "error"));
    } else {
        kv("last cycle", "-");
    }
    print_http("glue http", json_object_get(r, "glue"));
    print_http("dlf http", json_object_get(r, "dlf"));
}

static void print_plan(const json_t *r)
{
    const json_t *items = json_object_get(r, "items"), *it;
    size_t i, counts[4] = {0};

    json_array_foreach(items, i, it)
    {
        const char *diff = gets_(it, "diffResult");
        bool held = json_is_true(json_object_get(it, "held"));

        printf("%-10s %-9s %s%s\n", diff, gets_(it, "itemType"), gets_(it, "itemName"),
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
    /* The summary goes to stderr so that stdout stays one line per item. */
    fprintf(stderr, "plan: %zu to create, %zu to update, %zu to delete, %zu deletes held%s\n",
            counts[0], counts[1], counts[2], counts[3],
            json_is_true(json_object_get(r, "truncated")) ? " (list truncated)" : "");
}

static void print_results(const json_t *r)
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
        printf("%s %-10s %-9s %s %s", gets_(it, "time"), gets_(it, "diffResult"),
               gets_(it, "itemType"), gets_(it, "itemName"), state);
        if (*gets_(it, "errorMsg"))
            printf(": %s", gets_(it, "errorMsg"));
        putchar('\n');
    }
}

static void print_human(const char *cmd, const json_t *r)
{
    if (strcmp(cmd, "status") == 0) {
        print_status(r);
    } else if (strcmp(cmd, "plan") == 0) {
        print_plan(r);
    } else if (strcmp(cmd, "results") == 0) {
        print_results(r);
    } else if (strcmp(cmd, "metrics") == 0) {
        fputs(gets_(r, "text"), stdout);
    } else if (strcmp(cmd, "sync") == 0) {
        if (json_object_get(r, "cycle_id") && json_object_get(r, "outcome"))
            print_cycle_line(r);
        else if (json_is_true(json_object_get(r, "already_running")))
            printf("cycle %" JSON_INTEGER_FORMAT " is already running\n", geti(r, "cycle_id"));
        else if (json_is_true(json_object_get(r, "queued")))
            printf("sync queued: it starts when the running plan finishes\n");
        else
            printf("cycle %" JSON_INTEGER_FORMAT " started\n", geti(r, "cycle_id"));
    } else if (strcmp(cmd, "pause") == 0) {
        printf("paused: no scheduled cycle starts until resume (a running cycle finishes)\n");
    } else if (strcmp(cmd, "resume") == 0) {
        printf("resumed\n");
    } else if (strcmp(cmd, "reload") == 0) {
        const json_t *rr = json_object_get(r, "restart_required"),
                     *w = json_object_get(r, "warnings"), *k;
        size_t i;

        printf("configuration reloaded\n");
        json_array_foreach(rr, i, k)
        {
            fprintf(stderr, "%s: warning: a change to '%s' takes effect only after a restart\n",
                    prog, json_string_value(k));
        }
        json_array_foreach(w, i, k)
        {
            fprintf(stderr, "%s: warning: %s\n", prog, json_string_value(k));
        }
    }
}

/* ---- Main ----------------------------------------------------------------------------- */

static int parse_uint(const char *s, long long max, long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = getenv("GLUE2DLF_SOCKET"), *cmd;
    bool json = false, timeout_set = false, wait = false, full = false;
    long long timeout_s = DEFAULT_TIMEOUT_S, limit = -1;
    struct g2d_ctl_reply rep;
    struct g2d_error err = {0};
    struct g2d_buf b;
    enum g2d_ctl_cmd c;
    json_t *args;
    char *line;
    int fd, r, rc;

    if (!path || !*path)
        path = DEFAULT_SOCKET;
    while ((r = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
        switch (r) {
        case 's':
            path = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 't':
            if (parse_uint(optarg, 1000000, &timeout_s) < 0) {
                fprintf(stderr, "%s: --timeout: not a number of seconds: '%s'\n", prog, optarg);
                return 2;
            }
            timeout_set = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    cmd = argv[optind++];
    if (g2d_ctl_cmd_lookup(cmd, &c) < 0) {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
        usage(stderr);
        return 2;
    }
    for (; optind < argc; optind++) {
        const char *a = argv[optind];

        if (c == G2D_CTL_SYNC && strcmp(a, "--wait") == 0) {
            wait = true;
        } else if (c == G2D_CTL_SYNC && strcmp(a, "--full") == 0) {
            full = true;
        } else if (c == G2D_CTL_RESULTS && (strcmp(a, "-n") == 0 || strncmp(a, "-n", 2) == 0)) {
            const char *v = a[2] ? a + 2 : (optind + 1 < argc ? argv[++optind] : NULL);

            if (!v || parse_uint(v, G2D_CTL_RESULTS_MAX, &limit) < 0 || limit < 1) {
                fprintf(stderr, "%s: results -n: expected a number from 1 to %d\n", prog,
                        G2D_CTL_RESULTS_MAX);
                return 2;
            }
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "%s: %s: unexpected argument '%s'\n", prog, cmd, a);
            usage(stderr);
            return 2;
        }
    }
    if (!timeout_set && ((c == G2D_CTL_SYNC && wait) || c == G2D_CTL_PLAN || c == G2D_CTL_RELOAD))
        timeout_s = 0;

    args = json_object();
    if (!args)
        goto oom;
    if (wait)
        json_object_set_new(args, "wait", json_true());
    if (full)
        json_object_set_new(args, "full", json_true());
    if (limit > 0)
        json_object_set_new(args, "limit", json_integer(limit));
    line = g2d_ctl_request_format(1, cmd, args);
    if (!line)
        goto oom;

    fd = connect_socket(path);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot connect to '%s': %s\n", prog, path, strerror(errno));
        free(line);
        return 2;
    }
    if (send_all(fd, line, strlen(line)) < 0) {
        fprintf(stderr, "%s: cannot send to '%s': %s\n", prog, path, strerror(errno));
        free(line);
        close(fd);
        return 2;
    }
    free(line);
    g2d_buf_init(&b, REPLY_MAX);
    r = read_line(fd, &b, timeout_s > 0 ? timeout_s * 1000 : -1);
    close(fd);
    if (r < 0) {
        if (r == -ETIMEDOUT)
            fprintf(stderr, "%s: no reply from '%s' within %llds\n", prog, path, timeout_s);
        else if (r == -EPIPE)
            fprintf(stderr, "%s: '%s' closed the connection without a reply\n", prog, path);
        else if (r == -E2BIG)
            fprintf(stderr, "%s: reply from '%s' larger than %u bytes\n", prog, path, REPLY_MAX);
        else
            fprintf(stderr, "%s: reading from '%s': %s\n", prog, path, strerror(-r));
        g2d_buf_done(&b);
        return 2;
    }
    r = g2d_ctl_parse_reply(g2d_buf_cstr(&b), b.len, &rep, &err);
    g2d_buf_done(&b);
    if (r < 0) {
        fprintf(stderr, "%s: bad reply from '%s': %s\n", prog, path, err.msg);
        return 2;
    }
    if (!rep.ok) {
        if (json)
            json_dumpf(rep.root, stdout, JSON_INDENT(2)), putchar('\n');
        fprintf(stderr, "%s: %s: %s\n", prog, rep.code, rep.message);
        rc = 1;
    } else {
        if (json) {
            json_dumpf(rep.result, stdout, JSON_INDENT(2));
            putchar('\n');
        } else {
            print_human(cmd, rep.result);
        }
        rc = 0;
    }
    g2d_ctl_reply_done(&rep);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write output: %s\n", prog, strerror(errno));
        return 2;
    }
    return rc;

oom:
    fprintf(stderr, "%s: out of memory\n", prog);
    return 2;
}
