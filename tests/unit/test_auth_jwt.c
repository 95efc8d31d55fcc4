/* Unit tests of operational/auth/jwt.c: issue, verify, and every way a token must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/jwt.h"

#define TEST_NOW 1700000000
#define TEST_USER 42
#define TOKEN_BUF 16384

static const unsigned char test_key[] = "0123456789abcdef0123456789abcdef-parity-test-key";
#define TEST_KEY_LEN (sizeof(test_key) - 1)

static int setup(void **state)
{
  struct parity_jwt *j = malloc(sizeof(*j));
  assert_non_null(j);
  assert_int_equal(parity_jwt_init(j, test_key, TEST_KEY_LEN, NULL, NULL), PARITY_OK);
  *state = j;
  return 0;
}

static int teardown(void **state)
{
  parity_jwt_close(*state);
  free(*state);
  return 0;
}

static void b64url(const void *bin, size_t len, char *out, size_t cap)
{
  sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Builds header.payload.signature by hand, independently of libjwt. sig_alg selects the MAC:
 * "HS256" and "HS512" use libsodium's HMACs with `key`, "none" leaves the signature empty and
 * "junk" appends 256 fixed bytes (an RS256-shaped signature nobody can check with our key).
 */
static void craft(const char *header, const char *payload, const char *sig_alg, const unsigned char *key,
                  size_t key_len, char *out, size_t cap)
{
  char h[TOKEN_BUF], p[TOKEN_BUF], s[1024];
  char signing_input[2 * TOKEN_BUF];

  b64url(header, strlen(header), h, sizeof(h));
  b64url(payload, strlen(payload), p, sizeof(p));
  snprintf(signing_input, sizeof(signing_input), "%s.%s", h, p);
  s[0] = '\0';
  if (strcmp(sig_alg, "HS256") == 0) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing_input, strlen(signing_input));
    crypto_auth_hmacsha256_final(&st, mac);
    b64url(mac, sizeof(mac), s, sizeof(s));
  } else if (strcmp(sig_alg, "HS512") == 0) {
    unsigned char mac[crypto_auth_hmacsha512_BYTES];
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, key, key_len);
    crypto_auth_hmacsha512_update(&st, (const unsigned char *)signing_input, strlen(signing_input));
    crypto_auth_hmacsha512_final(&st, mac);
    b64url(mac, sizeof(mac), s, sizeof(s));
  } else if (strcmp(sig_alg, "junk") == 0) {
    unsigned char junk[256];
    memset(junk, 0xA5, sizeof(junk));
    b64url(junk, sizeof(junk), s, sizeof(s));
  }
  snprintf(out, cap, "%s.%s", signing_input, s);
}

/* A payload with every claim right for TEST_USER at TEST_NOW, with one field overridable. */
static void good_payload(char *out, size_t cap, const char *extra)
{
  snprintf(out, cap,
           "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"abc\","
           "\"iat\":%d,\"exp\":%d%s}",
           TEST_NOW, TEST_NOW + 600, extra ? extra : "");
}

static enum parity_jwt_fail verify_reason(struct parity_jwt *j, const char *token, int64_t now)
{
  enum parity_jwt_fail why = PARITY_JWT_FAIL_NONE;
  struct parity_jwt_claims c;
  int rc = parity_jwt_verify(j, token, now, &c, &why);
  if (why == PARITY_JWT_FAIL_NONE)
    assert_int_equal(rc, PARITY_OK);
  else
    assert_int_equal(rc, PARITY_EAUTH);
  return why;
}

static void test_init_refuses_short_key(void **state)
{
  struct parity_jwt j;
  (void)state;
  assert_int_equal(parity_jwt_init(&j, test_key, PARITY_JWT_MIN_KEY_BYTES - 1, NULL, NULL), PARITY_EINVAL);
  assert_int_equal(parity_jwt_init(&j, NULL, 0, NULL, NULL), PARITY_EINVAL);
  assert_int_equal(parity_jwt_init(&j, test_key, PARITY_JWT_MIN_KEY_BYTES, NULL, NULL), PARITY_OK);
  parity_jwt_close(&j);
  assert_int_equal(j.key_len, 0);
}

static void test_issue_then_verify(void **state)
{
  struct parity_jwt *j = *state;
  char tok[PARITY_JWT_ISSUED_MAX], jti[PARITY_JWT_JTI_MAX + 1];
  struct parity_jwt_claims c;
  enum parity_jwt_fail why;

  assert_int_equal(parity_jwt_issue(j, TEST_USER, TEST_NOW, tok, sizeof(tok), jti), PARITY_OK);
  assert_int_equal(parity_jwt_verify(j, tok, TEST_NOW, &c, &why), PARITY_OK);
  assert_int_equal(why, PARITY_JWT_FAIL_NONE);
  assert_int_equal(c.user_id, TEST_USER);
  assert_int_equal(c.issued_at, TEST_NOW);
  assert_int_equal(c.expires_at, TEST_NOW + PARITY_JWT_TTL_SECONDS);
  assert_string_equal(c.jti, jti);
  assert_int_equal(strlen(jti), 22); /* 16 random bytes, base64url without padding */
  /* Still valid just before exp + leeway, refused at it. */
  assert_int_equal(verify_reason(j, tok, TEST_NOW + 600 + 29), PARITY_JWT_FAIL_NONE);
  assert_int_equal(verify_reason(j, tok, TEST_NOW + 600 + 30), PARITY_JWT_FAIL_EXPIRED);
}

/* The issued token must be exactly what RFC 7515 says: checked with libsodium's own HMAC. */
static void test_issued_token_independent_check(void **state)
{
  struct parity_jwt *j = *state;
  char tok[PARITY_JWT_ISSUED_MAX];
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  unsigned char raw[1024];
  char mac_b64[64];
  size_t raw_len;
  crypto_auth_hmacsha256_state st;
  json_t *hdr, *claims;

  assert_int_equal(parity_jwt_issue(j, TEST_USER, TEST_NOW, tok, sizeof(tok), NULL), PARITY_OK);
  char *dot1 = strchr(tok, '.');
  char *dot2 = strchr(dot1 + 1, '.');
  assert_non_null(dot2);
  crypto_auth_hmacsha256_init(&st, test_key, TEST_KEY_LEN);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, (size_t)(dot2 - tok));
  crypto_auth_hmacsha256_final(&st, mac);
  b64url(mac, sizeof(mac), mac_b64, sizeof(mac_b64));
  assert_string_equal(dot2 + 1, mac_b64);

  assert_int_equal(sodium_base642bin(raw, sizeof(raw), tok, (size_t)(dot1 - tok), NULL, &raw_len, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  hdr = json_loadb((const char *)raw, raw_len, 0, NULL);
  assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "HS256");
  json_decref(hdr);
  assert_int_equal(sodium_base642bin(raw, sizeof(raw), dot1 + 1, (size_t)(dot2 - dot1 - 1), NULL, &raw_len, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  claims = json_loadb((const char *)raw, raw_len, 0, NULL);
  assert_string_equal(json_string_value(json_object_get(claims, "sub")), "42");
  assert_string_equal(json_string_value(json_object_get(claims, "iss")), "parity");
  assert_string_equal(json_string_value(json_object_get(claims, "aud")), "parity-api");
  assert_true(json_is_integer(json_object_get(claims, "iat")));
  assert_int_equal(json_integer_value(json_object_get(claims, "exp")), TEST_NOW + 600);
  json_decref(claims);
}

static void test_two_tokens_have_distinct_jti(void **state)
{
  struct parity_jwt *j = *state;
  char a[PARITY_JWT_ISSUED_MAX], b[PARITY_JWT_ISSUED_MAX];
  char ja[PARITY_JWT_JTI_MAX + 1], jb[PARITY_JWT_JTI_MAX + 1];
  assert_int_equal(parity_jwt_issue(j, 1, TEST_NOW, a, sizeof(a), ja), PARITY_OK);
  assert_int_equal(parity_jwt_issue(j, 1, TEST_NOW, b, sizeof(b), jb), PARITY_OK);
  assert_string_not_equal(ja, jb);
  assert_string_not_equal(a, b);
}

static void test_issue_rejects_bad_input(void **state)
{
  struct parity_jwt *j = *state;
  char tok[PARITY_JWT_ISSUED_MAX];
  assert_int_equal(parity_jwt_issue(j, 0, TEST_NOW, tok, sizeof(tok), NULL), PARITY_EINVAL);
  assert_int_equal(parity_jwt_issue(j, -5, TEST_NOW, tok, sizeof(tok), NULL), PARITY_EINVAL);
  assert_int_equal(parity_jwt_issue(j, 1, TEST_NOW, tok, 20, NULL), PARITY_ETOOBIG);
}

/* A hand-made token with our key and correct claims passes: the harness itself is right. */
static void test_crafted_valid_token_accepted(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  craft("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NONE);
}

static void test_alg_none_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  /* The classic shape: empty signature. */
  craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "none", NULL, 0, tok, sizeof(tok));
  assert_int_not_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NONE);
  /* And with a signature present, so it is the alg check that refuses it, not the shape check. */
  craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
  craft("{\"alg\":\"None\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
  craft("{\"typ\":\"JWT\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
}

/* HS512 signed with the right key: a valid MAC, but not the pinned algorithm. */
static void test_hs512_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  craft("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, "HS512", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
}

static void test_rs256_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  craft("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, "junk", NULL, 0, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
  /* Key confusion: an "RS256" token MACed with our HMAC secret as if it were a public key. */
  craft("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
}

static void test_crit_header_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  craft("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ALG);
}

static void test_wrong_key_refused(void **state)
{
  static const unsigned char other[] = "another-key-that-is-long-enough-for-hs256!!";
  struct parity_jwt other_ctx;
  char tok[PARITY_JWT_ISSUED_MAX];
  assert_int_equal(parity_jwt_init(&other_ctx, other, sizeof(other) - 1, NULL, NULL), PARITY_OK);
  assert_int_equal(parity_jwt_issue(&other_ctx, TEST_USER, TEST_NOW, tok, sizeof(tok), NULL), PARITY_OK);
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_SIGNATURE);
  assert_int_equal(verify_reason(&other_ctx, tok, TEST_NOW), PARITY_JWT_FAIL_NONE);
  parity_jwt_close(&other_ctx);
}

static void test_expired_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  good_payload(payload, sizeof(payload), NULL);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW + 3600), PARITY_JWT_FAIL_EXPIRED);
}

static void test_not_yet_valid_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  /* iat one minute in the future (beyond the 30 s leeway). */
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\","
           "\"iat\":%d,\"exp\":%d}",
           TEST_NOW + 60, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NOT_YET_VALID);
  /* ... but 20 s ahead is within the leeway. */
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\","
           "\"iat\":%d,\"exp\":%d}",
           TEST_NOW + 20, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NONE);
  /* nbf in the future. */
  char extra[64];
  snprintf(extra, sizeof(extra), ",\"nbf\":%d", TEST_NOW + 120);
  good_payload(payload, sizeof(payload), extra);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NOT_YET_VALID);
  /* nbf that is not an integer. */
  good_payload(payload, sizeof(payload), ",\"nbf\":\"soon\"");
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_CLAIM_TYPE);
}

static void test_wrong_audience_and_issuer(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  const char *const cases[][2] = {
    { "\"aud\":\"other-api\"", "aud" }, { "\"aud\":[\"parity-api\"]", "aud" }, { "\"aud\":\"parity-api \"", "aud" },
    { "\"iss\":\"evil\"", "iss" },      { "\"iss\":\"PARITY\"", "iss" },       { "\"iss\":7", "iss" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *field = cases[i][1];
    const char *aud = strcmp(field, "aud") == 0 ? cases[i][0] : "\"aud\":\"parity-api\"";
    const char *iss = strcmp(field, "iss") == 0 ? cases[i][0] : "\"iss\":\"parity\"";
    snprintf(payload, sizeof(payload), "{\"sub\":\"42\",%s,%s,\"jti\":\"x\",\"iat\":%d,\"exp\":%d}", iss, aud, TEST_NOW,
             TEST_NOW + 600);
    craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
    assert_int_equal(verify_reason(*state, tok, TEST_NOW),
                     strcmp(field, "aud") == 0 ? PARITY_JWT_FAIL_AUDIENCE : PARITY_JWT_FAIL_ISSUER);
  }
  /* Missing aud and missing iss. */
  snprintf(payload, sizeof(payload), "{\"sub\":\"42\",\"iss\":\"parity\",\"jti\":\"x\",\"iat\":%d,\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_AUDIENCE);
  snprintf(payload, sizeof(payload), "{\"sub\":\"42\",\"aud\":\"parity-api\",\"jti\":\"x\",\"iat\":%d,\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_ISSUER);
}

static void test_bad_subject(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  const char *const subs[] = { NULL,
                               "\"\"",
                               "\"0\"",
                               "\"-1\"",
                               "\"042\"",
                               "\"4x\"",
                               "\" 42\"",
                               "42",
                               "\"9223372036854775808\"",
                               "\"12345678901234567890\"",
                               "null" };
  for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
    char sub[64] = "";
    if (subs[i])
      snprintf(sub, sizeof(sub), "\"sub\":%s,", subs[i]);
    snprintf(payload, sizeof(payload),
             "{%s\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\",\"iat\":%d,\"exp\":%d}", sub, TEST_NOW,
             TEST_NOW + 600);
    craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
    assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_SUBJECT);
  }
  /* The largest int64 is a valid subject. */
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"9223372036854775807\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\","
           "\"iat\":%d,\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_NONE);
}

static void test_missing_jti(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  snprintf(payload, sizeof(payload), "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"iat\":%d,\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_JTI);
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"\",\"iat\":%d,"
           "\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_JTI);
}

static void test_non_integer_times(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  const char *const variants[] = {
    "\"exp\":1700000600.0,\"iat\":1700000000", "\"exp\":\"1700000600\",\"iat\":1700000000",
    "\"exp\":true,\"iat\":1700000000",         "\"iat\":1700000000",
    "\"exp\":1700000600,\"iat\":1.7e9",        "\"exp\":1700000600",
    "\"exp\":null,\"iat\":1700000000",
  };
  for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
    snprintf(payload, sizeof(payload), "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\",%s}",
             variants[i]);
    craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
    assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_CLAIM_TYPE);
  }
}

static void test_lifetime_too_long(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"42\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\",\"iat\":%d,"
           "\"exp\":%d}",
           TEST_NOW, TEST_NOW + 86400);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_LIFETIME);
}

static void test_duplicate_claims_refused(void **state)
{
  char payload[512], tok[TOKEN_BUF];
  /* A second "sub" after a valid first one: parsers disagree on which wins, so refuse both. */
  good_payload(payload, sizeof(payload), ",\"sub\":\"1\"");
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, sizeof(tok));
  assert_int_equal(verify_reason(*state, tok, TEST_NOW), PARITY_JWT_FAIL_MALFORMED);
}

static void test_tampered_payload_refused(void **state)
{
  struct parity_jwt *j = *state;
  char tok[PARITY_JWT_ISSUED_MAX], forged[TOKEN_BUF], payload[512], p64[1024];
  assert_int_equal(parity_jwt_issue(j, TEST_USER, TEST_NOW, tok, sizeof(tok), NULL), PARITY_OK);
  char *dot1 = strchr(tok, '.');
  char *dot2 = strchr(dot1 + 1, '.');
  /* Same header and signature, payload claiming user 1. */
  snprintf(payload, sizeof(payload),
           "{\"sub\":\"1\",\"iss\":\"parity\",\"aud\":\"parity-api\",\"jti\":\"x\",\"iat\":%d,"
           "\"exp\":%d}",
           TEST_NOW, TEST_NOW + 600);
  b64url(payload, strlen(payload), p64, sizeof(p64));
  snprintf(forged, sizeof(forged), "%.*s.%s%s", (int)(dot1 - tok), tok, p64, dot2);
  assert_int_equal(verify_reason(j, forged, TEST_NOW), PARITY_JWT_FAIL_SIGNATURE);
  /* One flipped character in the signature. */
  snprintf(forged, sizeof(forged), "%s", tok);
  size_t last = strlen(forged) - 2;
  forged[last] = forged[last] == 'A' ? 'B' : 'A';
  assert_int_equal(verify_reason(j, forged, TEST_NOW), PARITY_JWT_FAIL_SIGNATURE);
}

static void test_oversize_and_malformed(void **state)
{
  struct parity_jwt *j = *state;
  char *big = malloc(PARITY_JWT_MAX_TOKEN_BYTES + 2);
  assert_non_null(big);
  memset(big, 'A', PARITY_JWT_MAX_TOKEN_BYTES + 1);
  big[PARITY_JWT_MAX_TOKEN_BYTES + 1] = '\0';
  assert_int_equal(verify_reason(j, big, TEST_NOW), PARITY_JWT_FAIL_TOO_LONG);
  free(big);

  /* A well-formed, correctly signed token whose payload padding pushes it over 8 KiB. */
  char *payload = malloc(TOKEN_BUF), *tok = malloc(TOKEN_BUF), pad[7000];
  memset(pad, 'p', sizeof(pad) - 1);
  pad[sizeof(pad) - 1] = '\0';
  char *extra = malloc(sizeof(pad) + 32);
  snprintf(extra, sizeof(pad) + 32, ",\"pad\":\"%s\"", pad);
  good_payload(payload, TOKEN_BUF, extra);
  craft("{\"alg\":\"HS256\"}", payload, "HS256", test_key, TEST_KEY_LEN, tok, TOKEN_BUF);
  assert_true(strlen(tok) > PARITY_JWT_MAX_TOKEN_BYTES);
  assert_int_equal(verify_reason(j, tok, TEST_NOW), PARITY_JWT_FAIL_TOO_LONG);
  free(extra);
  free(payload);
  free(tok);

  const char *const bad[] = { "",     "abc",  "a.b",          "a.b.c.d",      "..",     "a..c",
                              "a.b.", ".b.c", "eyJ+.eyJ.sig", "Bearer x.y.z", "a.b.c\n" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(verify_reason(j, bad[i], TEST_NOW), PARITY_JWT_FAIL_MALFORMED);
  assert_int_equal(parity_jwt_verify(j, NULL, TEST_NOW, NULL, NULL), PARITY_EAUTH);
}

/* The RFC 7515 A.1 token verifies its signature here; it is then refused for lacking iat. */
static void test_rfc7515_vector(void **state)
{
  json_t *fx = json_load_file(PARITY_FIXTURES_DIR "/auth/jwt_rfc7515_a1.json", 0, NULL);
  unsigned char key[128];
  size_t key_len;
  struct parity_jwt j;
  char forged[1024], tok[1024];
  (void)state;

  assert_non_null(fx);
  const char *k64 = json_string_value(json_object_get(fx, "key_b64url"));
  const char *token = json_string_value(json_object_get(fx, "token"));
  assert_int_equal(sodium_base642bin(key, sizeof(key), k64, strlen(k64), NULL, &key_len, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  assert_int_equal(key_len, 64);
  assert_int_equal(parity_jwt_init(&j, key, key_len, "joe", "anyone"), PARITY_OK);
  /* Before its exp the signature is good and the first missing claim is iat. */
  assert_int_equal(verify_reason(&j, token, (int64_t)json_integer_value(json_object_get(fx, "exp")) - 100),
                   PARITY_JWT_FAIL_CLAIM_TYPE);
  /* Our independent signer reproduces the RFC signature from the RFC's exact octets. */
  craft(json_string_value(json_object_get(fx, "header_json")), json_string_value(json_object_get(fx, "payload_json")),
        "HS256", key, key_len, tok, sizeof(tok));
  assert_string_equal(tok, token);
  /* Changing one payload character breaks it. */
  snprintf(forged, sizeof(forged), "%s", token);
  char *p = strchr(forged, '.') + 5;
  *p = *p == 'A' ? 'B' : 'A';
  assert_int_equal(verify_reason(&j, forged, 1300819000), PARITY_JWT_FAIL_SIGNATURE);
  parity_jwt_close(&j);
  json_decref(fx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_init_refuses_short_key),
    cmocka_unit_test_setup_teardown(test_issue_then_verify, setup, teardown),
    cmocka_unit_test_setup_teardown(test_issued_token_independent_check, setup, teardown),
    cmocka_unit_test_setup_teardown(test_two_tokens_have_distinct_jti, setup, teardown),
    cmocka_unit_test_setup_teardown(test_issue_rejects_bad_input, setup, teardown),
    cmocka_unit_test_setup_teardown(test_crafted_valid_token_accepted, setup, teardown),
    cmocka_unit_test_setup_teardown(test_alg_none_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_hs512_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rs256_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_crit_header_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_wrong_key_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_expired_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_not_yet_valid_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_wrong_audience_and_issuer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_subject, setup, teardown),
    cmocka_unit_test_setup_teardown(test_missing_jti, setup, teardown),
    cmocka_unit_test_setup_teardown(test_non_integer_times, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lifetime_too_long, setup, teardown),
    cmocka_unit_test_setup_teardown(test_duplicate_claims_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tampered_payload_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_oversize_and_malformed, setup, teardown),
    cmocka_unit_test(test_rfc7515_vector),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
