/* SPDX-License-Identifier: MIT */
/*
 * Config loader tests: a table of bad files with their exact messages
 * (tests/data/config/bad/NAME.{yaml,properties} + NAME.err), good files with field-level
 * checks, legacy/YAML equivalence, print/reload round trip and secret masking, the
 * permission check, and secrets from the environment and from systemd credentials.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"

static char data_dir[PATH_MAX];

static const char *const env_vars[] = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "CREDENTIALS_DIRECTORY",
    "G2D_TEST_UNSET_VARIABLE",
    "G2D_TEST_GLUE_SECRET",
    "G2D_TEST_DLF_TOKEN",
    "GLUE_SECRET",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
};

/* Every test starts from an environment without any variable the loader looks at. */
static int clean_env(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
        unsetenv(env_vars[i]);
    /* No region from the user's own ~/.aws/config. */
    setenv("AWS_CONFIG_FILE", "/nonexistent/glue2dlf-test/config", 1);
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

/* Load tests/data/config/SUB/NAME from memory, named NAME in messages. */
static int load_data(const char *sub, const char *name, struct g2d_config **cfg,
                     struct g2d_error *err)
{
    char path[PATH_MAX * 2];
    size_t len = 0;
    char *data;
    int r;

    snprintf(path, sizeof(path), "%s/%s/%s", data_dir, sub, name);
    data = read_all(path, &len);
    if (!data)
        fail_msg("cannot read %s", path);
    r = g2d_config_load_buffer(cfg, name, data, len, has_suffix(name, ".properties"), err);
    free(data);
    return r;
}

static struct g2d_config *load_good(const char *name)
{
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};

    if (load_data("good", name, &cfg, &err) < 0)
        fail_msg("%s: %s", name, err.msg);
    return cfg;
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_secret_equal(const struct g2d_secret *a, const struct g2d_secret *b)
{
    assert_str_eq_or_null(a->value, b->value);
    assert_int_equal(a->source, b->source);
    assert_str_eq_or_null(a->origin, b->origin);
}

static void assert_endpoint_equal(const struct g2d_endpoint_config *a,
                                  const struct g2d_endpoint_config *b)
{
    assert_str_eq_or_null(a->endpoint, b->endpoint);
    assert_int_equal(a->max_concurrency, b->max_concurrency);
    assert_true(a->max_rps == b->max_rps);
    assert_int_equal(a->page_size, b->page_size);
}

/* Compare every field except path and legacy; secrets only when asked. */
static void assert_config_equal(const struct g2d_config *a, const struct g2d_config *b,
                                bool secrets)
{
    size_t i;

    assert_str_eq_or_null(a->glue.region, b->glue.region);
    assert_str_eq_or_null(a->glue.catalog_id, b->glue.catalog_id);
    assert_str_eq_or_null(a->glue.access_key_id, b->glue.access_key_id);
    if (secrets) {
        assert_secret_equal(&a->glue.secret_access_key, &b->glue.secret_access_key);
        assert_secret_equal(&a->glue.session_token, &b->glue.session_token);
        assert_secret_equal(&a->dlf.access_key_secret, &b->dlf.access_key_secret);
        assert_secret_equal(&a->dlf.security_token, &b->dlf.security_token);
    }
    assert_endpoint_equal(&a->glue.http, &b->glue.http);
    assert_int_equal(a->glue.partition_segments, b->glue.partition_segments);
    assert_str_eq_or_null(a->dlf.region, b->dlf.region);
    assert_str_eq_or_null(a->dlf.catalog_id, b->dlf.catalog_id);
    assert_str_eq_or_null(a->dlf.access_key_id, b->dlf.access_key_id);
    assert_int_equal(a->dlf.signature, b->dlf.signature);
    assert_endpoint_equal(&a->dlf.http, &b->dlf.http);
    assert_int_equal(a->dlf.batch_size, b->dlf.batch_size);
    assert_int_equal(a->interval_ms, b->interval_ms);
    assert_int_equal(a->jitter_ms, b->jitter_ms);
    assert_int_equal(a->full_reconcile_ms, b->full_reconcile_ms);
    assert_int_equal(a->run_on_start, b->run_on_start);
    assert_int_equal(a->objects, b->objects);
    assert_int_equal(a->ndatabases, b->ndatabases);
    for (i = 0; i < a->ndatabases; i++)
        assert_string_equal(a->databases[i], b->databases[i]);
    assert_int_equal(a->ntable_prefixes, b->ntable_prefixes);
    for (i = 0; i < a->ntable_prefixes; i++)
        assert_string_equal(a->table_prefixes[i], b->table_prefixes[i]);
    assert_int_equal(a->npartition_filters, b->npartition_filters);
    for (i = 0; i < a->npartition_filters; i++) {
        assert_string_equal(a->partition_filters[i].database, b->partition_filters[i].database);
        assert_string_equal(a->partition_filters[i].table, b->partition_filters[i].table);
        assert_string_equal(a->partition_filters[i].expression, b->partition_filters[i].expression);
    }
    assert_int_equal(a->nrenames, b->nrenames);
    for (i = 0; i < a->nrenames; i++) {
        assert_string_equal(a->renames[i].database, b->renames[i].database);
        assert_string_equal(a->renames[i].table ? a->renames[i].table : "-",
                            b->renames[i].table ? b->renames[i].table : "-");
        assert_string_equal(a->renames[i].to, b->renames[i].to);
    }
    assert_int_equal(a->nlocation_map, b->nlocation_map);
    for (i = 0; i < a->nlocation_map; i++) {
        assert_string_equal(a->location_map[i].from, b->location_map[i].from);
        assert_string_equal(a->location_map[i].to, b->location_map[i].to);
    }
    assert_int_equal(a->dry_run, b->dry_run);
    assert_int_equal(a->deletes, b->deletes);
    assert_int_equal(a->max_deletes, b->max_deletes);
    assert_true(a->max_delete_fraction == b->max_delete_fraction);
    assert_str_eq_or_null(a->ca_file, b->ca_file);
    assert_int_equal(a->connect_timeout_ms, b->connect_timeout_ms);
    assert_int_equal(a->request_timeout_ms, b->request_timeout_ms);
    assert_int_equal(a->max_attempts, b->max_attempts);
    assert_int_equal(a->max_response_bytes, b->max_response_bytes);
    assert_str_eq_or_null(a->result_path, b->result_path);
    assert_str_eq_or_null(a->control_socket, b->control_socket);
    assert_int_equal(a->control_mode, b->control_mode);
    assert_int_equal(a->log_target, b->log_target);
    assert_int_equal(a->log_level, b->log_level);
    assert_str_eq_or_null(a->glue_url, b->glue_url);
    assert_str_eq_or_null(a->dlf_url, b->dlf_url);
}

/* ---- bad files ------------------------------------------------------------------------ */

static void test_bad_files(void **state)
{
    char dir[PATH_MAX + 16], errpath[PATH_MAX * 2];
    struct dirent **ents;
    int n, i, checked = 0, failures = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/bad", data_dir);
    n = scandir(dir, &ents, NULL, alphasort);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        struct g2d_config *cfg = NULL;
        struct g2d_error err = {0};
        char *expect, *dot;
        size_t len = 0;
        int r;

        if (!has_suffix(name, ".yaml") && !has_suffix(name, ".properties")) {
            free(ents[i]);
            continue;
        }
        snprintf(errpath, sizeof(errpath), "%s/%s", dir, name);
        dot = strrchr(errpath, '.');
        strcpy(dot, ".err");
        expect = read_all(errpath, &len);
        if (!expect)
            fail_msg("%s: missing expected-error file %s", name, errpath);
        while (len && (expect[len - 1] == '\n' || expect[len - 1] == '\r'))
            expect[--len] = '\0';
        r = load_data("bad", name, &cfg, &err);
        if (r == 0) {
            print_error("%s: loaded, expected: %s\n", name, expect);
            g2d_config_free(cfg);
            failures++;
        } else if (strcmp(err.msg, expect) != 0) {
            print_error("%s:\n  got:      %s\n  expected: %s\n", name, err.msg, expect);
            failures++;
        } else if (r != err.code || err.line < 1 || err.col < 1) {
            print_error("%s: code %d/%d line %d col %d\n", name, r, err.code, err.line, err.col);
            failures++;
        }
        checked++;
        free(expect);
        free(ents[i]);
    }
    free(ents);
    assert_int_equal(failures, 0);
    assert_true(checked >= 20);
}

/* The errors name their key in the documented form. */
static void test_bad_message_form(void **state)
{
    static const char doc[] = "glue:\n  region: us-east-1\n  max_concurrency: 0\n";
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};

    (void)state;
    assert_int_equal(g2d_config_load_buffer(&cfg, "x.yaml", doc, strlen(doc), false, &err),
                     -EINVAL);
    assert_null(cfg);
    assert_string_equal(err.msg, "x.yaml:3:20: key 'glue.max_concurrency': must be between 1 "
                                 "and 1024");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 20);
}

/* ---- good files ----------------------------------------------------------------------- */

static void test_minimal_defaults(void **state)
{
    struct g2d_config *cfg = load_good("minimal.yaml");

    (void)state;
    assert_false(cfg->legacy);
    assert_string_equal(cfg->path, "minimal.yaml");
    assert_string_equal(cfg->glue.region, "us-east-1");
    assert_null(cfg->glue.catalog_id);
    assert_null(cfg->glue.access_key_id);
    assert_null(cfg->glue.secret_access_key.value);
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_NONE);
    assert_int_equal(cfg->glue.session_token.source, G2D_SECRET_NONE);
    assert_null(cfg->glue.http.endpoint);
    assert_int_equal(cfg->glue.http.max_concurrency, 16);
    assert_true(cfg->glue.http.max_rps == 0);
    assert_int_equal(cfg->glue.http.page_size, 100);
    assert_int_equal(cfg->glue.partition_segments, 10);
    assert_string_equal(cfg->dlf.region, "cn-hangzhou");
    assert_int_equal(cfg->dlf.access_key_secret.source, G2D_SECRET_NONE);
    assert_int_equal(cfg->dlf.signature, G2D_DLF_SIG_ACS3);
    assert_int_equal(cfg->dlf.http.max_concurrency, 16);
    assert_int_equal(cfg->dlf.http.page_size, 100);
    assert_int_equal(cfg->dlf.batch_size, 100);
    assert_int_equal(cfg->interval_ms, 300000);
    assert_int_equal(cfg->jitter_ms, 30000);
    assert_int_equal(cfg->full_reconcile_ms, 86400000);
    assert_true(cfg->run_on_start);
    assert_int_equal(cfg->objects,
                     G2D_OBJ_DATABASES | G2D_OBJ_TABLES | G2D_OBJ_PARTITIONS | G2D_OBJ_FUNCTIONS);
    assert_int_equal(cfg->ndatabases, 0);
    assert_int_equal(cfg->ntable_prefixes, 0);
    assert_int_equal(cfg->npartition_filters, 0);
    assert_int_equal(cfg->nlocation_map, 0);
    assert_false(cfg->dry_run);
    assert_true(cfg->deletes);
    assert_int_equal(cfg->max_deletes, 1000);
    assert_true(cfg->max_delete_fraction == 0.5);
    assert_null(cfg->ca_file);
    assert_int_equal(cfg->connect_timeout_ms, 10000);
    assert_int_equal(cfg->request_timeout_ms, 120000);
    assert_int_equal(cfg->max_attempts, 6);
    assert_int_equal(cfg->max_response_bytes, 256u << 20);
    assert_null(cfg->result_path);
    assert_string_equal(cfg->control_socket, "/run/glue2dlf/control.sock");
    assert_int_equal(cfg->control_mode, 0660);
    assert_int_equal(cfg->log_target, G2D_LOG_AUTO);
    assert_int_equal(cfg->log_level, LOG_INFO);
    assert_string_equal(g2d_config_glue_url(cfg), "https://glue.us-east-1.amazonaws.com");
    assert_string_equal(g2d_config_dlf_url(cfg), "https://dlf.cn-hangzhou.aliyuncs.com");
    g2d_config_free(cfg);
}

static void test_full(void **state)
{
    struct g2d_config *cfg = load_good("full.yaml");

    (void)state;
    assert_string_equal(cfg->glue.region, "eu-west-1");
    assert_string_equal(cfg->glue.http.endpoint, "http://127.0.0.1:8601");
    assert_string_equal(cfg->glue_url, "http://127.0.0.1:8601");
    assert_string_equal(cfg->glue.catalog_id, "123456789012");
    assert_string_equal(cfg->glue.access_key_id, "AKIAFULLEXAMPLE");
    assert_string_equal(cfg->glue.secret_access_key.value, "glue-secret-FULL-0001");
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_FILE);
    assert_null(cfg->glue.secret_access_key.origin);
    assert_string_equal(cfg->glue.session_token.value, "glue-token-FULL-0002");
    assert_int_equal(cfg->glue.http.max_concurrency, 64);
    assert_true(cfg->glue.http.max_rps == 12.5);
    assert_int_equal(cfg->glue.http.page_size, 50);
    assert_int_equal(cfg->glue.partition_segments, 4);
    assert_string_equal(cfg->dlf.region, "cn-shanghai");
    assert_string_equal(cfg->dlf_url, "https://dlf-vpc.cn-shanghai.aliyuncs.com");
    assert_string_equal(cfg->dlf.catalog_id, "1234567890123456");
    assert_string_equal(cfg->dlf.access_key_id, "LTAIFULLEXAMPLE");
    assert_string_equal(cfg->dlf.access_key_secret.value, "dlf-secret-FULL-0003");
    assert_string_equal(cfg->dlf.security_token.value, "dlf-token-FULL-0004");
    assert_int_equal(cfg->dlf.signature, G2D_DLF_SIG_ROA);
    assert_int_equal(cfg->dlf.http.max_concurrency, 8);
    assert_true(cfg->dlf.http.max_rps == 100);
    assert_int_equal(cfg->dlf.http.page_size, 500);
    assert_int_equal(cfg->dlf.batch_size, 250);
    assert_int_equal(cfg->interval_ms, 90000);
    assert_int_equal(cfg->jitter_ms, 1500);
    assert_int_equal(cfg->full_reconcile_ms, 2ull * 86400000);
    assert_false(cfg->run_on_start);
    assert_int_equal(cfg->objects, G2D_OBJ_TABLES | G2D_OBJ_PARTITIONS);
    assert_int_equal(cfg->ndatabases, 2);
    assert_string_equal(cfg->databases[0], "sales");
    assert_string_equal(cfg->databases[1], "web");
    assert_int_equal(cfg->ntable_prefixes, 2);
    assert_string_equal(cfg->table_prefixes[0], "fact_");
    assert_string_equal(cfg->table_prefixes[1], "dim_");
    assert_int_equal(cfg->npartition_filters, 2);
    assert_string_equal(cfg->partition_filters[0].database, "sales");
    /* sync.rename, matched in any case, and read backwards for the DLF side */
    assert_string_equal(g2d_config_rename_database(cfg, "Sales-EU"), "sales_eu");
    assert_string_equal(g2d_config_rename_table(cfg, "WEB", "clicks-RAW"), "clicks_raw");
    assert_null(g2d_config_rename_table(cfg, "web", "clicks"));
    {
        const char *gdb, *gt;

        assert_true(g2d_config_glue_origin(cfg, "sales_eu", "orders_2024", &gdb, &gt));
        assert_string_equal(gdb, "sales-eu");
        assert_string_equal(gt, "orders-2024");
        assert_true(g2d_config_glue_origin(cfg, "sales_eu", "items", &gdb, &gt));
        assert_string_equal(gt, "items");
        assert_false(g2d_config_glue_origin(cfg, "sales-eu", NULL, &gdb, &gt));
        assert_false(g2d_config_glue_origin(cfg, "web", "clicks-raw", &gdb, &gt));
        assert_true(g2d_config_glue_origin(cfg, "web", "clicks_raw", &gdb, &gt));
        assert_string_equal(gt, "clicks-raw");
    }
    assert_string_equal(cfg->partition_filters[0].table, "orders");
    assert_string_equal(cfg->partition_filters[0].expression, "dt>='2022-01-01'");
    assert_string_equal(cfg->partition_filters[1].database, "web");
    assert_string_equal(cfg->partition_filters[1].table, "clicks");
    assert_string_equal(cfg->partition_filters[1].expression, "dt>=20220101");
    assert_int_equal(cfg->nlocation_map, 2);
    assert_string_equal(cfg->location_map[0].from, "s3://bucket-a/");
    assert_string_equal(cfg->location_map[0].to, "oss://bucket-a/");
    assert_string_equal(cfg->location_map[1].from, "s3://bucket-b/warehouse/");
    assert_string_equal(cfg->location_map[1].to, "oss://bucket-b/wh/");
    assert_true(cfg->dry_run);
    assert_false(cfg->deletes);
    assert_int_equal(cfg->max_deletes, 0);
    assert_true(cfg->max_delete_fraction == 0.25);
    assert_string_equal(cfg->ca_file, "/etc/ssl/certs/ca-certificates.crt");
    assert_int_equal(cfg->connect_timeout_ms, 3000);
    assert_int_equal(cfg->request_timeout_ms, 3600000);
    assert_int_equal(cfg->max_attempts, 3);
    assert_int_equal(cfg->max_response_bytes, 1u << 30);
    assert_string_equal(cfg->result_path, "/var/lib/glue2dlf/results.jsonl");
    assert_string_equal(cfg->control_socket, "/tmp/glue2dlf-test.sock");
    assert_int_equal(cfg->control_mode, 0600);
    assert_int_equal(cfg->log_level, LOG_DEBUG);
    assert_int_equal(cfg->log_target, G2D_LOG_STDERR);
    g2d_config_free(cfg);
}

static void test_nulls_keep_defaults(void **state)
{
    struct g2d_config *a = load_good("nulls.yaml"), *b = load_good("minimal.yaml");

    (void)state;
    assert_config_equal(a, b, true);
    g2d_config_free(a);
    g2d_config_free(b);
}

static void test_legacy_equals_yaml(void **state)
{
    struct g2d_config *a = load_good("legacy.properties"), *b = load_good("legacy.yaml");

    (void)state;
    assert_true(a->legacy);
    assert_false(b->legacy);
    assert_config_equal(a, b, true);
    /* Spot checks, so that two equally wrong loads cannot pass. */
    assert_string_equal(a->glue.secret_access_key.value, "legacy-aws-secret-0005");
    assert_int_equal(a->glue.secret_access_key.source, G2D_SECRET_FILE);
    assert_string_equal(a->dlf.access_key_secret.value, "legacy-dlf-secret-0006");
    assert_null(a->dlf.catalog_id);
    assert_string_equal(a->dlf_url, "https://dlf-vpc.cn-hangzhou.aliyuncs.com");
    assert_int_equal(a->nlocation_map, 2);
    assert_string_equal(a->location_map[0].from, "s3://my-bucket/");
    assert_string_equal(a->location_map[0].to, "oss://my-bucket/");
    assert_int_equal(a->ndatabases, 2);
    assert_string_equal(a->databases[1], "web");
    assert_string_equal(g2d_config_partition_filter(a, "web", "clicks"), "dt>='2023-01-01'");
    g2d_config_free(a);
    g2d_config_free(b);
}

static void test_legacy_syntax(void **state)
{
    struct g2d_config *cfg = load_good("legacy_syntax.properties");

    (void)state;
    assert_true(cfg->legacy);
    assert_string_equal(cfg->glue.region, "ap-southeast-1");
    assert_string_equal(cfg->dlf.region, "cn-beijing");
    assert_int_equal(cfg->ndatabases, 3);
    assert_string_equal(cfg->databases[0], "db_one");
    assert_string_equal(cfg->databases[1], "db_two");
    assert_string_equal(cfg->databases[2], "db_three");
    assert_int_equal(cfg->ntable_prefixes, 0);
    assert_string_equal(cfg->glue_url, "http://127.0.0.1:8601");
    assert_string_equal(cfg->dlf_url, "http://127.0.0.1:8602");
    assert_int_equal(cfg->npartition_filters, 1);
    assert_string_equal(cfg->partition_filters[0].database, "db_one");
    assert_string_equal(cfg->partition_filters[0].table, "t1");
    assert_string_equal(cfg->partition_filters[0].expression, "part=1");
    g2d_config_free(cfg);
}

/* ---- printing ------------------------------------------------------------------------- */

static char *print_config(const struct g2d_config *cfg)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 1u << 20);
    assert_int_equal(g2d_config_print(cfg, &b), 0);
    return g2d_buf_steal(&b);
}

static void assert_no_secret_bytes(const char *text, const struct g2d_config *cfg)
{
    const struct g2d_secret *s[] = {&cfg->glue.secret_access_key, &cfg->glue.session_token,
                                    &cfg->dlf.access_key_secret, &cfg->dlf.security_token};
    size_t i;

    for (i = 0; i < 4; i++)
        if (s[i]->value)
            assert_null(strstr(text, s[i]->value));
}

static void roundtrip(const char *name)
{
    struct g2d_config *a = load_good(name), *b = NULL;
    struct g2d_error err = {0};
    char *text = print_config(a);

    assert_no_secret_bytes(text, a);
    if (g2d_config_load_buffer(&b, "printed.yaml", text, strlen(text), false, &err) < 0)
        fail_msg("%s: printed config does not load: %s\n%s", name, err.msg, text);
    assert_config_equal(a, b, false);
    if (a->glue.secret_access_key.value) {
        assert_string_equal(b->glue.secret_access_key.value, "***");
        assert_int_equal(b->glue.secret_access_key.source, G2D_SECRET_FILE);
    }
    free(text);
    g2d_config_free(a);
    g2d_config_free(b);
}

static void test_print_roundtrip(void **state)
{
    (void)state;
    roundtrip("minimal.yaml");
    roundtrip("full.yaml");
    roundtrip("legacy.properties");
    roundtrip("legacy_syntax.properties");
}

static void test_print_masks_secrets(void **state)
{
    struct g2d_config *cfg = load_good("full.yaml");
    char *text = print_config(cfg);

    (void)state;
    assert_no_secret_bytes(text, cfg);
    assert_null(strstr(text, "FULL-000"));
    assert_non_null(strstr(text, "  secret_access_key: \"***\"  # from the config file\n"));
    assert_non_null(strstr(text, "  security_token: \"***\"  # from the config file\n"));
    assert_non_null(strstr(text, "  interval: 90s\n"));
    assert_non_null(strstr(text, "  jitter: 1500ms\n"));
    assert_non_null(strstr(text, "  max_response_size: 1GiB\n"));
    assert_non_null(strstr(text, "  mode: \"0600\"\n"));
    assert_non_null(strstr(text, "  \"sales.orders\": \"dt>='2022-01-01'\"\n"));
    free(text);
    g2d_config_free(cfg);
}

static void test_print_quoting(void **state)
{
    static const char doc[] =
        "glue: {region: us-east-1}\n"
        "dlf: {region: cn-hangzhou}\n"
        "sync:\n"
        "  databases: [\"a\\\"b\", \"c\\\\d\", \"e\\u2028f\", \"caf\\u00e9\"]\n"
        "  location_map: {\"s3://x: y/\": \"oss://#z/\"}\n";
    struct g2d_config *a = NULL, *b = NULL;
    struct g2d_error err = {0};
    char *text;

    (void)state;
    assert_int_equal(g2d_config_load_buffer(&a, "q.yaml", doc, strlen(doc), false, &err), 0);
    assert_string_equal(a->databases[0], "a\"b");
    assert_string_equal(a->databases[2], "e\xe2\x80\xa8"
                                         "f");
    text = print_config(a);
    if (g2d_config_load_buffer(&b, "printed.yaml", text, strlen(text), false, &err) < 0)
        fail_msg("%s\n%s", err.msg, text);
    assert_config_equal(a, b, false);
    free(text);
    g2d_config_free(a);
    g2d_config_free(b);
}

/* ---- secrets from the environment and from credentials -------------------------------- */

static char *make_temp_dir(void)
{
    char *d = strdup("/tmp/g2d-test-config-XXXXXX");

    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void remove_dir(char *dir, const char *const *names)
{
    char path[PATH_MAX];

    for (; *names; names++) {
        snprintf(path, sizeof(path), "%s/%s", dir, *names);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void test_env_and_credentials(void **state)
{
    static const char *const files[] = {"glue-session-token", "dlf-secret", NULL};
    char *dir = make_temp_dir();
    struct g2d_config *cfg;
    char *text;

    (void)state;
    write_file(dir, "glue-session-token", "glue-token-CRED-0007\n", 0600);
    write_file(dir, "dlf-secret", "dlf-secret-CRED-0008", 0600);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    setenv("G2D_TEST_GLUE_SECRET", "glue-secret-ENV-0009", 1);
    setenv("G2D_TEST_DLF_TOKEN", "dlf-token-ENV-0010", 1);
    cfg = load_good("secrets.yaml");
    assert_string_equal(cfg->glue.access_key_id, "AKIASECRETSEXAMPLE");
    assert_string_equal(cfg->glue.secret_access_key.value, "glue-secret-ENV-0009");
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_ENV);
    assert_string_equal(cfg->glue.secret_access_key.origin, "G2D_TEST_GLUE_SECRET");
    /* One trailing newline is stripped from a credential. */
    assert_string_equal(cfg->glue.session_token.value, "glue-token-CRED-0007");
    assert_int_equal(cfg->glue.session_token.source, G2D_SECRET_CREDENTIAL);
    assert_string_equal(cfg->glue.session_token.origin, "glue-session-token");
    assert_string_equal(cfg->dlf.access_key_secret.value, "dlf-secret-CRED-0008");
    assert_int_equal(cfg->dlf.access_key_secret.source, G2D_SECRET_CREDENTIAL);
    assert_string_equal(cfg->dlf.security_token.value, "dlf-token-ENV-0010");
    assert_int_equal(cfg->dlf.security_token.source, G2D_SECRET_ENV);

    text = print_config(cfg);
    assert_no_secret_bytes(text, cfg);
    assert_null(strstr(text, "-000"));
    assert_null(strstr(text, "-001"));
    assert_non_null(
        strstr(text, "  secret_access_key: \"***\"  # from env G2D_TEST_GLUE_SECRET\n"));
    assert_non_null(
        strstr(text, "  session_token: \"***\"  # from credential glue-session-token\n"));
    assert_non_null(strstr(text, "  security_token: \"***\"  # from env G2D_TEST_DLF_TOKEN\n"));
    free(text);
    g2d_config_free(cfg);

    /* An empty variable counts as unset. */
    setenv("G2D_TEST_GLUE_SECRET", "", 1);
    {
        struct g2d_config *c2 = NULL;
        struct g2d_error err = {0};

        assert_int_equal(load_data("good", "secrets.yaml", &c2, &err), -EINVAL);
        assert_string_equal(err.msg, "secrets.yaml:5:26: key 'glue.secret_access_key_env': "
                                     "environment variable 'G2D_TEST_GLUE_SECRET' is not set "
                                     "or empty");
    }
    /* A missing credential file is an error naming the credential. */
    setenv("G2D_TEST_GLUE_SECRET", "x", 1);
    {
        char path[PATH_MAX];
        struct g2d_config *c3 = NULL;
        struct g2d_error err = {0};

        snprintf(path, sizeof(path), "%s/dlf-secret", dir);
        assert_int_equal(unlink(path), 0);
        assert_true(load_data("good", "secrets.yaml", &c3, &err) < 0);
        assert_non_null(strstr(err.msg, "secrets.yaml:10:33: key "
                                        "'dlf.access_key_secret_credential': cannot read "
                                        "credential 'dlf-secret': "));
    }
    remove_dir(dir, files);
}

static void test_env_fallback(void **state)
{
    static const char doc[] = "dlf:\n  region: cn-hangzhou\n";
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};
    char *text;

    (void)state;
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-ENV-0011", 1);
    setenv("AWS_SESSION_TOKEN", "aws-token-ENV-0012", 1);
    setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIENVEXAMPLE", 1);
    setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ali-secret-ENV-0013", 1);
    assert_int_equal(g2d_config_load_buffer(&cfg, "env.yaml", doc, strlen(doc), false, &err), 0);
    assert_string_equal(cfg->glue.region, "us-west-1");
    assert_string_equal(cfg->glue.access_key_id, "AKIAENVEXAMPLE");
    assert_string_equal(cfg->glue.secret_access_key.value, "aws-secret-ENV-0011");
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_ENV);
    assert_string_equal(cfg->glue.secret_access_key.origin, "AWS_SECRET_ACCESS_KEY");
    assert_string_equal(cfg->glue.session_token.value, "aws-token-ENV-0012");
    assert_string_equal(cfg->glue.session_token.origin, "AWS_SESSION_TOKEN");
    assert_string_equal(cfg->dlf.access_key_id, "LTAIENVEXAMPLE");
    assert_string_equal(cfg->dlf.access_key_secret.value, "ali-secret-ENV-0013");
    assert_string_equal(cfg->dlf.access_key_secret.origin, "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
    assert_int_equal(cfg->dlf.security_token.source, G2D_SECRET_NONE);
    text = print_config(cfg);
    assert_no_secret_bytes(text, cfg);
    assert_non_null(strstr(text, "# from env AWS_SECRET_ACCESS_KEY\n"));
    free(text);
    g2d_config_free(cfg);

    /* AWS_REGION wins over AWS_DEFAULT_REGION; the file wins over both. */
    setenv("AWS_REGION", "eu-central-1", 1);
    assert_int_equal(g2d_config_load_buffer(&cfg, "env.yaml", doc, strlen(doc), false, &err), 0);
    assert_string_equal(cfg->glue.region, "eu-central-1");
    g2d_config_free(cfg);
    cfg = load_good("minimal.yaml");
    assert_string_equal(cfg->glue.region, "us-east-1");
    g2d_config_free(cfg);

    /* A configured secret is never paired with a token from the environment. */
    cfg = load_good("full.yaml");
    assert_string_equal(cfg->glue.session_token.value, "glue-token-FULL-0002");
    assert_string_equal(cfg->glue.access_key_id, "AKIAFULLEXAMPLE");
    g2d_config_free(cfg);
    {
        static const char d2[] = "glue:\n  region: us-east-1\n  secret_access_key: s\n"
                                 "dlf:\n  region: cn-hangzhou\n";

        assert_int_equal(g2d_config_load_buffer(&cfg, "e.yaml", d2, strlen(d2), false, &err), 0);
        assert_int_equal(cfg->glue.session_token.source, G2D_SECRET_NONE);
        assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_FILE);
        g2d_config_free(cfg);
    }

    /* Nothing anywhere: not an error, the source is NONE. */
    clean_env(NULL);
    cfg = load_good("minimal.yaml");
    assert_null(cfg->glue.access_key_id);
    assert_null(cfg->glue.secret_access_key.value);
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_NONE);
    assert_int_equal(cfg->glue.session_token.source, G2D_SECRET_NONE);
    assert_int_equal(cfg->dlf.access_key_secret.source, G2D_SECRET_NONE);
    g2d_config_free(cfg);
    setenv("AWS_REGION", "bad region", 1);
    assert_int_equal(g2d_config_load_buffer(&cfg, "env.yaml", doc, strlen(doc), false, &err),
                     -EINVAL);
    assert_string_equal(err.msg, "env.yaml:1:1: key 'glue.region': environment variable "
                                 "AWS_REGION holds an invalid region");
}

static void test_credential_fallback(void **state)
{
    static const char *const files[] = {"glue-secret-access-key", "dlf-access-key-secret", NULL};
    char *dir = make_temp_dir();
    struct g2d_config *cfg;

    (void)state;
    write_file(dir, "glue-secret-access-key", "glue-secret-CRED-0014\n\n", 0600);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    cfg = load_good("minimal.yaml");
    /* Only one trailing newline is stripped. */
    assert_string_equal(cfg->glue.secret_access_key.value, "glue-secret-CRED-0014\n");
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_CREDENTIAL);
    assert_string_equal(cfg->glue.secret_access_key.origin, "glue-secret-access-key");
    assert_int_equal(cfg->dlf.access_key_secret.source, G2D_SECRET_NONE);
    g2d_config_free(cfg);

    /* The environment comes before the credential. */
    write_file(dir, "dlf-access-key-secret", "dlf-secret-CRED-0015", 0600);
    setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ali-secret-ENV-0016", 1);
    cfg = load_good("minimal.yaml");
    assert_string_equal(cfg->dlf.access_key_secret.value, "ali-secret-ENV-0016");
    assert_int_equal(cfg->dlf.access_key_secret.source, G2D_SECRET_ENV);
    g2d_config_free(cfg);
    unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
    cfg = load_good("minimal.yaml");
    assert_string_equal(cfg->dlf.access_key_secret.value, "dlf-secret-CRED-0015");
    g2d_config_free(cfg);
    remove_dir(dir, files);
}

/* ---- loading from files: permissions, format detection -------------------------------- */

static void test_permissions(void **state)
{
    static const char *const files[] = {"s.yaml", "n.yaml", "app.properties", NULL};
    static const char secret_doc[] = "glue:\n  region: us-east-1\n"
                                     "  secret_access_key: perm-secret-0017\n"
                                     "dlf:\n  region: cn-hangzhou\n";
    char *dir = make_temp_dir();
    char path[PATH_MAX], expect[PATH_MAX * 3];
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};

    (void)state;
    write_file(dir, "s.yaml", secret_doc, 0644);
    snprintf(path, sizeof(path), "%s/s.yaml", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), -EPERM);
    assert_null(cfg);
    snprintf(expect, sizeof(expect),
             "%s:3:3: key 'glue.secret_access_key': refusing a file that holds a secret and is "
             "readable by others (mode 0644); run 'chmod 0640 %s', or take the secret from the "
             "environment (*_env) or a systemd credential (*_credential)",
             path, path);
    assert_string_equal(err.msg, expect);
    assert_null(strstr(err.msg, "perm-secret"));

    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_string_equal(cfg->path, path);
    assert_string_equal(cfg->glue.secret_access_key.value, "perm-secret-0017");
    g2d_config_free(cfg);

    /* Without a literal secret a world-readable file is fine. */
    write_file(dir, "n.yaml",
               "glue:\n  region: us-east-1\n  secret_access_key_env: G2D_TEST_GLUE_SECRET\n"
               "dlf:\n  region: cn-hangzhou\n",
               0644);
    snprintf(path, sizeof(path), "%s/n.yaml", dir);
    setenv("G2D_TEST_GLUE_SECRET", "perm-secret-0019", 1);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_int_equal(cfg->glue.secret_access_key.source, G2D_SECRET_ENV);
    g2d_config_free(cfg);

    /* The same rule for a legacy file, detected by its name. */
    write_file(dir, "app.properties",
               "aws.region=us-east-1\naliyun.region=cn-hangzhou\n"
               "aliyun.secretAccessKey=perm-secret-0018\n",
               0604);
    snprintf(path, sizeof(path), "%s/app.properties", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), -EPERM);
    assert_non_null(strstr(err.msg, "app.properties:3:1: key 'aliyun.secretAccessKey': refusing"));
    assert_non_null(strstr(err.msg, "(mode 0604)"));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_true(cfg->legacy);
    g2d_config_free(cfg);
    remove_dir(dir, files);
}

static void test_format_detection(void **state)
{
    static const char *const files[] = {"a.conf", "b.conf", "c.conf", "d.conf", NULL};
    char *dir = make_temp_dir();
    char path[PATH_MAX];
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};

    (void)state;
    write_file(dir, "a.conf",
               "# legacy, no suffix\n\naws.region=us-east-1\n"
               "aliyun.region=cn-hangzhou\n",
               0600);
    write_file(dir, "b.conf", "# YAML\nglue:\n  region: us-east-1\ndlf:\n  region: cn-hangzhou\n",
               0600);
    write_file(dir, "c.conf", "aws.region: us-east-1\naliyun.region: cn-hangzhou\n", 0600);
    write_file(dir, "d.conf", "---\nglue: {region: us-east-1}\ndlf: {region: cn-hangzhou}\n", 0600);
    snprintf(path, sizeof(path), "%s/a.conf", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_true(cfg->legacy);
    g2d_config_free(cfg);
    snprintf(path, sizeof(path), "%s/b.conf", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_false(cfg->legacy);
    g2d_config_free(cfg);
    snprintf(path, sizeof(path), "%s/c.conf", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_true(cfg->legacy);
    assert_string_equal(cfg->glue.region, "us-east-1");
    g2d_config_free(cfg);
    snprintf(path, sizeof(path), "%s/d.conf", dir);
    assert_int_equal(g2d_config_load(&cfg, path, &err), 0);
    assert_false(cfg->legacy);
    g2d_config_free(cfg);
    remove_dir(dir, files);
}

static void test_load_errors(void **state)
{
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};
    char *big;

    (void)state;
    assert_int_equal(g2d_config_load(&cfg, "/nonexistent/glue2dlf.yaml", &err), -ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/glue2dlf.yaml: cannot open"));
    assert_int_equal(g2d_config_load(&cfg, "/tmp", &err), -EINVAL);
    assert_null(cfg);

    big = malloc(G2D_CONFIG_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, '#', G2D_CONFIG_MAX_BYTES + 1);
    assert_int_equal(
        g2d_config_load_buffer(&cfg, "big.yaml", big, G2D_CONFIG_MAX_BYTES + 1, false, &err),
        -E2BIG);
    free(big);
    assert_null(cfg);

    /* Empty input: both regions are missing, the first is reported at 1:1. */
    assert_int_equal(g2d_config_load_buffer(&cfg, "empty.yaml", "", 0, false, &err), -EINVAL);
    assert_string_equal(err.msg,
                        "empty.yaml:1:1: key 'glue.region': required (or set "
                        "AWS_REGION / AWS_DEFAULT_REGION, or region in the AWS profile; on EC2 "
                        "the daemon also asks instance metadata at start, which "
                        "--check-config does not)");
    /* A NULL error pointer is allowed. */
    assert_int_equal(g2d_config_load_buffer(&cfg, NULL, "x: [", 4, false, NULL), -EINVAL);
    g2d_config_free(NULL);
}

static void test_reference_config(void **state)
{
    char path[PATH_MAX * 2];
    struct g2d_config *cfg = NULL, *min;
    struct g2d_error err = {0};
    size_t len = 0;
    char *data;

    (void)state;
    snprintf(path, sizeof(path), "%s/../../../glue2dlf.yaml", data_dir);
    data = read_all(path, &len);
    assert_non_null(data);
    if (g2d_config_load_buffer(&cfg, "glue2dlf.yaml", data, len, false, &err) < 0)
        fail_msg("%s", err.msg);
    free(data);
    /* The reference file states the defaults: it must equal the minimal file. */
    min = load_good("minimal.yaml");
    assert_config_equal(cfg, min, true);
    g2d_config_free(cfg);
    g2d_config_free(min);
}

/* ---- helpers -------------------------------------------------------------------------- */

static void test_urls(void **state)
{
    static const struct {
        const char *doc, *glue, *dlf;
    } cases[] = {
        {"glue: {region: cn-north-1}\ndlf: {region: cn-beijing}\n",
         "https://glue.cn-north-1.amazonaws.com.cn", "https://dlf.cn-beijing.aliyuncs.com"},
        {"glue: {region: us-east-1, endpoint: \"https://glue.example:443/\"}\n"
         "dlf: {region: cn-hangzhou, endpoint: \"http://[::1]:8602\"}\n",
         "https://glue.example:443", "http://[::1]:8602"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct g2d_config *cfg = NULL;
        struct g2d_error err = {0};

        if (g2d_config_load_buffer(&cfg, "u.yaml", cases[i].doc, strlen(cases[i].doc), false,
                                   &err) < 0)
            fail_msg("%s", err.msg);
        assert_string_equal(g2d_config_glue_url(cfg), cases[i].glue);
        assert_string_equal(g2d_config_dlf_url(cfg), cases[i].dlf);
        g2d_config_free(cfg);
    }
}

static void test_selection(void **state)
{
    struct g2d_config *cfg = load_good("full.yaml"), *all = load_good("minimal.yaml");

    (void)state;
    assert_true(g2d_config_database_selected(cfg, "sales"));
    assert_true(g2d_config_database_selected(cfg, "web"));
    assert_false(g2d_config_database_selected(cfg, "sale"));
    assert_false(g2d_config_database_selected(cfg, "sales2"));
    assert_true(g2d_config_table_selected(cfg, "fact_orders"));
    assert_true(g2d_config_table_selected(cfg, "dim_"));
    assert_false(g2d_config_table_selected(cfg, "fac"));
    assert_false(g2d_config_table_selected(cfg, "orders_fact_"));
    assert_string_equal(g2d_config_partition_filter(cfg, "sales", "orders"), "dt>='2022-01-01'");
    assert_null(g2d_config_partition_filter(cfg, "sales", "clicks"));
    assert_null(g2d_config_partition_filter(cfg, "web", "orders"));
    assert_true(g2d_config_database_selected(all, "anything"));
    assert_true(g2d_config_table_selected(all, "anything"));
    assert_null(g2d_config_partition_filter(all, "sales", "orders"));
    g2d_config_free(cfg);
    g2d_config_free(all);
}

static void test_values(void **state)
{
    static const struct {
        const char *line; /* under sync: */
        uint64_t interval_ms;
    } durations[] = {
        {"interval: 1s", 1000},       {"interval: 1000ms", 1000}, {"interval: 2", 2000},
        {"interval: 10m", 600000},    {"interval: 3h", 10800000}, {"interval: 1d", 86400000},
        {"interval: \"45s\"", 45000},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
        char doc[256];
        struct g2d_config *cfg = NULL;
        struct g2d_error err = {0};

        snprintf(doc, sizeof(doc), "glue: {region: a}\ndlf: {region: b}\nsync:\n  %s\n",
                 durations[i].line);
        if (g2d_config_load_buffer(&cfg, "d.yaml", doc, strlen(doc), false, &err) < 0)
            fail_msg("%s: %s", durations[i].line, err.msg);
        assert_int_equal(cfg->interval_ms, durations[i].interval_ms);
        assert_int_equal(cfg->jitter_ms, durations[i].interval_ms / 10);
        g2d_config_free(cfg);
    }
}

/* ---- comparing configs ---------------------------------------------------------------- */

static struct g2d_config *load_doc(const char *doc)
{
    struct g2d_config *cfg = NULL;
    struct g2d_error err = {0};

    if (g2d_config_load_buffer(&cfg, "c.yaml", doc, strlen(doc), false, &err) < 0)
        fail_msg("%s\n%s", err.msg, doc);
    return cfg;
}

/* The keys g2d_config_changes() finds between two documents, joined with ",". */
static void expect_changed(const char *a, const char *b, unsigned mask, const char *want)
{
    struct g2d_config *x = load_doc(a), *y = load_doc(b);
    struct g2d_config_change ch[G2D_CONFIG_MAX_KEYS];
    size_t n = g2d_config_changes(x, y, mask, ch, G2D_CONFIG_MAX_KEYS);
    char got[512] = "";

    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(got, ",");
        assert_true(strlen(got) + strlen(ch[i].key) < sizeof(got));
        strcat(got, ch[i].key);
    }
    if (strcmp(got, want))
        fail_msg("got '%s', want '%s'\n--- a:\n%s--- b:\n%s", got, want, a, b);
    /* Equal keys hash alike; a changed key (of the mask) changes the hash. */
    if (mask)
        assert_int_equal(g2d_config_hash(x, mask) == g2d_config_hash(y, mask), n == 0);
    assert_int_equal(g2d_config_changes(y, x, mask, NULL, 0), n);
    g2d_config_free(x);
    g2d_config_free(y);
}

#define GLUE "glue: {region: us-east-1}\n"
#define DLF "dlf: {region: cn-hangzhou}\n"

static void test_changes(void **state)
{
    static const char base[] = GLUE DLF;

    (void)state;
    expect_changed(base, base, 0, "");
    /* Spelling a default out is no change. */
    expect_changed(base, GLUE DLF "http: {timeout: 2m, max_attempts: 6}\n", 0, "");
    expect_changed(base, GLUE "dlf: {region: cn-hangzhou, batch_size: 7}\nlog: {level: debug}\n", 0,
                   "dlf.batch_size,log.level");
    /* The restart keys, in the order of the table. */
    expect_changed(base,
                   GLUE DLF "http: {timeout: 1m, ca_file: /x}\ncontrol: {mode: \"0600\"}\n"
                            "log: {target: stderr, level: debug}\n",
                   G2D_KEY_RESTART, "http.ca_file,http.timeout,control.mode,log.target");
    /* The scope: lists and filters, catalog and endpoint; not the location map. */
    expect_changed(base, GLUE DLF "sync: {location_map: {\"s3://a/\": \"oss://b/\"}}\n",
                   G2D_KEY_REBUILD, "");
    expect_changed(base, GLUE DLF "sync: {location_map: {\"s3://a/\": \"oss://b/\"}}\n", 0,
                   "sync.location_map");
    expect_changed(base,
                   GLUE "dlf: {region: cn-hangzhou, catalog_id: c1}\n"
                        "sync: {databases: [a], objects: [tables]}\n",
                   G2D_KEY_REBUILD, "dlf.catalog_id,sync.objects,sync.databases");
    expect_changed(GLUE DLF "sync: {databases: [a, b]}\n", GLUE DLF "sync: {databases: [b, a]}\n",
                   G2D_KEY_REBUILD, "sync.databases");
    expect_changed(GLUE "dlf: {region: cn-hangzhou, endpoint: \"http://127.0.0.1:1\"}\n",
                   GLUE "dlf: {region: cn-hangzhou, endpoint: \"http://127.0.0.1:2/\"}\n",
                   G2D_KEY_REBUILD, "dlf.endpoint");
    /* Partition filters compare as a set, whatever their order. */
    expect_changed(GLUE DLF "sync:\n  partition_filters: {a.t: \"x=1\", b.u: \"y=2\"}\n",
                   GLUE DLF "sync:\n  partition_filters: {b.u: \"y=2\", a.t: \"x=1\"}\n",
                   G2D_KEY_REBUILD, "");
    expect_changed(GLUE DLF "sync:\n  partition_filters: {a.t: \"x=1\"}\n",
                   GLUE DLF "sync:\n  partition_filters: {a.t: \"x=2\"}\n", G2D_KEY_REBUILD,
                   "sync.partition_filters");
    /* Renames are the scope (the DLF names the snapshot holds), as a set; names in any case. */
    expect_changed(GLUE DLF "sync: {rename: {databases: {a-b: ab, c-d: cd}}}\n",
                   GLUE DLF "sync: {rename: {databases: {C-D: cd, a-b: AB}}}\n", G2D_KEY_REBUILD,
                   "");
    expect_changed(GLUE DLF "sync: {rename: {databases: {a-b: ab}}}\n",
                   GLUE DLF "sync: {rename: {databases: {a-b: ab2}}}\n", G2D_KEY_REBUILD,
                   "sync.rename");
    expect_changed(GLUE DLF "sync: {rename: {tables: {a.t-1: t1}}}\n",
                   GLUE DLF "sync: {rename: {databases: {a: t1}}}\n", G2D_KEY_REBUILD,
                   "sync.rename");
    expect_changed(GLUE DLF "sync: {databases: [Sales]}\n", GLUE DLF "sync: {databases: [sales]}\n",
                   G2D_KEY_REBUILD, "");
    /* A secret is one key whichever form set it; the glue side is not the scope. */
    expect_changed(base, "glue: {region: us-east-1, secret_access_key: s, catalog_id: g}\n" DLF,
                   G2D_KEY_REBUILD, "");
    expect_changed(base, "glue: {region: us-east-1, secret_access_key: s, catalog_id: g}\n" DLF, 0,
                   "glue.catalog_id,glue.secret_access_key");
}

/* A copy of some keys: those keys, nothing else, and a change found against it. */
static void test_copy_keys(void **state)
{
    struct g2d_config *a = load_doc(GLUE DLF "http: {ca_file: /ca}\n"
                                             "sync: {databases: [d1, d2], partition_filters: "
                                             "{a.t: \"x=1\"}}\n"),
                      *k = NULL, *s = NULL;

    (void)state;
    assert_int_equal(g2d_config_copy_keys(&k, a, G2D_KEY_RESTART), 0);
    assert_string_equal(k->ca_file, "/ca");
    assert_string_equal(k->control_socket, "/run/glue2dlf/control.sock");
    assert_int_equal(k->request_timeout_ms, 120000);
    assert_null(k->glue.region);
    assert_int_equal(k->ndatabases, 0);
    assert_int_equal(g2d_config_changes(k, a, G2D_KEY_RESTART, NULL, 0), 0);
    assert_true(g2d_config_changes(k, a, 0, NULL, 0) > 0);
    assert_int_equal(g2d_config_copy_keys(&s, a, G2D_KEY_REBUILD), 0);
    assert_int_equal(s->ndatabases, 2);
    assert_string_equal(s->databases[1], "d2");
    assert_string_equal(g2d_config_partition_filter(s, "a", "t"), "x=1");
    assert_int_equal(g2d_config_changes(s, a, G2D_KEY_REBUILD, NULL, 0), 0);
    assert_true(g2d_config_hash(s, G2D_KEY_REBUILD) == g2d_config_hash(a, G2D_KEY_REBUILD));
    g2d_config_free(k);
    g2d_config_free(s);
    g2d_config_free(a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bad_files, clean_env),
        cmocka_unit_test_setup(test_bad_message_form, clean_env),
        cmocka_unit_test_setup(test_minimal_defaults, clean_env),
        cmocka_unit_test_setup(test_full, clean_env),
        cmocka_unit_test_setup(test_nulls_keep_defaults, clean_env),
        cmocka_unit_test_setup(test_legacy_equals_yaml, clean_env),
        cmocka_unit_test_setup(test_legacy_syntax, clean_env),
        cmocka_unit_test_setup(test_print_roundtrip, clean_env),
        cmocka_unit_test_setup(test_print_masks_secrets, clean_env),
        cmocka_unit_test_setup(test_print_quoting, clean_env),
        cmocka_unit_test_setup(test_env_and_credentials, clean_env),
        cmocka_unit_test_setup(test_env_fallback, clean_env),
        cmocka_unit_test_setup(test_credential_fallback, clean_env),
        cmocka_unit_test_setup(test_permissions, clean_env),
        cmocka_unit_test_setup(test_format_detection, clean_env),
        cmocka_unit_test_setup(test_load_errors, clean_env),
        cmocka_unit_test_setup(test_reference_config, clean_env),
        cmocka_unit_test_setup(test_urls, clean_env),
        cmocka_unit_test_setup(test_selection, clean_env),
        cmocka_unit_test_setup(test_values, clean_env),
        cmocka_unit_test_setup(test_changes, clean_env),
        cmocka_unit_test_setup(test_copy_keys, clean_env),
    };
    const char *src = getenv("G2D_SRCDIR");
    char exe[PATH_MAX];

    /* Test data: $G2D_SRCDIR/tests/data/config, ./tests/data/config, or next to the binary. */
    if (src) {
        snprintf(data_dir, sizeof(data_dir), "%s/tests/data/config", src);
    } else if (access("tests/data/config/good", R_OK) == 0) {
        snprintf(data_dir, sizeof(data_dir), "tests/data/config");
    } else {
        snprintf(exe, sizeof(exe), "%s", argc > 0 ? argv[0] : ".");
        snprintf(data_dir, sizeof(data_dir), "%s/../../tests/data/config", dirname(exe));
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
