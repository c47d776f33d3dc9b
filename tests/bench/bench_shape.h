/* SPDX-License-Identifier: MIT */
/*
 * The partition shape of the benchmarks, for the micro-benchmark and the unit tests:
 * 12 columns, 2 keys, Parquet, 3 parameters (one volatile). Header-only.
 */
#ifndef G2D_TESTS_BENCH_SHAPE_H
#define G2D_TESTS_BENCH_SHAPE_H

#include <stdio.h>

#include <jansson.h>

/* The Glue Partition as JSON text, dumped with @p flags (json_dumps); caller frees. */
static inline char *bench_partition_json(size_t flags)
{
    json_t *cols = json_array(), *p;
    char *s;
    int i;
    for (i = 0; i < 12; i++) {
        char name[32];

        snprintf(name, sizeof(name), "column_%02d", i);
        json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "Name", name, "Type",
                                              i % 3 ? "string" : "bigint", "Comment",
                                              "a column comment of moderate length"));
    }
    p = json_pack(
        "{s:[s,s], s:s, s:s, s:f, s:f, s:{s:s, s:s, s:s}, s:{s:o, s:s, s:s, s:s, s:b, s:i, "
        "s:{s:s, s:{s:s}}, s:[], s:[], s:{}, s:b}, s:s}",
        "Values", "2024-01-01", "eu-west-1", "DatabaseName", "sales", "TableName", "orders",
        "CreationTime", 1.708699485e9, "LastAccessTime", 0.0, "Parameters", "numRows", "1234",
        "totalSize", "567890", "transient_lastDdlTime", "1708699485", "StorageDescriptor",
        "Columns", cols, "Location", "s3://bucket/sales.db/orders/dt=2024-01-01/region=eu-west-1",
        "InputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "Compressed", 0, "NumberOfBuckets", -1, "SerdeInfo", "SerializationLibrary",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", "Parameters",
        "serialization.format", "1", "BucketColumns", "SortColumns", "Parameters",
        "StoredAsSubDirectories", 0, "CatalogId", "123456789012");
    s = json_dumps(p, flags);
    json_decref(p);
    return s;
}

#endif
