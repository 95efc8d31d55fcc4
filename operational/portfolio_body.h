/*
 * GET /portfolio's body written straight into a buffer: the hottest answer of the API, built per request,
 * costs a fraction of building a jansson tree and dumping it. The text is byte for byte what jansson gave
 * with the answer flags (parity_json_answer_new: compact, reals with 15 significant digits, keys in
 * insertion order); tests/unit/test_portfolio_body.c holds the jansson builder as the reference.
 */
#ifndef PARITY_PORTFOLIO_BODY_H
#define PARITY_PORTFOLIO_BODY_H

#include "common/buf.h"
#include "operational/svc_models.h"
#include "operational/svc_portfolio.h"

/* A real as jansson writes it with JSON_REAL_PRECISION(15) ("%.15g", ".0" added to whole numbers, no '+'
 * or leading zeros in the exponent) into out (at least 32 bytes); returns its length. */
size_t parity_json_real_format(double value, char out[32]);

/*
 * {"value_cents","cash_cents","pending_cents","positions_value_cents","net_contributions_cents","pnl_cents",
 *  "bucket","model_as_of","drift","positions":[{"symbol","shares_micro","price","price_time","value_cents",
 *  "cost_basis_cents","unrealized_pnl_cents","weight","target_weight"}],"weights","target_weights"}
 * for a valued view and the current model of its bucket (NULL when none), appended to out.
 */
void parity_portfolio_body_write(const struct parity_portfolio_view *v, const struct parity_model_entry *model,
                                 struct parity_buf *out);

#endif
