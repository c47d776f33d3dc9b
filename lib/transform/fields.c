/* SPDX-License-Identifier: MIT */
/*
 * The Glue → DLF field table (see fields.h). One row per member that is carried, dropped
 * with a note, or set by the mapping itself; read by model.c (DOM) and ptrans*.c
 * (streaming partitions). The rows' order is the order DLF objects are written in.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/model.h"
#include "transform/fields.h"

#define NROWS(a) (unsigned)(sizeof(a) / sizeof((a)[0]))
/* (A table of more than G2D_FIELDS_MAX rows does not compile.) */
#define TABLE(name, rows, wl)                                                                      \
    {                                                                                              \
        name, rows, NROWS(rows) + 0 * sizeof(char[NROWS(rows) <= G2D_FIELDS_MAX ? 1 : -1]), wl,    \
            false, 0, {0},                                                                         \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Column (Sd.Cols, PartitionKeys): not whitelisted, every member is normalised. */
static struct g2d_field column_rows[] = {
    {"Name", "Name", FK_STR, FF_NONEMPTY},
    {"Type", "Type", FK_ANY, 0},
    {"Comment", "Comment", FK_STR, FF_NONEMPTY},
    {"Parameters", "Parameters", FK_MAP, 0},
};
static struct g2d_fields column_fields = TABLE("Column", column_rows, false);

static struct g2d_field serde_rows[] = {
    {"Name", "Name", FK_STR, FF_NONEMPTY},
    {"SerializationLibrary", "SerializationLib", FK_STR, FF_NONEMPTY},
    /* Spark keeps the table path in the SerDe parameters too. */
    {"Parameters", "Parameters", FK_MAP, FF_MAP_PATH},
};
static struct g2d_fields serde_fields = TABLE("SerdeInfo", serde_rows, false);

static struct g2d_field sort_rows[] = {
    {"Column", "Col", FK_STR, FF_NONEMPTY},
    {"SortOrder", "Order", FK_INT, 0},
};
static struct g2d_fields sort_fields = TABLE("SortColumns", sort_rows, false);

static struct g2d_field skew_rows[] = {
    {"SkewedColumnNames", "SkewedColNames", FK_STRS, 0},
    {"SkewedColumnValues", "SkewedColValues", FK_SKEW_VALUES, 0},
    {"SkewedColumnValueLocationMaps", "SkewedColValueLocationMaps", FK_SKEW_MAPS, FF_LOCATION},
};
static struct g2d_fields skew_fields = TABLE("SkewedInfo", skew_rows, false);

static struct g2d_field sd_rows[] = {
    {"Columns", "Cols", FK_OBJS, FF_FP, 0, &column_fields},
    {"Location", "Location", FK_STR, FF_FP | FF_NONEMPTY | FF_LOCATION},
    {"InputFormat", "InputFormat", FK_STR, FF_FP | FF_NONEMPTY},
    {"OutputFormat", "OutputFormat", FK_STR, FF_FP | FF_NONEMPTY},
    {"Compressed", "Compressed", FK_BOOL, FF_FP},
    {"NumberOfBuckets", "NumBuckets", FK_INT, FF_FP | FF_POSITIVE},
    {"SerdeInfo", "SerDeInfo", FK_OBJ, FF_FP, 0, &serde_fields},
    {"BucketColumns", "BucketCols", FK_STRS, FF_FP},
    {"SortColumns", "SortCols", FK_OBJS, FF_FP, 0, &sort_fields},
    {"Parameters", "Parameters", FK_MAP, FF_FP},
    {"SkewedInfo", "SkewedInfo", FK_OBJ, FF_FP, 0, &skew_fields},
    {"StoredAsSubDirectories", "StoredAsSubDirectories", FK_BOOL, FF_FP},
    {"AdditionalLocations", NULL, FK_NOTE_ARR, 0, G2D_DROP_SD_ADDITIONAL_LOCATIONS},
    {"SchemaReference", NULL, FK_NOTE_OBJ, 0, G2D_DROP_SD_SCHEMA_REFERENCE},
};
static struct g2d_fields sd_fields = TABLE("StorageDescriptor", sd_rows, true);

static struct g2d_field database_rows[] = {
    {"Name", "Name", FK_STR, FF_FP | FF_NONEMPTY},
    {"Description", "Description", FK_STR, FF_FP | FF_NONEMPTY},
    {"Parameters", "Parameters", FK_MAP, FF_FP | FF_VOLATILE},
    {"LocationUri", "LocationUri", FK_STR, FF_FP | FF_NONEMPTY | FF_LOCATION},
    /* Create times are kept as Glue has them, but never cause an update by themselves. */
    {"CreateTime", "CreateTime", FK_TIME, 0},
};

static struct g2d_field table_rows[] = {
    {"Name", "TableName", FK_STR, FF_FP | FF_NONEMPTY},
    {NULL, "DatabaseName", FK_DB, 0},
    {"Owner", "Owner", FK_STR, FF_FP | FF_NONEMPTY},
    {"CreateTime", "CreateTime", FK_TIME, 0},
    {"LastAccessTime", "LastAccessTime", FK_TIME, 0},
    /* Statistics were recomputed: DLF gets the time (DLF lists a never-analysed one as 0). */
    {"LastAnalyzedTime", "LastAnalyzedTime", FK_TIME, FF_FP | FF_POSITIVE},
    {"Retention", "Retention", FK_INT, FF_FP | FF_POSITIVE},
    {"StorageDescriptor", "Sd", FK_OBJ, FF_FP, 0, &sd_fields},
    {"PartitionKeys", "PartitionKeys", FK_OBJS, FF_FP, 0, &column_fields},
    {"ViewOriginalText", "ViewOriginalText", FK_STR, FF_FP | FF_NONEMPTY},
    {"ViewExpandedText", "ViewExpandedText", FK_STR, FF_FP | FF_NONEMPTY},
    {"TableType", "TableType", FK_STR, FF_FP | FF_NONEMPTY},
    /* DLF has no table description: model.c keeps it as Parameters.comment. */
    {"Parameters", "Parameters", FK_MAP, FF_FP | FF_VOLATILE | FF_MAP_OTF},
    {"TargetTable", NULL, FK_NOTE_OBJ, 0, G2D_DROP_TABLE_TARGET},
    {"ViewDefinition", NULL, FK_NOTE_OBJ, 0, G2D_DROP_TABLE_VIEW_DEFINITION},
    {"FederatedTable", NULL, FK_NOTE_OBJ, 0, G2D_DROP_TABLE_FEDERATED},
};

static struct g2d_field partition_rows[] = {
    {"Values", "Values", FK_VALUES, FF_FP},
    {NULL, "DatabaseName", FK_DB, 0},
    {NULL, "TableName", FK_TABLE, 0},
    {"CreationTime", "CreateTime", FK_TIME, 0}, /* Glue's name for it differs here */
    {"LastAccessTime", "LastAccessTime", FK_TIME, 0},
    {"LastAnalyzedTime", "LastAnalyzedTime", FK_TIME, FF_FP | FF_POSITIVE},
    {"Parameters", "Parameters", FK_MAP, FF_FP | FF_VOLATILE},
    {"StorageDescriptor", "Sd", FK_OBJ, FF_FP, 0, &sd_fields},
};

static struct g2d_field resource_rows[] = {
    {"ResourceType", "ResourceType", FK_STR, FF_NONEMPTY},
    {"Uri", "Uri", FK_STR, FF_NONEMPTY | FF_LOCATION},
};
static struct g2d_fields resource_fields = TABLE("ResourceUris", resource_rows, false);

static struct g2d_field function_rows[] = {
    {"FunctionName", "FunctionName", FK_STR, FF_FP | FF_NONEMPTY},
    {"ClassName", "ClassName", FK_STR, FF_FP | FF_NONEMPTY},
    {"OwnerName", "OwnerName", FK_STR, FF_FP | FF_NONEMPTY},
    {"OwnerType", "OwnerType", FK_STR, FF_FP | FF_NONEMPTY},
    /* Hive functions are Java classes; DLF's only documented FunctionType is JAVA. */
    {"FunctionType", "FunctionType", FK_CONST, FF_NOTE_DIFF, G2D_DROP_FN_FUNCTION_TYPE, NULL,
     "JAVA", "REGULAR_FUNCTION"},
    {"CreateTime", "CreateTime", FK_TIME, 0},
    {"ResourceUris", "ResourceUri", FK_OBJS, FF_FP, 0, &resource_fields},
};

static struct g2d_fields database_fields = TABLE("database", database_rows, true);
static struct g2d_fields table_fields = TABLE("table", table_rows, true);
static struct g2d_fields partition_fields = TABLE("partition", partition_rows, true);
static struct g2d_fields function_fields = TABLE("function", function_rows, true);

static struct g2d_fields *const top_fields[G2D_FOBJ_COUNT] = {
    [G2D_FOBJ_DATABASE] = &database_fields,
    [G2D_FOBJ_TABLE] = &table_fields,
    [G2D_FOBJ_PARTITION] = &partition_fields,
    [G2D_FOBJ_FUNCTION] = &function_fields,
    [G2D_FOBJ_SD] = &sd_fields,
};

/* Open-table formats keep absolute paths in table parameters; the ones we rewrite. */
static const char *const otf_location_params[] = {
    "metadata_location",
    "previous_metadata_location",
    "path",
    NULL,
};

bool g2d_fields_otf_location(const char *key, size_t n)
{
    const char *const *p;

    for (p = otf_location_params; *p; p++)
        if (strlen(*p) == n && memcmp(*p, key, n) == 0)
            return true;
    return false;
}

static pthread_once_t fields_once = PTHREAD_ONCE_INIT;
/* The rows' jkey texts, each with G2D_FIELDS_JKEY readable bytes. */
static char jkey_pool[64 * 32 + G2D_FIELDS_JKEY];
static size_t jkey_used;
static const struct g2d_fields *sort_ctx;

static int order_cmp(const void *a, const void *b)
{
    const uint8_t *x = a, *y = b;

    return strcmp(sort_ctx->f[*x].dlf, sort_ctx->f[*y].dlf);
}

static void fields_prepare(struct g2d_fields *fs)
{
    unsigned i;

    if (fs->ready)
        return; /* shared sub-tables are prepared once */
    fs->ready = true;
    memset(fs->hash, G2D_FIELDS_NONE, sizeof(fs->hash));
    for (i = 0; i < fs->n; i++) {
        struct g2d_field *f = &fs->f[i];

        f->nglue = f->glue ? (uint8_t)strlen(f->glue) : 0;
        f->ndlf = f->dlf ? (uint8_t)strlen(f->dlf) : 0;
        if (f->dlf && f->ndlf + 4 <= G2D_FIELDS_JKEY &&
            jkey_used + f->ndlf + 4 <= sizeof(jkey_pool) - G2D_FIELDS_JKEY) {
            char *p = jkey_pool + jkey_used;

            p[0] = ',';
            p[1] = '"';
            memcpy(p + 2, f->dlf, f->ndlf);
            p[f->ndlf + 2] = '"';
            p[f->ndlf + 3] = ':';
            f->jkey = p;
            jkey_used += f->ndlf + 4;
        }
        if (f->glue) {
            uint8_t *h = &fs->hash[g2d_fields_hash(f->glue, f->nglue)];

            *h = *h == G2D_FIELDS_NONE ? (uint8_t)i : G2D_FIELDS_SCAN;
        }
        if (f->dlf && (!fs->whitelist || (f->flags & FF_FP)))
            fs->order[fs->norder++] = (uint8_t)i;
        if (f->sub)
            fields_prepare((struct g2d_fields *)f->sub);
    }
    sort_ctx = fs;
    qsort(fs->order, fs->norder, sizeof(fs->order[0]), order_cmp);
}

static void fields_init(void)
{
    int k;

    for (k = 0; k < G2D_FOBJ_COUNT; k++)
        fields_prepare(top_fields[k]);
}

const struct g2d_fields *g2d_fields_get(enum g2d_fobj kind)
{
    pthread_once(&fields_once, fields_init);
    return top_fields[kind];
}

const struct g2d_field *g2d_fields_find_dlf(const struct g2d_fields *fs, const char *k)
{
    unsigned i;

    for (i = 0; i < fs->n; i++) {
        const char *d = fs->f[i].dlf;

        if (d && d[0] == k[0] && strcmp(d, k) == 0)
            return &fs->f[i];
    }
    return NULL;
}
