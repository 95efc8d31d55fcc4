/*
 * operational/tax_lots.c: lot methods, realized pieces, term and the wash-sale rule. Every expected number
 * is computed by hand in the comment beside it (cents, micro-shares; "sh" = 1,000,000 micro-shares).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/tax_lots.h"

#define SH 1000000LL

static int32_t D(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

static void lots_of(struct parity_lot_list *l, const struct parity_lot *lots, size_t n)
{
  parity_lot_list_init(l);
  for (size_t i = 0; i < n; i++)
    parity_lot_list_add(l, &lots[i]);
}

static void check_piece(const struct parity_lot_piece *p, int64_t lot_id, int64_t shares, int64_t proceeds,
                        int64_t basis, int32_t acquired, bool long_term, int64_t wash)
{
  assert_int_equal(p->lot_id, lot_id);
  assert_int_equal(p->shares_micro, shares);
  assert_int_equal(p->proceeds_cents, proceeds);
  assert_int_equal(p->basis_cents, basis);
  assert_int_equal(p->acquired, acquired);
  assert_int_equal(p->long_term, long_term);
  assert_int_equal(p->wash_cents, wash);
}

/* Long-term means sold after the anniversary of the acquisition; 29 February's anniversary is 28 February. */
static void term_boundaries(void **state)
{
  (void)state;
  assert_false(parity_lot_long_term(D(2024, 1, 15), D(2025, 1, 15))); /* exactly one year: short */
  assert_true(parity_lot_long_term(D(2024, 1, 15), D(2025, 1, 16)));  /* one year and a day: long */
  assert_false(parity_lot_long_term(D(2024, 2, 29), D(2025, 2, 28)));
  assert_true(parity_lot_long_term(D(2024, 2, 29), D(2025, 3, 1)));
  assert_false(parity_lot_long_term(D(2024, 6, 3), D(2024, 6, 3)));
}

static void method_names(void **state)
{
  (void)state;
  enum parity_lot_method m;
  assert_int_equal(parity_lot_method_parse("tax_min", &m), PARITY_OK);
  assert_int_equal(m, PARITY_LOT_TAX_MIN);
  assert_int_equal(parity_lot_method_parse("hifo", &m), PARITY_OK);
  assert_int_equal(m, PARITY_LOT_HIFO);
  assert_int_equal(parity_lot_method_parse("fifo", &m), PARITY_OK);
  assert_int_equal(m, PARITY_LOT_FIFO);
  assert_int_equal(parity_lot_method_parse("lifo", &m), PARITY_EINVAL);
  assert_int_equal(parity_lot_method_parse(NULL, &m), PARITY_EINVAL);
  assert_string_equal(parity_lot_method_name(PARITY_LOT_TAX_MIN), "tax_min");
}

/* Three lots bought long before the sale (no wash-sale window reaches them). */
static const struct parity_lot three_lots[] = {
  { 1, 1 * SH, 10000, 0, 0, false, false }, /* A: $100/sh, acquired 2023-01-10 (set below) */
  { 2, 2 * SH, 30000, 0, 0, false, false }, /* B: $150/sh, acquired 2023-06-01 */
  { 3, 1 * SH, 8000, 0, 0, false, false },  /* C: $80/sh,  acquired 2024-03-01 */
};

static void three(struct parity_lot_list *l)
{
  lots_of(l, three_lots, 3);
  l->lots[0].acquired = l->lots[0].bought = D(2023, 1, 10);
  l->lots[1].acquired = l->lots[1].bought = D(2023, 6, 1);
  l->lots[2].acquired = l->lots[2].bought = D(2024, 3, 1);
}

/*
 * FIFO, 2.5 sh sold for 30001 cents on 2024-06-03:
 * A whole: proceeds floor(30001 * 1/2.5) = 12000, basis 10000, long (2024-06-03 > 2024-01-10).
 * B 1.5 sh: proceeds 30001 - 12000 = 18001, basis 30000 - (30000 * 0.5/2 = 7500) = 22500, long
 * (anniversary 2024-06-01 < 2024-06-03). B keeps 0.5 sh and 7500; C untouched.
 */
static void fifo_closes_oldest_first(void **state)
{
  (void)state;
  struct parity_lot_list l;
  struct parity_piece_list p;
  three(&l);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 2500000, 30001, D(2024, 6, 3), PARITY_LOT_FIFO, &p), PARITY_OK);
  assert_int_equal(p.n, 2);
  check_piece(&p.pieces[0], 1, 1 * SH, 12000, 10000, D(2023, 1, 10), true, 0);
  check_piece(&p.pieces[1], 2, 1500000, 18001, 22500, D(2023, 6, 1), true, 0);
  assert_int_equal(l.lots[0].shares_micro, 0);
  assert_int_equal(l.lots[0].basis_cents, 0);
  assert_int_equal(l.lots[1].shares_micro, 500000);
  assert_int_equal(l.lots[1].basis_cents, 7500);
  assert_int_equal(l.lots[2].shares_micro, 1 * SH);
  assert_false(l.lots[2].changed);
  assert_int_equal(l.n, 3);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * HIFO, same sale: basis per share B 150, A 100, C 80.
 * B whole: proceeds floor(30001 * 2/2.5) = floor(24000.8) = 24000, basis 30000.
 * A 0.5 sh: proceeds 30001 - 24000 = 6001, basis round(10000 * 0.5) = 5000; A keeps 5000.
 */
static void hifo_closes_highest_basis_first(void **state)
{
  (void)state;
  struct parity_lot_list l;
  struct parity_piece_list p;
  three(&l);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 2500000, 30001, D(2024, 6, 3), PARITY_LOT_HIFO, &p), PARITY_OK);
  assert_int_equal(p.n, 2);
  check_piece(&p.pieces[0], 2, 2 * SH, 24000, 30000, D(2023, 6, 1), true, 0);
  check_piece(&p.pieces[1], 1, 500000, 6001, 5000, D(2023, 1, 10), true, 0);
  assert_int_equal(l.lots[0].basis_cents, 5000);
  assert_int_equal(l.lots[0].shares_micro, 500000);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * tax_min at $120/sh on 2024-06-03, six 1-sh lots:
 *   L1 $110 acq 2022-01-03 long gain     L2 $130 acq 2022-02-01 long loss   L3 $125 acq 2024-01-02 short loss
 *   L4 $90  acq 2023-12-01 short gain    L5 $115 acq 2022-03-01 long gain   L6 $140 acq 2024-02-01 short loss
 * Order: short losses by basis (L6, L3), long loss (L2), long gains by basis (L5, L1), short gain (L4).
 * 4.5 sh for 54000: L6, L3, L2, L5 get 12000 each; L1's half gets 54000 - 48000 = 6000, basis 5500.
 */
static void tax_min_order(void **state)
{
  (void)state;
  const struct parity_lot six[] = {
    { 1, SH, 11000, D(2022, 1, 3), D(2022, 1, 3), false, false },
    { 2, SH, 13000, D(2022, 2, 1), D(2022, 2, 1), false, false },
    { 3, SH, 12500, D(2024, 1, 2), D(2024, 1, 2), false, false },
    { 4, SH, 9000, D(2023, 12, 1), D(2023, 12, 1), false, false },
    { 5, SH, 11500, D(2022, 3, 1), D(2022, 3, 1), false, false },
    { 6, SH, 14000, D(2024, 2, 1), D(2024, 2, 1), false, false },
  };
  struct parity_lot_list l;
  struct parity_piece_list p;
  lots_of(&l, six, 6);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 4500000, 54000, D(2024, 6, 3), PARITY_LOT_TAX_MIN, &p), PARITY_OK);
  assert_int_equal(p.n, 5);
  check_piece(&p.pieces[0], 6, SH, 12000, 14000, D(2024, 2, 1), false, 0);
  check_piece(&p.pieces[1], 3, SH, 12000, 12500, D(2024, 1, 2), false, 0);
  check_piece(&p.pieces[2], 2, SH, 12000, 13000, D(2022, 2, 1), true, 0);
  check_piece(&p.pieces[3], 5, SH, 12000, 11500, D(2022, 3, 1), true, 0);
  check_piece(&p.pieces[4], 1, 500000, 6000, 5500, D(2022, 1, 3), true, 0);
  assert_int_equal(l.lots[0].basis_cents, 5500);
  assert_int_equal(l.lots[3].shares_micro, SH); /* the short-term gain is never touched */
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * No cent lost: 1 sh of a 3-sh lot of 1001 cents sold for 1000: basis round(1001/3 = 333.67) = 334, the lot keeps
 * 667; and 3 x 1-sh lots sold for 1000 cents: 333, 333, 334 (cumulative floors 333, 666, 1000).
 */
static void rounding_keeps_every_cent(void **state)
{
  (void)state;
  const struct parity_lot big[] = { { 9, 3 * SH, 1001, D(2020, 1, 1), D(2020, 1, 1), false, false } };
  struct parity_lot_list l;
  struct parity_piece_list p;
  lots_of(&l, big, 1);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, SH, 1000, D(2024, 6, 3), PARITY_LOT_FIFO, &p), PARITY_OK);
  check_piece(&p.pieces[0], 9, SH, 1000, 334, D(2020, 1, 1), true, 0);
  assert_int_equal(l.lots[0].basis_cents, 667);
  assert_int_equal(l.lots[0].shares_micro, 2 * SH);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);

  const struct parity_lot ones[] = {
    { 1, SH, 1001, D(2020, 1, 1), D(2020, 1, 1), false, false },
    { 2, SH, 1001, D(2020, 1, 2), D(2020, 1, 2), false, false },
    { 3, SH, 1001, D(2020, 1, 3), D(2020, 1, 3), false, false },
  };
  lots_of(&l, ones, 3);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 3 * SH, 1000, D(2024, 6, 3), PARITY_LOT_FIFO, &p), PARITY_OK);
  assert_int_equal(p.n, 3);
  assert_int_equal(p.pieces[0].proceeds_cents, 333);
  assert_int_equal(p.pieces[1].proceeds_cents, 333);
  assert_int_equal(p.pieces[2].proceeds_cents, 334);
  assert_int_equal(p.pieces[0].basis_cents + p.pieces[1].basis_cents + p.pieces[2].basis_cents, 3003);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

static void refuses_more_than_held(void **state)
{
  (void)state;
  struct parity_lot_list l;
  struct parity_piece_list p;
  three(&l);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 4 * SH + 1, 50000, D(2024, 6, 3), PARITY_LOT_FIFO, &p), PARITY_EINVAL);
  assert_int_equal(parity_lots_sell(&l, 0, 50000, D(2024, 6, 3), PARITY_LOT_FIFO, &p), PARITY_EINVAL);
  assert_int_equal(p.n, 0);
  assert_int_equal(l.lots[0].shares_micro, SH);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * Wash sale at sell time. A: 10 sh, $100/sh (100000), acquired 2024-01-02. R: 4 sh at $90 (36000) bought
 * `days_before` the sale. 10 sh of A sold FIFO on 2024-06-03 for 80000: loss 20000.
 * R bought 30 days before: 4 of 10 sh replaced, disallowed floor(20000 * 4/10) = 8000; R's basis
 * 36000 + 8000 = 44000, acquired 2024-01-02 (A's), marked replacement; gain -20000 + 8000 = -12000.
 * R bought 31 days before: outside the window, nothing disallowed, R unchanged.
 */
static void sell_window_30_and_31_days_before(void **state)
{
  (void)state;
  int32_t sold = D(2024, 6, 3);
  for (int days_before = 30; days_before <= 31; days_before++) {
    const struct parity_lot lots[] = {
      { 1, 10 * SH, 100000, D(2024, 1, 2), D(2024, 1, 2), false, false },
      { 2, 4 * SH, 36000, sold - days_before, sold - days_before, false, false },
    };
    struct parity_lot_list l;
    struct parity_piece_list p;
    lots_of(&l, lots, 2);
    parity_piece_list_init(&p);
    assert_int_equal(parity_lots_sell(&l, 10 * SH, 80000, sold, PARITY_LOT_FIFO, &p), PARITY_OK);
    assert_int_equal(p.n, 1);
    bool inside = days_before == 30;
    check_piece(&p.pieces[0], 1, 10 * SH, 80000, 100000, D(2024, 1, 2), false, inside ? 8000 : 0);
    assert_int_equal(p.pieces[0].replaced_micro, inside ? 4 * SH : 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.lots[1].shares_micro, 4 * SH);
    assert_int_equal(l.lots[1].basis_cents, inside ? 44000 : 36000);
    assert_int_equal(l.lots[1].acquired, inside ? D(2024, 1, 2) : sold - days_before);
    assert_int_equal(l.lots[1].bought, sold - days_before); /* the purchase day itself does not move */
    assert_int_equal(l.lots[1].replacement, inside);
    parity_lot_list_free(&l);
    parity_piece_list_free(&p);
  }
}

/*
 * Partial use of a replacement lot: R is 15 sh at $90 (135000 cents) bought 10 days before; A's
 * 10 sh loss of 20000 is replaced in whole (10 of R's 15 sh): disallowed 20000. R splits: the new lot
 * 10 sh, basis 135000 * 10/15 = 90000 + 20000 = 110000, acquired 2024-01-02, replacement; R keeps 5 sh and
 * 45000, its own acquired day, free to replace a later loss.
 */
static void sell_splits_a_partly_used_replacement(void **state)
{
  (void)state;
  int32_t sold = D(2024, 6, 3);
  const struct parity_lot lots[] = {
    { 1, 10 * SH, 100000, D(2024, 1, 2), D(2024, 1, 2), false, false },
    { 2, 15 * SH, 135000, sold - 10, sold - 10, false, false },
  };
  struct parity_lot_list l;
  struct parity_piece_list p;
  lots_of(&l, lots, 2);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 10 * SH, 80000, sold, PARITY_LOT_FIFO, &p), PARITY_OK);
  check_piece(&p.pieces[0], 1, 10 * SH, 80000, 100000, D(2024, 1, 2), false, 20000);
  assert_int_equal(p.pieces[0].replaced_micro, 10 * SH);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.lots[1].shares_micro, 5 * SH);
  assert_int_equal(l.lots[1].basis_cents, 45000);
  assert_int_equal(l.lots[1].acquired, sold - 10);
  assert_false(l.lots[1].replacement);
  assert_int_equal(l.lots[2].id, 0);
  assert_int_equal(l.lots[2].shares_micro, 10 * SH);
  assert_int_equal(l.lots[2].basis_cents, 110000);
  assert_int_equal(l.lots[2].acquired, D(2024, 1, 2));
  assert_int_equal(l.lots[2].bought, sold - 10);
  assert_true(l.lots[2].replacement);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * A replacement acquired before the sold lot keeps its own (earlier) day: R (2 sh at $90, 18000 cents)
 * bought 2024-05-20, B (10 sh at $100) bought 2024-05-25, B sold by HIFO on 2024-06-03 at $80 (80000): loss 20000, R replaces 2 of 10 sh: disallowed floor(20000 * 2/10) = 4000, R's basis 22000, acquired stays
 * 2024-05-20 (not B's 2024-05-25).
 */
static void replacement_keeps_an_earlier_day(void **state)
{
  (void)state;
  const struct parity_lot lots[] = {
    { 1, 2 * SH, 18000, D(2024, 5, 20), D(2024, 5, 20), false, false },
    { 2, 10 * SH, 100000, D(2024, 5, 25), D(2024, 5, 25), false, false },
  };
  struct parity_lot_list l;
  struct parity_piece_list p;
  lots_of(&l, lots, 2);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 10 * SH, 80000, D(2024, 6, 3), PARITY_LOT_HIFO, &p), PARITY_OK);
  check_piece(&p.pieces[0], 2, 10 * SH, 80000, 100000, D(2024, 5, 25), false, 4000);
  assert_int_equal(l.lots[0].basis_cents, 22000);
  assert_int_equal(l.lots[0].acquired, D(2024, 5, 20));
  assert_true(l.lots[0].replacement);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * A lot the sale closes is not a replacement: A (10 sh, $100) and R (2 sh at $90, bought 5 days before)
 * both sold FIFO at $80 (96000 for 12 sh): A's piece 80000 vs 100000, R's 16000 vs 18000, nothing
 * disallowed (no other lot of the symbol).
 */
static void sold_lots_do_not_replace_each_other(void **state)
{
  (void)state;
  int32_t sold = D(2024, 6, 3);
  const struct parity_lot lots[] = {
    { 1, 10 * SH, 100000, D(2024, 1, 2), D(2024, 1, 2), false, false },
    { 2, 2 * SH, 18000, sold - 5, sold - 5, false, false },
  };
  struct parity_lot_list l;
  struct parity_piece_list p;
  lots_of(&l, lots, 2);
  parity_piece_list_init(&p);
  assert_int_equal(parity_lots_sell(&l, 12 * SH, 96000, sold, PARITY_LOT_FIFO, &p), PARITY_OK);
  assert_int_equal(p.n, 2);
  check_piece(&p.pieces[0], 1, 10 * SH, 80000, 100000, D(2024, 1, 2), false, 0);
  check_piece(&p.pieces[1], 2, 2 * SH, 16000, 18000, sold - 5, false, 0);
  parity_lot_list_free(&l);
  parity_piece_list_free(&p);
}

/*
 * Wash sale at buy time: a loss sale of 10 sh (loss 20000, A acquired 2024-01-02) on S = 2024-06-03.
 * Buy 4 sh for 32000 on S+30: replacement lot of 4 sh, basis 32000 + floor(20000 * 4/10) = 40000, acquired
 * 2024-01-02; the loss row has 4 sh replaced and 8000 disallowed.
 * Then buy 10 sh for 81000 on S+30: 6 sh left to replace: disallowed becomes floor(20000 * 10/10) = 20000
 * (+12000); cost of the 6 sh floor(81000 * 6/10) = 48600, so 60600, acquired 2024-01-02; the other 4 sh are a
 * plain lot of 81000 - 48600 = 32400 acquired S+30. A third buy finds nothing left to replace.
 */
static void buy_within_30_days_after(void **state)
{
  (void)state;
  int32_t s = D(2024, 6, 3);
  struct parity_loss_sale loss = { 7, 10 * SH, 20000, 0, 0, D(2024, 1, 2), s, false };
  struct parity_lot_list l;
  parity_lot_list_init(&l);
  assert_int_equal(parity_lots_buy(&l, 4 * SH, 32000, s + 30, &loss, 1), PARITY_OK);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.lots[0].shares_micro, 4 * SH);
  assert_int_equal(l.lots[0].basis_cents, 40000);
  assert_int_equal(l.lots[0].acquired, D(2024, 1, 2));
  assert_int_equal(l.lots[0].bought, s + 30);
  assert_true(l.lots[0].replacement);
  assert_true(loss.changed);
  assert_int_equal(loss.replaced_micro, 4 * SH);
  assert_int_equal(loss.wash_cents, 8000);

  assert_int_equal(parity_lots_buy(&l, 10 * SH, 81000, s + 30, &loss, 1), PARITY_OK);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.lots[1].shares_micro, 6 * SH);
  assert_int_equal(l.lots[1].basis_cents, 60600);
  assert_int_equal(l.lots[1].acquired, D(2024, 1, 2));
  assert_true(l.lots[1].replacement);
  assert_int_equal(l.lots[2].shares_micro, 4 * SH);
  assert_int_equal(l.lots[2].basis_cents, 32400);
  assert_int_equal(l.lots[2].acquired, s + 30);
  assert_false(l.lots[2].replacement);
  assert_int_equal(loss.replaced_micro, 10 * SH);
  assert_int_equal(loss.wash_cents, 20000);

  loss.changed = false;
  assert_int_equal(parity_lots_buy(&l, SH, 9000, s + 30, &loss, 1), PARITY_OK);
  assert_int_equal(l.n, 4);
  assert_int_equal(l.lots[3].basis_cents, 9000);
  assert_false(l.lots[3].replacement);
  assert_false(loss.changed);
  parity_lot_list_free(&l);
}

/* 31 days after the loss sale the buy is a plain lot; the loss stays allowed. */
static void buy_31_days_after_is_plain(void **state)
{
  (void)state;
  int32_t s = D(2024, 6, 3);
  struct parity_loss_sale loss = { 7, 10 * SH, 20000, 0, 0, D(2024, 1, 2), s, false };
  struct parity_lot_list l;
  parity_lot_list_init(&l);
  assert_int_equal(parity_lots_buy(&l, 4 * SH, 32000, s + 31, &loss, 1), PARITY_OK);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.lots[0].basis_cents, 32000);
  assert_int_equal(l.lots[0].acquired, s + 31);
  assert_false(l.lots[0].replacement);
  assert_false(loss.changed);
  assert_int_equal(loss.wash_cents, 0);
  parity_lot_list_free(&l);
}

/*
 * Disallowed cents over three partial replacements of a 1000-cent loss on 3 sh: floor(1000/3) = 333,
 * floor(2000/3) = 666 (+333), floor(3000/3) = 1000 (+334): the whole loss, not one cent more. Each 1-sh buy
 * costs 500, so the three lots' bases are 833, 833, 834.
 */
static void wash_rounding_sums_to_the_loss(void **state)
{
  (void)state;
  int32_t s = D(2024, 6, 3);
  struct parity_loss_sale loss = { 7, 3 * SH, 1000, 0, 0, D(2024, 1, 2), s, false };
  struct parity_lot_list l;
  parity_lot_list_init(&l);
  for (int i = 0; i < 3; i++)
    assert_int_equal(parity_lots_buy(&l, SH, 500, s + 1 + i, &loss, 1), PARITY_OK);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.lots[0].basis_cents, 833);
  assert_int_equal(l.lots[1].basis_cents, 833);
  assert_int_equal(l.lots[2].basis_cents, 834);
  assert_int_equal(loss.wash_cents, 1000);
  parity_lot_list_free(&l);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(term_boundaries),
    cmocka_unit_test(method_names),
    cmocka_unit_test(fifo_closes_oldest_first),
    cmocka_unit_test(hifo_closes_highest_basis_first),
    cmocka_unit_test(tax_min_order),
    cmocka_unit_test(rounding_keeps_every_cent),
    cmocka_unit_test(refuses_more_than_held),
    cmocka_unit_test(sell_window_30_and_31_days_before),
    cmocka_unit_test(sell_splits_a_partly_used_replacement),
    cmocka_unit_test(sold_lots_do_not_replace_each_other),
    cmocka_unit_test(replacement_keeps_an_earlier_day),
    cmocka_unit_test(buy_within_30_days_after),
    cmocka_unit_test(buy_31_days_after_is_plain),
    cmocka_unit_test(wash_rounding_sums_to_the_loss),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
