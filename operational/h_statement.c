/* The statement routes: the months, one month as JSON or PDF, a trade's confirmation (svc_statement.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_statement.h"

#define PDF_SUFFIX ".pdf"

int h_statements_list(struct parity_request *req, struct parity_response *res)
{
  return parity_h_user_read(req, res, parity_svc_statement_months);
}

/* ?format=pdf|json (json when absent), or the path's ".pdf" suffix; a 400 answer for any other format. */
static int read_format(struct parity_request *req, struct parity_response *res, bool suffix_pdf, bool *pdf)
{
  const char *format = parity_req_query(req, "format");
  *pdf = suffix_pdf || (format && strcmp(format, "pdf") == 0);
  if (format && strcmp(format, "pdf") != 0 && strcmp(format, "json") != 0)
    return parity_res_error(res, PARITY_EINVAL, "INVALID_FORMAT", "format must be pdf or json");
  if (suffix_pdf && format && strcmp(format, "json") == 0)
    return parity_res_error(res, PARITY_EINVAL, "INVALID_FORMAT", "a .pdf path cannot ask for format=json");
  return PARITY_OK;
}

/* Answers 200 with the document rendered from doc (which it releases) as an attachment named filename. */
typedef int render_fn(const json_t *doc, struct parity_buf *out);

static int answer_pdf(struct parity_response *res, json_t *doc, render_fn *render, const char *filename)
{
  struct parity_buf pdf;
  parity_buf_init(&pdf, PARITY_BUF_UNBOUNDED);
  int rc = render(doc, &pdf);
  json_decref(doc);
  if (rc) {
    parity_buf_free(&pdf);
    return rc;
  }
  res->raw_len = pdf.len;
  res->raw = parity_buf_take(&pdf);
  res->content_type = "application/pdf";
  res->status = 200;
  char disposition[128];
  snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
  parity_res_header(res, "Content-Disposition", disposition);
  parity_res_header(res, "Cache-Control", "private, no-store");
  return PARITY_OK;
}

int h_statement_get(struct parity_request *req, struct parity_response *res)
{
  char month[PARITY_HTTP_MAX_PARAM_LEN];
  snprintf(month, sizeof(month), "%s", req->params[0]);
  size_t n = strlen(month), suffix = strlen(PDF_SUFFIX);
  bool suffix_pdf = n > suffix && strcmp(month + n - suffix, PDF_SUFFIX) == 0, pdf;
  if (suffix_pdf)
    month[n - suffix] = '\0';
  int rc = read_format(req, res, suffix_pdf, &pdf);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *doc = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_statement(db, req->user_id, month, &doc, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  if (!pdf)
    return parity_res_json(res, 200, doc);
  char filename[PARITY_HTTP_MAX_PARAM_LEN + 32];
  snprintf(filename, sizeof(filename), "parity-statement-%s.pdf", month);
  return answer_pdf(res, doc, parity_statement_pdf, filename);
}

int h_trade_confirmation(struct parity_request *req, struct parity_response *res)
{
  bool pdf;
  int rc = read_format(req, res, false, &pdf);
  if (rc)
    return rc;
  int64_t id = parity_req_id_param(req, 0); /* 0: not an id, so no such trade */
  if (id == 0)
    return parity_res_error(res, PARITY_ENOTFOUND, "TRADE_NOT_FOUND", "no such trade");
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *doc = NULL;
  rc = parity_svc_trade_confirmation(db, req->user_id, id, &doc);
  parity_db_pool_release(&req->app->pool, db);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "TRADE_NOT_FOUND", "no such trade");
  if (rc)
    return rc;
  if (!pdf)
    return parity_res_json(res, 200, doc);
  char filename[64];
  snprintf(filename, sizeof(filename), "parity-trade-%lld.pdf", (long long)id);
  return answer_pdf(res, doc, parity_confirmation_pdf, filename);
}
