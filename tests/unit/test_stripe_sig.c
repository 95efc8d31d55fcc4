/*
 * Stripe-Signature verification. The expected v1 values are computed independently of this code, with
 * Python's hmac module and with OpenSSL:
 *   python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test_secret',
 *     b'1700000000.{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}', hashlib.sha256).hexdigest())"
 *   printf '%s' '1700000000.{"id":"evt_1","type":"payment_intent.succeeded"}' | openssl dgst -sha256 -hmac whsec_test_secret
 * both print 22d8dc182f5c588077683bd378368e29765bfe5df2560112b4f28fef120f0e31; with the key whsec_other
 * Python prints fd1bfea9611123bdabc198314fcbcdd375eb7fc1afebb5148d282d3803151dff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "operational/stripe_sig.h"

#define SECRET "whsec_test_secret"
#define PAYLOAD "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}"
#define T 1700000000
#define GOOD "22d8dc182f5c588077683bd378368e29765bfe5df2560112b4f28fef120f0e31"
#define OTHER_KEY "fd1bfea9611123bdabc198314fcbcdd375eb7fc1afebb5148d282d3803151dff"

static enum parity_stripe_sig verify_at(const char *header, int64_t now)
{
  return parity_stripe_sig_verify(header, PAYLOAD, strlen(PAYLOAD), SECRET, now, PARITY_STRIPE_SIG_TOLERANCE_SECONDS);
}

static void compute_matches_python_hmac(void **state)
{
  (void)state;
  char hex[PARITY_STRIPE_SIG_HEX];
  parity_stripe_sig_compute(SECRET, T, PAYLOAD, strlen(PAYLOAD), hex);
  assert_string_equal(hex, GOOD);
}

static void a_good_signature_verifies(void **state)
{
  (void)state;
  assert_int_equal(verify_at("t=1700000000,v1=" GOOD, T), PARITY_STRIPE_SIG_OK);
  /* Stripe's header also carries v0 (test mode) and, while a secret rolls, two v1: any v1 may match. */
  assert_int_equal(verify_at("t=1700000000,v1=" OTHER_KEY ",v1=" GOOD ",v0=abc", T + 10), PARITY_STRIPE_SIG_OK);
  /* order of items does not matter */
  assert_int_equal(verify_at("v1=" GOOD ",t=1700000000", T), PARITY_STRIPE_SIG_OK);
}

static void a_missing_or_malformed_header_is_refused(void **state)
{
  (void)state;
  assert_int_equal(verify_at(NULL, T), PARITY_STRIPE_SIG_MISSING);
  assert_int_equal(verify_at("", T), PARITY_STRIPE_SIG_MISSING);
  assert_int_equal(verify_at("v1=" GOOD, T), PARITY_STRIPE_SIG_MALFORMED);                  /* no t */
  assert_int_equal(verify_at("t=1700000000", T), PARITY_STRIPE_SIG_MALFORMED);              /* no v1 */
  assert_int_equal(verify_at("t=17000x0000,v1=" GOOD, T), PARITY_STRIPE_SIG_MALFORMED);     /* t not a number */
  assert_int_equal(verify_at("t=-1700000000,v1=" GOOD, T), PARITY_STRIPE_SIG_MALFORMED);    /* nor signed */
  assert_int_equal(verify_at("t=1,t=1700000000,v1=" GOOD, T), PARITY_STRIPE_SIG_MALFORMED); /* two t */
  assert_int_equal(verify_at("t=1700000000,v1=22d8", T), PARITY_STRIPE_SIG_MALFORMED);      /* short v1 ignored */
  char big[PARITY_STRIPE_SIG_HEADER_MAX + 2];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  assert_int_equal(verify_at(big, T), PARITY_STRIPE_SIG_MALFORMED);
}

static void a_wrong_signature_is_refused(void **state)
{
  (void)state;
  /* signed with another secret */
  assert_int_equal(verify_at("t=1700000000,v1=" OTHER_KEY, T), PARITY_STRIPE_SIG_MISMATCH);
  /* the right MAC for another timestamp: t is part of what is signed */
  assert_int_equal(verify_at("t=1700000001,v1=" GOOD, T), PARITY_STRIPE_SIG_MISMATCH);
  /* one changed byte of the body */
  assert_int_equal(parity_stripe_sig_verify("t=1700000000,v1=" GOOD, PAYLOAD " ", strlen(PAYLOAD) + 1, SECRET, T,
                                            PARITY_STRIPE_SIG_TOLERANCE_SECONDS),
                   PARITY_STRIPE_SIG_MISMATCH);
  /* upper-case hex is not what Stripe sends nor what matches */
  assert_int_equal(verify_at("t=1700000000,v1=22D8DC182F5C588077683BD378368E29765BFE5DF2560112B4F28FEF120F0E31", T),
                   PARITY_STRIPE_SIG_MISMATCH);
}

static void the_tolerance_is_five_minutes_either_way(void **state)
{
  (void)state;
  assert_int_equal(verify_at("t=1700000000,v1=" GOOD, T + 300), PARITY_STRIPE_SIG_OK);
  assert_int_equal(verify_at("t=1700000000,v1=" GOOD, T + 301), PARITY_STRIPE_SIG_EXPIRED);
  assert_int_equal(verify_at("t=1700000000,v1=" GOOD, T - 300), PARITY_STRIPE_SIG_OK);
  assert_int_equal(verify_at("t=1700000000,v1=" GOOD, T - 301), PARITY_STRIPE_SIG_EXPIRED);
  /* an old timestamp is refused before the MAC is even checked: a replay of a captured delivery */
  assert_int_equal(verify_at("t=1700000000,v1=" OTHER_KEY, T + 3600), PARITY_STRIPE_SIG_EXPIRED);
}

static void codes_name_the_refusal(void **state)
{
  (void)state;
  assert_string_equal(parity_stripe_sig_code(PARITY_STRIPE_SIG_MISSING), "SIGNATURE_MISSING");
  assert_string_equal(parity_stripe_sig_code(PARITY_STRIPE_SIG_MISMATCH), "SIGNATURE_INVALID");
  assert_string_equal(parity_stripe_sig_code(PARITY_STRIPE_SIG_EXPIRED), "SIGNATURE_EXPIRED");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(compute_matches_python_hmac),
    cmocka_unit_test(a_good_signature_verifies),
    cmocka_unit_test(a_missing_or_malformed_header_is_refused),
    cmocka_unit_test(a_wrong_signature_is_refused),
    cmocka_unit_test(the_tolerance_is_five_minutes_either_way),
    cmocka_unit_test(codes_name_the_refusal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
