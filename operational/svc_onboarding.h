/* The risk questionnaire: four questions, risk tolerance 1..5, horizon, and the model bucket. */
#ifndef PARITY_SVC_ONBOARDING_H
#define PARITY_SVC_ONBOARDING_H

#include <jansson.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"

/* {"questions":[{"id","text","options":[{"id","text"}]}]} (new reference). */
json_t *parity_onboarding_questions_new(void);

/*
 * Scores `answers` ({"<question id>": "<option id>"}): risk = floor(mean of the three risk scores),
 * clamped to 1..5; horizon from the last question. PARITY_EINVAL naming the question when an answer
 * is missing, unknown, or a question is unknown. Pure; exposed for unit tests.
 */
int parity_onboarding_score(const json_t *answers, int *risk, const char **horizon, struct parity_svc_error *err);

/* Stores the profile, creates or re-buckets the portfolio and the wallet. *out: {"risk_tolerance","horizon","bucket"}. */
int parity_svc_onboarding_submit(struct parity_db *db, int64_t user_id, const json_t *answers, json_t **out,
                                 struct parity_svc_error *err);

#endif
