/* SPDX-License-Identifier: MIT */
/*
 * Object shapes served by the simulator: validation of Glue and DLF DatabaseInput and the
 * stored Database objects built from them (shared by the API handlers, the admin API and
 * the generator). Messages imitate the services' validation wording loosely.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
