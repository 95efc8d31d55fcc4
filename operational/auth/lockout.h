/* Account lockout policy (5 failures -> 15 minutes) and the email key it is counted under. */
#ifndef PARITY_AUTH_LOCKOUT_H
#define PARITY_AUTH_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Consecutive failures that lock an account, and for how long (SPEC §10). */
#define PARITY_LOCKOUT_MAX_FAILURES 5
#define PARITY_LOCKOUT_SECONDS 900
/*
 * A streak of failures ends when no failure came for this long (or a success came): failures
 * spread over days do not add up to a lock, and the first failure after a lock has expired
 * starts a new streak instead of locking again at once.
 */
#define PARITY_LOCKOUT_STREAK_SECONDS 900
/* RFC 5321 §4.5.3.1: 64-byte local part; a 254-byte address is the longest a path can carry. */
#define PARITY_EMAIL_MAX_BYTES 254
#define PARITY_EMAIL_LOCAL_MAX 64
/* Longest raw input examined (surrounding whitespace included). */
#define PARITY_EMAIL_INPUT_MAX 1024

/*
 * What login_attempts stores per email key. Callers read it with SELECT ... FOR UPDATE (or an
 * atomic upsert) so that concurrent failures are all counted.
 */
struct parity_lockout_state {
  int failures;         /* failures in the current streak */
  int64_t last_failure; /* Unix seconds of the latest one; meaningless when failures == 0 */
};

/*
 * Whether the key is locked at `now` (Unix seconds). Locked: returns PARITY_ERATE and sets
 * *retry_after (may be NULL) to the whole seconds left (>= 1) for Retry-After. Otherwise
 * PARITY_OK. Login calls this before hashing anything.
 */
int parity_lockout_check(const struct parity_lockout_state *st, int64_t now, int64_t *retry_after);

/*
 * Records a failed password or 2FA step at `now`. Sets *locked_now (may be NULL) to true exactly
 * when this failure starts a lock, so the owner is emailed once. While locked nothing is counted
 * (the lock is not extended). Returns PARITY_OK or PARITY_EINVAL.
 */
int parity_lockout_record_failure(struct parity_lockout_state *st, int64_t now, bool *locked_now);

/* A successful login ends the streak. */
void parity_lockout_record_success(struct parity_lockout_state *st);

/*
 * The email as stored and as the lockout key: surrounding ASCII whitespace trimmed, ASCII
 * letters lower-cased (other characters kept: the users.email column is citext). Rejected
 * (PARITY_EINVAL): invalid UTF-8, NUL or control characters (C0, DEL, C1), inner whitespace,
 * not exactly one '@', an empty or over-64-byte local part, an empty domain or one with an empty
 * label ("a@.b", "a@b.", "a@b..c"), more than 254 bytes. out gets at most
 * PARITY_EMAIL_MAX_BYTES + 1 bytes; cap smaller than needed gives PARITY_ETOOBIG.
 */
int parity_email_normalize(const char *in, size_t len, char *out, size_t cap);

#endif
