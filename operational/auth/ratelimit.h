/* Per-IP token buckets in a fixed-size, thread-safe table (RATE_LIMIT_RPS, RATE_LIMIT_BURST). */
#ifndef PARITY_AUTH_RATELIMIT_H
#define PARITY_AUTH_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operational/auth/client_ip.h"

/* Default and largest number of addresses tracked at once (about 48 bytes each). */
#define PARITY_RATELIMIT_DEFAULT_TRACKED 65536
#define PARITY_RATELIMIT_MAX_TRACKED (1u << 22)
/* Buckets per hash set: an address can live in any of the 8 slots of its set. */
#define PARITY_RATELIMIT_WAYS 8
/* Most mutexes; sets share them round-robin so threads rarely wait on each other. */
#define PARITY_RATELIMIT_STRIPES 64
/*
 * IPv6 clients are limited per /64: a single host commonly holds a whole /64 (RFC 6177 and
 * SLAAC), so limiting per address would give one attacker 2^64 buckets.
 */
#define PARITY_RATELIMIT_IPV6_PREFIX_BITS 64
/* Bounds of the configuration (a positive rate below the minimum is refused, not rounded). */
#define PARITY_RATELIMIT_MIN_RATE 0.001
#define PARITY_RATELIMIT_MAX_RATE 1e6
#define PARITY_RATELIMIT_MAX_BURST 1000000L

struct parity_ratelimit;

/*
 * Creates a table: `rate` tokens per second refill each address's bucket up to `burst`; a
 * request takes one token. Buckets are kept in the equivalent GCRA form (the Generic Cell Rate
 * Algorithm of ITU-T I.371, with its "theoretical arrival time" in integer microseconds), so
 * refills are exact, with no floating-point drift. rate == 0 or burst == 0 disables limiting
 * (every take is allowed).
 * max_tracked (0 = PARITY_RATELIMIT_DEFAULT_TRACKED) is rounded down to a power of two times
 * PARITY_RATELIMIT_WAYS (at least one set). The table never grows: when an address's set is
 * full, a bucket that has refilled to full is replaced first (forgetting it changes nothing),
 * otherwise the least recently used one (that address starts again with a full bucket).
 * *out is owned by the caller: parity_ratelimit_free(). Returns PARITY_OK, PARITY_EINVAL
 * (negative, NaN or too large values) or PARITY_ENOMEM.
 */
int parity_ratelimit_new(double rate, long burst, size_t max_tracked, struct parity_ratelimit **out);
void parity_ratelimit_free(struct parity_ratelimit *rl);

bool parity_ratelimit_enabled(const struct parity_ratelimit *rl);

/*
 * Takes one token for ip at now_ms (a monotonic clock in milliseconds; time going backwards is
 * treated as no time passing). Returns PARITY_OK when allowed, or PARITY_ERATE with
 * *retry_after_s (may be NULL) set to the whole seconds (>= 1) until a token is available, for
 * the Retry-After header. PARITY_EINVAL for a NULL table or address. Thread-safe.
 */
int parity_ratelimit_take(struct parity_ratelimit *rl, const struct parity_ip *ip, uint64_t now_ms,
                          unsigned *retry_after_s);

/* Number of addresses currently tracked, and the table's capacity (tests and metrics). */
size_t parity_ratelimit_tracked(struct parity_ratelimit *rl);
size_t parity_ratelimit_capacity(const struct parity_ratelimit *rl);

#endif
