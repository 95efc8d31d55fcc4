/*
 * Card deposits through Stripe, when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set (otherwise the
 * paper deposit is the only one and these answer 404). The investor's browser pays a PaymentIntent this
 * server created; Stripe then posts payment_intent.succeeded to the webhook, which credits the wallet
 * exactly once per event id (stripe_events) and per PaymentIntent (the movement's unique external_ref).
 */
#ifndef PARITY_SVC_STRIPE_H
#define PARITY_SVC_STRIPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_STRIPE_TIMEOUT_MS 15000
#define PARITY_STRIPE_ANSWER_MAX (64u * 1024u)

/* Both secrets set. */
bool parity_stripe_enabled(const struct parity_config *cfg);

/*
 * Creates a PaymentIntent of amount_cents (USD) for the investor: POST {STRIPE_API_BASE}/v1/payment_intents,
 * form-encoded, with an Idempotency-Key derived from the investor and `key` (a repeated key is the same
 * intent, as Stripe keeps it). *out: {"id", "client_secret", "amount_cents", "status"}.
 * PARITY_EUPSTREAM (STRIPE_UNAVAILABLE / STRIPE_REFUSED) when Stripe does not create it.
 */
int parity_svc_stripe_intent(struct parity_db *db, const struct parity_config *cfg, int64_t user_id,
                             int64_t amount_cents, const char *key, json_t **out, struct parity_svc_error *err);

/*
 * A webhook delivery, its signature already verified: records the event once by id and, for
 * payment_intent.succeeded of an intent this server created, credits its investor's wallet with the
 * amount received, once per intent. *out: {"received": true, "duplicate": bool, "credited_cents": n}.
 */
int parity_svc_stripe_webhook(struct parity_db *db, const json_t *event, json_t **out, struct parity_svc_error *err);

#endif
