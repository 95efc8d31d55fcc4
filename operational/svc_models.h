/* The model portfolios as the public API shows them: the current model of each of the 15 buckets. */
#ifndef PARITY_SVC_MODELS_H
#define PARITY_SVC_MODELS_H

#include <jansson.h>
#include <stdbool.h>

#include "common/pg.h"
#include "operational/snapshot.h"
#include "operational/svc_error.h"

#define PARITY_MODEL_BUCKETS 15   /* risk 1..5 x horizon short, medium, long */
#define PARITY_MODEL_AS_OF_MAX 16 /* "YYYY-MM-DD" and its NUL, with room */

/* One symbol's weight in a model, in the model's order. */
struct parity_model_weight {
  const char *symbol; /* borrowed from the entry's model */
  double weight;
};

/* One bucket's current model, ready to serve: the element of the list and the body of GET /models/{bucket}. */
struct parity_model_entry {
  char bucket[32];
  char as_of[PARITY_MODEL_AS_OF_MAX];
  json_t *model; /* {"bucket","risk_tolerance","horizon","as_of","computed_at","weights"}; read-only once sealed */
  char *body;    /* the model rendered as an answer body */
  size_t body_len;
  char *weights_body;                  /* its "weights" object rendered (GET /portfolio's target_weights) */
  struct parity_model_weight *weights; /* the same, for arithmetic */
  size_t n_weights;
};

/*
 * Every bucket's current model, held in memory and shared as a snapshot (operational/snapshot.h): built by
 * parity_svc_models_table_load(), never changed once sealed. Readers may read the json_t objects but never
 * take or drop references to them (jansson's reference counts are not the snapshot's).
 */
struct parity_model_table {
  struct parity_snapshot snap; /* first: the table is published as a snapshot */
  size_t n;
  struct parity_model_entry models[PARITY_MODEL_BUCKETS]; /* in bucket order once sealed */
  char *list_body;                                        /* GET /models rendered */
  size_t list_len;
};

/* An empty table holding its creator's snapshot reference. */
struct parity_model_table *parity_model_table_new(void);
/* One row of model_portfolios (the current one of its bucket); a bucket key the API does not know, unparsable
 * weights or a full table leave the table as it was and return PARITY_EINVAL. */
int parity_model_table_add(struct parity_model_table *t, const char *bucket, const char *as_of, const char *computed_at,
                           const char *weights_text);
/* Sorts in bucket order and renders the bodies; call once, after the last add. */
void parity_model_table_seal(struct parity_model_table *t);
/* The current model of a bucket in a sealed table, NULL when it has none (or t is NULL). */
const struct parity_model_entry *parity_model_table_find(const struct parity_model_table *t, const char *bucket);

/* Reads the current model of every bucket into a new sealed table (*out, with its creator's reference). */
int parity_svc_models_table_load(struct parity_db *db, struct parity_model_table **out);

/* GET /models/{bucket} from a table: PARITY_ENOTFOUND for an unknown bucket or one without a model yet,
 * with the message in err. */
int parity_svc_model_find(const struct parity_model_table *t, const char *bucket, const struct parity_model_entry **out,
                          struct parity_svc_error *err);

/*
 * The list body is {"models":[{"bucket","risk_tolerance","horizon","as_of","computed_at","weights":{"SYM":w}}]}
 * in bucket order (risk 1..5, then short, medium, long); buckets without a model yet are absent.
 */

/* Parses "risk_{1..5}_horizon_{short|medium|long}"; false for anything else. */
bool parity_bucket_parse(const char *bucket, int *risk, int *horizon_index);

#endif
