/* `parity audit`: checks the ledger invariant of SPEC §5 for every user; non-zero exit and a report when broken. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/commands.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"
#include "operational/queries.h"

int parity_cli_audit(int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity audit\nChecks, for every user, that deposits - withdrawals + dividends = wallet cash +\n"
            "portfolio cash + buys - sells (to the cent), that shares held = bought - sold (+ splits) per symbol,\n"
            "and that every position's tax lots add up to it (shares and cost basis). Exit 1 when not.\n"
            "(net_deposits_cents in the report counts the dividends credited.)\n"
            "Which database: see parity --help.\n");
    return c == 'h' ? 0 : 2;
  }
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "audit"))
    return 1;
  struct parity_db db;
  int open_rc = parity_db_open(&db, target.url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (open_rc)
    fprintf(stderr, "parity audit: cannot connect to the database (from %s)\n", target.from);
  parity_cli_database_free(&target);
  if (open_rc)
    return 1;
  PGresult *cash = NULL, *shares = NULL, *lots = NULL;
  int rc = PARITY_DB_EXEC0(&db, Q_AUDIT_CASH, &cash);
  if (!rc)
    rc = PARITY_DB_EXEC0(&db, Q_AUDIT_SHARES, &shares);
  if (!rc)
    rc = PARITY_DB_EXEC0(&db, Q_AUDIT_LOTS, &lots);
  if (rc) {
    fprintf(stderr, "parity audit: %s\n", parity_err_str(rc));
    PQclear(cash);
    PQclear(shares);
    parity_db_close(&db);
    return 1;
  }
  json_t *cash_bad = json_array(), *share_bad = json_array();
  for (int i = 0; i < PQntuples(cash); i++)
    json_array_append_new(cash_bad,
                          json_pack("{s:I, s:I, s:I, s:I, s:I}", "user_id", (json_int_t)atoll(PQgetvalue(cash, i, 0)),
                                    "net_deposits_cents", (json_int_t)atoll(PQgetvalue(cash, i, 1)), "wallet_cents",
                                    (json_int_t)atoll(PQgetvalue(cash, i, 2)), "portfolio_cash_cents",
                                    (json_int_t)atoll(PQgetvalue(cash, i, 3)), "net_buys_cents",
                                    (json_int_t)atoll(PQgetvalue(cash, i, 4))));
  for (int i = 0; i < PQntuples(shares); i++)
    json_array_append_new(
        share_bad, json_pack("{s:I, s:s, s:I, s:I}", "user_id", (json_int_t)atoll(PQgetvalue(shares, i, 0)), "symbol",
                             PQgetvalue(shares, i, 1), "shares_micro", (json_int_t)atoll(PQgetvalue(shares, i, 2)),
                             "traded_shares_micro", (json_int_t)atoll(PQgetvalue(shares, i, 3))));
  json_t *lot_bad = json_array();
  for (int i = 0; i < PQntuples(lots); i++)
    json_array_append_new(
        lot_bad, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "user_id", (json_int_t)atoll(PQgetvalue(lots, i, 0)),
                           "symbol", PQgetvalue(lots, i, 1), "shares_micro", (json_int_t)atoll(PQgetvalue(lots, i, 2)),
                           "lot_shares_micro", (json_int_t)atoll(PQgetvalue(lots, i, 3)), "cost_basis_cents",
                           (json_int_t)atoll(PQgetvalue(lots, i, 4)), "lot_basis_cents",
                           (json_int_t)atoll(PQgetvalue(lots, i, 5))));
  bool ok = json_array_size(cash_bad) == 0 && json_array_size(share_bad) == 0 && json_array_size(lot_bad) == 0;
  json_t *report = json_pack("{s:b, s:o, s:o, s:o}", "ok", ok, "cash_violations", cash_bad, "share_violations",
                             share_bad, "lot_violations", lot_bad);
  char *text = json_dumps(report, JSON_COMPACT);
  printf("%s\n", text);
  free(text);
  json_decref(report);
  PQclear(cash);
  PQclear(shares);
  PQclear(lots);
  parity_db_close(&db);
  return ok ? 0 : 1;
}
