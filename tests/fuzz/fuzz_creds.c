/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the credential sources' readers (lib/creds): the first byte picks the
 * reader -- the ini dialect of the AWS shared files, the JSON of credential_process, of
 * instance metadata and of the container endpoint, the XML of STS, an ISO 8601 expiry --
 * the rest is its input (0 ini, 1 process, 2 metadata, 3 Alibaba metadata, 4 Alibaba STS
 * JSON, 5 AWS STS XML, 6 time, 7 ~/.aliyun/config.json). The target aborts when a reader accepts credentials with an empty
 * or multi-line field, or a non-positive expiry where one is required, or when an ini parse
 * yields a key that is not lower-case or a section without a name.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "creds/creds-internal.h"

static void check_field(const char *s, bool required)
{
    if (!s) {
        if (required)
            abort();
        return;
    }
    if (!*s || strchr(s, '\n'))
        abort();
}

static void fuzz_ini(const char *data, size_t size)
{
    struct g2d__ini ini;
    unsigned bad;

    if (g2d__ini_parse(data, size, &ini, &bad) < 0) {
        if (!bad)
            abort();
        return;
    }
    for (size_t i = 0; i < ini.n; i++) {
        if (!ini.s[i].name[0] && size == 0)
            abort();
        for (size_t k = 0; k < ini.s[i].n; k++)
            for (const char *p = ini.s[i].kv[k].key; *p; p++)
                if (isupper((unsigned char)*p))
                    abort();
        (void)g2d__ini_get(&ini.s[i], "aws_access_key_id");
    }
    (void)g2d__ini_section(&ini, "default");
    g2d__ini_free(&ini);
}

static void fuzz_answer(int kind, const char *data, size_t size)
{
    struct g2d__cval v;
    char why[256];
    int r = kind == 4
                ? g2d__parse_sts_xml(data, size, &v, why, sizeof(why))
                : g2d__parse_cred_json(data, size, (enum g2d__json_kind)kind, &v, why, sizeof(why));

    if (strnlen(why, sizeof(why)) >= sizeof(why))
        abort();
    if (r < 0)
        return;
    check_field(v.id, true);
    check_field(v.secret, true);
    check_field(v.token, kind != G2D_JSON_PROCESS);
    if (kind != G2D_JSON_PROCESS && v.expiry <= 0)
        abort();
    g2d__cval_clear(&v);
}

/* A profile of ~/.aliyun/config.json: what it plans has a kind and a description. */
static void fuzz_cli(const char *data, size_t size)
{
    struct g2d__src *s = NULL;
    char why[512];
    int r = g2d__aliyun_cli_profile(data, size, size % 2 ? NULL : "p", &s, why, sizeof(why));

    if (r > 0 && (!s || !s->kind || !s->what[0]))
        abort();
    if (r <= 0 && s)
        abort();
    g2d__src_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;

    if (size < 1)
        return 0;
    switch (data[0] % 8) {
    case 0:
        fuzz_ini((const char *)data + 1, size - 1);
        break;
    case 7:
        fuzz_cli((const char *)data + 1, size - 1);
        break;
    case 6:
        s = strndup((const char *)data + 1, size - 1);
        /* A time is accepted only in the YYYY-MM-DDTHH:MM:SS shape. */
        if (s && g2d__parse_iso8601(s) != -1 &&
            (strlen(s) < 19 || !isdigit((unsigned char)s[0]) || s[4] != '-' || s[13] != ':'))
            abort();
        free(s);
        break;
    default: /* 1..4: the JSON kinds, 5: STS XML */
        fuzz_answer(data[0] % 8 - 1, (const char *)data + 1, size - 1);
    }
    return 0;
}
