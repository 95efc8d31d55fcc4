/* GET /api/v1/notifications, POST /api/v1/notifications/read, GET/PUT /api/v1/notifications/settings. */
#include <stdlib.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/notifications.h"

#define READ_IDS_MAX PARITY_NOTIFICATIONS_PAGE

static const struct parity_json_field read_fields[] = {
  { "ids", PJ_ARRAY, false, 0, 0, READ_IDS_MAX },
  { "all", PJ_BOOL, false, 0, 0, 0 },
};

static const struct parity_json_field settings_fields[] = {
  { "email", PJ_OBJECT, true, 0, 0, 0 },
};

int h_notifications_list(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_notifications_list(db, req->user_id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int h_notifications_read(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL, *out = NULL;
  int rc = parity_req_json(req, res, read_fields, sizeof(read_fields) / sizeof(read_fields[0]), &body);
  if (rc)
    return rc;
  json_t *ids = json_object_get(body, "ids");
  bool all = json_is_true(json_object_get(body, "all"));
  if ((ids == NULL) == !all) {
    json_decref(body);
    return parity_res_error(res, PARITY_EINVAL, NULL, "give either ids (a list) or \"all\": true");
  }
  int64_t list[READ_IDS_MAX];
  size_t n = 0;
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) {
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
      json_decref(body);
      return parity_res_error(res, PARITY_EINVAL, NULL, "ids must be positive integers");
    }
    list[n++] = (int64_t)json_integer_value(v);
  }
  json_decref(body);
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  rc = parity_svc_notifications_mark_read(db, req->user_id, all ? NULL : list, n, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int h_notification_settings_get(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_notification_settings_get(db, req->user_id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int h_notification_settings_put(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL, *out = NULL;
  int rc = parity_req_json(req, res, settings_fields, sizeof(settings_fields) / sizeof(settings_fields[0]), &body);
  if (rc)
    return rc;
  struct parity_db *db;
  struct parity_svc_error err = { 0 };
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (!rc) {
    rc = parity_svc_notification_settings_put(db, req->user_id, json_object_get(body, "email"), &out, &err);
    parity_db_pool_release(&req->app->pool, db);
  }
  json_decref(body);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}
