/*
 * operational/harvest_plan.c: one investor's harvest of the day, through the lot engine into a tax book.
 * Every expected value is computed by hand in the comment beside it (cents; "sh" = 1,000,000 micro-shares;
 * prices in micro-dollars; D = 2024-03-15; default rule: a loss of at least max($100, 5 % of the basis)).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "operational/harvest_plan.h"

#define SH 1000000LL
#define DOLLARS(d) ((int64_t)(d)*1000000LL)

static int32_t day0(void)
{
  return parity_day_from_ymd(2024, 3, 15);
}

/* A holding of `symbol` in `family` at `price` micro-dollars, no position yet. */
static struct parity_harvest_holding holding(const char *symbol, const char *family, int64_t price)
{
  struct parity_harvest_holding h = { symbol, family, price, 0, 0, { 0 }, NULL, 0, false };
  parity_lot_list_init(&h.lots);
  return h;
}

/* Adds a plain lot bought `ago` days before D, and its shares and basis to the position. */
static void add_lot(struct parity_harvest_holding *h, int64_t id, int64_t shares, int64_t basis, int ago)
{
  int32_t d = day0() - ago;
  struct parity_lot lot = { id, shares, basis, d, d, false, false };
  parity_lot_list_add(&h->lots, &lot);
  h->shares_micro += shares;
  h->cost_basis_cents += basis;
}

static void free_all(struct parity_harvest_holding *h, size_t n, struct parity_tax_book *book)
{
  for (size_t i = 0; i < n; i++)
    parity_lot_list_free(&h[i].lots);
  parity_tax_book_free(book);
}

struct run {
  struct parity_tax_book book;
  struct parity_harvest_leg legs[4];
  size_t nlegs;
  struct parity_harvest_tally tally;
};

static void plan(struct parity_harvest_holding *h, size_t n, struct run *r)
{
  struct parity_harvest_rule rule;
  parity_harvest_rule_defaults(&rule);
  memset(r, 0, sizeof(*r));
  parity_tax_book_init(&r->book);
  assert_int_equal(
      parity_harvest_plan(&rule, h, n, 42, day0(), PARITY_LOT_TAX_MIN, &r->book, r->legs, &r->nlegs, &r->tally), 0);
}

static void a_loss_lot_buys_the_alternate(void **state)
{
  (void)state;
  /* VTI: one lot of 100 sh for $10,000 bought 100 days ago, now $80 a share: worth $8,000, a $2,000 loss
   * (>= max($100, $500)). VOO at $400: the $8,000 buy 20 sh exactly, for 800000. */
  struct parity_harvest_holding h[2] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(400)) };
  add_lot(&h[0], 7, 100 * SH, 1000000, 100);
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 1);
  const struct parity_harvest_leg *leg = &r.legs[0];
  assert_int_equal(leg->sold, 0);
  assert_int_equal(leg->bought, 1);
  assert_int_equal(leg->sold_shares_micro, 100 * SH);
  assert_int_equal(leg->sold_price_micros, DOLLARS(80));
  assert_int_equal(leg->proceeds_cents, 800000);
  assert_int_equal(leg->bought_shares_micro, 20 * SH);
  assert_int_equal(leg->cost_cents, 800000);
  assert_int_equal(leg->loss_cents, 200000); /* 1000000 - 800000 */
  /* the positions after: VTI empty (no basis left), VOO 20 sh at 800000 */
  assert_int_equal(h[0].shares_micro, 0);
  assert_int_equal(h[0].cost_basis_cents, 0);
  assert_int_equal(h[1].shares_micro, 20 * SH);
  assert_int_equal(h[1].cost_basis_cents, 800000);
  assert_true(h[0].touched && h[1].touched);
  /* the book: one realized gain row (short term: 100 days), the VTI lot closed, one VOO lot opened today */
  assert_int_equal(r.book.ngains, 1);
  assert_int_equal(leg->first_gain, 0);
  assert_int_equal(leg->ngains, 1);
  const struct parity_lot_piece *p = &r.book.gains[0].piece;
  assert_string_equal(r.book.gains[0].symbol, "VTI");
  assert_int_equal(p->lot_id, 7);
  assert_int_equal(p->shares_micro, 100 * SH);
  assert_int_equal(p->proceeds_cents, 800000);
  assert_int_equal(p->basis_cents, 1000000);
  assert_int_equal(p->wash_cents, 0);
  assert_false(p->long_term);
  assert_int_equal(r.book.nlots, 2);
  assert_string_equal(r.book.lots[0].symbol, "VTI");
  assert_int_equal(r.book.lots[0].lot.id, 7);
  assert_int_equal(r.book.lots[0].lot.shares_micro, 0);
  assert_string_equal(r.book.lots[1].symbol, "VOO");
  assert_int_equal(r.book.lots[1].lot.id, 0);
  assert_int_equal(r.book.lots[1].lot.shares_micro, 20 * SH);
  assert_int_equal(r.book.lots[1].lot.basis_cents, 800000);
  assert_int_equal(r.book.lots[1].lot.bought, day0());
  free_all(h, 2, &r.book);
}

static void only_qualifying_lots_are_sold(void **state)
{
  (void)state;
  /* VTI at $80: lot 1, 100 sh for $10,000 (a $2,000 loss) qualifies; lot 2, 10 sh for $820 bought 60 days
   * ago (worth $800, a $20 loss) does not, and is out of the 30-day window: it stays. The sale: 100 sh for
   * $8,000; VOO at $300: 8000/300 = 26.666666 sh (26666666 micro-shares), whose value rounds to
   * 26666666 * 300 / 10^4 = 799999.98 -> 800000 cents. */
  struct parity_harvest_holding h[2] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(300)) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 200);
  add_lot(&h[0], 2, 10 * SH, 82000, 60);
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 1);
  assert_int_equal(r.legs[0].sold_shares_micro, 100 * SH);
  assert_int_equal(r.legs[0].bought_shares_micro, 26666666);
  assert_int_equal(r.legs[0].cost_cents, 800000);
  assert_int_equal(r.legs[0].loss_cents, 200000);
  /* lot 2 is the position left: 10 sh, basis 82000 */
  assert_int_equal(h[0].lots.n, 1);
  assert_int_equal(h[0].lots.lots[0].id, 2);
  assert_int_equal(h[0].shares_micro, 10 * SH);
  assert_int_equal(h[0].cost_basis_cents, 82000);
  assert_int_equal(r.book.ngains, 1);
  assert_int_equal(r.book.gains[0].piece.lot_id, 1);
  free_all(h, 2, &r.book);
}

static void under_the_threshold_nothing(void **state)
{
  (void)state;
  /* 100 sh for $10,000 now at $96: a $400 loss, 4 % of the basis (under 5 %): kept; at $95 (5 %): sold */
  struct parity_harvest_holding h[2] = { holding("VTI", "us_broad", DOLLARS(96)),
                                         holding("VOO", "us_broad", DOLLARS(400)) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 100);
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 0);
  assert_int_equal(r.book.ngains + r.book.nlots, 0);
  assert_int_equal(r.tally.wash_blocked + r.tally.no_alternate, 0);
  parity_tax_book_free(&r.book);
  h[0].price_micros = DOLLARS(95);
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 1);
  assert_int_equal(r.legs[0].loss_cents, 50000);
  free_all(h, 2, &r.book);
}

static void a_recent_purchase_blocks_the_sale(void **state)
{
  (void)state;
  /* lot 1 at a $2,000 loss; lot 2 bought 10 days ago at today's price (no loss) would stay open and replace
   * the sold shares (a wash sale): nothing is sold */
  struct parity_harvest_holding h[2] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(400)) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 100);
  add_lot(&h[0], 2, 10 * SH, 80000, 10);
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 0);
  assert_int_equal(r.tally.wash_blocked, 1);
  assert_int_equal(r.book.ngains + r.book.nlots, 0);
  assert_int_equal(h[0].shares_micro, 110 * SH);
  free_all(h, 2, &r.book);
}

static void an_alternate_sold_at_a_loss_is_not_bought(void **state)
{
  (void)state;
  /* VOO was sold at a $500 loss 10 days ago, not replaced: buying it would wash that loss. With no third
   * member nothing is harvested; with IVV (rank 3) the proceeds buy IVV. */
  struct parity_loss_sale voo_loss = { 99, 5 * SH, 50000, 0, 0, day0() - 300, day0() - 10, false };
  struct parity_harvest_holding h[3] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(400)),
                                         holding("IVV", "us_broad", DOLLARS(500)) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 100);
  h[1].losses = &voo_loss;
  h[1].nlosses = 1;
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 0);
  assert_int_equal(r.tally.no_alternate, 1);
  parity_tax_book_free(&r.book);
  plan(h, 3, &r);
  assert_int_equal(r.nlegs, 1);
  assert_int_equal(r.legs[0].bought, 2);
  assert_int_equal(r.legs[0].bought_shares_micro, 16 * SH); /* $8,000 / $500 */
  assert_false(voo_loss.changed);
  free_all(h, 3, &r.book);
}

static void one_harvest_per_fund_a_day(void **state)
{
  (void)state;
  /* VTI and VOO both at a loss: VTI (first) sells into VOO; VOO, bought today, is sold by no other leg.
   * QQQ (alone in its family) is never sold. A fund with no price is never bought. */
  struct parity_harvest_holding h[4] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(400)),
                                         holding("QQQ", "us_growth", DOLLARS(300)), holding("VUG", "us_growth", 0) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 100);
  add_lot(&h[1], 2, 10 * SH, 500000, 100); /* worth $4,000: a $1,000 loss */
  add_lot(&h[2], 3, 10 * SH, 500000, 100); /* worth $3,000: a $2,000 loss, but VUG has no price */
  struct run r;
  plan(h, 4, &r);
  assert_int_equal(r.nlegs, 1);
  assert_int_equal(r.legs[0].sold, 0);
  assert_int_equal(r.legs[0].bought, 1);
  assert_int_equal(h[1].shares_micro, 30 * SH); /* 10 held + 20 bought */
  assert_int_equal(h[1].cost_basis_cents, 1300000);
  assert_int_equal(r.tally.no_alternate, 1); /* QQQ */
  free_all(h, 4, &r.book);
}

static void lots_out_of_step_are_left_alone(void **state)
{
  (void)state;
  struct parity_harvest_holding h[2] = { holding("VTI", "us_broad", DOLLARS(80)),
                                         holding("VOO", "us_broad", DOLLARS(400)) };
  add_lot(&h[0], 1, 100 * SH, 1000000, 100);
  h[0].shares_micro += 1; /* the position says one micro-share more than its lots */
  struct run r;
  plan(h, 2, &r);
  assert_int_equal(r.nlegs, 0);
  assert_int_equal(r.tally.out_of_step, 1);
  free_all(h, 2, &r.book);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_loss_lot_buys_the_alternate),
    cmocka_unit_test(only_qualifying_lots_are_sold),
    cmocka_unit_test(under_the_threshold_nothing),
    cmocka_unit_test(a_recent_purchase_blocks_the_sale),
    cmocka_unit_test(an_alternate_sold_at_a_loss_is_not_bought),
    cmocka_unit_test(one_harvest_per_fund_a_day),
    cmocka_unit_test(lots_out_of_step_are_left_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
