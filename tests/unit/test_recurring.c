/* Recurring deposits: the names and day ranges the API accepts (the schema's CHECK says the same). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "operational/svc_recurring.h"

static void frequencies_parse(void **state)
{
  (void)state;
  enum parity_recurring_frequency f;
  assert_int_equal(parity_recurring_frequency_parse("weekly", &f), 0);
  assert_int_equal(f, PARITY_RECURRING_WEEKLY);
  assert_int_equal(parity_recurring_frequency_parse("biweekly", &f), 0);
  assert_int_equal(f, PARITY_RECURRING_BIWEEKLY);
  assert_int_equal(parity_recurring_frequency_parse("monthly", &f), 0);
  assert_int_equal(f, PARITY_RECURRING_MONTHLY);
  assert_int_equal(parity_recurring_frequency_parse("Monthly", &f), -1);
  assert_int_equal(parity_recurring_frequency_parse("daily", &f), -1);
  assert_int_equal(parity_recurring_frequency_parse(NULL, &f), -1);
}

static void day_ranges(void **state)
{
  (void)state;
  /* weekdays 1 (Monday) .. 7 (Sunday), ISO 8601 */
  assert_false(parity_recurring_day_valid(PARITY_RECURRING_WEEKLY, 0));
  assert_true(parity_recurring_day_valid(PARITY_RECURRING_WEEKLY, 1));
  assert_true(parity_recurring_day_valid(PARITY_RECURRING_BIWEEKLY, 7));
  assert_false(parity_recurring_day_valid(PARITY_RECURRING_BIWEEKLY, 8));
  /* days of the month every month has: 1 .. 28 */
  assert_true(parity_recurring_day_valid(PARITY_RECURRING_MONTHLY, 28));
  assert_false(parity_recurring_day_valid(PARITY_RECURRING_MONTHLY, 29));
  assert_false(parity_recurring_day_valid(PARITY_RECURRING_MONTHLY, 0));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(frequencies_parse),
    cmocka_unit_test(day_ranges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
