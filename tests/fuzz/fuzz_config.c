/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config parsers: every input is loaded as YAML and as a legacy
 * properties file. Whatever loads must print, and the printed YAML must load again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        again->nlocation_map != cfg->nlocation_map)
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
            g2d_config_free(cfg);
        }
    }
    return 0;
}
