/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfctl: the control client of glue2dlfd. Parses the command line, sends one request
 * line, reads one reply line (transport.c) and prints it, as JSON or for a person
 * (output.c).
 *
 * Exit status: 0 the daemon answered ok, 1 it answered ok:false, 2 usage error, cannot
 * connect, timeout or a broken reply.
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

#include "output.h"
#include "transport.h"

#define DEFAULT_SOCKET G2D_DEFAULT_CONTROL_SOCKET
#define REPLY_MAX (64u << 20)
#define DEFAULT_TIMEOUT_S 30

static const char *prog = "glue2dlfctl";

/* What the command line asks for. */
struct request {
    const char *path, *cmd;
    enum g2d_ctl_cmd c;
    bool json, timeout_set, wait, full;
    long long timeout_s, limit;
};

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

/* Options before the command. @return -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct request *rq)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int r;

    while ((r = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
        switch (r) {
        case 's':
            rq->path = optarg;
            break;
        case 'j':
            rq->json = true;
            break;
        case 't':
            if (parse_uint(optarg, 1000000, &rq->timeout_s) < 0) {
                fprintf(stderr, "%s: --timeout: not a number of seconds: '%s'\n", prog, optarg);
                return 2;
            }
            rq->timeout_set = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    return -1;
}

/* The command and its arguments, from argv[optind] on. @return -1 to go on, else 2. */
static int parse_command(int argc, char **argv, struct request *rq)
{
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    rq->cmd = argv[optind++];
    if (g2d_ctl_cmd_lookup(rq->cmd, &rq->c) < 0) {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, rq->cmd);
        usage(stderr);
        return 2;
    }
    for (; optind < argc; optind++) {
        const char *a = argv[optind];

        if (rq->c == G2D_CTL_SYNC && strcmp(a, "--wait") == 0) {
            rq->wait = true;
        } else if (rq->c == G2D_CTL_SYNC && strcmp(a, "--full") == 0) {
            rq->full = true;
        } else if (rq->c == G2D_CTL_RESULTS && (strcmp(a, "-n") == 0 || strncmp(a, "-n", 2) == 0)) {
            const char *v = a[2] ? a + 2 : (optind + 1 < argc ? argv[++optind] : NULL);

            if (!v || parse_uint(v, G2D_CTL_RESULTS_MAX, &rq->limit) < 0 || rq->limit < 1) {
                fprintf(stderr, "%s: results -n: expected a number from 1 to %d\n", prog,
                        G2D_CTL_RESULTS_MAX);
                return 2;
            }
        } else if (strcmp(a, "--json") == 0) {
            rq->json = true;
        } else {
            fprintf(stderr, "%s: %s: unexpected argument '%s'\n", prog, rq->cmd, a);
            usage(stderr);
            return 2;
        }
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
    return g2d_ctl_request_format(1, rq->cmd, args);
}

/* Send @p line and read the reply line into @p b. @return 0 or -1 (reported). */
static int exchange(const struct request *rq, const char *line, struct g2d_buf *b)
{
    const char *path = rq->path;
    int fd, r;

    fd = ctl_connect(path);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot connect to '%s': %s\n", prog, path, strerror(errno));
        return -1;
    }
    if (ctl_send_all(fd, line, strlen(line)) < 0) {
        fprintf(stderr, "%s: cannot send to '%s': %s\n", prog, path, strerror(errno));
        close(fd);
        return -1;
    }
    r = ctl_read_line(fd, b, rq->timeout_s > 0 ? rq->timeout_s * 1000 : -1);
    close(fd);
    if (r == 0)
        return 0;
    if (r == -ETIMEDOUT)
        fprintf(stderr, "%s: no reply from '%s' within %llds\n", prog, path, rq->timeout_s);
    else if (r == -EPIPE)
        fprintf(stderr, "%s: '%s' closed the connection without a reply\n", prog, path);
    else if (r == -E2BIG)
        fprintf(stderr, "%s: reply from '%s' larger than %u bytes\n", prog, path, REPLY_MAX);
    else
        fprintf(stderr, "%s: reading from '%s': %s\n", prog, path, strerror(-r));
    return -1;
}

/* Print the parsed reply. @return the exit status. */
static int print_reply(const struct request *rq, const struct g2d_ctl_reply *rep)
{
    int rc;

    if (!rep->ok) {
        if (rq->json)
            json_dumpf(rep->root, stdout, JSON_INDENT(2)), putchar('\n');
        fprintf(stderr, "%s: %s: %s\n", prog, rep->code, rep->message);
        rc = 1;
    } else {
        if (rq->json) {
            json_dumpf(rep->result, stdout, JSON_INDENT(2));
            putchar('\n');
        } else {
            output_reply(stdout, stderr, rq->cmd, rep->result);
        }
        rc = 0;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write output: %s\n", prog, strerror(errno));
        return 2;
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct request rq = {.timeout_s = DEFAULT_TIMEOUT_S, .limit = -1};
    struct g2d_ctl_reply rep;
    struct g2d_error err = {0};
    struct g2d_buf b;
    char *line;
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
        return 2;
    }
    g2d_buf_init(&b, REPLY_MAX);
    r = exchange(&rq, line, &b);
    free(line);
    if (r < 0) {
        g2d_buf_done(&b);
        return 2;
    }
    r = g2d_ctl_parse_reply(g2d_buf_cstr(&b), b.len, &rep, &err);
    g2d_buf_done(&b);
    if (r < 0) {
        fprintf(stderr, "%s: bad reply from '%s': %s\n", prog, rq.path, err.msg);
        return 2;
    }
    r = print_reply(&rq, &rep);
    g2d_ctl_reply_done(&rep);
    return r;
}
