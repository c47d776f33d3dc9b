/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd: options, start-up and exit. See daemon.h for the program's files.
 *
 * Life cycle: load config (exit 2 on error) → log sink → loop, HTTP engine, sync engine,
 * result log, control socket (exit 2 on failure) → signals, timers → READY=1 → uv_run.
 * Whatever the way out, main() leaves through one cleanup ladder at its out: label.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "glue2dlf/creds.h"

#include "check_creds.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"

static struct daemon the_daemon;

enum run_mode { MODE_RUN, MODE_CHECK_CONFIG, MODE_PRINT_CONFIG };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: glue2dlfd [OPTIONS]\n"
            "Keep an Alibaba Cloud DLF catalog in step with an AWS Glue Data Catalog.\n"
            "\n"
            "  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
            "      --once          run one cycle now, then exit (0 all items ok, 1 some\n"
            "                      failed or the cycle failed, 2 config or setup error);\n"
            "                      without result.path its result lines go to stdout\n"
            "      --quiet         with --once: no result lines on stdout\n"
            "      --dry-run       plan and report, never write to DLF\n"
            "      --check-config  validate the configuration, name each side's credential source\n"
            "                      and exit (0 ok, 2 invalid or no credentials)\n"
            "      --check-credentials  like --check-config, and fetch each side's\n"
            "                      credentials once (network: metadata, STS, ...)\n"
            "      --print-config  print the effective configuration, secrets masked\n"
            "      --socket PATH   control socket (overrides the configuration)\n"
            "      --checkpoint PATH  keep the snapshot in PATH across restarts (default\n"
            "                      $STATE_DIRECTORY/checkpoint under systemd; none: off);\n"
            "                      deleted objects are archived in deleted/ beside it\n"
            "      --checkpoint-interval SEC  also write it every SEC seconds during a\n"
            "                      long cycle (default 300; 0: only at the end)\n"
            "  -h, --help          show this help\n"
            "      --version       show the version\n");
}

enum {
    OPT_ONCE = 256,
    OPT_DRY_RUN,
    OPT_CHECK,
    OPT_CHECK_CREDS,
    OPT_PRINT,
    OPT_SOCKET,
    OPT_VERSION,
    OPT_CKPT,
    OPT_CKPT_IVL,
    OPT_QUIET
};

static bool check_online; /* --check-credentials */

/* --checkpoint-interval: seconds, 0..86400. */
static int parse_interval(const char *s, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 86400 || s[0] == '-') {
        fprintf(stderr,
                "glue2dlfd: --checkpoint-interval: not a number of seconds (0..86400): "
                "'%s'\n",
                s);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* @return -1 to go on (options stored in @p d and @p mode), else the exit status. */
static int parse_args(int argc, char **argv, struct daemon *d, enum run_mode *mode)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"once", no_argument, NULL, OPT_ONCE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"check-config", no_argument, NULL, OPT_CHECK},
        {"check-credentials", no_argument, NULL, OPT_CHECK_CREDS},
        {"print-config", no_argument, NULL, OPT_PRINT},
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"checkpoint", required_argument, NULL, OPT_CKPT},
        {"checkpoint-interval", required_argument, NULL, OPT_CKPT_IVL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    bool check = false, print = false;
    int c;

    d->config_path = DEFAULT_CONFIG;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            d->config_path = optarg;
            break;
        case OPT_ONCE:
            d->once = true;
            break;
        case OPT_QUIET:
            d->quiet = true;
            break;
        case OPT_DRY_RUN:
            d->dry_run_flag = true;
            break;
        case OPT_CHECK_CREDS:
            check_online = true;
            /* fall through */
        case OPT_CHECK:
            check = true;
            break;
        case OPT_PRINT:
            print = true;
            break;
        case OPT_CKPT:
            d->checkpoint = optarg;
            break;
        case OPT_CKPT_IVL:
            if (parse_interval(optarg, &d->ckpt_interval) < 0)
                return 2;
            break;
        case OPT_SOCKET:
            d->socket_override = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("glue2dlfd %s\n", G2D_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "glue2dlfd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    /* --check-config wins over --print-config, as it always has. */
    *mode = check ? MODE_CHECK_CONFIG : print ? MODE_PRINT_CONFIG : MODE_RUN;
    return -1;
}

/* The Glue region from instance metadata, asked once per process (an instance does not
 * move): the config loader's last source, installed for a run and --check-credentials. */
static int imds_region(bool v1_ok, char *buf, size_t sz)
{
    static char cached[64];
    static int tried; /* 0 not yet, 1 found, -1 failed */
    char why[300];

    if (tried == 0) {
        tried =
            g2d_creds_imds_region(v1_ok, cached, sizeof(cached), why, sizeof(why)) == 0 ? 1 : -1;
        if (tried > 0)
            fprintf(stderr, "glue2dlfd: glue.region '%s' from EC2 instance metadata\n", cached);
        else
            fprintf(stderr, "glue2dlfd: no glue.region from instance metadata: %s\n", why);
    }
    if (tried < 0 || strlen(cached) >= sz)
        return -ENOENT;
    strcpy(buf, cached);
    return 0;
}

static int load_config(const char *path, struct g2d_config **cfg)
{
    struct g2d_error err = {0};

    if (g2d_config_load(cfg, path, &err) < 0) {
        fprintf(stderr, "glue2dlfd: %s\n", err.msg[0] ? err.msg : "cannot load configuration");
        return -1;
    }
    return 0;
}

/*
 * --check-config: the config is valid, and each side has a source of credentials (planned
 * without network: a fetched source is named, not asked). @return the exit status.
 */
static int check_config(struct daemon *d)
{
    static const char *const side[2] = {"glue (AWS)", "dlf (Alibaba Cloud)"};
    bool ok = true;

    for (int i = 0; i < 2; i++) {
        struct g2d_creds *p = NULL;
        struct g2d_error err = {0};
        int r = g2d_creds_new(&p, i ? G2D_CREDS_ALIBABA : G2D_CREDS_AWS, d->cfg, &err);

        if (r == 0)
            printf("%s credentials: %s\n", side[i], g2d_creds_describe(p));
        else
            fprintf(stderr, "glue2dlfd: %s credentials: %s\n", side[i],
                    err.msg[0] ? err.msg : strerror(-r));
        ok = ok && r == 0;
        g2d_creds_free(p);
    }
    if (!ok)
        return 2;
    if (check_online) {
        fflush(stdout);
        if (check_creds_online(d->cfg, stdout, stderr) != 0)
            return 2;
    }
    printf("config OK: %s\n", d->config_path);
    return 0;
}

/* --check-config and --print-config. @return the exit status. */
static int config_only(struct daemon *d, enum run_mode mode)
{
    struct g2d_buf b;
    int r;

    if (mode == MODE_CHECK_CONFIG)
        return check_config(d);
    g2d_buf_init(&b, 0);
    r = g2d_config_print(d->cfg, &b);
    if (r == 0)
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
    else
        fprintf(stderr, "glue2dlfd: cannot print the configuration: %s\n", strerror(-r));
    g2d_buf_done(&b);
    return r == 0 ? 0 : 2;
}

/*
 * The snapshot's checkpoint: --checkpoint PATH, else $STATE_DIRECTORY/checkpoint when
 * systemd gave the service a state directory; "none" turns it off.
 */
static int setup_checkpoint(struct daemon *d)
{
    const char *path = d->checkpoint, *state = getenv("STATE_DIRECTORY");
    char buf[4096];

    if (!path && state && *state) {
        /* StateDirectory= may list several, colon-separated: the first is ours */
        snprintf(buf, sizeof(buf), "%.*s/checkpoint", (int)strcspn(state, ":"), state);
        path = buf;
    }
    if (!path || strcmp(path, "none") == 0)
        return 0;
    if (g2d_sync_set_checkpoint(d->sync, path, d->ckpt_interval) < 0) {
        log_error("out of memory");
        return -1;
    }
    log_info("checkpoint: '%s'", path);
    {
        /* The deleted-objects archive: "deleted/" beside the checkpoint. */
        const char *slash = strrchr(path, '/');
        char dir[4200];

        snprintf(dir, sizeof(dir), "%.*sdeleted", slash ? (int)(slash - path + 1) : 0, path);
        if (g2d_sync_set_archive(d->sync, dir) < 0) {
            log_error("out of memory");
            return -1;
        }
    }
    return 0;
}

/* The OSS result log signs with DLF's credentials in force (-EAGAIN: being fetched). */
int daemon_dlf_creds(void *arg, struct g2d_oss_creds *out)
{
    const struct daemon *d = arg;
    struct g2d_creds_view cv;
    int r;

    memset(out, 0, sizeof(*out));
    r = d->sync ? g2d_creds_get(g2d_sync_creds(d->sync, 1), (int64_t)time(NULL), &cv) : -ENOKEY;
    if (r < 0)
        return r;
    out->access_key_id = cv.id;
    out->access_key_secret = cv.secret;
    out->security_token = cv.token;
    return 0;
}

int daemon_result_log_open(struct daemon *d, const struct g2d_config *cfg, struct result_log *out,
                           struct g2d_error *err)
{
    struct result_log_env env = {.http = d->http, .creds = daemon_dlf_creds, .creds_arg = d};

    /* --once as the legacy driver ran: the result lines on standard output, logs apart. */
    if (!cfg->result_path && d->once && !d->quiet)
        return result_log_open(out, "-", err);
    return result_log_open_cfg(out, cfg, &env, err);
}

/* A daemon without credentials for a side would only fail every cycle: refuse to start. */
static int check_sources(struct daemon *d)
{
    int bad = 0;

    for (int i = 0; i < 2; i++) {
        const struct g2d_creds *p = g2d_sync_creds(d->sync, i);

        if (g2d_creds_found(p)) {
            log_info("%s credentials: %s", i ? "DLF" : "Glue", g2d_creds_describe(p));
            continue;
        }
        log_error("%s", p ? g2d_creds_error(p) : "no credentials");
        bad = -1;
    }
    return bad;
}

/* The results ring, the HTTP and sync engines and the result log. */
static int setup_engines(struct daemon *d)
{
    struct g2d_error err = {0};
    struct g2d_http_opts hopts = {0};

    g2d_buf_init(&d->fmt, 1u << 20);
    if (results_ring_init(&d->ring, RESULTS_RING) < 0 ||
        fixed_settings_capture(&d->fixed, d->cfg, d->socket_override) < 0) {
        log_error("out of memory");
        return -1;
    }
    hopts.ca_file = d->cfg->ca_file;
    hopts.connect_timeout_ms = d->cfg->connect_timeout_ms;
    hopts.timeout_ms = d->cfg->request_timeout_ms;
    hopts.max_body = d->cfg->max_response_bytes;
    if (g2d_http_new(&d->http, d->loop, &hopts, &err) < 0) {
        log_error("cannot start the HTTP engine: %s", err.msg);
        return -1;
    }
    if (g2d_sync_new(&d->sync, d->http, d->cfg, cycle_on_item, d, &err) < 0) {
        log_error("cannot start the sync engine: %s", err.msg);
        return -1;
    }
    if (setup_checkpoint(d) < 0 || check_sources(d) < 0)
        return -1;
    if (daemon_result_log_open(d, d->cfg, &d->result_log, &err) < 0) {
        log_error("%s", err.msg);
        return -1;
    }
    return 0;
}

/* The control socket; with --once the daemon can do without it. */
static int setup_control(struct daemon *d)
{
    struct g2d_error err = {0};
    struct ctl_server_opts copts = {0};

    copts.path = d->fixed.socket_path;
    copts.mode = d->fixed.socket_mode;
    copts.dispatch = ctl_cmds_dispatch;
    copts.arg = d;
    if (ctl_server_start(&d->ctl, d->loop, &copts, &err) < 0) {
        if (!d->once) {
            log_error("%s", err.msg);
            return -1;
        }
        log_warning("%s; continuing without a control socket (--once)", err.msg);
        d->ctl = NULL;
    }
    return 0;
}

/* The scrape endpoint, if metrics.listen asks for one; with --once the daemon can do
 * without it. */
static int setup_scrape(struct daemon *d)
{
    struct g2d_error err = {0};

    if (scrape_apply(d, d->cfg, &err) == 0)
        return 0;
    if (!d->once) {
        log_error("%s", err.msg);
        return -1;
    }
    log_warning("%s; continuing without a scrape endpoint (--once)", err.msg);
    return 0;
}

/* Timers, signal handlers and the watchdog. */
static int setup_handles(struct daemon *d)
{
    int r;

    (void)uv_timer_init(d->loop, &d->sched_timer);
    (void)uv_timer_init(d->loop, &d->status_timer);
    (void)uv_signal_init(d->loop, &d->sig_term);
    (void)uv_signal_init(d->loop, &d->sig_int);
    (void)uv_signal_init(d->loop, &d->sig_hup);
    d->handles_up = true;
    d->sched_timer.data = d->status_timer.data = d;
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    if (uv_signal_start(&d->sig_term, shutdown_on_signal, SIGTERM) < 0 ||
        uv_signal_start(&d->sig_int, shutdown_on_signal, SIGINT) < 0 ||
        uv_signal_start(&d->sig_hup, shutdown_on_signal, SIGHUP) < 0) {
        log_error("cannot install signal handlers");
        return -1;
    }
    (void)uv_timer_start(&d->status_timer, status_on_timer, 1000, 1000);
    r = notify_watchdog_start(d->loop, schedule_healthy, d);
    if (r < 0)
        log_warning("cannot start the watchdog timer: %s", uv_strerror(r));
    return 0;
}

/* Everything the loop needs, in order; on failure teardown_failed() undoes it. */
static int setup(struct daemon *d)
{
    d->loop = uv_default_loop();
    d->started_mono = uv_now(d->loop);
    d->last_start_mono = d->started_mono;
    d->last_full_mono = d->started_mono;
    d->started_wall_s = (int64_t)time(NULL);
    if (setup_engines(d) < 0 || setup_control(d) < 0 || setup_scrape(d) < 0 || setup_handles(d) < 0)
        return -1;
    return 0;
}

/* Tear down what setup() built when start-up fails; returns once the loop is closed. */
static void teardown_failed(struct daemon *d)
{
    if (!d->loop)
        return;
    d->stopping = true;
    shutdown_finish(d);
    (void)uv_run(d->loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(d->loop);
}

static void log_lifecycle(struct daemon *d, bool started)
{
    struct log_field f[] = {{"GLUE2DLF_CONFIG", d->config_path}};

    if (!started) {
        log_fields(LOG_INFO, LOG_MID_STOPPED, f, 1, "glue2dlfd stopped");
        return;
    }
    log_fields(LOG_INFO, LOG_MID_STARTED, f, 1,
               "glue2dlfd %s started: config '%s', control socket '%s'%s%s", G2D_VERSION,
               d->config_path, d->fixed.socket_path, daemon_dry_run(d) ? ", dry run" : "",
               d->once ? ", one cycle" : "");
}

/* Announce the start, run the first cycle or schedule it, tell systemd we are ready.
 * @return 0, or -1 if --once could not start its cycle. */
static int go_live(struct daemon *d)
{
    int r;

    log_lifecycle(d, true);
    d->exit_code = 0;
    if (d->once || d->cfg->run_on_start) {
        r = cycle_start(d, false, false);
        if (r < 0) {
            log_error("cannot start the first cycle: %s", strerror(-r));
            if (d->once)
                return -1;
            schedule_next(d);
        }
    } else {
        schedule_next(d);
    }
    status_update(d);
    notify_ready();
    return 0;
}

/* Run the loop until shutdown has closed every handle. @return the exit status. */
static int run(struct daemon *d)
{
    int r;

    (void)uv_run(d->loop, UV_RUN_DEFAULT);
    r = uv_loop_close(d->loop);
    if (r < 0) {
        log_error("internal error: handles left open at exit (%s)", uv_strerror(r));
        if (d->exit_code == 0)
            d->exit_code = 1;
    }
    log_lifecycle(d, false);
    return d->exit_code;
}

/* Free what the daemon still owns once the loop is gone (or was never made). */
static void daemon_free(struct daemon *d)
{
    for (size_t i = 0; i < d->nretired; i++)
        g2d_config_free(d->retired[i]);
    d->nretired = 0;
    g2d_config_free(d->cfg);
    d->cfg = NULL;
    result_log_close(&d->result_log);
    results_ring_done(&d->ring);
    g2d_buf_done(&d->fmt);
    fixed_settings_done(&d->fixed);
}

int main(int argc, char **argv)
{
    struct daemon *d = &the_daemon;
    enum run_mode mode = MODE_RUN;
    int rc;

    d->ckpt_interval = 300;
    rc = parse_args(argc, argv, d, &mode);
    if (rc >= 0)
        return rc;
    /* The process holds cloud secrets: no core dumps, no ptrace by other users. */
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (mode == MODE_RUN || check_online)
        g2d_config_set_region_lookup(imds_region);
    if (load_config(d->config_path, &d->cfg) < 0)
        return 2;
    if (mode != MODE_RUN) {
        rc = config_only(d, mode);
        goto out;
    }
    log_init(d->cfg->log_target, d->cfg->log_level);
    /* Writes to a closed control client must not kill us (libuv reports EPIPE). */
    signal(SIGPIPE, SIG_IGN);
    if (setup(d) < 0 || go_live(d) < 0) {
        teardown_failed(d);
        rc = 2;
        goto out;
    }
    rc = run(d);

out:
    daemon_free(d);
    return rc;
}
