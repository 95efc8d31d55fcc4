/* A portfolio at market value: positions priced at the newest price, cash, weights, contributions. */
#ifndef PARITY_SVC_PORTFOLIO_H
#define PARITY_SVC_PORTFOLIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ids.h"
#include "common/pg.h"
#include "operational/price_table.h"
#include "operational/read_cache.h"

#define PARITY_PORTFOLIO_MAX_POSITIONS 256
#define PARITY_BUCKET_MAX 32

struct parity_position_view {
  char symbol[PARITY_SYMBOL_MAX];
  int64_t shares_micro;
  int64_t cost_basis_cents;
  double price;        /* dollars; 0 when the symbol has no price at all */
  char price_time[32]; /* RFC 3339 UTC of that price, "" when none */
  int64_t value_cents; /* parity_value_cents(shares, price) */
};

struct parity_portfolio_view {
  bool exists; /* false before onboarding created the portfolio */
  char bucket[PARITY_BUCKET_MAX];
  int64_t cash_cents;    /* uninvested cash in the portfolio, pending included */
  int64_t pending_cents; /* invested by the user, not yet deployed */
  int64_t positions_value_cents;
  int64_t value_cents;             /* positions + cash */
  int64_t net_contributions_cents; /* invested minus taken out by sells */
  int32_t prices_as_of;            /* the newest New York day of the prices that valued a position, or
                                      INT32_MIN when none did (GET /portfolio's read only) */
  size_t n;
  struct parity_position_view positions[PARITY_PORTFOLIO_MAX_POSITIONS];
};

/* Reads a consistent view (one statement snapshot per query; callers that move money lock first). */
int parity_svc_portfolio_load(struct parity_db *db, int64_t user_id, struct parity_portfolio_view *out);

/*
 * Actual weights of value: {"SYM": w, ..., "CASH": w} summing to 1 (cash included). An empty or
 * zero-value portfolio gives an empty object. New reference.
 */
json_t *parity_portfolio_weights_new(const struct parity_portfolio_view *v);

/* The current model weights of a bucket as a new JSON object, or NULL when there is none yet. */
int parity_svc_model_weights(struct parity_db *db, const char *bucket, json_t **weights, char *as_of, size_t as_of_len);

/*
 * GET /portfolio's read in one statement: the access token's session (jti) checked as the auth gate does
 * (*session_live false when it has ended, the view then empty), the portfolio, its contributions and its
 * positions, valued at the prices held in memory. Touches the session's last use at most once a minute.
 */
int parity_svc_portfolio_read(struct parity_db *db, int64_t user_id, const char *jti,
                              const struct parity_price_table *prices, struct parity_portfolio_view *out,
                              bool *session_live);

/*
 * GET /portfolio: parity_svc_portfolio_read() with the prices and models of the read cache, then the body
 * (operational/portfolio_body.h) appended to *body when the session is live. PARITY_EUNAVAILABLE while the
 * cache was never loaded.
 */
int parity_svc_portfolio_get(struct parity_db *db, struct parity_read_cache *cache, int64_t user_id, const char *jti,
                             bool *session_live, struct parity_buf *body);

#endif
