/* TOTP (RFC 6238) and HOTP (RFC 4226) via liboath: secrets, codes, checks with a replay guard. */
#ifndef PARITY_AUTH_TOTP_H
#define PARITY_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

/* 160-bit secrets: the HMAC-SHA1 output size, as RFC 4226 §4 recommends. */
#define PARITY_TOTP_SECRET_BYTES 20
/* Longest secret accepted by the code functions (RFC 6238 uses up to 64 bytes for SHA-512). */
#define PARITY_TOTP_MAX_SECRET_BYTES 64
/* Base32 of a 20-byte secret: 32 characters, no padding. */
#define PARITY_TOTP_SECRET_B32_LEN 32
/* Code length, time step and tolerated steps either side (SPEC §10). */
#define PARITY_TOTP_DIGITS 6
#define PARITY_TOTP_STEP_SECONDS 30
#define PARITY_TOTP_WINDOW_STEPS 1
/* Digits the generators accept (RFC 4226 §5.3 requires at least 6; the RFC vectors use 8). */
#define PARITY_HOTP_MIN_DIGITS 6
#define PARITY_HOTP_MAX_DIGITS 8
/* Issuer shown by authenticator apps, and the longest account name put in a URI. */
#define PARITY_TOTP_ISSUER "Parity"
#define PARITY_TOTP_ACCOUNT_MAX 254
/* Buffer size that always holds an otpauth URI (every byte of the account percent-encoded). */
#define PARITY_TOTP_URI_MAX (64 + 3 * PARITY_TOTP_ACCOUNT_MAX + PARITY_TOTP_SECRET_B32_LEN + 64)
/* last_step value meaning "no code accepted yet". */
#define PARITY_TOTP_NO_LAST_STEP (-1)

/* Fills secret with PARITY_TOTP_SECRET_BYTES random bytes. Returns PARITY_OK or PARITY_EINTERNAL.
 */
int parity_totp_secret_new(unsigned char secret[PARITY_TOTP_SECRET_BYTES]);

/*
 * RFC 4648 base32 of a secret, upper case, '=' padding removed (authenticator apps expect that).
 * Writes a NUL-terminated string into out. Returns PARITY_OK, PARITY_EINVAL or PARITY_ETOOBIG.
 */
int parity_totp_base32(const unsigned char *secret, size_t len, char *out, size_t cap);

/*
 * The otpauth URI for an authenticator app:
 *   otpauth://totp/Parity:{email}?secret=...&issuer=Parity&algorithm=SHA1&digits=6&period=30
 * with the email percent-encoded (every byte but RFC 3986 unreserved characters). The email must
 * be 1..PARITY_TOTP_ACCOUNT_MAX bytes of valid UTF-8 without control characters.
 * Returns PARITY_OK, PARITY_EINVAL or PARITY_ETOOBIG (cap; PARITY_TOTP_URI_MAX is enough).
 */
int parity_totp_uri(const char *email, const char *secret_b32, char *out, size_t cap);

/* HOTP value for a counter: `digits` decimal digits plus NUL in out. PARITY_OK or PARITY_EINVAL. */
int parity_hotp(const unsigned char *secret, size_t len, uint64_t counter, unsigned digits, char *out);

/* Time step of a Unix time: floor(now / 30). PARITY_EINVAL for negative times. */
int parity_totp_step(int64_t now, int64_t *step);

/* TOTP value at time `now` (RFC 6238, SHA-1, T0 = 0). PARITY_OK or PARITY_EINVAL. */
int parity_totp_code(const unsigned char *secret, size_t len, int64_t now, unsigned digits, char *out);

/*
 * Checks a 6-digit code against the steps now-1, now, now+1. Every candidate is computed and
 * compared in constant time. A code is accepted only for a step > last_step
 * (PARITY_TOTP_NO_LAST_STEP when none was accepted yet), so the caller stores *matched_step as
 * the new last_step and a code is never accepted twice.
 * Returns PARITY_OK (and *matched_step), PARITY_EINVAL (not exactly 6 ASCII digits, bad
 * secret), PARITY_EAUTH (no match in the window) or PARITY_ECONFLICT (it matches only a step
 * already used: a replay). The route answers 401 to all three and counts a failure.
 */
int parity_totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now, int64_t last_step,
                       int64_t *matched_step);

#endif
