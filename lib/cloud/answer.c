/* SPDX-License-Identifier: MIT */
/*
 * Reading listing answers of both clouds: the page's list member and its next-page token,
 * with the shape checked before anything is believed. A Glue list answer without its list
 * member is not an empty list (Glue sends [] for none); a list that is null, not an array,
 * or holds anything but objects is a malformed answer, never "nothing there".
 */
#include <stdio.h>
#include <string.h>

#include "cloud/answer.h"

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

int g2d_answer_list(struct g2d_api_result *res, const char *member, const char *token_member,
                    char *msg, size_t msgsz)
{
    json_t *list, *tok, *o;
    size_t i;

    if (!json_is_object(res->json))
        return snprintf(msg, msgsz, "the answer is not an object"), -1;
    list = json_object_get(res->json, member);
    if (!list)
        return snprintf(msg, msgsz, "member '%s' missing", member), -1;
    if (!json_is_array(list))
        return snprintf(msg, msgsz, "member '%s' is %s, not an array", member, json_kind(list)), -1;
    json_array_foreach(list, i, o)
    {
        if (!json_is_object(o))
            return snprintf(msg, msgsz, "%s[%zu] is %s, not an object", member, i, json_kind(o)),
                   -1;
    }
    tok = json_object_get(res->json, token_member);
    if (tok && !json_is_null(tok) && !json_is_string(tok))
        return snprintf(msg, msgsz, "member '%s' is %s, not a string", token_member,
                        json_kind(tok)),
               -1;
    res->list = list;
    res->next_token =
        json_is_string(tok) && json_string_length(tok) ? json_string_value(tok) : NULL;
    return 0;
}

int g2d_answer_dlf_envelope(struct g2d_api_result *res, char *msg, size_t msgsz)
{
    json_t *ok;

    if (!json_is_object(res->json))
        return snprintf(msg, msgsz, "the answer is not an object"), -1;
    ok = json_object_get(res->json, "Success");
    if (!ok)
        return snprintf(msg, msgsz, "member 'Success' missing"), -1;
    if (!json_is_true(ok))
        return snprintf(msg, msgsz, "member 'Success' is %s, not true",
                        json_is_false(ok) ? "false" : json_kind(ok)),
               -1;
    return 0;
}

const char *g2d_listing_op(enum g2d_listing what)
{
    static const char *const ops[G2D_LIST_COUNT] = {
        [G2D_LIST_GLUE_DATABASES] = "GetDatabases",
        [G2D_LIST_GLUE_TABLES] = "GetTables",
        [G2D_LIST_GLUE_FUNCTIONS] = "GetUserDefinedFunctions",
        [G2D_LIST_GLUE_PARTITIONS] = "GetPartitions",
        [G2D_LIST_DLF_DATABASES] = "ListDatabases",
        [G2D_LIST_DLF_TABLES] = "ListTables",
        [G2D_LIST_DLF_FUNCTIONS] = "ListFunctions",
        [G2D_LIST_DLF_PARTITIONS] = "ListPartitions",
    };

    return (unsigned)what < G2D_LIST_COUNT ? ops[what] : "?";
}
