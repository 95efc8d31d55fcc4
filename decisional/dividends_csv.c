/* The dividend history CSV (dividends_csv.h): a small file, parsed whole, exactly (no floating point). */
#include "decisional/dividends_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"

#define HEADER "date,symbol,dividend"

int parity_dividend_amount_parse(const char *text, size_t len, int64_t *micros)
{
  int64_t whole = 0, frac = 0;
  size_t i = 0, digits = 0, decimals = 0;
  for (; i < len && text[i] >= '0' && text[i] <= '9'; i++, digits++) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > PARITY_DIVIDEND_MAX_MICROS / PARITY_DIVIDEND_SCALE)
      return PARITY_EINVAL;
  }
  if (i < len && text[i] == '.') {
    for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++, decimals++) {
      if (decimals == 6)
        return PARITY_EINVAL;
      frac = frac * 10 + (text[i] - '0');
    }
    if (decimals == 0)
      return PARITY_EINVAL;
  }
  if (i != len || digits == 0)
    return PARITY_EINVAL;
  for (size_t d = decimals; d < 6; d++)
    frac *= 10;
  int64_t v = whole * PARITY_DIVIDEND_SCALE + frac;
  if (v <= 0 || v > PARITY_DIVIDEND_MAX_MICROS)
    return PARITY_EINVAL;
  *micros = v;
  return PARITY_OK;
}

static int row_order(const void *a, const void *b)
{
  const struct parity_dividend_row *x = a, *y = b;
  int c = strcmp(x->symbol, y->symbol);
  return c ? c : (x->day > y->day) - (x->day < y->day);
}

/* One data line into *row; 0 or PARITY_EINVAL with the reason in *what. */
static int parse_line(const char *line, size_t len, struct parity_dividend_row *row, const char **what)
{
  const char *c1 = memchr(line, ',', len);
  const char *c2 = c1 ? memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - line)) : NULL;
  if (!c1 || !c2 || memchr(c2 + 1, ',', len - (size_t)(c2 + 1 - line))) {
    *what = "expected 3 fields";
    return PARITY_EINVAL;
  }
  if (parity_day_parse(line, (size_t)(c1 - line), &row->day)) {
    *what = "bad date";
    return PARITY_EINVAL;
  }
  size_t slen = (size_t)(c2 - c1 - 1);
  if (slen == 0 || slen >= sizeof(row->symbol)) {
    *what = "bad symbol";
    return PARITY_EINVAL;
  }
  memcpy(row->symbol, c1 + 1, slen);
  row->symbol[slen] = '\0';
  if (!parity_symbol_valid(row->symbol)) {
    *what = "bad symbol";
    return PARITY_EINVAL;
  }
  if (parity_dividend_amount_parse(c2 + 1, len - (size_t)(c2 + 1 - line), &row->amount_micros)) {
    *what = "bad dividend (a positive decimal, at most 6 decimals)";
    return PARITY_EINVAL;
  }
  return PARITY_OK;
}

int parity_dividends_csv_parse(const char *buf, size_t len, int (*wanted)(void *ctx, const char *symbol), void *ctx,
                               struct parity_dividend_row **rows, size_t *n, char *err, size_t err_size)
{
  *rows = NULL;
  *n = 0;
  size_t cap = 0, count = 0, pos = 0;
  long line_no = 0;
  struct parity_dividend_row *out = NULL;
  int rc = PARITY_OK;
  const char *what = NULL;
  while (pos < len && !rc) {
    const char *line = buf + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t l = nl ? (size_t)(nl - line) : len - pos;
    pos += l + (nl ? 1 : 0);
    if (l > 0 && line[l - 1] == '\r')
      l--;
    line_no++;
    if (l > PARITY_DIVIDEND_CSV_MAX_LINE) {
      rc = PARITY_ETOOBIG;
      what = "line too long";
      break;
    }
    if (line_no == 1) {
      if (l != strlen(HEADER) || memcmp(line, HEADER, l) != 0) {
        rc = PARITY_EINVAL;
        what = "the header must be " HEADER;
      }
      continue;
    }
    if (count == PARITY_DIVIDEND_CSV_MAX_ROWS) {
      rc = PARITY_ETOOBIG;
      what = "too many rows";
      break;
    }
    struct parity_dividend_row row;
    rc = parse_line(line, l, &row, &what);
    if (rc || (wanted && !wanted(ctx, row.symbol)))
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 256;
      out = parity_xrealloc(out, cap * sizeof(*out));
    }
    out[count++] = row;
  }
  if (!rc && line_no == 0) {
    rc = PARITY_EINVAL;
    what = "empty file";
  }
  if (!rc && count > 1) {
    qsort(out, count, sizeof(*out), row_order);
    for (size_t i = 1; i < count && !rc; i++)
      if (row_order(&out[i - 1], &out[i]) == 0) {
        char day[PARITY_DAY_TEXT];
        parity_day_format(out[i].day, day);
        if (err && err_size)
          snprintf(err, err_size, "%s %s: appears twice", out[i].symbol, day);
        free(out);
        return PARITY_EINVAL;
      }
  }
  if (rc) {
    if (err && err_size)
      snprintf(err, err_size, "line %ld: %s", line_no, what ? what : "error");
    free(out);
    return rc;
  }
  *rows = out;
  *n = count;
  return PARITY_OK;
}
