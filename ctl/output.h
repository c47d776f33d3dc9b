/* SPDX-License-Identifier: MIT */
/*
 * What glue2dlfctl prints for a reply when --json is not given: a key: value block for
 * status, one line per item for plan and results, one line in the format of a Nagios
 * plugin for health, a one-line summary for sync and the others. Warnings and summaries meant for a person go to the error stream, so that the
 * output stream of plan and results stays one line per item.
 */
#ifndef GLUE2DLFCTL_OUTPUT_H
#define GLUE2DLFCTL_OUTPUT_H

#include <jansson.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

/**
 * Print the human form of @p result (the "result" member of an ok reply to the command
 * named @p cmd) to @p out, warnings and summaries to @p err. Everything is borrowed for the
 * call only; nothing is kept. An unknown command prints nothing.
 */
void output_reply(FILE *out, FILE *err, const char *cmd, const json_t *result);

/**
 * The exit status a successful reply stands for: 1 for a `sync --wait` whose cycle failed,
 * was cancelled, or had failed or held items, and for an unhealthy `health`; else 0.
 * @p result is borrowed for the call.
 */
int output_verdict(const char *cmd, const json_t *result);

/** "4.2s", "3m07s", "2h05m09s": @p ms as text into @p buf (@p n bytes, caller's). */
void output_duration(char *buf, size_t n, int64_t ms);

#endif
