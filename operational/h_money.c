/* The investor's money routes: onboarding, wallet, invest, sell, portfolio, trades, transactions. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "common/limits.h"
#include "operational/app.h"
#include "operational/auth_gate.h"
#include "operational/handlers.h"
#include "operational/money.h"
#include "operational/svc_ledger.h"
#include "operational/svc_onboarding.h"
#include "operational/svc_portfolio.h"

#define PAGE_LIMIT_MAX 100
#define PAGE_LIMIT_DEFAULT 20
#define PORTFOLIO_RETRY_SECONDS 1

static const struct parity_json_field amount_fields[] = {
  { "amount_cents", PJ_INTEGER, true, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
};
static const struct parity_json_field sell_fields[] = {
  { "amount_cents", PJ_INTEGER, false, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
  { "all", PJ_BOOL, false, 0, 0, 0 },
};
static const struct parity_json_field onboarding_fields[] = {
  { "answers", PJ_OBJECT, true, 0, 0, 0 },
};

/* Idempotency-Key: 1..128 printable ASCII characters, or absent. */
int parity_req_idempotency_key(struct parity_request *req, struct parity_response *res, const char **key)
{
  *key = parity_req_header(req, "Idempotency-Key");
  if (!*key)
    return PARITY_OK;
  size_t n = strlen(*key);
  bool ok = n >= 1 && n <= PARITY_IDEMPOTENCY_KEY_MAX;
  for (size_t i = 0; ok && i < n; i++)
    ok = (*key)[i] > 0x20 && (*key)[i] < 0x7f;
  if (!ok)
    return parity_res_error(res, PARITY_EINVAL, "INVALID_IDEMPOTENCY_KEY",
                            "Idempotency-Key must be 1 to 128 printable ASCII characters");
  return PARITY_OK;
}

void parity_req_body_hash(const struct parity_request *req, char *out)
{
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)(req->body ? req->body : ""), req->body_len);
  sodium_bin2hex(out, PARITY_BODY_HASH_TEXT, digest, sizeof(digest));
}

/* Parses, runs one money service, and answers 201 (or the first answer again, for a repeated key). */
static int money_route(struct parity_request *req, struct parity_response *res, bool sell, parity_money_fn *fn)
{
  struct parity_money_request rq = { .user_id = req->user_id };
  json_t *body = NULL;
  int rc = parity_req_idempotency_key(req, res, &rq.idempotency_key);
  if (!rc)
    rc = sell ? parity_req_json(req, res, sell_fields, 2, &body) : parity_req_json(req, res, amount_fields, 1, &body);
  if (rc)
    return rc;
  rq.amount_cents = parity_json_int(body, "amount_cents", 0);
  rq.all = json_is_true(json_object_get(body, "all"));
  json_decref(body);
  if (sell && (rq.all == (rq.amount_cents > 0)))
    return parity_res_error(res, PARITY_EINVAL, NULL, "give either amount_cents or \"all\": true");
  parity_req_body_hash(req, rq.body_hash);

  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  bool replayed = false;
  struct parity_svc_error err = { 0 };
  rc = fn(db, &req->app->cfg, &rq, &out, &replayed, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  if (replayed)
    parity_res_header(res, "Idempotent-Replayed", "true");
  parity_wakeup_kick(&req->app->outbox_wake);
  return parity_res_json(res, 201, out);
}

int h_wallet_deposit(struct parity_request *req, struct parity_response *res)
{
  return money_route(req, res, false, parity_svc_deposit);
}

int h_wallet_withdraw(struct parity_request *req, struct parity_response *res)
{
  return money_route(req, res, false, parity_svc_withdraw);
}

int h_portfolio_invest(struct parity_request *req, struct parity_response *res)
{
  return money_route(req, res, false, parity_svc_invest);
}

int h_portfolio_sell(struct parity_request *req, struct parity_response *res)
{
  return money_route(req, res, true, parity_svc_sell);
}

int h_wallet_get(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_wallet_get(db, req->user_id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

/* The read cache was never loaded (the database was unreachable since startup): come back shortly. */
static int unavailable(struct parity_response *res)
{
  res->retry_after = PORTFOLIO_RETRY_SECONDS;
  return parity_res_error(res, PARITY_EUNAVAILABLE, NULL, "prices are not loaded yet; retry shortly");
}

int h_portfolio_get(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  struct parity_buf body;
  parity_buf_init(&body, PARITY_BUF_UNBOUNDED);
  bool session_live = false;
  /* The route's auth is PARITY_AUTH_USER_SESSION_IN_HANDLER: the session is checked in the same statement. */
  rc = parity_svc_portfolio_get(db, &req->app->read_cache, req->user_id, req->token_id, &session_live, &body);
  parity_db_pool_release(&req->app->pool, db);
  if (rc || !session_live) {
    parity_buf_free(&body);
    if (rc)
      return rc == PARITY_EUNAVAILABLE ? unavailable(res) : rc;
    return parity_auth_gate_session_ended(req, res);
  }
  res->raw_len = body.len;
  res->raw = parity_buf_take(&body);
  res->content_type = "application/json";
  res->status = 200;
  return PARITY_OK;
}

/* ?page=&limit= : page >= 1, 1 <= limit <= 100. */
static int read_paging(struct parity_request *req, struct parity_response *res, long *page, long *limit)
{
  const char *p = parity_req_query(req, "page"), *l = parity_req_query(req, "limit");
  char *end;
  *page = 1;
  *limit = PAGE_LIMIT_DEFAULT;
  if (p) {
    *page = strtol(p, &end, 10);
    if (end == p || *end || *page < 1 || *page > 1000000)
      return parity_res_error(res, PARITY_EINVAL, NULL, "page must be an integer from 1");
  }
  if (l) {
    *limit = strtol(l, &end, 10);
    if (end == l || *end || *limit < 1 || *limit > PAGE_LIMIT_MAX)
      return parity_res_error(res, PARITY_EINVAL, NULL, "limit must be an integer from 1 to %d", PAGE_LIMIT_MAX);
  }
  return PARITY_OK;
}

typedef int (*list_fn)(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out);

static int list_route(struct parity_request *req, struct parity_response *res, list_fn fn)
{
  long page, limit;
  int rc = read_paging(req, res, &page, &limit);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = fn(db, req->user_id, page, limit, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int h_portfolio_trades(struct parity_request *req, struct parity_response *res)
{
  return list_route(req, res, parity_svc_trades);
}

int h_transactions(struct parity_request *req, struct parity_response *res)
{
  return list_route(req, res, parity_svc_transactions);
}

int h_onboarding_questions(struct parity_request *req, struct parity_response *res)
{
  (void)req;
  return parity_res_json(res, 200, parity_onboarding_questions_new());
}

int h_onboarding_submit(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity_req_json(req, res, onboarding_fields, 1, &body);
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
  rc = parity_svc_onboarding_submit(db, req->user_id, json_object_get(body, "answers"), &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  json_decref(body);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}
