/* The message contract: envelope strictness and per-type payload validation (SPEC §6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "common/message.h"

static int parse(const char *text, struct parity_message *msg, char *err)
{
  return parity_message_parse(text, strlen(text), msg, err, 256);
}

#define ID "\"id\":\"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10\""
#define ISSUED "\"issued_at\":\"2026-11-22T00:00:00.000Z\""

static void valid_sync_daily_parses(void **state)
{
  (void)state;
  struct parity_message msg;
  char err[256] = "";
  int rc = parse("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED
                 ",\"payload\":{\"symbols\":[\"SPY\",\"BND\"],\"lookback_days\":1900}}",
                 &msg, err);
  assert_int_equal(rc, PARITY_OK);
  assert_int_equal(msg.type, PARITY_CMD_SYNC_DAILY);
  assert_string_equal(msg.id, "0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10");
  assert_string_equal(parity_msg_type_queue(msg.type), PARITY_QUEUE_PIPELINE);
  parity_message_free(&msg);
}

static void envelope_round_trip(void **state)
{
  (void)state;
  char id[PARITY_UUID_TEXT];
  parity_uuid_v4(id);
  assert_int_equal(id[14], '4'); /* version nibble */
  char *body = parity_message_envelope_new(PARITY_CMD_SYNC_INTRADAY, id, json_pack("{s:[s]}", "symbols", "QQQ"));
  struct parity_message msg;
  char err[256] = "";
  assert_int_equal(parse(body, &msg, err), PARITY_OK);
  assert_string_equal(msg.id, id);
  assert_int_equal(msg.type, PARITY_CMD_SYNC_INTRADAY);
  parity_message_free(&msg);
  free(body);
}

static void rejects(const char *text, const char *expect_in_error)
{
  struct parity_message msg;
  char err[256] = "";
  assert_int_not_equal(parse(text, &msg, err), PARITY_OK);
  assert_non_null(strstr(err, expect_in_error));
  assert_null(msg.doc);
}

static void bad_envelopes_are_rejected(void **state)
{
  (void)state;
  rejects("not json", "malformed JSON");
  rejects("[1,2]", "JSON object");
  rejects("{\"v\":2," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED ",\"payload\":{}}", "field v");
  rejects("{\"v\":1,\"id\":\"nope\",\"type\":\"CMD_SYNC_DAILY\"," ISSUED ",\"payload\":{}}", "field id");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_FLY\"," ISSUED ",\"payload\":{}}", "unknown message type");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED ",\"payload\":{},\"extra\":1}", "unknown field");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED "}", "field payload: required");
  rejects("{\"v\":1,\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED ",\"payload\":{}}", "duplicate");
}

static void bad_payloads_are_rejected(void **state)
{
  (void)state;
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED ",\"payload\":{\"symbols\":[],\"lookback_days\":5}}",
          "symbols");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED
          ",\"payload\":{\"symbols\":[\"spy\"],\"lookback_days\":5}}",
          "not a ticker");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED
          ",\"payload\":{\"symbols\":[\"SPY\",\"SPY\"],\"lookback_days\":5}}",
          "duplicate symbol");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_SYNC_DAILY\"," ISSUED
          ",\"payload\":{\"symbols\":[\"SPY\"],\"lookback_days\":1.5}}",
          "integer");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_FORECAST\"," ISSUED
          ",\"payload\":{\"forecast_id\":\"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10\",\"weights\":{\"VTI\":2},"
          "\"initial_cents\":0,\"monthly_cents\":0,\"months\":12,\"seed\":1}}",
          "weight");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_FORECAST\"," ISSUED
          ",\"payload\":{\"forecast_id\":\"0b1e7a52-3f1c-4d8e-9a55-7f2d7c2e4b10\",\"weights\":{\"VTI\":1},"
          "\"initial_cents\":0,\"monthly_cents\":0,\"months\":601,\"seed\":1}}",
          "months");
}

static void nul_bytes_and_oversize_are_rejected(void **state)
{
  (void)state;
  struct parity_message msg;
  char err[256];
  const char with_nul[] = "{\"v\":1}\0{}";
  assert_int_equal(parity_message_parse(with_nul, sizeof(with_nul) - 1, &msg, err, sizeof(err)), PARITY_EINVAL);
  size_t big = PARITY_MESSAGE_MAX_BYTES + 1;
  char *huge = malloc(big);
  memset(huge, ' ', big);
  assert_int_equal(parity_message_parse(huge, big, &msg, err, sizeof(err)), PARITY_ETOOBIG);
  free(huge);
}

/* The one rebalance shape (a monthly slice or a deploy alike) and its one event shape. */
static void rebalance_batch_shapes(void **state)
{
  (void)state;
  struct parity_message msg;
  char err[256] = "";
  int rc = parse("{\"v\":1," ID ",\"type\":\"CMD_REBALANCE_BATCH\"," ISSUED
                 ",\"payload\":{\"batch_id\":7,\"kind\":\"deploy\",\"threshold\":0.02,\"cash_first\":true,"
                 "\"no_sells\":true,\"models\":{\"risk_1_horizon_short\":{\"BND\":1}},"
                 "\"portfolios\":[{\"ref\":3,\"bucket\":\"risk_1_horizon_short\",\"value_cents\":100,"
                 "\"current\":{\"CASH\":1}}]}}",
                 &msg, err);
  assert_int_equal(rc, PARITY_OK);
  assert_string_equal(parity_msg_type_queue(msg.type), PARITY_QUEUE_REBALANCE);
  parity_message_free(&msg);
  rejects("{\"v\":1," ID ",\"type\":\"CMD_REBALANCE_BATCH\"," ISSUED
          ",\"payload\":{\"batch_id\":7,\"kind\":\"monthly\",\"threshold\":0.02,\"cash_first\":true,"
          "\"no_sells\":false,\"portfolios\":[]}}",
          "models");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_REBALANCE_BATCH\"," ISSUED
          ",\"payload\":{\"batch_id\":0,\"kind\":\"monthly\",\"threshold\":0.02,\"cash_first\":true,"
          "\"no_sells\":false,\"models\":{},\"portfolios\":[]}}",
          "batch_id");
  /* The old two shapes of the event (run and batch number; a deploy request) are refused: one key now. */
  rejects("{\"v\":1," ID ",\"type\":\"EVT_REBALANCE_BATCH_COMPUTED\"," ISSUED
          ",\"payload\":{\"run_id\":1,\"batch_no\":0}}",
          "run_id");
  rejects("{\"v\":1," ID ",\"type\":\"CMD_REBALANCE_USER\"," ISSUED ",\"payload\":{}}", "unknown message type");
}

static void every_command_has_a_queue_and_name(void **state)
{
  (void)state;
  for (int t = PARITY_MSG_UNKNOWN + 1; t < PARITY_MSG_TYPE_COUNT; t++) {
    const char *name = parity_msg_type_name((enum parity_msg_type)t);
    assert_non_null(name);
    assert_int_equal(parity_msg_type_parse(name), t);
    assert_int_equal(parity_msg_type_is_command((enum parity_msg_type)t), strncmp(name, "CMD_", 4) == 0);
  }
  assert_int_equal(parity_msg_type_parse("CMD_NOPE"), PARITY_MSG_UNKNOWN);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(valid_sync_daily_parses),
    cmocka_unit_test(envelope_round_trip),
    cmocka_unit_test(bad_envelopes_are_rejected),
    cmocka_unit_test(bad_payloads_are_rejected),
    cmocka_unit_test(nul_bytes_and_oversize_are_rejected),
    cmocka_unit_test(rebalance_batch_shapes),
    cmocka_unit_test(every_command_has_a_queue_and_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
