/* SPDX-License-Identifier: MIT */
/*
 * The AWS Glue side: JSON 1.1 over POST /, operation from X-Amz-Target "AWSGlue.<Op>".
 *
 * Order of checks, as the service does: signature (MissingAuthenticationTokenException,
 * UnrecognizedClientException, InvalidSignatureException, ...), then the target
 * (UnknownOperationException), then accounting / quota / faults, then the body
 * (InvalidInputException for a wrong Content-Type or malformed JSON), then the handler.
 * Every error is 400 except InternalServiceException (500), with the body
 * {"__type":"<Name>","Message":"..."}.
 *
 * Choices where real Glue is not documented: names are folded to lower case on store and
 * lookup; MaxResults defaults to 100; NextToken is hex("db:<first name of next page>") and
 * an empty NextToken means the first page; a CatalogId other than --glue-catalog-id (when
 * given) is answered with AccessDeniedException; UpdateDatabase may not rename.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define GLUE_CT "application/x-amz-json-1.1"

void sim_glue_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status,
                    const char *type, const char *fmt, ...)
{
    char msg[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_resp_json(rs, status, json_pack("{s:s,s:s}", "__type", type, "Message", msg), 1, GLUE_CT);
}

static void invalid(struct sim_req *rq, struct sim_resp *rs, const char *msg)
{
    sim_glue_error(rs, rq, 400, "InvalidInputException", "%s", msg);
}

static void ok(struct sim_resp *rs, json_t *out)
{
    sim_resp_json(rs, 200, out ? out : json_object(), 1, GLUE_CT);
}

/* Check the optional CatalogId member. @return 0 or -1 with the error set. */
static int catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const json_t *v = json_object_get(in, "CatalogId");
    const char *want = rq->sim->cfg.glue_catalog_id;

    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || !sim_name_valid(json_string_value(v), 255)) {
        invalid(rq, rs,
                "1 validation error detected: Value at 'catalogId' failed to satisfy "
                "constraint: Member must have length between 1 and 255");
        return -1;
    }
    if (want && strcmp(json_string_value(v), want) != 0) {
        sim_glue_error(rs, rq, 400, "AccessDeniedException",
                       "Insufficient permissions to access catalog %s.", json_string_value(v));
        return -1;
    }
    return 0;
}

/* Required string member @p key, validated as a NameString and folded into @p buf. */
static int name_member(struct sim_req *rq, const json_t *in, const char *key, char *buf,
                       size_t bufsz, struct sim_resp *rs)
{
    const json_t *v = json_object_get(in, key);

    if (!json_is_string(v)) {
        sim_glue_error(rs, rq, 400, "InvalidInputException",
                       "1 validation error detected: Value null at '%s' failed to satisfy "
                       "constraint: Member must not be null",
                       key);
        return -1;
    }
    if (!sim_name_valid(json_string_value(v), 255) || strlen(json_string_value(v)) >= bufsz) {
        sim_glue_error(rs, rq, 400, "InvalidInputException",
                       "1 validation error detected: Value at '%s' failed to satisfy "
                       "constraint: Member must have length between 1 and 255",
                       key);
        return -1;
    }
    strcpy(buf, json_string_value(v));
    sim_fold(buf);
    return 0;
}

static struct sim_catalog *cat(struct sim_req *rq)
{
    return &rq->sim->cat[SIM_GLUE];
}

static void get_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *mr = json_object_get(in, "MaxResults");
    const json_t *nt = json_object_get(in, "NextToken");
    const json_t *rst = json_object_get(in, "ResourceShareType");
    const json_t *atg = json_object_get(in, "AttributesToGet");
    json_int_t max = 100;
    int names_only = 0, with_target = 0;
    char *start = NULL;
    const char *next;
    size_t *idx, n, i;
    json_t *list, *out;

    if (catalog_ok(rq, in, rs) < 0)
        return;
    if (mr && !json_is_null(mr)) {
        if (!json_is_integer(mr)) {
            invalid(rq, rs, "MaxResults must be an integer");
            return;
        }
        max = json_integer_value(mr);
        if (max < 1 || max > 100) {
            char msg[256];

            snprintf(msg, sizeof(msg),
                     "1 validation error detected: Value '%lld' at 'maxResults' failed to "
                     "satisfy constraint: Member must have value %s",
                     (long long)max,
                     max < 1 ? "greater than or equal to 1" : "less than or equal to 100");
            invalid(rq, rs, msg);
            return;
        }
    }
    if (rst && !json_is_null(rst)) {
        const char *s = json_string_value(rst);

        if (!s || (strcmp(s, "ALL") && strcmp(s, "FOREIGN") && strcmp(s, "FEDERATED"))) {
            invalid(rq, rs,
                    "1 validation error detected: Value at 'resourceShareType' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [FOREIGN, ALL, "
                    "FEDERATED]");
            return;
        }
        if (strcmp(s, "ALL") != 0) {
            /* The simulator has no databases shared from other accounts or federations. */
            ok(rs, json_pack("{s:[]}", "DatabaseList"));
            return;
        }
    }
    if (atg && !json_is_null(atg)) {
        size_t k;
        json_t *a;

        if (!json_is_array(atg) || json_array_size(atg) == 0) {
            invalid(rq, rs, "AttributesToGet must be a non-empty list");
            return;
        }
        json_array_foreach(atg, k, a)
        {
            const char *s = json_string_value(a);

            if (s && strcmp(s, "NAME") == 0)
                names_only = 1;
            else if (s && strcmp(s, "TARGET_DATABASE") == 0)
                with_target = 1;
            else {
                invalid(rq, rs, "AttributesToGet values must be NAME or TARGET_DATABASE");
                return;
            }
        }
        if (!names_only) {
            invalid(rq, rs, "AttributesToGet must include NAME");
            return;
        }
    }
    if (nt && !json_is_null(nt)) {
        if (!json_is_string(nt)) {
            invalid(rq, rs, "NextToken must be a string");
            return;
        }
        if (*json_string_value(nt) && sim_token_parse(json_string_value(nt), "db", &start) < 0) {
            invalid(rq, rs, "Invalid NextToken");
            return;
        }
    }
    idx = malloc((size_t)max * sizeof(*idx));
    if (!idx) {
        free(start);
        sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
        return;
    }
    n = sim_coll_page(&cat(rq)->dbs, start, (size_t)max, NULL, idx, &next);
    list = json_array();
    for (i = 0; i < n; i++) {
        const json_t *db = cat(rq)->dbs.items[idx[i]].obj;

        if (names_only) {
            json_t *p = json_pack("{s:O}", "Name", json_object_get(db, "Name"));

            if (with_target && json_object_get(db, "TargetDatabase"))
                json_object_set(p, "TargetDatabase", json_object_get(db, "TargetDatabase"));
            json_array_append_new(list, p);
        } else {
            json_array_append(list, (json_t *)db);
        }
    }
    out = json_pack("{s:o}", "DatabaseList", list);
    if (next) {
        char *tok = sim_token_make("db", next);

        json_object_set_new(out, "NextToken", json_string(tok ? tok : ""));
        free(tok);
    }
    free(idx);
    free(start);
    ok(rs, out);
}

static void get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];
    const struct sim_item *it;

    if (catalog_ok(rq, in, rs) < 0 || name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    ok(rs, json_pack("{s:O}", "Database", it->obj));
}

static void create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    char err[512];
    const char *name;
    json_t *db;

    if (catalog_ok(rq, in, rs) < 0)
        return;
    if (!json_is_object(di)) {
        invalid(rq, rs,
                "1 validation error detected: Value null at 'databaseInput' failed to satisfy "
                "constraint: Member must not be null");
        return;
    }
    db = sim_glue_db_build(di, NULL, NULL, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                           sizeof(err));
    if (!db) {
        invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(db, "Name"));
    if (sim_coll_find(&cat(rq)->dbs, name)) {
        json_decref(db);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Database already exists.");
        return;
    }
    if (sim_coll_put(&cat(rq)->dbs, name, db) < 0) {
        sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
        return;
    }
    ok(rs, NULL);
}

static void update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    const json_t *dn;
    char name[1024], err[512];
    struct sim_item *it;
    json_t *db;

    if (catalog_ok(rq, in, rs) < 0 || name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    if (!json_is_object(di)) {
        invalid(rq, rs,
                "1 validation error detected: Value null at 'databaseInput' failed to satisfy "
                "constraint: Member must not be null");
        return;
    }
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    dn = json_object_get(di, "Name");
    if (json_is_string(dn)) {
        char folded[1024];

        snprintf(folded, sizeof(folded), "%s", json_string_value(dn));
        sim_fold(folded);
        if (strcmp(folded, name) != 0) {
            invalid(rq, rs, "Renaming a database is not supported.");
            return;
        }
    }
    db = sim_glue_db_build(di, name, it->obj, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                           sizeof(err));
    if (!db) {
        invalid(rq, rs, err);
        return;
    }
    sim_coll_put(&cat(rq)->dbs, name, db);
    ok(rs, NULL);
}

static void delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];

    if (catalog_ok(rq, in, rs) < 0 || name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    /* Glue drops the tables and functions of the database with it. */
    if (sim_coll_remove(&cat(rq)->dbs, name) < 0) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    ok(rs, NULL);
}

/* The handler table. New operations (tables, partitions, functions) are added here. */
const struct sim_op sim_glue_ops[] = {
    {"CreateDatabase", NULL, NULL, create_database, 1, 1},
    {"DeleteDatabase", NULL, NULL, delete_database, 1, 1},
    {"GetDatabase", NULL, NULL, get_database, 0, 1},
    {"GetDatabases", NULL, NULL, get_databases, 0, 1},
    {"UpdateDatabase", NULL, NULL, update_database, 1, 1},
};
const size_t sim_glue_nops = sizeof(sim_glue_ops) / sizeof(sim_glue_ops[0]);

void sim_glue_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *target, *ct;
    json_error_t jerr;
    json_t *in;
    size_t i;
    int truncate;

    if (sim_auth_glue(rq, rs) < 0) {
        sim_count_rejected(rq);
        return;
    }
    target = sim_header(rq, "X-Amz-Target");
    if (strcmp(rq->method, "POST") == 0 && strcmp(rq->path, "/") == 0 && target &&
        strncmp(target, "AWSGlue.", 8) == 0)
        for (i = 0; i < sim_glue_nops; i++)
            if (strcmp(sim_glue_ops[i].name, target + 8) == 0) {
                rq->op = &sim_glue_ops[i];
                rq->op_index = i;
                break;
            }
    if (!rq->op) {
        sim_count_rejected(rq);
        sim_glue_error(rs, rq, 400, "UnknownOperationException", "%s",
                       target ? target : "X-Amz-Target is missing");
        return;
    }
    if (sim_pre_handler(rq, rs, &truncate))
        return;
    ct = sim_header(rq, "Content-Type");
    if (!ct || strncmp(ct, GLUE_CT, strlen(GLUE_CT)) != 0) {
        invalid(rq, rs, "Content-Type must be application/x-amz-json-1.1");
        return;
    }
    in = json_loadb(rq->body ? rq->body : "", rq->body_len, 0, &jerr);
    if (!json_is_object(in)) {
        char msg[512];

        snprintf(msg, sizeof(msg), "Unable to parse the request body as a JSON object: %s",
                 in ? "not an object" : jerr.text);
        json_decref(in);
        invalid(rq, rs, msg);
        return;
    }
    pthread_mutex_lock(&rq->sim->mu);
    rq->op->fn(rq, in, rs);
    pthread_mutex_unlock(&rq->sim->mu);
    json_decref(in);
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
