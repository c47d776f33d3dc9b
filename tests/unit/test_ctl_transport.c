/* SPDX-License-Identifier: MIT */
/* Unit tests for glue2dlfctl's transport (ctl/transport.h) over socket pairs and a real
 * listening UNIX socket. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport.h"

static void test_read_line(void **state)
{
    struct g2d_buf b;
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    g2d_buf_init(&b, 0);
    /* A line in two pieces; what follows the newline is dropped. */
    assert_int_equal(ctl_send_all(sv[1], "{\"ok\":", 6), 0);
    assert_int_equal(ctl_send_all(sv[1], "true}\nrest", 10), 0);
    assert_int_equal(ctl_read_line(sv[0], &b, 1000), 0);
    assert_string_equal(g2d_buf_cstr(&b), "{\"ok\":true}");
    g2d_buf_reset(&b);
    /* Nothing more within the timeout. */
    assert_int_equal(ctl_read_line(sv[0], &b, 50), -ETIMEDOUT);
    /* Closed before a whole line. */
    assert_int_equal(ctl_send_all(sv[1], "half", 4), 0);
    close(sv[1]);
    g2d_buf_reset(&b);
    assert_int_equal(ctl_read_line(sv[0], &b, -1), -EPIPE);
    close(sv[0]);
    g2d_buf_done(&b);
}

static void test_read_line_too_big(void **state)
{
    struct g2d_buf b;
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    g2d_buf_init(&b, 8);
    assert_int_equal(ctl_send_all(sv[1], "0123456789abcdef\n", 17), 0);
    assert_int_equal(ctl_read_line(sv[0], &b, 1000), -E2BIG);
    close(sv[0]);
    close(sv[1]);
    g2d_buf_done(&b);
}

static void test_connect(void **state)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char path[64], big[200];
    int lfd, fd, afd;
    char c = 0;

    snprintf(path, sizeof(path), "/tmp/g2d-ctl-transport-%d.sock", (int)getpid());
    unlink(path);
    /* Nobody listening yet. */
    assert_int_equal(ctl_connect(path), -1);
    assert_int_equal(errno, ENOENT);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ctl_connect(big), -1);
    assert_int_equal(errno, ENAMETOOLONG);

    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    fd = ctl_connect(path);
    assert_true(fd >= 0);
    afd = accept(lfd, NULL, NULL);
    assert_true(afd >= 0);
    assert_int_equal(ctl_send_all(fd, "!", 1), 0);
    assert_int_equal(read(afd, &c, 1), 1);
    assert_int_equal(c, '!');
    close(afd);
    close(fd);
    close(lfd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_line),
        cmocka_unit_test(test_read_line_too_big),
        cmocka_unit_test(test_connect),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
