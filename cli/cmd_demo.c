/*
 * `parity demo-history --email E [--years N]`: the demo investor's past, lived through the bundled prices by
 * the product's own code, so that a fresh `make run` shows real history, P&L and risk.
 *
 * What it writes (decided here; tests/integration/test_demo_history.py holds it to this): the investor joined
 * on the first trading day on or after the data's last day moved back N years; that day $50,000 arrive in the
 * wallet, are invested and deployed (no sells); on every month end after it (the walk-forward backtest's
 * decision days) $1,000 arrive, are invested, and the portfolio takes the product's monthly rebalance (cash
 * first, the threshold band, sells allowed). Each step trades at the day's closes against the models
 * generated exactly as CMD_GENERATE would have as of that day (parity_models_generate on the rows up to it),
 * planned by parity_rebalance_compute and parity_trade_plan (operational/demo_plan.c), and is one
 * transaction, every row dated that day after the close (New York time). A step is recognised by its
 * deposit's idempotency key, so a second run writes nothing and an interrupted one resumes. An account
 * with money activity of its own is refused: a past cannot be put under a present it did not lead to.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "common/alloc.h"
#include "common/calendar.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"
#include "decisional/models.h"
#include "operational/demo_plan.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/tax_book.h"

#define DEMO_KEY_PREFIX "demo-history:" /* idempotency keys of the simulated past: "<prefix><day>:<kind>" */
#define DEMO_DEFAULT_YEARS 5
#define DEMO_FIRST_DEPOSIT_CENTS 5000000LL /* $50,000 on the join day */
#define DEMO_MONTHLY_CENTS 100000LL        /* $1,000 at every month end */
/* New York wall-clock times of a step's rows: after the 16:00 close whose prices they trade at. */
#define DEMO_JOINED_AT "15:00:00"
#define DEMO_DEPOSIT_AT "16:01:00"
#define DEMO_INVEST_AT "16:02:00"
#define DEMO_TRADES_AT "16:03:00"

static const char usage_text[] =
    "usage: parity demo-history --email EMAIL [--years N]\n"
    "Writes the past of an onboarded investor with no money activity of its own (the demo investor of\n"
    "`make run`): joined N years (default 5, at most 20) before the last day of daily_prices, $50,000 deposited,\n"
    "invested and deployed that day, then $1,000 deposited and invested at every month end and the portfolio\n"
    "rebalanced by the product's monthly rule, at that day's closes, against the models generated as of that\n"
    "day (the universe and model parameters come from the environment, as for the daemons). One transaction\n"
    "per step, every row dated in the past; running it again writes nothing (an interrupted run resumes).\n"
    "Prints a JSON summary. Which database: see parity --help.\n";

/* One symbol's closes (trading) in day order. */
struct closes {
  char symbol[PARITY_SYMBOL_MAX];
  int32_t *days;
  int64_t *micros;
  size_t n;
};

struct demo_run {
  struct parity_db *db;
  struct parity_config cfg;
  char uid[PARITY_I64_TEXT];
  int64_t user_id;
  char bucket[64];
  /* prices: adjusted closes for the models (series) and closes for the trades, per universe symbol */
  struct parity_bar_series *series;
  struct closes *closes;
  size_t nsymbols;
  int32_t *days; /* every trading day of the universe, increasing */
  size_t ndays;
  struct parity_models_universe universe;
  char eq[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX], bd[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX];
  const char *eqp[PARITY_MODELS_MAX_SYMBOLS], *bdp[PARITY_MODELS_MAX_SYMBOLS];
  struct parity_models_params params;
  struct parity_demo_step_plan *plan;
  long written, already, trades, dividends;
  int64_t dividend_cents;
  double models_seconds;
};

static int fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("parity demo-history: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

static double seconds_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "YYYY-MM-DD HH:MM:SS", a New York wall-clock time on `day`. */
static void at(int32_t day, const char *clock, char out[32])
{
  char d[PARITY_DAY_TEXT];
  parity_day_format(day, d);
  snprintf(out, 32, "%s %s", d, clock);
}

static void key_of(int32_t day, const char *kind, char out[64])
{
  char d[PARITY_DAY_TEXT];
  parity_day_format(day, d);
  snprintf(out, 64, DEMO_KEY_PREFIX "%s:%s", d, kind);
}

static int by_day(const void *a, const void *b)
{
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

/* Every bar of the universe: adjusted closes into series (as parity_daily_series_read gives decisional),
 * closes into the trading table, and the union of their days. */
static int load_prices(struct demo_run *run)
{
  size_t n = run->universe.nequities + run->universe.nbonds;
  run->series = parity_xcalloc(n, sizeof(*run->series));
  run->closes = parity_xcalloc(n, sizeof(*run->closes));
  run->nsymbols = n;
  size_t len = 3;
  for (size_t i = 0; i < n; i++) {
    const char *s = i < run->universe.nequities ? run->eq[i] : run->bd[i - run->universe.nequities];
    snprintf(run->series[i].symbol, sizeof(run->series[i].symbol), "%s", s);
    snprintf(run->closes[i].symbol, sizeof(run->closes[i].symbol), "%s", s);
    len += strlen(s) + 1;
  }
  char *array = parity_xmalloc(len);
  size_t at_len = 0;
  array[at_len++] = '{';
  for (size_t i = 0; i < n; i++)
    at_len += (size_t)snprintf(array + at_len, len - at_len, "%s%s", i ? "," : "", run->series[i].symbol);
  snprintf(array + at_len, len - at_len, "}");
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_DEMO_PRICES, &res, array);
  free(array);
  if (rc)
    return rc;
  int rows = PQntuples(res);
  run->days = parity_xcalloc((size_t)rows + 1, sizeof(*run->days));
  for (size_t i = 0; i < n; i++) {
    run->closes[i].days = parity_xcalloc((size_t)rows + 1, sizeof(int32_t));
    run->closes[i].micros = parity_xcalloc((size_t)rows + 1, sizeof(int64_t));
  }
  size_t s = 0;
  for (int r = 0; r < rows; r++) {
    /* Rows come by symbol, then day: the symbol is looked up again only when it changes. */
    const char *symbol = PQgetvalue(res, r, 0);
    if (s >= n || strcmp(run->series[s].symbol, symbol) != 0)
      for (s = 0; s < n && strcmp(run->series[s].symbol, symbol) != 0; s++)
        ;
    if (s == n)
      continue;
    int32_t day = (int32_t)atol(PQgetvalue(res, r, 1));
    double close = atof(PQgetvalue(res, r, 2)), adj = atof(PQgetvalue(res, r, 3));
    struct parity_bar bar = { day, adj, adj, adj, adj, adj, 0 };
    parity_bar_series_push(&run->series[s], &bar);
    struct closes *c = &run->closes[s];
    c->days[c->n] = day;
    c->micros[c->n++] = parity_price_micros(close);
    run->days[run->ndays++] = day;
  }
  PQclear(res);
  qsort(run->days, run->ndays, sizeof(*run->days), by_day);
  size_t kept = 0;
  for (size_t i = 0; i < run->ndays; i++)
    if (kept == 0 || run->days[kept - 1] != run->days[i])
      run->days[kept++] = run->days[i];
  run->ndays = kept;
  return PARITY_OK;
}

/* A symbol's close on `day`, or its newest before (what latest_prices said then); 0 when it has none. */
static int64_t close_on(const struct demo_run *run, const char *symbol, int32_t day)
{
  for (size_t s = 0; s < run->nsymbols; s++) {
    const struct closes *c = &run->closes[s];
    if (strcmp(c->symbol, symbol) != 0)
      continue;
    size_t lo = 0, hi = c->n; /* the first index with a day after `day` */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (c->days[mid] <= day)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo ? c->micros[lo - 1] : 0;
  }
  return 0;
}

/* The bucket's model as CMD_GENERATE would have stored it as of `day`. */
static int model_as_of(struct demo_run *run, int32_t day, struct parity_weight *w, size_t *n)
{
  struct parity_quant_err err = { 0, "" };
  struct parity_models_result res;
  memset(&res, 0, sizeof(res));
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = parity_models_generate(run->series, run->nsymbols, &run->universe, &run->params, day, &res, &err);
  run->models_seconds += seconds_since(&t0);
  if (!rc) {
    const json_t *weights = json_object_get(res.buckets, run->bucket);
    rc = weights ? parity_models_weights_from_json(weights, w, PARITY_REBALANCE_MAX_ASSETS, n, &err) : PARITY_EINVAL;
  }
  if (rc) {
    char d[PARITY_DAY_TEXT];
    parity_day_format(day, d);
    fail("generating the models as of %s: %s", d, err.msg[0] ? err.msg : "no model for the bucket");
  }
  parity_models_result_free(&res);
  return rc;
}

/*
 * Credits what the portfolio's holdings paid on trading day `day` (the ledger's own set-based statement,
 * for this investor only), inside the step's transaction, before that step's money moves; *cents grows by
 * the portfolio cash it added. Called for every trading day of the simulated past, in order.
 */
static int credit_dividends(struct demo_run *run, int32_t day, int64_t *cents)
{
  char d[PARITY_DAY_TEXT];
  parity_day_format(day, d);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_DIVIDENDS_CREDIT_DAY, &res, d, run->uid);
  if (!rc) {
    run->dividends += atol(PQgetvalue(res, 0, 0));
    run->dividend_cents += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    *cents += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
  }
  PQclear(res);
  return rc;
}

static int dividends_between(struct demo_run *run, int32_t after, int32_t through, int64_t *cents)
{
  int rc = PARITY_OK;
  for (size_t i = 0; i < run->ndays && !rc; i++)
    if (run->days[i] > after && run->days[i] <= through)
      rc = credit_dividends(run, run->days[i], cents);
  return rc;
}

/*
 * The days after the last month end still pay what they pay (each credit keys itself, so a second run pays
 * nothing). Their cash waits in the portfolio for the next monthly rebalance (cash first) rather than as
 * pending cash, which a deploy would invest today: the past stays in the past.
 */
static int tail_dividends(struct demo_run *run, int32_t after)
{
  int32_t last = run->days[run->ndays - 1];
  int64_t cents = 0;
  PGresult *res = NULL;
  int rc = parity_db_begin(run->db);
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_PORTFOLIO_LOCK, &res, run->uid);
  int64_t cash = !rc && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  if (!rc)
    rc = dividends_between(run, after, last, &cents);
  char when[32], c[PARITY_I64_TEXT];
  at(last, DEMO_DEPOSIT_AT, when);
  if (!rc && cents > 0)
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_PORTFOLIO_SET, NULL, run->uid, parity_i64(cash + cents, c), "0", when);
  return rc ? parity_db_rollback(run->db, rc) : parity_db_commit(run->db);
}

static int movement(struct demo_run *run, const char *kind, int64_t cents, const char *key, const char *when)
{
  char c[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_DEMO_MOVEMENT, &res, run->uid, kind, parity_i64(cents, c), key, when);
  PQclear(res);
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_WALLET_ADD, NULL, run->uid,
                        parity_i64(strcmp(kind, "deposit") == 0 ? cents : -cents, c), when);
  return rc;
}

/* The investor's lots and the losses a buy on `day` could replace (sold in the 30 days before it). */
static int tax_rows_of(struct demo_run *run, int32_t day, PGresult **lots, PGresult **losses)
{
  char since[PARITY_I64_TEXT];
  parity_i64(day - PARITY_WASH_WINDOW_DAYS, since);
  int rc = PARITY_DB_EXEC(run->db, Q_TAX_BATCH_LOTS, lots, run->uid, run->uid);
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_TAX_BATCH_LOSSES, losses, run->uid, run->uid, since);
  return rc;
}

/*
 * The step's trades, positions, lots and the portfolio's cash, from a plan over the locked portfolio. The
 * lots go through the ledger's engine as a rebalance batch's do, so a position's cost basis is its lots'.
 */
static int trade(struct demo_run *run, int32_t day, bool first, const struct parity_weight *model, size_t nmodel,
                 int64_t cash, const char *invest_at)
{
  PGresult *pos = NULL, *lots = NULL, *losses = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_BATCH_POSITIONS, &pos, run->uid, run->uid);
  if (!rc)
    rc = tax_rows_of(run, day, &lots, &losses);
  if (rc) {
    PQclear(pos);
    PQclear(lots);
    return rc;
  }
  struct parity_plan_holding held[PARITY_TRADE_PLAN_MAX];
  size_t nheld = 0;
  for (int r = 0; r < PQntuples(pos) && nheld < PARITY_TRADE_PLAN_MAX; r++)
    held[nheld++] = (struct parity_plan_holding){ PQgetvalue(pos, r, 1), strtoll(PQgetvalue(pos, r, 2), NULL, 10),
                                                  strtoll(PQgetvalue(pos, r, 3), NULL, 10),
                                                  close_on(run, PQgetvalue(pos, r, 1), day), NULL };
  int64_t prices[PARITY_REBALANCE_MAX_ASSETS];
  for (size_t i = 0; i < nmodel; i++)
    prices[i] = close_on(run, model[i].symbol, day);
  struct parity_demo_step_input in = { cash, held, nheld, model, prices, nmodel, run->cfg.rebalance_threshold, !first };
  struct parity_demo_step_plan *plan = run->plan;
  rc = parity_demo_step(&in, plan);
  char when[32], batch[PARITY_I64_TEXT] = "", count[PARITY_I64_TEXT], s[PARITY_I64_TEXT], p[PARITY_I64_TEXT],
                 c[PARITY_I64_TEXT];
  at(day, DEMO_TRADES_AT, when);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_BATCH_INSERT, &res, run->uid, first ? "true" : "false",
                        parity_i64((int64_t)plan->ntrades, count), invest_at, when);
  if (!rc)
    snprintf(batch, sizeof(batch), "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  struct parity_tax_rows tax = { .lots = lots, .losses = losses, .today = day };
  struct parity_tax_investor it;
  parity_tax_investor_of(&tax, run->user_id, &it);
  struct parity_tax_book book;
  parity_tax_book_init(&book);
  for (size_t i = 0; i < plan->ntrades && !rc; i++) {
    const struct parity_plan_trade *t = &plan->trades[i];
    int64_t cost = 0, new_cost = 0;
    for (size_t h = 0; h < nheld; h++) {
      if (strcmp(held[h].symbol, t->symbol) == 0)
        cost = held[h].cost_basis_cents;
    }
    rc = parity_tax_trade_lots(&tax, &it, run->user_id, strtoll(batch, NULL, 10), t->symbol, t->buy, t->shares_micro,
                               t->cents, cost, &book, &new_cost);
    if (!rc)
      rc = PARITY_DB_EXEC(run->db, Q_DEMO_TRADE, NULL, run->uid, t->symbol, t->buy ? "buy" : "sell",
                          parity_i64(t->shares_micro, s), parity_i64(t->price_micros, p), parity_i64(t->cents, c),
                          first ? "invest" : "rebalance", batch, when);
    if (!rc)
      rc = PARITY_DB_EXEC(run->db, Q_DEMO_POSITION_SET, NULL, run->uid, t->symbol, parity_i64(t->new_shares, s),
                          parity_i64(new_cost, c), when);
  }
  if (!rc)
    rc = parity_tax_book_write(run->db, &book);
  if (!rc) /* the lots and gains this step wrote are dated with its trades */
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_TAX_DATED, NULL, run->uid, when);
  parity_tax_book_free(&book);
  PQclear(lots);
  PQclear(losses);
  PQclear(pos); /* the holdings' symbols pointed into it until the trades were written */
  /* As a deploy leaves it: what was not spent (under $1 a trade) is plain portfolio cash. */
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_PORTFOLIO_SET, NULL, run->uid, parity_i64(cash + plan->cash_delta, c), "0",
                        when);
  if (!rc)
    run->trades += (long)plan->ntrades;
  return rc;
}

/* One step in one transaction; *done when it was written before (by an earlier or a concurrent run). */
static int step(struct demo_run *run, int32_t prev, int32_t day, bool first, bool *done)
{
  char key[64], invest_key[64], deposit_at[32], invest_at[32], cents[PARITY_I64_TEXT];
  key_of(day, "deposit", key);
  key_of(day, "invest", invest_key);
  at(day, DEMO_DEPOSIT_AT, deposit_at);
  at(day, DEMO_INVEST_AT, invest_at);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_DEMO_STEP_DONE, &res, run->uid, key);
  *done = !rc && PQntuples(res) > 0;
  PQclear(res);
  if (rc || *done)
    return rc;
  struct parity_weight model[PARITY_REBALANCE_MAX_ASSETS];
  size_t nmodel = 0;
  if (model_as_of(run, day, model, &nmodel))
    return PARITY_ENUMERIC;
  int64_t amount = first ? DEMO_FIRST_DEPOSIT_CENTS : DEMO_MONTHLY_CENTS;
  rc = parity_db_begin(run->db);
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_PORTFOLIO_LOCK, &res, run->uid);
  int64_t cash = !rc && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  if (!rc) { /* the step again, under the lock: a concurrent run may have written it meanwhile */
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_STEP_DONE, &res, run->uid, key);
    *done = !rc && PQntuples(res) > 0;
    PQclear(res);
    if (*done)
      return parity_db_rollback(run->db, PARITY_OK);
  }
  int64_t dividends = 0; /* cash first: the step invests what the holdings paid since the last one */
  if (!rc)
    rc = dividends_between(run, prev, day, &dividends);
  cash += dividends;
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_WALLET_ENSURE, NULL, run->uid);
  if (!rc)
    rc = movement(run, "deposit", amount, key, deposit_at);
  if (!rc)
    rc = movement(run, "invest", amount, invest_key, invest_at);
  if (!rc)
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_PORTFOLIO_SET, NULL, run->uid, parity_i64(cash + amount, cents),
                        parity_i64(amount, cents), invest_at);
  if (!rc)
    rc = trade(run, day, first, model, nmodel, cash + amount, invest_at);
  if (!rc && first) {
    char joined[32];
    at(day, DEMO_JOINED_AT, joined);
    rc = PARITY_DB_EXEC(run->db, Q_DEMO_USER_JOINED, NULL, run->uid, joined);
  }
  rc = rc ? parity_db_rollback(run->db, rc) : parity_db_commit(run->db);
  if (!rc)
    run->written++;
  return rc;
}

/* The investor, onboarded, with no money activity but its own simulated past. */
static int find_investor(struct demo_run *run, const char *email)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_DEMO_USER, &res, email);
  if (rc)
    return fail("cannot read users: %s", parity_err_str(rc));
  if (PQntuples(res) != 1) {
    PQclear(res);
    return fail("no user %s: register (and onboard) the investor first", email);
  }
  run->user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  parity_i64(run->user_id, run->uid);
  bool onboarded = !PQgetisnull(res, 0, 1);
  snprintf(run->bucket, sizeof(run->bucket), "%s", onboarded ? PQgetvalue(res, 0, 1) : "");
  PQclear(res);
  if (!onboarded)
    return fail("%s has not onboarded: its bucket decides its models", email);
  rc = PARITY_DB_EXEC(run->db, Q_DEMO_ACTIVITY, &res, run->uid, DEMO_KEY_PREFIX);
  if (rc)
    return fail("cannot read the ledger: %s", parity_err_str(rc));
  long own = atol(PQgetvalue(res, 0, 0));
  PQclear(res);
  if (own > 0)
    return fail("%s has %ld money movement(s) of its own: a simulated past is written only to an account "
                "without any",
                email, own);
  return 0;
}

static int parse_options(int argc, char **argv, const char **email, int *years)
{
  static const struct option options[] = { { "email", required_argument, NULL, 'e' },
                                           { "years", required_argument, NULL, 'y' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  *email = NULL;
  *years = DEMO_DEFAULT_YEARS;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'e') {
      *email = optarg;
    } else if (c == 'y') {
      char *end = NULL;
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (errno || end == optarg || *end || v < 1 || v > PARITY_DEMO_MAX_YEARS) {
        fprintf(stderr, "parity demo-history: --years takes an integer from 1 to %d\n", PARITY_DEMO_MAX_YEARS);
        return 2;
      }
      *years = (int)v;
    } else {
      fputs(usage_text, c == 'h' ? stdout : stderr);
      return c == 'h' ? 0 : 2;
    }
  }
  if (!*email || optind != argc) {
    fputs(usage_text, stderr);
    return 2;
  }
  return -1; /* go on */
}

static void run_free(struct demo_run *run)
{
  for (size_t i = 0; i < run->nsymbols; i++) {
    parity_bar_series_free(&run->series[i]);
    free(run->closes[i].days);
    free(run->closes[i].micros);
  }
  free(run->series);
  free(run->closes);
  free(run->days);
  free(run->plan);
  parity_config_free(&run->cfg);
}

/* Loads the universe and its prices, then writes the steps not written yet. */
static int build(struct demo_run *run, const char *email, int years, const struct timespec *t0)
{
  struct parity_quant_err err = { 0, "" };
  size_t neq = 0, nbd = 0;
  if (parity_models_parse_symbols(run->cfg.universe_equities, run->eq, PARITY_MODELS_MAX_SYMBOLS, &neq, &err) ||
      parity_models_parse_symbols(run->cfg.universe_bonds, run->bd, PARITY_MODELS_MAX_SYMBOLS, &nbd, &err))
    return fail("%s", err.msg);
  for (size_t i = 0; i < neq; i++)
    run->eqp[i] = run->eq[i];
  for (size_t i = 0; i < nbd; i++)
    run->bdp[i] = run->bd[i];
  run->universe = (struct parity_models_universe){ run->eqp, neq, run->bdp, nbd };
  parity_models_params_from_config(&run->cfg, &run->params);
  if (find_investor(run, email))
    return 1;
  int rc = load_prices(run);
  if (rc)
    return fail("cannot read daily_prices: %s", parity_err_str(rc));
  int32_t steps[PARITY_DEMO_MAX_STEPS];
  size_t nsteps = 0;
  rc = run->ndays ? parity_demo_schedule(run->days, run->ndays, years, steps, PARITY_DEMO_MAX_STEPS, &nsteps)
                  : PARITY_EINVAL;
  if (rc)
    return fail("the prices in daily_prices do not cover %d year(s) of the universe (load them first: parity "
                "load-prices FILE)",
                years);
  run->plan = parity_xcalloc(1, sizeof(*run->plan));
  int32_t prev = INT32_MIN;
  for (size_t k = 0; k < nsteps; k++) {
    bool done = false;
    rc = step(run, prev, steps[k], k == 0, &done);
    if (rc) {
      char d[PARITY_DAY_TEXT];
      parity_day_format(steps[k], d);
      return fail("the step of %s was not written: %s%s%s", d, parity_err_str(rc),
                  run->db->sqlstate[0] ? ", SQLSTATE " : "", run->db->sqlstate);
    }
    run->already += done;
    prev = steps[k];
  }
  rc = tail_dividends(run, prev);
  if (rc)
    return fail("the days after the last step were not written: %s", parity_err_str(rc));
  char from[PARITY_DAY_TEXT], to[PARITY_DAY_TEXT], last[PARITY_DAY_TEXT];
  parity_day_format(steps[0], from);
  parity_day_format(steps[nsteps - 1], to);
  parity_day_format(run->days[run->ndays - 1], last);
  printf("{\"user_id\":%lld,\"email\":\"%s\",\"bucket\":\"%s\",\"years\":%d,\"from\":\"%s\",\"to\":\"%s\","
         "\"prices_to\":\"%s\",\"steps\":%zu,\"written\":%ld,\"already\":%ld,\"trades\":%ld,"
         "\"deposits_cents\":%lld,\"dividends\":%ld,\"dividend_cents\":%lld,\"models_seconds\":%.3f,"
         "\"seconds\":%.3f}\n",
         (long long)run->user_id, email, run->bucket, years, from, to, last, nsteps, run->written, run->already,
         run->trades, DEMO_FIRST_DEPOSIT_CENTS + (long long)(nsteps - 1) * DEMO_MONTHLY_CENTS, run->dividends,
         (long long)run->dividend_cents, run->models_seconds, seconds_since(t0));
  return 0;
}

int parity_cli_demo_history(int argc, char **argv)
{
  const char *email;
  int years;
  int status = parse_options(argc, argv, &email, &years);
  if (status >= 0)
    return status;
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct demo_run *run = parity_xcalloc(1, sizeof(*run));
  if (parity_config_load(&run->cfg, PARITY_ROLE_CLI, stderr) != 0) {
    free(run);
    return fail("invalid configuration (see above)");
  }
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "demo-history")) {
    run_free(run);
    free(run);
    return 1;
  }
  struct parity_db db;
  int open_rc = parity_db_open(&db, target.url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (open_rc)
    fail("cannot connect to the database (from %s)", target.from);
  parity_cli_database_free(&target);
  if (!open_rc) {
    run->db = &db;
    status = build(run, email, years, &t0);
    parity_db_close(&db);
  } else {
    status = 1;
  }
  run_free(run);
  free(run);
  return status;
}
