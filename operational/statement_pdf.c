/* The statement and trade confirmation documents: the JSON answers of svc_statement.c laid out with pdf.h. */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "operational/money.h"
#include "operational/pdf.h"
#include "operational/svc_statement.h"

#define X_LEFT PARITY_PDF_MARGIN
#define X_RIGHT (PARITY_PDF_PAGE_WIDTH - PARITY_PDF_MARGIN)
#define X_FIGURES 380 /* the right edge of the summary's figures */
#define BODY 10.0
#define SMALL 8.5

static const char *const month_names[] = { "January", "February", "March",     "April",   "May",      "June",
                                           "July",    "August",   "September", "October", "November", "December" };

/* A price in micro-dollars as "$412.35" (every significant micro-dollar kept). */
static void price_text(int64_t micros, char *buf, size_t len)
{
  char digits[PARITY_MONEY_TEXT];
  parity_micro_text(micros, 2, digits);
  snprintf(buf, len, "$%s", digits);
}

static int64_t cents_of(const json_t *obj, const char *key)
{
  return parity_json_int(obj, key, 0);
}

/* A label on the left and an amount of cents right-aligned at X_FIGURES, on one line. */
static void summary_line(struct parity_pdf *pdf, const char *label, int64_t cents, enum parity_pdf_font font)
{
  char money[PARITY_MONEY_TEXT];
  parity_money_text(cents, money);
  parity_pdf_text(pdf, X_LEFT, font, BODY, label, false);
  parity_pdf_text_right(pdf, X_FIGURES, font, BODY, money, true);
}

static void header(struct parity_pdf *pdf, const char *title, const char *subtitle, const json_t *doc)
{
  parity_pdf_text(pdf, X_LEFT, PARITY_PDF_BOLD, 18, "Parity", false);
  parity_pdf_text_right(pdf, X_RIGHT, PARITY_PDF_REGULAR, SMALL, "Paper trading: no real money was moved", true);
  parity_pdf_skip(pdf, 6);
  parity_pdf_text(pdf, X_LEFT, PARITY_PDF_BOLD, 14, title, true);
  parity_pdf_text(pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, subtitle, true);
  char line[PARITY_PDF_MAX_LINE];
  snprintf(line, sizeof(line), "Investor: %s", parity_json_str(json_object_get(doc, "investor"), "email", ""));
  parity_pdf_text(pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, line, true);
  parity_pdf_skip(pdf, 4);
  parity_pdf_rule(pdf);
}

/* The column x positions (right edges, except the first two) of the trades table. */
enum { COL_DATE = X_LEFT, COL_SYMBOL = 120, COL_SIDE = 170, COL_SHARES = 300, COL_PRICE = 390, COL_AMOUNT = 480 };

static void trade_row(struct parity_pdf *pdf, const json_t *t, enum parity_pdf_font font)
{
  char shares[PARITY_MONEY_TEXT], price[PARITY_MONEY_TEXT + 1], amount[PARITY_MONEY_TEXT], side[32];
  parity_micro_text(parity_json_int(t, "shares_micro", 0), 0, shares);
  price_text(parity_json_int(t, "price_micros", 0), price, sizeof(price));
  parity_money_text(cents_of(t, "amount_cents"), amount);
  snprintf(side, sizeof(side), "%s (%s)", parity_json_str(t, "side", ""), parity_json_str(t, "reason", ""));
  parity_pdf_text(pdf, COL_DATE, font, BODY, parity_json_str(t, "date", ""), false);
  parity_pdf_text(pdf, COL_SYMBOL, font, BODY, parity_json_str(t, "symbol", ""), false);
  parity_pdf_text(pdf, COL_SIDE, font, BODY, side, false);
  parity_pdf_text_right(pdf, COL_SHARES, font, BODY, shares, false);
  parity_pdf_text_right(pdf, COL_PRICE, font, BODY, price, false);
  parity_pdf_text_right(pdf, COL_AMOUNT, font, BODY, amount, true);
}

int parity_statement_pdf(const json_t *st, struct parity_buf *out)
{
  struct parity_pdf pdf;
  parity_pdf_init(&pdf);
  const char *month = parity_json_str(st, "month", "0000-01");
  int m = (month[5] - '0') * 10 + (month[6] - '0');
  char title[64], subtitle[PARITY_PDF_MAX_LINE], line[PARITY_PDF_MAX_LINE];
  snprintf(title, sizeof(title), "Monthly statement: %s %.4s", m >= 1 && m <= 12 ? month_names[m - 1] : "", month);
  bool complete = json_is_true(json_object_get(st, "complete"));
  snprintf(subtitle, sizeof(subtitle), "Period: %s to %s%s (New York days)", parity_json_str(st, "from", ""),
           parity_json_str(st, "to", ""), complete ? "" : ", month to date");
  header(&pdf, title, subtitle, st);

  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_BOLD, 12, "Summary", true);
  summary_line(&pdf, "Opening value", cents_of(st, "opening_value_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Contributions (deposits)", cents_of(st, "contributions_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Withdrawals", -cents_of(st, "withdrawals_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Dividends", cents_of(st, "dividends_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Fees", -cents_of(st, "fees_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Market change", cents_of(st, "market_change_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Closing value", cents_of(st, "closing_value_cents"), PARITY_PDF_BOLD);
  const json_t *closing = json_object_get(st, "closing");
  summary_line(&pdf, "   of which wallet cash", cents_of(closing, "wallet_cash_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "   of which portfolio cash", cents_of(closing, "portfolio_cash_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "   of which investments", cents_of(closing, "positions_value_cents"), PARITY_PDF_REGULAR);
  const json_t *twr = json_object_get(json_object_get(st, "performance"), "twr");
  if (json_is_number(twr))
    snprintf(line, sizeof(line), "%+.2f%%", json_number_value(twr) * 100.0);
  else
    snprintf(line, sizeof(line), "n/a");
  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, "Performance (time-weighted, portfolio)", false);
  parity_pdf_text_right(&pdf, X_FIGURES, PARITY_PDF_REGULAR, BODY, line, true);
  summary_line(&pdf, "Moved into the portfolio", cents_of(st, "invested_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Moved out of the portfolio", cents_of(st, "sold_cents"), PARITY_PDF_REGULAR);
  snprintf(line, sizeof(line), "Closing value includes wallet cash. Holdings valued at closes as of %s.",
           parity_json_str(st, "prices_as_of", "-"));
  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, SMALL, line, true);
  parity_pdf_skip(&pdf, 6);

  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_BOLD, 12, "Holdings at the end of the period", true);
  const json_t *holdings = json_object_get(st, "holdings");
  if (json_array_size(holdings) == 0)
    parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, "No holdings.", true);
  size_t i;
  const json_t *h;
  json_array_foreach(holdings, i, h) {
    char shares[PARITY_MONEY_TEXT], price[PARITY_MONEY_TEXT + 1], value[PARITY_MONEY_TEXT];
    parity_micro_text(parity_json_int(h, "shares_micro", 0), 0, shares);
    price_text(parity_json_int(h, "price_micros", 0), price, sizeof(price));
    parity_money_text(cents_of(h, "value_cents"), value);
    parity_pdf_text(&pdf, COL_DATE, PARITY_PDF_REGULAR, BODY, parity_json_str(h, "symbol", ""), false);
    parity_pdf_text_right(&pdf, COL_SHARES, PARITY_PDF_REGULAR, BODY, shares, false);
    parity_pdf_text_right(&pdf, COL_PRICE, PARITY_PDF_REGULAR, BODY, price, false);
    parity_pdf_text_right(&pdf, COL_AMOUNT, PARITY_PDF_REGULAR, BODY, value, true);
  }
  parity_pdf_skip(&pdf, 6);

  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_BOLD, 12, "Trades", true);
  const json_t *trades = json_object_get(st, "trades");
  if (json_array_size(trades) == 0)
    parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, "No trades this month.", true);
  else {
    parity_pdf_text(&pdf, COL_DATE, PARITY_PDF_BOLD, BODY, "Date", false);
    parity_pdf_text(&pdf, COL_SYMBOL, PARITY_PDF_BOLD, BODY, "Symbol", false);
    parity_pdf_text(&pdf, COL_SIDE, PARITY_PDF_BOLD, BODY, "Side", false);
    parity_pdf_text_right(&pdf, COL_SHARES, PARITY_PDF_BOLD, BODY, "Shares", false);
    parity_pdf_text_right(&pdf, COL_PRICE, PARITY_PDF_BOLD, BODY, "Price", false);
    parity_pdf_text_right(&pdf, COL_AMOUNT, PARITY_PDF_BOLD, BODY, "Amount", true);
  }
  const json_t *t;
  json_array_foreach(trades, i, t) {
    trade_row(&pdf, t, PARITY_PDF_REGULAR);
  }
  if (json_is_true(json_object_get(st, "trades_truncated")))
    parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, SMALL, "More trades than one statement lists; see the app.",
                    true);
  int rc = parity_pdf_finish(&pdf, out);
  parity_pdf_free(&pdf);
  return rc;
}

int parity_confirmation_pdf(const json_t *c, struct parity_buf *out)
{
  struct parity_pdf pdf;
  parity_pdf_init(&pdf);
  char subtitle[PARITY_PDF_MAX_LINE], line[PARITY_PDF_MAX_LINE], money[PARITY_MONEY_TEXT];
  snprintf(subtitle, sizeof(subtitle), "Trade %lld, executed %s", (long long)parity_json_int(c, "id", 0),
           parity_json_str(c, "executed_at", ""));
  header(&pdf, "Trade confirmation", subtitle, c);
  const char *rows[][2] = {
    { "Trade date (New York)", parity_json_str(c, "date", "") },
    { "Symbol", parity_json_str(c, "symbol", "") },
    { "Side", parity_json_str(c, "side", "") },
    { "Reason", parity_json_str(c, "reason", "") },
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, rows[i][0], false);
    parity_pdf_text_right(&pdf, X_FIGURES, PARITY_PDF_REGULAR, BODY, rows[i][1], true);
  }
  parity_micro_text(parity_json_int(c, "shares_micro", 0), 0, money);
  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, "Shares", false);
  parity_pdf_text_right(&pdf, X_FIGURES, PARITY_PDF_REGULAR, BODY, money, true);
  price_text(parity_json_int(c, "price_micros", 0), line, sizeof(line));
  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, BODY, "Price per share", false);
  parity_pdf_text_right(&pdf, X_FIGURES, PARITY_PDF_REGULAR, BODY, line, true);
  summary_line(&pdf, "Fees", cents_of(c, "fees_cents"), PARITY_PDF_REGULAR);
  summary_line(&pdf, "Amount", cents_of(c, "amount_cents"), PARITY_PDF_BOLD);
  parity_pdf_skip(&pdf, 6);
  parity_pdf_text(&pdf, X_LEFT, PARITY_PDF_REGULAR, SMALL,
                  "Amount = shares x price, rounded half up to the cent. A paper trade: no broker was involved.", true);
  int rc = parity_pdf_finish(&pdf, out);
  parity_pdf_free(&pdf);
  return rc;
}
