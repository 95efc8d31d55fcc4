/* Access tokens (HS256) with libjwt 1.10: the algorithm is pinned and every claim checked here. */
#include "operational/auth/jwt.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <jwt.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/auth_init.h"

/* Digits of the largest int64 (9223372036854775807): longer subjects cannot be user ids. */
#define JWT_SUB_MAX_DIGITS 19
/* Number of '.'-separated segments of a JWS in compact form. */
#define JWT_SEGMENTS 3

static const char *const jwt_fail_names[] = {
  [PARITY_JWT_FAIL_NONE] = "none",
  [PARITY_JWT_FAIL_TOO_LONG] = "too_long",
  [PARITY_JWT_FAIL_MALFORMED] = "malformed",
  [PARITY_JWT_FAIL_ALG] = "alg",
  [PARITY_JWT_FAIL_SIGNATURE] = "signature",
  [PARITY_JWT_FAIL_CLAIM_TYPE] = "claim_type",
  [PARITY_JWT_FAIL_EXPIRED] = "expired",
  [PARITY_JWT_FAIL_NOT_YET_VALID] = "not_yet_valid",
  [PARITY_JWT_FAIL_LIFETIME] = "lifetime",
  [PARITY_JWT_FAIL_ISSUER] = "issuer",
  [PARITY_JWT_FAIL_AUDIENCE] = "audience",
  [PARITY_JWT_FAIL_SUBJECT] = "subject",
  [PARITY_JWT_FAIL_JTI] = "jti",
};

const char *parity_jwt_fail_str(enum parity_jwt_fail why)
{
  if ((size_t)why >= sizeof(jwt_fail_names) / sizeof(jwt_fail_names[0]))
    return "unknown";
  return jwt_fail_names[why];
}

static bool name_ok(const char *s)
{
  size_t n = strnlen(s, PARITY_JWT_NAME_MAX + 1);
  if (n == 0 || n > PARITY_JWT_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '"' || s[i] == '\\')
      return false;
  return true;
}

int parity_jwt_init(struct parity_jwt *j, const unsigned char *key, size_t key_len, const char *issuer,
                    const char *audience)
{
  int rc = parity_auth_init();
  if (rc)
    return rc;
  memset(j, 0, sizeof(*j));
  if (!key || key_len < PARITY_JWT_MIN_KEY_BYTES || key_len > PARITY_JWT_MAX_KEY_BYTES)
    return PARITY_EINVAL;
  if (!issuer)
    issuer = PARITY_JWT_DEFAULT_ISSUER;
  if (!audience)
    audience = PARITY_JWT_DEFAULT_AUDIENCE;
  if (!name_ok(issuer) || !name_ok(audience))
    return PARITY_EINVAL;
  memcpy(j->key, key, key_len);
  j->key_len = key_len;
  snprintf(j->issuer, sizeof(j->issuer), "%s", issuer);
  snprintf(j->audience, sizeof(j->audience), "%s", audience);
  return PARITY_OK;
}

void parity_jwt_close(struct parity_jwt *j)
{
  sodium_memzero(j, sizeof(*j));
}

int parity_jwt_issue(const struct parity_jwt *j, int64_t user_id, int64_t now, char *out, size_t cap, char *jti_out)
{
  unsigned char jti_raw[PARITY_JWT_JTI_BYTES];
  char jti[PARITY_JWT_JTI_MAX + 1];
  char sub[JWT_SUB_MAX_DIGITS + 2];
  jwt_t *jwt = NULL;
  char *encoded = NULL;
  int rc = PARITY_EINVAL;

  if (!j || j->key_len < PARITY_JWT_MIN_KEY_BYTES || user_id <= 0 || now < 0 || !out || cap == 0)
    return PARITY_EINVAL;
  if (now > INT64_MAX - PARITY_JWT_TTL_SECONDS)
    return PARITY_EINVAL;
  rc = parity_auth_init();
  if (rc)
    return rc;
  randombytes_buf(jti_raw, sizeof(jti_raw));
  sodium_bin2base64(jti, sizeof(jti), jti_raw, sizeof(jti_raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(sub, sizeof(sub), "%" PRId64, user_id);

  rc = PARITY_EINTERNAL;
  if (jwt_new(&jwt) != 0)
    goto out;
  /* libjwt stores integer grants as long: 64-bit on every platform Parity supports. */
  if (jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "iss", j->issuer) ||
      jwt_add_grant(jwt, "aud", j->audience) || jwt_add_grant(jwt, "jti", jti) ||
      jwt_add_grant_int(jwt, "iat", (long)now) || jwt_add_grant_int(jwt, "exp", (long)(now + PARITY_JWT_TTL_SECONDS)))
    goto out;
  if (jwt_set_alg(jwt, JWT_ALG_HS256, j->key, (int)j->key_len) != 0)
    goto out;
  encoded = jwt_encode_str(jwt);
  if (!encoded)
    goto out;
  if (strlen(encoded) >= cap) {
    rc = PARITY_ETOOBIG;
    goto out;
  }
  memcpy(out, encoded, strlen(encoded) + 1);
  if (jti_out)
    memcpy(jti_out, jti, strlen(jti) + 1);
  rc = PARITY_OK;
out:
  free(encoded); /* libjwt 1.10 allocates with malloc and has no jwt_free_str */
  jwt_free(jwt);
  return rc;
}

/* Checks the compact form: three non-empty base64url segments, nothing else. */
static bool compact_form_ok(const char *token, size_t len, size_t *header_len)
{
  size_t dots = 0;
  size_t seg_start = 0;

  for (size_t i = 0; i < len; i++) {
    char c = token[i];
    if (c == '.') {
      if (i == seg_start)
        return false;
      if (dots == 0)
        *header_len = i;
      dots++;
      seg_start = i + 1;
      continue;
    }
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  /* An empty signature (the alg "none" shape) is refused here, before any parsing. */
  return dots == JWT_SEGMENTS - 1 && seg_start < len;
}

/* Decodes one base64url segment holding a JSON object; duplicate keys make it malformed. */
static json_t *segment_json(const char *b64, size_t b64_len)
{
  unsigned char raw[PARITY_JWT_MAX_TOKEN_BYTES];
  size_t raw_len = 0;
  json_t *obj;

  if (sodium_base642bin(raw, sizeof(raw), b64, b64_len, NULL, &raw_len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return NULL;
  obj = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(obj)) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

/*
 * Our own reading of the header, before libjwt sees the token: alg must be exactly "HS256" and
 * no "crit" extension may be present (RFC 7515 §4.1.11: we understand none).
 */
static enum parity_jwt_fail header_check(const char *b64, size_t b64_len)
{
  json_t *hdr = segment_json(b64, b64_len);
  json_t *alg;
  enum parity_jwt_fail why = PARITY_JWT_FAIL_MALFORMED;

  if (!hdr)
    goto out;
  why = PARITY_JWT_FAIL_ALG;
  alg = json_object_get(hdr, "alg");
  if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0 ||
      json_string_length(alg) != strlen("HS256"))
    goto out;
  if (json_object_get(hdr, "crit"))
    goto out;
  why = PARITY_JWT_FAIL_NONE;
out:
  json_decref(hdr);
  return why;
}

/*
 * Our own HS256 check of the signature, compared in constant time with libsodium. libjwt checks
 * it again below; this one does not depend on how a given libjwt version compares MACs.
 */
static bool signature_ok(const struct parity_jwt *j, const char *token, size_t signed_len, const char *sig_b64,
                         size_t sig_b64_len)
{
  unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  size_t got_len = 0;
  const char *end = NULL;
  bool ok;

  if (sodium_base642bin(got, sizeof(got), sig_b64, sig_b64_len, NULL, &got_len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      got_len != sizeof(got) || end != sig_b64 + sig_b64_len)
    return false;
  crypto_auth_hmacsha256_init(&st, j->key, j->key_len);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, signed_len);
  crypto_auth_hmacsha256_final(&st, want);
  ok = sodium_memcmp(want, got, sizeof(want)) == 0;
  sodium_memzero(want, sizeof(want));
  sodium_memzero(&st, sizeof(st));
  return ok;
}

/* Reads an integer claim; false when present but not a JSON integer, or absent and required. */
static bool int_claim(json_t *claims, const char *name, bool required, bool *present, int64_t *v)
{
  json_t *c = json_object_get(claims, name);
  *present = c != NULL;
  if (!c)
    return !required;
  if (!json_is_integer(c))
    return false;
  *v = (int64_t)json_integer_value(c);
  return true;
}

static bool string_claim_equals(json_t *claims, const char *name, const char *want)
{
  json_t *c = json_object_get(claims, name);
  return json_is_string(c) && strcmp(json_string_value(c), want) == 0 && json_string_length(c) == strlen(want);
}

/* sub must be the decimal spelling of a positive int64, with no sign, space or leading zero. */
static bool subject_parse(json_t *claims, int64_t *user_id)
{
  json_t *c = json_object_get(claims, "sub");
  const char *s;
  size_t n;
  char *end = NULL;
  long long v;

  if (!json_is_string(c))
    return false;
  s = json_string_value(c);
  n = json_string_length(c);
  if (n == 0 || n > JWT_SUB_MAX_DIGITS || s[0] == '0' || strlen(s) != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno || *end != '\0' || v <= 0)
    return false;
  *user_id = (int64_t)v;
  return true;
}

static enum parity_jwt_fail claims_check(const struct parity_jwt *j, json_t *claims, int64_t now,
                                         struct parity_jwt_claims *out)
{
  int64_t exp = 0, iat = 0, nbf = 0, user_id = 0;
  bool has_exp, has_iat, has_nbf;
  json_t *jti;

  if (!json_is_object(claims))
    return PARITY_JWT_FAIL_MALFORMED;
  if (!int_claim(claims, "exp", true, &has_exp, &exp) || !int_claim(claims, "iat", true, &has_iat, &iat) ||
      !int_claim(claims, "nbf", false, &has_nbf, &nbf))
    return PARITY_JWT_FAIL_CLAIM_TYPE;
  /* Compare as now - leeway >= exp so that no addition can overflow on hostile values. */
  if (now - PARITY_JWT_LEEWAY_SECONDS >= exp)
    return PARITY_JWT_FAIL_EXPIRED;
  if (iat - PARITY_JWT_LEEWAY_SECONDS > now || (has_nbf && nbf - PARITY_JWT_LEEWAY_SECONDS > now))
    return PARITY_JWT_FAIL_NOT_YET_VALID;
  /* Only our 10-minute tokens exist: a longer one was not minted by this code. */
  if (exp < iat || exp - iat > PARITY_JWT_TTL_SECONDS)
    return PARITY_JWT_FAIL_LIFETIME;
  if (!string_claim_equals(claims, "iss", j->issuer))
    return PARITY_JWT_FAIL_ISSUER;
  /* RFC 7519 allows an array of audiences; our tokens carry one string, so only that is accepted.
   */
  if (!string_claim_equals(claims, "aud", j->audience))
    return PARITY_JWT_FAIL_AUDIENCE;
  if (!subject_parse(claims, &user_id))
    return PARITY_JWT_FAIL_SUBJECT;
  jti = json_object_get(claims, "jti");
  if (!json_is_string(jti) || json_string_length(jti) == 0 || json_string_length(jti) > PARITY_JWT_JTI_MAX ||
      strlen(json_string_value(jti)) != json_string_length(jti))
    return PARITY_JWT_FAIL_JTI;

  out->user_id = user_id;
  out->issued_at = iat;
  out->expires_at = exp;
  memcpy(out->jti, json_string_value(jti), json_string_length(jti) + 1);
  return PARITY_JWT_FAIL_NONE;
}

int parity_jwt_verify(const struct parity_jwt *j, const char *token, int64_t now, struct parity_jwt_claims *claims,
                      enum parity_jwt_fail *why_out)
{
  enum parity_jwt_fail why = PARITY_JWT_FAIL_MALFORMED;
  struct parity_jwt_claims tmp;
  size_t len, header_len = 0, payload_start, payload_len, sig_start;
  jwt_t *jwt = NULL;
  json_t *parsed = NULL;

  memset(&tmp, 0, sizeof(tmp));
  if (!j || j->key_len < PARITY_JWT_MIN_KEY_BYTES || !token)
    goto out;
  if (parity_auth_init() != PARITY_OK)
    goto out;
  len = strnlen(token, PARITY_JWT_MAX_TOKEN_BYTES + 1);
  if (len > PARITY_JWT_MAX_TOKEN_BYTES) {
    why = PARITY_JWT_FAIL_TOO_LONG;
    goto out;
  }
  if (!compact_form_ok(token, len, &header_len))
    goto out;
  why = header_check(token, header_len);
  if (why != PARITY_JWT_FAIL_NONE)
    goto out;

  payload_start = header_len + 1;
  payload_len = (size_t)(strchr(token + payload_start, '.') - (token + payload_start));
  sig_start = payload_start + payload_len + 1;
  if (!signature_ok(j, token, sig_start - 1, token + sig_start, len - sig_start)) {
    why = PARITY_JWT_FAIL_SIGNATURE;
    goto out;
  }
  /* Always with the key: libjwt 1.10 skips signature verification when handed none. */
  if (jwt_decode(&jwt, token, j->key, (int)j->key_len) != 0 || !jwt) {
    why = PARITY_JWT_FAIL_SIGNATURE;
    goto out;
  }
  /* libjwt takes the algorithm from the header: pin it again on what it actually verified. */
  if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
    why = PARITY_JWT_FAIL_ALG;
    goto out;
  }
  /*
   * The claims are read from the signed bytes by our own strict parser (duplicate keys refused),
   * not from libjwt's re-serialisation, which silently keeps the last of duplicated claims.
   */
  parsed = segment_json(token + payload_start, payload_len);
  why = parsed ? claims_check(j, parsed, now, &tmp) : PARITY_JWT_FAIL_MALFORMED;
out:
  json_decref(parsed);
  jwt_free(jwt);
  if (why_out)
    *why_out = why;
  if (why != PARITY_JWT_FAIL_NONE)
    return PARITY_EAUTH;
  if (claims)
    *claims = tmp;
  return PARITY_OK;
}
