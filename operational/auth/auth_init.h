/* Process-wide, idempotent initialisation of the crypto libraries the auth modules use. */
#ifndef PARITY_AUTH_INIT_H
#define PARITY_AUTH_INIT_H

/*
 * Initialises libsodium (sodium_init) and liboath (oath_init) exactly once per process and
 * draws the per-process random key used by parity_internal_secret_ok(). Thread-safe and cheap
 * after the first call (pthread_once), so every auth function that needs a library calls it
 * itself; the daemon also calls it at start so that a failure stops the process early.
 * Returns PARITY_OK or PARITY_EINTERNAL when a library cannot initialise.
 */
int parity_auth_init(void);

/*
 * The 32-byte per-process HMAC key used for the internal-secret comparison (token.c).
 * Valid only after parity_auth_init() returned PARITY_OK. Never leaves the process.
 */
const unsigned char *parity__auth_process_key(void);

#endif
