/* parity-decisional's prepared statements: the names; the SQL lives in queries.c alone. */
#ifndef PARITY_DEC_QUERIES_H
#define PARITY_DEC_QUERIES_H

#include "common/pg.h"

enum parity_dec_query {
  QD_PING,
  QD_PROCESSED_INSERT,
  QD_INTRADAY_PRUNE,
  QD_SYNC_LOG_INSERT,
  QD_SYNC_LOG_FINISH,
  QD_LAST_DAY,
  QD_DAILY_SERIES,
  QD_MODEL_UPSERT,
  QD_MODELS_PRUNE,
  QD_FORECAST_COMPLETE,
  QD_FORECAST_FAIL,
  QD_FORECAST_NOTIFY,
  QD_REBALANCE_BATCH_COMPUTED,
  /* forecasts, models, history */
  QD_FORECAST_SERIES,
  /* the models' risk and backtest (CMD_BACKTEST) */
  QD_MODELS_AT_DAY,
  QD_ANALYTICS_FRESH,
  QD_ANALYTICS_UPSERT,
  QD_ANALYTICS_PRUNE,
  /* market data: quality, incremental sync, events */
  QD_QUALITY_CLEAR,
  QD_QUALITY_INSERT,
  QD_QUALITY_COUNTS,
  QD_QUALITY_BLOCKING,
  QD_SYMBOL_LAST_DAYS,
  QD_EVENT_UPSERT,
  QD_SPLITS_OF,
  QD_QUALITY_EDGES,
  /* dividends */
  QD_DIVIDENDS_UPSERT,
  /* the jobs of the commands (job_track.c) */
  QD_JOB_RUNNING,
  QD_JOB_DONE,
  QD_JOB_FAIL,
  QD_JOB_PROGRESS,
  QD_DEC_QUERY_COUNT
};

extern const struct parity_stmt parity_dec_stmts[QD_DEC_QUERY_COUNT];

/*
 * Statements PostgreSQL cannot prepare (utility commands) or that name a session's temporary table,
 * which does not exist when the connection prepares its table: run with parity_db_exec_sql().
 */
enum parity_dec_sql {
  SQL_STAGING_CREATE,
  SQL_STAGING_TRUNCATE,
  SQL_STAGING_COPY,
  SQL_DAILY_UPSERT,
  SQL_INTRADAY_STAGING_CREATE,
  SQL_INTRADAY_STAGING_TRUNCATE,
  SQL_INTRADAY_STAGING_COPY,
  SQL_INTRADAY_UPSERT,
  SQL_SAVEPOINT_LOAD,
  SQL_ROLLBACK_TO_LOAD,
  SQL_RELEASE_LOAD,
  SQL_REBALANCE_TARGETS_COPY,
  SQL_REVISIONS_INSERT,
  SQL_REBASE,
  SQL_DEC_COUNT
};

extern const char *const parity_dec_sql[SQL_DEC_COUNT];

#endif
