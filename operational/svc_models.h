/* The model portfolios as the public API shows them: the current model of each of the 15 buckets. */
#ifndef PARITY_SVC_MODELS_H
#define PARITY_SVC_MODELS_H

#include <jansson.h>
#include <stdbool.h>

#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_MODEL_BUCKETS 15 /* risk 1..5 x horizon short, medium, long */

/*
 * {"models":[{"bucket","risk_tolerance","horizon","as_of","computed_at","weights":{"SYM":w}}]} in bucket
 * order (risk 1..5, then short, medium, long); buckets without a model yet are absent. *out is new.
 */
int parity_svc_models_list(struct parity_db *db, json_t **out);

/* One bucket's current model, same shape as a list element. PARITY_ENOTFOUND for an unknown bucket
 * (message in err) or one without a model yet. */
int parity_svc_model_get(struct parity_db *db, const char *bucket, json_t **out, struct parity_svc_error *err);

/* Parses "risk_{1..5}_horizon_{short|medium|long}"; false for anything else. */
bool parity_bucket_parse(const char *bucket, int *risk, int *horizon_index);

#endif
