/* The jobs' pure parts: the type table (common/job_types.c), the keyset cursor and the request's trigger
 * (operational/svc_jobs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "common/job_types.h"
#include "operational/svc_jobs.h"

static void every_type_has_a_name_a_unit_and_a_time(void **state)
{
  (void)state;
  for (int t = PARITY_JOB_UNKNOWN + 1; t < PARITY_JOB_TYPE_COUNT; t++) {
    const char *name = parity_job_type_name((enum parity_job_type)t);
    assert_non_null(name);
    /* The jobs.type CHECK of migrations/0013_jobs.sql: ^[a-z][a-z0-9_]{0,39}$ */
    assert_true(strlen(name) <= 40 && name[0] >= 'a' && name[0] <= 'z');
    assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(name));
    assert_non_null(parity_job_type_unit((enum parity_job_type)t));
    assert_true(parity_job_type_expected_seconds((enum parity_job_type)t) > 0);
    assert_int_equal(parity_job_type_parse(name), t);
  }
  assert_int_equal(parity_job_type_parse("monthly_rebalance"), PARITY_JOB_MONTHLY_REBALANCE);
  assert_int_equal(parity_job_type_parse("price_load"), PARITY_JOB_PRICE_LOAD);
  assert_string_equal(parity_job_type_unit(PARITY_JOB_PRICE_LOAD), "symbols");
  assert_int_equal(parity_job_type_parse("dividend_credit"), PARITY_JOB_DIVIDEND_CREDIT);
  assert_string_equal(parity_job_type_unit(PARITY_JOB_DIVIDEND_CREDIT), "days");
  assert_int_equal(parity_job_type_parse("nope"), PARITY_JOB_UNKNOWN);
  assert_int_equal(parity_job_type_parse(NULL), PARITY_JOB_UNKNOWN);
  assert_null(parity_job_type_name(PARITY_JOB_UNKNOWN));
  assert_null(parity_job_type_name(PARITY_JOB_TYPE_COUNT));
}

static void statuses_and_triggers_are_the_tables(void **state)
{
  (void)state;
  const char *final[] = { "succeeded", "failed", "aborted" }, *open[] = { "queued", "running" };
  for (size_t i = 0; i < 3; i++)
    assert_true(parity_job_status_valid(final[i]) && parity_job_status_final(final[i]));
  for (size_t i = 0; i < 2; i++)
    assert_true(parity_job_status_valid(open[i]) && !parity_job_status_final(open[i]));
  assert_false(parity_job_status_valid("done") || parity_job_status_final(NULL));
  assert_true(parity_job_trigger_valid("schedule") && parity_job_trigger_valid("event"));
  assert_false(parity_job_trigger_valid("cron"));
}

static void the_cursor_is_a_positive_id_in_decimal(void **state)
{
  (void)state;
  int64_t before = -1;
  assert_int_equal(parity_jobs_cursor_parse("42", &before), PARITY_OK);
  assert_int_equal(before, 42);
  assert_int_equal(parity_jobs_cursor_parse("999999999999999999", &before), PARITY_OK); /* 18 digits */
  assert_int_equal(before, 999999999999999999LL);
  const char *bad[] = { "", "0", "-1", "+1", "1a", " 1", "1.5", "0x10", "1000000000000000000" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(parity_jobs_cursor_parse(bad[i], &before), PARITY_EINVAL);
    assert_int_equal(before, 0);
  }
  assert_int_equal(parity_jobs_cursor_parse(NULL, &before), PARITY_EINVAL);
}

static void a_request_may_name_cronjob_cli_or_api(void **state)
{
  (void)state;
  assert_string_equal(parity_jobs_request_trigger(NULL), "api");
  assert_string_equal(parity_jobs_request_trigger("cronjob"), "cronjob");
  assert_string_equal(parity_jobs_request_trigger("cli"), "cli");
  /* The schedule and events start jobs from inside the daemon; a request cannot pretend to be either. */
  assert_null(parity_jobs_request_trigger("schedule"));
  assert_null(parity_jobs_request_trigger("event"));
  assert_null(parity_jobs_request_trigger("CLI"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_type_has_a_name_a_unit_and_a_time),
    cmocka_unit_test(statuses_and_triggers_are_the_tables),
    cmocka_unit_test(the_cursor_is_a_positive_id_in_decimal),
    cmocka_unit_test(a_request_may_name_cronjob_cli_or_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
