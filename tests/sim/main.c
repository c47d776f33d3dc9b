/* SPDX-License-Identifier: MIT */
/*
 * glue2dlf-sim: a loopback simulator of the AWS Glue Data Catalog API (JSON 1.1, SigV4)
 * and the Alibaba Cloud DLF metastore API (ACS3 / ROA signatures), for integration tests,
 * the demo and benchmarks. Not installed.
 *
 * Usage: glue2dlf-sim [options]; runs until SIGTERM or SIGINT, then exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: glue2dlf-sim [--bind 127.0.0.1|::1] [--glue-port N] [--dlf-port N]\n"
               "         [--port-file FILE] [--seed S] [--databases N] [--tables-per-db N]\n"
               "         [--partitions-per-table N] [--functions-per-db N] [--columns N]\n"
               "         [--partition-keys 1..3] [--plain] [--dlf-from-glue] [--dlf-batch-cap N]\n"
               "         [--dlf-page-max N] [--glue-max-partitions N] [--dlf-errors-200]\n"
               "         [--glue-access-key-id ID --glue-secret-access-key S "
               "[--glue-session-token T]]\n"
               "         [--dlf-access-key-id ID --dlf-access-key-secret S]\n"
               "         [--glue-catalog-id ID] [--dlf-catalog-id ID] [--dlf-catalog-type T]\n"
               "         [--latency-ms N]\n"
               "         [--glue-rps N] [--dlf-rps N] [--verbose]\n"
               "         [--cred-lifetime SEC] [--imds-v1] [--imds-region R] [--glue-region R]\n"
               "         [--container-token T]\n"
               "         [--web-identity-token T]   (credential services: tests/sim/creds.c)\n"
               "Ports 0 (the default) are ephemeral; --port-file receives "
               "\"glue=<port>\\ndlf=<port>\\n\".\n");
}

enum {
    OPT_BIND = 256,
    OPT_GLUE_PORT,
    OPT_DLF_PORT,
    OPT_PORT_FILE,
    OPT_SEED,
    OPT_DATABASES,
    OPT_DLF_FROM_GLUE,
    OPT_TABLES,
    OPT_PARTITIONS,
    OPT_FUNCTIONS,
    OPT_COLUMNS,
    OPT_PKEYS,
    OPT_BATCH_CAP,
    OPT_DLF_FROM_GLUE2,
    OPT_GLUE_AKID,
    OPT_GLUE_SECRET,
    OPT_GLUE_TOKEN,
    OPT_DLF_AKID,
    OPT_DLF_SECRET,
    OPT_GLUE_CATALOG,
    OPT_DLF_CATALOG,
    OPT_DLF_CATALOG_TYPE,
    OPT_LATENCY,
    OPT_GLUE_RPS,
    OPT_DLF_RPS,
    OPT_VERBOSE,
    OPT_PLAIN,
    OPT_CRED_LIFETIME,
    OPT_IMDS_V1,
    OPT_IMDS_REGION,
    OPT_GLUE_REGION,
    OPT_CONTAINER_TOKEN,
    OPT_WEB_IDENTITY_TOKEN,
    OPT_DLF_PAGE_MAX,
    OPT_DLF_ERRORS_200,
    OPT_GLUE_MAX_PARTS,
    OPT_HELP,
};

static const struct option options[] = {
    {"bind", required_argument, NULL, OPT_BIND},
    {"glue-port", required_argument, NULL, OPT_GLUE_PORT},
    {"dlf-port", required_argument, NULL, OPT_DLF_PORT},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"databases", required_argument, NULL, OPT_DATABASES},
    {"dlf-databases-from-glue", no_argument, NULL, OPT_DLF_FROM_GLUE},
    {"tables-per-db", required_argument, NULL, OPT_TABLES},
    {"partitions-per-table", required_argument, NULL, OPT_PARTITIONS},
    {"functions-per-db", required_argument, NULL, OPT_FUNCTIONS},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"partition-keys", required_argument, NULL, OPT_PKEYS},
    {"dlf-batch-cap", required_argument, NULL, OPT_BATCH_CAP},
    {"dlf-from-glue", no_argument, NULL, OPT_DLF_FROM_GLUE2},
    {"dlf-page-max", required_argument, NULL, OPT_DLF_PAGE_MAX},
    {"dlf-errors-200", no_argument, NULL, OPT_DLF_ERRORS_200},
    {"glue-max-partitions", required_argument, NULL, OPT_GLUE_MAX_PARTS},
    {"glue-access-key-id", required_argument, NULL, OPT_GLUE_AKID},
    {"glue-secret-access-key", required_argument, NULL, OPT_GLUE_SECRET},
    {"glue-session-token", required_argument, NULL, OPT_GLUE_TOKEN},
    {"dlf-access-key-id", required_argument, NULL, OPT_DLF_AKID},
    {"dlf-access-key-secret", required_argument, NULL, OPT_DLF_SECRET},
    {"glue-catalog-id", required_argument, NULL, OPT_GLUE_CATALOG},
    {"dlf-catalog-id", required_argument, NULL, OPT_DLF_CATALOG},
    {"dlf-catalog-type", required_argument, NULL, OPT_DLF_CATALOG_TYPE},
    {"latency-ms", required_argument, NULL, OPT_LATENCY},
    {"glue-rps", required_argument, NULL, OPT_GLUE_RPS},
    {"dlf-rps", required_argument, NULL, OPT_DLF_RPS},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"cred-lifetime", required_argument, NULL, OPT_CRED_LIFETIME},
    {"imds-v1", no_argument, NULL, OPT_IMDS_V1},
    {"imds-region", required_argument, NULL, OPT_IMDS_REGION},
    {"glue-region", required_argument, NULL, OPT_GLUE_REGION},
    {"container-token", required_argument, NULL, OPT_CONTAINER_TOKEN},
    {"web-identity-token", required_argument, NULL, OPT_WEB_IDENTITY_TOKEN},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!*s || *s == '-')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_rps(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !(v >= 0) || v > 1e9)
        return -EINVAL;
    *out = v;
    return 0;
}

/* A numeric option @p c: @return 0 (set), 1 (bad value) or -1 (not a numeric option). */
static int num_option(int c, struct sim_config *cfg)
{
    uint64_t v = 0;
    int bad;

    switch (c) {
    case OPT_GLUE_PORT:
        bad = parse_u64(optarg, 65535, &v);
        cfg->glue_port = (unsigned)v;
        return bad != 0;
    case OPT_DLF_PORT:
        bad = parse_u64(optarg, 65535, &v);
        cfg->dlf_port = (unsigned)v;
        return bad != 0;
    case OPT_SEED:
        return parse_u64(optarg, UINT64_MAX, &cfg->seed) != 0;
    case OPT_DATABASES:
        bad = parse_u64(optarg, 10000000, &v);
        cfg->databases = (unsigned)v;
        return bad != 0;
    case OPT_TABLES:
        bad = parse_u64(optarg, 1000000, &v);
        cfg->tables_per_db = (unsigned)v;
        return bad != 0;
    case OPT_PARTITIONS:
        bad = parse_u64(optarg, 100000000, &v);
        cfg->partitions_per_table = (unsigned long)v;
        return bad != 0;
    case OPT_FUNCTIONS:
        bad = parse_u64(optarg, 1000000, &v);
        cfg->functions_per_db = (unsigned)v;
        return bad != 0;
    case OPT_COLUMNS:
        bad = parse_u64(optarg, 10000, &v) || v < 1;
        cfg->columns = (unsigned)v;
        return bad;
    case OPT_PKEYS:
        bad = parse_u64(optarg, 3, &v) || v < 1;
        cfg->partition_keys = (unsigned)v;
        return bad;
    case OPT_BATCH_CAP:
        bad = parse_u64(optarg, 1000000, &v) || v < 1;
        cfg->dlf_batch_cap = (unsigned)v;
        return bad;
    case OPT_DLF_PAGE_MAX:
        bad = parse_u64(optarg, 1000, &v) || v < 1;
        cfg->dlf_page_max = (unsigned)v;
        return bad;
    case OPT_GLUE_MAX_PARTS:
        bad = parse_u64(optarg, 100000000, &v);
        cfg->glue_max_parts = (unsigned long)v;
        return bad != 0;
    case OPT_LATENCY:
        bad = parse_u64(optarg, 600000, &v);
        cfg->latency_ms = (unsigned)v;
        return bad != 0;
    case OPT_GLUE_RPS:
        return parse_rps(optarg, &cfg->rps[SIM_GLUE]) != 0;
    case OPT_CRED_LIFETIME:
        bad = parse_u64(optarg, 86400, &v) || v < 1;
        cfg->cred_lifetime = (unsigned)v;
        return bad;
    case OPT_DLF_RPS:
        return parse_rps(optarg, &cfg->rps[SIM_DLF]) != 0;
    }
    return -1;
}

/* A string or flag option @p c: @return 0 (set) or -1 (not one of them). */
static int str_option(int c, struct sim_config *cfg)
{
    const char **s = NULL;

    switch (c) {
    case OPT_BIND:
        s = &cfg->bind;
        break;
    case OPT_PORT_FILE:
        s = &cfg->port_file;
        break;
    case OPT_GLUE_AKID:
        s = &cfg->glue_akid;
        break;
    case OPT_GLUE_SECRET:
        s = &cfg->glue_secret;
        break;
    case OPT_GLUE_TOKEN:
        s = &cfg->glue_token;
        break;
    case OPT_DLF_AKID:
        s = &cfg->dlf_akid;
        break;
    case OPT_DLF_SECRET:
        s = &cfg->dlf_secret;
        break;
    case OPT_GLUE_CATALOG:
        s = &cfg->glue_catalog_id;
        break;
    case OPT_DLF_CATALOG:
        s = &cfg->dlf_catalog_id;
        break;
    case OPT_DLF_CATALOG_TYPE:
        s = &cfg->dlf_catalog_type;
        break;
    case OPT_CONTAINER_TOKEN:
        s = &cfg->container_token;
        break;
    case OPT_WEB_IDENTITY_TOKEN:
        s = &cfg->web_identity_token;
        break;
    case OPT_IMDS_REGION:
        s = &cfg->imds_region;
        break;
    case OPT_GLUE_REGION:
        s = &cfg->glue_region;
        break;
    case OPT_IMDS_V1:
        cfg->imds_v1 = 1;
        return 0;
    case OPT_DLF_FROM_GLUE:
    case OPT_DLF_FROM_GLUE2:
        cfg->dlf_from_glue = 1;
        return 0;
    case OPT_PLAIN:
        cfg->plain = 1;
        return 0;
    case OPT_DLF_ERRORS_200:
        cfg->dlf_errors_200 = 1;
        return 0;
    case OPT_VERBOSE:
        cfg->verbose = 1;
        return 0;
    default:
        return -1;
    }
    *s = optarg;
    return 0;
}

static int parse_args(int argc, char **argv, struct sim_config *cfg)
{
    int c;

    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        int bad;

        if (c == OPT_HELP) {
            usage(stdout);
            exit(0);
        }
        if (str_option(c, cfg) == 0)
            continue;
        bad = num_option(c, cfg);
        if (bad < 0) {
            usage(stderr);
            return -EINVAL;
        }
        if (bad) {
            fprintf(stderr, "glue2dlf-sim: invalid value '%s' for --%s\n", optarg,
                    options[c - OPT_BIND].name);
            return -EINVAL;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return -EINVAL;
    }
    if (!*cfg->glue_akid || !*cfg->glue_secret || !*cfg->dlf_akid || !*cfg->dlf_secret) {
        fprintf(stderr, "glue2dlf-sim: access key ids and secrets must not be empty\n");
        return -EINVAL;
    }
    return 0;
}

static int write_port_file(const char *path, unsigned glue, unsigned dlf)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    FILE *f;
    int r = 0;

    if (!tmp)
        return -ENOMEM;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "w");
    if (!f) {
        r = -errno;
        free(tmp);
        return r;
    }
    fprintf(f, "glue=%u\ndlf=%u\n", glue, dlf);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        r = -errno;
        unlink(tmp);
    }
    free(tmp);
    return r;
}

static int sim_init(struct sim *sim)
{
    struct sim_gen_opts go;
    int s, r;

    pthread_mutex_init(&sim->mu, NULL);
    sim->glue_catalog = sim->cfg.glue_catalog_id ? sim->cfg.glue_catalog_id : "123456789012";
    for (s = 0; s < SIM_NSIDES; s++)
        sim_catalog_init(&sim->cat[s]);
    sim->stats[SIM_GLUE].ops = calloc(sim_glue_nops, sizeof(unsigned long));
    sim->stats[SIM_DLF].ops = calloc(sim_dlf_nops, sizeof(unsigned long));
    if (!sim->stats[SIM_GLUE].ops || !sim->stats[SIM_DLF].ops)
        return -ENOMEM;
    sim_nonces_init(&sim->nonces);
    sim->reqid_state = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();

    memset(&go, 0, sizeof(go));
    go.seed = sim->cfg.seed;
    go.databases = sim->cfg.databases;
    go.tables_per_db = sim->cfg.tables_per_db;
    go.partitions_per_table = sim->cfg.partitions_per_table;
    go.functions_per_db = sim->cfg.functions_per_db;
    go.columns = sim->cfg.columns;
    go.partition_keys = sim->cfg.partition_keys;
    go.plain = sim->cfg.plain;
    go.catalog_id = sim->glue_catalog;
    r = sim_gen_glue(&sim->cat[SIM_GLUE], &go);
    if (r == 0 && sim->cfg.dlf_from_glue)
        r = sim_gen_dlf_from_glue(&sim->cat[SIM_DLF], &sim->cat[SIM_GLUE], "sim-user");
    return r;
}

static void sim_done(struct sim *sim)
{
    int s;

    for (s = 0; s < SIM_NSIDES; s++) {
        sim_catalog_done(&sim->cat[s]);
        free(sim->stats[s].ops);
    }
    sim_nonces_done(&sim->nonces);
    free(sim->faults);
    pthread_mutex_destroy(&sim->mu);
}

int main(int argc, char **argv)
{
    static struct sim sim;
    struct sim_listener glue = {.sim = &sim, .side = SIM_GLUE};
    struct sim_listener dlf = {.sim = &sim, .side = SIM_DLF};
    sigset_t set;
    int sig = 0, r, rc = 1;

    sim.cfg.bind = "127.0.0.1";
    sim.cfg.glue_akid = "AKIDSIM";
    sim.cfg.glue_secret = "sim-glue-secret";
    sim.cfg.dlf_akid = "LTAISIM";
    sim.cfg.dlf_secret = "sim-dlf-secret";
    sim.cfg.columns = 12;
    sim.cfg.cred_lifetime = 3600;
    sim.cfg.partition_keys = 2;
    sim.cfg.dlf_batch_cap = 1000;
    sim.cfg.dlf_page_max = 1000;
    sim.cfg.glue_max_parts = SIM_GLUE_MAX_PARTS;
    if (parse_args(argc, argv, &sim.cfg) < 0)
        return 2;
    if (strcmp(sim.cfg.bind, "127.0.0.1") != 0 && strcmp(sim.cfg.bind, "::1") != 0) {
        fprintf(stderr, "glue2dlf-sim: --bind must be 127.0.0.1 or ::1 (loopback only)\n");
        return 2;
    }

    /* Block the stop signals before any thread exists, so only sigwait() sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    r = sim_init(&sim);
    if (r < 0) {
        fprintf(stderr, "glue2dlf-sim: cannot build the catalog: %s\n", strerror(-r));
        goto out;
    }
    r = sim_listener_start(&glue, sim.cfg.bind, sim.cfg.glue_port);
    if (r == 0)
        r = sim_listener_start(&dlf, sim.cfg.bind, sim.cfg.dlf_port);
    if (r < 0) {
        fprintf(stderr, "glue2dlf-sim: cannot listen on %s: %s\n", sim.cfg.bind, strerror(-r));
        goto out;
    }
    if (sim.cfg.port_file) {
        r = write_port_file(sim.cfg.port_file, glue.port, dlf.port);
        if (r < 0) {
            fprintf(stderr, "glue2dlf-sim: cannot write '%s': %s\n", sim.cfg.port_file,
                    strerror(-r));
            goto out;
        }
    }
    sim_log(&sim, "listening on %s: glue=%u dlf=%u, %u databases (seed %llu)", sim.cfg.bind,
            glue.port, dlf.port, sim.cfg.databases, (unsigned long long)sim.cfg.seed);

    while (sigwait(&set, &sig) != 0)
        ;
    sim_log(&sim, "signal %d, stopping", sig);
    rc = 0;

out:
    sim_listener_stop(&glue);
    sim_listener_stop(&dlf);
    sim_done(&sim);
    return rc;
}
