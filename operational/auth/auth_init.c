/* One-time initialisation of libsodium and liboath, shared by every auth module. */
#include "operational/auth/auth_init.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>

#include "common/errors.h"

/* Size of the per-process HMAC key: the HMAC-SHA256 key size libsodium recommends. */
#define AUTH_PROCESS_KEY_BYTES crypto_auth_hmacsha256_KEYBYTES

/*
 * The only globals of the auth modules: written once under pthread_once and read-only after,
 * so readers need no lock.
 */
static pthread_once_t auth_once = PTHREAD_ONCE_INIT;
static int auth_init_result = PARITY_EINTERNAL;
static unsigned char auth_process_key[AUTH_PROCESS_KEY_BYTES];

static void auth_init_once(void)
{
  /* sodium_init returns 1 when already initialised by someone else: that is success too. */
  if (sodium_init() < 0)
    return;
  if (oath_init() != OATH_OK)
    return;
  randombytes_buf(auth_process_key, sizeof(auth_process_key));
  auth_init_result = PARITY_OK;
}

int parity_auth_init(void)
{
  if (pthread_once(&auth_once, auth_init_once) != 0)
    return PARITY_EINTERNAL;
  return auth_init_result;
}

const unsigned char *parity__auth_process_key(void)
{
  return auth_process_key;
}
