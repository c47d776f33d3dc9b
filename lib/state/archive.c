/* SPDX-License-Identifier: MIT */
/* The deleted-objects archive (see archive.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "glue2dlf/sync.h"

#include "state/archive.h"

#define PREFIX "deleted-"
#define SUFFIX ".jsonl"
#define NAME_LEN (sizeof(PREFIX) - 1 + 10 + sizeof(SUFFIX) - 1) /* deleted-YYYY-MM-DD.jsonl */
#define MAX_FILES 4096

static const char *const type_names[] = {"database", "table", "partition", "function"};

/* Is @p name one of our files? Its day (days since the epoch) into *@p day. */
static bool our_file(const char *name, int64_t *day)
{
    struct tm tm = {0};
    char *end;

    if (strlen(name) != NAME_LEN || strncmp(name, PREFIX, sizeof(PREFIX) - 1) != 0 ||
        strcmp(name + NAME_LEN - (sizeof(SUFFIX) - 1), SUFFIX) != 0)
        return false;
    end = strptime(name + sizeof(PREFIX) - 1, "%Y-%m-%d", &tm);
    if (!end || end != name + sizeof(PREFIX) - 1 + 10)
        return false;
    *day = (int64_t)timegm(&tm) / 86400;
    return true;
}

static void day_file(char *buf, size_t n, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(buf, n, PREFIX "%04d-%02d-%02d" SUFFIX, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static json_t *rec_json(const struct g2d_archive_rec *r)
{
    char when[96];
    time_t t = (time_t)(r->time_ms / 1000);
    struct tm tm;
    json_t *o;

    gmtime_r(&t, &tm);
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(r->time_ms % 1000));
    o = json_pack("{s:s, s:s, s:s, s:O}", "time", when, "type",
                  r->type < 4 ? type_names[r->type] : "?", "name", r->name, "object", r->object);
    if (o && r->values) {
        json_object_set_new(o, "database", json_string(r->database ? r->database : ""));
        json_object_set_new(o, "table", json_string(r->table ? r->table : ""));
        json_object_set(o, "values", r->values);
    }
    return o;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int g2d_archive_append(const char *dir, const struct g2d_archive_rec *recs, size_t n,
                       struct g2d_error *err)
{
    char path[4096], file[64];
    int fd, r = 0;
    size_t i;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return g2d_error_set(err, -errno, "cannot make '%s': %s", dir, strerror(errno));
    day_file(file, sizeof(file), n ? recs[0].time_ms : 0);
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        return g2d_error_set(err, -ENAMETOOLONG, "archive path too long");
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return g2d_error_set(err, -errno, "cannot write '%s': %s", path, strerror(errno));
    for (i = 0; i < n && r == 0; i++) {
        json_t *o = rec_json(&recs[i]);
        char *line = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

        r = line ? write_all(fd, line, strlen(line)) : -ENOMEM;
        if (r == 0)
            r = write_all(fd, "\n", 1);
        free(line);
        json_decref(o);
    }
    if (r == 0 && fdatasync(fd) < 0)
        r = -errno;
    close(fd);
    if (r < 0)
        return g2d_error_set(err, r, "cannot write '%s': %s", path, strerror(-r));
    return 0;
}

struct afile {
    char name[NAME_LEN + 1];
    int64_t day;
    off_t size;
};

static int by_day(const void *a, const void *b)
{
    const struct afile *x = a, *y = b;

    return x->day < y->day ? -1 : x->day > y->day;
}

/* Our files in @p dir, oldest first, into @p out (MAX_FILES). @return how many, or -errno. */
static int list_files(const char *dir, struct afile *out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return -errno;
    while ((de = readdir(d)) && n < MAX_FILES) {
        char path[4096];
        struct stat st;
        int64_t day;

        if (!our_file(de->d_name, &day))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        memcpy(out[n].name, de->d_name, NAME_LEN + 1); /* our_file(): NAME_LEN long */
        out[n].day = day;
        out[n++].size = st.st_size;
    }
    closedir(d);
    qsort(out, (size_t)n, sizeof(*out), by_day);
    return n;
}

int g2d_archive_prune(const char *dir, int64_t now_ms, uint64_t max_age_ms, uint64_t max_bytes)
{
    struct afile *f = calloc(MAX_FILES, sizeof(*f));
    int64_t today = now_ms / 86400000, oldest = (now_ms - (int64_t)max_age_ms) / 86400000;
    uint64_t total = 0;
    int n, i, removed = 0;

    if (!f)
        return -ENOMEM;
    n = list_files(dir, f);
    for (i = 0; i < n; i++)
        total += (uint64_t)f[i].size;
    for (i = 0; i < n && f[i].day < today; i++) {
        char path[4096];

        if (f[i].day >= oldest && total <= max_bytes)
            break;
        snprintf(path, sizeof(path), "%s/%s", dir, f[i].name);
        if (unlink(path) == 0) {
            removed++;
            total -= (uint64_t)f[i].size;
        }
    }
    free(f);
    return n < 0 ? n : removed;
}

int g2d_archive_parse_line(const char *line, size_t len, json_t **root, struct g2d_archive_rec *out)
{
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL), *t, *v;
    const char *ts;
    unsigned i;

    memset(out, 0, sizeof(*out));
    *root = o;
    if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")) ||
        !json_string_length(json_object_get(o, "name")) ||
        !json_is_object(json_object_get(o, "object")) ||
        !(ts = json_string_value(t = json_object_get(o, "type"))))
        goto bad;
    for (i = 0; i < 4 && strcmp(ts, type_names[i]) != 0; i++)
        ;
    if (i == 4)
        goto bad;
    out->type = i;
    out->name = json_string_value(json_object_get(o, "name"));
    out->object = json_object_get(o, "object");
    if (i == G2D_ITEM_PARTITION) {
        size_t k;

        out->database = json_string_value(json_object_get(o, "database"));
        out->table = json_string_value(json_object_get(o, "table"));
        out->values = json_object_get(o, "values");
        if (!out->database || !out->table || !out->database[0] || !out->table[0] ||
            !json_is_array(out->values) || !json_array_size(out->values))
            goto bad;
        json_array_foreach(out->values, k, v) if (!json_is_string(v)) goto bad;
    }
    return 0;
bad:
    json_decref(o);
    *root = NULL;
    memset(out, 0, sizeof(*out));
    return -EBADMSG;
}

/* The last record of @p name in the file @p path. @return 0, -ENOENT, or -errno. */
static int find_in(const char *path, int type, const char *name, json_t **root,
                   struct g2d_archive_rec *out)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int r = -ENOENT;

    if (!f)
        return -errno;
    while ((n = getline(&line, &cap, f)) > 0) {
        struct g2d_archive_rec rec;
        json_t *o;

        if ((size_t)n > G2D_ARCHIVE_LINE_MAX)
            continue;
        if (g2d_archive_parse_line(line, (size_t)n, &o, &rec) < 0)
            continue; /* a torn last line, or not ours: skipped */
        if ((type >= 0 && rec.type != (unsigned)type) || strcasecmp(rec.name, name) != 0) {
            json_decref(o);
            continue;
        }
        json_decref(*root);
        *root = o;
        *out = rec;
        r = 0;
    }
    free(line);
    fclose(f);
    return r;
}

int g2d_archive_find(const char *dir, int type, const char *name, json_t **root,
                     struct g2d_archive_rec *out, struct g2d_error *err)
{
    struct afile *f = calloc(MAX_FILES, sizeof(*f));
    int n, i, r = -ENOENT;

    *root = NULL;
    if (!f)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    n = list_files(dir, f);
    if (n < 0 && n != -ENOENT) {
        free(f);
        return g2d_error_set(err, n, "cannot read '%s': %s", dir, strerror(-n));
    }
    for (i = n - 1; i >= 0 && r == -ENOENT; i--) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, f[i].name);
        r = find_in(path, type, name, root, out);
        if (r < 0 && r != -ENOENT)
            r = -ENOENT; /* an unreadable file: look further back */
    }
    free(f);
    if (r == -ENOENT)
        return g2d_error_set(err, -ENOENT, "'%s' is not in the deleted-objects archive", name);
    return r;
}
