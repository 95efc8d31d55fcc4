/* AES-256-GCM (libsodium) for TOTP secrets: versioned, random nonce, user id as associated data. */
#include "operational/auth/secretbox.h"

#include <sodium.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/auth_init.h"

/* Domain-separation prefix of the associated data, so no other use of the key can collide. */
#define SECRETBOX_AD_LABEL "parity-totp-secret"
#define SECRETBOX_AD_LEN (sizeof(SECRETBOX_AD_LABEL) - 1 + 1 + 8)
#define SECRETBOX_RAW_MAX PARITY_SECRETBOX_RAW_LEN(PARITY_SECRETBOX_MAX_PLAINTEXT)

int parity_secretbox_init(struct parity_secretbox *sb, const char *key_hex)
{
  size_t bin_len = 0;
  const char *end = NULL;
  int rc = parity_auth_init();

  if (rc)
    return rc;
  memset(sb, 0, sizeof(*sb));
  if (!key_hex || strnlen(key_hex, PARITY_SECRETBOX_KEY_HEX_LEN + 1) != PARITY_SECRETBOX_KEY_HEX_LEN)
    return PARITY_EINVAL;
  if (sodium_hex2bin(sb->key, sizeof(sb->key), key_hex, PARITY_SECRETBOX_KEY_HEX_LEN, NULL, &bin_len, &end) != 0 ||
      bin_len != PARITY_SECRETBOX_KEY_BYTES || end != key_hex + PARITY_SECRETBOX_KEY_HEX_LEN) {
    sodium_memzero(sb->key, sizeof(sb->key));
    return PARITY_EINVAL;
  }
  if (!crypto_aead_aes256gcm_is_available()) {
    sodium_memzero(sb->key, sizeof(sb->key));
    return PARITY_EUNAVAILABLE;
  }
  sb->ready = true;
  return PARITY_OK;
}

void parity_secretbox_close(struct parity_secretbox *sb)
{
  sodium_memzero(sb, sizeof(*sb));
}

static void secretbox_ad(unsigned char ad[SECRETBOX_AD_LEN], unsigned char version, int64_t user_id)
{
  size_t label = sizeof(SECRETBOX_AD_LABEL) - 1;
  uint64_t u = (uint64_t)user_id;
  memcpy(ad, SECRETBOX_AD_LABEL, label);
  ad[label] = version;
  for (int i = 0; i < 8; i++)
    ad[label + 1 + (size_t)i] = (unsigned char)(u >> (56 - 8 * i));
}

int parity_secretbox_seal(const struct parity_secretbox *sb, int64_t user_id, const unsigned char *pt, size_t pt_len,
                          char *out, size_t cap)
{
  unsigned char raw[SECRETBOX_RAW_MAX];
  unsigned char ad[SECRETBOX_AD_LEN];
  unsigned long long ct_len = 0;
  size_t raw_len;
  int rc = PARITY_EINVAL;

  if (!sb || !sb->ready || user_id <= 0 || !pt || pt_len == 0 || pt_len > PARITY_SECRETBOX_MAX_PLAINTEXT || !out)
    return PARITY_EINVAL;
  raw_len = PARITY_SECRETBOX_RAW_LEN(pt_len);
  if (cap < sodium_base64_ENCODED_LEN(raw_len, sodium_base64_VARIANT_ORIGINAL))
    return PARITY_ETOOBIG;

  raw[0] = PARITY_SECRETBOX_VERSION;
  randombytes_buf(raw + 1, PARITY_SECRETBOX_NONCE_BYTES);
  secretbox_ad(ad, PARITY_SECRETBOX_VERSION, user_id);
  rc = PARITY_EINTERNAL;
  if (crypto_aead_aes256gcm_encrypt(raw + 1 + PARITY_SECRETBOX_NONCE_BYTES, &ct_len, pt, pt_len, ad, sizeof(ad), NULL,
                                    raw + 1, sb->key) != 0 ||
      ct_len != pt_len + PARITY_SECRETBOX_TAG_BYTES)
    goto out;
  sodium_bin2base64(out, cap, raw, raw_len, sodium_base64_VARIANT_ORIGINAL);
  rc = PARITY_OK;
out:
  sodium_memzero(raw, sizeof(raw));
  return rc;
}

int parity_secretbox_open(const struct parity_secretbox *sb, int64_t user_id, const char *sealed, unsigned char *pt,
                          size_t cap, size_t *pt_len)
{
  unsigned char raw[SECRETBOX_RAW_MAX];
  unsigned char ad[SECRETBOX_AD_LEN];
  unsigned long long out_len = 0;
  size_t raw_len = 0, sealed_len, ct_len;
  const char *end = NULL;
  int rc = PARITY_EINVAL;

  if (!sb || !sb->ready || user_id <= 0 || !sealed || !pt || !pt_len)
    return PARITY_EINVAL;
  sealed_len = strnlen(sealed, PARITY_SECRETBOX_SEALED_MAX);
  if (sealed_len >= PARITY_SECRETBOX_SEALED_MAX)
    goto out;
  if (sodium_base642bin(raw, sizeof(raw), sealed, sealed_len, NULL, &raw_len, &end, sodium_base64_VARIANT_ORIGINAL) !=
          0 ||
      end != sealed + sealed_len)
    goto out;
  if (raw_len < PARITY_SECRETBOX_RAW_LEN(1) || raw[0] != PARITY_SECRETBOX_VERSION)
    goto out;
  ct_len = raw_len - 1 - PARITY_SECRETBOX_NONCE_BYTES;
  if (ct_len - PARITY_SECRETBOX_TAG_BYTES > cap) {
    rc = PARITY_ETOOBIG;
    goto out;
  }
  secretbox_ad(ad, raw[0], user_id);
  rc = PARITY_EAUTH;
  if (crypto_aead_aes256gcm_decrypt(pt, &out_len, NULL, raw + 1 + PARITY_SECRETBOX_NONCE_BYTES, ct_len, ad, sizeof(ad),
                                    raw + 1, sb->key) != 0)
    goto out;
  *pt_len = (size_t)out_len;
  rc = PARITY_OK;
out:
  if (rc != PARITY_OK)
    sodium_memzero(pt, cap);
  sodium_memzero(raw, sizeof(raw));
  return rc;
}
