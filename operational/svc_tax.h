/* The investor's tax answers: open lots, realized gains, the Form 8949 report, a sale's preview, settings. */
#ifndef PARITY_SVC_TAX_H
#define PARITY_SVC_TAX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/pg.h"
#include "operational/svc_error.h"

/* GET /api/v1/tax/lots: {"method","prices_as_of","lots":[{id,symbol,shares_micro,basis_cents,acquired,
 * value_cents,unrealized_cents,term}]}, valued at each symbol's newest close. */
int parity_svc_tax_lots(struct parity_db *db, int64_t user_id, json_t **out);

/* The tax year of a query text ("2026"), or the current UTC year when NULL; PARITY_EINVAL with err filled. */
int parity_svc_tax_year(const char *text, int *year, struct parity_svc_error *err);

/* GET /api/v1/tax/realized?year=: gains by term, disallowed wash-sale losses, dividends, harvested losses. */
int parity_svc_tax_realized(struct parity_db *db, int64_t user_id, int year, json_t **out);

/* GET /api/v1/tax/report?year=: {"year","rows":[...]} (json), or the same rows as CSV text into *csv. */
int parity_svc_tax_report(struct parity_db *db, int64_t user_id, int year, json_t **out, struct parity_buf *csv);

/* GET /api/v1/tax/harvests: {"harvests":[{id,day,symbol (sold),replacement (bought),shares_micro (sold),
 * replacement_shares_micro,proceeds_cents,cost_cents,loss_cents,sell_trade_id,buy_trade_id}], "loss_cents"}, newest
 * first, at most PARITY_TAX_HARVESTS_MAX (loss_cents sums those listed). */
#define PARITY_TAX_HARVESTS_MAX 1000
int parity_svc_tax_harvests(struct parity_db *db, int64_t user_id, json_t **out);

/* POST /api/v1/portfolio/sell/preview: what POST /portfolio/sell of amount_cents would realize, nothing written. */
int parity_svc_sell_preview(struct parity_db *db, int64_t user_id, int64_t amount_cents, json_t **out,
                            struct parity_svc_error *err);

/* GET /api/v1/me/settings; PATCH with lot_method and/or tax_loss_harvesting (NULL: unchanged). */
int parity_svc_settings_get(struct parity_db *db, int64_t user_id, json_t **out);
int parity_svc_settings_set(struct parity_db *db, int64_t user_id, const char *lot_method, const json_t *harvesting,
                            json_t **out, struct parity_svc_error *err);

#endif
