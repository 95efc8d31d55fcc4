/* Questionnaire scoring (SPEC §8): three questions scored 1..5 for risk, one for the horizon. */
#include "operational/svc_onboarding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/pg.h"
#include "operational/queries.h"

struct option_row {
  const char *id, *text;
  int score;           /* risk score 1..5; 0 for the horizon question */
  const char *horizon; /* horizon question only */
};

struct question_row {
  const char *id, *text;
  struct option_row options[5];
};

static const struct question_row questions[] = {
  { "age",
    "How old are you?",
    { { "18_29", "18 to 29", 5, NULL },
      { "30_44", "30 to 44", 4, NULL },
      { "45_59", "45 to 59", 3, NULL },
      { "60_74", "60 to 74", 2, NULL },
      { "75_plus", "75 or older", 1, NULL } } },
  { "goal",
    "What is this money for?",
    { { "preserve", "Keep what I have", 1, NULL },
      { "income", "A steady income", 2, NULL },
      { "balanced", "Some growth, some safety", 3, NULL },
      { "growth", "Growth", 4, NULL },
      { "max_growth", "As much growth as possible", 5, NULL } } },
  { "drop_reaction",
    "Your portfolio falls 20% in a month. What do you do?",
    { { "sell_all", "Sell everything", 1, NULL },
      { "sell_some", "Sell some", 2, NULL },
      { "wait", "Wait and see", 3, NULL },
      { "hold", "Hold on calmly", 4, NULL },
      { "buy_more", "Buy more", 5, NULL } } },
  { "horizon",
    "When will you need this money?",
    { { "under_3", "In less than 3 years", 0, "short" },
      { "3_to_7", "In 3 to 7 years", 0, "medium" },
      { "over_7", "In more than 7 years", 0, "long" } } },
};

#define N_QUESTIONS (sizeof(questions) / sizeof(questions[0]))

json_t *parity_onboarding_questions_new(void)
{
  json_t *list = json_array();
  for (size_t q = 0; q < N_QUESTIONS; q++) {
    json_t *options = json_array();
    for (size_t o = 0; o < 5 && questions[q].options[o].id; o++)
      json_array_append_new(
          options, json_pack("{s:s, s:s}", "id", questions[q].options[o].id, "text", questions[q].options[o].text));
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:o}", "id", questions[q].id, "text", questions[q].text, "options", options));
  }
  return json_pack("{s:o}", "questions", list);
}

int parity_onboarding_score(const json_t *answers, int *risk, const char **horizon, struct parity_svc_error *err)
{
  if (!json_is_object(answers)) {
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_ANSWERS",
                           "answers must be an object of question id to option id");
  }
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)answers, key, value) {
    size_t q;
    for (q = 0; q < N_QUESTIONS && strcmp(questions[q].id, key) != 0; q++)
      ;
    if (q == N_QUESTIONS)
      return parity_svc_fail(err, PARITY_EINVAL, "INVALID_ANSWERS", "question %.40s: no such question", key);
  }
  int sum = 0, scored = 0;
  for (size_t q = 0; q < N_QUESTIONS; q++) {
    const json_t *answer = json_object_get(answers, questions[q].id);
    if (!json_is_string(answer)) {
      return parity_svc_fail(err, PARITY_EINVAL, "INVALID_ANSWERS", "question %s: an answer (option id) is required",
                             questions[q].id);
    }
    const struct option_row *chosen = NULL;
    for (size_t o = 0; o < 5 && questions[q].options[o].id; o++)
      if (strcmp(questions[q].options[o].id, json_string_value(answer)) == 0)
        chosen = &questions[q].options[o];
    if (!chosen) {
      return parity_svc_fail(err, PARITY_EINVAL, "INVALID_ANSWERS", "question %s: %.40s is not one of its options",
                             questions[q].id, json_string_value(answer));
    }
    if (chosen->horizon) {
      *horizon = chosen->horizon;
    } else {
      sum += chosen->score;
      scored++;
    }
  }
  int r = sum / scored; /* floor of the mean: scores are positive */
  *risk = r < 1 ? 1 : (r > 5 ? 5 : r);
  return PARITY_OK;
}

int parity_svc_onboarding_submit(struct parity_db *db, int64_t user_id, const json_t *answers, json_t **out,
                                 struct parity_svc_error *err)
{
  int risk;
  const char *horizon;
  int rc = parity_onboarding_score(answers, &risk, &horizon, err);
  if (rc)
    return rc;
  char bucket[40], uid[PARITY_I64_TEXT], r[PARITY_I64_TEXT];
  snprintf(bucket, sizeof(bucket), "risk_%d_horizon_%s", risk, horizon);
  parity_i64(risk, r);
  char *text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
  rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_USER_SET_PROFILE, NULL, parity_i64(user_id, uid), r, horizon, text);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_WALLET_ENSURE, NULL, uid);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_ENSURE, NULL, uid, bucket);
  free(text);
  if (rc)
    return parity_db_rollback(db, rc);
  rc = parity_db_commit(db);
  if (!rc)
    *out = json_pack("{s:i, s:s, s:s}", "risk_tolerance", risk, "horizon", horizon, "bucket", bucket);
  return rc;
}
