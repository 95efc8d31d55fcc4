/* Savings goals: CRUD, and each goal's probability of success from a forecast of the portfolio (goal_plan.h
 * defines it), asked again whenever it is stale: the goal changed, the portfolio moved by more than
 * PARITY_GOAL_STALE_FRACTION, or a new month began. */
#ifndef PARITY_SVC_GOALS_H
#define PARITY_SVC_GOALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"

struct parity_goal_input {
  const char *name; /* NULL: unchanged (PATCH) */
  bool has_target, has_day, has_monthly;
  int64_t target_cents;
  int32_t target_day;
  int64_t monthly_cents;
};

/* {"goals":[goal...]} after asking new forecasts for the stale ones. A goal is
 * {"id","name","target_cents","target_date","monthly_cents","months","status","probability","basis_cents",
 *  "forecast_id","computed_at"}; status: on_track, off_track, pending (forecast being computed),
 * unavailable (no forecast can be made: "reason" says why), due (the target date is less than a month away). */
int parity_svc_goals_list(struct parity_db *db, int64_t user_id, json_t **out);

/* Creates a goal (all of name, target, day; monthly defaults to 0); *out is the goal. Errors: PARITY_EINVAL
 * (TARGET_DATE_TOO_SOON, TARGET_DATE_TOO_FAR), PARITY_ECONFLICT (TOO_MANY_GOALS). */
int parity_svc_goal_create(struct parity_db *db, int64_t user_id, const struct parity_goal_input *in, json_t **out,
                           struct parity_svc_error *err);

/* Changes the given fields (and asks a new forecast); PARITY_ENOTFOUND for another's or no goal. */
int parity_svc_goal_update(struct parity_db *db, int64_t user_id, int64_t goal_id, const struct parity_goal_input *in,
                           json_t **out, struct parity_svc_error *err);

int parity_svc_goal_delete(struct parity_db *db, int64_t user_id, int64_t goal_id);

/* One goal as the list shows it (refreshed); PARITY_ENOTFOUND for another's or no goal. */
int parity_svc_goal_get(struct parity_db *db, int64_t user_id, int64_t goal_id, json_t **out);

#endif
