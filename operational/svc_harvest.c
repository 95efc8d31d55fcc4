/* The daily tax-loss harvest, set-based over every investor with harvesting on (svc_harvest.h). */
#include "operational/svc_harvest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/batch_prices.h"
#include "operational/batch_rows.h"
#include "operational/harvest_plan.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_jobs.h"

/* The columns of Q_HARVEST_APPLY's arrays, $1..$14 in this order. */
enum harvest_col {
  COL_USER,
  COL_SOLD,
  COL_BOUGHT,
  COL_SOLD_SHARES,
  COL_SOLD_PRICE,
  COL_PROCEEDS,
  COL_SOLD_LEFT,
  COL_SOLD_COST,
  COL_BOUGHT_SHARES,
  COL_BOUGHT_PRICE,
  COL_COST,
  COL_BOUGHT_HELD,
  COL_BOUGHT_COST,
  COL_LOSS,
  COL_COUNT
};

/* Where a leg's realized gains start in the book, to name its sell trade once it is written. */
struct leg_ref {
  int64_t user_id;
  char symbol[PARITY_TAX_SYMBOL_MAX];
  size_t first_gain;
};

/* What one batch writes. */
struct batch_out {
  struct parity_buf col[COL_COUNT];
  struct parity_tax_book book;
  struct leg_ref *refs;
  size_t nrefs, caprefs;
};

/* What a run did, over its batches (the job's counters). */
struct run_totals {
  long batches, investors, harvested, harvests;
  int64_t pending; /* investors to look at when the run began: the job's progress total */
  int64_t loss_cents;
  struct parity_harvest_tally tally;
};

/* The rows of one slice, read under its portfolios' locks (each in user order). */
struct slice_rows {
  const PGresult *positions, *lots, *losses, *families;
  int pos_row, lot_row, loss_row;
};

static void batch_out_init(struct batch_out *out)
{
  *out = (struct batch_out){ 0 };
  for (int c = 0; c < COL_COUNT; c++)
    parity_buf_init(&out->col[c], PARITY_BUF_UNBOUNDED);
  parity_tax_book_init(&out->book);
}

static void batch_out_free(struct batch_out *out)
{
  for (int c = 0; c < COL_COUNT; c++)
    parity_buf_free(&out->col[c]);
  parity_tax_book_free(&out->book);
  free(out->refs);
}

static void add_leg(struct batch_out *out, int64_t user_id, const struct parity_harvest_holding *h,
                    const struct parity_harvest_leg *leg)
{
  const struct parity_harvest_holding *from = &h[leg->sold], *to = &h[leg->bought];
  const int64_t v[COL_COUNT] = { [COL_USER] = user_id,
                                 [COL_SOLD_SHARES] = leg->sold_shares_micro,
                                 [COL_SOLD_PRICE] = leg->sold_price_micros,
                                 [COL_PROCEEDS] = leg->proceeds_cents,
                                 [COL_SOLD_LEFT] = from->shares_micro,
                                 [COL_SOLD_COST] = from->cost_basis_cents,
                                 [COL_BOUGHT_SHARES] = leg->bought_shares_micro,
                                 [COL_BOUGHT_PRICE] = leg->bought_price_micros,
                                 [COL_COST] = leg->cost_cents,
                                 [COL_BOUGHT_HELD] = to->shares_micro,
                                 [COL_BOUGHT_COST] = to->cost_basis_cents,
                                 [COL_LOSS] = leg->loss_cents };
  for (int c = 0; c < COL_COUNT; c++) {
    if (c == COL_SOLD || c == COL_BOUGHT)
      parity_batch_list_text(&out->col[c], c == COL_SOLD ? from->symbol : to->symbol);
    else
      parity_batch_list_i64(&out->col[c], v[c]);
  }
  if (out->nrefs == out->caprefs) {
    out->caprefs = out->caprefs ? 2 * out->caprefs : 16;
    out->refs = parity_xrealloc(out->refs, out->caprefs * sizeof(*out->refs));
  }
  struct leg_ref *r = &out->refs[out->nrefs++];
  r->user_id = user_id;
  snprintf(r->symbol, sizeof(r->symbol), "%s", from->symbol);
  r->first_gain = leg->first_gain;
}

/* One investor: every family member as it holds it, planned, its legs appended to *out. */
static int plan_investor(struct slice_rows *s, const struct parity_batch_prices *prices,
                         const struct parity_harvest_rule *rule, int64_t user_id, int32_t day, struct batch_out *out,
                         struct run_totals *t)
{
  int pf, pe, lf, le, sf, se;
  parity_batch_user_rows(s->positions, &s->pos_row, user_id, &pf, &pe);
  parity_batch_user_rows(s->lots, &s->lot_row, user_id, &lf, &le);
  parity_batch_user_rows(s->losses, &s->loss_row, user_id, &sf, &se);
  if (lf == le)
    return PARITY_OK; /* no lots: nothing to harvest */
  enum parity_lot_method method = PARITY_LOT_TAX_MIN;
  (void)parity_lot_method_parse(PQgetvalue(s->lots, lf, 8), &method);
  size_t n = (size_t)PQntuples(s->families);
  struct parity_harvest_holding *h = parity_xcalloc(n + 1, sizeof(*h));
  for (size_t k = 0; k < n; k++) {
    const char *symbol = PQgetvalue(s->families, (int)k, 0);
    h[k].symbol = symbol;
    h[k].family = PQgetvalue(s->families, (int)k, 1);
    h[k].price_micros = parity_price_micros(parity_batch_prices_get(prices, symbol));
    int a, b;
    parity_tax_symbol_rows(s->positions, pf, pe, 1, symbol, &a, &b);
    if (a < b) {
      h[k].shares_micro = strtoll(PQgetvalue(s->positions, a, 2), NULL, 10);
      h[k].cost_basis_cents = strtoll(PQgetvalue(s->positions, a, 3), NULL, 10);
    }
    parity_lot_list_init(&h[k].lots);
    parity_tax_symbol_rows(s->lots, lf, le, 1, symbol, &a, &b);
    parity_tax_lots_read(s->lots, a, b, 2, &h[k].lots);
    parity_tax_symbol_rows(s->losses, sf, se, 1, symbol, &a, &b);
    h[k].losses = parity_xcalloc((size_t)(b - a) + 1, sizeof(*h[k].losses));
    h[k].nlosses = (size_t)(b - a);
    parity_tax_losses_read(s->losses, a, b, 2, h[k].losses);
  }
  struct parity_harvest_leg *legs = parity_xcalloc(n + 1, sizeof(*legs));
  size_t nlegs = 0;
  long out_of_step = t->tally.out_of_step;
  int rc = parity_harvest_plan(rule, h, n, user_id, day, method, &out->book, legs, &nlegs, &t->tally);
  if (rc || t->tally.out_of_step != out_of_step)
    parity_log(PARITY_LOG_ERROR, "tax_lots_out_of_step", "{s:I, s:s}", "user_id", (json_int_t)user_id, "step",
               "harvest");
  for (size_t i = 0; i < nlegs && !rc; i++) {
    add_leg(out, user_id, h, &legs[i]);
    t->harvests++;
    t->loss_cents += legs[i].loss_cents;
  }
  if (!rc && nlegs)
    t->harvested++;
  for (size_t k = 0; k < n; k++) {
    parity_lot_list_free(&h[k].lots);
    free(h[k].losses);
  }
  free(legs);
  free(h);
  return rc;
}

/* Writes the batch's harvests, then the realized gains that name their sell trades. */
static int write_batch(struct parity_db *db, struct batch_out *out, const char *day, int64_t job_id)
{
  if (out->nrefs == 0)
    return PARITY_OK;
  char *arrays[COL_COUNT];
  for (int c = 0; c < COL_COUNT; c++)
    arrays[c] = parity_batch_array_new(&out->col[c]);
  char job[PARITY_I64_TEXT];
  PGresult *sells = NULL;
  int rc = PARITY_DB_EXEC(db, Q_HARVEST_APPLY, &sells, arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5],
                          arrays[6], arrays[7], arrays[8], arrays[9], arrays[10], arrays[11], arrays[12], arrays[13],
                          day, job_id ? parity_i64(job_id, job) : NULL);
  for (int c = 0; c < COL_COUNT; c++)
    free(arrays[c]);
  if (rc)
    return rc;
  /* The legs in the order they were planned: each names the gains from its first on, the next overwrites. */
  int nsells = PQntuples(sells);
  for (size_t i = 0; i < out->nrefs && !rc; i++) {
    const struct leg_ref *r = &out->refs[i];
    int row = 0;
    while (row < nsells && (strtoll(PQgetvalue(sells, row, 0), NULL, 10) != r->user_id ||
                            strcmp(PQgetvalue(sells, row, 1), r->symbol) != 0))
      row++;
    if (row == nsells)
      rc = PARITY_EINTERNAL; /* never: the statement answers every sell it wrote */
    else
      parity_tax_book_set_trade(&out->book, r->first_gain, strtoll(PQgetvalue(sells, row, 2), NULL, 10));
  }
  PQclear(sells);
  return rc ? rc : parity_tax_book_write(db, &out->book);
}

/* The batch's reads under its locks: positions, lots (with the lot method), losses since day-30, prices. */
static int read_slice(struct parity_db *db, const char *lo, const char *hi, int32_t today, PGresult **positions,
                      PGresult **lots, PGresult **losses)
{
  char since[PARITY_I64_TEXT];
  parity_i64(today - PARITY_WASH_WINDOW_DAYS, since);
  int rc = PARITY_DB_EXEC(db, Q_BATCH_POSITIONS, positions, lo, hi);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_TAX_BATCH_LOTS, lots, lo, hi);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_TAX_BATCH_LOSSES, losses, lo, hi, since);
  return rc;
}

/*
 * One slice of investors after *after, in one transaction. *locked is how many it looked at (0: none left);
 * *after advances to the slice's last investor.
 */
static int run_batch(struct parity_db *db, const struct parity_config *cfg, const PGresult *families,
                     const struct parity_harvest_rule *rule, int32_t today, int64_t job_id, int64_t *after, int *locked,
                     struct run_totals *t)
{
  char day[PARITY_DAY_TEXT], from[PARITY_I64_TEXT], size[PARITY_I64_TEXT];
  parity_day_format(today, day);
  *locked = 0;
  int rc = parity_db_begin(db);
  PGresult *users = NULL, *positions = NULL, *lots = NULL, *losses = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_HARVEST_RUN_LOCK, NULL);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_HARVEST_LOCK_BATCH, &users, parity_i64(*after, from), day,
                        parity_i64(cfg->harvest_batch_size, size));
  int n = rc ? 0 : PQntuples(users);
  if (rc || n == 0) {
    PQclear(users);
    return parity_db_rollback(db, rc);
  }
  char lo[PARITY_I64_TEXT], hi[PARITY_I64_TEXT];
  snprintf(lo, sizeof(lo), "%s", PQgetvalue(users, 0, 0));
  snprintf(hi, sizeof(hi), "%s", PQgetvalue(users, n - 1, 0));
  rc = read_slice(db, lo, hi, today, &positions, &lots, &losses);
  struct parity_batch_prices *prices = parity_xcalloc(1, sizeof(*prices));
  for (int k = 0; k < PQntuples(families); k++)
    parity_batch_prices_want(prices, PQgetvalue(families, k, 0));
  if (!rc)
    rc = parity_batch_prices_load(db, prices);
  struct batch_out out;
  batch_out_init(&out);
  struct run_totals before = *t;
  struct slice_rows s = { positions, lots, losses, families, 0, 0, 0 };
  for (int i = 0; i < n && !rc; i++)
    rc = plan_investor(&s, prices, rule, strtoll(PQgetvalue(users, i, 0), NULL, 10), today, &out, t);
  if (!rc)
    rc = write_batch(db, &out, day, job_id);
  t->batches++;
  t->investors += n;
  if (!rc)
    rc = parity_jobs_progress(db, job_id, t->investors, t->pending);
  *after = strtoll(hi, NULL, 10);
  *locked = n;
  batch_out_free(&out);
  free(prices);
  PQclear(users);
  PQclear(positions);
  PQclear(lots);
  PQclear(losses);
  if (rc) {
    *t = before; /* nothing of the batch stays */
    return parity_db_rollback(db, rc);
  }
  return parity_db_commit(db);
}

static json_t *totals_json(const struct run_totals *t, const char *day)
{
  return json_pack("{s:s, s:i, s:i, s:i, s:i, s:I, s:i, s:i}", "day", day, "batches", (int)t->batches, "investors",
                   (int)t->investors, "harvested_investors", (int)t->harvested, "harvests", (int)t->harvests,
                   "loss_cents", (json_int_t)t->loss_cents, "wash_blocked", (int)t->tally.wash_blocked, "no_alternate",
                   (int)t->tally.no_alternate);
}

int parity_svc_harvest_run(struct parity_db *db, const struct parity_config *cfg, const char *trigger,
                           struct parity_app_metrics *metrics, json_t **out)
{
  int32_t today = parity_tax_today();
  char day[PARITY_DAY_TEXT];
  parity_day_format(today, day);
  struct parity_harvest_rule rule = { cfg->tax_harvest_min_loss_cents, cfg->tax_harvest_min_loss_bps };
  int64_t job_id = 0;
  json_t *params = json_pack("{s:s, s:I, s:I}", "day", day, "min_loss_cents", (json_int_t)rule.min_loss_cents,
                             "min_loss_bps", (json_int_t)rule.min_loss_bps);
  int rc = parity_jobs_create(db, PARITY_JOB_TAX_HARVEST, trigger, params, "running", &job_id);
  json_decref(params);
  PGresult *families = NULL, *pending = NULL;
  struct run_totals t = { 0 };
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_HARVEST_PENDING, &pending, day);
  if (!rc) {
    t.pending = strtoll(PQgetvalue(pending, 0, 0), NULL, 10);
    rc = parity_jobs_progress(db, job_id, 0, t.pending);
  }
  PQclear(pending);
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_TAX_FAMILIES, &families);
  int64_t after = 0;
  int locked = 1;
  while (!rc && locked > 0) {
    struct run_totals before = t;
    rc = run_batch(db, cfg, families, &rule, today, job_id, &after, &locked, &t);
    if (!rc && metrics && t.harvests > before.harvests) {
      parity_metric_add(metrics->tax_harvested_cents, (double)(t.loss_cents - before.loss_cents));
      parity_metric_add(metrics->tax_harvests, (double)(t.harvests - before.harvests));
    }
  }
  PQclear(families);
  parity_log(rc ? PARITY_LOG_WARN : PARITY_LOG_INFO, "tax_harvest_run", "{s:s, s:I, s:i, s:i, s:i, s:I, s:s}", "day",
             day, "job_id", (json_int_t)job_id, "investors", (int)t.investors, "harvested_investors", (int)t.harvested,
             "harvests", (int)t.harvests, "loss_cents", (json_int_t)t.loss_cents, "result",
             rc ? parity_err_str(rc) : "ok");
  json_t *counters = totals_json(&t, day);
  if (job_id) {
    int frc = parity_jobs_finish(db, job_id, rc ? "failed" : "succeeded", rc ? parity_err_str(rc) : NULL, counters);
    rc = rc ? rc : frc;
  }
  if (!rc && out) {
    json_object_set_new(counters, "job_id", json_integer((json_int_t)job_id));
    *out = json_incref(counters);
  }
  json_decref(counters);
  return rc;
}
