/* SPDX-License-Identifier: MIT */
/*
 * The Glue side's internals shared by its files: glue.c (errors, request helpers, the
 * handler table and dispatch), glue_db.c, glue_table.c, glue_part.c and glue_fn.c (the
 * handlers of each object type). Every handler runs with sim->mu held and answers through
 * @p rs; the helpers that return -1 or NULL have answered the error already.
 */
#ifndef G2D_SIM_GLUE_OPS_H
#define G2D_SIM_GLUE_OPS_H

#include "sim.h"

#define GLUE_CT "application/x-amz-json-1.1"

/* ---- glue.c ---- */
/* 400 InvalidInputException with @p msg. */
void sg_invalid(struct sim_req *rq, struct sim_resp *rs, const char *msg);
/* 200 with @p out (stolen; NULL = {}). */
void sg_ok(struct sim_resp *rs, json_t *out);
/* 500 InternalServiceException "Out of memory". */
void sg_internal(struct sim_req *rq, struct sim_resp *rs);
/* The Glue catalog (borrowed). */
struct sim_catalog *sg_cat(struct sim_req *rq);
/* Check the optional CatalogId member. @return 0 or -1 with the error set. */
int sg_catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs);
/* Required string member @p key, validated as a NameString and folded into @p buf. */
int sg_name_member(struct sim_req *rq, const json_t *in, const char *key, char *buf, size_t bufsz,
                   struct sim_resp *rs);
/* Optional MaxResults in 1..@p hi (default @p def). @return 0 or -1 with the error set. */
int sg_max_results(struct sim_req *rq, const json_t *in, json_int_t def, json_int_t hi,
                   json_int_t *out, struct sim_resp *rs);
/* Optional NextToken of @p kind: *key malloc'd (caller frees) or NULL. @return 0 or -1. */
int sg_next_token(struct sim_req *rq, const json_t *in, const char *kind, char **key, size_t *len,
                  struct sim_resp *rs);
/* Set out.NextToken to the token of (@p kind, @p key). */
void sg_set_token(json_t *out, const char *kind, const char *key, size_t len);
/* The database / table named by member @p key (borrowed), or NULL with the error set. */
struct sim_item *sg_find_db(struct sim_req *rq, const json_t *in, const char *key,
                            struct sim_resp *rs);
struct sim_item *sg_find_table(struct sim_req *rq, struct sim_item *db, const json_t *in,
                               const char *key, struct sim_resp *rs);
/* Database and table of a partition request (DatabaseName, TableName); *dbp optional. */
struct sim_item *sg_db_table(struct sim_req *rq, const json_t *in, struct sim_resp *rs,
                             struct sim_item **dbp);

/* ---- handlers (sim_handler_fn) ---- */
void sg_get_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* glue_db.c */
void sg_get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_get_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* glue_table.c */
void sg_get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_get_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* glue_part.c */
void sg_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_batch_create_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_create_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* glue_partw.c */
void sg_update_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_delete_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_batch_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_get_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* glue_fn.c */
void sg_get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sg_delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);

#endif
