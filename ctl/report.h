/* SPDX-License-Identifier: MIT */
/* `glue2dlfctl report`: the daemon's "report" reply drawn as one self-contained HTML page. */
#ifndef GLUE2DLFCTL_REPORT_H
#define GLUE2DLFCTL_REPORT_H

#include <jansson.h>
#include <stdio.h>

/**
 * Write the page for @p r (the reply's result, borrowed) to @p out: the last cycle's
 * summary, a chart of the last cycles' durations and request rates (inline SVG), and a
 * table of the databases (objects held in DLF, and what the last cycle changed, failed and
 * held there). No script, no outside resource. @return 0, or -1 if writing failed.
 */
int report_html(FILE *out, const json_t *r);

#endif
