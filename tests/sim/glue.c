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
 *
 * This file: errors, the request helpers of glue_ops.h, the handler table and dispatch;
 * the handlers are in glue_db.c, glue_table.c, glue_part.c and glue_fn.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue_ops.h"

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

void sg_invalid(struct sim_req *rq, struct sim_resp *rs, const char *msg)
{
    sim_glue_error(rs, rq, 400, "InvalidInputException", "%s", msg);
}

void sg_ok(struct sim_resp *rs, json_t *out)
{
    sim_resp_json(rs, 200, out ? out : json_object(), 1, GLUE_CT);
}

/* Check the optional CatalogId member. @return 0 or -1 with the error set. */
int sg_catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const json_t *v = json_object_get(in, "CatalogId");
    const char *want = rq->sim->cfg.glue_catalog_id;

    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || !sim_name_valid(json_string_value(v), 255)) {
        sg_invalid(rq, rs,
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
int sg_name_member(struct sim_req *rq, const json_t *in, const char *key, char *buf, size_t bufsz,
                   struct sim_resp *rs)
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

struct sim_catalog *sg_cat(struct sim_req *rq)
{
    return &rq->sim->cat[SIM_GLUE];
}

void sg_internal(struct sim_req *rq, struct sim_resp *rs)
{
    sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
}

/* Optional MaxResults in 1..@p hi (default @p def). @return 0 or -1 with the error set. */
int sg_max_results(struct sim_req *rq, const json_t *in, json_int_t def, json_int_t hi,
                   json_int_t *out, struct sim_resp *rs)
{
    const json_t *mr = json_object_get(in, "MaxResults");

    *out = def;
    if (!mr || json_is_null(mr))
        return 0;
    if (!json_is_integer(mr)) {
        sg_invalid(rq, rs, "MaxResults must be an integer");
        return -1;
    }
    *out = json_integer_value(mr);
    if (*out < 1 || *out > hi) {
        sim_glue_error(rs, rq, 400, "InvalidInputException",
                       "1 validation error detected: Value '%lld' at 'maxResults' failed to "
                       "satisfy constraint: Member must have value %s %lld",
                       (long long)*out,
                       *out < 1 ? "greater than or equal to" : "less than or equal to",
                       (long long)(*out < 1 ? 1 : hi));
        return -1;
    }
    return 0;
}

/* Optional NextToken of @p kind: *key malloc'd or NULL. @return 0 or -1 with the error set. */
int sg_next_token(struct sim_req *rq, const json_t *in, const char *kind, char **key, size_t *len,
                  struct sim_resp *rs)
{
    const json_t *nt = json_object_get(in, "NextToken");

    *key = NULL;
    *len = 0;
    if (!nt || json_is_null(nt) || (json_is_string(nt) && !*json_string_value(nt)))
        return 0;
    if (!json_is_string(nt) || sim_token_parse_bin(json_string_value(nt), kind, key, len) < 0) {
        sg_invalid(rq, rs, "Invalid NextToken");
        return -1;
    }
    return 0;
}

void sg_set_token(json_t *out, const char *kind, const char *key, size_t len)
{
    char *tok = sim_token_make_bin(kind, key, len);

    json_object_set_new(out, "NextToken", json_string(tok ? tok : ""));
    free(tok);
}

struct sim_item *sg_find_db(struct sim_req *rq, const json_t *in, const char *key,
                            struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (sg_name_member(rq, in, key, name, sizeof(name), rs) < 0)
        return NULL;
    it = sim_coll_find(&sg_cat(rq)->dbs, name);
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
    return it;
}

struct sim_item *sg_find_table(struct sim_req *rq, struct sim_item *db, const json_t *in,
                               const char *key, struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (sg_name_member(rq, in, key, name, sizeof(name), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name) : NULL;
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Table %s not found.", name);
    return it;
}

/* Database and table of a partition request (DatabaseName, TableName). */
struct sim_item *sg_db_table(struct sim_req *rq, const json_t *in, struct sim_resp *rs,
                             struct sim_item **dbp)
{
    struct sim_item *db;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)))
        return NULL;
    if (dbp)
        *dbp = db;
    return sg_find_table(rq, db, in, "TableName", rs);
}

/* The handler table, sorted by name. New operations are added here. */
const struct sim_op sim_glue_ops[] = {
    {"BatchCreatePartition", NULL, NULL, sg_batch_create_partition, 1, 1},
    {"BatchGetPartition", NULL, NULL, sg_batch_get_partition, 0, 1},
    {"CreateDatabase", NULL, NULL, sg_create_database, 1, 1},
    {"CreatePartition", NULL, NULL, sg_create_partition, 1, 1},
    {"CreateTable", NULL, NULL, sg_create_table, 1, 1},
    {"CreateUserDefinedFunction", NULL, NULL, sg_create_function, 1, 1},
    {"DeleteDatabase", NULL, NULL, sg_delete_database, 1, 1},
    {"DeletePartition", NULL, NULL, sg_delete_partition, 1, 1},
    {"DeleteTable", NULL, NULL, sg_delete_table, 1, 1},
    {"DeleteUserDefinedFunction", NULL, NULL, sg_delete_function, 1, 1},
    {"GetDatabase", NULL, NULL, sg_get_database, 0, 1},
    {"GetDatabases", NULL, NULL, sg_get_databases, 0, 1},
    {"GetPartition", NULL, NULL, sg_get_partition, 0, 1},
    {"GetPartitions", NULL, NULL, sg_get_partitions, 0, 1},
    {"GetTable", NULL, NULL, sg_get_table, 0, 1},
    {"GetTables", NULL, NULL, sg_get_tables, 0, 1},
    {"GetUserDefinedFunction", NULL, NULL, sg_get_function, 0, 1},
    {"GetUserDefinedFunctions", NULL, NULL, sg_get_functions, 0, 1},
    {"UpdateDatabase", NULL, NULL, sg_update_database, 1, 1},
    {"UpdatePartition", NULL, NULL, sg_update_partition, 1, 1},
    {"UpdateTable", NULL, NULL, sg_update_table, 1, 1},
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
        sg_invalid(rq, rs, "Content-Type must be application/x-amz-json-1.1");
        return;
    }
    in = json_loadb(rq->body ? rq->body : "", rq->body_len, 0, &jerr);
    if (!json_is_object(in)) {
        char msg[512];

        snprintf(msg, sizeof(msg), "Unable to parse the request body as a JSON object: %s",
                 in ? "not an object" : jerr.text);
        json_decref(in);
        sg_invalid(rq, rs, msg);
        return;
    }
    pthread_mutex_lock(&rq->sim->mu);
    rq->op->fn(rq, in, rs);
    pthread_mutex_unlock(&rq->sim->mu);
    if (rs->finish) {
        rs->finish(rs, rs->finish_arg);
        rs->finish = NULL;
    }
    sim_damage(rq, in, rs);
    json_decref(in);
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
