/*
 * Applying a computed rebalance batch (rebalance_apply.h). The statements per batch are a fixed handful,
 * whatever the number of its investors; the trade rule itself runs in memory (trade_plan.c).
 */
#include "operational/rebalance_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/money.h"
#include "operational/batch_prices.h"
#include "operational/batch_rows.h"
#include "operational/queries.h"
#include "operational/svc_rebalance.h"
#include "operational/tax_book.h"
#include "operational/tax_families.h"
#include "operational/trade_plan.h"

/* A locked portfolio of the batch (Q_BATCH_PORTFOLIOS_LOCK, in user order). */
struct locked {
  int64_t user_id, cash_cents, pending_cents;
  bool harvesting; /* planned per family of funds (tax_families.h) */
};

/* One investor's slice of the Q_BATCH_TARGETS rows. */
struct investor {
  int64_t user_id;
  int first, end; /* rows [first, end) */
  json_t *targets;
};

/* What the batch writes: the trades as COPY text, the changed portfolios' cash as bigint[] literals, the
 * lots and realized gains of its trades. */
struct batch_out {
  struct parity_buf copy, users, cash, pending;
  int trades, changed, portfolios;
  struct parity_tax_book book;
};

static void add_cash(struct batch_out *out, int64_t user_id, int64_t cash, int64_t pending)
{
  parity_batch_list_i64(&out->users, user_id);
  parity_batch_list_i64(&out->cash, cash);
  parity_batch_list_i64(&out->pending, pending < cash ? pending : cash);
  out->changed++;
}

/*
 * A harvesting investor's targets per family (tax_families.h), so that a harvested alternate is kept and a
 * buy avoids the fund of a recent loss: each member's price and whether the investor sold it at a loss in
 * the last 30 days (a loss the buy would partly disallow).
 */
static size_t family_targets(const struct parity_tax_rows *tax, const struct parity_tax_investor *it,
                             const struct parity_batch_prices *prices, const struct parity_plan_target *targets,
                             size_t ntargets, struct parity_plan_holding *held, size_t nheld,
                             struct parity_plan_target *out)
{
  struct parity_family_member members[PARITY_TRADE_PLAN_MAX];
  size_t n = 0;
  for (int r = 0; r < PQntuples(tax->families) && n < PARITY_TRADE_PLAN_MAX; r++) {
    const char *symbol = PQgetvalue(tax->families, r, 0);
    int first, end;
    parity_tax_symbol_rows(tax->losses, it->loss_first, it->loss_end, 1, symbol, &first, &end);
    members[n++] =
        (struct parity_family_member){ symbol, PQgetvalue(tax->families, r, 1),
                                       parity_price_micros(parity_batch_prices_get(prices, symbol)), end > first };
  }
  return parity_family_targets(targets, ntargets, members, n, held, nheld, out);
}

/* Plans one investor's trades and appends them (and its cash) to out. */
static int plan_investor(const PGresult *res, const struct investor *inv, const struct locked *p,
                         const struct parity_batch_prices *prices, struct parity_tax_rows *tax, bool deploy,
                         const char *reason, const char *run_text, int64_t batch_id, struct batch_out *out)
{
  struct parity_plan_holding held[PARITY_TRADE_PLAN_MAX];
  struct parity_plan_target targets[PARITY_TRADE_PLAN_MAX];
  struct parity_plan_input in = { p->cash_cents, held, 0, targets, 0, !deploy };
  for (int r = inv->first; r < inv->end && in.nheld < PARITY_TRADE_PLAN_MAX; r++) {
    const char *symbol = PQgetvalue(res, r, 1);
    held[in.nheld++] =
        (struct parity_plan_holding){ symbol, strtoll(PQgetvalue(res, r, 2), NULL, 10),
                                      strtoll(PQgetvalue(res, r, 3), NULL, 10),
                                      parity_price_micros(parity_batch_prices_get(prices, symbol)), NULL };
  }
  const char *symbol;
  json_t *w;
  json_object_foreach(inv->targets, symbol, w) {
    if (strcmp(symbol, "CASH") == 0 || in.ntargets == PARITY_TRADE_PLAN_MAX || !json_is_number(w))
      continue;
    targets[in.ntargets++] =
        (struct parity_plan_target){ symbol, json_number_value(w),
                                     parity_price_micros(parity_batch_prices_get(prices, symbol)) };
  }
  struct parity_tax_investor it;
  parity_tax_investor_of(tax, p->user_id, &it);
  struct parity_plan_target by_family[PARITY_TRADE_PLAN_MAX];
  if (p->harvesting) {
    in.ntargets = family_targets(tax, &it, prices, targets, in.ntargets, held, in.nheld, by_family);
    in.targets = by_family;
  }
  struct parity_plan_trade trades[PARITY_TRADE_PLAN_MAX];
  size_t n = 0;
  int64_t delta = 0;
  int rc = parity_trade_plan(&in, trades, &n, &delta);
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "rebalance_plan_failed", "{s:I, s:s}", "user_id", (json_int_t)p->user_id, "error",
               parity_err_str(rc));
    return rc;
  }
  for (size_t i = 0; i < n; i++) {
    int64_t cost = 0, new_cost = 0;
    for (size_t h = 0; h < in.nheld; h++) {
      if (strcmp(held[h].symbol, trades[i].symbol) == 0)
        cost = held[h].cost_basis_cents;
    }
    rc = parity_tax_trade_lots(tax, &it, p->user_id, batch_id, trades[i].symbol, trades[i].buy, trades[i].shares_micro,
                               trades[i].cents, cost, &out->book, &new_cost);
    if (rc)
      return rc;
    char line[320];
    int len = snprintf(line, sizeof(line), "%lld\t%s\t%s\t%lld\t%lld\t%lld\t%s\t%s\t%lld\t%lld\t%lld\n",
                       (long long)p->user_id, trades[i].symbol, trades[i].buy ? "buy" : "sell",
                       (long long)trades[i].shares_micro, (long long)trades[i].price_micros, (long long)trades[i].cents,
                       reason, run_text, (long long)batch_id, (long long)trades[i].new_shares, (long long)new_cost);
    parity_buf_add(&out->copy, line, (size_t)len);
  }
  out->trades += (int)n;
  out->portfolios++;
  /* A deploy's pending cash is deployed now (what is under $1 a trade stays as plain portfolio cash). */
  if (deploy)
    add_cash(out, p->user_id, p->cash_cents + delta, 0);
  else if (n > 0)
    add_cash(out, p->user_id, p->cash_cents + delta, p->pending_cents);
  return PARITY_OK;
}

/*
 * One investor per target row, its targets parsed once and its rows of `positions` (both results in user
 * order; positions may hold users of the slice that have no target row, who are passed over).
 */
static struct investor *group_rows(const PGresult *targets, const PGresult *positions,
                                   struct parity_batch_prices *prices, size_t *count)
{
  int n = PQntuples(targets), npos = PQntuples(positions), r = 0;
  struct investor *inv = parity_xcalloc((size_t)n + 1, sizeof(*inv));
  for (int k = 0; k < n; k++) {
    int64_t user_id = strtoll(PQgetvalue(targets, k, 0), NULL, 10);
    inv[k] = (struct investor){ user_id, 0, 0, json_loads(PQgetvalue(targets, k, 1), 0, NULL) };
    const char *symbol;
    json_t *w;
    if (!json_is_object(inv[k].targets))
      parity_log(PARITY_LOG_WARN, "rebalance_targets_unusable", "{s:I}", "user_id", (json_int_t)user_id);
    json_object_foreach(inv[k].targets, symbol, w) {
      parity_batch_prices_want(prices, symbol);
    }
    while (r < npos && strtoll(PQgetvalue(positions, r, 0), NULL, 10) < user_id)
      r++;
    inv[k].first = r;
    while (r < npos && strtoll(PQgetvalue(positions, r, 0), NULL, 10) == user_id)
      parity_batch_prices_want(prices, PQgetvalue(positions, r++, 1));
    inv[k].end = r;
  }
  *count = (size_t)n;
  return inv;
}

/* Plans every locked investor of the batch (all three lists are in user order). */
static int plan_batch(struct parity_db *db, const PGresult *locked_res, const PGresult *targets,
                      const PGresult *positions, struct parity_tax_rows *tax, bool deploy, const char *reason,
                      const char *run_text, int64_t batch_id, struct batch_out *out)
{
  struct parity_batch_prices *prices = parity_xcalloc(1, sizeof(*prices));
  size_t n = 0;
  struct investor *inv = group_rows(targets, positions, prices, &n);
  for (int r = 0; r < PQntuples(tax->families); r++)
    parity_batch_prices_want(prices, PQgetvalue(tax->families, r, 0));
  int rc = parity_batch_prices_load(db, prices);
  int nlocked = PQntuples(locked_res), l = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    while (l < nlocked && strtoll(PQgetvalue(locked_res, l, 0), NULL, 10) < inv[i].user_id)
      l++;
    if (l == nlocked || strtoll(PQgetvalue(locked_res, l, 0), NULL, 10) != inv[i].user_id ||
        !json_is_object(inv[i].targets))
      continue; /* the portfolio went away, or its row is unusable: nothing to trade */
    struct locked p = { inv[i].user_id, strtoll(PQgetvalue(locked_res, l, 1), NULL, 10),
                        strtoll(PQgetvalue(locked_res, l, 2), NULL, 10),
                        strcmp(PQgetvalue(locked_res, l, 3), "t") == 0 };
    rc = plan_investor(positions, &inv[i], &p, prices, tax, deploy, reason, run_text, batch_id, out);
  }
  for (size_t i = 0; i < n; i++)
    json_decref(inv[i].targets);
  free(inv);
  free(prices);
  return rc;
}

/* The batch's users as a bigint[] literal, and the first and last of them. */
static char *users_of(const PGresult *targets, char lo[PARITY_I64_TEXT], char hi[PARITY_I64_TEXT])
{
  struct parity_buf list;
  parity_buf_init(&list, PARITY_BUF_UNBOUNDED);
  int n = PQntuples(targets);
  for (int r = 0; r < n; r++)
    parity_batch_list_i64(&list, strtoll(PQgetvalue(targets, r, 0), NULL, 10));
  snprintf(lo, PARITY_I64_TEXT, "%s", n ? PQgetvalue(targets, 0, 0) : "0");
  snprintf(hi, PARITY_I64_TEXT, "%s", n ? PQgetvalue(targets, n - 1, 0) : "-1");
  char *text = parity_batch_array_new(&list);
  parity_buf_free(&list);
  return text;
}

/* The writes: trades and positions from the staging COPY, then the cash. */
static int write_batch(struct parity_db *db, struct batch_out *out)
{
  int rc = PARITY_OK;
  if (out->trades > 0) {
    rc = parity_db_copy_begin(db, parity_op_sql[SQL_OP_APPLY_COPY_TRADES]);
    if (!rc) {
      int put = parity_db_copy_put(db, out->copy.data, out->copy.len);
      rc = parity_db_copy_end(db, put ? "rebalance apply failed" : NULL);
    }
    if (!rc)
      rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_APPLY_INSERT_TRADES]);
    if (!rc)
      rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_APPLY_POSITIONS]);
    if (!rc)
      rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_APPLY_NOTIFY]);
  }
  if (!rc)
    rc = parity_tax_book_write(db, &out->book);
  if (!rc && out->changed > 0) {
    char *users = parity_batch_array_new(&out->users), *cash = parity_batch_array_new(&out->cash),
         *pending = parity_batch_array_new(&out->pending);
    rc = PARITY_DB_EXEC(db, Q_BATCH_CASH_SET, NULL, users, cash, pending);
    free(users);
    free(cash);
    free(pending);
  }
  return rc;
}

int parity_svc_apply_batch(struct parity_db *db, int64_t batch_id, struct parity_app_metrics *metrics, int *trades,
                           bool *run_complete)
{
  *trades = -1;
  *run_complete = false;
  char id[PARITY_I64_TEXT];
  parity_i64(batch_id, id);
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_LOCK, &res, id);
  if (rc)
    return parity_db_rollback(db, rc);
  bool ready = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "computed") == 0;
  bool deploy = ready && strcmp(PQgetvalue(res, 0, 1), "deploy") == 0;
  int64_t run_id = ready && !PQgetisnull(res, 0, 3) ? strtoll(PQgetvalue(res, 0, 3), NULL, 10) : 0;
  char planned[PARITY_I64_TEXT]; /* the batch's portfolios, rejected ones included: the run's done count */
  snprintf(planned, sizeof(planned), "%s", ready ? PQgetvalue(res, 0, 4) : "0");
  PQclear(res);
  if (!ready)
    return parity_db_rollback(db, PARITY_OK); /* not computed yet, applied already, or being applied */

  char run_text[PARITY_I64_TEXT] = "\\N";
  if (run_id)
    parity_i64(run_id, run_text);
  struct batch_out out = { 0 };
  parity_buf_init(&out.copy, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&out.users, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&out.cash, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&out.pending, PARITY_BUF_UNBOUNDED);
  parity_tax_book_init(&out.book);
  PGresult *targets = NULL, *locked = NULL, *positions = NULL, *lots = NULL, *losses = NULL, *families = NULL;
  struct parity_tax_rows tax = { .today = parity_tax_today() };
  char lo[PARITY_I64_TEXT], hi[PARITY_I64_TEXT];
  rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_APPLY_STAGE_CREATE]);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_TARGETS, &targets, id);
  if (!rc) {
    /* Locked before their positions are read: what is read is what the trades change. */
    char *users = users_of(targets, lo, hi);
    rc = PARITY_DB_EXEC(db, Q_BATCH_PORTFOLIOS_LOCK, &locked, users);
    free(users);
  }
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_POSITIONS, &positions, lo, hi);
  /* The lots of the same users, and their losses a buy today could replace (sold in the last 30 days). */
  char since[PARITY_I64_TEXT];
  parity_i64(tax.today - PARITY_WASH_WINDOW_DAYS, since);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_TAX_BATCH_LOTS, &lots, lo, hi);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_TAX_BATCH_LOSSES, &losses, lo, hi, since);
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_TAX_FAMILIES, &families);
  tax.lots = lots;
  tax.losses = losses;
  tax.families = families;
  if (!rc)
    rc = plan_batch(db, locked, targets, positions, &tax, deploy, deploy ? "invest" : "rebalance", run_text, batch_id,
                    &out);
  PQclear(targets);
  PQclear(locked);
  PQclear(positions);
  PQclear(lots);
  PQclear(losses);
  PQclear(families);
  if (!rc)
    rc = write_batch(db, &out);
  char count[PARITY_I64_TEXT];
  parity_i64(out.trades, count);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_APPLIED, NULL, id, count);
  if (!rc && run_id) {
    char run[PARITY_I64_TEXT];
    PGresult *status = NULL;
    rc = PARITY_DB_EXEC(db, Q_RUN_BATCH_DONE, &status, parity_i64(run_id, run), count, planned);
    *run_complete = !rc && PQntuples(status) == 1 && strcmp(PQgetvalue(status, 0, 0), "complete") == 0;
    PQclear(status);
  }
  parity_buf_free(&out.copy);
  parity_buf_free(&out.users);
  parity_buf_free(&out.cash);
  parity_buf_free(&out.pending);
  int64_t wash_cents = out.book.wash_cents;
  parity_tax_book_free(&out.book);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc) {
    *run_complete = false;
    return rc;
  }
  *trades = out.trades;
  if (*run_complete) {
    parity_metric_add(metrics->rebalance_runs, 1, "complete");
    parity_metric_set(metrics->rebalance_last_success, (double)time(NULL));
  }
  parity_log(PARITY_LOG_INFO, "rebalance_batch_applied", "{s:I, s:s, s:I, s:i, s:i, s:b, s:I}", "batch_id",
             (json_int_t)batch_id, "kind", deploy ? "deploy" : "monthly", "run_id", (json_int_t)run_id, "portfolios",
             out.portfolios, "trades", out.trades, "run_complete", *run_complete, "wash_sale_disallowed_cents",
             (json_int_t)wash_cents);
  return PARITY_OK;
}

int parity_svc_rebalance_sweep(struct parity_db *db, const struct parity_config *cfg,
                               struct parity_app_metrics *metrics, bool *kicked)
{
  *kicked = false;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_BATCHES_COMPUTED_STALE, &res);
  if (rc)
    return rc;
  for (int i = 0; i < PQntuples(res) && !rc; i++) {
    int trades;
    bool complete;
    rc = parity_svc_apply_batch(db, strtoll(PQgetvalue(res, i, 0), NULL, 10), metrics, &trades, &complete);
  }
  PQclear(res);
  if (rc)
    return rc;
  rc = PARITY_DB_EXEC0(db, Q_PORTFOLIOS_WAITING, &res);
  if (rc)
    return rc;
  for (int i = 0; i < PQntuples(res) && !rc; i++) {
    const char *uid = PQgetvalue(res, i, 0), *status = NULL;
    rc = parity_db_begin(db);
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_LOCK, NULL, uid);
    if (!rc)
      rc = parity_rebalance_open_deploy(db, cfg, strtoll(uid, NULL, 10), &status);
    rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
    if (!rc && status && strcmp(status, "deploying") == 0)
      *kicked = true;
  }
  PQclear(res);
  return rc;
}
