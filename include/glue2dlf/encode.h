/* SPDX-License-Identifier: MIT */
/**
 * @file encode.h
 * Small encoders shared by the signers, the clients and the simulator.
 *
 * Ownership: every input is borrowed for the call; nothing is allocated except inside a
 * caller-owned struct g2d_buf (appended to, never replaced) or written to a caller buffer
 * of the size stated.
 */
#ifndef GLUE2DLF_ENCODE_H
#define GLUE2DLF_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"

/** Lower-case hex of @p n bytes into @p out (needs 2n+1 bytes, NUL-terminated). */
void g2d_hex(const void *in, size_t n, char *out);

/** Standard base64 (with padding) of @p n bytes appended to @p out. @return 0 or -errno. */
int g2d_base64(const void *in, size_t n, struct g2d_buf *out);

/**
 * RFC 3986 percent-encoding appended to @p out: unreserved `A-Za-z0-9-._~` kept, every
 * other byte `%XX` with upper-case hex. If @p keep_slash, '/' is kept too (paths).
 * @return 0 or -errno.
 */
int g2d_uri_encode(const char *s, size_t n, int keep_slash, struct g2d_buf *out);

/** Percent-decode (and '+' is kept literally) into @p out. @return 0, -EINVAL on bad escape. */
int g2d_uri_decode(const char *s, size_t n, struct g2d_buf *out);

/** SHA-256 of @p n bytes, 32 bytes into @p out. */
void g2d_sha256(const void *in, size_t n, uint8_t out[32]);

/** Lower-case hex SHA-256 (65 bytes incl. NUL) of @p n bytes. */
void g2d_sha256_hex(const void *in, size_t n, char out[65]);

/** Fill @p out with @p n cryptographically random bytes. @return 0 or -errno. */
int g2d_random_bytes(void *out, size_t n);

/** Format the UTC time @p t (seconds) as `YYYYMMDDTHHMMSSZ` (AWS, 17 bytes incl. NUL). */
void g2d_time_amz(int64_t t, char out[17]);
/** Format as `YYYY-MM-DDTHH:MM:SSZ` (Alibaba V3, 21 bytes incl. NUL). */
void g2d_time_iso8601(int64_t t, char out[21]);
/** Format as RFC 1123 `Mon, 01 Jan 2024 00:00:00 GMT` (Alibaba ROA, 30 bytes incl. NUL). */
void g2d_time_rfc1123(int64_t t, char out[30]);

#endif
