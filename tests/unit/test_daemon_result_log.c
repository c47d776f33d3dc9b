/* SPDX-License-Identifier: MIT */
/* Unit tests for the local result log: file and directory (daemon/result_log.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "log.h"
#include "result_log.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 4096);

    assert_non_null(f);
    assert_non_null(buf);
    assert_true(fread(buf, 1, 4095, f) < 4095);
    fclose(f);
    return buf;
}

static void test_append_and_reopen(void **state)
{
    struct g2d_error err = {0};
    struct result_log rl;
    struct stat st;
    char path[64], *text;
    mode_t mask = umask(0);

    umask(mask);

    snprintf(path, sizeof(path), "/tmp/g2d-result-log-%d.jsonl", (int)getpid());
    unlink(path);
    assert_int_equal(result_log_open(&rl, path, &err), 0);
    assert_non_null(rl.f);
    assert_string_equal(rl.path, path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640 & ~mask);
    result_log_append(&rl, 1, "{\"n\":1}xx", 7); /* only len bytes */
    result_log_append(&rl, 1, "{\"n\":2}", 7);
    result_log_sync(&rl);
    text = slurp(path);
    assert_string_equal(text, "{\"n\":1}\n{\"n\":2}\n");
    free(text);
    result_log_close(&rl);
    assert_null(rl.f);
    assert_null(rl.path);
    result_log_close(&rl); /* closed: harmless */

    /* Reopening appends (what log rotation and reload do). */
    assert_int_equal(result_log_open(&rl, path, &err), 0);
    result_log_append(&rl, 1, "{\"n\":3}", 7);
    result_log_flush(&rl);
    text = slurp(path);
    assert_string_equal(text, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    free(text);
    result_log_close(&rl);

    /* A line torn by a crash is ended before the next one. */
    {
        FILE *f = fopen(path, "a");

        fputs("{\"n\":4,\"tor", f);
        fclose(f);
    }
    assert_int_equal(result_log_open(&rl, path, &err), 0);
    result_log_append(&rl, 1, "{\"n\":5}", 7);
    result_log_flush(&rl);
    text = slurp(path);
    assert_string_equal(text, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4,\"tor\n{\"n\":5}\n");
    free(text);
    result_log_close(&rl);
    unlink(path);
}

static void test_disabled(void **state)
{
    struct g2d_error err = {0};
    struct result_log rl;

    assert_int_equal(result_log_open(&rl, NULL, &err), 0);
    assert_null(rl.f);
    result_log_append(&rl, 1, "x", 1);
    result_log_sync(&rl);
    result_log_flush(&rl);
    result_log_close(&rl);

    assert_int_equal(result_log_open(&rl, "", &err), 0);
    assert_null(rl.f);
    result_log_close(&rl);

    /* An OSS location needs the configuration and the engine (result_log_open_cfg). */
    assert_int_equal(result_log_open(&rl, "oss://bucket/results/", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "OSS needs"));
    assert_int_equal(rl.mode, RESULT_LOG_OFF);
    assert_null(rl.path);
}

/* A directory: one file per cycle (and per part), named to sort by time and cycle. */
static void test_directory(void **state)
{
    struct g2d_error err = {0};
    struct result_log rl;
    char dir[64], path[400], *text;
    struct dirent **names;
    int n;

    snprintf(dir, sizeof(dir), "/tmp/g2d-result-dir-%d/", (int)getpid());
    assert_int_equal(result_log_open(&rl, dir, &err), 0);
    assert_int_equal(rl.mode, RESULT_LOG_DIR);
    result_log_append(&rl, 41, "{\"c\":41}", 8);
    result_log_append(&rl, 41, "{\"c\":41,\"n\":2}", 14);
    result_log_sync(&rl);
    result_log_append(&rl, 42, "{\"c\":42}", 8);
    result_log_close(&rl);
    n = scandir(dir, &names, NULL, alphasort);
    assert_int_equal(n, 4); /* ".", "..", two cycles */
    assert_non_null(strstr(names[2]->d_name, "Z-cycle-000041-part-0001.jsonl"));
    assert_non_null(strstr(names[3]->d_name, "Z-cycle-000042-part-0001.jsonl"));
    snprintf(path, sizeof(path), "%s%s", dir, names[2]->d_name);
    text = slurp(path);
    assert_string_equal(text, "{\"c\":41}\n{\"c\":41,\"n\":2}\n");
    free(text);
    unlink(path);
    snprintf(path, sizeof(path), "%s%s", dir, names[3]->d_name);
    text = slurp(path);
    assert_string_equal(text, "{\"c\":42}\n");
    free(text);
    unlink(path);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    assert_int_equal(rmdir(dir), 0);
}

static void test_open_fails(void **state)
{
    struct g2d_error err = {0};
    struct result_log rl = {0};

    assert_int_equal(result_log_open(&rl, "/nonexistent-dir-g2d/results.jsonl", &err), -ENOENT);
    assert_non_null(strstr(err.msg, "cannot open result log '/nonexistent-dir-g2d/results.jsonl'"));
    assert_null(rl.f);
    assert_null(rl.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_reopen),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_directory),
    };

    /* Keep the OSS warning out of the test output. */
    log_init(G2D_LOG_STDERR, LOG_ERR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
