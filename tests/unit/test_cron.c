/* The in-process schedule's rules fire in exactly the minutes SPEC §4 names (UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "operational/cron.h"

static struct tm at(int mday, int hour, int min)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_mday = mday;
  tm.tm_hour = hour;
  tm.tm_min = min;
  return tm;
}

static void daily_fires_at_22_00_only(void **state)
{
  (void)state;
  const struct parity_cron_rule daily = { 0, 22, -1, 0 };
  struct tm yes = at(5, 22, 0), early = at(5, 21, 59), late = at(5, 22, 1);
  assert_true(parity_cron_due(&daily, &yes));
  assert_false(parity_cron_due(&daily, &early));
  assert_false(parity_cron_due(&daily, &late));
}

static void intraday_fires_every_quarter_hour(void **state)
{
  (void)state;
  const struct parity_cron_rule every15 = { -1, -1, -1, 15 };
  int fired = 0;
  for (int h = 0; h < 24; h++)
    for (int m = 0; m < 60; m++) {
      struct tm tm = at(1, h, m);
      fired += parity_cron_due(&every15, &tm);
    }
  assert_int_equal(fired, 96);
}

static void rebalance_fires_on_the_first_at_02_00(void **state)
{
  (void)state;
  const struct parity_cron_rule monthly = { 0, 2, 1, 0 };
  struct tm first = at(1, 2, 0), second = at(2, 2, 0), other_hour = at(1, 3, 0);
  assert_true(parity_cron_due(&monthly, &first));
  assert_false(parity_cron_due(&monthly, &second));
  assert_false(parity_cron_due(&monthly, &other_hour));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(daily_fires_at_22_00_only),
    cmocka_unit_test(intraday_fires_every_quarter_hour),
    cmocka_unit_test(rebalance_fires_on_the_first_at_02_00),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
