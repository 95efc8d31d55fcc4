/*
 * Targets per family (operational/tax_families.c): weights summed per family, the member bought chosen by
 * rank, price and the wash-sale block, and the held members counted for it. Hand-made families.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "operational/tax_families.h"

#define USD(d) ((int64_t)((d)*1000000))

static const struct parity_plan_target model[] = {
  { "VTI", 0.30, USD(300) }, { "BND", 0.40, USD(70) }, { "VOO", 0.20, USD(500) }, { "QQQ", 0.10, USD(450) }
};

static const struct parity_plan_target *target(const struct parity_plan_target *t, size_t n, const char *symbol)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].symbol, symbol) == 0)
      return &t[i];
  return NULL;
}

static void a_family_weighs_its_members_and_buys_the_first_by_rank(void **state)
{
  (void)state;
  /* us_broad: VTI (rank 1) 0.30 + VOO 0.20 = 0.50, bought as VTI; us_growth: QQQ 0.10 (VUG not in the model);
   * BND has no family. The VOO held counts for VTI; BND held counts for nothing. */
  struct parity_family_member members[] = { { "VTI", "us_broad", USD(300), false },
                                            { "VOO", "us_broad", USD(500), false },
                                            { "QQQ", "us_growth", USD(450), false },
                                            { "VUG", "us_growth", USD(400), false } };
  struct parity_plan_holding held[] = { { "VOO", 1000000, 50000, USD(500), NULL },
                                        { "BND", 1000000, 7000, USD(70), NULL } };
  struct parity_plan_target out[4];
  size_t n = parity_family_targets(model, 4, members, 4, held, 2, out);
  assert_int_equal(n, 3);
  assert_non_null(target(out, n, "VTI"));
  assert_true(target(out, n, "VTI")->weight > 0.4999999 && target(out, n, "VTI")->weight < 0.5000001);
  assert_int_equal(target(out, n, "VTI")->price_micros, USD(300));
  assert_null(target(out, n, "VOO"));
  assert_non_null(target(out, n, "BND"));
  assert_non_null(target(out, n, "QQQ"));
  assert_string_equal(held[0].counts_for, "VTI");
  assert_null(held[1].counts_for);
}

static void a_buy_that_would_disallow_a_loss_goes_to_the_next_member(void **state)
{
  (void)state;
  /* VTI was sold at a loss this month (harvested into VOO): the family is bought as VOO, at VOO's price, and
   * the VTI still held counts for VOO. QQQ blocked and VUG without a price: QQQ stays (the first priced). */
  struct parity_family_member members[] = { { "VTI", "us_broad", USD(300), true },
                                            { "VOO", "us_broad", USD(500), false },
                                            { "QQQ", "us_growth", USD(450), true },
                                            { "VUG", "us_growth", 0, false } };
  struct parity_plan_holding held[] = { { "VTI", 2000000, 60000, USD(300), NULL } };
  struct parity_plan_target out[4];
  size_t n = parity_family_targets(model, 4, members, 4, held, 1, out);
  assert_int_equal(n, 3);
  assert_null(target(out, n, "VTI"));
  assert_int_equal(target(out, n, "VOO")->price_micros, USD(500));
  assert_true(target(out, n, "VOO")->weight > 0.4999999 && target(out, n, "VOO")->weight < 0.5000001);
  assert_non_null(target(out, n, "QQQ"));
  assert_string_equal(held[0].counts_for, "VOO");
}

static void without_families_the_targets_are_unchanged(void **state)
{
  (void)state;
  struct parity_plan_holding held[] = { { "VOO", 1000000, 50000, USD(500), NULL } };
  struct parity_plan_target out[4];
  size_t n = parity_family_targets(model, 4, NULL, 0, held, 1, out);
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(out[i].symbol, model[i].symbol);
    assert_true(out[i].weight == model[i].weight);
  }
  assert_null(held[0].counts_for);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_family_weighs_its_members_and_buys_the_first_by_rank),
    cmocka_unit_test(a_buy_that_would_disallow_a_loss_goes_to_the_next_member),
    cmocka_unit_test(without_families_the_targets_are_unchanged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
