/*
 * Notifications: the kinds (one line each in notifications.c), the investor's list, unread count and read
 * marks, the per-kind email switches, and the mail sweep. The rows themselves are written by the events'
 * own transactions (migration 0010 documents where); this module only reads, marks and mails them.
 */
#ifndef PARITY_NOTIFICATIONS_H
#define PARITY_NOTIFICATIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"

struct parity_app;

#define PARITY_NOTIFICATIONS_PAGE 50        /* newest notifications listed */
#define PARITY_NOTIFICATIONS_MAIL_BATCH 100 /* notifications claimed per statement of the mail sweep */
#define PARITY_NOTIFICATIONS_MAIL_ROUNDS 20 /* statements per sweep at most */
#define PARITY_NOTIFICATIONS_SWEEP_SECONDS 60
#define PARITY_NOTIFICATIONS_CHANNEL "notifications_added"

struct parity_notification_kind {
  const char *kind;   /* notifications.kind */
  const char *label;  /* the settings' wording */
  bool email_default; /* emailed unless the investor switched it off */
};

extern const struct parity_notification_kind parity_notification_kinds[];
extern const size_t parity_notification_kinds_count;

/* The kind's row, or NULL for a kind that is not listed. */
const struct parity_notification_kind *parity_notification_kind_find(const char *kind);

/* {"unread":N,"notifications":[{"id","kind","title","body","created_at","read"}...]} newest first. */
int parity_svc_notifications_list(struct parity_db *db, int64_t user_id, json_t **out);

/* Marks `ids` (n of them) read, or every unread one when ids is NULL; *out = {"unread":N} after. */
int parity_svc_notifications_mark_read(struct parity_db *db, int64_t user_id, const int64_t *ids, size_t n,
                                       json_t **out);

/* {"email":{"kind":bool,...},"kinds":[{"kind","label","email_default"}]} */
int parity_svc_notification_settings_get(struct parity_db *db, int64_t user_id, json_t **out);

/* `email` maps kinds to booleans (validated by the caller's schema); PARITY_EINVAL UNKNOWN_KIND. */
int parity_svc_notification_settings_put(struct parity_db *db, int64_t user_id, const json_t *email, json_t **out,
                                         struct parity_svc_error *err);

/* Goals whose forecast `forecast_id` (or, with NULL, any forecast of `user_id`) says they fell off track get
 * their notification, once per change to off track (goals.off_track). */
int parity_notify_goals_off_track(struct parity_db *db, const char *forecast_id, int64_t user_id);

/* The mail sweep: claims unmailed notifications and queues an email for each one whose switch is on. */
int parity_notifications_mail_sweep(struct parity_app *app, struct parity_db *db);
/* pg_listener's shapes of the sweep: on NOTIFY, after a reconnection and on its tick. */
int parity_notifications_on_notified(struct parity_app *app, struct parity_db *db, const char *payload);
int parity_notifications_on_connected(struct parity_app *app, struct parity_db *db);

#endif
