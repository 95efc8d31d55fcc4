/* HS256 access tokens: issue and verify with libjwt 1.10, every claim checked here. */
#ifndef PARITY_AUTH_JWT_H
#define PARITY_AUTH_JWT_H

#include <stddef.h>
#include <stdint.h>

/* HMAC keys shorter than the hash output weaken HS256 (RFC 7518 §3.2): refused at init. */
#define PARITY_JWT_MIN_KEY_BYTES 32
/* Upper bound on the configured key, so the key fits in struct parity_jwt. */
#define PARITY_JWT_MAX_KEY_BYTES 1024
/* Lifetime of an access token (SPEC §10: 10 minutes). */
#define PARITY_JWT_TTL_SECONDS 600
/*
 * Clock skew tolerated between the issuing and the verifying replica, in seconds: a token
 * stays valid until exp + leeway, and iat/nbf may be up to leeway in the future. 30 s covers
 * NTP-synchronised hosts with a wide margin and adds at most 5% to the token lifetime.
 */
#define PARITY_JWT_LEEWAY_SECONDS 30
/* Tokens longer than this are refused before any decoding (ours are about 250 bytes). */
#define PARITY_JWT_MAX_TOKEN_BYTES 8192
/* Buffer size that always holds a token issued by parity_jwt_issue(). */
#define PARITY_JWT_ISSUED_MAX 1024
/* Random bytes in a jti, and the longest jti accepted on verification. */
#define PARITY_JWT_JTI_BYTES 16
#define PARITY_JWT_JTI_MAX 64
/* Longest iss / aud value configured or accepted. */
#define PARITY_JWT_NAME_MAX 128
/* Default issuer and audience of Parity's access tokens. */
#define PARITY_JWT_DEFAULT_ISSUER "parity"
#define PARITY_JWT_DEFAULT_AUDIENCE "parity-api"

/* Verification context. Caller-owned; init/close pair; read-only (shareable by threads) after init.
 */
struct parity_jwt {
  unsigned char key[PARITY_JWT_MAX_KEY_BYTES];
  size_t key_len;
  char issuer[PARITY_JWT_NAME_MAX + 1];
  char audience[PARITY_JWT_NAME_MAX + 1];
};

/* Why a token was refused: for logs and tests only; every one of them is a 401 to the client. */
enum parity_jwt_fail {
  PARITY_JWT_FAIL_NONE = 0,
  PARITY_JWT_FAIL_TOO_LONG,      /* over PARITY_JWT_MAX_TOKEN_BYTES */
  PARITY_JWT_FAIL_MALFORMED,     /* not three base64url segments, bad JSON */
  PARITY_JWT_FAIL_ALG,           /* header alg is not HS256 (none, HS512, RS256, ...) or crit set */
  PARITY_JWT_FAIL_SIGNATURE,     /* the HS256 MAC does not match the key (ours or libjwt's check) */
  PARITY_JWT_FAIL_CLAIM_TYPE,    /* exp/iat/nbf missing or not integers */
  PARITY_JWT_FAIL_EXPIRED,       /* now >= exp + leeway */
  PARITY_JWT_FAIL_NOT_YET_VALID, /* iat or nbf later than now + leeway */
  PARITY_JWT_FAIL_LIFETIME,      /* exp - iat longer than PARITY_JWT_TTL_SECONDS, or exp < iat */
  PARITY_JWT_FAIL_ISSUER,        /* iss missing or different */
  PARITY_JWT_FAIL_AUDIENCE,      /* aud missing, not a string, or different */
  PARITY_JWT_FAIL_SUBJECT,       /* sub missing or not a positive decimal integer string */
  PARITY_JWT_FAIL_JTI,           /* jti missing, empty or too long */
};

/* What a valid token says. */
struct parity_jwt_claims {
  int64_t user_id;
  int64_t issued_at;
  int64_t expires_at;
  char jti[PARITY_JWT_JTI_MAX + 1];
};

/*
 * Copies the key and names into *j. key_len must be PARITY_JWT_MIN_KEY_BYTES..MAX_KEY_BYTES;
 * issuer/audience NULL pick the defaults. Returns PARITY_OK, PARITY_EINVAL (short or long key,
 * bad names) or PARITY_EINTERNAL (crypto library failed to initialise).
 */
int parity_jwt_init(struct parity_jwt *j, const unsigned char *key, size_t key_len, const char *issuer,
                    const char *audience);
/* Wipes the key. */
void parity_jwt_close(struct parity_jwt *j);

/*
 * Issues an access token for user_id (> 0) at time `now` (Unix seconds): claims sub, iat, exp
 * (now + PARITY_JWT_TTL_SECONDS), iss, aud and a random jti. Writes the NUL-terminated token into
 * out (cap bytes; PARITY_JWT_ISSUED_MAX is always enough) and, when jti_out is not NULL, the jti
 * (PARITY_JWT_JTI_MAX + 1 bytes). Returns PARITY_OK, PARITY_EINVAL, PARITY_ETOOBIG (cap) or
 * PARITY_EINTERNAL.
 */
int parity_jwt_issue(const struct parity_jwt *j, int64_t user_id, int64_t now, char *out, size_t cap, char *jti_out);

/*
 * Verifies a bearer token at time `now`. Order: length limit, compact-form charset, header alg
 * must be exactly "HS256" (no "crit"), our own constant-time HMAC-SHA256 check (libsodium), then
 * libjwt's jwt_decode with the key and jwt_get_alg() == JWT_ALG_HS256, then every claim from our
 * own strict parse of the signed payload (duplicate keys refused; see enum parity_jwt_fail). On
 * success fills *claims and returns PARITY_OK; otherwise returns PARITY_EAUTH and, when `why` is
 * not NULL, stores the reason.
 */
int parity_jwt_verify(const struct parity_jwt *j, const char *token, int64_t now, struct parity_jwt_claims *claims,
                      enum parity_jwt_fail *why);

/* A stable lower-case name for a failure reason, for logs ("expired", "alg", ...). */
const char *parity_jwt_fail_str(enum parity_jwt_fail why);

#endif
