/* The read path's in-memory tables: price lookups, the snapshot swap and its reference counts, model bodies. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/price_table.h"
#include "operational/snapshot.h"
#include "operational/svc_models.h"

static void lookups_find_each_symbol_and_nothing_else(void **state)
{
  (void)state;
  struct parity_price_table *t = parity_price_table_new(4);
  /* Added out of order: the table sorts itself when sealed. */
  assert_int_equal(parity_price_table_add(t, "VTI", 290.5, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "BND", 72.25, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "BRK-B", 480.0, "2026-12-03T15:30:00Z", parity_day_from_ymd(2026, 12, 3)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "^GSPC", 6000.0, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "QQQ", 1.0, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_ETOOBIG);
  parity_price_table_seal(t);
  assert_int_equal(t->n, 4);
  const struct parity_price_entry *e = parity_price_table_find(t, "BRK-B");
  assert_non_null(e);
  assert_true(e->price == 480.0);
  assert_string_equal(e->priced_at, "2026-12-03T15:30:00Z");
  assert_int_equal(e->day, parity_day_from_ymd(2026, 12, 3));
  assert_true(parity_price_table_find(t, "VTI")->price == 290.5);
  assert_true(parity_price_table_find(t, "BND")->price == 72.25);
  assert_true(parity_price_table_find(t, "^GSPC")->price == 6000.0);
  assert_null(parity_price_table_find(t, "QQQ")); /* refused: the table was full */
  assert_null(parity_price_table_find(t, "VT"));  /* a prefix of VTI is another symbol */
  assert_null(parity_price_table_find(t, ""));
  assert_null(parity_price_table_find(NULL, "VTI"));
  parity_snapshot_release(&t->snap);
}

static void a_symbol_twice_keeps_its_newest_price_and_bad_input_is_skipped(void **state)
{
  (void)state;
  struct parity_price_table *t = parity_price_table_new(5);
  assert_int_equal(parity_price_table_add(t, "VTI", 289.0, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "VTI", 291.0, "2026-12-03T15:30:00Z", parity_day_from_ymd(2026, 12, 3)),
                   PARITY_OK);
  assert_int_equal(parity_price_table_add(t, "VTI", 290.0, "2026-12-03T14:00:00Z", parity_day_from_ymd(2026, 12, 3)),
                   PARITY_OK);
  /* 16 characters: one more than a symbol holds. */
  assert_int_equal(
      parity_price_table_add(t, "ABCDEFGHIJKLMNOP", 1.0, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
      PARITY_EINVAL);
  assert_int_equal(parity_price_table_add(t, "", 1.0, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2)),
                   PARITY_EINVAL);
  parity_price_table_seal(t);
  assert_int_equal(t->n, 1);
  assert_true(parity_price_table_find(t, "VTI")->price == 291.0);
  assert_int_equal(parity_price_table_find(t, "VTI")->day, parity_day_from_ymd(2026, 12, 3)); /* the newest's day */
  parity_snapshot_release(&t->snap);
}

/* A snapshot that records its destruction instead of freeing anything. */
struct probe {
  struct parity_snapshot snap;
  int id;
  int *destroyed;
};

static void probe_destroy(struct parity_snapshot *snap)
{
  struct probe *p = (struct probe *)snap;
  (*p->destroyed)++;
}

static void a_replaced_snapshot_lives_until_its_last_reader_lets_go(void **state)
{
  (void)state;
  int destroyed_a = 0, destroyed_b = 0;
  struct probe a = { .id = 1, .destroyed = &destroyed_a }, b = { .id = 2, .destroyed = &destroyed_b };
  parity_snapshot_init(&a.snap, probe_destroy);
  parity_snapshot_init(&b.snap, probe_destroy);
  struct parity_snapshot_slot slot;
  parity_snapshot_slot_init(&slot);
  assert_null(parity_snapshot_acquire(&slot)); /* nothing published yet */

  parity_snapshot_publish(&slot, &a.snap);
  struct probe *reader = (struct probe *)parity_snapshot_acquire(&slot);
  assert_int_equal(reader->id, 1);
  parity_snapshot_publish(&slot, &b.snap); /* a is replaced while read */
  assert_int_equal(destroyed_a, 0);
  assert_int_equal(((struct probe *)slot.current)->id, 2);
  parity_snapshot_release(&reader->snap); /* the last reader of a */
  assert_int_equal(destroyed_a, 1);

  struct parity_snapshot *held = parity_snapshot_acquire(&slot);
  parity_snapshot_slot_close(&slot); /* the slot's reference goes, the reader's stays */
  assert_int_equal(destroyed_b, 0);
  parity_snapshot_release(held);
  assert_int_equal(destroyed_b, 1);
  assert_int_equal(destroyed_a, 1);
}

/* Readers on several threads while a writer replaces the table: each reader sees a whole table (every
 * price of one table equals that table's generation), and every table is freed exactly once. */
#define SWAP_READERS 4
#define SWAP_GENERATIONS 200
#define SWAP_READS 20000

static struct parity_snapshot_slot swap_slot;

static void *swap_reader(void *arg)
{
  (void)arg;
  for (int i = 0; i < SWAP_READS; i++) {
    struct parity_price_table *t = (struct parity_price_table *)parity_snapshot_acquire(&swap_slot);
    if (!t)
      continue;
    const struct parity_price_entry *a = parity_price_table_find(t, "AAA"), *z = parity_price_table_find(t, "ZZZ");
    if (!a || !z || a->price != z->price)
      abort();
    parity_snapshot_release(&t->snap);
  }
  return NULL;
}

static void readers_see_whole_tables_while_a_writer_swaps(void **state)
{
  (void)state;
  parity_snapshot_slot_init(&swap_slot);
  pthread_t readers[SWAP_READERS];
  for (int i = 0; i < SWAP_READERS; i++)
    assert_int_equal(pthread_create(&readers[i], NULL, swap_reader, NULL), 0);
  for (int g = 1; g <= SWAP_GENERATIONS; g++) {
    struct parity_price_table *t = parity_price_table_new(2);
    parity_price_table_add(t, "ZZZ", (double)g, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2));
    parity_price_table_add(t, "AAA", (double)g, "2026-12-02T21:00:00Z", parity_day_from_ymd(2026, 12, 2));
    parity_price_table_seal(t);
    parity_snapshot_publish(&swap_slot, &t->snap);
  }
  for (int i = 0; i < SWAP_READERS; i++)
    pthread_join(readers[i], NULL);
  struct parity_price_table *last = (struct parity_price_table *)parity_snapshot_acquire(&swap_slot);
  assert_true(parity_price_table_find(last, "AAA")->price == (double)SWAP_GENERATIONS);
  parity_snapshot_release(&last->snap);
  parity_snapshot_slot_close(&swap_slot); /* ASan's leak check proves every generation was freed */
}

static void model_bodies_are_rendered_in_bucket_order(void **state)
{
  (void)state;
  struct parity_model_table *t = parity_model_table_new();
  assert_int_equal(parity_model_table_add(t, "risk_2_horizon_long", "2026-12-01", "2026-12-02T06:00:00Z",
                                          "{\"VTI\": 0.5, \"BND\": 0.5}"),
                   PARITY_OK);
  assert_int_equal(
      parity_model_table_add(t, "risk_1_horizon_short", "2026-11-27", "2026-11-28T06:00:00Z", "{\"BND\": 1.0}"),
      PARITY_OK);
  assert_int_equal(parity_model_table_add(t, "risk_9_horizon_short", "2026-12-01", "x", "{}"), PARITY_EINVAL);
  assert_int_equal(parity_model_table_add(t, "risk_3_horizon_long", "2026-12-01", "x", "not json"), PARITY_EINVAL);
  parity_model_table_seal(t);
  assert_int_equal(t->n, 2);
  /* risk 1 before risk 2; the body is what GET /models answered when built per request, with each model's
   * prices' age (its as-of day) and the list's (the newest of them, here the second model's). */
  assert_string_equal(t->list_body,
                      "{\"models\":[{\"bucket\":\"risk_1_horizon_short\",\"risk_tolerance\":1,\"horizon\":\"short\","
                      "\"as_of\":\"2026-11-27\",\"computed_at\":\"2026-11-28T06:00:00Z\",\"weights\":{\"BND\":1.0},"
                      "\"prices_as_of\":\"2026-11-27\"},"
                      "{\"bucket\":\"risk_2_horizon_long\",\"risk_tolerance\":2,\"horizon\":\"long\","
                      "\"as_of\":\"2026-12-01\",\"computed_at\":\"2026-12-02T06:00:00Z\","
                      "\"weights\":{\"VTI\":0.5,\"BND\":0.5},\"prices_as_of\":\"2026-12-01\"}],"
                      "\"prices_as_of\":\"2026-12-01\"}");
  assert_int_equal(t->list_len, strlen(t->list_body));
  const struct parity_model_entry *m = parity_model_table_find(t, "risk_2_horizon_long");
  assert_non_null(m);
  assert_string_equal(m->as_of, "2026-12-01");
  assert_non_null(strstr(t->list_body, m->body)); /* the bucket's own body is its element of the list */
  assert_null(parity_model_table_find(t, "risk_3_horizon_long"));

  const struct parity_model_entry *found = NULL;
  struct parity_svc_error err = { 0 };
  assert_int_equal(parity_svc_model_find(t, "risk_4_horizon_medium", &found, &err), PARITY_ENOTFOUND);
  assert_non_null(strstr(err.message, "no model portfolio yet"));
  assert_int_equal(parity_svc_model_find(t, "risk_0_horizon_x", &found, &err), PARITY_ENOTFOUND);
  assert_non_null(strstr(err.message, "unknown bucket"));
  assert_int_equal(parity_svc_model_find(t, "risk_1_horizon_short", &found, &err), PARITY_OK);
  assert_string_equal(found->bucket, "risk_1_horizon_short");
  parity_snapshot_release(&t->snap);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(lookups_find_each_symbol_and_nothing_else),
    cmocka_unit_test(a_symbol_twice_keeps_its_newest_price_and_bad_input_is_skipped),
    cmocka_unit_test(a_replaced_snapshot_lives_until_its_last_reader_lets_go),
    cmocka_unit_test(readers_see_whole_tables_while_a_writer_swaps),
    cmocka_unit_test(model_bodies_are_rendered_in_bucket_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
