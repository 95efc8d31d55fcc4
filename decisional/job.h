/* The job interface between the decisional consumer loop and its handlers (decisional/h_*.c). */
#ifndef PARITY_JOB_H
#define PARITY_JOB_H

#include <jansson.h>
#include <stdatomic.h>

#include "common/config.h"
#include "common/message.h"
#include "common/metrics.h"
#include "common/pg.h"

struct parity_decisional_metrics {
  struct parity_metric *messages;         /* {type,status} */
  struct parity_metric *message_duration; /* {type} */
  struct parity_metric *forecast_duration;
  struct parity_metric *hrp_duration;
  struct parity_metric *rows_upserted;
  struct parity_metric *quality_findings; /* {check,severity}: open market_quality rows after a sync */
};

/* What a handler gets: an open transaction, the validated message, and where to leave its event. */
struct parity_job {
  struct parity_db *db;
  const struct parity_config *cfg;
  const struct parity_message *msg;
  struct parity_decisional_metrics *metrics;
  atomic_int *stop;
  /* The consumer's second connection, for progress outside the handler's transaction (job_track.h); NULL:
   * no progress is reported. Opened on first use. */
  struct parity_db *progress_db;
  enum parity_msg_type event_type; /* set with event_payload to publish an event after commit */
  json_t *event_payload;           /* owned by the job once set */
  const char *outcome;             /* metrics status when not plain "ok" (e.g. "data_error") */
  char failure[384];               /* set when the command's job failed although the message is done (bad data);
                                      with a permanent error returned, the reason its dead-lettered job gives */
};

/*
 * A handler runs inside the transaction that also records the message as processed. It returns
 * PARITY_OK to commit (including when it recorded a failure of the data, not of the system), a
 * transient error (PARITY_EDB, EAMQP, EIO, ERATE, EUPSTREAM, EUNAVAILABLE) to roll back and retry
 * later, or a permanent one (PARITY_EINVAL, ENUMERIC, ...) to roll back and dead-letter.
 */
typedef int (*parity_job_handler)(struct parity_job *job);

/* Handlers (decisional/h_*.c). */
int parity_h_sync_daily(struct parity_job *job);
int parity_h_sync_intraday(struct parity_job *job);
int parity_h_generate(struct parity_job *job);
/* forecasts, models, history */
int parity_h_forecast(struct parity_job *job);
int parity_h_rebalance_batch(struct parity_job *job);
/* the models' risk and walk-forward backtest of one as-of day (decisional/h_backtest.c) */
int parity_h_backtest(struct parity_job *job);

struct parity_models_params;
/* The model parameters of a CMD_GENERATE or CMD_BACKTEST: the configuration, then the payload's "params". */
void parity_h_models_params(const struct parity_job *job, struct parity_models_params *params);

#endif
