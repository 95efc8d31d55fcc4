/* Notifications: kinds, list, read marks, email switches and the mail sweep (see notifications.h). */
#include "operational/notifications.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/goal_plan.h"
#include "operational/mail.h"
#include "operational/queries.h"

/* Every kind Parity writes. A new kind is one line here, plus the INSERT in its event's transaction. */
const struct parity_notification_kind parity_notification_kinds[] = {
  { "deposit_credited", "A deposit is credited", false },
  { "rebalance_executed", "Your portfolio is rebalanced", false },
  { "new_sign_in", "Someone signs in to your account", true },
  { "goal_off_track", "A goal falls off track", true },
  { "dividend_paid", "A dividend is paid", false },
  { "harvest_done", "Losses are harvested for taxes", false },
};
const size_t parity_notification_kinds_count = sizeof(parity_notification_kinds) / sizeof(parity_notification_kinds[0]);

/* Appends formatted text (short: ids and kind names). */
static void bprintf(struct parity_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct parity_buf *b, const char *fmt, ...)
{
  char text[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n > 0)
    parity_buf_add(b, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

const struct parity_notification_kind *parity_notification_kind_find(const char *kind)
{
  for (size_t i = 0; kind && i < parity_notification_kinds_count; i++)
    if (strcmp(parity_notification_kinds[i].kind, kind) == 0)
      return &parity_notification_kinds[i];
  return NULL;
}

static int unread_count(struct parity_db *db, const char *uid, int64_t *n)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_NOTIF_UNREAD, &res, uid);
  if (!rc)
    *n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  return rc;
}

int parity_svc_notifications_list(struct parity_db *db, int64_t user_id, json_t **out)
{
  *out = NULL;
  char uid[PARITY_I64_TEXT], limit[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(PARITY_NOTIFICATIONS_PAGE, limit);
  int64_t unread = 0;
  PGresult *res = NULL;
  int rc = unread_count(db, uid, &unread);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_NOTIF_LIST, &res, uid, limit);
  if (rc)
    return rc;
  json_t *list = json_array();
  for (int i = 0; i < PQntuples(res); i++)
    json_array_append_new(
        list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10),
                        "kind", PQgetvalue(res, i, 1), "title", PQgetvalue(res, i, 2), "body", PQgetvalue(res, i, 3),
                        "created_at", PQgetvalue(res, i, 4), "read", strcmp(PQgetvalue(res, i, 5), "t") == 0));
  PQclear(res);
  *out = json_pack("{s:I, s:o}", "unread", (json_int_t)unread, "notifications", list);
  return PARITY_OK;
}

int parity_svc_notifications_mark_read(struct parity_db *db, int64_t user_id, const int64_t *ids, size_t n,
                                       json_t **out)
{
  *out = NULL;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct parity_buf arr;
  parity_buf_init(&arr, PARITY_BUF_UNBOUNDED);
  if (ids) {
    parity_buf_add(&arr, "{", 1);
    for (size_t i = 0; i < n; i++)
      bprintf(&arr, "%s%lld", i ? "," : "", (long long)ids[i]);
    parity_buf_add(&arr, "}", 1);
  }
  int rc = PARITY_DB_EXEC(db, Q_NOTIF_MARK_READ, NULL, uid, ids ? arr.data : NULL);
  parity_buf_free(&arr);
  int64_t unread = 0;
  if (!rc)
    rc = unread_count(db, uid, &unread);
  if (!rc)
    *out = json_pack("{s:I}", "unread", (json_int_t)unread);
  return rc;
}

int parity_svc_notification_settings_get(struct parity_db *db, int64_t user_id, json_t **out)
{
  *out = NULL;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_NOTIF_SETTINGS_GET, &res, uid);
  if (rc)
    return rc;
  json_t *email = json_object(), *kinds = json_array();
  for (size_t k = 0; k < parity_notification_kinds_count; k++) {
    const struct parity_notification_kind *nk = &parity_notification_kinds[k];
    bool on = nk->email_default;
    for (int i = 0; i < PQntuples(res); i++)
      if (strcmp(PQgetvalue(res, i, 0), nk->kind) == 0)
        on = strcmp(PQgetvalue(res, i, 1), "t") == 0;
    json_object_set_new(email, nk->kind, json_boolean(on));
    json_array_append_new(
        kinds, json_pack("{s:s, s:s, s:b}", "kind", nk->kind, "label", nk->label, "email_default", nk->email_default));
  }
  PQclear(res);
  *out = json_pack("{s:o, s:o}", "email", email, "kinds", kinds);
  return PARITY_OK;
}

int parity_svc_notification_settings_put(struct parity_db *db, int64_t user_id, const json_t *email, json_t **out,
                                         struct parity_svc_error *err)
{
  *out = NULL;
  const char *kind;
  json_t *value;
  json_object_foreach((json_t *)email, kind, value) {
    if (!parity_notification_kind_find(kind))
      return parity_svc_fail(err, PARITY_EINVAL, "UNKNOWN_KIND", "no notification kind %.40s", kind);
    if (!json_is_boolean(value))
      return parity_svc_fail(err, PARITY_EINVAL, NULL, "email.%.40s must be true or false", kind);
  }
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  json_object_foreach((json_t *)email, kind, value) {
    rc = PARITY_DB_EXEC(db, Q_NOTIF_SETTINGS_PUT, NULL, uid, kind, json_is_true(value) ? "true" : "false");
    if (rc)
      break;
  }
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  return rc ? rc : parity_svc_notification_settings_get(db, user_id, out);
}

int parity_notify_goals_off_track(struct parity_db *db, const char *forecast_id, int64_t user_id)
{
  char uid[PARITY_I64_TEXT], threshold[32];
  parity_i64(user_id, uid);
  snprintf(threshold, sizeof(threshold), "%.17g", PARITY_GOAL_ON_TRACK);
  return PARITY_DB_EXEC(db, Q_NOTIF_GOALS_OFF_TRACK, NULL, forecast_id, forecast_id ? NULL : uid, threshold);
}

/* One claim of at most PARITY_NOTIFICATIONS_MAIL_BATCH; *claimed says how many. */
static int mail_batch(struct parity_app *app, struct parity_db *db, int *claimed)
{
  /* The kinds emailed by default, as a PostgreSQL array: a row without a switch takes its kind's default. */
  struct parity_buf on;
  parity_buf_init(&on, PARITY_BUF_UNBOUNDED);
  parity_buf_add(&on, "{", 1);
  for (size_t k = 0, first = 1; k < parity_notification_kinds_count; k++)
    if (parity_notification_kinds[k].email_default) {
      bprintf(&on, "%s%s", first ? "" : ",", parity_notification_kinds[k].kind);
      first = 0;
    }
  parity_buf_add(&on, "}", 1);
  char limit[PARITY_I64_TEXT];
  parity_i64(PARITY_NOTIFICATIONS_MAIL_BATCH, limit);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_NOTIF_MAIL_CLAIM, &res, on.data, limit);
  parity_buf_free(&on);
  if (rc)
    return rc;
  *claimed = PQntuples(res);
  /* Claimed before sending: an email is sent at most once (a crash between the two loses it, logged by
     the mail queue's absence of a "mail_sent" line), never twice. */
  for (int i = 0; i < PQntuples(res); i++) {
    if (strcmp(PQgetvalue(res, i, 5), "t") != 0)
      continue;
    const char *to = PQgetvalue(res, i, 1), *title = PQgetvalue(res, i, 3), *text = PQgetvalue(res, i, 4);
    char subject[PARITY_MAIL_SUBJECT_MAX];
    snprintf(subject, sizeof(subject), "Parity: %s", title);
    char body[PARITY_MAIL_BODY_MAX];
    snprintf(body, sizeof(body),
             "%s\n\n%s\n\nYou can switch these emails off in your account's notification settings.\n", title, text);
    int mrc =
        app->mail ? parity_mail_enqueue(app->mail, PQgetvalue(res, i, 2), to, subject, body) : PARITY_EUNAVAILABLE;
    if (mrc)
      parity_log(PARITY_LOG_ERROR, "mail_not_queued", "{s:s, s:s, s:s}", "kind", PQgetvalue(res, i, 2),
                 "notification_id", PQgetvalue(res, i, 0), "error", parity_err_str(mrc));
  }
  PQclear(res);
  return PARITY_OK;
}

int parity_notifications_mail_sweep(struct parity_app *app, struct parity_db *db)
{
  /* A backlog drains at once, up to a bound that keeps the LISTEN thread's other channels served. */
  int claimed = PARITY_NOTIFICATIONS_MAIL_BATCH, rc = PARITY_OK;
  for (int i = 0; i < PARITY_NOTIFICATIONS_MAIL_ROUNDS && claimed == PARITY_NOTIFICATIONS_MAIL_BATCH && !rc; i++)
    rc = mail_batch(app, db, &claimed);
  return rc;
}

int parity_notifications_on_notified(struct parity_app *app, struct parity_db *db, const char *payload)
{
  (void)payload;
  return parity_notifications_mail_sweep(app, db);
}

int parity_notifications_on_connected(struct parity_app *app, struct parity_db *db)
{
  return parity_notifications_mail_sweep(app, db);
}
