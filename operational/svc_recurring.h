/*
 * Recurring deposits: an investor's schedules (amount, weekly/biweekly/monthly, day) and the daily job
 * that deposits every schedule whose date has come, invests it (auto_invest) and advances it, exactly
 * once per schedule and date: the runs table's key (schedule, day) and the advance are in the deposit's
 * own transaction, so a retried, restarted or concurrent job finds the date done.
 */
#ifndef PARITY_SVC_RECURRING_H
#define PARITY_SVC_RECURRING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_RECURRING_MAX_PER_USER 10
/* Schedules one pass deposits in one transaction; the job repeats passes until nothing is due. */
#define PARITY_RECURRING_PASS_SIZE 5000
/* Passes one job runs at most (a schedule late by several dates needs one pass per date); the rest waits
 * for the next run, which resumes where this one stopped. */
#define PARITY_RECURRING_MAX_PASSES 500

/* A schedule as the API takes it: frequency "weekly", "biweekly" or "monthly"; day is the ISO weekday
 * (1 = Monday .. 7) for the first two and the day of the month (1..28) for monthly. */
enum parity_recurring_frequency { PARITY_RECURRING_WEEKLY, PARITY_RECURRING_BIWEEKLY, PARITY_RECURRING_MONTHLY };

/* 0 and *out set for a known frequency name, -1 otherwise. */
int parity_recurring_frequency_parse(const char *name, enum parity_recurring_frequency *out);
/* True when `day` is valid for the frequency (weekday 1..7, or day of month 1..28). */
bool parity_recurring_day_valid(enum parity_recurring_frequency f, long day);

/* Field changes of a PATCH: NULL / -1 leave a field as it is. frequency and day come together. */
struct parity_recurring_change {
  int64_t amount_cents;  /* 0: unchanged */
  const char *frequency; /* NULL: unchanged (then day is -1) */
  long day;
  int auto_invest; /* -1 unchanged, 0, 1 */
  int paused;      /* -1 unchanged, 0 (resume), 1 (pause) */
};

/* {"recurring_deposits":[schedule...]}; a schedule is {id, amount_cents, frequency, day, auto_invest,
 * status ("active"|"paused"), next_day, last_day (null before the first), created_at}. */
int parity_svc_recurring_list(struct parity_db *db, int64_t user_id, json_t **out);
/* A new schedule as the API takes it; the strings are borrowed. */
struct parity_recurring_new {
  int64_t amount_cents;
  const char *frequency;
  long day;
  bool auto_invest;
  const char *idempotency_key; /* NULL when the client sent none */
  const char *body_hash;       /* SHA-256 hex of the request body, to refuse a key reused with another body */
};

/*
 * The new schedule (*out, new reference); PARITY_ECONFLICT TOO_MANY_SCHEDULES past
 * PARITY_RECURRING_MAX_PER_USER. A key the investor used before answers the schedule it created, as it is
 * now (deleted or not), with *replayed = true, even at the limit; a concurrent request with the same key
 * waits for the first and answers its schedule, so a key creates one schedule at most. A key reused with
 * another body is PARITY_ECONFLICT IDEMPOTENCY_KEY_REUSED.
 */
int parity_svc_recurring_create(struct parity_db *db, int64_t user_id, const struct parity_recurring_new *rq,
                                json_t **out, bool *replayed, struct parity_svc_error *err);
/* The changed schedule; PARITY_ENOTFOUND when it is not the investor's (or deleted). */
int parity_svc_recurring_update(struct parity_db *db, int64_t user_id, int64_t id,
                                const struct parity_recurring_change *change, json_t **out,
                                struct parity_svc_error *err);
int parity_svc_recurring_delete(struct parity_db *db, int64_t user_id, int64_t id);

/*
 * The daily job: deposits every active schedule whose next date is on or before `day` ("YYYY-MM-DD",
 * UTC), set-based, in passes of PARITY_RECURRING_PASS_SIZE schedules (one transaction each).
 * *out: {"day", "passes", "schedules", "deposits", "deposited_cents", "invested", "complete"}. Invested
 * cash is the portfolio's pending cash: the rebalance sweep opens its deploy batch (a batch of one), as
 * after an invest whose model was not there yet. The run is a job (type recurring_deposits, started by
 * `trigger`): its progress counts the deposits made, and *out carries its "job_id".
 */
int parity_svc_recurring_run(struct parity_db *db, const char *day, const char *trigger, json_t **out);

#endif
