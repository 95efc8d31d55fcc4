/* common/json.c: field-table checks that lean on the calendar and id rules, and the exact-real serializer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/errors.h"
#include "common/json.h"

static int check_one(const char *text, const struct parity_json_field *field)
{
  json_t *obj = json_loads(text, 0, NULL);
  assert_non_null(obj);
  char err[128];
  int rc = parity_json_check(obj, field, 1, err, sizeof(err));
  json_decref(obj);
  return rc;
}

/* PJ_DATE is parity_day_parse: 2024-02-29 exists; 2023-02-29 and 2024-04-31 do not. */
static void dates_are_real_calendar_dates(void **state)
{
  (void)state;
  const struct parity_json_field f = { "as_of", PJ_DATE, true, 0, 0, 0 };
  assert_int_equal(check_one("{\"as_of\":\"2024-02-29\"}", &f), PARITY_OK);
  assert_int_equal(check_one("{\"as_of\":\"2023-02-29\"}", &f), PARITY_EINVAL);
  assert_int_equal(check_one("{\"as_of\":\"2024-04-31\"}", &f), PARITY_EINVAL);
  assert_int_equal(check_one("{\"as_of\":\"2024-13-01\"}", &f), PARITY_EINVAL);
  assert_int_equal(check_one("{\"as_of\":\"2024-1-01\"}", &f), PARITY_EINVAL);
  assert_int_equal(check_one("{\"as_of\":20240101}", &f), PARITY_EINVAL);
}

/* PJ_UUID is the 8-4-4-4-12 form; PJ_WEIGHTS takes [0, 1] per symbol or CASH, as json.h says. */
static void uuids_and_weights_match_their_documented_shapes(void **state)
{
  (void)state;
  const struct parity_json_field id = { "id", PJ_UUID, true, 0, 0, 0 };
  assert_int_equal(check_one("{\"id\":\"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10\"}", &id), PARITY_OK);
  assert_int_equal(check_one("{\"id\":\"0b1e7a52-3f1c4d8e9a55-7f2d7c2e4b10\"}", &id), PARITY_EINVAL);
  assert_int_equal(check_one("{\"id\":\"0b1e7a52-3f1c-7f2d7c2e4b10\"}", &id), PARITY_EINVAL); /* 8-4-12 */
  const struct parity_json_field w = { "w", PJ_WEIGHTS, true, 0, 0, 0 };
  assert_int_equal(check_one("{\"w\":{\"VTI\":0, \"CASH\":1}}", &w), PARITY_OK);
  assert_int_equal(check_one("{\"w\":{\"VTI\":1.5}}", &w), PARITY_EINVAL);
  assert_int_equal(check_one("{\"w\":{\"VTI\":-0.1}}", &w), PARITY_EINVAL);
  assert_int_equal(check_one("{\"w\":{\"vti\":0.5}}", &w), PARITY_EINVAL);
}

/* Shortest round-trip reals: 0.123456 stays 0.123456; 0.1 + 0.2 needs 17 digits; a real stays a real;
 * everything reads back equal; strings are escaped as JSON requires. */
static void exact_dump_writes_shortest_round_trip_reals(void **state)
{
  (void)state;
  json_t *v = json_pack("{s:f, s:f, s:f, s:f, s:I, s:s, s:[b, n], s:f, s:{s:f}, s:[]}", "w", 0.123456, "sum", 0.1 + 0.2,
                        "tiny", 1e-300, "one", 1.0, "int", (json_int_t)-42, "text", "a\"b\\c\n", "misc", 1, "neg",
                        -2.5e10, "nested", "x", 0.5, "empty");
  char *text = parity_json_dumps_exact_new(v);
  assert_non_null(text);
  assert_non_null(strstr(text, "\"w\":0.123456,"));
  assert_non_null(strstr(text, "\"sum\":0.30000000000000004"));
  assert_non_null(strstr(text, "\"one\":1.0"));
  assert_non_null(strstr(text, "\"int\":-42"));
  assert_non_null(strstr(text, "\"text\":\"a\\\"b\\\\c\\n\""));
  assert_non_null(strstr(text, "\"misc\":[true,null]"));
  assert_non_null(strstr(text, "\"nested\":{\"x\":0.5}"));
  assert_non_null(strstr(text, "\"empty\":[]"));
  json_error_t jerr;
  json_t *back = json_loads(text, 0, &jerr);
  assert_non_null(back);
  assert_true(json_equal(v, back));
  free(text);
  json_decref(back);
  json_decref(v);
}

/* Every double of a sweep over magnitudes reads back bit for bit. */
static void exact_dump_round_trips_every_real(void **state)
{
  (void)state;
  /* A multiplicative sweep (1.37 apart), counted by an integer so the loop never depends on rounding. */
  double x = 1e-20;
  for (int step = 0; step < 293; step++) {
    json_t *arr = json_pack("[f, f]", x, -x / 3.0);
    char *text = parity_json_dumps_exact_new(arr);
    json_t *back = json_loads(text, 0, NULL);
    assert_non_null(back);
    assert_true(json_real_value(json_array_get(back, 0)) == x);
    assert_true(json_real_value(json_array_get(back, 1)) == -x / 3.0);
    json_decref(back);
    json_decref(arr);
    free(text);
    x *= 1.37;
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(dates_are_real_calendar_dates),
    cmocka_unit_test(uuids_and_weights_match_their_documented_shapes),
    cmocka_unit_test(exact_dump_writes_shortest_round_trip_reals),
    cmocka_unit_test(exact_dump_round_trips_every_real),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
