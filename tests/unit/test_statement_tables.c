/* Both processes' statement tables are complete: every enum slot names a statement with SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decisional/queries.h"
#include "operational/queries.h"

static void check_table(const struct parity_stmt *stmts, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (!stmts[i].name || !stmts[i].sql)
      fail_msg("statement %zu has no name or SQL", i);
    for (size_t j = 0; j < i; j++)
      if (strcmp(stmts[i].name, stmts[j].name) == 0)
        fail_msg("statement name %s is used twice", stmts[i].name);
  }
}

static void operational_table_is_complete(void **state)
{
  (void)state;
  check_table(parity_op_stmts, Q_OP_QUERY_COUNT);
  for (size_t i = 0; i < SQL_OP_COUNT; i++)
    if (!parity_op_sql[i])
      fail_msg("unprepared statement %zu has no SQL", i);
}

static void decisional_tables_are_complete(void **state)
{
  (void)state;
  check_table(parity_dec_stmts, QD_DEC_QUERY_COUNT);
  for (size_t i = 0; i < SQL_DEC_COUNT; i++)
    if (!parity_dec_sql[i])
      fail_msg("unprepared statement %zu has no SQL", i);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(operational_table_is_complete),
    cmocka_unit_test(decisional_tables_are_complete),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
