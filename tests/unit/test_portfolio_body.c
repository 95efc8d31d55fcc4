/*
 * GET /portfolio's body written as text (operational/portfolio_body.c) against the reference: the body as
 * jansson built it per request before, reproduced here from that code (a tree by json_pack, weights and
 * drift from jansson objects, dumped with the answer flags). Same views, same bytes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/calendar.h"
#include "common/json.h"
#include "operational/money.h"
#include "operational/portfolio_body.h"
#include "operational/svc_models.h"
#include "operational/svc_portfolio.h"

/* ------------------------------------------------------------------ the reference (jansson) */

static double reference_drift(const json_t *actual, const json_t *target)
{
  double sum = 0;
  const char *sym;
  json_t *v;
  json_object_foreach((json_t *)actual, sym, v)
    sum += fabs(json_number_value(v) - json_number_value(json_object_get(target, sym)));
  json_object_foreach((json_t *)target, sym, v)
    if (!json_object_get(actual, sym))
      sum += fabs(json_number_value(v));
  return sum / 2.0;
}

static char *reference_body(const struct parity_portfolio_view *v, const json_t *target, const char *as_of)
{
  json_t *actual = parity_portfolio_weights_new(v);
  json_t *positions = json_array();
  for (size_t i = 0; i < v->n; i++) {
    const struct parity_position_view *p = &v->positions[i];
    json_t *tw = target ? json_object_get(target, p->symbol) : NULL;
    json_array_append_new(
        positions,
        json_pack("{s:s, s:I, s:f, s:s?, s:I, s:I, s:I, s:f, s:f}", "symbol", p->symbol, "shares_micro",
                  (json_int_t)p->shares_micro, "price", p->price, "price_time", p->price_time[0] ? p->price_time : NULL,
                  "value_cents", (json_int_t)p->value_cents, "cost_basis_cents", (json_int_t)p->cost_basis_cents,
                  "unrealized_pnl_cents", (json_int_t)(p->value_cents - p->cost_basis_cents), "weight",
                  json_number_value(json_object_get(actual, p->symbol)), "target_weight", json_number_value(tw)));
  }
  json_t *targets = target ? json_incref((json_t *)target) : json_object();
  json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?, s:f, s:o, s:o, s:o}", "value_cents",
                           (json_int_t)v->value_cents, "cash_cents", (json_int_t)v->cash_cents, "pending_cents",
                           (json_int_t)v->pending_cents, "positions_value_cents", (json_int_t)v->positions_value_cents,
                           "net_contributions_cents", (json_int_t)v->net_contributions_cents, "pnl_cents",
                           (json_int_t)(v->value_cents - v->net_contributions_cents), "bucket",
                           v->bucket[0] ? v->bucket : NULL, "model_as_of", as_of && as_of[0] ? as_of : NULL, "drift",
                           target && v->value_cents > 0 ? reference_drift(actual, target) : 0.0, "positions", positions,
                           "weights", actual, "target_weights", targets);
  char day[PARITY_DAY_TEXT];
  if (v->prices_as_of != INT32_MIN)
    parity_day_format(v->prices_as_of, day);
  json_object_set_new(body, "prices_as_of", v->prices_as_of != INT32_MIN ? json_string(day) : json_null());
  char *text = parity_json_answer_new(body);
  json_decref(body);
  return text;
}

/* ------------------------------------------------------------------ cases */

static const char *const symbols[] = { "BND", "VTI", "VXUS", "BNDX", "VNQ", "GLD", "SHY", "TIP", "BRK-B", "^GSPC" };
#define N_SYMBOLS (sizeof(symbols) / sizeof(symbols[0]))

/* A random view, valued the way parity_svc_portfolio_read() values one. */
static void random_view(struct parity_portfolio_view *v, unsigned *seed)
{
  v->exists = true;
  v->n = 0;
  snprintf(v->bucket, sizeof(v->bucket), "%s", rand_r(seed) % 5 ? "risk_3_horizon_long" : "");
  v->cash_cents = rand_r(seed) % 3 ? rand_r(seed) % 100000000 : 0;
  v->pending_cents = rand_r(seed) % 4 ? 0 : v->cash_cents / 2;
  v->net_contributions_cents = rand_r(seed) % 1000000000;
  v->positions_value_cents = 0;
  v->prices_as_of = INT32_MIN; /* the newest day of the prices used, as parity_svc_portfolio_read() keeps it */
  size_t n = (size_t)(rand_r(seed) % (N_SYMBOLS + 1));
  for (size_t i = 0; i < n; i++) {
    struct parity_position_view *p = &v->positions[v->n++];
    snprintf(p->symbol, sizeof(p->symbol), "%s", symbols[i]);
    p->shares_micro = rand_r(seed) % 3 ? (int64_t)rand_r(seed) * 37 : 1;
    p->cost_basis_cents = rand_r(seed) % 50000000;
    bool priced = rand_r(seed) % 6 != 0;
    /* Prices as PostgreSQL's double precision hands them over: anything from cents to thousands of dollars. */
    p->price = priced ? (double)(rand_r(seed) % 10000000) / 1000.0 + (double)rand_r(seed) / RAND_MAX : 0.0;
    snprintf(p->price_time, sizeof(p->price_time), "%s", priced ? "2026-12-02T21:00:00Z" : "");
    int32_t day = parity_day_from_ymd(2026, 11, 2 + (int)(rand_r(seed) % 28));
    if (priced && day > v->prices_as_of)
      v->prices_as_of = day;
    p->value_cents = parity_value_cents(p->shares_micro, parity_price_micros(p->price));
    v->positions_value_cents += p->value_cents;
  }
  v->value_cents = v->positions_value_cents + v->cash_cents;
}

static void bodies_match_the_jansson_reference(void **state)
{
  (void)state;
  struct parity_model_table *t = parity_model_table_new();
  /* Model weights as decisional writes them (jsonb text): reals, an integer, symbols held or not, CASH. */
  assert_int_equal(parity_model_table_add(t, "risk_3_horizon_long", "2026-12-01", "2026-12-02T06:00:00Z",
                                          "{\"VTI\": 0.4123456789012345, \"BND\": 0.2, \"VXUS\": 0.15, "
                                          "\"GLD\": 0.05, \"QQQ\": 0.1, \"BRK-B\": 0, \"CASH\": 0.0876543210987655}"),
                   0);
  parity_model_table_seal(t);
  const struct parity_model_entry *model = parity_model_table_find(t, "risk_3_horizon_long");
  json_t *target = json_deep_copy(json_object_get(model->model, "weights"));
  struct parity_portfolio_view *v = malloc(sizeof(*v));
  unsigned seed = 20261203;
  for (int round = 0; round < 3000; round++) {
    random_view(v, &seed);
    const struct parity_model_entry *m = v->bucket[0] ? model : NULL;
    char *expected = reference_body(v, m ? target : NULL, m ? m->as_of : NULL);
    struct parity_buf got;
    parity_buf_init(&got, PARITY_BUF_UNBOUNDED);
    parity_portfolio_body_write(v, m, &got);
    if (strcmp(expected, got.data) != 0)
      fail_msg("round %d\nexpected %s\ngot      %s", round, expected, got.data);
    free(expected);
    parity_buf_free(&got);
  }
  /* The empty portfolio of a user who never onboarded. */
  v->exists = false;
  v->bucket[0] = '\0';
  v->n = 0;
  v->cash_cents = v->pending_cents = v->positions_value_cents = v->value_cents = v->net_contributions_cents = 0;
  v->prices_as_of = INT32_MIN;
  char *expected = reference_body(v, NULL, NULL);
  struct parity_buf got;
  parity_buf_init(&got, PARITY_BUF_UNBOUNDED);
  parity_portfolio_body_write(v, NULL, &got);
  assert_string_equal(got.data, expected);
  assert_string_equal(got.data,
                      "{\"value_cents\":0,\"cash_cents\":0,\"pending_cents\":0,\"positions_value_cents\":0,"
                      "\"net_contributions_cents\":0,\"pnl_cents\":0,\"bucket\":null,\"model_as_of\":null,"
                      "\"drift\":0.0,\"positions\":[],\"weights\":{},\"target_weights\":{},\"prices_as_of\":null}");
  free(expected);
  parity_buf_free(&got);
  free(v);
  json_decref(target);
  parity_snapshot_release(&t->snap);
}

static void reals_are_written_as_jansson_writes_them(void **state)
{
  (void)state;
  const double fixed[] = { 0.0,
                           1.0,
                           -1.0,
                           0.1,
                           1e20,
                           1e-5,
                           1.5e-7,
                           123456789012345678.0,
                           586.0800170898438,
                           0.333333333333333314829616256247,
                           2.5e300,
                           -7.25e-300,
                           100.0,
                           1e15,
                           1e16 };
  unsigned seed = 7;
  for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 20000; i++) {
    double x = i < sizeof(fixed) / sizeof(fixed[0])
                   ? fixed[i]
                   : ldexp((double)rand_r(&seed) / RAND_MAX - 0.5, rand_r(&seed) % 200 - 100);
    json_t *real = json_real(x);
    char *expected = json_dumps(real, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char got[32];
    size_t len = parity_json_real_format(x, got);
    assert_string_equal(got, expected);
    assert_int_equal(len, strlen(expected));
    free(expected);
    json_decref(real);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(bodies_match_the_jansson_reference),
    cmocka_unit_test(reals_are_written_as_jansson_writes_them),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
