/*
 * The kinds of job (the jobs table, migrations/0013_jobs.sql), their progress unit and how long one may
 * take before it is called stuck. A new kind of job is ONE line here plus a parity_jobs_create() call where
 * the work starts (see README "Jobs").
 */
#ifndef PARITY_JOB_TYPES_H
#define PARITY_JOB_TYPES_H

#include <stdbool.h>

/* X(enum suffix, name in the table, progress unit, expected seconds) */
#define PARITY_JOB_TYPES(X)                                                                                            \
  X(DAILY_SYNC, "daily_sync", "symbols", 1800)                                                                         \
  X(INTRADAY_SYNC, "intraday_sync", "symbols", 600)                                                                    \
  X(MODEL_GENERATION, "model_generation", "buckets", 1800)                                                             \
  X(BACKTEST, "backtest", "models", 3600)                                                                              \
  X(MONTHLY_REBALANCE, "monthly_rebalance", "portfolios", 7200)                                                        \
  X(CLEANUP, "cleanup", "tables", 600)                                                                                 \
  X(RECURRING_DEPOSITS, "recurring_deposits", "deposits", 1800)                                                        \
  X(PRICE_LOAD, "price_load", "symbols", 1800)                                                                         \
  X(DIVIDEND_CREDIT, "dividend_credit", "days", 1800)                                                                  \
  X(TAX_HARVEST, "tax_harvest", "investors", 1800)

enum parity_job_type {
  PARITY_JOB_UNKNOWN = 0,
#define PARITY_JOB_ENUM(e, name, unit, seconds) PARITY_JOB_##e,
  PARITY_JOB_TYPES(PARITY_JOB_ENUM)
#undef PARITY_JOB_ENUM
      PARITY_JOB_TYPE_COUNT
};

/* The type's name, unit and expected duration; NULL / 0 for PARITY_JOB_UNKNOWN or out of range. */
const char *parity_job_type_name(enum parity_job_type type);
const char *parity_job_type_unit(enum parity_job_type type);
int parity_job_type_expected_seconds(enum parity_job_type type);
/* PARITY_JOB_UNKNOWN when `name` is no type. */
enum parity_job_type parity_job_type_parse(const char *name);

/* Who started a job (jobs.trigger) and where it is (jobs.status): true when `text` is one of them. */
bool parity_job_trigger_valid(const char *text);
bool parity_job_status_valid(const char *text);
/* succeeded, failed, aborted: the job will not change again (but for a retry). */
bool parity_job_status_final(const char *status);

#endif
