/* SPDX-License-Identifier: MIT */
/*
 * Request accounting, the per-side request-rate quota (token bucket), global latency and
 * the fault rules installed through POST /_sim/faults.
 *
 * Fault kinds and what the client sees:
 *   throttle  Glue 400 ThrottlingException "Rate exceeded";
 *             DLF 400 Throttling.User (gateway error body)
 *   error500  Glue 500 InternalServiceException; DLF 500 InternalError (service envelope)
 *   reset     the connection is closed without any response
 *   truncate  the operation runs (state changes stick), then a 200 is sent whose
 *             Content-Length announces the whole body but only half of it is written
 *             before the connection is closed
 *   latency   sleep latency_ms, then serve normally
 *   deny      Glue 400 AccessDeniedException; DLF 403 Forbidden.RAM (gateway error body)
 *   item_error DLF BatchCreatePartitions / BatchUpdatePartitions / BatchDeletePartitions
 *              (values joined with '/') and Batch{Create,Update,Delete}Tables (table names)
 *             only: items whose values joined with '/' contain "match" fail with a
 *             PartitionErrors entry {Code: "code", Message: "message"}; the rest of the batch
 *             succeeds. The count is consumed per failed item. Never answers a request.
 *   drop_member, null_member, wrong_type, dup_member, error200, bad_item_errors, no_success
 *             the operation runs, then its 200 answer is damaged (damage.c, README.md);
 *             these rules are applied after the handler by sim_damage, not here.
 * The first rule matching (side, action or "*") with a remaining count applies; its count
 * is decremented (-1 = forever) and exhausted rules are dropped. A rule with a probability
 * below 1 applies to a matching request (item_error: item) only when a draw from the seeded
 * generator falls under it; otherwise the next rule is tried.
 * Every fault injected is counted by side and kind (stats "faults").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

static const char *const kind_names[] = {
    "throttle",   "error500",   "reset",           "truncate",    "latency",
    "deny",       "item_error", "drop_member",     "null_member", "wrong_type",
    "dup_member", "error200",   "bad_item_errors", "no_success"};
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))
_Static_assert(NKINDS == SIM_FAULT_NKINDS, "a name for each fault kind");

const char *sim_fault_kind_name(enum sim_fault_kind k)
{
    return (size_t)k < NKINDS ? kind_names[k] : "?";
}

double sim_fault_draw(struct sim *sim)
{
    uint64_t z = (sim->fault_rng += 0x9e3779b97f4a7c15ull); /* splitmix64 */

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void throttle(struct sim_req *rq, struct sim_resp *rs)
{
    if (rq->side == SIM_GLUE)
        sim_glue_error(rs, rq, 400, "ThrottlingException", "Rate exceeded");
    else
        sim_dlf_gw_error(rs, rq, 400, "Throttling.User",
                         "Request was denied due to user flow control.");
}

/* Take one token from the side's bucket; 1 if allowed. Called with sim->mu held. */
static int bucket_take(struct sim *sim, enum sim_side side)
{
    struct sim_bucket *b = &sim->bucket[side];
    double rps = sim->cfg.rps[side], cap = rps < 1 ? 1 : rps, now = sim_now_mono();

    if (rps <= 0)
        return 1;
    if (b->last == 0)
        b->tokens = cap;
    else
        b->tokens += (now - b->last) * rps;
    if (b->tokens > cap)
        b->tokens = cap;
    b->last = now;
    if (b->tokens < 1)
        return 0;
    b->tokens -= 1;
    return 1;
}

int sim_pre_handler(struct sim_req *rq, struct sim_resp *rs, int *truncate)
{
    struct sim *sim = rq->sim;
    struct sim_side_stats *st = &sim->stats[rq->side];
    struct sim_fault f;
    int have = 0, allowed;
    size_t i;

    *truncate = 0;
    memset(&f, 0, sizeof(f));
    pthread_mutex_lock(&sim->mu);
    st->ops[rq->op_index]++;
    st->total++;
    if (rq->op->write)
        st->writes++;
    allowed = bucket_take(sim, rq->side);
    if (!allowed)
        st->throttled++;
    for (i = 0; allowed && i < sim->nfaults; i++) {
        struct sim_fault *r = &sim->faults[i];

        if (r->kind == SIM_FAULT_ITEM_ERROR || sim_fault_is_damage(r->kind) ||
            r->side != rq->side || (strcmp(r->action, "*") != 0 && strcmp(r->action, rq->op->name)))
            continue;
        if (r->probability < 1 && sim_fault_draw(sim) >= r->probability)
            continue; /* each rule is its own trial: the next one may still apply */
        f = *r;
        have = 1;
        st->injected[r->kind]++;
        if (r->count > 0 && --r->count == 0) {
            memmove(r, r + 1, (sim->nfaults - i - 1) * sizeof(*r));
            sim->nfaults--;
        }
        break;
    }
    pthread_mutex_unlock(&sim->mu);

    if (sim->cfg.latency_ms)
        sleep_ms(sim->cfg.latency_ms);
    if (!allowed) {
        throttle(rq, rs);
        return 1;
    }
    if (!have)
        return 0;
    sim_log(sim, "%s %s: injecting %s", rq->side == SIM_GLUE ? "glue" : "dlf", rq->op->name,
            kind_names[f.kind]);
    switch (f.kind) {
    case SIM_FAULT_THROTTLE:
        throttle(rq, rs);
        return 1;
    case SIM_FAULT_ERROR500:
        if (rq->side == SIM_GLUE)
            sim_glue_error(rs, rq, 500, "InternalServiceException", "Internal service error");
        else
            sim_dlf_error(rs, rq, 500, "InternalError",
                          "The request processing has failed due to some unknown error.");
        return 1;
    case SIM_FAULT_RESET:
        rs->how = SIM_RESET;
        return 1;
    case SIM_FAULT_TRUNCATE:
        *truncate = 1;
        return 0;
    case SIM_FAULT_LATENCY:
        sleep_ms(f.latency_ms);
        return 0;
    default: /* item_error and the damage kinds act later */
        return 0;
    case SIM_FAULT_DENY:
        if (rq->side == SIM_GLUE)
            sim_glue_error(rs, rq, 400, "AccessDeniedException",
                           "User: arn:aws:iam::123456789012:user/sim is not authorized to "
                           "perform: glue:%s",
                           rq->op->name);
        else
            sim_dlf_gw_error(rs, rq, 403, "Forbidden.RAM",
                             "User not authorized to operate on the specified resource, or this "
                             "API doesn't support RAM.");
        return 1;
    }
    return 0;
}

static int op_known(enum sim_side side, const char *name)
{
    const struct sim_op *ops = side == SIM_GLUE ? sim_glue_ops : sim_dlf_ops;
    size_t n = side == SIM_GLUE ? sim_glue_nops : sim_dlf_nops, i;

    for (i = 0; i < n; i++)
        if (strcmp(ops[i].name, name) == 0)
            return 1;
    return 0;
}

/* side, action and kind of @p rule into @p f. */
static int parse_target(const json_t *rule, struct sim_fault *f, char *err, size_t errlen)
{
    const char *side = json_string_value(json_object_get(rule, "side"));
    const char *action = json_string_value(json_object_get(rule, "action"));
    const char *kind = json_string_value(json_object_get(rule, "kind"));
    size_t i;

    if (!side || (strcmp(side, "glue") && strcmp(side, "dlf"))) {
        snprintf(err, errlen, "side must be \"glue\" or \"dlf\"");
        return -EINVAL;
    }
    f->side = strcmp(side, "glue") == 0 ? SIM_GLUE : SIM_DLF;
    if (!action)
        action = "*";
    if (strlen(action) >= sizeof(f->action) ||
        (strcmp(action, "*") != 0 && !op_known(f->side, action))) {
        snprintf(err, errlen, "unknown %s action '%.64s'", side, action);
        return -EINVAL;
    }
    strcpy(f->action, action);
    for (i = 0; kind && i < NKINDS; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            break;
    if (!kind || i == NKINDS) {
        snprintf(err, errlen,
                 "kind must be one of throttle, error500, reset, truncate, latency, deny, "
                 "item_error, drop_member, null_member, wrong_type, dup_member, error200, "
                 "bad_item_errors, no_success");
        return -EINVAL;
    }
    f->kind = (enum sim_fault_kind)i;
    return 0;
}

/* The match, code and message of an item_error rule. */
static int parse_item_error(const json_t *rule, struct sim_fault *f, char *err, size_t errlen)
{
    const char *m = json_string_value(json_object_get(rule, "match"));
    const char *c = json_string_value(json_object_get(rule, "code"));
    const char *msg = json_string_value(json_object_get(rule, "message"));
    const char *action = f->action;

    if (f->side != SIM_DLF ||
        (strcmp(action, "BatchCreatePartitions") && strcmp(action, "BatchUpdatePartitions") &&
         strcmp(action, "BatchDeletePartitions") && strcmp(action, "BatchCreateTables") &&
         strcmp(action, "BatchUpdateTables") && strcmp(action, "BatchDeleteTables"))) {
        snprintf(err, errlen,
                 "item_error applies to side dlf, action BatchCreatePartitions, "
                 "BatchUpdatePartitions, BatchDeletePartitions, BatchCreateTables, "
                 "BatchUpdateTables or BatchDeleteTables");
        return -EINVAL;
    }
    if (!m || strlen(m) >= sizeof(f->match) || (c && strlen(c) >= sizeof(f->code)) ||
        (msg && strlen(msg) >= sizeof(f->message))) {
        snprintf(err, errlen,
                 "item_error needs a \"match\" string (code and message "
                 "optional, short)");
        return -EINVAL;
    }
    snprintf(f->match, sizeof(f->match), "%s", m);
    snprintf(f->code, sizeof(f->code), "%s", c ? c : "InvalidObject");
    snprintf(f->message, sizeof(f->message), "%s", msg ? msg : "Injected item error.");
    return 0;
}

/* count and latency_ms. */
static int parse_numbers(const json_t *rule, struct sim_fault *f, char *err, size_t errlen)
{
    const json_t *count = json_object_get(rule, "count"),
                 *lat = json_object_get(rule, "latency_ms"),
                 *p = json_object_get(rule, "probability");

    f->count = 1;
    f->probability = 1;
    if (p) {
        if (!json_is_number(p) || json_number_value(p) <= 0 || json_number_value(p) > 1) {
            snprintf(err, errlen, "probability must be a number in (0, 1]");
            return -EINVAL;
        }
        f->probability = json_number_value(p);
    }
    if (count) {
        if (!json_is_integer(count) ||
            (json_integer_value(count) < 1 && json_integer_value(count) != -1)) {
            snprintf(err, errlen, "count must be a positive integer or -1");
            return -EINVAL;
        }
        f->count = (long)json_integer_value(count);
    }
    if (lat) {
        if (!json_is_integer(lat) || json_integer_value(lat) < 0 ||
            json_integer_value(lat) > 600000) {
            snprintf(err, errlen, "latency_ms must be an integer in 0..600000");
            return -EINVAL;
        }
        f->latency_ms = (unsigned)json_integer_value(lat);
    }
    if (f->kind == SIM_FAULT_LATENCY && f->latency_ms == 0) {
        snprintf(err, errlen, "a latency fault needs latency_ms > 0");
        return -EINVAL;
    }
    return 0;
}

static int extra_given(const json_t *rule)
{
    static const char *const keys[] = {"database", "table", "as"};
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (json_object_get(rule, keys[i]))
            return 1;
    return 0;
}

int sim_faults_add(struct sim *sim, const json_t *rule, char *err, size_t errlen)
{
    struct sim_fault f;
    int damage;

    memset(&f, 0, sizeof(f));
    if (parse_target(rule, &f, err, errlen) < 0 ||
        (f.kind == SIM_FAULT_ITEM_ERROR && parse_item_error(rule, &f, err, errlen) < 0) ||
        parse_numbers(rule, &f, err, errlen) < 0)
        return -EINVAL;
    damage = sim_fault_is_damage(f.kind);
    if (damage && sim_damage_parse(rule, &f, err, errlen) < 0)
        return -EINVAL;
    if (!damage && extra_given(rule)) {
        snprintf(err, errlen, "database, table and as apply to the damage kinds only");
        return -EINVAL;
    }

    pthread_mutex_lock(&sim->mu);
    if (sim->nfaults == sim->cap_faults) {
        size_t cap = sim->cap_faults ? sim->cap_faults * 2 : 8;
        struct sim_fault *p = cap > 4096 ? NULL : realloc(sim->faults, cap * sizeof(*p));

        if (!p) {
            pthread_mutex_unlock(&sim->mu);
            snprintf(err, errlen, "too many fault rules");
            return -ENOMEM;
        }
        sim->faults = p;
        sim->cap_faults = cap;
    }
    sim->faults[sim->nfaults++] = f;
    if (damage)
        __atomic_add_fetch(&sim->ndamage, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&sim->mu);
    return 0;
}

void sim_faults_clear(struct sim *sim)
{
    pthread_mutex_lock(&sim->mu);
    sim->nfaults = 0;
    __atomic_store_n(&sim->ndamage, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&sim->mu);
}

json_t *sim_faults_list(struct sim *sim)
{
    json_t *a = json_array();
    size_t i;

    pthread_mutex_lock(&sim->mu);
    for (i = 0; a && i < sim->nfaults; i++) {
        const struct sim_fault *f = &sim->faults[i];

        json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:f}", "side",
                              f->side == SIM_GLUE ? "glue" : "dlf", "action", f->action, "kind",
                              kind_names[f->kind], "count", (json_int_t)f->count, "latency_ms",
                              (json_int_t)f->latency_ms, "probability", f->probability);

        if (f->kind == SIM_FAULT_ITEM_ERROR)
            json_object_update_new(o, json_pack("{s:s,s:s,s:s}", "match", f->match, "code", f->code,
                                                "message", f->message));
        if (sim_fault_is_damage(f->kind))
            json_object_update_new(o, sim_damage_json(f));
        json_array_append_new(a, o);
    }
    pthread_mutex_unlock(&sim->mu);
    return a;
}

/* {"throttle": n, ..., "total": n}: the faults injected on one side, kinds never used left out. */
static json_t *injected_json(const struct sim_side_stats *st)
{
    json_t *o = json_object();
    unsigned long total = 0;
    size_t k;

    for (k = 0; k < NKINDS; k++) {
        if (st->injected[k])
            json_object_set_new(o, kind_names[k], json_integer((json_int_t)st->injected[k]));
        total += st->injected[k];
    }
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    return o;
}

json_t *sim_stats_json(struct sim *sim)
{
    json_t *root = json_object(), *rej = json_object(), *thr = json_object(), *inj = json_object();
    static const char *const side_names[] = {"glue", "dlf"};
    int s;

    pthread_mutex_lock(&sim->mu);
    for (s = 0; s < SIM_NSIDES; s++) {
        const struct sim_op *ops = s == SIM_GLUE ? sim_glue_ops : sim_dlf_ops;
        size_t n = s == SIM_GLUE ? sim_glue_nops : sim_dlf_nops, i;
        const struct sim_side_stats *st = &sim->stats[s];
        json_t *o = json_object();

        for (i = 0; i < n; i++)
            json_object_set_new(o, ops[i].name, json_integer((json_int_t)st->ops[i]));
        json_object_set_new(o, "total", json_integer((json_int_t)st->total));
        json_object_set_new(o, "writes", json_integer((json_int_t)st->writes));
        if (s == SIM_DLF)
            json_object_set_new(o, "partition_items",
                                json_integer((json_int_t)st->partition_items));
        json_object_set_new(root, side_names[s], o);
        json_object_set_new(inj, side_names[s], injected_json(st));
        json_object_set_new(rej, side_names[s], json_integer((json_int_t)st->rejected));
        json_object_set_new(thr, side_names[s], json_integer((json_int_t)st->throttled));
    }
    pthread_mutex_unlock(&sim->mu);
    json_object_set_new(root, "rejected", rej);
    json_object_set_new(root, "throttled", thr);
    json_object_set_new(root, "faults", inj);
    return root;
}

void sim_stats_reset(struct sim *sim)
{
    int s;

    pthread_mutex_lock(&sim->mu);
    for (s = 0; s < SIM_NSIDES; s++) {
        struct sim_side_stats *st = &sim->stats[s];
        size_t n = s == SIM_GLUE ? sim_glue_nops : sim_dlf_nops;

        memset(st->ops, 0, n * sizeof(st->ops[0]));
        st->total = st->writes = st->rejected = st->throttled = st->partition_items = 0;
        memset(st->injected, 0, sizeof(st->injected));
    }
    pthread_mutex_unlock(&sim->mu);
}

void sim_count_rejected(struct sim_req *rq)
{
    pthread_mutex_lock(&rq->sim->mu);
    rq->sim->stats[rq->side].rejected++;
    pthread_mutex_unlock(&rq->sim->mu);
}

int sim_fault_item(struct sim *sim, const char *action, const char *joined, char *code,
                   size_t codelen, char *msg, size_t msglen)
{
    size_t i;

    for (i = 0; i < sim->nfaults; i++) {
        struct sim_fault *r = &sim->faults[i];

        if (r->kind != SIM_FAULT_ITEM_ERROR || strcmp(r->action, action) != 0 ||
            !strstr(joined, r->match))
            continue;
        if (r->probability < 1 && sim_fault_draw(sim) >= r->probability)
            continue;
        sim->stats[SIM_DLF].injected[SIM_FAULT_ITEM_ERROR]++;
        snprintf(code, codelen, "%s", r->code);
        snprintf(msg, msglen, "%s", r->message);
        if (r->count > 0 && --r->count == 0) {
            memmove(r, r + 1, (sim->nfaults - i - 1) * sizeof(*r));
            sim->nfaults--;
        }
        return 1;
    }
    return 0;
}
