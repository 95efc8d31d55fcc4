/* AES-256-GCM sealing of TOTP secrets at rest, bound to the owning user id (libsodium). */
#ifndef PARITY_AUTH_SECRETBOX_H
#define PARITY_AUTH_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Stored format (a text column; base64 with the standard alphabet and '=' padding):
 *
 *   base64( version (1 byte, 0x01) || nonce (12 random bytes) || ciphertext || tag (16 bytes) )
 *
 * associated data = "parity-totp-secret" || version || user_id as 8 bytes big-endian,
 * so a sealed secret copied to another user's row, or relabelled with another version, fails
 * to open. A column declared bytea can store decode($1, 'base64') of the same text.
 * Key: TOTP_ENC_KEY, exactly 64 hex digits (32 bytes). Nonces are random: with at most a few
 * sealings per user, the 2^32-messages-per-key limit for random 96-bit GCM nonces (NIST
 * SP 800-38D §8.3) is far away.
 */
#define PARITY_SECRETBOX_VERSION 0x01
#define PARITY_SECRETBOX_KEY_HEX_LEN 64
#define PARITY_SECRETBOX_KEY_BYTES 32
#define PARITY_SECRETBOX_NONCE_BYTES 12
#define PARITY_SECRETBOX_TAG_BYTES 16
/* Largest plaintext sealed or opened (TOTP secrets are 20 bytes). */
#define PARITY_SECRETBOX_MAX_PLAINTEXT 64
/* Raw sealed size and the base64 text size (with NUL) for a plaintext of n bytes. */
#define PARITY_SECRETBOX_RAW_LEN(n) (1 + PARITY_SECRETBOX_NONCE_BYTES + (n) + PARITY_SECRETBOX_TAG_BYTES)
#define PARITY_SECRETBOX_B64_CAP(n) (((PARITY_SECRETBOX_RAW_LEN(n) + 2) / 3) * 4 + 1)
/* Buffer size that always holds a sealed value. */
#define PARITY_SECRETBOX_SEALED_MAX PARITY_SECRETBOX_B64_CAP(PARITY_SECRETBOX_MAX_PLAINTEXT)

/* Caller-owned; init/close pair; read-only and shareable by threads after init. */
struct parity_secretbox {
  unsigned char key[PARITY_SECRETBOX_KEY_BYTES];
  bool ready;
};

/*
 * Loads the key from 64 hex digits. Returns PARITY_OK, PARITY_EINVAL (not exactly 64 hex
 * digits) or PARITY_EUNAVAILABLE when this CPU lacks the AES-NI and CLMUL instructions that
 * libsodium's AES-256-GCM requires (crypto_aead_aes256gcm_is_available() == 0): the daemon must
 * then refuse to start, since it cannot read or write TOTP secrets.
 */
int parity_secretbox_init(struct parity_secretbox *sb, const char *key_hex);
/* Wipes the key. */
void parity_secretbox_close(struct parity_secretbox *sb);

/*
 * Seals pt (1..PARITY_SECRETBOX_MAX_PLAINTEXT bytes) for user_id (> 0) into out as NUL-terminated
 * base64. Returns PARITY_OK, PARITY_EINVAL, PARITY_ETOOBIG (cap) or PARITY_EINTERNAL.
 */
int parity_secretbox_seal(const struct parity_secretbox *sb, int64_t user_id, const unsigned char *pt, size_t pt_len,
                          char *out, size_t cap);

/*
 * Opens a sealed value for user_id into pt (cap bytes), length in *pt_len. Returns PARITY_OK,
 * PARITY_EINVAL (not base64, unknown version, too short or long) or PARITY_EAUTH (the tag does
 * not verify: wrong key, wrong user, or altered bytes). On failure pt is zeroed.
 */
int parity_secretbox_open(const struct parity_secretbox *sb, int64_t user_id, const char *sealed, unsigned char *pt,
                          size_t cap, size_t *pt_len);

#endif
