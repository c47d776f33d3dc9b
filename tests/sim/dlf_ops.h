/* SPDX-License-Identifier: MIT */
/*
 * The DLF side's internals shared by its files: dlf.c (errors, request helpers, the route
 * table and dispatch), dlf_db.c, dlf_table.c, dlf_part.c and dlf_fn.c (the handlers of
 * each object type). Every handler runs with sim->mu held and answers through @p rs; the
 * helpers that return -1 or NULL have answered the error already.
 */
#ifndef G2D_SIM_DLF_OPS_H
#define G2D_SIM_DLF_OPS_H

#include "sim.h"

#define DLF_CT "application/json;charset=utf-8"
#define DLF_VERSION "2020-07-10"
#define CREATED_BY "sim-user"
#define DLF_PARTS "/api/metastore/catalogs/databases/tables/partitions"
#define DLF_TABLES "/api/metastore/catalogs/databases/tables"
#define DLF_FNS "/api/metastore/catalogs/databases/functions"

/* ---- dlf.c ---- */
/* 200 Success envelope plus the members of @p extra (stolen, may be NULL). */
void sd_ok(struct sim_req *rq, struct sim_resp *rs, json_t *extra);
/* 500 InternalError "Out of memory." */
void sd_nomem(struct sim_req *rq, struct sim_resp *rs);
/* The DLF catalog (borrowed). */
struct sim_catalog *sd_cat(struct sim_req *rq);
/* CatalogId from the query or the body (@p in may be NULL); @return 0 or -1. */
int sd_catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs);
/* A required name from @p s (query value or body string), folded into @p buf; 0 or -1. */
int sd_take_name(struct sim_req *rq, const char *s, char *buf, size_t bufsz, struct sim_resp *rs);
/* "", "false" -> 0, "true" -> 1 (absent = false); @return 0 or -EINVAL. */
int sd_parse_bool(const char *s, int *out);
/* A string parameter from the body when there is one, else from the query (borrowed). */
const char *sd_param(struct sim_req *rq, const json_t *in, const char *key);
/* PageSize from the body (integer) or the query (text): 1..--dlf-page-max, default 100. */
int sd_page_size(struct sim_req *rq, const json_t *in, long *out, struct sim_resp *rs);
/* NextPageToken of @p kind ("" or absent = first page): *key malloc'd (caller frees) or NULL. */
int sd_page_token(struct sim_req *rq, const json_t *in, const char *kind, char **key, size_t *len,
                  struct sim_resp *rs);
/* Database / table named @p name (borrowed), or NULL answered @p status @p code. */
struct sim_item *sd_db(struct sim_req *rq, const char *name, const char *code, unsigned status,
                       struct sim_resp *rs);
struct sim_item *sd_table(struct sim_req *rq, struct sim_item *db, const char *name,
                          const char *code, unsigned status, struct sim_resp *rs);
/* Database and table named by DatabaseName and TableName, missing ones answered @p code. */
struct sim_item *sd_db_table(struct sim_req *rq, const json_t *in, const char *code,
                             unsigned status, struct sim_resp *rs);
/* 1 if body member @p key is JSON true (@p in may be NULL). */
int sd_body_bool(const json_t *in, const char *key);

/* ---- dlf_table.c ---- */
/* Table @p t of @p db as read back: a copy with TableName and DatabaseName as stored. */
json_t *sd_table_view(const struct sim_item *db, const struct sim_item *t);
/* 1 if two tables have the same partition keys (names case-insensitive, types). */
int sd_keys_equal(const json_t *a, const json_t *b);

/* ---- handlers (sim_handler_fn) ---- */
void sd_create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_db.c */
void sd_get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_get_catalog(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_table.c */
void sd_get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_table_names(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_create_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_tables.c */
void sd_batch_update_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_delete_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_get_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_rename_table(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_part.c */
void sd_list_partitions_by_filter(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_create_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_update_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_batch_delete_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_partition_names(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_rename_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_parts.c */
void sd_batch_get_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_list_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs); /* dlf_fn.c */
void sd_get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_update_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);
void sd_delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs);

#endif
