/* The dividend history into PostgreSQL (dividends_load.h). */
#include "decisional/dividends_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "decisional/queries.h"

void parity_dividends_bundled_path(const char *prices_path, char *out, size_t size)
{
  const char *slash = strrchr(prices_path, '/');
  int dir = slash ? (int)(slash - prices_path + 1) : 0;
  snprintf(out, size, "%.*setf_dividends.csv", dir, prices_path);
}

int parity_dividends_load_rows(struct parity_db *db, const struct parity_dividend_row *rows, size_t n,
                               const char *source, long *changed)
{
  *changed = 0;
  if (n == 0)
    return PARITY_OK;
  /* Three array literals: symbols and dates need no quoting (validated shapes), amounts are integers. */
  struct parity_buf symbols, days, amounts;
  parity_buf_init(&symbols, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&days, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&amounts, PARITY_BUF_UNBOUNDED);
  parity_buf_add(&symbols, "{", 1);
  parity_buf_add(&days, "{", 1);
  parity_buf_add(&amounts, "{", 1);
  for (size_t i = 0; i < n; i++) {
    char day[PARITY_DAY_TEXT], text[PARITY_SYMBOL_MAX + 32];
    parity_day_format(rows[i].day, day);
    const char *sep = i ? "," : "";
    int len = snprintf(text, sizeof(text), "%s%s", sep, rows[i].symbol);
    parity_buf_add(&symbols, text, (size_t)len);
    len = snprintf(text, sizeof(text), "%s%s", sep, day);
    parity_buf_add(&days, text, (size_t)len);
    len = snprintf(text, sizeof(text), "%s%lld", sep, (long long)rows[i].amount_micros);
    parity_buf_add(&amounts, text, (size_t)len);
  }
  parity_buf_add(&symbols, "}", 1);
  parity_buf_add(&days, "}", 1);
  parity_buf_add(&amounts, "}", 1);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, QD_DIVIDENDS_UPSERT, &res, symbols.data, days.data, amounts.data, source);
  if (!rc)
    *changed = parity_db_affected(res);
  PQclear(res);
  parity_buf_free(&symbols);
  parity_buf_free(&days);
  parity_buf_free(&amounts);
  return rc;
}

struct wanted_ctx {
  const json_t *symbols;
};

static int wanted(void *arg, const char *symbol)
{
  const struct wanted_ctx *ctx = arg;
  size_t i;
  const json_t *v;
  json_array_foreach(ctx->symbols, i, v)
    if (json_is_string(v) && strcmp(json_string_value(v), symbol) == 0)
      return 1;
  return 0;
}

/* The whole file into memory (new buffer in *out). */
static int read_whole(const char *path, char **out, size_t *len, char *err, size_t err_size)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_size, "%s: cannot open", path);
    return PARITY_EIO;
  }
  char *buf = parity_xmalloc(PARITY_DIVIDEND_FILE_MAX_BYTES + 1);
  size_t n = fread(buf, 1, PARITY_DIVIDEND_FILE_MAX_BYTES + 1, f);
  int rc = ferror(f) ? PARITY_EIO : PARITY_OK;
  fclose(f);
  if (!rc && n > PARITY_DIVIDEND_FILE_MAX_BYTES)
    rc = PARITY_ETOOBIG;
  if (rc) {
    snprintf(err, err_size, "%s: %s", path, rc == PARITY_EIO ? "cannot read" : "file too large");
    free(buf);
    return rc;
  }
  *out = buf;
  *len = n;
  return PARITY_OK;
}

int parity_dividends_load_file(struct parity_db *db, const char *path, const json_t *symbols, const char *source,
                               size_t *rows, long *changed, char *err, size_t err_size)
{
  *rows = 0;
  *changed = 0;
  char *buf = NULL;
  size_t len = 0;
  int rc = read_whole(path, &buf, &len, err, err_size);
  if (rc)
    return rc;
  struct parity_dividend_row *parsed = NULL;
  struct wanted_ctx ctx = { symbols };
  char why[160] = "";
  rc = parity_dividends_csv_parse(buf, len, symbols ? wanted : NULL, &ctx, &parsed, rows, why, sizeof(why));
  free(buf);
  if (rc) {
    snprintf(err, err_size, "%s: %s", path, why);
    return rc;
  }
  rc = parity_dividends_load_rows(db, parsed, *rows, source, changed);
  free(parsed);
  return rc;
}
