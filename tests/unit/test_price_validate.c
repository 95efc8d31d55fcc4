/* Unit tests of decisional/price_validate.c: rejected bars name symbol, day and field; notes on gaps/splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/errors.h"
#include "decisional/bars.h"
#include "decisional/price_validate.h"

/* A plain, valid bar on `day` around `close`. */
static struct parity_bar make_bar(int32_t day, double close)
{
  struct parity_bar b = { .day = day,
                          .open = close,
                          .high = close * 1.01,
                          .low = close * 0.99,
                          .close = close,
                          .adj_close = close,
                          .volume = 1000 };
  return b;
}

static void series_init(struct parity_bar_series *s, const char *symbol)
{
  memset(s, 0, sizeof(*s));
  strcpy(s->symbol, symbol);
}

/* Day 2024-01-02 (a Tuesday) and following calendar days. */
#define D0 19724

static void test_valid_series_passes(void **state)
{
  (void)state;
  struct parity_bar_series s;
  series_init(&s, "SPY");
  for (int i = 0; i < 10; i++) {
    struct parity_bar b = make_bar(D0 + i, 100 + i);
    parity_bar_series_push(&s, &b);
  }
  struct parity_market_error err;
  assert_int_equal(parity_price_validate_series(&s, &err), PARITY_OK);
  parity_bar_series_free(&s);
}

/* The bundled data's BND 2018-07-26 row: O=H=L=C=79.03 and volume 0 (decisional/data/PROVENANCE.md). */
static void test_flat_bar_with_zero_volume_passes(void **state)
{
  (void)state;
  struct parity_bar b = { .day = parity_day_from_ymd(2018, 7, 26),
                          .open = 79.03,
                          .high = 79.03,
                          .low = 79.03,
                          .close = 79.03,
                          .adj_close = 70.1,
                          .volume = 0 };
  struct parity_market_error err;
  assert_int_equal(parity_price_check_bar("BND", NULL, &b, &err), PARITY_OK);
}

struct bad_case {
  const char *what;
  struct parity_bar bar;
  const char *field;
  const char *message; /* the full expected message */
};

static void test_each_violation_names_symbol_day_and_field(void **state)
{
  (void)state;
  struct parity_bar ok = make_bar(D0, 100);
  struct bad_case cases[] = {
    { "zero open", ok, "open", "SPY 2024-01-02: field open: 0 is not positive" },
    { "negative high", ok, "high", "SPY 2024-01-02: field high: -5 is not positive" },
    { "NaN low", ok, "low", "SPY 2024-01-02: field low: not a finite number" },
    { "inf close", ok, "close", "SPY 2024-01-02: field close: not a finite number" },
    { "zero adj", ok, "adj_close", "SPY 2024-01-02: field adj_close: 0 is not positive" },
    { "negative volume", ok, "volume", "SPY 2024-01-02: field volume: -1 is negative" },
    { "low above high", ok, "low", "SPY 2024-01-02: field low: 102 is above high 101" },
    { "open above high", ok, "open", "SPY 2024-01-02: field open: 101.5 is outside [low 99, high 101]" },
    { "open below low", ok, "open", "SPY 2024-01-02: field open: 98 is outside [low 99, high 101]" },
    { "close above high", ok, "close", "SPY 2024-01-02: field close: 102 is outside [low 99, high 101]" },
    { "close below low", ok, "close", "SPY 2024-01-02: field close: 98.5 is outside [low 99, high 101]" },
  };
  cases[0].bar.open = 0;
  cases[1].bar.high = -5;
  cases[2].bar.low = NAN;
  cases[3].bar.close = INFINITY;
  cases[4].bar.adj_close = 0;
  cases[5].bar.volume = -1;
  cases[6].bar.low = 102;
  cases[7].bar.open = 101.5;
  cases[8].bar.open = 98;
  cases[9].bar.close = 102;
  cases[10].bar.close = 98.5;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct parity_market_error err;
    int rc = parity_price_check_bar("SPY", NULL, &cases[i].bar, &err);
    print_message("case: %s -> %s\n", cases[i].what, err.message);
    assert_int_equal(rc, PARITY_EINVAL);
    assert_string_equal(err.symbol, "SPY");
    assert_int_equal(err.day, D0);
    assert_string_equal(err.field, cases[i].field);
    assert_string_equal(err.message, cases[i].message);
  }
}

static void test_duplicate_and_decreasing_days(void **state)
{
  (void)state;
  struct parity_bar prev = make_bar(D0 + 1, 100), same = make_bar(D0 + 1, 100), back = make_bar(D0, 100);
  struct parity_market_error err;
  assert_int_equal(parity_price_check_bar("QQQ", &prev, &same, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "date");
  assert_string_equal(
      err.message, "QQQ 2024-01-03: field date: duplicate day after 2024-01-03 (dates must increase, one bar per day)");
  assert_int_equal(parity_price_check_bar("QQQ", &prev, &back, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "date");
  assert_int_equal(err.day, D0);
  assert_string_equal(err.message,
                      "QQQ 2024-01-02: field date: goes back after 2024-01-03 (dates must increase, one bar per day)");

  /* In a series, the first failing bar is the one reported. */
  struct parity_bar_series s;
  series_init(&s, "QQQ");
  struct parity_bar bars[] = { make_bar(D0, 100), make_bar(D0 + 1, 101), make_bar(D0 + 1, 102), make_bar(D0, 1) };
  for (size_t i = 0; i < 4; i++)
    parity_bar_series_push(&s, &bars[i]);
  assert_int_equal(parity_price_validate_series(&s, &err), PARITY_EINVAL);
  assert_int_equal(err.day, D0 + 1);
  assert_string_equal(parity_market_error_what(&err),
                      "duplicate day after 2024-01-03 (dates must increase, one bar per day)");
  parity_bar_series_free(&s);
}

static void test_points_validation(void **state)
{
  (void)state;
  struct parity_point_series s;
  memset(&s, 0, sizeof(s));
  strcpy(s.symbol, "VTI");
  struct parity_price_point pts[] = { { 1700000000, 250 }, { 1700000900, 251 }, { 1700000900, 252 } };
  for (size_t i = 0; i < 3; i++)
    parity_point_series_push(&s, &pts[i]);
  struct parity_market_error err;
  assert_int_equal(parity_price_validate_points(&s, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "timestamp");
  assert_string_equal(err.symbol, "VTI");
  s.points[2].ts = 1700001800;
  assert_int_equal(parity_price_validate_points(&s, &err), PARITY_OK);
  s.points[1].price = 0;
  assert_int_equal(parity_price_validate_points(&s, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "price");
  assert_non_null(strstr(err.message, "ts 1700000900"));
  parity_point_series_free(&s);
}

/* Builds a two-bar series: (D0, close0, adj0) then (D0 + gap, close1, adj1). */
static void two_bars(struct parity_bar_series *s, int gap, double close0, double adj0, double close1, double adj1)
{
  series_init(s, "XLK");
  struct parity_bar a = make_bar(D0, close0), b = make_bar(D0 + gap, close1);
  a.adj_close = adj0;
  b.adj_close = adj1;
  parity_bar_series_push(s, &a);
  parity_bar_series_push(s, &b);
}

static json_t *report(const struct parity_bar_series *s)
{
  json_t *notes = json_array();
  int n = parity_price_report(s, notes);
  assert_true(n >= 0);
  assert_int_equal((size_t)n, json_array_size(notes));
  return notes;
}

static void test_gap_over_five_days_is_noted(void **state)
{
  (void)state;
  struct parity_bar_series s;
  two_bars(&s, PARITY_PRICE_GAP_DAYS, 100, 100, 100, 100);
  json_t *notes = report(&s);
  assert_int_equal(json_array_size(notes), 0); /* exactly 5 days: a long weekend, not reported */
  json_decref(notes);
  parity_bar_series_free(&s);

  two_bars(&s, PARITY_PRICE_GAP_DAYS + 1, 100, 100, 100, 100);
  notes = report(&s);
  assert_int_equal(json_array_size(notes), 1);
  json_t *note = json_array_get(notes, 0);
  assert_string_equal(json_string_value(json_object_get(note, "kind")), "gap");
  assert_string_equal(json_string_value(json_object_get(note, "symbol")), "XLK");
  assert_string_equal(json_string_value(json_object_get(note, "from")), "2024-01-02");
  assert_string_equal(json_string_value(json_object_get(note, "to")), "2024-01-08");
  assert_int_equal(json_integer_value(json_object_get(note, "days")), 6);
  json_decref(notes);
  parity_bar_series_free(&s);
}

static void expect_one_note(const struct parity_bar_series *s, const char *kind, const char *key, const char *value)
{
  json_t *notes = report(s);
  char *text = json_dumps(notes, JSON_COMPACT);
  print_message("notes: %s\n", text);
  free(text);
  assert_int_equal(json_array_size(notes), 1);
  json_t *note = json_array_get(notes, 0);
  assert_string_equal(json_string_value(json_object_get(note, "kind")), kind);
  if (key)
    assert_string_equal(json_string_value(json_object_get(note, key)), value);
  json_decref(notes);
}

static void test_split_in_close_not_followed_by_adj_close(void **state)
{
  (void)state;
  struct parity_bar_series s;
  /* 2:1 split unadjusted in close; adj_close continuous (+0.4%). */
  two_bars(&s, 1, 100, 50, 50.2, 50.2);
  expect_one_note(&s, "suspected_split", "split", "2:1");
  json_t *notes = report(&s);
  json_t *note = json_array_get(notes, 0);
  assert_true(fabs(json_real_value(json_object_get(note, "close_ratio")) - 0.502) < 1e-12);
  assert_true(fabs(json_real_value(json_object_get(note, "adj_ratio")) - 1.004) < 1e-12);
  assert_string_equal(json_string_value(json_object_get(note, "day")), "2024-01-03");
  assert_string_equal(json_string_value(json_object_get(note, "prev_day")), "2024-01-02");
  json_decref(notes);
  parity_bar_series_free(&s);

  /* 6:1 (VUG's split) and 1:10 reverse split. */
  two_bars(&s, 1, 300, 50, 50.5, 50.5);
  expect_one_note(&s, "suspected_split", "split", "6:1");
  parity_bar_series_free(&s);
  two_bars(&s, 1, 2, 20, 20.1, 20.1);
  expect_one_note(&s, "suspected_split", "split", "1:10");
  parity_bar_series_free(&s);
}

static void test_large_moves(void **state)
{
  (void)state;
  struct parity_bar_series s;
  /* Halving in both columns: a split no column adjusts, or a crash. Reported as a large move. */
  two_bars(&s, 1, 100, 100, 50, 50);
  expect_one_note(&s, "large_move", "looks_like_split", "2:1");
  parity_bar_series_free(&s);
  /* -45%: not split-like (0.55 is 10% away from 1/2). */
  two_bars(&s, 1, 100, 100, 55, 55);
  expect_one_note(&s, "large_move", "field", "close");
  json_t *notes = report(&s);
  assert_true(fabs(json_real_value(json_object_get(json_array_get(notes, 0), "return")) + 0.45) < 1e-12);
  assert_null(json_object_get(json_array_get(notes, 0), "looks_like_split"));
  json_decref(notes);
  parity_bar_series_free(&s);
  /* Only adj_close jumps. */
  two_bars(&s, 1, 100, 100, 101, 150);
  expect_one_note(&s, "large_move", "field", "adj_close");
  parity_bar_series_free(&s);
  /* -35% and +39%: under the threshold, nothing. */
  two_bars(&s, 1, 100, 100, 65, 65);
  notes = report(&s);
  assert_int_equal(json_array_size(notes), 0);
  json_decref(notes);
  parity_bar_series_free(&s);
  two_bars(&s, 1, 100, 100, 139, 139);
  notes = report(&s);
  assert_int_equal(json_array_size(notes), 0);
  json_decref(notes);
  parity_bar_series_free(&s);
}

static void test_notes_are_capped(void **state)
{
  (void)state;
  struct parity_bar_series s;
  series_init(&s, "VNQ");
  /* 150 alternating moves of -45% / +81.8%: 149 notes before the cap. */
  for (int i = 0; i < 150; i++) {
    struct parity_bar b = make_bar(D0 + i, i % 2 ? 55 : 100);
    parity_bar_series_push(&s, &b);
  }
  json_t *notes = report(&s);
  assert_int_equal(json_array_size(notes), PARITY_PRICE_MAX_NOTES + 1);
  json_t *last = json_array_get(notes, PARITY_PRICE_MAX_NOTES);
  assert_string_equal(json_string_value(json_object_get(last, "kind")), "truncated");
  assert_int_equal(json_integer_value(json_object_get(last, "omitted")), 149 - PARITY_PRICE_MAX_NOTES);
  json_decref(notes);
  parity_bar_series_free(&s);
}

static void test_text_fit_marks_cut_messages(void **state)
{
  (void)state;
  char buf[8];
  /* What snprintf leaves after cutting "0123456789" to 8 bytes, and its return value. */
  memcpy(buf, "0123456", 8);
  parity_market_text_fit(buf, sizeof(buf), 10);
  assert_string_equal(buf, "0123...");
  int n = snprintf(buf, sizeof(buf), "%s", "short");
  parity_market_text_fit(buf, sizeof(buf), n);
  assert_string_equal(buf, "short");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_series_passes),
    cmocka_unit_test(test_flat_bar_with_zero_volume_passes),
    cmocka_unit_test(test_each_violation_names_symbol_day_and_field),
    cmocka_unit_test(test_duplicate_and_decreasing_days),
    cmocka_unit_test(test_points_validation),
    cmocka_unit_test(test_gap_over_five_days_is_noted),
    cmocka_unit_test(test_split_in_close_not_followed_by_adj_close),
    cmocka_unit_test(test_large_moves),
    cmocka_unit_test(test_notes_are_capped),
    cmocka_unit_test(test_text_fit_marks_cut_messages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
