/* SPDX-License-Identifier: MIT */
/*
 * Object shapes served by the simulator: validation of Glue and DLF DatabaseInput and the
 * stored Database objects built from them (shared by the API handlers, the admin API and
 * the generator). Messages imitate the services' validation wording loosely.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

void sim_fold(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Number of code points of a valid UTF-8 string. */
static size_t u8len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int sim_name_valid(const char *s, size_t max)
{
    size_t n = u8len(s);
    const unsigned char *p;

    if (n < 1 || n > max)
        return 0;
    for (p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\t')
            return 0;
    return 1;
}

static json_t *invalid_input(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *invalid_input(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return NULL;
}

/* Member @p key of @p o, treating JSON null as absent. */
static json_t *member(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_null(v) ? NULL : v;
}

/* Validate a string->string map; @return a deep copy, or NULL with @p err set. */
static json_t *params_copy(const json_t *p, const char *where, size_t vmax, char *err,
                           size_t errlen)
{
    const char *k;
    json_t *v;

    if (!p)
        return json_object();
    if (!json_is_object(p))
        return invalid_input(err, errlen, "%s.parameters must be a map of strings", where);
    json_object_foreach((json_t *)p, k, v)
    {
        if (!sim_name_valid(k, 255))
            return invalid_input(
                err, errlen,
                "Value at '%s.parameters' failed to satisfy constraint: Map keys must "
                "satisfy constraint: [Member must have length between 1 and 255]",
                where);
        if (!json_is_string(v))
            return invalid_input(err, errlen, "%s.parameters values must be strings", where);
        if (vmax && u8len(json_string_value(v)) > vmax)
            return invalid_input(
                err, errlen,
                "Value at '%s.parameters' failed to satisfy constraint: Map value must "
                "have length less than or equal to %zu",
                where, vmax);
    }
    return json_deep_copy(p);
}

/* Optional string member with a length limit; *out borrowed or NULL. @return 0 or -1. */
static int opt_string(const json_t *in, const char *key, size_t min, size_t max, const char **out,
                      char *err, size_t errlen)
{
    json_t *v = member(in, key);
    size_t n;

    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v)) {
        invalid_input(err, errlen, "%s must be a string", key);
        return -1;
    }
    n = u8len(json_string_value(v));
    if (n < min || n > max) {
        invalid_input(err, errlen,
                      "1 validation error detected: Value at '%s' failed to satisfy constraint: "
                      "Member must have length between %zu and %zu",
                      key, min, max);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* The name from @p override or input.Name, validated and folded into @p buf. */
static int take_name(const json_t *in, const char *override, char *buf, size_t bufsz, char *err,
                     size_t errlen)
{
    const char *name = override;

    if (!name) {
        json_t *v = member(in, "Name");

        if (!json_is_string(v)) {
            invalid_input(err, errlen, "Name is required and must be a string");
            return -1;
        }
        name = json_string_value(v);
    }
    if (!sim_name_valid(name, 255) || strlen(name) >= bufsz) {
        invalid_input(
            err, errlen,
            "1 validation error detected: Value at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern and have length between 1 and 255");
        return -1;
    }
    strcpy(buf, name);
    sim_fold(buf);
    return 0;
}

static json_t *default_permissions(void)
{
    return json_pack("[{s:{s:s},s:[s]}]", "Principal", "DataLakePrincipalIdentifier",
                     "IAM_ALLOWED_PRINCIPALS", "Permissions", "ALL");
}

json_t *sim_glue_db_build(const json_t *input, const char *name, const json_t *old,
                          double create_time, int use_input_time, const char *catalog_id, char *err,
                          size_t errlen)
{
    char nm[1024];
    const char *desc, *loc;
    json_t *params, *perms, *target, *fed, *ct, *db;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "DatabaseInput must be an object");
    if (take_name(input, name, nm, sizeof(nm), err, errlen) < 0 ||
        opt_string(input, "Description", 0, 2048, &desc, err, errlen) < 0 ||
        opt_string(input, "LocationUri", 1, 1024, &loc, err, errlen) < 0)
        return NULL;
    perms = member(input, "CreateTableDefaultPermissions");
    if (perms && !json_is_array(perms))
        return invalid_input(err, errlen, "CreateTableDefaultPermissions must be a list");
    target = member(input, "TargetDatabase");
    if (target && !json_is_object(target))
        return invalid_input(err, errlen, "TargetDatabase must be a structure");
    fed = member(input, "FederatedDatabase");
    if (fed && !json_is_object(fed))
        return invalid_input(err, errlen, "FederatedDatabase must be a structure");
    params = params_copy(member(input, "Parameters"), "databaseInput", 512000, err, errlen);
    if (!params)
        return NULL;

    ct = member(input, "CreateTime");
    if (use_input_time && json_is_number(ct))
        create_time = json_number_value(ct);
    else if (old && json_is_number(json_object_get(old, "CreateTime")))
        create_time = json_number_value(json_object_get(old, "CreateTime"));

    db = json_object();
    if (!db) {
        json_decref(params);
        return invalid_input(err, errlen, "out of memory");
    }
    json_object_set_new(db, "Name", json_string(nm));
    if (desc)
        json_object_set_new(db, "Description", json_string(desc));
    if (loc)
        json_object_set_new(db, "LocationUri", json_string(loc));
    json_object_set_new(db, "Parameters", params);
    json_object_set_new(db, "CreateTime", json_real(create_time));
    if (perms)
        json_object_set_new(db, "CreateTableDefaultPermissions", json_deep_copy(perms));
    else if (old && json_object_get(old, "CreateTableDefaultPermissions"))
        json_object_set_new(db, "CreateTableDefaultPermissions",
                            json_deep_copy(json_object_get(old, "CreateTableDefaultPermissions")));
    else
        json_object_set_new(db, "CreateTableDefaultPermissions", default_permissions());
    if (target)
        json_object_set_new(db, "TargetDatabase", json_deep_copy(target));
    if (fed)
        json_object_set_new(db, "FederatedDatabase", json_deep_copy(fed));
    json_object_set_new(db, "CatalogId", json_string(catalog_id));
    return db;
}

json_t *sim_dlf_db_build(const json_t *input, const char *name, const json_t *old, int64_t now,
                         const char *created_by, char *err, size_t errlen)
{
    static const char *const strs[] = {"Description", "LocationUri", "OwnerName", "OwnerType"};
    const char *sv[4];
    char nm[1024];
    json_t *params, *priv, *ct, *db;
    json_int_t create_time = 0;
    size_t i;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "DatabaseInput must be an object");
    if (take_name(input, name, nm, sizeof(nm), err, errlen) < 0)
        return NULL;
    for (i = 0; i < 4; i++)
        if (opt_string(input, strs[i], 0, i == 1 ? 4000 : 2048, &sv[i], err, errlen) < 0)
            return NULL;
    ct = member(input, "CreateTime");
    if (ct && !json_is_integer(ct))
        return invalid_input(err, errlen, "DatabaseInput.CreateTime must be an integer");
    if (ct)
        create_time = json_integer_value(ct);
    if (create_time == 0 && old)
        create_time = json_integer_value(json_object_get(old, "CreateTime"));
    if (create_time == 0)
        create_time = (json_int_t)now;
    priv = member(input, "Privileges");
    if (priv && !json_is_object(priv))
        return invalid_input(err, errlen, "DatabaseInput.Privileges must be an object");
    params = params_copy(member(input, "Parameters"), "DatabaseInput", 0, err, errlen);
    if (!params)
        return NULL;
    if (old && json_is_string(json_object_get(old, "CreatedBy")))
        created_by = json_string_value(json_object_get(old, "CreatedBy"));

    db = json_object();
    if (!db) {
        json_decref(params);
        return invalid_input(err, errlen, "out of memory");
    }
    json_object_set_new(db, "Name", json_string(nm));
    json_object_set_new(db, "Description", json_string(sv[0] ? sv[0] : ""));
    json_object_set_new(db, "LocationUri", json_string(sv[1] ? sv[1] : ""));
    json_object_set_new(db, "Parameters", params);
    json_object_set_new(db, "OwnerName", json_string(sv[2] ? sv[2] : ""));
    json_object_set_new(db, "OwnerType", json_string(sv[3] ? sv[3] : ""));
    json_object_set_new(db, "CreateTime", json_integer(create_time));
    json_object_set_new(db, "UpdateTime", json_integer((json_int_t)now));
    json_object_set_new(db, "CreatedBy", json_string(created_by ? created_by : ""));
    if (priv)
        json_object_set_new(db, "Privileges", json_deep_copy(priv));
    return db;
}

json_t *sim_glue_db_to_dlf_input(const json_t *glue_db)
{
    static const char *const keys[] = {"Name", "Description", "LocationUri", "Parameters"};
    json_t *in = json_object();
    size_t i;

    if (!in)
        return NULL;
    for (i = 0; i < 4; i++) {
        json_t *v = json_object_get(glue_db, keys[i]);

        if (v && json_object_set_new(in, keys[i], json_deep_copy(v)) < 0) {
            json_decref(in);
            return NULL;
        }
    }
    return in;
}

/* ---- tables, partitions, functions ---- */

/* Optional member of a JSON type; @return 0 or -1 with @p err set. */
static int opt_type(const json_t *in, const char *key, json_type type, const char *what, char *err,
                    size_t errlen)
{
    json_t *v = member(in, key);

    if (!v || json_typeof(v) == type || (type == JSON_REAL && json_is_number(v)) ||
        (type == JSON_TRUE && json_is_boolean(v)))
        return 0;
    invalid_input(err, errlen, "%s must be %s", key, what);
    return -1;
}

/* A list of columns (Glue Column or DLF FieldSchema): objects with a string Name. */
static int columns_ok(const json_t *cols, const char *where, char *err, size_t errlen)
{
    size_t i;
    json_t *c;

    if (!cols || json_is_null(cols))
        return 0;
    if (!json_is_array(cols)) {
        invalid_input(err, errlen, "%s must be a list of columns", where);
        return -1;
    }
    json_array_foreach(cols, i, c)
    {
        json_t *n = json_object_get(c, "Name"), *t = json_object_get(c, "Type");

        if (!json_is_object(c) || !json_is_string(n) ||
            !sim_name_valid(json_string_value(n), 255)) {
            invalid_input(err, errlen,
                          "1 validation error detected: Value at '%s.%zu.member.name' failed to "
                          "satisfy constraint: Member must have length between 1 and 255",
                          where, i + 1);
            return -1;
        }
        if (t && !json_is_null(t) && !json_is_string(t)) {
            invalid_input(err, errlen, "%s.%zu.member.type must be a string", where, i + 1);
            return -1;
        }
    }
    return 0;
}

int sim_values_get(const json_t *arr, const char **out, size_t max, size_t *n)
{
    size_t i;
    json_t *v;

    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > max)
        return -1;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || u8len(json_string_value(v)) > 1024)
            return -1;
        out[i] = json_string_value(v);
    }
    *n = json_array_size(arr);
    return 0;
}

size_t sim_table_keys(const json_t *table, struct g2d_expr_key *keys, size_t max)
{
    const json_t *pk = json_object_get(table, "PartitionKeys");
    size_t i, n = 0;
    json_t *c;

    json_array_foreach(pk, i, c)
    {
        const char *t = json_string_value(json_object_get(c, "Type"));

        if (n == max)
            break;
        keys[n].name = json_string_value(json_object_get(c, "Name"));
        keys[n].type = t ? t : "string";
        if (keys[n].name)
            n++;
    }
    return n;
}

json_t *sim_glue_table_build(const json_t *input, const char *db, const json_t *old, double now,
                             int use_input_time, const char *catalog_id, char *err, size_t errlen)
{
    static const struct {
        const char *key;
        json_type type;
        const char *what;
    } fields[] = {
        {"StorageDescriptor", JSON_OBJECT, "a structure"},
        {"PartitionKeys", JSON_ARRAY, "a list"},
        {"Retention", JSON_INTEGER, "an integer"},
        {"LastAccessTime", JSON_REAL, "a timestamp"},
        {"LastAnalyzedTime", JSON_REAL, "a timestamp"},
        {"TargetTable", JSON_OBJECT, "a structure"},
        {"ViewDefinition", JSON_OBJECT, "a structure"},
    };
    char nm[1024], vid[32];
    const char *s;
    json_t *t, *sd, *ct;
    size_t i;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "TableInput must be an object");
    if (take_name(input, NULL, nm, sizeof(nm), err, errlen) < 0 ||
        opt_string(input, "Description", 0, 2048, &s, err, errlen) < 0 ||
        opt_string(input, "Owner", 1, 255, &s, err, errlen) < 0 ||
        opt_string(input, "TableType", 0, 255, &s, err, errlen) < 0 ||
        opt_string(input, "ViewOriginalText", 0, 409600, &s, err, errlen) < 0 ||
        opt_string(input, "ViewExpandedText", 0, 409600, &s, err, errlen) < 0)
        return NULL;
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (opt_type(input, fields[i].key, fields[i].type, fields[i].what, err, errlen) < 0)
            return NULL;
    sd = member(input, "StorageDescriptor");
    if (columns_ok(member(input, "PartitionKeys"), "tableInput.partitionKeys", err, errlen) < 0 ||
        (sd && columns_ok(member(sd, "Columns"), "tableInput.storageDescriptor.columns", err,
                          errlen) < 0))
        return NULL;
    t = params_copy(member(input, "Parameters"), "tableInput", 512000, err, errlen);
    if (!t)
        return NULL;
    json_decref(t);

    t = json_deep_copy(input);
    if (!t)
        return invalid_input(err, errlen, "out of memory");
    json_object_set_new(t, "Name", json_string(nm));
    json_object_set_new(t, "DatabaseName", json_string(db));
    ct = member(input, "CreateTime");
    if (!(use_input_time && json_is_number(ct))) {
        if (old && json_is_number(json_object_get(old, "CreateTime")))
            json_object_set(t, "CreateTime", json_object_get(old, "CreateTime"));
        else
            json_object_set_new(t, "CreateTime", json_real(now));
    }
    if (!(use_input_time && json_is_number(member(input, "UpdateTime"))))
        json_object_set_new(t, "UpdateTime", json_real(now));
    if (!member(t, "Retention"))
        json_object_set_new(t, "Retention", json_integer(0));
    if (!member(t, "PartitionKeys"))
        json_object_set_new(t, "PartitionKeys", json_array());
    if (!member(t, "Parameters"))
        json_object_set_new(t, "Parameters", json_object());
    if (!json_is_string(json_object_get(t, "CreatedBy")))
        json_object_set_new(t, "CreatedBy", json_sprintf("arn:aws:iam::%s:user/sim", catalog_id));
    json_object_set_new(t, "IsRegisteredWithLakeFormation", json_false());
    json_object_set_new(t, "CatalogId", json_string(catalog_id));
    snprintf(vid, sizeof(vid), "%lld",
             old ? atoll(json_string_value(json_object_get(old, "VersionId"))
                             ? json_string_value(json_object_get(old, "VersionId"))
                             : "0") +
                       1
                 : 0LL);
    json_object_set_new(t, "VersionId", json_string(vid));
    return t;
}

json_t *sim_glue_fn_build(const json_t *input, const char *db, const char *name, const json_t *old,
                          double now, int use_input_time, const char *catalog_id, char *err,
                          size_t errlen)
{
    char nm[1024];
    const char *s;
    json_t *f, *ru, *u;
    size_t i;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "FunctionInput must be an object");
    if (name)
        snprintf(nm, sizeof(nm), "%s", name);
    else if (!json_is_string(member(input, "FunctionName")) ||
             !sim_name_valid(json_string_value(member(input, "FunctionName")), 255) ||
             strlen(json_string_value(member(input, "FunctionName"))) >= sizeof(nm))
        return invalid_input(err, errlen,
                             "1 validation error detected: Value at 'functionInput.functionName' "
                             "failed to satisfy constraint: Member must have length between 1 "
                             "and 255");
    else
        snprintf(nm, sizeof(nm), "%s", json_string_value(member(input, "FunctionName")));
    sim_fold(nm);
    if (opt_string(input, "ClassName", 1, 255, &s, err, errlen) < 0 ||
        opt_string(input, "OwnerName", 1, 255, &s, err, errlen) < 0 ||
        opt_string(input, "OwnerType", 1, 16, &s, err, errlen) < 0)
        return NULL;
    if (s && strcmp(s, "USER") && strcmp(s, "ROLE") && strcmp(s, "GROUP"))
        return invalid_input(err, errlen,
                             "1 validation error detected: Value at 'functionInput.ownerType' "
                             "failed to satisfy constraint: Member must satisfy enum value set: "
                             "[USER, ROLE, GROUP]");
    ru = member(input, "ResourceUris");
    if (ru && (!json_is_array(ru) || json_array_size(ru) > 1000))
        return invalid_input(err, errlen, "ResourceUris must be a list of at most 1000");
    json_array_foreach(ru, i, u)
    {
        const char *rt = json_string_value(json_object_get(u, "ResourceType"));

        if (!json_is_object(u) || !json_is_string(json_object_get(u, "Uri")) ||
            (rt && strcmp(rt, "JAR") && strcmp(rt, "FILE") && strcmp(rt, "ARCHIVE")))
            return invalid_input(err, errlen,
                                 "ResourceUris entries need a Uri and a ResourceType of JAR, "
                                 "FILE or ARCHIVE");
    }
    f = json_deep_copy(input);
    if (!f)
        return invalid_input(err, errlen, "out of memory");
    json_object_set_new(f, "FunctionName", json_string(nm));
    json_object_set_new(f, "DatabaseName", json_string(db));
    if (!(use_input_time && json_is_number(member(input, "CreateTime")))) {
        if (old && json_is_number(json_object_get(old, "CreateTime")))
            json_object_set(f, "CreateTime", json_object_get(old, "CreateTime"));
        else
            json_object_set_new(f, "CreateTime", json_real(now));
    }
    if (!member(f, "ResourceUris"))
        json_object_set_new(f, "ResourceUris", json_array());
    json_object_set_new(f, "CatalogId", json_string(catalog_id));
    return f;
}

json_t *sim_glue_part_build(const json_t *input, const char *db, const char *table, size_t nkeys,
                            double now, int use_input_time, const char *catalog_id, char *err,
                            size_t errlen)
{
    const char *vals[64];
    const json_t *sd;
    size_t n;
    json_t *p;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "PartitionInput must be an object");
    if (sim_values_get(member(input, "Values"), vals, 64, &n) < 0)
        return invalid_input(err, errlen, "PartitionInput.Values must be a list of strings");
    if (n != nkeys)
        return invalid_input(err, errlen,
                             "The number of partition values (%zu) does not match the number of "
                             "partition keys (%zu).",
                             n, nkeys);
    sd = member(input, "StorageDescriptor");
    if (opt_type(input, "StorageDescriptor", JSON_OBJECT, "a structure", err, errlen) < 0 ||
        (sd && columns_ok(member(sd, "Columns"), "partitionInput.storageDescriptor.columns", err,
                          errlen) < 0))
        return NULL;
    p = params_copy(member(input, "Parameters"), "partitionInput", 512000, err, errlen);
    if (!p)
        return NULL;
    json_decref(p);
    p = json_deep_copy(input);
    if (!p)
        return invalid_input(err, errlen, "out of memory");
    json_object_set_new(p, "DatabaseName", json_string(db));
    json_object_set_new(p, "TableName", json_string(table));
    if (!(use_input_time && json_is_number(member(input, "CreationTime"))))
        json_object_set_new(p, "CreationTime", json_real(now));
    json_object_set_new(p, "CatalogId", json_string(catalog_id));
    return p;
}

/* Set an integer server time unless the client sent a non-zero one. */
static void server_time(json_t *o, const char *key, const json_t *old, int64_t now)
{
    json_t *v = json_object_get(o, key);

    if (json_is_integer(v) && json_integer_value(v) != 0)
        return;
    v = old ? json_object_get(old, key) : NULL;
    if (json_is_integer(v) && json_integer_value(v) != 0)
        json_object_set(o, key, v);
    else
        json_object_set_new(o, key, json_integer((json_int_t)now));
}

json_t *sim_dlf_table_build(const json_t *input, const json_t *old, int64_t now,
                            const char *table_id, char *err, size_t errlen)
{
    const json_t *sd;
    const char *s;
    json_t *t;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "TableInput must be an object");
    if (!json_is_string(member(input, "TableName")) ||
        !sim_name_valid(json_string_value(member(input, "TableName")), 255))
        return invalid_input(err, errlen, "TableInput.TableName is invalid.");
    if (opt_string(input, "Owner", 0, 255, &s, err, errlen) < 0 ||
        opt_string(input, "TableType", 0, 255, &s, err, errlen) < 0 ||
        opt_type(input, "Sd", JSON_OBJECT, "an object", err, errlen) < 0 ||
        opt_type(input, "PartitionKeys", JSON_ARRAY, "a list", err, errlen) < 0 ||
        opt_type(input, "CreateTime", JSON_INTEGER, "an integer", err, errlen) < 0 ||
        columns_ok(member(input, "PartitionKeys"), "TableInput.PartitionKeys", err, errlen) < 0)
        return NULL;
    sd = member(input, "Sd");
    if (sd && columns_ok(member(sd, "Cols"), "TableInput.Sd.Cols", err, errlen) < 0)
        return NULL;
    t = params_copy(member(input, "Parameters"), "TableInput", 0, err, errlen);
    if (!t)
        return NULL;
    json_decref(t);
    t = json_deep_copy(input);
    if (!t)
        return invalid_input(err, errlen, "out of memory");
    server_time(t, "CreateTime", old, now);
    json_object_set_new(t, "UpdateTime", json_integer((json_int_t)now));
    if (old && json_is_string(json_object_get(old, "TableId")))
        json_object_set(t, "TableId", json_object_get(old, "TableId"));
    else
        json_object_set_new(t, "TableId", json_string(table_id));
    return t;
}

json_t *sim_dlf_fn_build(const json_t *input, const json_t *old, int64_t now, char *err,
                         size_t errlen)
{
    const json_t *ru;
    const char *s;
    json_t *f;

    if (!json_is_object(input))
        return invalid_input(err, errlen, "FunctionInput must be an object");
    if (!json_is_string(member(input, "FunctionName")) ||
        !sim_name_valid(json_string_value(member(input, "FunctionName")), 255))
        return invalid_input(err, errlen, "FunctionInput.FunctionName is invalid.");
    if (opt_string(input, "ClassName", 0, 4000, &s, err, errlen) < 0 ||
        opt_type(input, "CreateTime", JSON_INTEGER, "an integer", err, errlen) < 0)
        return NULL;
    ru = member(input, "ResourceUri");
    if (ru && !json_is_array(ru))
        return invalid_input(err, errlen, "FunctionInput.ResourceUri must be a list.");
    f = json_deep_copy(input);
    if (!f)
        return invalid_input(err, errlen, "out of memory");
    server_time(f, "CreateTime", old, now);
    return f;
}

char *sim_dlf_part_text(const json_t *input, const json_t *old, int64_t now, size_t nkeys,
                        char *err, size_t errlen)
{
    const char *vals[64];
    const json_t *sd;
    size_t n;
    json_t *p;
    char *s;

    if (!json_is_object(input)) {
        invalid_input(err, errlen, "PartitionInput must be an object.");
        return NULL;
    }
    if (sim_values_get(member(input, "Values"), vals, 64, &n) < 0) {
        invalid_input(err, errlen, "PartitionInput.Values must be a list of strings.");
        return NULL;
    }
    if (n != nkeys) {
        invalid_input(err, errlen,
                      "The number of partition values (%zu) does not match the number of "
                      "partition keys (%zu).",
                      n, nkeys);
        return NULL;
    }
    sd = member(input, "Sd");
    if (opt_type(input, "Sd", JSON_OBJECT, "an object", err, errlen) < 0 ||
        opt_type(input, "CreateTime", JSON_INTEGER, "an integer", err, errlen) < 0 ||
        (sd && columns_ok(member(sd, "Cols"), "PartitionInput.Sd.Cols", err, errlen) < 0))
        return NULL;
    /* Shallow: only CreateTime is set on the copy; the members are dumped as they are. */
    p = json_copy((json_t *)input);
    if (!p) {
        invalid_input(err, errlen, "out of memory");
        return NULL;
    }
    server_time(p, "CreateTime", old, now);
    s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!s)
        invalid_input(err, errlen, "out of memory");
    return s;
}

/*
 * The members of DLF's TableInput and PartitionInput and their JSON types (dlf-api.md §3,
 * from the Go SDK's struct tags): 's' string, 'i' integer, 'b' boolean, 'o' object, 'm'
 * map of strings, 'l' list of strings, 'L' list of objects. JSON null counts as absent.
 */
struct dlf_member {
    const char *name;
    char type;
};

static const struct dlf_member dlf_table_members[] = {
    {"TableName", 's'},
    {"DatabaseName", 's'},
    {"Owner", 's'},
    {"OwnerType", 's'},
    {"CreateTime", 'i'},
    {"CreatedBy", 's'},
    {"LastAccessTime", 'i'},
    {"LastAnalyzedTime", 'i'},
    {"Retention", 'i'},
    {"Sd", 'o'},
    {"PartitionKeys", 'L'},
    {"ViewOriginalText", 's'},
    {"ViewExpandedText", 's'},
    {"TableType", 's'},
    {"Parameters", 'm'},
    {"Privileges", 'o'},
    {"Temporary", 'b'},
    {"RewriteEnabled", 'b'},
    {"Cascade", 'b'},
    {NULL, 0},
};

static const struct dlf_member dlf_part_members[] = {
    {"Values", 'l'},         {"DatabaseName", 's'},
    {"TableName", 's'},      {"CreateTime", 'i'},
    {"LastAccessTime", 'i'}, {"LastAnalyzedTime", 'i'},
    {"Parameters", 'm'},     {"Sd", 'o'},
    {"Privileges", 'o'},     {NULL, 0},
};

static int dlf_type_ok(const json_t *v, char type)
{
    size_t i;
    const char *k;
    json_t *e;

    switch (type) {
    case 's':
        return json_is_string(v);
    case 'i':
        return json_is_integer(v);
    case 'b':
        return json_is_boolean(v);
    case 'o':
        return json_is_object(v);
    case 'm':
        if (!json_is_object(v))
            return 0;
        json_object_foreach((json_t *)v, k, e) if (!json_is_string(e)) return 0;
        return 1;
    default: /* 'l', 'L' */
        if (!json_is_array(v))
            return 0;
        json_array_foreach(v, i,
                           e) if (type == 'l' ? !json_is_string(e) : !json_is_object(e)) return 0;
        return 1;
    }
}

static const char *const dlf_type_names[] = {
    "a string",         "an integer",        "a boolean",        "an object",
    "a map of strings", "a list of strings", "a list of objects"};

int sim_dlf_input_check(const json_t *input, int partition, char *err, size_t errlen)
{
    const struct dlf_member *m, *set = partition ? dlf_part_members : dlf_table_members;
    const char *what = partition ? "PartitionInput" : "TableInput", *k;
    json_t *v;

    if (!json_is_object(input)) {
        snprintf(err, errlen, "%s must be an object.", what);
        return -1;
    }
    json_object_foreach((json_t *)input, k, v)
    {
        for (m = set; m->name && strcmp(m->name, k) != 0; m++)
            ;
        if (!m->name) {
            snprintf(err, errlen, "%s.%s is not a known parameter.", what, k);
            return -1;
        }
        if (!json_is_null(v) && !dlf_type_ok(v, m->type)) {
            snprintf(err, errlen, "%s.%s must be %s.", what, k,
                     dlf_type_names[strchr("sibomlL", m->type) - "sibomlL"]);
            return -1;
        }
    }
    return 0;
}
