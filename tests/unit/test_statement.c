/* Statements (svc_statement.h): month parsing, the money text, and the PDF rendered from a statement's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "operational/money.h"
#include "operational/svc_statement.h"

static void months_parse_strictly(void **state)
{
  (void)state;
  int y = 0, m = 0;
  assert_int_equal(parity_statement_month_parse("2026-04", &y, &m), PARITY_OK);
  assert_int_equal(y, 2026);
  assert_int_equal(m, 4);
  assert_int_equal(parity_statement_month_parse("1970-01", &y, &m), PARITY_OK);
  assert_int_equal(parity_statement_month_parse("9999-12", &y, &m), PARITY_OK);
  const char *bad[] = { "2026-13", "2026-00", "2026-4",   "2026-04-01", "26-04",   "2026/04", "1969-12",
                        "abcd-ef", "",        " 2026-04", "2026-04 ",   "+026-04", "2026--4" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (parity_statement_month_parse(bad[i], &y, &m) != PARITY_EINVAL)
      fail_msg("\"%s\" parsed as a month", bad[i]);
  assert_int_equal(parity_statement_month_parse(NULL, &y, &m), PARITY_EINVAL);
}

static void money_reads_as_dollars(void **state)
{
  (void)state;
  char b[PARITY_MONEY_TEXT];
  parity_money_text(0, b);
  assert_string_equal(b, "$0.00");
  parity_money_text(-5, b);
  assert_string_equal(b, "-$0.05");
  parity_money_text(123450, b);
  assert_string_equal(b, "$1,234.50");
  parity_money_text(100000000, b);
  assert_string_equal(b, "$1,000,000.00");
  parity_money_text(-99999, b);
  assert_string_equal(b, "-$999.99");
  parity_money_text(INT64_MIN, b);
  assert_string_equal(b, "-$92,233,720,368,547,758.08");
  parity_micro_text(1500000, 0, b);
  assert_string_equal(b, "1.5");
  parity_micro_text(3000000, 0, b);
  assert_string_equal(b, "3");
  parity_micro_text(412350000, 2, b);
  assert_string_equal(b, "412.35");
  parity_micro_text(412000000, 2, b);
  assert_string_equal(b, "412.00");
  parity_micro_text(1, 2, b);
  assert_string_equal(b, "0.000001");
}

/* The statement's figures appear in its PDF as the reader sees them (uncompressed text operators). */
static void the_pdf_shows_the_figures(void **state)
{
  (void)state;
  json_error_t e;
  json_t *st = json_loads(
      "{\"month\":\"2026-03\",\"from\":\"2026-03-01\",\"to\":\"2026-03-31\",\"complete\":true,"
      "\"opening_value_cents\":100000,\"closing_value_cents\":1234567,\"contributions_cents\":1200000,"
      "\"withdrawals_cents\":50000,\"dividends_cents\":1234,\"fees_cents\":0,\"market_change_cents\":-16667,"
      "\"invested_cents\":1000000,\"sold_cents\":0,\"closing\":{\"wallet_cash_cents\":250000,"
      "\"portfolio_cash_cents\":1234,\"positions_value_cents\":983333},\"performance\":{\"twr\":-0.0123},"
      "\"holdings\":[{\"symbol\":\"VTI\",\"shares_micro\":3500000,\"price_micros\":280950000,\"value_cents\":983325}],"
      "\"trades\":[{\"id\":7,\"date\":\"2026-03-02\",\"symbol\":\"VTI\",\"side\":\"buy\",\"reason\":\"invest\","
      "\"shares_micro\":3500000,\"price_micros\":285714285,\"amount_cents\":1000000}],"
      "\"investor\":{\"email\":\"ann@example.com\"},\"prices_as_of\":\"2026-03-31\"}",
      0, &e);
  assert_non_null(st);
  struct parity_buf pdf;
  parity_buf_init(&pdf, PARITY_BUF_UNBOUNDED);
  assert_int_equal(parity_statement_pdf(st, &pdf), PARITY_OK);
  const char *want[] = { "(Monthly statement: March 2026) Tj",
                         "(Investor: ann@example.com) Tj",
                         "($1,000.00) Tj",
                         "($12,345.67) Tj",
                         "($12,000.00) Tj",
                         "(-$500.00) Tj",
                         "($12.34) Tj",
                         "(-$166.67) Tj",
                         "(-1.23%) Tj",
                         "(VTI) Tj",
                         "(3.5) Tj",
                         "($285.714285) Tj",
                         "($10,000.00) Tj",
                         "(buy \\(invest\\)) Tj",
                         "($2,500.00) Tj",
                         "($9,833.33) Tj" };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (!strstr(pdf.data, want[i]))
      fail_msg("the statement PDF lacks %s", want[i]);
  parity_buf_free(&pdf);
  json_decref(st);
}

static void a_confirmation_pdf_shows_the_trade(void **state)
{
  (void)state;
  json_t *c =
      json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:{s:s}, s:I}", "id", (json_int_t)42, "date",
                "2026-03-02", "symbol", "BND", "side", "sell", "reason", "sell", "shares_micro", (json_int_t)1250000,
                "price_micros", (json_int_t)72110000, "amount_cents", (json_int_t)9014, "executed_at",
                "2026-03-02T15:00:00.000Z", "investor", "email", "bo@example.com", "fees_cents", (json_int_t)0);
  struct parity_buf pdf;
  parity_buf_init(&pdf, PARITY_BUF_UNBOUNDED);
  assert_int_equal(parity_confirmation_pdf(c, &pdf), PARITY_OK);
  const char *want[] = { "(Trade confirmation) Tj",
                         "(Trade 42, executed 2026-03-02T15:00:00.000Z) Tj",
                         "(BND) Tj",
                         "(1.25) Tj",
                         "($72.11) Tj",
                         "($90.14) Tj",
                         "(Investor: bo@example.com) Tj" };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (!strstr(pdf.data, want[i]))
      fail_msg("the confirmation PDF lacks %s", want[i]);
  parity_buf_free(&pdf);
  json_decref(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(months_parse_strictly),
    cmocka_unit_test(money_reads_as_dollars),
    cmocka_unit_test(the_pdf_shows_the_figures),
    cmocka_unit_test(a_confirmation_pdf_shows_the_trade),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
