/* Unit tests of decisional/bars.c: series growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decisional/bars.h"

static void test_bar_series_push_grows_and_keeps_order(void **state)
{
  (void)state;
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  for (int i = 0; i < 1000; i++) {
    struct parity_bar b = {
      .day = i, .open = i + 0.5, .high = i + 1, .low = i, .close = i + 0.25, .adj_close = i + 0.125, .volume = i * 10
    };
    parity_bar_series_push(&s, &b);
  }
  assert_int_equal(s.n, 1000);
  assert_true(s.cap >= 1000);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(s.bars[i].day, i);
    assert_true(s.bars[i].close == i + 0.25);
    assert_int_equal(s.bars[i].volume, i * 10);
  }
  parity_bar_series_free(&s);
  assert_null(s.bars);
  assert_int_equal(s.n, 0);
  assert_int_equal(s.cap, 0);
  parity_bar_series_free(&s); /* freeing twice is harmless */
}

static void test_point_series_push(void **state)
{
  (void)state;
  struct parity_point_series s;
  memset(&s, 0, sizeof(s));
  for (int i = 0; i < 300; i++) {
    struct parity_price_point p = { .ts = 1700000000 + i * 900, .price = 100 + i };
    parity_point_series_push(&s, &p);
  }
  assert_int_equal(s.n, 300);
  assert_int_equal(s.points[299].ts, 1700000000 + 299 * 900);
  assert_true(s.points[299].price == 399);
  parity_point_series_free(&s);
  assert_null(s.points);
  assert_int_equal(s.n, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bar_series_push_grows_and_keeps_order),
    cmocka_unit_test(test_point_series_push),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
