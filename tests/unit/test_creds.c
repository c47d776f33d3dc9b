/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the credentials room (lib/creds): the readers of outside input (the ini
 * dialect of the AWS shared files, credential JSON, STS XML, ISO 8601 times), the AWS
 * chain's plan over real files and variables, credential_process, and a static provider.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glue2dlf/config.h"
#include "glue2dlf/creds.h"
#include "creds/creds-internal.h"

static const char *const vars[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
    "AWS_EC2_METADATA_V1_DISABLED",
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_STS_REGION",
    "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
    "G2D_ALIBABA_STS_ENDPOINT",
    "G2D_ALIBABA_ECS_METADATA_ENDPOINT",
    "ALIBABA_CLOUD_IMDSV1_DISABLED",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
};

static char dir[64];

static void put_file(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    char path[128];

    (void)state;
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
    snprintf(dir, sizeof(dir), "/tmp/g2d-creds-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/credentials", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    snprintf(path, sizeof(path), "%s/config", dir);
    setenv("AWS_CONFIG_FILE", path, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
    setenv("HOME", dir, 1);
    snprintf(path, sizeof(path), "%s/ali-credentials", dir);
    setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", path, 1);
    put_file("credentials", "");
    put_file("config", "");
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* ---- ini ---------------------------------------------------------------------------- */

static void test_ini(void **state)
{
    static const char text[] = "\xEF\xBB\xBF# comment\r\n[default]\r\nAWS_Access_Key_Id = AKIA \r\n"
                               "aws_secret_access_key=s=with=equals\n; other comment\n\n"
                               "[profile x]  # trailing comment\nregion: eu-west-1\n"
                               "s3 =\n  max_concurrent_requests = 20\n"
                               "region = us-east-2\nempty =\n";
    struct g2d__ini ini;
    unsigned bad = 99;
    const struct g2d__ini_sect *d, *x;

    (void)state;
    assert_int_equal(g2d__ini_parse(text, strlen(text), &ini, &bad), 0);
    assert_int_equal(ini.n, 2);
    d = g2d__ini_section(&ini, "default");
    x = g2d__ini_section(&ini, "profile x");
    assert_non_null(d);
    assert_non_null(x);
    assert_string_equal(g2d__ini_get(d, "aws_access_key_id"), "AKIA");
    assert_string_equal(g2d__ini_get(d, "aws_secret_access_key"), "s=with=equals");
    assert_string_equal(g2d__ini_get(x, "region"), "us-east-2"); /* the later one wins */
    assert_null(g2d__ini_get(x, "max_concurrent_requests"));     /* nested: skipped */
    assert_null(g2d__ini_get(x, "empty"));
    assert_null(g2d__ini_section(&ini, "x"));
    g2d__ini_free(&ini);

    assert_int_equal(g2d__ini_parse("key = before any section\n", 25, &ini, &bad), -EINVAL);
    assert_int_equal(bad, 1);
    assert_int_equal(g2d__ini_parse("[a]\nk=v\n[broken\n", 17, &ini, &bad), -EINVAL);
    assert_int_equal(bad, 3);
    assert_int_equal(g2d__ini_parse("[a]\nno separator\n", 17, &ini, &bad), -EINVAL);
    assert_int_equal(bad, 2);
    assert_int_equal(g2d__ini_parse("[a] junk\n", 9, &ini, &bad), -EINVAL);
    assert_int_equal(g2d__ini_parse("[a]\nk=v\0w\n", 10, &ini, &bad), -EINVAL);
}

/* ---- answers ------------------------------------------------------------------------ */

static void test_iso8601(void **state)
{
    (void)state;
    assert_int_equal(g2d__parse_iso8601("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T01:02:03Z"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T01:02:03.456Z"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T02:02:03+01:00"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T00:02:03-0100"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T01:02:03"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-12-08 01:02:03Z"), 1796691723);
    assert_int_equal(g2d__parse_iso8601("2026-13-08T01:02:03Z"), -1);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T01:02:03Q"), -1);
    assert_int_equal(g2d__parse_iso8601("2026-12-08T01:02:03+1"), -1);
    assert_int_equal(g2d__parse_iso8601("2026-12-08"), -1);
    assert_int_equal(g2d__parse_iso8601(NULL), -1);
}

static int json(const char *body, enum g2d__json_kind k, struct g2d__cval *v, char *why)
{
    return g2d__parse_cred_json(body, strlen(body), k, v, why, 256);
}

static void test_cred_json(void **state)
{
    struct g2d__cval v;
    char why[256];

    (void)state;
    assert_int_equal(json("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\"}",
                          G2D_JSON_PROCESS, &v, why),
                     0);
    assert_string_equal(v.id, "A");
    assert_string_equal(v.secret, "B");
    assert_null(v.token);
    assert_int_equal(v.expiry, 0); /* long-term keys from a process never expire */
    g2d__cval_clear(&v);
    assert_int_equal(json("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                          "\"SessionToken\":\"T\",\"Expiration\":\"2026-12-08T01:02:03Z\"}",
                          G2D_JSON_PROCESS, &v, why),
                     0);
    assert_string_equal(v.token, "T");
    assert_int_equal(v.expiry, 1796691723);
    g2d__cval_clear(&v);
    assert_int_equal(json("{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\"}",
                          G2D_JSON_PROCESS, &v, why),
                     -EINVAL);
    assert_string_equal(why, "Version is not 1");
    assert_int_equal(json("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                          "\"Expiration\":\"soon\"}",
                          G2D_JSON_PROCESS, &v, why),
                     -EINVAL);
    assert_int_equal(json("{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                          "\"Token\":\"T\",\"Expiration\":\"2026-12-08T01:02:03Z\"}",
                          G2D_JSON_METADATA, &v, why),
                     0);
    assert_string_equal(v.token, "T");
    g2d__cval_clear(&v);
    assert_int_equal(json("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                          "\"Expiration\":\"2026-12-08T01:02:03Z\"}",
                          G2D_JSON_METADATA, &v, why),
                     -EINVAL);
    assert_string_equal(why, "Token is missing");
    assert_int_equal(
        json("{\"Code\":\"AssumeRoleUnauthorizedAccess\"}", G2D_JSON_METADATA, &v, why), -EINVAL);
    assert_int_equal(json("{\"AccessKeyId\":\"A\\nB\",\"SecretAccessKey\":\"B\",\"Version\":1}",
                          G2D_JSON_PROCESS, &v, why),
                     -EINVAL);
    assert_int_equal(json("[1]", G2D_JSON_PROCESS, &v, why), -EINVAL);
    assert_int_equal(json("{\"Version\":1,\"Version\":1}", G2D_JSON_PROCESS, &v, why), -EINVAL);
}

static void test_sts_xml(void **state)
{
    static const char ok[] =
        "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>x</Arn></AssumedRoleUser>"
        "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s&amp;&lt;</SecretAccessKey>"
        "<SessionToken>tok/+=</SessionToken><Expiration>2026-12-08T01:02:03Z</Expiration>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
    static const char err[] = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not "
                              "allowed\nhere</Message></Error></ErrorResponse>";
    static const char noexp[] = "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>B"
                                "</SecretAccessKey><SessionToken>T</SessionToken></Credentials>";
    static const char badent[] = "<Credentials><AccessKeyId>A&bad;</AccessKeyId></Credentials>";
    struct g2d__cval v;
    char why[256];

    (void)state;
    assert_int_equal(g2d__parse_sts_xml(ok, strlen(ok), &v, why, sizeof(why)), 0);
    assert_string_equal(v.id, "ASIA1");
    assert_string_equal(v.secret, "s&<");
    assert_string_equal(v.token, "tok/+=");
    assert_int_equal(v.expiry, 1796691723);
    g2d__cval_clear(&v);
    assert_int_equal(g2d__parse_sts_xml(err, strlen(err), &v, why, sizeof(why)), -EACCES);
    assert_string_equal(why, "AccessDenied: not allowed here");
    assert_int_equal(g2d__parse_sts_xml(noexp, strlen(noexp), &v, why, sizeof(why)), -EINVAL);
    assert_int_equal(g2d__parse_sts_xml(badent, strlen(badent), &v, why, sizeof(why)), -EINVAL);
    assert_int_equal(g2d__parse_sts_xml("", 0, &v, why, sizeof(why)), -EINVAL);
}

/* ---- the plan ----------------------------------------------------------------------- */

static int plan(const char *spec, struct g2d__src **out, char *why)
{
    struct g2d_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.glue.region = "us-east-1";
    cfg.glue.credentials = (char *)spec;
    return g2d__plan_aws(&cfg, out, why, 512);
}

static void test_plan_profiles(void **state)
{
    struct g2d__src *s;
    char why[512];

    (void)state;
    assert_int_equal(plan("chain", &s, why), -ENOKEY);
    assert_non_null(strstr(why, "no AWS credentials"));
    put_file("credentials", "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = d\n"
                            "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n"
                            "aws_session_token = t\n[half]\naws_access_key_id = X\n");
    put_file("config",
             "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
             "role_session_name = sess\nexternal_id = ext\nregion = eu-west-3\n"
             "duration_seconds = 1800\n"
             "[profile chained]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = role\n"
             "[profile loop1]\nrole_arn = a\nsource_profile = loop2\n"
             "[profile loop2]\nrole_arn = b\nsource_profile = loop1\n"
             "[profile env]\nrole_arn = arn:e\ncredential_source = Environment\n"
             "[profile nosource]\nrole_arn = arn:n\n"
             "[profile both]\nrole_arn = arn:n\nsource_profile = base\n"
             "credential_source = Environment\n"
             "[profile proc]\ncredential_process = /bin/true\n"
             "[profile web]\nrole_arn = arn:w\nweb_identity_token_file = /t\n"
             "[profile confkeys]\naws_access_key_id = C\naws_secret_access_key = c\n");
    assert_int_equal(plan("chain", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_STATIC);
    assert_string_equal(s->v.id, "AKIADEF");
    g2d__src_free(s);

    setenv("AWS_PROFILE", "role", 1);
    assert_int_equal(plan("chain", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_ASSUME_ROLE);
    assert_string_equal(s->role_arn, "arn:aws:iam::1:role/r");
    assert_string_equal(s->session_name, "sess");
    assert_string_equal(s->external_id, "ext");
    assert_string_equal(s->sts_url, "https://sts.eu-west-3.amazonaws.com");
    assert_int_equal(s->duration_s, 1800);
    assert_int_equal(s->base->kind, G2D_SRC_STATIC);
    assert_string_equal(s->base->v.token, "t");
    g2d__src_free(s);

    assert_int_equal(plan("profile chained", &s, why), 0); /* a role over a role */
    assert_int_equal(s->base->kind, G2D_SRC_ASSUME_ROLE);
    assert_int_equal(s->base->base->kind, G2D_SRC_STATIC);
    g2d__src_free(s);
    assert_int_equal(plan("profile loop1", &s, why), -ELOOP);
    assert_int_equal(plan("profile nosource", &s, why), -EINVAL);
    assert_non_null(strstr(why, "needs source_profile or credential_source"));
    assert_int_equal(plan("profile both", &s, why), -EINVAL);
    assert_int_equal(plan("profile half", &s, why), -EINVAL);
    assert_int_equal(plan("profile env", &s, why), -ENOKEY);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "e", 1);
    assert_int_equal(plan("profile env", &s, why), 0);
    assert_string_equal(s->base->v.id, "AKIAENV");
    g2d__src_free(s);
    assert_int_equal(plan("profile proc", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_PROCESS);
    assert_string_equal(s->command, "/bin/true");
    g2d__src_free(s);
    assert_int_equal(plan("profile web", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_WEB_IDENTITY);
    assert_string_equal(s->token_file, "/t");
    g2d__src_free(s);
    assert_int_equal(plan("profile confkeys", &s, why), 0);
    assert_string_equal(s->v.id, "C");
    g2d__src_free(s);
    assert_int_equal(plan("profile nosuch", &s, why), -ENOENT);
    setenv("AWS_PROFILE", "nosuch", 1);
    assert_int_equal(plan("chain", &s, why), -ENOENT);
    put_file("config", "[profile broken\n");
    assert_int_equal(plan("chain", &s, why), -EINVAL);
    assert_non_null(strstr(why, "config:1: not an ini line"));
}

static void test_plan_links(void **state)
{
    struct g2d__src *s;
    char why[512];

    (void)state;
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/w", 1);
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/", 1);
    assert_int_equal(plan("chain", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_WEB_IDENTITY);
    assert_string_equal(s->sts_url, "http://127.0.0.1:9");
    assert_string_equal(s->session_name, "glue2dlf");
    g2d__src_free(s);
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");

    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok", 1);
    assert_int_equal(plan("chain", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_CONTAINER);
    assert_string_equal(s->url, "http://169.254.170.2/v2/credentials/x");
    assert_string_equal(s->auth, "tok");
    g2d__src_free(s);
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", 1);
    assert_int_equal(plan("chain", &s, why), -EPERM);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://localhost:8080/creds", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/tokfile", 1);
    assert_int_equal(plan("container", &s, why), 0);
    assert_null(s->auth); /* the file wins, read at every fetch */
    assert_string_equal(s->auth_file, "/tokfile");
    g2d__src_free(s);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");

    assert_int_equal(plan("chain", &s, why), -ENOKEY); /* IMDS disabled, not EC2 */
    assert_int_equal(plan("instance-metadata", &s, why), -ENOKEY);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1234/", 1);
    assert_int_equal(plan("chain", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_IMDS);
    assert_string_equal(s->imds_url, "http://127.0.0.1:1234");
    assert_false(s->v1_ok);
    g2d__src_free(s);
    assert_int_equal(plan("static", &s, why), -ENOKEY);
    assert_int_equal(plan("web-identity", &s, why), -ENOKEY);
}

static void test_spec(void **state)
{
    const char *why;

    (void)state;
    assert_true(g2d_creds_spec_valid(G2D_CREDS_AWS, "chain", &why));
    assert_true(g2d_creds_spec_valid(G2D_CREDS_AWS, "profile prod", &why));
    assert_true(g2d_creds_spec_valid(G2D_CREDS_AWS, "instance-metadata", &why));
    assert_false(g2d_creds_spec_valid(G2D_CREDS_AWS, "profile ", &why));
    assert_false(g2d_creds_spec_valid(G2D_CREDS_AWS, "profile a b", &why));
    assert_false(g2d_creds_spec_valid(G2D_CREDS_AWS, "imds", &why));
    assert_non_null(strstr(why, "expected chain"));
}

/* ---- credential_process and a static provider --------------------------------------- */

static void test_process(void **state)
{
    char *out, why[256] = "";
    size_t len;

    (void)state;
    assert_int_equal(g2d__run_process("printf '{\"a\": 1}'", &out, &len, why, sizeof(why)), 0);
    assert_int_equal(len, 8);
    assert_string_equal(out, "{\"a\": 1}");
    free(out);
    assert_int_equal(g2d__run_process("exit 3", &out, &len, why, sizeof(why)), -EIO);
    assert_string_equal(why, "the command exited with 3");
    assert_int_equal(g2d__run_process("head -c 70000 /dev/zero", &out, &len, why, sizeof(why)),
                     -E2BIG);
}

static void test_static_provider(void **state)
{
    struct g2d_config cfg;
    struct g2d_creds *p;
    struct g2d_creds_view v;
    char msg[] = "echo of s3cret-value and tok3n-value here";

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.glue.region = "us-east-1";
    cfg.glue.credentials = "chain";
    cfg.glue.access_key_id = "AKIAFILE";
    cfg.glue.secret_access_key.value = "s3cret-value";
    cfg.glue.secret_access_key.source = G2D_SECRET_FILE;
    cfg.glue.session_token.value = "tok3n-value";
    assert_int_equal(g2d_creds_new(&p, G2D_CREDS_AWS, &cfg, NULL), 0);
    assert_true(g2d_creds_found(p));
    assert_false(g2d_creds_fetched(p));
    assert_string_equal(g2d_creds_describe(p), "static keys in the config file");
    assert_int_equal(g2d_creds_get(p, 0, &v), 0);
    assert_string_equal(v.id, "AKIAFILE");
    assert_string_equal(v.secret, "s3cret-value");
    assert_string_equal(v.token, "tok3n-value");
    g2d_creds_scrub(p, msg);
    assert_string_equal(msg, "echo of *** and *** here");
    g2d_creds_free(p);
    cfg.dlf.credentials = "chain";
    assert_int_equal(g2d_creds_new(&p, G2D_CREDS_ALIBABA, &cfg, NULL), -ENOKEY);
    assert_false(g2d_creds_found(p));
    assert_int_equal(g2d_creds_get(p, 0, &v), -ENOKEY);
    assert_non_null(strstr(g2d_creds_error(p), "no Alibaba Cloud credentials"));
    g2d_creds_free(p);
}

/* ---- Alibaba ------------------------------------------------------------------------ */

static int cli(const char *text, const char *name, struct g2d__src **out, char *why)
{
    return g2d__aliyun_cli_profile(text, strlen(text), name, out, why, 512);
}

static void test_aliyun_cli(void **state)
{
    static const char conf[] =
        "{\"current\": \"sts\", \"profiles\": ["
        "{\"name\": \"ak\", \"mode\": \"AK\", \"access_key_id\": \"LTAI\", "
        "\"access_key_secret\": \"s\"},"
        "{\"name\": \"sts\", \"mode\": \"StsToken\", \"access_key_id\": \"STS.1\", "
        "\"access_key_secret\": \"s\", \"sts_token\": \"t\"},"
        "{\"name\": \"role\", \"mode\": \"RamRoleArn\", \"access_key_id\": \"LTAI\", "
        "\"access_key_secret\": \"s\", \"ram_role_arn\": \"acs:ram::1:role/r\", "
        "\"ram_session_name\": \"n\", \"expired_seconds\": 1800, \"sts_region\": "
        "\"cn-beijing\", \"enable_vpc\": true},"
        "{\"name\": \"chain\", \"mode\": \"ChainableRamRoleArn\", \"source_profile\": "
        "\"role\", \"ram_role_arn\": \"acs:ram::1:role/c\"},"
        "{\"name\": \"loop\", \"mode\": \"ChainableRamRoleArn\", \"source_profile\": "
        "\"loop\", \"ram_role_arn\": \"x\"},"
        "{\"name\": \"ecs\", \"mode\": \"EcsRamRole\", \"ram_role_name\": \"r1\"},"
        "{\"name\": \"oidc\", \"mode\": \"OIDC\", \"ram_role_arn\": \"acs:ram::1:role/o\", "
        "\"oidc_provider_arn\": \"p\", \"oidc_token_file\": \"/t\"},"
        "{\"name\": \"odd\", \"mode\": \"External\"},"
        "{\"name\": \"half\", \"mode\": \"AK\", \"access_key_id\": \"LTAI\"}]}";
    struct g2d__src *s;
    char why[512];

    (void)state;
    assert_int_equal(cli(conf, NULL, &s, why), 1); /* "current" */
    assert_int_equal(s->kind, G2D_SRC_STATIC);
    assert_string_equal(s->v.token, "t");
    g2d__src_free(s);
    assert_int_equal(cli(conf, "ak", &s, why), 1);
    assert_string_equal(s->v.id, "LTAI");
    assert_null(s->v.token);
    g2d__src_free(s);
    assert_int_equal(cli(conf, "role", &s, why), 1);
    assert_int_equal(s->kind, G2D_SRC_ALI_ASSUME_ROLE);
    assert_string_equal(s->sts_url, "https://sts-vpc.cn-beijing.aliyuncs.com");
    assert_string_equal(s->session_name, "n");
    assert_int_equal(s->duration_s, 1800);
    assert_string_equal(s->base->v.id, "LTAI");
    g2d__src_free(s);
    assert_int_equal(cli(conf, "chain", &s, why), 1);
    assert_int_equal(s->base->kind, G2D_SRC_ALI_ASSUME_ROLE);
    assert_string_equal(s->sts_url, "https://sts.aliyuncs.com");
    g2d__src_free(s);
    assert_int_equal(cli(conf, "loop", &s, why), -EINVAL);
    assert_int_equal(cli(conf, "ecs", &s, why), 1);
    assert_int_equal(s->kind, G2D_SRC_IMDS);
    assert_true(s->ali);
    assert_string_equal(s->role_name, "r1");
    assert_string_equal(s->imds_url, "http://100.100.100.200");
    assert_true(s->v1_ok);
    g2d__src_free(s);
    assert_int_equal(cli(conf, "oidc", &s, why), 1);
    assert_int_equal(s->kind, G2D_SRC_ALI_OIDC);
    assert_string_equal(s->oidc_provider_arn, "p");
    g2d__src_free(s);
    assert_int_equal(cli(conf, "odd", &s, why), -EINVAL);
    assert_non_null(strstr(why, "not supported"));
    assert_int_equal(cli(conf, "half", &s, why), -EINVAL);
    assert_int_equal(cli(conf, "none", &s, why), 0);
    assert_int_equal(cli("{\"profiles\": 1}", NULL, &s, why), -EINVAL);
    assert_int_equal(cli("{\"profiles\": []}", NULL, &s, why), 0);
}

static int aplan(const char *spec, struct g2d__src **out, char *why)
{
    struct g2d_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.dlf.region = "cn-hangzhou";
    cfg.dlf.credentials = (char *)spec;
    return g2d__plan_alibaba(&cfg, out, why, 512);
}

static void test_plan_alibaba(void **state)
{
    struct g2d__src *s;
    char why[512];

    (void)state;
    assert_int_equal(aplan("chain", &s, why), -ENOKEY);
    assert_non_null(strstr(why, "no Alibaba Cloud credentials"));
    put_file("ali-credentials", "[default]\ntype = access_key\naccess_key_id = LTAIINI\n"
                                "access_key_secret = s\n[r]\ntype = ram_role_arn\n"
                                "access_key_id = A\naccess_key_secret = B\nrole_arn = arn\n"
                                "role_session_name = sess\n[e]\ntype = ecs_ram_role\n"
                                "role_name = rn\n[o]\ntype = oidc_role_arn\nrole_arn = ro\n"
                                "oidc_provider_arn = op\noidc_token_file_path = /tok\n"
                                "[bad]\ntype = bearer\n");
    assert_int_equal(aplan("chain", &s, why), 0);
    assert_string_equal(s->v.id, "LTAIINI");
    g2d__src_free(s);
    assert_int_equal(aplan("profile r", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_ALI_ASSUME_ROLE);
    assert_string_equal(s->session_name, "sess");
    g2d__src_free(s);
    setenv("G2D_ALIBABA_STS_ENDPOINT", "http://127.0.0.1:7/", 1);
    assert_int_equal(aplan("profile o", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_ALI_OIDC);
    assert_string_equal(s->sts_url, "http://127.0.0.1:7");
    assert_string_equal(s->token_file, "/tok");
    g2d__src_free(s);
    assert_int_equal(aplan("profile e", &s, why), 0);
    assert_string_equal(s->role_name, "rn");
    g2d__src_free(s);
    assert_int_equal(aplan("profile bad", &s, why), -EINVAL);
    assert_int_equal(aplan("profile nosuch", &s, why), -ENOENT);

    setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/x", 1);
    setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/p", 1);
    setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/oidc", 1);
    assert_int_equal(aplan("chain", &s, why), 0); /* OIDC before the files */
    assert_int_equal(s->kind, G2D_SRC_ALI_OIDC);
    g2d__src_free(s);
    assert_int_equal(aplan("oidc", &s, why), 0);
    g2d__src_free(s);
    assert_int_equal(aplan("ecs-ram-role", &s, why), -ENOKEY); /* disabled */
    unsetenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED");
    setenv("ALIBABA_CLOUD_IMDSV1_DISABLED", "true", 1);
    assert_int_equal(aplan("ecs-ram-role", &s, why), 0);
    assert_false(s->v1_ok);
    assert_null(s->role_name);
    g2d__src_free(s);
    assert_int_equal(aplan("uri", &s, why), -ENOKEY);
    setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/creds", 1);
    assert_int_equal(aplan("uri", &s, why), 0);
    assert_int_equal(s->kind, G2D_SRC_CONTAINER);
    assert_true(s->ali);
    g2d__src_free(s);
}

static void test_alibaba_json(void **state)
{
    struct g2d__cval v;
    char why[256];

    (void)state;
    assert_int_equal(json("{\"RequestId\":\"r\",\"Credentials\":{\"AccessKeyId\":\"STS.a\","
                          "\"AccessKeySecret\":\"s\",\"SecurityToken\":\"t\","
                          "\"Expiration\":\"2026-12-08T01:02:03Z\"}}",
                          G2D_JSON_ALIBABA_STS, &v, why),
                     0);
    assert_string_equal(v.id, "STS.a");
    assert_string_equal(v.token, "t");
    g2d__cval_clear(&v);
    assert_int_equal(json("{\"Code\":\"NoPermission\",\"Message\":\"You are not authorized\"}",
                          G2D_JSON_ALIBABA_STS, &v, why),
                     -EACCES);
    assert_string_equal(why, "NoPermission: You are not authorized");
    assert_int_equal(json("{\"Code\":\"Success\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":"
                          "\"s\",\"SecurityToken\":\"t\",\"Expiration\":\"2026-12-08T01:02:03Z\"}",
                          G2D_JSON_ALIBABA, &v, why),
                     0);
    g2d__cval_clear(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_cred_json),
        cmocka_unit_test(test_sts_xml),
        cmocka_unit_test_setup_teardown(test_plan_profiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_links, setup, teardown),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_process),
        cmocka_unit_test_setup_teardown(test_static_provider, setup, teardown),
        cmocka_unit_test(test_aliyun_cli),
        cmocka_unit_test_setup_teardown(test_plan_alibaba, setup, teardown),
        cmocka_unit_test(test_alibaba_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
