/* Migration runner: reads migrations/NNNN_name.sql, applies the new ones, verifies the old ones. */
#include "operational/migrate.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"

/* An arbitrary constant that names "parity schema migrations" among advisory locks. */
#define MIGRATION_LOCK_KEY "7061726974790001"

struct migration {
  int version;
  char *name;
  char *path;
};

static int by_version(const void *a, const void *b)
{
  return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

/* Accepts exactly NNNN_[a-z0-9_]+.sql. */
static int parse_name(const char *name, int *version)
{
  size_t len = strlen(name);
  if (len < 10 || strcmp(name + len - 4, ".sql") != 0 || name[4] != '_')
    return -1;
  for (int i = 0; i < 4; i++)
    if (name[i] < '0' || name[i] > '9')
      return -1;
  for (size_t i = 5; i < len - 4; i++)
    if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
      return -1;
  *version = atoi(name);
  return *version > 0 ? 0 : -1;
}

static void free_list(struct migration *list, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(list[i].name);
    free(list[i].path);
  }
  free(list);
}

static int list_migrations(const char *dir, struct migration **out, size_t *n_out)
{
  DIR *d = opendir(dir);
  if (!d) {
    parity_log(PARITY_LOG_ERROR, "migrations_dir_missing", "{s:s}", "dir", dir);
    return PARITY_EIO;
  }
  struct migration *list = parity_xcalloc(PARITY_MIGRATION_MAX_FILES, sizeof(*list));
  size_t n = 0;
  int rc = PARITY_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int version;
    if (e->d_name[0] == '.' || parse_name(e->d_name, &version) != 0)
      continue;
    if (n == PARITY_MIGRATION_MAX_FILES) {
      rc = PARITY_ETOOBIG;
      break;
    }
    list[n].version = version;
    list[n].name = parity_xstrdup(e->d_name);
    if (asprintf(&list[n].path, "%s/%s", dir, e->d_name) < 0)
      abort();
    n++;
  }
  closedir(d);
  qsort(list, n, sizeof(*list), by_version);
  for (size_t i = 1; i < n && !rc; i++) {
    if (list[i].version == list[i - 1].version) {
      parity_log(PARITY_LOG_ERROR, "migration_duplicate_version", "{s:s, s:s}", "a", list[i - 1].name, "b",
                 list[i].name);
      rc = PARITY_ECONFLICT;
    }
  }
  if (rc) {
    free_list(list, n);
    return rc;
  }
  *out = list;
  *n_out = n;
  return PARITY_OK;
}

static int read_file(const char *path, char **text)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return PARITY_EIO;
  char *buf = parity_xmalloc(PARITY_MIGRATION_MAX_BYTES + 1);
  size_t len = fread(buf, 1, PARITY_MIGRATION_MAX_BYTES + 1, f);
  fclose(f);
  if (len > PARITY_MIGRATION_MAX_BYTES) {
    free(buf);
    return PARITY_ETOOBIG;
  }
  buf[len] = '\0';
  *text = buf;
  return PARITY_OK;
}

static void sha256_hex(const char *text, char hex[65])
{
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
  sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

static int exec_ok(PGconn *conn, const char *sql, const char *what)
{
  PGresult *r = PQexec(conn, sql);
  ExecStatusType st = PQresultStatus(r);
  int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? PARITY_OK : PARITY_EDB;
  if (rc)
    parity_log(PARITY_LOG_ERROR, "migration_sql_failed", "{s:s, s:s}", "step", what, "error", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

/* Returns 1 and the stored checksum when `version` is applied, 0 when not, negative on error. */
static int applied_checksum(PGconn *conn, int version, char checksum[65])
{
  char v[PARITY_I64_TEXT];
  parity_i64(version, v);
  const char *params[] = { v };
  PGresult *r =
      PQexecParams(conn, "SELECT checksum FROM schema_migrations WHERE version = $1", 1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    return PARITY_EDB;
  }
  int found = PQntuples(r) == 1;
  if (found)
    snprintf(checksum, 65, "%s", PQgetvalue(r, 0, 0));
  PQclear(r);
  return found;
}

static int apply_one(PGconn *conn, const struct migration *m, const char *sql, const char *checksum)
{
  int rc = exec_ok(conn, "BEGIN", "begin");
  if (!rc)
    rc = exec_ok(conn, sql, m->name);
  if (!rc) {
    char v[PARITY_I64_TEXT];
    parity_i64(m->version, v);
    const char *params[] = { v, m->name, checksum };
    PGresult *r = PQexecParams(conn, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3,
                               NULL, params, NULL, NULL, 0);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? PARITY_OK : PARITY_EDB;
    PQclear(r);
  }
  if (!rc)
    rc = exec_ok(conn, "COMMIT", "commit");
  if (rc)
    exec_ok(conn, "ROLLBACK", "rollback");
  return rc;
}

int parity_migrate(const char *database_url, const char *dir, FILE *report, int *applied)
{
  *applied = 0;
  struct migration *list = NULL;
  size_t n = 0;
  int rc = list_migrations(dir, &list, &n);
  if (rc)
    return rc;
  PGconn *conn = PQconnectdb(database_url);
  if (PQstatus(conn) != CONNECTION_OK) {
    parity_log(PARITY_LOG_ERROR, "migration_connect_failed", "{s:s}", "error", PQerrorMessage(conn));
    rc = PARITY_EDB;
    goto out;
  }
  exec_ok(conn, "SET client_min_messages = warning", "quiet notices");
  rc = exec_ok(conn, "SELECT pg_advisory_lock(x'" MIGRATION_LOCK_KEY "'::bigint)", "lock");
  if (rc)
    goto out;
  rc = exec_ok(conn,
               "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
               "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
               "schema_migrations");
  for (size_t i = 0; i < n && !rc; i++) {
    char *sql = NULL;
    char checksum[65], stored[65];
    rc = read_file(list[i].path, &sql);
    if (rc)
      break;
    sha256_hex(sql, checksum);
    int found = applied_checksum(conn, list[i].version, stored);
    if (found < 0) {
      rc = found;
    } else if (found) {
      if (strcmp(stored, checksum) != 0) {
        parity_log(PARITY_LOG_ERROR, "migration_checksum_mismatch", "{s:s, s:s, s:s}", "migration", list[i].name,
                   "applied", stored, "file", checksum);
        rc = PARITY_ECONFLICT;
      }
    } else {
      rc = apply_one(conn, &list[i], sql, checksum);
      if (!rc) {
        (*applied)++;
        parity_log(PARITY_LOG_INFO, "migration_applied", "{s:s}", "migration", list[i].name);
        if (report)
          fprintf(report, "applied %s\n", list[i].name);
      }
    }
    free(sql);
  }
  exec_ok(conn, "SELECT pg_advisory_unlock(x'" MIGRATION_LOCK_KEY "'::bigint)", "unlock");
out:
  PQfinish(conn);
  free_list(list, n);
  return rc;
}
