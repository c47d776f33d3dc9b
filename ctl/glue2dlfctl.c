/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfctl: the control client of glue2dlfd. Parses the command line, sends one request
 * line, reads one reply line (transport.c) and prints it, as JSON or for a person
 * (output.c).
 *
 * Exit status (like unbound-control and knotc): 0 success; 1 the daemon answered an error,
 * or `sync --wait` saw a cycle that failed, was cancelled or had failed or held items, or
 * `health` found the daemon unhealthy; 2 usage error; 3 the daemon could not be reached
 * (cannot connect, no reply in time, connection closed, a broken reply).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/buf.h"
#include "glue2dlf/ctlproto.h"
#include "glue2dlf/version.h"

#include "output.h"
#include "report.h"
#include "transport.h"

#define DEFAULT_SOCKET G2D_DEFAULT_CONTROL_SOCKET
/* The socket of glue2dlf@NAME.service (packaging/glue2dlf@.service.in: --socket). */
#define INSTANCE_SOCKET_FMT "/run/glue2dlf-%s/control.sock"
#define INSTANCE_NAME_MAX 200
#define REPLY_MAX (64u << 20)
#define DEFAULT_TIMEOUT_S 30

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

static const char *prog = "glue2dlfctl";

/* What the command line asks for. */
struct request {
    const char *path, *cmd, *instance;
    char instance_path[sizeof(INSTANCE_SOCKET_FMT) + INSTANCE_NAME_MAX];
    enum g2d_ctl_cmd c;
    bool json, timeout_set, wait, full, failed, watch, all;
    const char *level;
    const char *out_path; /* report -o FILE */
    long long timeout_s, limit, cycle, max_age_s, max_running_s;
    const char *type, *scope, *name; /* held, approve, reject, restore */
    char **ids;                      /* approve, reject: the IDs (into argv) */
    size_t nids;
};

/* Per command: its synopsis and what it does, for `COMMAND --help` and the overview. */
struct cmd_help {
    const char *name, *synopsis, *summary, *details;
};

static const struct cmd_help helps[] = {
    {"status", "status [--watch]", "state, progress, last cycle, HTTP statistics",
     "  --watch  refresh every second, in place, until the running cycle ends (on a\n"
     "           terminal; otherwise one block per second); idle: shown once\n"},
    {"sync", "sync [--wait] [--full]", "start a cycle now",
     "  --wait  wait until the cycle ends; exit 1 if it failed, was cancelled, or had\n"
     "          failed items or deletes held by the delete guard\n"
     "  --full  rebuild the snapshot from a DLF listing first\n"},
    {"plan", "plan", "what a cycle would do now (dry run)", NULL},
    {"pause", "pause", "stop scheduled cycles (a running cycle finishes)", NULL},
    {"resume", "resume", "restart scheduled cycles", NULL},
    {"reload", "reload", "re-read the configuration (kept if invalid)", NULL},
    {"results", "results [-n N] [--failed] [--cycle ID]", "the last item results",
     "  -n N        at most the last N results (default 100, at most 10000)\n"
     "  --failed    only the items that did not succeed (failed or held)\n"
     "  --cycle ID  only the items of cycle ID\n"
     "The daemon keeps the last 10000 results in memory; the result log has them all.\n"},
    {"metrics", "metrics", "Prometheus text format", NULL},
    {"log-level", "log-level [LEVEL]", "show or switch the daemon's log level",
     "  LEVEL  trace, debug, info, notice, warning or err; until the next reload or\n"
     "         restart, which apply log.level again. Without LEVEL: show it.\n"},
    {"health", "health [--max-age DUR] [--max-running DUR]",
     "one line for monitoring; exit 0 healthy, 1 not",
     "Healthy: the last sync cycle neither failed nor was cancelled, had no failed item and\n"
     "no held delete; a good cycle finished within the last max-age; no cycle has been\n"
     "running for more than max-running. DUR is seconds, or a number with s, m, h or d.\n"
     "  --max-running DUR  default the larger of 1h and 4 x sync.interval\n"
     "  --max-age DUR      default 2 x (sync.interval + sync.jitter) + max-running\n"
     "Output: GLUE2DLF OK|WARNING - <what> | <perfdata>; UNKNOWN and exit 3 when the daemon\n"
     "cannot be reached.\n"},
    {"held", "held [--type T] [--scope DB[.TABLE]]", "the deletes held for a person to decide",
     "One line per held delete: ID, state (held, approved, rejected), type, name, the guard\n"
     "that held it (empty_source, max_count, max_fraction, key_change), the cycles that held\n"
     "it first and last, and since when.\n"
     "  --type T              only database, table, partition or function deletes\n"
     "  --scope DB[.TABLE]    only those of that database (or table)\n"},
    {"approve", "approve [--type T] [--scope DB[.TABLE]] [--all] [ID...]",
     "apply held deletes (root only)",
     "Marks the held deletes selected (every one given, of that type and scope) approved and\n"
     "starts a cycle, which deletes those still missing from Glue, whatever the guards say;\n"
     "one back in Glue is not deleted. --all selects every held delete. An ID that is not\n"
     "held is an error, and then nothing is approved.\n"},
    {"reject", "reject [--type T] [--scope DB[.TABLE]] [--all] [ID...]",
     "keep held deletes' objects in DLF (root only)",
     "The objects stay in DLF and are not held (nor reported) again while they stay missing\n"
     "from Glue; once one is back in Glue, a later disappearance is held again.\n"},
    {"restore", "restore [--type T] NAME", "put a deleted object back in DLF (root only)",
     "Writes the object's last DLF definition from the deleted-objects archive of the state\n"
     "directory back to DLF (the newest one of that name; --type when names clash).\n"},
    {"report", "report [-o FILE]", "an HTML page: databases, last cycles, a chart",
     "  -o FILE  write the page to FILE instead of standard output\n"
     "Per database: the objects DLF holds in scope, and what the last sync cycle changed,\n"
     "failed and held there; the last 50 cycles' durations and request rates as bars.\n"
     "One self-contained file (inline SVG, no script). --json gives the data.\n"},
};

static const struct cmd_help *find_help(const char *name)
{
    for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
        if (strcmp(helps[i].name, name) == 0)
            return &helps[i];
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: glue2dlfctl [-s PATH | -i NAME] [--json] [--timeout SEC] COMMAND [ARGS]\n"
               "       glue2dlfctl COMMAND --help | help [COMMAND] | --version\n"
               "\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
        fprintf(f, "  %-42s %s\n", helps[i].synopsis, helps[i].summary);
    fprintf(f,
            "\n"
            "options:\n"
            "  -s, --socket PATH    control socket (default $GLUE2DLF_SOCKET or " DEFAULT_SOCKET
            ")\n"
            "  -i, --instance NAME  the socket of glue2dlf@NAME.service: "
            "/run/glue2dlf-NAME/control.sock\n"
            "      --json           print the result as JSON\n"
            "      --timeout SEC    give up after SEC seconds (default 30; none for sync --wait,\n"
            "                       plan and reload; 0 = wait forever)\n"
            "  -h, --help           show this help\n"
            "  -V, --version        show the version\n"
            "\n"
            "exit status: 0 ok; 1 the daemon answered an error, sync --wait saw failed or held\n"
            "items or a failed cycle, health found a problem; 2 usage; 3 the daemon could not\n"
            "be reached.\n");
}

/* `glue2dlfctl COMMAND --help`. */
static void command_usage(FILE *f, const struct cmd_help *h)
{
    fprintf(f, "usage: glue2dlfctl [-s PATH | -i NAME] [--json] %s\n\n%c%s.\n", h->synopsis,
            h->summary[0] - 'a' + 'A', h->summary + 1);
    if (h->details)
        fprintf(f, "\n%s", h->details);
}

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

/* Seconds, or a number with s, m, h or d: 90, 90s, 15m, 2h, 1d. At least 1 s. */
static int parse_duration(const char *s, long long *out)
{
    static const struct {
        char unit;
        long long mul;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    char num[32];
    size_t n = strlen(s);
    long long mul = 1, v;

    if (n == 0 || n >= sizeof(num))
        return -1;
    memcpy(num, s, n + 1);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (n > 1 && num[n - 1] == units[i].unit) {
            mul = units[i].mul;
            num[n - 1] = '\0';
        }
    }
    if (parse_uint(num, G2D_CTL_HEALTH_MAX_S / mul, &v) < 0 || v < 1)
        return -1;
    *out = v * mul;
    return 0;
}

/* --instance NAME: a systemd instance name ([A-Za-z0-9:_.\\-], not "." or ".."). */
static int set_instance(struct request *rq, const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > INSTANCE_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.\\-") != n) {
        fprintf(stderr, "%s: --instance: not an instance name: '%s'\n", prog, name);
        return EXIT_USAGE;
    }
    snprintf(rq->instance_path, sizeof(rq->instance_path), INSTANCE_SOCKET_FMT, name);
    rq->instance = name;
    return -1;
}

/* Options before the command. @return -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct request *rq)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"instance", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    bool socket_set = false;
    int r;

    while ((r = getopt_long(argc, argv, "+s:i:hV", opts, NULL)) != -1) {
        switch (r) {
        case 's':
            rq->path = optarg;
            socket_set = true;
            break;
        case 'i':
            if (set_instance(rq, optarg) >= 0)
                return EXIT_USAGE;
            break;
        case 'j':
            rq->json = true;
            break;
        case 't':
            if (parse_uint(optarg, 1000000, &rq->timeout_s) < 0) {
                fprintf(stderr, "%s: --timeout: not a number of seconds: '%s'\n", prog, optarg);
                return EXIT_USAGE;
            }
            rq->timeout_set = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("glue2dlfctl %s\n", G2D_VERSION);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (socket_set && rq->instance) {
        fprintf(stderr, "%s: --socket and --instance exclude each other\n", prog);
        return EXIT_USAGE;
    }
    if (rq->instance)
        rq->path = rq->instance_path;
    return -1;
}

/* `help [COMMAND]`. @return the exit status. */
static int help_command(int argc, char **argv)
{
    const struct cmd_help *h;

    if (optind >= argc) {
        usage(stdout);
        return 0;
    }
    h = find_help(argv[optind]);
    if (!h || optind + 1 < argc) {
        fprintf(stderr, "%s: help: unknown command '%s'\n", prog, argv[optind]);
        return EXIT_USAGE;
    }
    command_usage(stdout, h);
    return 0;
}

/* The value of option @p a (attached "-n5" or the next argument), NULL if missing. */
static const char *opt_value(int argc, char **argv, const char *a, size_t optlen)
{
    if (a[optlen] == '=' || (optlen == 2 && a[2]))
        return a + optlen + (a[optlen] == '=');
    return optind + 1 < argc ? argv[++optind] : NULL;
}

static bool is_opt(const char *a, const char *name)
{
    size_t n = strlen(name);

    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=' || (n == 2 && a[1] != '-'));
}

static int bad_value(const struct request *rq, const char *opt, const char *what)
{
    fprintf(stderr, "%s: %s %s: expected %s\n", prog, rq->cmd, opt, what);
    return EXIT_USAGE;
}

static bool held_cmd(const struct request *rq)
{
    return rq->c == G2D_CTL_HELD || rq->c == G2D_CTL_APPROVE || rq->c == G2D_CTL_REJECT ||
           rq->c == G2D_CTL_RESTORE;
}

/* One argument of held, approve, reject or restore. @return as parse_filter_arg(). */
static int parse_held_arg(int argc, char **argv, struct request *rq)
{
    static const char *const types = " database table partition function ";
    bool decide = rq->c == G2D_CTL_APPROVE || rq->c == G2D_CTL_REJECT;
    const char *a = argv[optind], *v;
    char probe[64];

    if (held_cmd(rq) && is_opt(a, "--type")) {
        v = opt_value(argc, argv, a, 6);
        snprintf(probe, sizeof(probe), " %.50s ", v ? v : "");
        if (!v || !*v || !strstr(types, probe))
            return bad_value(rq, "--type", "database, table, partition or function");
        rq->type = v;
    } else if (held_cmd(rq) && rq->c != G2D_CTL_RESTORE && is_opt(a, "--scope")) {
        v = opt_value(argc, argv, a, 7);
        if (!v || !*v)
            return bad_value(rq, "--scope", "DB or DB.TABLE");
        rq->scope = v;
    } else if (decide && strcmp(a, "--all") == 0) {
        rq->all = true;
    } else if (decide && a[0] != '-') {
        if (!rq->ids)
            rq->ids = argv + optind;
        else if (rq->ids + rq->nids != argv + optind)
            return bad_value(rq, "ID", "the IDs together, after the options");
        rq->nids++;
    } else if (rq->c == G2D_CTL_RESTORE && a[0] != '-' && !rq->name) {
        rq->name = a;
    } else {
        return 0;
    }
    return -1;
}

/* One argument of results or health. @return -1 taken, 0 not theirs, else the exit status. */
static int parse_filter_arg(int argc, char **argv, struct request *rq)
{
    const char *a = argv[optind], *v;

    if (rq->c == G2D_CTL_RESULTS && is_opt(a, "-n")) {
        v = opt_value(argc, argv, a, 2);
        if (!v || parse_uint(v, G2D_CTL_RESULTS_MAX, &rq->limit) < 0 || rq->limit < 1)
            return bad_value(rq, "-n", "a number from 1 to 10000");
    } else if (rq->c == G2D_CTL_RESULTS && strcmp(a, "--failed") == 0) {
        rq->failed = true;
    } else if (rq->c == G2D_CTL_RESULTS && is_opt(a, "--cycle")) {
        v = opt_value(argc, argv, a, 7);
        if (!v || parse_uint(v, INT64_MAX, &rq->cycle) < 0 || rq->cycle < 1)
            return bad_value(rq, "--cycle", "a cycle id (1 or more)");
    } else if (rq->c == G2D_CTL_HEALTH && is_opt(a, "--max-age")) {
        v = opt_value(argc, argv, a, 9);
        if (!v || parse_duration(v, &rq->max_age_s) < 0)
            return bad_value(rq, "--max-age", "a duration such as 600, 90m or 2h");
    } else if (rq->c == G2D_CTL_HEALTH && is_opt(a, "--max-running")) {
        v = opt_value(argc, argv, a, 13);
        if (!v || parse_duration(v, &rq->max_running_s) < 0)
            return bad_value(rq, "--max-running", "a duration such as 600, 90m or 2h");
    } else {
        return parse_held_arg(argc, argv, rq);
    }
    return -1;
}

/* The command and its arguments, from argv[optind] on. @return -1 to go on, else the
 * exit status. */
static int parse_command(int argc, char **argv, struct request *rq)
{
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    rq->cmd = argv[optind++];
    if (strcmp(rq->cmd, "help") == 0)
        return help_command(argc, argv);
    if (g2d_ctl_cmd_lookup(rq->cmd, &rq->c) < 0) {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, rq->cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    for (; optind < argc; optind++) {
        const char *a = argv[optind];
        int r;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            command_usage(stdout, find_help(rq->cmd));
            return 0;
        } else if (rq->c == G2D_CTL_SYNC && strcmp(a, "--wait") == 0) {
            rq->wait = true;
        } else if (rq->c == G2D_CTL_SYNC && strcmp(a, "--full") == 0) {
            rq->full = true;
        } else if (rq->c == G2D_CTL_STATUS && strcmp(a, "--watch") == 0) {
            rq->watch = true;
        } else if (strcmp(a, "--json") == 0) {
            rq->json = true;
        } else if (rq->c == G2D_CTL_REPORT && is_opt(a, "-o")) {
            rq->out_path = opt_value(argc, argv, a, 2);
            if (!rq->out_path || !*rq->out_path)
                return bad_value(rq, "-o", "a file name");
        } else if (rq->c == G2D_CTL_LOG_LEVEL && !rq->level && a[0] != '-') {
            static const char *const lv[] = {"trace", "debug", "info", "notice", "warning", "err"};

            for (size_t k = 0; k < sizeof(lv) / sizeof(lv[0]); k++)
                if (strcmp(a, lv[k]) == 0)
                    rq->level = lv[k];
            if (!rq->level)
                return bad_value(rq, a, "trace, debug, info, notice, warning or err");
        } else if ((r = parse_filter_arg(argc, argv, rq)) != 0) {
            if (r >= 0)
                return r;
        } else {
            fprintf(stderr, "%s: %s: unexpected argument '%s'\n", prog, rq->cmd, a);
            command_usage(stderr, find_help(rq->cmd));
            return EXIT_USAGE;
        }
    }
    if ((rq->c == G2D_CTL_APPROVE || rq->c == G2D_CTL_REJECT) &&
        (rq->all == (rq->type || rq->scope || rq->nids))) {
        fprintf(stderr, "%s: %s: say which held deletes: --all, or --type, --scope, IDs\n", prog,
                rq->cmd);
        return EXIT_USAGE;
    }
    if (rq->c == G2D_CTL_RESTORE && !rq->name) {
        fprintf(stderr, "%s: restore: which object? (NAME)\n", prog);
        return EXIT_USAGE;
    }
    /* sync --wait, plan and reload last as long as a cycle: no timeout unless asked. */
    if (!rq->timeout_set &&
        ((rq->c == G2D_CTL_SYNC && rq->wait) || rq->c == G2D_CTL_PLAN || rq->c == G2D_CTL_RELOAD))
        rq->timeout_s = 0;
    return -1;
}

/* The request line (malloc'd, the caller frees it), NULL when out of memory. */
static char *request_line(const struct request *rq)
{
    json_t *args = json_object();

    if (!args)
        return NULL;
    if (rq->wait)
        json_object_set_new(args, "wait", json_true());
    if (rq->full)
        json_object_set_new(args, "full", json_true());
    if (rq->limit > 0)
        json_object_set_new(args, "limit", json_integer(rq->limit));
    /* Only what was asked for: a daemon older than the filters still answers the rest. */
    if (rq->failed)
        json_object_set_new(args, "failed", json_true());
    if (rq->cycle > 0)
        json_object_set_new(args, "cycle", json_integer(rq->cycle));
    if (rq->max_age_s > 0)
        json_object_set_new(args, "max_age", json_integer(rq->max_age_s));
    if (rq->max_running_s > 0)
        json_object_set_new(args, "max_running", json_integer(rq->max_running_s));
    if (rq->level)
        json_object_set_new(args, "level", json_string(rq->level));
    if (rq->type)
        json_object_set_new(args, "type", json_string(rq->type));
    if (rq->scope)
        json_object_set_new(args, "scope", g2d_ctl_json_string(rq->scope));
    if (rq->name)
        json_object_set_new(args, "name", g2d_ctl_json_string(rq->name));
    if (rq->all)
        json_object_set_new(args, "all", json_true());
    if (rq->nids) {
        json_t *ids = json_array();

        for (size_t i = 0; ids && i < rq->nids; i++)
            json_array_append_new(ids, json_string(rq->ids[i]));
        json_object_set_new(args, "ids", ids);
    }
    return g2d_ctl_request_format(1, rq->cmd, args);
}

/* Send @p line and read the reply line into @p b. @return 0, or -1 with @p why (@p n bytes)
 * saying what went wrong. */
static int exchange(const struct request *rq, const char *line, struct g2d_buf *b, char *why,
                    size_t n)
{
    const char *path = rq->path;
    int fd, r;

    fd = ctl_connect(path);
    if (fd < 0) {
        snprintf(why, n, "cannot connect to '%s': %s", path, strerror(errno));
        return -1;
    }
    if (ctl_send_all(fd, line, strlen(line)) < 0) {
        snprintf(why, n, "cannot send to '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    r = ctl_read_line(fd, b, rq->timeout_s > 0 ? rq->timeout_s * 1000 : -1);
    close(fd);
    if (r == 0)
        return 0;
    if (r == -ETIMEDOUT)
        snprintf(why, n, "no reply from '%s' within %llds", path, rq->timeout_s);
    else if (r == -EPIPE)
        snprintf(why, n, "'%s' closed the connection without a reply", path);
    else if (r == -E2BIG)
        snprintf(why, n, "reply from '%s' larger than %u bytes", path, REPLY_MAX);
    else
        snprintf(why, n, "reading from '%s': %s", path, strerror(-r));
    return -1;
}

/* Print the parsed reply. @return the exit status. */
/* report: the page to -o FILE (written whole to a temporary name, then renamed) or stdout. */
static int write_report(const struct request *rq, const json_t *result)
{
    char tmp[4200];
    FILE *f = stdout;

    if (rq->out_path) {
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", rq->out_path, (long)getpid()) >=
            sizeof(tmp)) {
            fprintf(stderr, "%s: report: file name too long\n", prog);
            return EXIT_USAGE;
        }
        f = fopen(tmp, "we");
        if (!f) {
            fprintf(stderr, "%s: report: cannot create '%s': %s\n", prog, tmp, strerror(errno));
            return EXIT_FAIL;
        }
    }
    if (report_html(f, result) < 0 || fflush(f) != 0 ||
        (rq->out_path && (fclose(f) != 0 || rename(tmp, rq->out_path) < 0))) {
        fprintf(stderr, "%s: report: cannot write '%s': %s\n", prog,
                rq->out_path ? rq->out_path : "standard output", strerror(errno));
        if (rq->out_path)
            (void)unlink(tmp);
        return EXIT_FAIL;
    }
    return 0;
}

static int print_reply(const struct request *rq, const struct g2d_ctl_reply *rep)
{
    int rc;

    if (!rep->ok) {
        if (rq->json)
            json_dumpf(rep->root, stdout, JSON_INDENT(2)), putchar('\n');
        fprintf(stderr, "%s: %s: %s\n", prog, rep->code, rep->message);
        rc = EXIT_FAIL;
    } else {
        if (rq->json) {
            json_dumpf(rep->result, stdout, JSON_INDENT(2));
            putchar('\n');
        } else if (rq->c == G2D_CTL_REPORT) {
            return write_report(rq, rep->result);
        } else {
            output_reply(stdout, stderr, rq->cmd, rep->result);
        }
        rc = output_verdict(rq->cmd, rep->result);
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write output: %s\n", prog, strerror(errno));
        return EXIT_FAIL;
    }
    return rc;
}

/* The daemon could not be reached: say why (health also in its one-line format). */
static int unreachable(const struct request *rq, const char *why)
{
    fprintf(stderr, "%s: %s\n", prog, why);
    if (rq->c == G2D_CTL_HEALTH && !rq->json)
        printf("GLUE2DLF UNKNOWN - %s\n", why);
    return EXIT_UNREACHABLE;
}

/* One status request: its reply parsed into @p rep. @return 0, or -1 with @p why. */
static int fetch_status(const struct request *rq, const char *line, struct g2d_ctl_reply *rep,
                        char *why, size_t n)
{
    struct g2d_error err = {0};
    struct g2d_buf b;
    int r;

    g2d_buf_init(&b, REPLY_MAX);
    r = exchange(rq, line, &b, why, n);
    if (r == 0 && g2d_ctl_parse_reply(g2d_buf_cstr(&b), b.len, rep, &err) < 0) {
        snprintf(why, n, "bad reply from '%s': %s", rq->path, err.msg);
        r = -1;
    }
    g2d_buf_done(&b);
    return r;
}

/* Draw one status block: on a terminal over the last one (cursor home, each line cleared
 * to its end, the rest of the screen cleared: no flicker), else after it. */
static void draw_status(bool tty, const json_t *result)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);

    if (!m)
        return;
    output_reply(m, stderr, "status", result);
    fclose(m);
    if (tty) {
        fputs("\033[H", stdout);
        for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
            nl = strchr(p, '\n');
            fwrite(p, 1, nl ? (size_t)(nl - p) : strlen(p), stdout);
            fputs("\033[K\n", stdout);
            if (!nl)
                break;
        }
        fputs("\033[J", stdout);
    } else {
        fputs(text, stdout);
        putchar('\n');
    }
    fflush(stdout);
    free(text);
}

/* status --watch: until no cycle runs (shown once when none does). @return the exit status. */
static int watch_status(const struct request *rq, const char *line)
{
    bool tty = isatty(STDOUT_FILENO);
    struct g2d_ctl_reply rep;
    char why[600];

    if (tty)
        fputs("\033[H\033[2J", stdout);
    for (;;) {
        const char *state;
        bool running;

        if (fetch_status(rq, line, &rep, why, sizeof(why)) < 0)
            return unreachable(rq, why);
        if (!rep.ok) {
            int rc = print_reply(rq, &rep);

            g2d_ctl_reply_done(&rep);
            return rc;
        }
        state = json_string_value(json_object_get(rep.result, "state"));
        running = state && strcmp(state, "running") == 0;
        draw_status(tty, rep.result);
        g2d_ctl_reply_done(&rep);
        if (!running)
            return 0; /* the cycle ended, or none ran: `sync` answers once it started */
        sleep(1);
    }
}

int main(int argc, char **argv)
{
    struct request rq = {.timeout_s = DEFAULT_TIMEOUT_S, .limit = -1};
    struct g2d_ctl_reply rep;
    struct g2d_error err = {0};
    struct g2d_buf b;
    char *line, why[600];
    int r;

    rq.path = getenv("GLUE2DLF_SOCKET");
    if (!rq.path || !*rq.path)
        rq.path = DEFAULT_SOCKET;
    r = parse_options(argc, argv, &rq);
    if (r < 0)
        r = parse_command(argc, argv, &rq);
    if (r >= 0)
        return r;
    line = request_line(&rq);
    if (!line) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_FAIL;
    }
    if (rq.watch && !rq.json) {
        r = watch_status(&rq, line);
        free(line);
        return r;
    }
    g2d_buf_init(&b, REPLY_MAX);
    r = exchange(&rq, line, &b, why, sizeof(why));
    free(line);
    if (r < 0) {
        g2d_buf_done(&b);
        return unreachable(&rq, why);
    }
    r = g2d_ctl_parse_reply(g2d_buf_cstr(&b), b.len, &rep, &err);
    g2d_buf_done(&b);
    if (r < 0) {
        snprintf(why, sizeof(why), "bad reply from '%s': %s", rq.path, err.msg);
        return unreachable(&rq, why);
    }
    r = print_reply(&rq, &rep);
    g2d_ctl_reply_done(&rep);
    return r;
}
