/* Password policy (length, UTF-8, zxcvbn score) and argon2id hashing behind a concurrency gate. */
#ifndef PARITY_AUTH_PASSWORD_H
#define PARITY_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Length in Unicode code points (SPEC §10: 10..128). */
#define PARITY_PASSWORD_MIN_CHARS 10
#define PARITY_PASSWORD_MAX_CHARS 128
/* No UTF-8 code point is longer than 4 bytes: a longer input cannot pass and is not decoded. */
#define PARITY_PASSWORD_MAX_BYTES ((size_t)4 * PARITY_PASSWORD_MAX_CHARS)
/* zxcvbn score required (0..4, SPEC §10). */
#define PARITY_PASSWORD_MIN_SCORE 3
/*
 * argon2id cost: libsodium's INTERACTIVE limits (crypto_pwhash_OPSLIMIT_INTERACTIVE = 2 passes,
 * crypto_pwhash_MEMLIMIT_INTERACTIVE = 64 MiB). SPEC §10 asks for about 66 ms and 64 MiB; on the
 * 2-core build machine one hash took 78 ms at best and 145-180 ms median while other builds
 * loaded it (tests/bench/bench_auth.c). MODERATE (3 passes, 256 MiB) took about 1 s and 256 MiB
 * per login, which the gate below would turn into queues of seconds. Changing these makes
 * crypto_pwhash_str_needs_rehash() flag old hashes, and login re-hashes them.
 */
#define PARITY_PASSWORD_OPSLIMIT 2ULL
#define PARITY_PASSWORD_MEMLIMIT (64UL * 1024 * 1024)
/* At most this many hashes (or verifies) run at once: 2 x 64 MiB of memory at worst. */
#define PARITY_PASSWORD_MAX_CONCURRENT 2
/* A caller waits this long for a gate slot, then gets PARITY_EUNAVAILABLE (503, retry); the
 * default of PASSWORD_GATE_TIMEOUT_MS. */
#define PARITY_PASSWORD_GATE_TIMEOUT_MS 10000
/* Size of a stored hash string with its NUL (crypto_pwhash_STRBYTES). */
#define PARITY_PASSWORD_HASH_MAX 128
/* Longest email taken as a zxcvbn user input, and the most user inputs derived from it. */
#define PARITY_PASSWORD_EMAIL_MAX 254
#define PARITY_PASSWORD_MAX_USER_WORDS 16
/* Parts of the email shorter than this are not user inputs (they would match everywhere). */
#define PARITY_PASSWORD_MIN_USER_WORD 3

enum parity_password_problem {
  PARITY_PASSWORD_FINE = 0,
  PARITY_PASSWORD_TOO_SHORT,    /* fewer than 10 code points */
  PARITY_PASSWORD_TOO_LONG,     /* more than 128 code points */
  PARITY_PASSWORD_INVALID_TEXT, /* invalid UTF-8 or a NUL byte */
  PARITY_PASSWORD_TOO_WEAK,     /* zxcvbn score below 3 */
};

/*
 * Process-wide set-up: libsodium, the hash gate and the dummy hash used by
 * parity_password_dummy_verify() (one argon2id hash, so call it at start, not in a request).
 * Idempotent and thread-safe. Returns PARITY_OK or PARITY_EINTERNAL.
 */
int parity_password_init(void);

/*
 * Applies the policy to pw[0..len) (len from the JSON string, so an embedded NUL is seen).
 * email (may be NULL) and its parts are zxcvbn user inputs: a password built from them is weak.
 * Writes the reason to *problem and, when score is not NULL and the length/encoding checks
 * passed, the zxcvbn score (0..4). Returns PARITY_OK when acceptable, else PARITY_EINVAL.
 */
int parity_password_check(const char *pw, size_t len, const char *email, enum parity_password_problem *problem,
                          int *score);

/*
 * Maps zxcvbn's entropy in bits to its 0..4 score, as zxcvbn does (scoring.coffee,
 * guesses_to_score): guesses = 2^bits; score 0 below 1e3 + 5 guesses, 1 below 1e6 + 5,
 * 2 below 1e8 + 5, 3 below 1e10 + 5, else 4 (the + 5 is zxcvbn's DELTA).
 */
int parity_password_score_from_entropy(double bits);

/*
 * Hashes pw with argon2id at PARITY_PASSWORD_OPSLIMIT / MEMLIMIT into out (a NUL-terminated
 * "$argon2id$..." string). Waits for the gate. Returns PARITY_OK, PARITY_EINVAL (len over
 * PARITY_PASSWORD_MAX_BYTES), PARITY_EUNAVAILABLE (gate timeout) or PARITY_ENOMEM.
 */
int parity_password_hash(const char *pw, size_t len, char out[PARITY_PASSWORD_HASH_MAX]);

/*
 * Checks pw against a stored hash (any argon2 parameters libsodium accepts). On success sets
 * *needs_rehash (may be NULL) when the hash was made with other parameters than the current
 * ones, so the caller can store a fresh hash. Returns PARITY_OK, PARITY_EAUTH (wrong password),
 * PARITY_EINVAL (not an argon2 hash string, or pw longer than PARITY_PASSWORD_MAX_BYTES: no
 * hash is computed, which reveals only the input's length) or PARITY_EUNAVAILABLE (gate timeout).
 */
int parity_password_verify(const char *stored, const char *pw, size_t len, bool *needs_rehash);

/*
 * Spends the time of a real verify (same gate, same parameters) against a fixed dummy hash and
 * returns PARITY_EAUTH, or PARITY_EUNAVAILABLE on gate timeout. Used when the email is unknown
 * so that the answer takes as long as for a known email with a wrong password.
 */
int parity_password_dummy_verify(const char *pw, size_t len);

/*
 * How long later callers wait for a gate slot (ms, >= 1) before PARITY_EUNAVAILABLE. Set once at
 * start (PASSWORD_GATE_TIMEOUT_MS): a shorter wait sheds load sooner when logins pile up.
 */
void parity_password_gate_timeout_set(long ms);

/* Most hashes ever seen running at once in this process (for tests of the gate). */
int parity__password_gate_peak(void);

#endif
