/* The tax routes: lots, realized gains, the Form 8949 report, harvests, sale preview, settings (svc_tax.h). */
#include <string.h>

#include "common/errors.h"
#include "common/limits.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_tax.h"

static const struct parity_json_field preview_fields[] = {
  { "amount_cents", PJ_INTEGER, true, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
};
static const struct parity_json_field settings_fields[] = {
  { "lot_method", PJ_STRING, false, 0, 0, 16 },
  { "tax_loss_harvesting", PJ_BOOL, false, 0, 0, 0 },
};

int h_tax_lots(struct parity_request *req, struct parity_response *res)
{
  return parity_h_user_read(req, res, parity_svc_tax_lots);
}

int h_settings_get(struct parity_request *req, struct parity_response *res)
{
  return parity_h_user_read(req, res, parity_svc_settings_get);
}

int h_tax_harvests(struct parity_request *req, struct parity_response *res)
{
  return parity_h_user_read(req, res, parity_svc_tax_harvests);
}

/* ?year= (default: this year); a 400 answer when it is not a year. */
static int read_year(struct parity_request *req, struct parity_response *res, int *year)
{
  struct parity_svc_error err = { 0 };
  int rc = parity_svc_tax_year(parity_req_query(req, "year"), year, &err);
  return rc ? parity_res_svc_error(res, rc, &err) : PARITY_OK;
}

int h_tax_realized(struct parity_request *req, struct parity_response *res)
{
  int year;
  int rc = read_year(req, res, &year);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_tax_realized(db, req->user_id, year, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int h_tax_report(struct parity_request *req, struct parity_response *res)
{
  int year;
  int rc = read_year(req, res, &year);
  if (rc)
    return rc;
  const char *format = parity_req_query(req, "format");
  bool csv = format && strcmp(format, "csv") == 0;
  if (format && !csv && strcmp(format, "json") != 0)
    return parity_res_error(res, PARITY_EINVAL, "INVALID_FORMAT", "format must be csv or json");
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_buf text;
  parity_buf_init(&text, PARITY_BUF_UNBOUNDED);
  rc = parity_svc_tax_report(db, req->user_id, year, &out, csv ? &text : NULL);
  parity_db_pool_release(&req->app->pool, db);
  if (rc) {
    parity_buf_free(&text);
    return rc;
  }
  if (!csv)
    return parity_res_json(res, 200, out);
  res->raw_len = text.len;
  res->raw = parity_buf_take(&text);
  res->content_type = "text/csv; charset=utf-8";
  res->status = 200;
  char disposition[64];
  snprintf(disposition, sizeof(disposition), "attachment; filename=\"parity-8949-%d.csv\"", year);
  parity_res_header(res, "Content-Disposition", disposition);
  return PARITY_OK;
}

int h_sell_preview(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity_req_json(req, res, preview_fields, 1, &body);
  if (rc)
    return rc;
  int64_t amount = parity_json_int(body, "amount_cents", 0);
  json_decref(body);
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_sell_preview(db, req->user_id, amount, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}

int h_settings_patch(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity_req_json(req, res, settings_fields, 2, &body);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc) {
    json_decref(body);
    return rc;
  }
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_settings_set(db, req->user_id, parity_json_str(body, "lot_method", NULL),
                               json_object_get(body, "tax_loss_harvesting"), &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  json_decref(body);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}
