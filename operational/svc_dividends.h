/*
 * Cash dividends into the ledger: the job "credit dividends for day D", for every investor at once.
 *
 * Rules (decided here; SPEC §5 is silent on dividends):
 * - A position is entitled to a dividend of ex-date D when it was held at the end of the New York day
 *   before D: its shares now minus the net of its trades since D began (New York midnight). Trades
 *   execute at a close, so a buy priced at D−1's close is entitled and one at D's close is not, as on an
 *   exchange where the buyer before the ex-date receives the dividend.
 * - The dividend is shares × amount per share, rounded DOWN to the cent (parity_dividend_cents), from
 *   micro-shares and micro-dollars in integer arithmetic. Under one cent nothing is credited.
 * - It is credited on the ex-date (not the later pay date) to the portfolio's cash as a `dividend`
 *   movement dated at the ex-date's close, and counted as pending cash: the sweep's next deploy invests
 *   it toward the model, cash first, as it does an invest.
 * - Once per position and ex-date: dividend_payments' primary key. Crediting a day again (a re-run, a
 *   redelivered sync event, a catch-up that overlaps) inserts nothing. An amount corrected after its
 *   ex-date was credited changes nothing already paid.
 * - Money enters the ledger from outside, so `parity audit` counts dividends with the deposits.
 */
#ifndef PARITY_SVC_DIVIDENDS_H
#define PARITY_SVC_DIVIDENDS_H

#include <jansson.h>
#include <stdint.h>

#include "common/pg.h"

struct parity_app_metrics;

/* Ex-dates the daily catch-up looks back over from the newest close (older ones only when asked by day). */
#define PARITY_DIVIDEND_CATCH_UP_DAYS 31

struct parity_dividend_credit {
  long payments;   /* positions credited by this call */
  int64_t cents;   /* their total */
  long portfolios; /* portfolios whose cash grew */
};

/*
 * Credits every position entitled to a dividend of ex-date `day` ("YYYY-MM-DD") in one transaction of
 * its own and records the day in dividend_days, pointing to job_id (0: none). `metrics` may be NULL (the CLI).
 */
int parity_svc_dividends_credit_day(struct parity_db *db, const char *day, int64_t job_id,
                                    struct parity_app_metrics *metrics, struct parity_dividend_credit *out);

/*
 * The daily pipeline's step after prices are loaded: credits each ex-date of the last
 * PARITY_DIVIDEND_CATCH_UP_DAYS up to `through` ("YYYY-MM-DD"; NULL: the newest close) that is not
 * credited yet, oldest first, one transaction per day, each a step of the job job_id (0: none). *out (new
 * reference, may be NULL): {"through", "days":[{"ex_day","payments","cents","portfolios"}], "payments", "cents"}.
 */
int parity_svc_dividends_catch_up(struct parity_db *db, const char *through, int64_t job_id,
                                  struct parity_app_metrics *metrics, json_t **out);

/*
 * Either of the two as a dividend_credit job of its own (type, trigger, progress in days, counters days,
 * payments, cents; failed with the reason when a day could not be credited, the days before it staying
 * credited): one ex-date when `day` is set, else the catch-up through `through` (NULL: the newest close).
 * *out (new reference, may be NULL): the catch-up's answer with "job_id".
 */
int parity_svc_dividends_credit_job(struct parity_db *db, const char *day, const char *through, const char *trigger,
                                    struct parity_app_metrics *metrics, json_t **out);

/* One day credited, as the catch-up lists it (new reference). */
json_t *parity_dividend_credit_json(const char *day, const struct parity_dividend_credit *c);

#endif
