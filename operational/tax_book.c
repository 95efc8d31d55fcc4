/* The lots side of a ledger transaction, written set-based (tax_book.h). */
#include "operational/tax_book.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/batch_rows.h"
#include "operational/queries.h"

void parity_tax_book_init(struct parity_tax_book *b)
{
  *b = (struct parity_tax_book){ 0 };
}

void parity_tax_book_free(struct parity_tax_book *b)
{
  free(b->lots);
  free(b->gains);
  free(b->losses);
  *b = (struct parity_tax_book){ 0 };
}

int32_t parity_tax_today(void)
{
  return parity_day_from_epoch((int64_t)time(NULL), 0);
}

static int64_t col_i64(const PGresult *res, int r, int c)
{
  return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

void parity_tax_symbol_rows(const PGresult *res, int first, int end, int col, const char *symbol, int *sfirst,
                            int *send)
{
  int r = first;
  while (r < end && strcmp(PQgetvalue(res, r, col), symbol) != 0)
    r++;
  *sfirst = r;
  while (r < end && strcmp(PQgetvalue(res, r, col), symbol) == 0)
    r++;
  *send = r;
}

void parity_tax_lots_read(const PGresult *res, int first, int end, int col, struct parity_lot_list *out)
{
  for (int r = first; r < end; r++) {
    struct parity_lot lot = { col_i64(res, r, col),
                              col_i64(res, r, col + 1),
                              col_i64(res, r, col + 2),
                              (int32_t)col_i64(res, r, col + 3),
                              (int32_t)col_i64(res, r, col + 4),
                              PQgetvalue(res, r, col + 5)[0] == 't',
                              false };
    parity_lot_list_add(out, &lot);
  }
}

void parity_tax_losses_read(const PGresult *res, int first, int end, int col, struct parity_loss_sale *out)
{
  for (int r = first; r < end; r++)
    out[r - first] = (struct parity_loss_sale){ col_i64(res, r, col),
                                                col_i64(res, r, col + 1),
                                                col_i64(res, r, col + 2),
                                                col_i64(res, r, col + 3),
                                                col_i64(res, r, col + 4),
                                                (int32_t)col_i64(res, r, col + 5),
                                                (int32_t)col_i64(res, r, col + 6),
                                                false };
}

#define GROW(arr, n, cap)                                                                                              \
  do {                                                                                                                 \
    if ((n) == (cap)) {                                                                                                \
      (cap) = (cap) ? 2 * (cap) : 16;                                                                                  \
      (arr) = parity_xrealloc((arr), (cap) * sizeof(*(arr)));                                                          \
    }                                                                                                                  \
  } while (0)

static int64_t total_basis(const struct parity_lot_list *lots)
{
  int64_t sum = 0;
  for (size_t i = 0; i < lots->n; i++)
    sum += lots->lots[i].basis_cents;
  return sum;
}

/* Appends the lots the last step changed, and clears their marks (the list may serve another step). */
static void take_lots(struct parity_tax_book *b, int64_t user_id, const char *symbol, struct parity_lot_list *lots)
{
  for (size_t i = 0; i < lots->n; i++) {
    struct parity_lot *lot = &lots->lots[i];
    if (!lot->changed || (lot->id == 0 && lot->shares_micro == 0))
      continue;
    GROW(b->lots, b->nlots, b->caplots);
    struct parity_tax_lot_row *row = &b->lots[b->nlots++];
    row->user_id = user_id;
    snprintf(row->symbol, sizeof(row->symbol), "%s", symbol);
    row->lot = *lot;
    lot->changed = false;
  }
}

int parity_tax_book_sell(struct parity_tax_book *b, int64_t user_id, const char *symbol, struct parity_lot_list *lots,
                         int64_t shares_micro, int64_t proceeds_cents, int32_t day, enum parity_lot_method method,
                         int64_t batch_id, size_t *first_gain, int64_t *basis_delta)
{
  if (strlen(symbol) >= PARITY_TAX_SYMBOL_MAX)
    return PARITY_EINVAL;
  int64_t before = total_basis(lots);
  struct parity_piece_list pieces;
  parity_piece_list_init(&pieces);
  int rc = parity_lots_sell(lots, shares_micro, proceeds_cents, day, method, &pieces);
  if (!rc) {
    *first_gain = b->ngains;
    for (size_t i = 0; i < pieces.n; i++) {
      GROW(b->gains, b->ngains, b->capgains);
      struct parity_tax_gain_row *row = &b->gains[b->ngains++];
      row->user_id = user_id;
      snprintf(row->symbol, sizeof(row->symbol), "%s", symbol);
      row->trade_id = 0;
      row->batch_id = batch_id;
      row->piece = pieces.pieces[i];
      b->wash_cents += pieces.pieces[i].wash_cents;
    }
    take_lots(b, user_id, symbol, lots);
    *basis_delta = total_basis(lots) - before;
  }
  parity_piece_list_free(&pieces);
  return rc;
}

int parity_tax_book_buy(struct parity_tax_book *b, int64_t user_id, const char *symbol, struct parity_lot_list *lots,
                        int64_t shares_micro, int64_t cost_cents, int32_t day, struct parity_loss_sale *losses,
                        size_t nlosses, int64_t *basis_delta)
{
  if (strlen(symbol) >= PARITY_TAX_SYMBOL_MAX)
    return PARITY_EINVAL;
  int64_t before = total_basis(lots);
  int rc = parity_lots_buy(lots, shares_micro, cost_cents, day, losses, nlosses);
  if (rc)
    return rc;
  for (size_t i = 0; i < nlosses; i++) {
    if (!losses[i].changed)
      continue;
    GROW(b->losses, b->nlosses, b->caplosses);
    b->losses[b->nlosses++] =
        (struct parity_tax_loss_row){ losses[i].id, losses[i].replaced_micro, losses[i].wash_cents };
    losses[i].changed = false;
  }
  take_lots(b, user_id, symbol, lots);
  *basis_delta = total_basis(lots) - before;
  b->wash_cents += *basis_delta - cost_cents;
  return PARITY_OK;
}

void parity_tax_investor_of(struct parity_tax_rows *t, int64_t user_id, struct parity_tax_investor *out)
{
  parity_batch_user_rows(t->lots, &t->lot_row, user_id, &out->lot_first, &out->lot_end);
  out->method = PARITY_LOT_TAX_MIN;
  if (out->lot_first < out->lot_end)
    (void)parity_lot_method_parse(PQgetvalue(t->lots, out->lot_first, 8), &out->method);
  parity_batch_user_rows(t->losses, &t->loss_row, user_id, &out->loss_first, &out->loss_end);
}

int parity_tax_trade_lots(const struct parity_tax_rows *t, const struct parity_tax_investor *it, int64_t user_id,
                          int64_t batch_id, const char *symbol, bool buy, int64_t shares_micro, int64_t cents,
                          int64_t cost, struct parity_tax_book *book, int64_t *new_cost)
{
  struct parity_lot_list lots;
  parity_lot_list_init(&lots);
  int first, end;
  parity_tax_symbol_rows(t->lots, it->lot_first, it->lot_end, 1, symbol, &first, &end);
  parity_tax_lots_read(t->lots, first, end, 2, &lots);
  int64_t delta = 0;
  int rc;
  if (buy) {
    parity_tax_symbol_rows(t->losses, it->loss_first, it->loss_end, 1, symbol, &first, &end);
    struct parity_loss_sale *losses = parity_xcalloc((size_t)(end - first) + 1, sizeof(*losses));
    parity_tax_losses_read(t->losses, first, end, 2, losses);
    rc = parity_tax_book_buy(book, user_id, symbol, &lots, shares_micro, cents, t->today, losses, (size_t)(end - first),
                             &delta);
    free(losses);
  } else {
    size_t first_gain;
    rc = parity_tax_book_sell(book, user_id, symbol, &lots, shares_micro, cents, t->today, it->method, batch_id,
                              &first_gain, &delta);
  }
  parity_lot_list_free(&lots);
  *new_cost = cost + delta;
  if (!rc && *new_cost < 0)
    rc = PARITY_EINVAL;
  if (rc)
    parity_log(PARITY_LOG_ERROR, "tax_lots_out_of_step", "{s:I, s:s}", "user_id", (json_int_t)user_id, "symbol",
               symbol);
  return rc;
}

void parity_tax_book_set_trade(struct parity_tax_book *b, size_t first_gain, int64_t trade_id)
{
  for (size_t i = first_gain; i < b->ngains; i++)
    b->gains[i].trade_id = trade_id;
}

static void add_line(struct parity_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(struct parity_buf *buf, const char *fmt, ...)
{
  char line[384];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > 0)
    parity_buf_add(buf, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* "\N" for 0 (no row id yet), else the number. */
static const char *id_or_null(int64_t id, char buf[PARITY_I64_TEXT])
{
  return id ? parity_i64(id, buf) : "\\N";
}

static int copy_text(struct parity_db *db, enum parity_op_sql copy, const struct parity_buf *text)
{
  int rc = parity_db_copy_begin(db, parity_op_sql[copy]);
  if (rc)
    return rc;
  int put = parity_db_copy_put(db, text->data, text->len);
  return parity_db_copy_end(db, put ? "tax lots copy failed" : NULL);
}

static int write_staged(struct parity_db *db, const struct parity_tax_book *b)
{
  struct parity_buf text;
  parity_buf_init(&text, PARITY_BUF_UNBOUNDED);
  char a[PARITY_I64_TEXT], c[PARITY_I64_TEXT], l[PARITY_I64_TEXT];
  int rc = PARITY_OK;
  if (b->nlots) {
    for (size_t i = 0; i < b->nlots; i++) {
      const struct parity_tax_lot_row *r = &b->lots[i];
      add_line(&text, "%lld\t%s\t%s\t%lld\t%lld\t%d\t%d\t%s\n", (long long)r->user_id, r->symbol,
               id_or_null(r->lot.id, a), (long long)r->lot.shares_micro, (long long)r->lot.basis_cents,
               (int)r->lot.acquired, (int)r->lot.bought, r->lot.replacement ? "t" : "f");
    }
    rc = copy_text(db, SQL_OP_TAX_COPY_LOTS, &text);
  }
  if (!rc && b->ngains) {
    parity_buf_clear(&text);
    for (size_t i = 0; i < b->ngains; i++) {
      const struct parity_tax_gain_row *r = &b->gains[i];
      const struct parity_lot_piece *p = &r->piece;
      add_line(&text, "%lld\t%s\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%d\t%d\t%s\t%lld\t%lld\n", (long long)r->user_id,
               r->symbol, id_or_null(r->trade_id, a), id_or_null(r->batch_id, c), id_or_null(p->lot_id, l),
               (long long)p->shares_micro, (long long)p->proceeds_cents, (long long)p->basis_cents, (int)p->acquired,
               (int)p->sold, p->long_term ? "long" : "short", (long long)p->wash_cents, (long long)p->replaced_micro);
    }
    rc = copy_text(db, SQL_OP_TAX_COPY_GAINS, &text);
  }
  if (!rc && b->nlosses) {
    parity_buf_clear(&text);
    for (size_t i = 0; i < b->nlosses; i++)
      add_line(&text, "%lld\t%lld\t%lld\n", (long long)b->losses[i].id, (long long)b->losses[i].replaced_micro,
               (long long)b->losses[i].wash_cents);
    rc = copy_text(db, SQL_OP_TAX_COPY_LOSSES, &text);
  }
  parity_buf_free(&text);
  return rc;
}

int parity_tax_book_write(struct parity_db *db, const struct parity_tax_book *b)
{
  if (!b->nlots && !b->ngains && !b->nlosses)
    return PARITY_OK;
  int rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_TAX_STAGE_CREATE]);
  if (!rc)
    rc = write_staged(db, b);
  if (!rc)
    rc = parity_db_exec_sql(db, parity_op_sql[SQL_OP_TAX_APPLY]);
  return rc;
}
