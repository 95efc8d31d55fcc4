/*
 * operational/tax_harvest.c: the harvest decision. Every expected value is computed by hand in the comment
 * beside it (cents; "sh" = 1,000,000 micro-shares; D = 2024-03-15).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "operational/tax_harvest.h"

#define SH 1000000LL

static int32_t day0(void)
{
  return parity_day_from_ymd(2024, 3, 15);
}

/* A plain lot bought (and acquired) `ago` days before D. */
static struct parity_lot lot(int64_t shares, int64_t basis, int ago)
{
  int32_t d = day0() - ago;
  return (struct parity_lot){ 0, shares, basis, d, d, false, false };
}

static void threshold_defaults(void **state)
{
  (void)state;
  struct parity_harvest_rule r;
  parity_harvest_rule_defaults(&r);
  assert_int_equal(r.min_loss_cents, 10000);
  assert_int_equal(r.min_loss_bps, 500);
  /* basis $1,000: 5 % is $50, so the $100 floor rules: a loss of 10000 qualifies, 9999 does not */
  assert_true(parity_harvest_lot_qualifies(&r, 100000, 90000));
  assert_false(parity_harvest_lot_qualifies(&r, 100000, 90001));
  /* basis $3,000: 5 % = 15000 > 10000: 300000 - 285000 = 15000 qualifies, 14999 does not */
  assert_true(parity_harvest_lot_qualifies(&r, 300000, 285000));
  assert_false(parity_harvest_lot_qualifies(&r, 300000, 285001));
  /* a gain or no change never qualifies */
  assert_false(parity_harvest_lot_qualifies(&r, 300000, 300000));
  assert_false(parity_harvest_lot_qualifies(&r, 300000, 400000));
}

static void threshold_rounds_up(void **state)
{
  (void)state;
  /* no floor, 5 % of 1001 = 50.05: the loss must reach 51 cents (ceil), 50 is short */
  struct parity_harvest_rule r = { 0, 500 };
  assert_true(parity_harvest_lot_qualifies(&r, 1001, 950));
  assert_false(parity_harvest_lot_qualifies(&r, 1001, 951));
  /* 2.5 % of 1000 = 25 exactly: 25 qualifies, 24 does not */
  struct parity_harvest_rule q = { 0, 250 };
  assert_true(parity_harvest_lot_qualifies(&q, 1000, 975));
  assert_false(parity_harvest_lot_qualifies(&q, 1000, 976));
  /* a floor above the percentage: $100 floor, 0 %: a loss of 1 cent short */
  struct parity_harvest_rule f = { 10000, 0 };
  assert_true(parity_harvest_lot_qualifies(&f, 10000000, 9990000));
  assert_false(parity_harvest_lot_qualifies(&f, 10000000, 9990001));
}

static void pick_sells_only_qualifying_lots(void **state)
{
  (void)state;
  struct parity_harvest_rule r;
  parity_harvest_rule_defaults(&r);
  /* A: 10 sh, basis 300000, now 280000: loss 20000 >= max(10000, 15000): sold.
   * B: 5 sh, basis 100000, now 99000: loss 1000 < 10000: kept (bought 50 days ago: no wash).
   * C: 2 sh, basis 50000, now 60000: a gain, kept (bought 200 days ago). */
  struct parity_lot lots[] = { lot(10 * SH, 300000, 100), lot(5 * SH, 100000, 50), lot(2 * SH, 50000, 200) };
  int64_t values[] = { 280000, 99000, 60000 };
  bool pick[3];
  assert_int_equal(parity_harvest_pick(&r, lots, values, 3, day0(), pick), PARITY_HARVEST_SELL);
  assert_true(pick[0]);
  assert_false(pick[1]);
  assert_false(pick[2]);
  /* nothing qualifies: A at 290000 loses 10000 < 15000 */
  values[0] = 290000;
  assert_int_equal(parity_harvest_pick(&r, lots, values, 3, day0(), pick), PARITY_HARVEST_NOTHING);
  assert_false(pick[0]);
}

static void pick_wash_block(void **state)
{
  (void)state;
  struct parity_harvest_rule r;
  parity_harvest_rule_defaults(&r);
  /* A qualifies (loss 20000); B, bought 30 days before D (D-30, inside the window D-30..D), does not
   * qualify and would stay open: selling A would be a wash sale replaced by B: blocked, nothing picked. */
  struct parity_lot lots[] = { lot(10 * SH, 300000, 100), lot(1 * SH, 20000, 30) };
  int64_t values[] = { 280000, 19500 };
  bool pick[2] = { true, true };
  assert_int_equal(parity_harvest_pick(&r, lots, values, 2, day0(), pick), PARITY_HARVEST_WASH_BLOCKED);
  assert_false(pick[0]);
  assert_false(pick[1]);
  /* B bought on D itself: still blocked */
  lots[1] = lot(1 * SH, 20000, 0);
  assert_int_equal(parity_harvest_pick(&r, lots, values, 2, day0(), pick), PARITY_HARVEST_WASH_BLOCKED);
  /* B bought 31 days before: outside the window, A is sold */
  lots[1] = lot(1 * SH, 20000, 31);
  assert_int_equal(parity_harvest_pick(&r, lots, values, 2, day0(), pick), PARITY_HARVEST_SELL);
  assert_true(pick[0]);
  assert_false(pick[1]);
  /* B bought 10 days before but qualifying too (basis 300000, now 270000: loss 30000 >= 15000): it is sold
   * with A, so no open lot replaces the loss */
  lots[1] = lot(10 * SH, 300000, 10);
  values[1] = 270000;
  assert_int_equal(parity_harvest_pick(&r, lots, values, 2, day0(), pick), PARITY_HARVEST_SELL);
  assert_true(pick[0]);
  assert_true(pick[1]);
  /* an emptied lot (0 shares) bought yesterday blocks nothing */
  lots[1] = lot(0, 0, 1);
  values[1] = 0;
  assert_int_equal(parity_harvest_pick(&r, lots, values, 2, day0(), pick), PARITY_HARVEST_SELL);
  assert_true(pick[0]);
  assert_false(pick[1]);
}

/* A loss sale `ago` days before D of `shares`, `replaced` of them matched already. */
static struct parity_loss_sale loss(int ago, int64_t shares, int64_t replaced, int64_t loss_cents)
{
  return (struct parity_loss_sale){ .shares_micro = shares,
                                    .loss_cents = loss_cents,
                                    .replaced_micro = replaced,
                                    .acquired = day0() - 400,
                                    .sold = day0() - ago };
}

static void alternate_choice(void **state)
{
  (void)state;
  /* a family in rank order VTI, VOO, IVV; VTI is being harvested (skip 0) */
  struct parity_loss_sale voo_recent = loss(30, 5 * SH, 0, 20000); /* sold D-30: inside the window */
  struct parity_harvest_member m[3] = { { NULL, 0, true }, { &voo_recent, 1, true }, { NULL, 0, true } };
  /* VOO would wash its loss of D-30: the next member, IVV (2) */
  assert_true(parity_harvest_buy_washes(&m[1], day0()));
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), 2);
  /* the loss sold D-31: outside the window, VOO (1) */
  struct parity_loss_sale voo_old = loss(31, 5 * SH, 0, 20000);
  m[1].losses = &voo_old;
  assert_false(parity_harvest_buy_washes(&m[1], day0()));
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), 1);
  /* the loss of D-10 fully replaced already (5 of 5 sh): nothing left to disallow, VOO */
  struct parity_loss_sale voo_replaced = loss(10, 5 * SH, 5 * SH, 20000);
  m[1].losses = &voo_replaced;
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), 1);
  /* partly replaced (2 of 5 sh): 3 sh of loss left, VOO washes, IVV */
  struct parity_loss_sale voo_partial = loss(10, 5 * SH, 2 * SH, 20000);
  m[1].losses = &voo_partial;
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), 2);
  /* a gain sale (loss 0) blocks nothing */
  struct parity_loss_sale voo_gain = loss(10, 5 * SH, 0, 0);
  m[1].losses = &voo_gain;
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), 1);
  /* VOO unpriced and IVV washing: no alternate */
  m[1].losses = &voo_old;
  m[1].priced = false;
  struct parity_loss_sale ivv_recent = loss(0, 1 * SH, 0, 1); /* sold on D itself */
  m[2].losses = &ivv_recent;
  m[2].nlosses = 1;
  assert_int_equal(parity_harvest_buy_member(m, 3, 0, day0()), PARITY_HARVEST_NONE);
  /* a family of one has no alternate */
  assert_int_equal(parity_harvest_buy_member(m, 1, 0, day0()), PARITY_HARVEST_NONE);
  /* a rebalance skips none: VTI itself first, unless its own loss of D-5 would wash, then VOO once priced */
  assert_int_equal(parity_harvest_buy_member(m, 3, PARITY_HARVEST_NONE, day0()), 0);
  struct parity_loss_sale vti_recent = loss(5, 10 * SH, 0, 20000);
  m[0].losses = &vti_recent;
  m[0].nlosses = 1;
  m[1].priced = true;
  assert_int_equal(parity_harvest_buy_member(m, 3, PARITY_HARVEST_NONE, day0()), 1);
  /* a loss sale after the buy's day is not in its past window */
  struct parity_loss_sale vti_future = loss(-1, 10 * SH, 0, 20000);
  m[0].losses = &vti_future;
  assert_int_equal(parity_harvest_buy_member(m, 3, PARITY_HARVEST_NONE, day0()), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(threshold_defaults),
    cmocka_unit_test(threshold_rounds_up),
    cmocka_unit_test(pick_sells_only_qualifying_lots),
    cmocka_unit_test(pick_wash_block),
    cmocka_unit_test(alternate_choice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
