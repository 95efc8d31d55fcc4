/* `parity job --follow`'s lines (cli/progress.c): rate, ETA and the bar, with the numbers worked by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/progress.h"

static void durations_read_as_a_person_would(void **state)
{
  (void)state;
  char out[16];
  parity_progress_duration(0, out, sizeof(out));
  assert_string_equal(out, "0s");
  parity_progress_duration(44.2, out, sizeof(out)); /* rounded up: never promise less than is left */
  assert_string_equal(out, "45s");
  parity_progress_duration(245, out, sizeof(out));
  assert_string_equal(out, "4m05s");
  parity_progress_duration(7380, out, sizeof(out)); /* 2 h 3 min */
  assert_string_equal(out, "2h03m");
  parity_progress_duration(-1, out, sizeof(out));
  assert_string_equal(out, "-");
  parity_progress_duration(NAN, out, sizeof(out));
  assert_string_equal(out, "-");
}

static void rate_and_eta_come_from_the_work_so_far(void **state)
{
  (void)state;
  /* 2,000 of 5,000 portfolios in 25 s: 80/s, and the 3,000 left take 3000 / 80 = 37.5 s. */
  struct parity_progress p = { 12, "monthly_rebalance", "running", "portfolios", 2000, 5000, 25.0 };
  assert_true(fabs(parity_progress_rate(&p) - 80.0) < 1e-9);
  assert_true(fabs(parity_progress_eta(&p) - 37.5) < 1e-9);
  p.total = -1; /* still planning: no total, no ETA */
  assert_true(parity_progress_eta(&p) < 0);
  p.total = 5000;
  p.done = 0; /* nothing done yet: no rate to go by */
  assert_true(parity_progress_rate(&p) == 0 && parity_progress_eta(&p) < 0);
  p.done = 5000;
  p.status = "succeeded"; /* over: nothing left to estimate */
  assert_true(parity_progress_eta(&p) < 0);
}

static void lines_for_a_terminal_and_for_a_pipe(void **state)
{
  (void)state;
  char out[256];
  struct parity_progress p = { 12, "monthly_rebalance", "running", "portfolios", 2000, 5000, 25.0 };
  /* 2000/5000 = 40 % of 10 cells: 4 filled. */
  parity_progress_render(&p, true, 10, out, sizeof(out));
  assert_string_equal(out, "[####......]  40%  2000/5000 portfolios  80.0/s  ETA 38s  running");
  parity_progress_render(&p, false, 10, out, sizeof(out));
  assert_string_equal(out, "job 12 monthly_rebalance running 2000/5000 portfolios (40%) 80.0/s ETA 38s");
  p.total = -1;
  parity_progress_render(&p, true, 4, out, sizeof(out));
  assert_string_equal(out, "[????]       2000/? portfolios  80.0/s  ETA -  running");
  parity_progress_render(&p, false, 4, out, sizeof(out));
  assert_string_equal(out, "job 12 monthly_rebalance running 2000/? portfolios 80.0/s ETA -");
  struct parity_progress empty = { 3, "cleanup", "succeeded", "tables", 0, 0, 0.5 };
  parity_progress_render(&empty, true, 4, out, sizeof(out)); /* nothing to do is all done */
  assert_string_equal(out, "[####] 100%  0/0 tables  0.0/s  ETA -  succeeded");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(durations_read_as_a_person_would),
    cmocka_unit_test(rate_and_eta_come_from_the_work_so_far),
    cmocka_unit_test(lines_for_a_terminal_and_for_a_pipe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
