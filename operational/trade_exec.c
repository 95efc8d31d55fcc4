/* One trade and its position change, as a sell records it (rebalance batches write theirs set-based). */
#include "operational/trade_exec.h"

#include <stdlib.h>

#include "operational/queries.h"

int parity_trade_record(struct parity_db *db, int64_t user_id, const char *symbol, bool buy, int64_t shares,
                        int64_t price_micros, int64_t cents, const struct parity_trade_origin *origin,
                        int64_t new_shares, int64_t new_cost, int64_t *trade_id)
{
  char uid[PARITY_I64_TEXT], s[PARITY_I64_TEXT], p[PARITY_I64_TEXT], c[PARITY_I64_TEXT], ns[PARITY_I64_TEXT],
      nc[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TRADE_INSERT, &res, uid, symbol, buy ? "buy" : "sell", parity_i64(shares, s),
                          parity_i64(price_micros, p), parity_i64(cents, c), origin->reason, origin->request_id,
                          origin->run_id);
  if (rc)
    return rc;
  if (trade_id)
    *trade_id = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  if (buy)
    return PARITY_DB_EXEC(db, Q_POSITION_BUY, NULL, uid, symbol, s, c);
  return PARITY_DB_EXEC(db, Q_POSITION_SET, NULL, uid, symbol, parity_i64(new_shares, ns), parity_i64(new_cost, nc));
}
