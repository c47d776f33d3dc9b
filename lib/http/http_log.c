/* SPDX-License-Identifier: MIT */
/*
 * What the HTTP engine tells the log (glue2dlf/logging.h): each retry and throttle and each
 * change of the adaptive rate at debug level, each attempt at trace level, and a throttling
 * storm (the rate in force cut below half of what the endpoint ran at) once, at notice,
 * with a MESSAGE_ID. Nothing is formatted unless the level is on.
 */
#include <inttypes.h>
#include <stdio.h>

#include "glue2dlf/logging.h"
#include "http/http-internal.h"

#define STORM_FRACTION 0.5 /* below this share of the reference rate: a storm */
#define STORM_CLEAR 0.8    /* back above this share (or no cap at all): over */

static const char *side_name(const struct g2d_http_endpoint *ep)
{
    return ep->name && ep->name[0] == 'g'   ? "Glue"
           : ep->name && ep->name[0] == 'd' ? "DLF"
                                            : ep->name;
}

void http_log_attempt(const struct g2d_http_req *r)
{
    struct g2d_log_field f[] = {{"GLUE2DLF_API", r->action}, {"GLUE2DLF_SIDE", r->ep->name}};

    if (!g2d_log_on(G2D_LOG_TRACE))
        return;
    g2d_logf(G2D_LOG_TRACE, NULL, f, 2, "%s %s: attempt %u %s %s", side_name(r->ep), r->action,
             r->attempt, r->method, r->path);
}

void http_log_retry(const struct g2d_http_req *r, uint64_t delay_ms, bool throttled)
{
    char status[16], attempt[16];
    struct g2d_log_field f[] = {
        {"GLUE2DLF_API", r->action},
        {"GLUE2DLF_SIDE", r->ep->name},
        {"GLUE2DLF_HTTP_STATUS", status},
        {"GLUE2DLF_ERROR_CODE", r->resp.error_code},
        {"GLUE2DLF_REQUEST_ID", r->request_id},
        {"GLUE2DLF_ATTEMPT", attempt},
    };

    if (!g2d_log_on(LOG_DEBUG))
        return;
    snprintf(status, sizeof(status), "%ld", r->resp.status);
    snprintf(attempt, sizeof(attempt), "%u", r->attempt);
    g2d_logf(LOG_DEBUG, NULL, f, 6, "%s %s: %s after attempt %u (%s%s%s), again in %" PRIu64 " ms",
             side_name(r->ep), r->action, throttled ? "throttled" : "retry", r->attempt,
             r->resp.status ? status : "no answer", r->resp.error_code[0] ? " " : "",
             r->resp.error_code[0] ? r->resp.error_code : r->resp.error_message, delay_ms);
}

void http_log_rate(struct g2d_http_endpoint *ep, double before, double after, double reference)
{
    char rate[32];
    struct g2d_log_field f[] = {{"GLUE2DLF_SIDE", ep->name}, {"GLUE2DLF_RATE", rate}};

    snprintf(rate, sizeof(rate), "%.1f", after);
    if (g2d_log_on(LOG_DEBUG)) {
        if (after <= 0)
            g2d_logf(LOG_DEBUG, NULL, f, 2, "%s: adaptive request rate lifted (was %.1f/s)",
                     side_name(ep), before);
        else
            g2d_logf(LOG_DEBUG, NULL, f, 2, "%s: request rate %s to %.1f/s (was %.1f/s)",
                     side_name(ep), after < before || before <= 0 ? "lowered" : "raised", after,
                     before);
    }
    if (!ep->storm && after > 0 && reference > 0 && after < STORM_FRACTION * reference) {
        ep->storm = true;
        ep->storm_reference = reference;
        g2d_logf(LOG_NOTICE, G2D_MID_THROTTLE_STORM, f, 2,
                 "%s is throttling: request rate cut to %.1f/s, below %.0f%% of the %.1f/s it "
                 "ran at; requests go on more slowly",
                 side_name(ep), after, STORM_FRACTION * 100, reference);
    } else if (ep->storm && (after <= 0 || after >= STORM_CLEAR * ep->storm_reference)) {
        ep->storm = false;
        g2d_logf(LOG_NOTICE, G2D_MID_THROTTLE_STORM_OVER, f, 2,
                 "%s throttling is over: request rate back to %s", side_name(ep),
                 after <= 0 ? "its configured limit" : rate);
    }
}
