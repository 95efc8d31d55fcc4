/* The quality report of the market data, and the application of splits to the investors' positions. */
#include "operational/svc_market_quality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/ids.h"
#include "common/log.h"
#include "operational/queries.h"

int parity_svc_market_quality(struct parity_db *db, const char *symbol, const char *severity, const char *limit,
                              json_t **out, struct parity_svc_error *err)
{
  if (symbol && !parity_symbol_valid(symbol))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "symbol: not a ticker symbol");
  if (severity && strcmp(severity, "blocking") != 0 && strcmp(severity, "warning") != 0)
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "severity: blocking or warning");
  long n = PARITY_QUALITY_LIST_DEFAULT;
  if (limit) {
    char *end = NULL;
    n = strtol(limit, &end, 10);
    if (!*limit || *end || n < 1 || n > PARITY_QUALITY_LIST_MAX)
      return parity_svc_fail(err, PARITY_EINVAL, NULL, "limit: an integer from 1 to %d", PARITY_QUALITY_LIST_MAX);
  }
  char take[24];
  snprintf(take, sizeof(take), "%ld", n + 1); /* one more tells whether the list was cut */
  PGresult *rows = NULL, *sums = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MARKET_QUALITY, &rows, symbol, severity, take);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_MARKET_QUALITY_SUMMARY, &sums, symbol, severity);
  if (rc) {
    PQclear(rows);
    return rc;
  }
  json_t *summary = json_object(), *findings = json_array();
  json_int_t totals[2] = { 0, 0 };
  for (int i = 0; i < PQntuples(sums); i++) {
    const char *check = PQgetvalue(sums, i, 0), *sev = PQgetvalue(sums, i, 1);
    json_int_t count = atoll(PQgetvalue(sums, i, 2));
    json_t *entry = json_object_get(summary, check);
    if (!entry) {
      entry = json_pack("{s:I, s:I}", "blocking", (json_int_t)0, "warning", (json_int_t)0);
      json_object_set_new(summary, check, entry);
    }
    json_object_set_new(entry, sev, json_integer(count));
    totals[strcmp(sev, "blocking") == 0 ? 0 : 1] += count;
  }
  int shown = PQntuples(rows) > n ? (int)n : PQntuples(rows);
  for (int i = 0; i < shown; i++) {
    json_t *detail = json_loads(PQgetvalue(rows, i, 4), 0, NULL);
    json_array_append_new(findings,
                          json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "symbol", PQgetvalue(rows, i, 0), "day",
                                    PQgetvalue(rows, i, 1), "check", PQgetvalue(rows, i, 2), "severity",
                                    PQgetvalue(rows, i, 3), "detail", detail ? detail : json_object(), "source",
                                    PQgetvalue(rows, i, 5), "found_at", PQgetvalue(rows, i, 6)));
  }
  *out = json_pack("{s:o, s:I, s:I, s:o, s:b}", "summary", summary, "blocking", totals[0], "warning", totals[1],
                   "findings", findings, "truncated", PQntuples(rows) > n);
  PQclear(rows);
  PQclear(sums);
  return PARITY_OK;
}

int parity_svc_splits_apply(struct parity_db *db, json_t **out)
{
  PGresult *due = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_SPLIT_DUE, &due);
  if (rc)
    return rc;
  json_t *applied = json_array();
  for (int i = 0; i < PQntuples(due) && !rc; i++) {
    const char *symbol = PQgetvalue(due, i, 0), *day = PQgetvalue(due, i, 1);
    PGresult *claim = NULL, *moved = NULL;
    rc = PARITY_DB_EXEC(db, Q_SPLIT_CLAIM, &claim, symbol, day);
    if (rc || PQntuples(claim) != 1) {
      PQclear(claim);
      continue;
    }
    char num[32], den[32];
    snprintf(num, sizeof(num), "%s", PQgetvalue(claim, 0, 0));
    snprintf(den, sizeof(den), "%s", PQgetvalue(claim, 0, 1));
    PQclear(claim);
    rc = PARITY_DB_EXEC(db, Q_SPLIT_POSITIONS, &moved, symbol, day, num, den);
    if (rc)
      break;
    long positions = parity_db_affected(moved);
    PQclear(moved);
    char ratio[72];
    snprintf(ratio, sizeof(ratio), "%s:%s", num, den);
    json_array_append_new(applied, json_pack("{s:s, s:s, s:s, s:I}", "symbol", symbol, "day", day, "ratio", ratio,
                                             "positions", (json_int_t)positions));
    parity_log(PARITY_LOG_INFO, "split_applied", "{s:s, s:s, s:s, s:I}", "symbol", symbol, "day", day, "ratio", ratio,
               "positions", (json_int_t)positions);
  }
  PQclear(due);
  if (rc) {
    json_decref(applied);
    return rc;
  }
  *out = json_pack("{s:o}", "applied", applied);
  return PARITY_OK;
}
