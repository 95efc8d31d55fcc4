/* Card deposits through Stripe (svc_stripe.h): the PaymentIntent (libcurl) and the webhook's credit. */
#include "operational/svc_stripe.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "common/limits.h"
#include "common/log.h"
#include "operational/queries.h"

bool parity_stripe_enabled(const struct parity_config *cfg)
{
  return cfg->stripe_secret_key && cfg->stripe_secret_key[0] && cfg->stripe_webhook_secret &&
         cfg->stripe_webhook_secret[0];
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  size_t n = size * nmemb;
  return parity_buf_add(userdata, ptr, n) ? 0 : n; /* over the cap: 0 aborts the transfer */
}

/* Appends "&name=value" (the value URL-encoded) to a form body. */
static void form_field(CURL *c, struct parity_buf *form, const char *name, const char *value)
{
  char *escaped = curl_easy_escape(c, value, 0);
  if (!escaped)
    abort();
  if (form->len)
    parity_buf_add(form, "&", 1);
  parity_buf_add(form, name, strlen(name));
  parity_buf_add(form, "=", 1);
  parity_buf_add(form, escaped, strlen(escaped));
  curl_free(escaped);
}

/* The POST itself: *status and the answer's JSON (NULL when none came). */
static int post_intent(const struct parity_config *cfg, int64_t user_id, int64_t amount_cents, const char *idem,
                       long *status, json_t **answer)
{
  CURL *c = curl_easy_init();
  if (!c)
    abort();
  char uid[PARITY_I64_TEXT], cents[PARITY_I64_TEXT], url[1024], auth[512], idem_header[300];
  struct parity_buf form, body;
  parity_buf_init(&form, PARITY_BUF_UNBOUNDED);
  parity_buf_init(&body, PARITY_STRIPE_ANSWER_MAX);
  form_field(c, &form, "amount", parity_i64(amount_cents, cents));
  form_field(c, &form, "currency", "usd");
  form_field(c, &form, "metadata[user_id]", parity_i64(user_id, uid));
  form_field(c, &form, "automatic_payment_methods[enabled]", "true");
  parity_buf_add(&form, "", 1); /* NUL: CURLOPT_POSTFIELDS reads a string */
  snprintf(url, sizeof(url), "%s/v1/payment_intents", cfg->stripe_api_base);
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg->stripe_secret_key);
  snprintf(idem_header, sizeof(idem_header), "Idempotency-Key: %s", idem);
  struct curl_slist *headers = curl_slist_append(NULL, auth);
  headers = curl_slist_append(headers, idem_header);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.data);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)PARITY_STRIPE_TIMEOUT_MS);
  CURLcode cc = curl_easy_perform(c);
  *status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  curl_easy_cleanup(c);
  curl_slist_free_all(headers);
  parity_buf_free(&form);
  *answer = cc == CURLE_OK && body.data ? json_loadb(body.data, body.len, 0, NULL) : NULL;
  parity_buf_free(&body);
  if (cc != CURLE_OK)
    parity_log(PARITY_LOG_WARN, "stripe_unreachable", "{s:s}", "error", curl_easy_strerror(cc));
  return cc == CURLE_OK ? PARITY_OK : PARITY_EUPSTREAM;
}

int parity_svc_stripe_intent(struct parity_db *db, const struct parity_config *cfg, int64_t user_id,
                             int64_t amount_cents, const char *key, json_t **out, struct parity_svc_error *err)
{
  /* Scoped by investor: two investors sending the same key get two intents. */
  char idem[256], uid[PARITY_I64_TEXT], cents[PARITY_I64_TEXT];
  snprintf(idem, sizeof(idem), "parity-%s-%s", parity_i64(user_id, uid), key);
  long status = 0;
  json_t *answer = NULL;
  int rc = post_intent(cfg, user_id, amount_cents, idem, &status, &answer);
  const char *id = json_string_value(json_object_get(answer, "id"));
  const char *secret = json_string_value(json_object_get(answer, "client_secret"));
  if (rc || status >= 500 || !answer) {
    err->retry_after = 5;
    rc =
        parity_svc_fail(err, PARITY_EUNAVAILABLE, "STRIPE_UNAVAILABLE", "card payments are unavailable: retry shortly");
  } else if (status == 400 && json_is_string(json_object_get(json_object_get(answer, "error"), "type")) &&
             strcmp(json_string_value(json_object_get(json_object_get(answer, "error"), "type")),
                    "idempotency_error") == 0) {
    rc = parity_svc_fail(err, PARITY_ECONFLICT, "IDEMPOTENCY_KEY_REUSED",
                         "this Idempotency-Key was used for a different card deposit");
  } else if (status != 200 || !id || !secret) {
    const char *why = json_string_value(json_object_get(json_object_get(answer, "error"), "message"));
    parity_log(PARITY_LOG_WARN, "stripe_refused", "{s:i, s:s}", "status", (int)status, "message", why ? why : "");
    rc = parity_svc_fail(err, PARITY_EUPSTREAM, "STRIPE_REFUSED", "the card payment could not be prepared");
  } else {
    rc = PARITY_DB_EXEC(db, Q_STRIPE_INTENT_INSERT, NULL, id, uid, parity_i64(amount_cents, cents), idem);
  }
  const char *state = json_string_value(json_object_get(answer, "status"));
  if (!rc)
    *out = json_pack("{s:s, s:s, s:I, s:s}", "id", id, "client_secret", secret, "amount_cents",
                     (json_int_t)amount_cents, "status", state ? state : "");
  json_decref(answer);
  return rc;
}

/* Inside the transaction: credits intent `pi` for payment_intent.succeeded; *credited the cents (0: none). */
static int credit_intent(struct parity_db *db, const char *event_id, const char *pi, const json_t *object,
                         int64_t *credited)
{
  *credited = 0;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_STRIPE_INTENT_OWNER, &res, pi);
  if (rc)
    return rc;
  if (PQntuples(res) != 1) {
    PQclear(res);
    /* Not an intent of ours (another integration on the same account): nothing to credit. */
    parity_log(PARITY_LOG_WARN, "stripe_unknown_intent", "{s:s, s:s}", "event", event_id, "payment_intent", pi);
    return PARITY_OK;
  }
  char uid[PARITY_I64_TEXT], cents[PARITY_I64_TEXT];
  snprintf(uid, sizeof(uid), "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  json_int_t received = json_integer_value(json_object_get(object, "amount_received"));
  const char *currency = json_string_value(json_object_get(object, "currency"));
  if (received <= 0 || received > PARITY_MAX_AMOUNT_CENTS || !currency || strcmp(currency, "usd") != 0) {
    parity_log(PARITY_LOG_WARN, "stripe_unexpected_amount", "{s:s, s:I}", "event", event_id, "amount_received",
               received);
    return PARITY_OK;
  }
  rc = PARITY_DB_EXEC(db, Q_STRIPE_CARD_DEPOSIT, &res, uid, parity_i64(received, cents), pi);
  if (rc)
    return rc;
  if (PQntuples(res) == 1) {
    *credited = received;
    char movement[PARITY_I64_TEXT];
    snprintf(movement, sizeof(movement), "%s", PQgetvalue(res, 0, 0));
    rc = PARITY_DB_EXEC(db, Q_STRIPE_EVENT_SET_MOVEMENT, NULL, event_id, movement);
  }
  PQclear(res);
  return rc;
}

int parity_svc_stripe_webhook(struct parity_db *db, const json_t *event, json_t **out, struct parity_svc_error *err)
{
  const char *id = json_string_value(json_object_get(event, "id"));
  const char *type = json_string_value(json_object_get(event, "type"));
  const json_t *object = json_object_get(json_object_get(event, "data"), "object");
  const char *pi = json_string_value(json_object_get(object, "id"));
  bool succeeded = type && strcmp(type, "payment_intent.succeeded") == 0;
  if (!id || !id[0] || strlen(id) > 255 || !type)
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_EVENT", "the event has no id or type");
  if (succeeded && (!pi || !pi[0] || strlen(pi) > 255))
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_EVENT", "the event names no PaymentIntent");
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_STRIPE_EVENT_INSERT, &res, id, type, pi);
  if (rc)
    return parity_db_rollback(db, rc);
  bool fresh = PQntuples(res) == 1;
  PQclear(res);
  int64_t credited = 0;
  if (fresh && succeeded)
    rc = credit_intent(db, id, pi, object, &credited);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc)
    return rc;
  if (credited)
    parity_log(PARITY_LOG_INFO, "stripe_deposit_credited", "{s:s, s:s, s:I}", "event", id, "payment_intent", pi,
               "credited_cents", (json_int_t)credited);
  *out = json_pack("{s:b, s:b, s:I}", "received", true, "duplicate", !fresh, "credited_cents", (json_int_t)credited);
  return PARITY_OK;
}
