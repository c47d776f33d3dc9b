/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config parsers: every input is loaded as YAML and as a legacy
 * properties file. Whatever loads must print, and the printed YAML must load again to the
 * same value of every key (secrets aside: they print masked); a copy of every key must
 * compare and hash the same.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every key differing between @p a and @p b is a secret. */
static bool only_secrets_differ(const struct g2d_config *a, const struct g2d_config *b)
{
    struct g2d_config_change ch[G2D_CONFIG_MAX_KEYS];
    size_t n = g2d_config_changes(a, b, 0, ch, G2D_CONFIG_MAX_KEYS);

    if (n > G2D_CONFIG_MAX_KEYS)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strstr(ch[i].key, "secret") && !strstr(ch[i].key, "token"))
            return false;
    return true;
}

static void check_copy(const struct g2d_config *cfg)
{
    struct g2d_config *copy = NULL;

    if (g2d_config_copy_keys(&copy, cfg, 0) < 0)
        abort();
    if (g2d_config_changes(cfg, copy, 0, NULL, 0) != 0 ||
        g2d_config_hash(cfg, 0) != g2d_config_hash(copy, 0) ||
        g2d_config_hash(cfg, G2D_KEY_REBUILD) != g2d_config_hash(copy, G2D_KEY_REBUILD))
        abort();
    g2d_config_free(copy);
}

static void check_roundtrip(const struct g2d_config *cfg)
{
    struct g2d_config *again = NULL;
    struct g2d_error err;
    struct g2d_buf b;

    g2d_buf_init(&b, 1u << 24);
    if (g2d_config_print(cfg, &b) < 0)
        abort();
    if (g2d_config_load_buffer(&again, "printed", b.data, b.len, false, &err) < 0)
        abort();
    if (again->interval_ms != cfg->interval_ms || again->objects != cfg->objects ||
        again->npartition_filters != cfg->npartition_filters ||
        again->nlocation_map != cfg->nlocation_map || !only_secrets_differ(cfg, again))
        abort();
    g2d_config_free(again);
    g2d_buf_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool modes[] = {false, true};
    size_t i;

    for (i = 0; i < 2; i++) {
        struct g2d_config *cfg = NULL;
        struct g2d_error err;

        if (g2d_config_load_buffer(&cfg, "fuzz", (const char *)data, size, modes[i], &err) == 0) {
            check_roundtrip(cfg);
            check_copy(cfg);
            g2d_config_free(cfg);
        }
    }
    return 0;
}
