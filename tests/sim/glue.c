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
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/expr.h"
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

/* ---- tables, partitions, functions ---- */

static void internal(struct sim_req *rq, struct sim_resp *rs)
{
    sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
}

/* Optional MaxResults in 1..@p hi (default @p def). @return 0 or -1 with the error set. */
static int max_results(struct sim_req *rq, const json_t *in, json_int_t def, json_int_t hi,
                       json_int_t *out, struct sim_resp *rs)
{
    const json_t *mr = json_object_get(in, "MaxResults");

    *out = def;
    if (!mr || json_is_null(mr))
        return 0;
    if (!json_is_integer(mr)) {
        invalid(rq, rs, "MaxResults must be an integer");
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
static int next_token(struct sim_req *rq, const json_t *in, const char *kind, char **key,
                      size_t *len, struct sim_resp *rs)
{
    const json_t *nt = json_object_get(in, "NextToken");

    *key = NULL;
    *len = 0;
    if (!nt || json_is_null(nt) || (json_is_string(nt) && !*json_string_value(nt)))
        return 0;
    if (!json_is_string(nt) || sim_token_parse_bin(json_string_value(nt), kind, key, len) < 0) {
        invalid(rq, rs, "Invalid NextToken");
        return -1;
    }
    return 0;
}

static void set_token(json_t *out, const char *kind, const char *key, size_t len)
{
    char *tok = sim_token_make_bin(kind, key, len);

    json_object_set_new(out, "NextToken", json_string(tok ? tok : ""));
    free(tok);
}

static struct sim_item *find_db(struct sim_req *rq, const json_t *in, const char *key,
                                struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (name_member(rq, in, key, name, sizeof(name), rs) < 0)
        return NULL;
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
    return it;
}

static struct sim_item *find_table(struct sim_req *rq, struct sim_item *db, const json_t *in,
                                   const char *key, struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (name_member(rq, in, key, name, sizeof(name), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name) : NULL;
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Table %s not found.", name);
    return it;
}

/* Database and table of a partition request (DatabaseName, TableName). */
static struct sim_item *db_table(struct sim_req *rq, const json_t *in, struct sim_resp *rs,
                                 struct sim_item **dbp)
{
    struct sim_item *db;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)))
        return NULL;
    if (dbp)
        *dbp = db;
    return find_table(rq, db, in, "TableName", rs);
}

static void get_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ex = json_object_get(in, "Expression");
    struct sim_item *db;
    json_int_t max;
    char *start = NULL;
    size_t len, *idx, n, i;
    const char *next;
    regex_t re;
    int have_re = 0;
    json_t *list, *out;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        max_results(rq, in, 100, 100, &max, rs) < 0)
        return;
    if (ex && !json_is_null(ex)) {
        if (!json_is_string(ex) || strlen(json_string_value(ex)) > 2048 ||
            (*json_string_value(ex) && sim_pattern_compile(&re, json_string_value(ex)) < 0)) {
            invalid(rq, rs, "Expression is not a valid regular expression");
            return;
        }
        have_re = *json_string_value(ex) != '\0';
    }
    if (next_token(rq, in, "tbl", &start, &len, rs) < 0)
        goto out;
    if (start && memchr(start, '\0', len)) {
        invalid(rq, rs, "Invalid NextToken");
        goto out;
    }
    idx = malloc((size_t)max * sizeof(*idx));
    if (!idx) {
        internal(rq, rs);
        goto out;
    }
    list = json_array();
    n = 0;
    next = NULL;
    if (db->kids[SIM_KID_TABLES])
        n = sim_coll_page(db->kids[SIM_KID_TABLES], start, (size_t)max, have_re ? &re : NULL, idx,
                          &next);
    for (i = 0; i < n; i++)
        json_array_append(list, db->kids[SIM_KID_TABLES]->items[idx[i]].obj);
    out = json_pack("{s:o}", "TableList", list);
    if (next)
        set_token(out, "tbl", next, strlen(next));
    free(idx);
    ok(rs, out);
out:
    free(start);
    if (have_re)
        regfree(&re);
}

static void get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(t = find_table(rq, db, in, "Name", rs)))
        return;
    ok(rs, json_pack("{s:O}", "Table", t->obj));
}

static const json_t *table_input(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");

    if (!json_is_object(ti))
        invalid(rq, rs,
                "1 validation error detected: Value null at 'tableInput' failed to satisfy "
                "constraint: Member must not be null");
    return json_is_object(ti) ? ti : NULL;
}

static void create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db;
    const json_t *ti;
    struct sim_coll *kids;
    char err[512];
    const char *name;
    json_t *t;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(ti = table_input(rq, in, rs)))
        return;
    t = sim_glue_table_build(ti, db->name, NULL, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                             sizeof(err));
    if (!t) {
        invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(t, "Name"));
    kids = sim_item_kids(db, SIM_KID_TABLES);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(t);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Table already exists.");
        return;
    }
    if (!kids || sim_coll_put(kids, name, t) < 0) {
        if (!kids)
            json_decref(t);
        internal(rq, rs);
        return;
    }
    ok(rs, NULL);
}

static void update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *it;
    const json_t *ti;
    char err[512], name[1024];
    json_t *t;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(ti = table_input(rq, in, rs)))
        return;
    if (!json_is_string(json_object_get(ti, "Name"))) {
        invalid(rq, rs, "TableInput.Name is required");
        return;
    }
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(ti, "Name")));
    sim_fold(name);
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name) : NULL;
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Table %s not found.", name);
        return;
    }
    t = sim_glue_table_build(ti, db->name, it->obj, (double)time(NULL), 0, rq->sim->glue_catalog,
                             err, sizeof(err));
    if (!t) {
        invalid(rq, rs, err);
        return;
    }
    sim_coll_put(db->kids[SIM_KID_TABLES], name, t);
    ok(rs, NULL);
}

static void delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(t = find_table(rq, db, in, "Name", rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_TABLES], t->name);
    ok(rs, NULL);
}

/*
 * Parse and check an Expression against the table's keys. @return 0 (*e NULL when there is
 * none) or -1 with the error set.
 */
static int parse_expr(struct sim_req *rq, const json_t *ex, const json_t *table,
                      struct g2d_expr **e, struct g2d_expr_key *keys, size_t *nkeys,
                      struct sim_resp *rs)
{
    struct g2d_error gerr;
    const char *s;

    *e = NULL;
    *nkeys = sim_table_keys(table, keys, SIM_MAX_KEYS);
    if (!ex || json_is_null(ex))
        return 0;
    if (!json_is_string(ex)) {
        invalid(rq, rs, "Expression must be a string");
        return -1;
    }
    s = json_string_value(ex);
    if (strspn(s, " \t\r\n") == strlen(s))
        return 0;
    memset(&gerr, 0, sizeof(gerr));
    if (g2d_expr_parse(s, e, &gerr) < 0 || g2d_expr_check(*e, keys, *nkeys, &gerr) < 0) {
        g2d_expr_free(*e);
        *e = NULL;
        invalid(rq, rs, gerr.msg[0] ? gerr.msg : "Invalid expression");
        return -1;
    }
    return 0;
}

/*
 * A GetPartitions page copied under sim->mu and rendered after it is released: per
 * partition a tag byte ('g' generated, 't' stored text), the variant, a 32-bit length and
 * the key or the text.
 */
struct page_job {
    struct sim_gtpl *tpl;
    const char *catalog_id;
    int exclude_cols;
    struct g2d_buf recs;
    size_t n;
    char *token; /* NextToken or NULL */
};

static void page_job_free(struct page_job *j)
{
    if (!j)
        return;
    sim_gtpl_put(j->tpl);
    g2d_buf_done(&j->recs);
    free(j->token);
    free(j);
}

static int page_job_add(struct page_job *j, const struct sim_prec *r)
{
    char hdr[6];
    uint32_t len;
    size_t at = j->recs.len;

    hdr[0] = r->textlen ? 't' : 'g';
    hdr[1] = (char)r->variant;
    len = r->textlen ? r->textlen : r->keylen;
    memcpy(hdr + 2, &len, 4);
    if (g2d_buf_append(&j->recs, hdr, sizeof(hdr)) < 0 ||
        (r->textlen ? sim_prec_append(r, &j->recs) : g2d_buf_append(&j->recs, r->data, r->keylen)) <
            0) {
        j->recs.len = at;
        return -ENOMEM;
    }
    j->n++;
    return 0;
}

/* One stored-text partition as today: parsed, Columns dropped on request, dumped. */
static int stored_part(const char *text, size_t len, int exclude_cols, struct g2d_buf *b)
{
    json_t *p = json_loadb(text, len, 0, NULL);
    char *s;
    int e;

    if (!p)
        return -ENOMEM;
    if (exclude_cols)
        json_object_del(json_object_get(p, "StorageDescriptor"), "Columns");
    s = sim_dump_java(p);
    json_decref(p);
    if (!s)
        return -ENOMEM;
    e = g2d_buf_puts(b, s);
    free(s);
    return e;
}

static void page_job_finish(struct sim_resp *rs, void *arg)
{
    struct page_job *j = arg;
    struct g2d_buf b;
    const char *p = j->recs.data;
    size_t i;
    int e;

    g2d_buf_init(&b, 0);
    e = g2d_buf_puts(&b, "{\"Partitions\":[");
    for (i = 0; i < j->n && e == 0; i++) {
        uint32_t len;

        memcpy(&len, p + 2, 4);
        if (i)
            e = g2d_buf_putc(&b, ',');
        if (e == 0 && p[0] == 't')
            e = stored_part(p + 6, len, j->exclude_cols, &b);
        else if (e == 0)
            e = sim_gtpl_render(j->tpl, p + 6, len, (unsigned char)p[1], j->catalog_id,
                                j->exclude_cols, &b);
        p += 6 + len;
    }
    if (e == 0 && j->token)
        e = g2d_buf_printf(&b, "],\"NextToken\":\"%s\"}", j->token);
    else if (e == 0)
        e = g2d_buf_puts(&b, "]}");
    page_job_free(j);
    if (e < 0) {
        g2d_buf_done(&b);
        sim_resp_json(rs, 500,
                      json_pack("{s:s,s:s}", "__type", "InternalServiceException", "Message",
                                "Out of memory"),
                      1, GLUE_CT);
        return;
    }
    free(rs->body);
    rs->status = 200;
    rs->content_type = GLUE_CT;
    rs->body = g2d_buf_steal(&b);
}

static void get_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *seg = json_object_get(in, "Segment");
    const json_t *xc = json_object_get(in, "ExcludeColumnSchema");
    struct g2d_expr_key keys[SIM_MAX_KEYS];
    struct sim_pscan sc;
    struct g2d_expr *e = NULL;
    struct g2d_error gerr;
    struct sim_item *t;
    const struct sim_prec **recs = NULL, *next;
    struct page_job *job = NULL;
    char kind[32], *start = NULL;
    size_t len, i;
    json_int_t max;
    long n;
    json_t *list, *out;

    memset(&sc, 0, sizeof(sc));
    if (!(t = db_table(rq, in, rs, NULL)) || max_results(rq, in, 1000, 1000, &max, rs) < 0)
        return;
    if (xc && !json_is_null(xc) && !json_is_boolean(xc)) {
        invalid(rq, rs, "ExcludeColumnSchema must be a boolean");
        return;
    }
    if (seg && !json_is_null(seg)) {
        const json_t *sn = json_object_get(seg, "SegmentNumber");
        const json_t *ts = json_object_get(seg, "TotalSegments");

        if (!json_is_integer(sn) || !json_is_integer(ts) || json_integer_value(ts) < 1 ||
            json_integer_value(ts) > 10 || json_integer_value(sn) < 0 ||
            json_integer_value(sn) >= json_integer_value(ts)) {
            invalid(rq, rs,
                    "Segment needs SegmentNumber >= 0 and TotalSegments 1..10 with "
                    "SegmentNumber < TotalSegments");
            return;
        }
        sc.seg = (unsigned)json_integer_value(sn);
        sc.nseg = (unsigned)json_integer_value(ts);
    }
    snprintf(kind, sizeof(kind), "part%u/%u", sc.seg, sc.nseg);
    if (parse_expr(rq, json_object_get(in, "Expression"), t->obj, &e, keys, &sc.nkeys, rs) < 0)
        return;
    if (next_token(rq, in, kind, &start, &len, rs) < 0)
        goto out;
    recs = malloc((size_t)max * sizeof(*recs));
    if (!recs) {
        internal(rq, rs);
        goto out;
    }
    sc.parts = t->parts;
    sc.expr = e;
    sc.keys = keys;
    memset(&gerr, 0, sizeof(gerr));
    n = t->parts ? sim_parts_scan(&sc, start, len, (size_t)max, recs, &next, &gerr) : 0;
    if (!t->parts)
        next = NULL;
    if (n == -ERANGE) {
        sim_glue_error(rs, rq, 400, "InvalidStateException", "%s", gerr.msg);
        goto out;
    }
    if (n < 0) {
        invalid(rq, rs, gerr.msg[0] ? gerr.msg : "Invalid expression");
        goto out;
    }
    /*
     * Copy the page (keys and variants, stored texts) and the table's template; the
     * rendering, most of the cost, runs after sim->mu is released (page_job_finish).
     */
    job = calloc(1, sizeof(*job));
    if (job) {
        g2d_buf_init(&job->recs, 0);
        job->tpl = sim_gtpl_get(t);
        job->catalog_id = rq->sim->glue_catalog;
        job->exclude_cols = json_is_true(xc);
    }
    if (job && job->tpl && sim_gtpl_ok(job->tpl)) {
        for (i = 0; i < (size_t)n; i++)
            if (page_job_add(job, recs[i]) < 0)
                break;
        if (next)
            job->token = sim_token_make_bin(kind, next->data, next->keylen);
        if (i == (size_t)n && (!next || job->token)) {
            rs->finish = page_job_finish;
            rs->finish_arg = job;
            goto out;
        }
    }
    page_job_free(job);
    /* A table the template cannot render (or no memory for the copy): build it with jansson. */
    list = json_array();
    for (i = 0; i < (size_t)n; i++) {
        json_t *p = sim_glue_part_json(t->obj, recs[i], rq->sim->glue_catalog, json_is_true(xc));

        if (!p || json_array_append_new(list, p) < 0) {
            json_decref(list);
            internal(rq, rs);
            goto out;
        }
    }
    out = json_pack("{s:o}", "Partitions", list);
    if (next)
        set_token(out, kind, next->data, next->keylen);
    ok(rs, out);
out:
    free(recs);
    free(start);
    g2d_expr_free(e);
}

/* The record of PartitionValues (or another list member @p key) in @p t, or NULL. */
static const struct sim_prec *find_part(const struct sim_item *t, const json_t *vals_json, int *bad)
{
    const char *vals[SIM_MAX_KEYS];
    const struct sim_prec *r;
    size_t n, len;
    char *key;

    *bad = 0;
    if (sim_values_get(vals_json, vals, SIM_MAX_KEYS, &n) < 0) {
        *bad = 1;
        return NULL;
    }
    if (!t->parts)
        return NULL;
    key = sim_pkey_make(vals, n, &len);
    if (!key)
        return NULL;
    r = sim_parts_find(t->parts, key, len);
    free(key);
    return r;
}

static void get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const struct sim_prec *r;
    struct sim_item *t;
    json_t *p;
    int bad;

    if (!(t = db_table(rq, in, rs, NULL)))
        return;
    r = find_part(t, json_object_get(in, "PartitionValues"), &bad);
    if (bad) {
        invalid(rq, rs, "PartitionValues must be a list of strings");
        return;
    }
    if (!r) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Partition not found.");
        return;
    }
    p = sim_glue_part_json(t->obj, r, rq->sim->glue_catalog, 0);
    if (!p) {
        internal(rq, rs);
        return;
    }
    ok(rs, json_pack("{s:o}", "Partition", p));
}

static void batch_create_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list = json_object_get(in, "PartitionInputList");
    struct sim_item *db, *t;
    json_t *errs, *pi;
    size_t i, nkeys;

    if (!(t = db_table(rq, in, rs, &db)))
        return;
    if (!json_is_array(list) || json_array_size(list) > 100) {
        invalid(rq, rs, "PartitionInputList must be a list of at most 100 entries");
        return;
    }
    if (!t->parts && !(t->parts = sim_parts_new())) {
        internal(rq, rs);
        return;
    }
    nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));
    errs = json_array();
    json_array_foreach(list, i, pi)
    {
        char err[512], *text, *key;
        const char *vals[SIM_MAX_KEYS];
        size_t n = 0, klen;
        json_t *p = sim_glue_part_build(pi, db->name, t->name, nkeys, (double)time(NULL), 0,
                                        rq->sim->glue_catalog, err, sizeof(err));
        const char *code = NULL;

        sim_values_get(json_object_get(pi, "Values"), vals, SIM_MAX_KEYS, &n);
        key = sim_pkey_make(vals, n, &klen);
        if (!p)
            code = "InvalidInputException";
        else if (key && sim_parts_find(t->parts, key, klen)) {
            code = "AlreadyExistsException";
            snprintf(err, sizeof(err), "Partition already exists.");
        }
        if (!code && key && (text = json_dumps(p, JSON_COMPACT)) != NULL) {
            if (sim_parts_put(t->parts, key, klen, (unsigned)n, 0, text, strlen(text), 0) < 0)
                code = "InternalServiceException";
            free(text);
        }
        if (code) {
            json_t *pv = json_object_get(pi, "Values");

            json_array_append_new(errs,
                                  json_pack("{s:o,s:{s:s,s:s}}", "PartitionValues",
                                            json_is_array(pv) ? json_deep_copy(pv) : json_array(),
                                            "ErrorDetail", "ErrorCode", code, "ErrorMessage", err));
        }
        json_decref(p);
        free(key);
    }
    ok(rs, json_pack("{s:o}", "Errors", errs));
}

static void get_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *pat = json_object_get(in, "Pattern");
    const json_t *dbn = json_object_get(in, "DatabaseName");
    struct sim_coll *dbs = &cat(rq)->dbs;
    struct sim_item *only = NULL;
    json_int_t max;
    char *start = NULL;
    size_t len, d;
    regex_t re;
    json_t *list, *out;
    size_t n = 0;

    if (catalog_ok(rq, in, rs) < 0 || max_results(rq, in, 100, 100, &max, rs) < 0)
        return;
    if (dbn && !json_is_null(dbn) && !(only = find_db(rq, in, "DatabaseName", rs)))
        return;
    if (!json_is_string(pat) || !sim_name_valid(json_string_value(pat), 255)) {
        invalid(rq, rs,
                "1 validation error detected: Value at 'pattern' failed to satisfy constraint: "
                "Member must have length between 1 and 255");
        return;
    }
    if (sim_pattern_compile(&re, json_string_value(pat)) < 0) {
        invalid(rq, rs, "Pattern is not a valid regular expression");
        return;
    }
    if (next_token(rq, in, "fn", &start, &len, rs) < 0) {
        regfree(&re);
        return;
    }
    /* Token key: "<db>\x01<function>" (names never hold control characters). */
    list = json_array();
    out = json_pack("{s:o}", "UserDefinedFunctions", list);
    for (d = 0; d < dbs->n; d++) {
        struct sim_item *db = &dbs->items[d];
        struct sim_coll *fns = db->kids[SIM_KID_FUNCTIONS];
        size_t dl = strlen(db->name), i = 0;

        if ((only && db != only) || !fns)
            continue;
        if (start) {
            const char *sep = memchr(start, '\x01', len);
            size_t sl = sep ? (size_t)(sep - start) : len;
            int c = strncmp(db->name, start, sl);

            if (c < 0 || (c == 0 && dl < sl))
                continue;
            if (c == 0 && dl == sl && sep)
                i = sim_coll_lower_bound(fns, sep + 1);
        }
        for (; i < fns->n; i++) {
            if (regexec(&re, fns->items[i].name, 0, NULL, 0) != 0)
                continue;
            if (n == (size_t)max) {
                char *k = malloc(dl + 1 + strlen(fns->items[i].name) + 1);

                if (k) {
                    sprintf(k, "%s\x01%s", db->name, fns->items[i].name);
                    set_token(out, "fn", k, strlen(k));
                    free(k);
                }
                goto done;
            }
            json_array_append(list, fns->items[i].obj);
            n++;
        }
    }
done:
    ok(rs, out);
    free(start);
    regfree(&re);
}

static struct sim_item *find_fn(struct sim_req *rq, struct sim_item *db, const json_t *in,
                                struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (name_member(rq, in, "FunctionName", name, sizeof(name), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_FUNCTIONS] ? sim_coll_find(db->kids[SIM_KID_FUNCTIONS], name) : NULL;
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Function %s not found.", name);
    return it;
}

static void get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(f = find_fn(rq, db, in, rs)))
        return;
    ok(rs, json_pack("{s:O}", "UserDefinedFunction", f->obj));
}

static void create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *fi = json_object_get(in, "FunctionInput");
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512];
    const char *name;
    json_t *f;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)))
        return;
    f = sim_glue_fn_build(fi, db->name, NULL, NULL, (double)time(NULL), 0, rq->sim->glue_catalog,
                          err, sizeof(err));
    if (!f) {
        invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(f, "FunctionName"));
    kids = sim_item_kids(db, SIM_KID_FUNCTIONS);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(f);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Function already exists.");
        return;
    }
    if (!kids || sim_coll_put(kids, name, f) < 0) {
        if (!kids)
            json_decref(f);
        internal(rq, rs);
        return;
    }
    ok(rs, NULL);
}

static void delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (catalog_ok(rq, in, rs) < 0 || !(db = find_db(rq, in, "DatabaseName", rs)) ||
        !(f = find_fn(rq, db, in, rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_FUNCTIONS], f->name);
    ok(rs, NULL);
}

/* The handler table, sorted by name. New operations are added here. */
const struct sim_op sim_glue_ops[] = {
    {"BatchCreatePartition", NULL, NULL, batch_create_partition, 1, 1},
    {"CreateDatabase", NULL, NULL, create_database, 1, 1},
    {"CreateTable", NULL, NULL, create_table, 1, 1},
    {"CreateUserDefinedFunction", NULL, NULL, create_function, 1, 1},
    {"DeleteDatabase", NULL, NULL, delete_database, 1, 1},
    {"DeleteTable", NULL, NULL, delete_table, 1, 1},
    {"DeleteUserDefinedFunction", NULL, NULL, delete_function, 1, 1},
    {"GetDatabase", NULL, NULL, get_database, 0, 1},
    {"GetDatabases", NULL, NULL, get_databases, 0, 1},
    {"GetPartition", NULL, NULL, get_partition, 0, 1},
    {"GetPartitions", NULL, NULL, get_partitions, 0, 1},
    {"GetTable", NULL, NULL, get_table, 0, 1},
    {"GetTables", NULL, NULL, get_tables, 0, 1},
    {"GetUserDefinedFunction", NULL, NULL, get_function, 0, 1},
    {"GetUserDefinedFunctions", NULL, NULL, get_functions, 0, 1},
    {"UpdateDatabase", NULL, NULL, update_database, 1, 1},
    {"UpdateTable", NULL, NULL, update_table, 1, 1},
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
    if (rs->finish) {
        rs->finish(rs, rs->finish_arg);
        rs->finish = NULL;
    }
    json_decref(in);
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
