/* Opaque tokens and their stored hashes, recovery codes, and the internal-secret comparison. */
#ifndef PARITY_AUTH_TOKEN_H
#define PARITY_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Opaque tokens (refresh, email verification, password reset, mfa_token): 32 random bytes,
 * base64url without padding (43 characters). Only the SHA-256 of the token text is stored (64
 * lower-case hex digits): 256 random bits need no salt or slow hash to resist a stolen table.
 */
#define PARITY_TOKEN_BYTES 32
#define PARITY_TOKEN_STRLEN 43
#define PARITY_TOKEN_HASH_HEXLEN 64

/*
 * Recovery codes: 10 per user, shown once, "XXXXX-XXXXX" from a 31-symbol alphabet without the
 * look-alikes 0/O, 1/I/L (about 49.5 bits each). Input is normalised (case, dashes and spaces
 * ignored). Stored as hex of argon2id(code, salt = SHA-256("parity-recovery-v1" || user
 * id)[0..16)), at small cost: one hash per attempt, not one per stored code, because the salt is
 * per user and the lookup is by equality; a stolen table still costs 2^49 argon2id evaluations per
 * code.
 */
#define PARITY_RECOVERY_CODE_COUNT 10
#define PARITY_RECOVERY_CODE_CHARS 10
#define PARITY_RECOVERY_CODE_STRLEN 11 /* with the dash */
#define PARITY_RECOVERY_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
/* Longest recovery-code input examined (spaces and dashes included). */
#define PARITY_RECOVERY_INPUT_MAX 64
/* argon2id cost of a recovery-code hash: 2 passes over 8 MiB (7-9 ms here when the machine is
 * idle). */
#define PARITY_RECOVERY_OPSLIMIT 2ULL
#define PARITY_RECOVERY_MEMLIMIT (8UL * 1024 * 1024)
#define PARITY_RECOVERY_HASH_HEXLEN 64
/* Longest X-Internal-Secret header value examined. */
#define PARITY_INTERNAL_SECRET_MAX 1024

/* A new random token, NUL-terminated. Returns PARITY_OK or PARITY_EINTERNAL. */
int parity_token_new(char out[PARITY_TOKEN_STRLEN + 1]);

/* True when s is exactly 43 base64url characters that decode to 32 bytes (canonical form). */
bool parity_token_wellformed(const char *s);

/*
 * SHA-256 hex (lower case) of a well-formed token, for storage and lookup.
 * Returns PARITY_OK or PARITY_EINVAL (not a well-formed token: look nothing up).
 */
int parity_token_hash(const char *token, char out[PARITY_TOKEN_HASH_HEXLEN + 1]);

/* Constant-time equality of two 64-hex-digit hashes; false when either is not one. */
bool parity_token_hash_equal(const char *a, const char *b);

/* Ten new codes "XXXXX-XXXXX", distinct. Returns PARITY_OK or PARITY_EINTERNAL. */
int parity_recovery_codes_new(char codes[PARITY_RECOVERY_CODE_COUNT][PARITY_RECOVERY_CODE_STRLEN + 1]);

/*
 * Normalises user input ("abcde-fghjk", "ABCDE FGHJK", ...) to 10 alphabet characters.
 * Returns PARITY_OK or PARITY_EINVAL.
 */
int parity_recovery_code_normalize(const char *in, char out[PARITY_RECOVERY_CODE_CHARS + 1]);

/*
 * Storage hash of a recovery code (any accepted spelling) for user_id (> 0): 64 hex digits.
 * Returns PARITY_OK, PARITY_EINVAL (malformed code) or PARITY_ENOMEM.
 */
int parity_recovery_code_hash(int64_t user_id, const char *code, char out[PARITY_RECOVERY_HASH_HEXLEN + 1]);

/*
 * Compares the X-Internal-Secret header with the configured secret: HMAC-SHA256 of both under a
 * per-process random key, then sodium_memcmp of the MACs, so neither content nor length leaks
 * through timing. False when expected is NULL or empty (not configured) or provided is NULL.
 */
bool parity_internal_secret_ok(const char *provided, const char *expected);

#endif
