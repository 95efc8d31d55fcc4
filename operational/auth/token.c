/* Random opaque tokens, their SHA-256 storage form, recovery codes, the internal secret check. */
#include "operational/auth/token.h"

#include <sodium.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/auth_init.h"

#define RECOVERY_SALT_LABEL "parity-recovery-v1"
#define RECOVERY_ALPHABET_LEN (sizeof(PARITY_RECOVERY_ALPHABET) - 1)
#define RECOVERY_HASH_BYTES 32

_Static_assert(crypto_pwhash_SALTBYTES == 16, "salt size");

int parity_token_new(char out[PARITY_TOKEN_STRLEN + 1])
{
  unsigned char raw[PARITY_TOKEN_BYTES];
  int rc = parity_auth_init();
  if (rc)
    return rc;
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2base64(out, PARITY_TOKEN_STRLEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
  return PARITY_OK;
}

bool parity_token_wellformed(const char *s)
{
  unsigned char raw[PARITY_TOKEN_BYTES];
  size_t raw_len = 0;
  const char *end = NULL;
  bool ok;

  if (!s || strnlen(s, PARITY_TOKEN_STRLEN + 1) != PARITY_TOKEN_STRLEN)
    return false;
  /* libsodium refuses non-zero padding bits, so each 32-byte value has one spelling only. */
  ok = sodium_base642bin(raw, sizeof(raw), s, PARITY_TOKEN_STRLEN, NULL, &raw_len, &end,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
       raw_len == PARITY_TOKEN_BYTES && end == s + PARITY_TOKEN_STRLEN;
  sodium_memzero(raw, sizeof(raw));
  return ok;
}

int parity_token_hash(const char *token, char out[PARITY_TOKEN_HASH_HEXLEN + 1])
{
  unsigned char digest[crypto_hash_sha256_BYTES];
  int rc = parity_auth_init();
  if (rc)
    return rc;
  if (!out || !parity_token_wellformed(token))
    return PARITY_EINVAL;
  crypto_hash_sha256(digest, (const unsigned char *)token, PARITY_TOKEN_STRLEN);
  sodium_bin2hex(out, PARITY_TOKEN_HASH_HEXLEN + 1, digest, sizeof(digest));
  return PARITY_OK;
}

static bool is_hash_hex(const char *s)
{
  if (!s || strnlen(s, PARITY_TOKEN_HASH_HEXLEN + 1) != PARITY_TOKEN_HASH_HEXLEN)
    return false;
  return strspn(s, "0123456789abcdef") == PARITY_TOKEN_HASH_HEXLEN;
}

bool parity_token_hash_equal(const char *a, const char *b)
{
  if (!is_hash_hex(a) || !is_hash_hex(b))
    return false;
  return sodium_memcmp(a, b, PARITY_TOKEN_HASH_HEXLEN) == 0;
}

int parity_recovery_codes_new(char codes[PARITY_RECOVERY_CODE_COUNT][PARITY_RECOVERY_CODE_STRLEN + 1])
{
  int rc = parity_auth_init();
  if (rc)
    return rc;
  for (size_t i = 0; i < PARITY_RECOVERY_CODE_COUNT; i++) {
    bool duplicate;
    do {
      size_t pos = 0;
      for (size_t k = 0; k < PARITY_RECOVERY_CODE_CHARS; k++) {
        if (k == PARITY_RECOVERY_CODE_CHARS / 2)
          codes[i][pos++] = '-';
        /* randombytes_uniform avoids the modulo bias of rand() % 31. */
        codes[i][pos++] = PARITY_RECOVERY_ALPHABET[randombytes_uniform(RECOVERY_ALPHABET_LEN)];
      }
      codes[i][pos] = '\0';
      duplicate = false;
      for (size_t j = 0; j < i; j++)
        duplicate = duplicate || strcmp(codes[i], codes[j]) == 0;
    } while (duplicate);
  }
  return PARITY_OK;
}

int parity_recovery_code_normalize(const char *in, char out[PARITY_RECOVERY_CODE_CHARS + 1])
{
  size_t n, k = 0;

  if (!in || !out)
    return PARITY_EINVAL;
  n = strnlen(in, PARITY_RECOVERY_INPUT_MAX + 1);
  if (n > PARITY_RECOVERY_INPUT_MAX)
    return PARITY_EINVAL;
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (c == '-' || c == ' ')
      continue;
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    if (!strchr(PARITY_RECOVERY_ALPHABET, c) || k == PARITY_RECOVERY_CODE_CHARS)
      return PARITY_EINVAL;
    out[k++] = c;
  }
  if (k != PARITY_RECOVERY_CODE_CHARS)
    return PARITY_EINVAL;
  out[k] = '\0';
  return PARITY_OK;
}

int parity_recovery_code_hash(int64_t user_id, const char *code, char out[PARITY_RECOVERY_HASH_HEXLEN + 1])
{
  char norm[PARITY_RECOVERY_CODE_CHARS + 1];
  unsigned char salt_input[sizeof(RECOVERY_SALT_LABEL) - 1 + 8];
  unsigned char salt_full[crypto_hash_sha256_BYTES];
  unsigned char digest[RECOVERY_HASH_BYTES];
  uint64_t u = (uint64_t)user_id;
  size_t label = sizeof(RECOVERY_SALT_LABEL) - 1;
  int rc = parity_auth_init();

  if (rc)
    return rc;
  if (user_id <= 0 || !out || parity_recovery_code_normalize(code, norm) != PARITY_OK)
    return PARITY_EINVAL;
  memcpy(salt_input, RECOVERY_SALT_LABEL, label);
  for (int i = 0; i < 8; i++)
    salt_input[label + (size_t)i] = (unsigned char)(u >> (56 - 8 * i));
  crypto_hash_sha256(salt_full, salt_input, sizeof(salt_input));
  rc = PARITY_ENOMEM;
  if (crypto_pwhash(digest, sizeof(digest), norm, PARITY_RECOVERY_CODE_CHARS, salt_full, PARITY_RECOVERY_OPSLIMIT,
                    PARITY_RECOVERY_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
    goto out;
  sodium_bin2hex(out, PARITY_RECOVERY_HASH_HEXLEN + 1, digest, sizeof(digest));
  rc = PARITY_OK;
out:
  sodium_memzero(norm, sizeof(norm));
  sodium_memzero(digest, sizeof(digest));
  return rc;
}

bool parity_internal_secret_ok(const char *provided, const char *expected)
{
  unsigned char mac_p[crypto_auth_hmacsha256_BYTES], mac_e[crypto_auth_hmacsha256_BYTES];
  size_t lp, le;
  bool same;

  if (parity_auth_init() != PARITY_OK || !provided || !expected)
    return false;
  le = strnlen(expected, PARITY_INTERNAL_SECRET_MAX + 1);
  lp = strnlen(provided, PARITY_INTERNAL_SECRET_MAX + 1);
  if (le == 0 || le > PARITY_INTERNAL_SECRET_MAX || lp > PARITY_INTERNAL_SECRET_MAX)
    return false;
  /* Both sides become 32-byte MACs, so the comparison's time depends on neither length. */
  crypto_auth_hmacsha256(mac_p, (const unsigned char *)provided, lp, parity__auth_process_key());
  crypto_auth_hmacsha256(mac_e, (const unsigned char *)expected, le, parity__auth_process_key());
  same = sodium_memcmp(mac_p, mac_e, sizeof(mac_p)) == 0;
  sodium_memzero(mac_p, sizeof(mac_p));
  sodium_memzero(mac_e, sizeof(mac_e));
  return same;
}
