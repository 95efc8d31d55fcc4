/* Card deposits through Stripe (svc_stripe.h) and the SPA's public configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/stripe_sig.h"
#include "operational/svc_stripe.h"

static const struct parity_json_field intent_fields[] = {
  { "amount_cents", PJ_INTEGER, true, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
};

static int disabled(struct parity_response *res)
{
  return parity_res_error(res, PARITY_ENOTFOUND, "CARD_DEPOSITS_DISABLED", "card deposits are not enabled");
}

int h_stripe_intent(struct parity_request *req, struct parity_response *res)
{
  const struct parity_config *cfg = &req->app->cfg;
  if (!parity_stripe_enabled(cfg))
    return disabled(res);
  const char *key = NULL;
  json_t *body = NULL;
  int rc = parity_req_idempotency_key(req, res, &key);
  if (!rc)
    rc = parity_req_json(req, res, intent_fields, 1, &body);
  if (rc)
    return rc;
  int64_t cents = parity_json_int(body, "amount_cents", 0);
  json_decref(body);
  char fresh[PARITY_UUID_TEXT];
  if (!key) { /* no key: this request's own, so a retry by the client is a new intent */
    parity_uuid_v4(fresh);
    key = fresh;
  }
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_stripe_intent(db, cfg, req->user_id, cents, key, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 201, out);
}

/*
 * Stripe's delivery: the signature over the raw body first (nothing is parsed before it holds), then
 * the event once. A refused signature is 400 (Stripe retries a delivery it could not make); a replayed
 * event id is 200 with "duplicate": true and credits nothing.
 */
int h_stripe_webhook(struct parity_request *req, struct parity_response *res)
{
  const struct parity_config *cfg = &req->app->cfg;
  if (!parity_stripe_enabled(cfg))
    return disabled(res);
  const char *payload = req->body ? req->body : "";
  enum parity_stripe_sig sig =
      parity_stripe_sig_verify(parity_req_header(req, "Stripe-Signature"), payload, req->body_len,
                               cfg->stripe_webhook_secret, (int64_t)time(NULL), PARITY_STRIPE_SIG_TOLERANCE_SECONDS);
  if (sig != PARITY_STRIPE_SIG_OK) {
    parity_log(PARITY_LOG_WARN, "stripe_webhook_refused", "{s:s, s:s}", "reason", parity_stripe_sig_code(sig),
               "client_ip", req->client_ip);
    return parity_res_error(res, PARITY_EINVAL, parity_stripe_sig_code(sig), "%s",
                            sig == PARITY_STRIPE_SIG_EXPIRED ? "the signature's timestamp is outside the tolerance"
                                                             : "the Stripe-Signature header does not verify");
  }
  json_t *event = NULL;
  int rc = parity_json_parse_object(payload, req->body_len, PARITY_HTTP_MAX_BODY, &event, res->error_message,
                                    sizeof(res->error_message));
  if (rc) {
    res->error_code = "INVALID_EVENT";
    return rc;
  }
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc) {
    json_decref(event);
    return rc;
  }
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_stripe_webhook(db, event, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  json_decref(event);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}

/* What the SPA needs before signing in: whether card deposits exist, and Stripe's publishable key. */
int h_client_config(struct parity_request *req, struct parity_response *res)
{
  const struct parity_config *cfg = &req->app->cfg;
  bool card = parity_stripe_enabled(cfg) && cfg->stripe_publishable_key && cfg->stripe_publishable_key[0];
  return parity_res_json(res, 200,
                         json_pack("{s:b, s:o}", "card_deposits", card, "stripe_publishable_key",
                                   card ? json_string(cfg->stripe_publishable_key) : json_null()));
}
