/* The bounded buffer: appends keep a NUL-terminated text, the maximum is exact, a refusal changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/errors.h"

static void appends_keep_a_terminated_text(void **state)
{
  (void)state;
  struct parity_buf b;
  parity_buf_init(&b, PARITY_BUF_UNBOUNDED);
  assert_null(b.data);
  for (int i = 0; i < 1000; i++) /* past several doublings of the first capacity */
    assert_int_equal(parity_buf_add(&b, "ab", 2), PARITY_OK);
  assert_int_equal(b.len, 2000);
  assert_int_equal(strlen(b.data), 2000);
  assert_memory_equal(b.data + 1998, "ab", 3);
  parity_buf_clear(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  char *text = NULL;
  assert_int_equal(parity_buf_add(&b, "x", 1), PARITY_OK);
  text = parity_buf_take(&b);
  assert_string_equal(text, "x");
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  free(text);
  parity_buf_free(&b);
}

static void the_maximum_is_exact_and_a_refusal_changes_nothing(void **state)
{
  (void)state;
  struct parity_buf b;
  parity_buf_init(&b, 5);
  assert_int_equal(parity_buf_add(&b, "abc", 3), PARITY_OK);
  assert_int_equal(parity_buf_add(&b, "def", 3), PARITY_ETOOBIG);
  assert_int_equal(b.len, 3);
  assert_string_equal(b.data, "abc");
  assert_int_equal(parity_buf_add(&b, "de", 2), PARITY_OK); /* exactly the maximum */
  assert_string_equal(b.data, "abcde");
  assert_true(b.cap <= 6); /* never more than the maximum and its NUL */
  assert_int_equal(parity_buf_add(&b, "", 0), PARITY_OK);
  assert_int_equal(parity_buf_add(&b, "f", 1), PARITY_ETOOBIG);
  parity_buf_free(&b);
  assert_null(b.data);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(appends_keep_a_terminated_text),
    cmocka_unit_test(the_maximum_is_exact_and_a_refusal_changes_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
