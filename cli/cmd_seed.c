/*
 * `parity seed-investors N`: synthetic investors for scale tests, verified, onboarded to a random bucket
 * and invested with positions drifted from their model, written with COPY in one transaction.
 *
 * What a seeded investor is (decided here; the integration test and `parity audit` hold it to this):
 * - email investor-<user id>@seed.parity.invalid (PARITY_SEED_EMAIL_DOMAIN), verified, a stored "hash"
 *   that no password matches, risk and horizon of its bucket, and users.onboarding =
 *   {"synthetic":{"seed":S,"index":i}} in place of questionnaire answers;
 * - a deposit, an invest, the buys of parity_seed_plan() (reason invest, no deploy request: as if the
 *   deploy had happened), the positions they made, portfolio cash and wallet cash, all consistent so that
 *   deposits = wallet + portfolio cash + Σ buys to the cent and shares = Σ bought, per user and symbol.
 * Investor i of seed S is the same investor in every run (its own generator stream), whatever N is.
 * It refuses to write next to a real user (an email outside the synthetic domain) unless --force.
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
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"
#include "decisional/quant/rng.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/seed_plan.h"

#define SEED_BUCKETS 15                     /* risk 1..5 × three horizons: SPEC §8 */
#define SEED_COPY_BUFFER_BYTES (256u << 10) /* rows are sent to COPY in chunks of this size */
#define SEED_ROW_MAX_BYTES 512              /* the longest row of any table, with room to spare */
#define SEED_PORTFOLIO_VERSION 2            /* onboarding creates it (0), the invest (1), its deploy (2) */

static const char usage_text[] =
    "usage: parity seed-investors N [--seed S] [--force]\n"
    "Creates N synthetic investors in DATABASE_URL for scale tests, with COPY in one transaction: verified,\n"
    "onboarded to a random one of the 15 buckets, a deposit and an invest, 5 to 10 of the model's positions\n"
    "bought at weight x (1 +/- 2..10%) at the newest prices (the rest of the model's weight as portfolio cash),\n"
    "so the ledger invariant of `parity audit` holds exactly. The same seed (default 1) gives the same\n"
    "investors. Needs the 15 current model portfolios and prices for their symbols.\n"
    "Emails are investor-<id>@" PARITY_SEED_EMAIL_DOMAIN "; nobody can log in as them. Refuses (exit 1) when\n"
    "the database has a real user (another email domain) unless --force. Prints a JSON summary.\n";

struct seed_options {
  long n;
  uint64_t seed;
  bool force;
};

struct seed_counts {
  long users, wallets, portfolios, movements, positions, trades;
};

/* What the passes share: the priced models, the id block, the row timestamp, the output buffer. */
struct seed_run {
  struct parity_db *db;
  const struct seed_options *opt;
  struct parity_seed_model models[SEED_BUCKETS];
  size_t n_models;
  int64_t first_id;
  char now[64];
  char *buf;
  size_t len;
  int rc;
  struct seed_counts counts;
};

enum seed_table { T_USERS, T_WALLETS, T_PORTFOLIOS, T_MOVEMENTS, T_POSITIONS, T_TRADES, T_LOTS, T_COUNT };

static const int table_copy_sql[T_COUNT] = {
  [T_USERS] = SQL_OP_SEED_COPY_USERS,
  [T_WALLETS] = SQL_OP_SEED_COPY_WALLETS,
  [T_PORTFOLIOS] = SQL_OP_SEED_COPY_PORTFOLIOS,
  [T_MOVEMENTS] = SQL_OP_SEED_COPY_MOVEMENTS,
  [T_POSITIONS] = SQL_OP_SEED_COPY_POSITIONS,
  [T_TRADES] = SQL_OP_SEED_COPY_TRADES,
  [T_LOTS] = SQL_OP_SEED_COPY_LOTS,
};

static int fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("parity seed-investors: ", stderr);
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

static int parse_options(int argc, char **argv, struct seed_options *opt)
{
  static const struct option options[] = { { "seed", required_argument, NULL, 's' },
                                           { "force", no_argument, NULL, 'f' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  *opt = (struct seed_options){ .n = 0, .seed = 1, .force = false };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    char *end = NULL;
    if (c == 's') {
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      if (errno || end == optarg || *end || optarg[0] == '-') {
        fprintf(stderr, "parity seed-investors: --seed takes a non-negative integer\n");
        return 2;
      }
      opt->seed = (uint64_t)v;
    } else if (c == 'f') {
      opt->force = true;
    } else {
      fputs(usage_text, c == 'h' ? stdout : stderr);
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind + 1 != argc) {
    fputs(usage_text, stderr);
    return 2;
  }
  char *end = NULL;
  errno = 0;
  long n = strtol(argv[optind], &end, 10);
  if (errno || end == argv[optind] || *end || n < 1 || n > PARITY_SEED_MAX_INVESTORS) {
    fprintf(stderr, "parity seed-investors: N must be an integer from 1 to %ld\n", PARITY_SEED_MAX_INVESTORS);
    return 2;
  }
  opt->n = n;
  return -1; /* go on */
}

/* The 15 current models with the newest price of each of their symbols; a clear message when missing. */
static int load_models(struct seed_run *run)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(run->db, Q_MODELS_CURRENT_ALL, &res);
  if (rc)
    return fail("cannot read model_portfolios: %s", parity_err_str(rc));
  int rows = PQntuples(res);
  for (int r = 0; r < rows && !rc && run->n_models < SEED_BUCKETS; r++) {
    struct parity_seed_model *m = &run->models[run->n_models];
    json_t *weights = json_loads(PQgetvalue(res, r, 3), 0, NULL);
    rc = json_is_object(weights) ? parity_seed_model_init(m, PQgetvalue(res, r, 0)) : PARITY_EINVAL;
    const char *symbol;
    json_t *w;
    json_object_foreach(weights, symbol, w) {
      if (!rc && strcmp(symbol, "CASH") != 0)
        rc = parity_seed_model_add(m, symbol, json_number_value(w));
    }
    json_decref(weights);
    if (rc)
      fail("the model of %s is not usable (unknown bucket or bad weights)", PQgetvalue(res, r, 0));
    else
      run->n_models++;
  }
  PQclear(res);
  if (rc)
    return 1;
  if (rows != SEED_BUCKETS)
    return fail("%d of the %d model portfolios exist: generate them first (the daily pipeline, POST "
                "/internal/pipeline/daily, writes them once daily_prices are loaded; `make run` does both)",
                rows, SEED_BUCKETS);

  /* Every symbol of every model, priced like trade execution prices it. */
  char *array = NULL;
  size_t array_len = 0;
  FILE *f = open_memstream(&array, &array_len);
  if (!f)
    abort();
  fputc('{', f);
  for (size_t i = 0; i < run->n_models; i++)
    for (size_t s = 0; s < run->models[i].n; s++)
      fprintf(f, "%s%s", i || s ? "," : "", run->models[i].symbols[s]);
  fputc('}', f);
  fclose(f);
  rc = PARITY_DB_EXEC(run->db, Q_LATEST_PRICES, &res, array);
  free(array);
  if (rc)
    return fail("cannot read the newest prices: %s", parity_err_str(rc));
  for (int r = 0; r < PQntuples(res); r++)
    for (size_t i = 0; i < run->n_models; i++)
      for (size_t s = 0; s < run->models[i].n; s++)
        if (!PQgetisnull(res, r, 1) && strcmp(run->models[i].symbols[s], PQgetvalue(res, r, 0)) == 0)
          run->models[i].price_micros[s] = parity_price_micros(atof(PQgetvalue(res, r, 1)));
  PQclear(res);
  for (size_t i = 0; i < run->n_models; i++)
    for (size_t s = 0; s < run->models[i].n; s++)
      if (run->models[i].price_micros[s] <= 0)
        return fail("no price for %s (in the model of %s): load daily_prices first (parity load-prices FILE)",
                    run->models[i].symbols[s], run->models[i].bucket);
  return 0;
}

/* Investor i's own stream: the seed whitened once, then i spread over 64 bits by an odd multiplier (a
 * bijection, so no two investors of a seed share a stream), expanded by parity_rng_seed's SplitMix64. */
static void investor_stream(struct parity_rng *rng, uint64_t seed, uint64_t index)
{
  uint64_t s = seed;
  parity_rng_seed(rng, parity_splitmix64(&s) ^ (index * 0x9E3779B97F4A7C15ULL));
}

static double draw_uniform(void *ctx)
{
  return parity_rng_uniform(ctx);
}

static void flush(struct seed_run *run)
{
  if (!run->rc && run->len)
    run->rc = parity_db_copy_put(run->db, run->buf, run->len);
  run->len = 0;
}

static void row(struct seed_run *run, const char *fmt, ...)
{
  if (SEED_COPY_BUFFER_BYTES - run->len < SEED_ROW_MAX_BYTES)
    flush(run);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(run->buf + run->len, SEED_COPY_BUFFER_BYTES - run->len, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < SEED_COPY_BUFFER_BYTES - run->len)
    run->len += (size_t)n;
  else
    run->rc = PARITY_EINTERNAL;
}

/* One investor's rows of one table, in COPY's text format (no field needs escaping). */
static void investor_rows(struct seed_run *run, enum seed_table table, long index, const struct parity_seed_investor *p)
{
  long long id = (long long)run->first_id + index;
  const struct parity_seed_model *m = &run->models[p->model];
  switch (table) {
  case T_USERS:
    row(run, "%lld\tinvestor-%lld@%s\t%s\t%s\t%d\t%s\t{\"synthetic\":{\"seed\":%llu,\"index\":%ld}}\n", id, id,
        PARITY_SEED_EMAIL_DOMAIN, PARITY_SEED_PASSWORD_HASH, run->now, m->risk, m->horizon,
        (unsigned long long)run->opt->seed, index);
    run->counts.users++;
    break;
  case T_WALLETS:
    row(run, "%lld\t%lld\n", id, (long long)p->wallet_cents);
    run->counts.wallets++;
    break;
  case T_PORTFOLIOS:
    row(run, "%lld\t%lld\t0\t%s\t%d\n", id, (long long)p->portfolio_cash_cents, m->bucket, SEED_PORTFOLIO_VERSION);
    run->counts.portfolios++;
    break;
  case T_MOVEMENTS:
    row(run, "%lld\tdeposit\t%lld\n%lld\tinvest\t%lld\n", id, (long long)p->deposit_cents, id,
        (long long)p->invest_cents);
    run->counts.movements += 2;
    break;
  case T_POSITIONS:
    for (size_t b = 0; b < p->n_buys; b++)
      row(run, "%lld\t%s\t%lld\t%lld\n", id, m->symbols[p->buys[b].symbol], (long long)p->buys[b].shares_micro,
          (long long)p->buys[b].amount_cents);
    run->counts.positions += (long)p->n_buys;
    break;
  case T_TRADES:
    for (size_t b = 0; b < p->n_buys; b++)
      row(run, "%lld\t%s\tbuy\t%lld\t%lld\t%lld\tinvest\n", id, m->symbols[p->buys[b].symbol],
          (long long)p->buys[b].shares_micro, (long long)p->buys[b].price_micros, (long long)p->buys[b].amount_cents);
    run->counts.trades += (long)p->n_buys;
    break;
  case T_LOTS: /* one tax lot per position, bought today (the day of run->now) */
    for (size_t b = 0; b < p->n_buys; b++)
      row(run, "%lld\t%s\t%lld\t%lld\t%.10s\t%.10s\n", id, m->symbols[p->buys[b].symbol],
          (long long)p->buys[b].shares_micro, (long long)p->buys[b].amount_cents, run->now, run->now);
    break;
  case T_COUNT:
    break;
  }
}

/* One COPY per table; each pass plans the investors again from their streams instead of keeping them. */
static int copy_table(struct seed_run *run, enum seed_table table)
{
  int rc = parity_db_copy_begin(run->db, parity_op_sql[table_copy_sql[table]]);
  if (rc)
    return rc;
  run->rc = PARITY_OK;
  run->len = 0;
  struct parity_rng rng;
  struct parity_seed_investor p;
  for (long i = 0; i < run->opt->n && !run->rc; i++) {
    investor_stream(&rng, run->opt->seed, (uint64_t)i);
    run->rc = parity_seed_plan(run->models, run->n_models, draw_uniform, &rng, &p);
    if (!run->rc)
      investor_rows(run, table, i, &p);
  }
  flush(run);
  rc = run->rc;
  /* Ending COPY with an error message aborts it, and with it the transaction. */
  int end_rc = parity_db_copy_end(run->db, rc ? "parity seed-investors failed" : NULL);
  return rc ? rc : end_rc;
}

/* Inside the transaction, users locked: refuse next to real users, reserve the ids, copy every table. */
static int seed(struct seed_run *run, long *real_users)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(run->db, Q_SEED_REAL_USERS, &res, PARITY_SEED_EMAIL_DOMAIN);
  if (rc)
    return rc;
  *real_users = atol(PQgetvalue(res, 0, 0));
  PQclear(res);
  if (*real_users > 0 && !run->opt->force)
    return PARITY_ECONFLICT;
  char n[PARITY_I64_TEXT];
  rc = PARITY_DB_EXEC(run->db, Q_SEED_RESERVE_USER_IDS, &res, parity_i64(run->opt->n, n));
  if (rc)
    return rc;
  run->first_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10) - run->opt->n + 1;
  snprintf(run->now, sizeof(run->now), "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
  for (int t = 0; t < T_COUNT && !rc; t++)
    rc = copy_table(run, (enum seed_table)t);
  return rc;
}

int parity_cli_seed_investors(int argc, char **argv)
{
  struct seed_options opt;
  int status = parse_options(argc, argv, &opt);
  if (status >= 0)
    return status;
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "seed-investors"))
    return 1;
  struct parity_db db;
  int open_rc = parity_db_open(&db, target.url, parity_op_stmts, Q_OP_QUERY_COUNT);
  parity_cli_database_free(&target);
  if (open_rc != PARITY_OK)
    return fail("cannot connect to the database");
  struct seed_run *run = parity_xcalloc(1, sizeof(*run));
  char *buf = parity_xmalloc(SEED_COPY_BUFFER_BYTES);
  run->db = &db;
  run->opt = &opt;
  run->buf = buf;
  struct timespec t0;
  status = load_models(run);
  long real_users = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (!status) {
    int rc = parity_db_begin(&db);
    if (!rc)
      rc = parity_db_exec_sql(&db, parity_op_sql[SQL_OP_SEED_LOCK_USERS]);
    if (!rc)
      rc = seed(run, &real_users);
    rc = rc ? parity_db_rollback(&db, rc) : parity_db_commit(&db);
    if (rc == PARITY_ECONFLICT && real_users > 0 && !opt.force)
      status = fail("the database has %ld real user(s) (emails outside @%s): synthetic investors belong in a "
                    "test database; --force writes them anyway",
                    real_users, PARITY_SEED_EMAIL_DOMAIN);
    else if (rc)
      status =
          fail("nothing was written: %s%s%s", parity_err_str(rc), db.sqlstate[0] ? ", SQLSTATE " : "", db.sqlstate);
  }
  if (!status) {
    double copy_seconds = seconds_since(&t0);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = parity_db_exec_sql(&db, parity_op_sql[SQL_OP_SEED_ANALYZE]);
    double analyze_seconds = seconds_since(&t1);
    if (rc)
      fprintf(stderr, "parity seed-investors: warning: ANALYZE failed (%s); the rows are committed\n",
              parity_err_str(rc));
    const struct seed_counts *c = &run->counts;
    printf("{\"investors\":%ld,\"seed\":%llu,\"first_user_id\":%lld,\"last_user_id\":%lld,\"real_users\":%ld,"
           "\"rows\":{\"users\":%ld,\"wallets\":%ld,\"portfolios\":%ld,\"cash_movements\":%ld,\"positions\":%ld,"
           "\"trades\":%ld},\"copy_seconds\":%.3f,\"analyze_seconds\":%.3f,\"investors_per_second\":%.0f}\n",
           opt.n, (unsigned long long)opt.seed, (long long)run->first_id, (long long)(run->first_id + opt.n - 1),
           real_users, c->users, c->wallets, c->portfolios, c->movements, c->positions, c->trades, copy_seconds,
           analyze_seconds, copy_seconds > 0 ? (double)opt.n / copy_seconds : 0.0);
  }
  free(buf);
  free(run);
  parity_db_close(&db);
  return status;
}
