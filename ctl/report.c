/* SPDX-License-Identifier: MIT */
/* The report page. See report.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

#define CHART_W 640
#define CHART_H 120

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

/* Text with &, <, >, " and ' escaped. */
static void esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static void utc(char *buf, size_t n, json_int_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, n, "-");
}

static void head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>glue2dlf report</title>\n<style>\n"
          "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}\n"
          "h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}\n"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}\n"
          "td.n,th.n{text-align:right}tr.bad td{background:#fde2e2}tr.held td{background:#fff3cd}\n"
          "tr.total "
          "td{font-weight:bold}.ok{color:#17692e}.partial,.failed,.cancelled{color:#a61b1b}\n"
          "svg text{font:10px sans-serif}\n</style></head><body>\n",
          out);
}

static void summary(FILE *out, const json_t *r)
{
    const json_t *c = json_object_get(r, "last_cycle");
    char when[64];

    fputs("<h1>glue2dlf: Glue &rarr; DLF</h1>\n", out);
    if (!json_is_object(c)) {
        fputs("<p id=\"summary\">No sync cycle has finished yet.</p>\n", out);
        return;
    }
    utc(when, sizeof(when), num(c, "finished_ms"));
    fprintf(out,
            "<p id=\"summary\">Cycle <b id=\"cycle-id\">%" JSON_INTEGER_FORMAT "</b> "
            "<b class=\"%s\" id=\"outcome\">",
            num(c, "cycle_id"), str(c, "outcome"));
    esc(out, str(c, "outcome"));
    fprintf(out,
            "</b>, finished %s in %.1f s: <span id=\"seen\">%" JSON_INTEGER_FORMAT
            "</span> seen, <span id=\"created\">%" JSON_INTEGER_FORMAT
            "</span> created, <span id=\"updated\">%" JSON_INTEGER_FORMAT
            "</span> updated, <span id=\"deleted\">%" JSON_INTEGER_FORMAT
            "</span> deleted, <span id=\"failed\">%" JSON_INTEGER_FORMAT
            "</span> failed, <span id=\"held\">%" JSON_INTEGER_FORMAT "</span> held.",
            when, (double)num(c, "duration_ms") / 1000.0, num(c, "seen"), num(c, "created"),
            num(c, "updated"), num(c, "deleted"), num(c, "failed"), num(c, "held"));
    if (json_is_string(json_object_get(c, "error"))) {
        fputs(" Error: ", out);
        esc(out, str(c, "error"));
    }
    fprintf(out, " The daemon is %s.</p>\n", str(r, "state"));
}

/* Bars of one value per cycle (oldest left); @p what 0: duration (s), 1: requests/s. */
static void chart(FILE *out, const json_t *hist, int what)
{
    size_t n = json_array_size(hist), i;
    double v[64] = {0}, max = 0;
    double bw;

    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++) {
        const json_t *c = json_array_get(hist, json_array_size(hist) - n + i);
        double s = (double)num(c, "duration_ms") / 1000.0;

        v[i] = what == 0 ? s
                         : (double)(num(c, "glue_requests") + num(c, "dlf_requests")) /
                               (s > 0.001 ? s : 0.001);
        if (v[i] > max)
            max = v[i];
    }
    bw = n ? (double)(CHART_W - 40) / (double)n : 0;
    fprintf(out,
            "<svg id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"%s\"><rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n",
            what == 0 ? "chart-duration" : "chart-rate", CHART_W, CHART_H + 20, CHART_W,
            CHART_H + 20, what == 0 ? "cycle durations" : "request rates");
    for (i = 0; i < n; i++) {
        const json_t *c = json_array_get(hist, json_array_size(hist) - n + i);
        double h = max > 0 ? v[i] / max * (CHART_H - 10) : 0;

        fprintf(out,
                "<rect class=\"bar\" data-cycle=\"%" JSON_INTEGER_FORMAT
                "\" data-value=\"%.3f\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"%s\"><title>cycle %" JSON_INTEGER_FORMAT ": %.3f %s</title></rect>\n",
                num(c, "cycle_id"), v[i], 30 + i * bw, CHART_H - h, bw * 0.8 > 1 ? bw * 0.8 : 1, h,
                strcmp(str(c, "outcome"), "ok") ? "#c0392b" : "#2e86c1", num(c, "cycle_id"), v[i],
                what == 0 ? "s" : "requests/s");
        if (n <= 20 || i == n - 1 || i % (n / 10 + 1) == 0)
            fprintf(out,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%" JSON_INTEGER_FORMAT
                    "</text>\n",
                    30 + i * bw + bw * 0.4, CHART_H + 14, num(c, "cycle_id"));
    }
    fprintf(out, "<text x=\"2\" y=\"10\">%.3g%s</text></svg>\n", max, what == 0 ? " s" : " req/s");
}

static void db_table(FILE *out, const json_t *dbs)
{
    static const char *const cols[] = {"tables",  "functions", "partitions",
                                       "changed", "failed",    "held"};
    json_int_t tot[6] = {0};
    size_t i;
    const json_t *d;

    fputs("<table id=\"databases\"><thead><tr><th>database</th><th class=\"n\">tables</th>"
          "<th class=\"n\">functions</th><th class=\"n\">partitions</th>"
          "<th class=\"n\">changed</th><th class=\"n\">failed</th><th class=\"n\">held</th>"
          "</tr></thead><tbody>\n",
          out);
    json_array_foreach(dbs, i, d)
    {
        fprintf(out, "<tr class=\"%s\" data-db=\"",
                num(d, "failed") ? "bad"
                : num(d, "held") ? "held"
                                 : "");
        esc(out, str(d, "name"));
        fputs("\"><td>", out);
        esc(out, str(d, "name"));
        fputs("</td>", out);
        for (size_t k = 0; k < 6; k++) {
            tot[k] += num(d, cols[k]);
            fprintf(out, "<td class=\"n\" data-field=\"%s\">%" JSON_INTEGER_FORMAT "</td>", cols[k],
                    num(d, cols[k]));
        }
        fputs("</tr>\n", out);
    }
    fputs("<tr class=\"total\" data-db=\"(all)\"><td>all</td>", out);
    for (size_t k = 0; k < 6; k++)
        fprintf(out, "<td class=\"n\" data-field=\"%s\">%" JSON_INTEGER_FORMAT "</td>", cols[k],
                tot[k]);
    fputs("</tr></tbody></table>\n", out);
}

/* Sort the rows by name, so the page is the same for the same state. */
static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

int report_html(FILE *out, const json_t *r)
{
    const json_t *dbs = json_object_get(r, "databases");
    size_t n = json_array_size(dbs), i;
    json_t **v = n ? calloc(n, sizeof(*v)) : NULL, *sorted = json_array();

    for (i = 0; v && i < n; i++)
        v[i] = json_array_get(dbs, i);
    if (v)
        qsort(v, n, sizeof(*v), by_name);
    for (i = 0; v && sorted && i < n; i++)
        json_array_append(sorted, v[i]);
    free(v);
    head(out);
    summary(out, r);
    fputs("<h2>Last cycles: duration</h2>\n", out);
    chart(out, json_object_get(r, "history"), 0);
    fputs("<h2>Last cycles: requests per second (Glue + DLF)</h2>\n", out);
    chart(out, json_object_get(r, "history"), 1);
    fputs("<h2>Databases</h2>\n<p>Objects: what DLF holds in scope now (the daemon's "
          "snapshot). Changed, failed, held: the last sync cycle.</p>\n",
          out);
    db_table(out, sorted ? sorted : dbs);
    fputs("</body></html>\n", out);
    json_decref(sorted);
    return ferror(out) ? -1 : 0;
}
