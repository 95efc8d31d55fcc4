/* Goals: rows in `goals`, probabilities from forecasts asked through parity_svc_forecast_create. */
#include "operational/svc_goals.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/goal_plan.h"
#include "operational/notifications.h"
#include "operational/queries.h"
#include "operational/svc_forecast.h"
#include "operational/svc_portfolio.h"

/* Columns of Q_GOALS_LIST / Q_GOAL_GET. */
enum {
  G_ID,
  G_NAME,
  G_TARGET,
  G_DAY_TEXT,
  G_DAY,
  G_MONTHLY,
  G_FORECAST,
  G_BASIS,
  G_MONTH,
  G_F_STATUS,
  G_F_PROBABILITY,
  G_F_ERROR,
  G_F_COMPLETED,
};

/* Today (New York) and the first day of its month, as day numbers. */
static int today_and_month(struct parity_db *db, int32_t *today, int32_t *month)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_HISTORY_TODAY, &res);
  if (rc)
    return rc;
  *today = (int32_t)atol(PQgetvalue(res, 0, 0));
  PQclear(res);
  int y, m, d;
  parity_day_to_ymd(*today, &y, &m, &d);
  *month = parity_day_from_ymd(y, m, 1);
  return PARITY_OK;
}

static int check_horizon(int32_t today, int32_t target, struct parity_svc_error *err)
{
  int months = parity_goal_months(today, target);
  if (months < 1)
    return parity_svc_fail(err, PARITY_EINVAL, "TARGET_DATE_TOO_SOON", "the target date must be at least a month away");
  if (months > PARITY_FORECAST_MAX_MONTHS)
    return parity_svc_fail(err, PARITY_EINVAL, "TARGET_DATE_TOO_FAR", "the target date must be within %d years",
                           PARITY_FORECAST_MAX_MONTHS / 12);
  return PARITY_OK;
}

static bool col_null(PGresult *res, int row, int col)
{
  return PQgetisnull(res, row, col) != 0;
}

/* Asks a new forecast for goal `row` when it has none that fits the goal, the portfolio and the month.
 * *reason is set (static text) when no forecast can be made for this portfolio. */
static int refresh_one(struct parity_db *db, int64_t user_id, PGresult *res, int row, int32_t today, int32_t month,
                       const struct parity_portfolio_view *v, const char **reason)
{
  int32_t day = (int32_t)atol(PQgetvalue(res, row, G_DAY));
  int months = parity_goal_months(today, day);
  if (months < 1)
    return PARITY_OK; /* due: the last forecast stays as it was */
  if (months > PARITY_FORECAST_MAX_MONTHS)
    months = PARITY_FORECAST_MAX_MONTHS;
  if (!col_null(res, row, G_FORECAST)) {
    const char *status = col_null(res, row, G_F_STATUS) ? "error" : PQgetvalue(res, row, G_F_STATUS);
    if (strcmp(status, "pending") == 0)
      return PARITY_OK;
    if (strcmp(status, "complete") == 0 && !col_null(res, row, G_BASIS) && !col_null(res, row, G_MONTH) &&
        !parity_goal_forecast_stale(strtoll(PQgetvalue(res, row, G_BASIS), NULL, 10),
                                    (int32_t)atol(PQgetvalue(res, row, G_MONTH)), v->value_cents, month))
      return PARITY_OK;
  }
  if (v->value_cents > PARITY_MAX_VALUE_CENTS) {
    *reason = "the portfolio is worth more than a forecast takes";
    return PARITY_OK;
  }
  struct parity_forecast_request rq = {
    .monthly_cents = strtoll(PQgetvalue(res, row, G_MONTHLY), NULL, 10),
    .months = months,
    .has_initial = true,
    .initial_cents = v->value_cents,
    .has_goal = true,
    .goal_cents = strtoll(PQgetvalue(res, row, G_TARGET), NULL, 10),
  };
  char id[PARITY_UUID_TEXT];
  struct parity_svc_error err = { 0 };
  int rc = parity_svc_forecast_create(db, user_id, &rq, id, &err);
  if (rc == PARITY_ECONFLICT) {
    *reason = "answer the onboarding questions first: a forecast needs a model portfolio";
    return PARITY_OK;
  }
  if (rc == PARITY_ERATE)
    return PARITY_OK; /* too many forecasts pending: the next read asks again */
  if (rc)
    return rc;
  char uid[PARITY_I64_TEXT], basis[PARITY_I64_TEXT], month_text[PARITY_DAY_TEXT];
  parity_i64(user_id, uid);
  parity_i64(v->value_cents, basis);
  parity_day_format(month, month_text);
  return PARITY_DB_EXEC(db, Q_GOAL_SET_FORECAST, NULL, PQgetvalue(res, row, G_ID), uid, id, basis, month_text);
}

static json_t *goal_json(PGresult *res, int row, int32_t today, const char *reason)
{
  int32_t day = (int32_t)atol(PQgetvalue(res, row, G_DAY));
  int months = parity_goal_months(today, day);
  bool complete = !col_null(res, row, G_F_STATUS) && strcmp(PQgetvalue(res, row, G_F_STATUS), "complete") == 0;
  double probability =
      complete && !col_null(res, row, G_F_PROBABILITY) ? atof(PQgetvalue(res, row, G_F_PROBABILITY)) : -1.0;
  const char *status;
  if (months < 1)
    status = "due";
  else if (reason)
    status = "unavailable";
  else if (col_null(res, row, G_F_STATUS) || strcmp(PQgetvalue(res, row, G_F_STATUS), "pending") == 0)
    status = "pending";
  else if (!complete) {
    status = "unavailable";
    reason = "the forecast could not be computed; it is asked again at the next read";
  } else
    status = parity_goal_status(probability);
  json_t *g = json_pack(
      "{s:I, s:s, s:I, s:s, s:I, s:i, s:s}", "id", (json_int_t)strtoll(PQgetvalue(res, row, G_ID), NULL, 10), "name",
      PQgetvalue(res, row, G_NAME), "target_cents", (json_int_t)strtoll(PQgetvalue(res, row, G_TARGET), NULL, 10),
      "target_date", PQgetvalue(res, row, G_DAY_TEXT), "monthly_cents",
      (json_int_t)strtoll(PQgetvalue(res, row, G_MONTHLY), NULL, 10), "months", months, "status", status);
  json_object_set_new(g, "probability", probability >= 0.0 ? json_real(probability) : json_null());
  json_object_set_new(g, "basis_cents",
                      col_null(res, row, G_BASIS)
                          ? json_null()
                          : json_integer((json_int_t)strtoll(PQgetvalue(res, row, G_BASIS), NULL, 10)));
  json_object_set_new(g, "forecast_id",
                      col_null(res, row, G_FORECAST) ? json_null() : json_string(PQgetvalue(res, row, G_FORECAST)));
  json_object_set_new(g, "computed_at",
                      col_null(res, row, G_F_COMPLETED) ? json_null()
                                                        : json_string(PQgetvalue(res, row, G_F_COMPLETED)));
  if (reason)
    json_object_set_new(g, "reason", json_string(reason));
  return g;
}

/* Refreshes the goals (all, or only `goal_id` when > 0) and returns them as a JSON array. */
static int load_goals(struct parity_db *db, int64_t user_id, int64_t goal_id, json_t **out)
{
  *out = NULL;
  char uid[PARITY_I64_TEXT], gid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(goal_id, gid);
  int32_t today, month;
  int rc = today_and_month(db, &today, &month);
  if (rc)
    return rc;
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  PGresult *res = NULL;
  const char **reasons = NULL;
  rc = parity_svc_portfolio_load(db, user_id, v);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_GOALS_LIST, &res, uid, gid);
  if (rc)
    goto out;
  int n = PQntuples(res);
  reasons = parity_xcalloc((size_t)n + 1, sizeof(*reasons));
  for (int i = 0; i < n && !rc; i++)
    rc = refresh_one(db, user_id, res, i, today, month, v, &reasons[i]);
  if (rc)
    goto out;
  /* Goals whose forecast says they fell off track are told (once per change), whichever replica heard it. */
  if (n > 0)
    rc = parity_notify_goals_off_track(db, NULL, user_id);
  if (rc)
    goto out;
  if (n > 0) { /* read again: the new forecasts' ids and states */
    PQclear(res);
    res = NULL;
    rc = PARITY_DB_EXEC(db, Q_GOALS_LIST, &res, uid, gid);
    if (rc)
      goto out;
    n = PQntuples(res) < n ? PQntuples(res) : n; /* a goal deleted meanwhile */
  }
  *out = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(*out, goal_json(res, i, today, reasons[i]));
out:
  free(reasons);
  PQclear(res);
  free(v);
  return rc;
}

int parity_svc_goals_list(struct parity_db *db, int64_t user_id, json_t **out)
{
  json_t *goals = NULL;
  int rc = load_goals(db, user_id, 0, &goals);
  *out = rc ? NULL : json_pack("{s:o}", "goals", goals);
  return rc;
}

int parity_svc_goal_get(struct parity_db *db, int64_t user_id, int64_t goal_id, json_t **out)
{
  json_t *goals = NULL;
  *out = NULL;
  int rc = load_goals(db, user_id, goal_id, &goals);
  if (rc)
    return rc;
  if (json_array_size(goals) != 1) {
    json_decref(goals);
    return PARITY_ENOTFOUND;
  }
  *out = json_incref(json_array_get(goals, 0));
  json_decref(goals);
  return PARITY_OK;
}

int parity_svc_goal_create(struct parity_db *db, int64_t user_id, const struct parity_goal_input *in, json_t **out,
                           struct parity_svc_error *err)
{
  *out = NULL;
  int32_t today, month;
  int rc = today_and_month(db, &today, &month);
  if (!rc)
    rc = check_horizon(today, in->target_day, err);
  if (rc)
    return rc;
  char uid[PARITY_I64_TEXT], target[PARITY_I64_TEXT], monthly[PARITY_I64_TEXT], day[PARITY_DAY_TEXT],
      max[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(in->target_cents, target);
  parity_i64(in->has_monthly ? in->monthly_cents : 0, monthly);
  parity_i64(PARITY_GOAL_MAX_PER_USER, max);
  parity_day_format(in->target_day, day);
  PGresult *res = NULL;
  /* Under the user's row lock, so that concurrent creations count each other's goals. */
  rc = parity_db_begin(db);
  if (rc)
    return rc;
  rc = PARITY_DB_EXEC(db, Q_FORECAST_USER_LOCK, NULL, uid);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_GOAL_INSERT, &res, uid, in->name, target, day, monthly, max);
  if (!rc && PQntuples(res) != 1)
    rc = parity_svc_fail(err, PARITY_ECONFLICT, "TOO_MANY_GOALS", "at most %d goals per investor",
                         PARITY_GOAL_MAX_PER_USER);
  int64_t id = rc ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (!rc)
    rc = parity_svc_goal_get(db, user_id, id, out);
  return rc;
}

int parity_svc_goal_update(struct parity_db *db, int64_t user_id, int64_t goal_id, const struct parity_goal_input *in,
                           json_t **out, struct parity_svc_error *err)
{
  *out = NULL;
  int32_t today, month;
  int rc = today_and_month(db, &today, &month);
  if (!rc && in->has_day)
    rc = check_horizon(today, in->target_day, err);
  if (rc)
    return rc;
  char uid[PARITY_I64_TEXT], gid[PARITY_I64_TEXT], target[PARITY_I64_TEXT], monthly[PARITY_I64_TEXT],
      day[PARITY_DAY_TEXT];
  parity_i64(user_id, uid);
  parity_i64(goal_id, gid);
  parity_i64(in->target_cents, target);
  parity_i64(in->monthly_cents, monthly);
  parity_day_format(in->target_day, day);
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_GOAL_UPDATE, &res, gid, uid, in->name, in->has_target ? target : NULL,
                      in->has_day ? day : NULL, in->has_monthly ? monthly : NULL);
  if (rc)
    return rc;
  int found = PQntuples(res);
  PQclear(res);
  if (!found)
    return PARITY_ENOTFOUND;
  return parity_svc_goal_get(db, user_id, goal_id, out);
}

int parity_svc_goal_delete(struct parity_db *db, int64_t user_id, int64_t goal_id)
{
  char uid[PARITY_I64_TEXT], gid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(goal_id, gid);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_GOAL_DELETE, &res, gid, uid);
  if (rc)
    return rc;
  int found = PQntuples(res);
  PQclear(res);
  return found ? PARITY_OK : PARITY_ENOTFOUND;
}
