/* The identifiers Parity passes around as text: ticker symbols and UUIDs, each with one rule and one size. */
#ifndef PARITY_IDS_H
#define PARITY_IDS_H

#include <stdbool.h>

#define PARITY_SYMBOL_MAX_LEN 15                      /* characters of a ticker symbol */
#define PARITY_SYMBOL_MAX (PARITY_SYMBOL_MAX_LEN + 1) /* a symbol and its NUL: the size of a symbol buffer */
#define PARITY_UUID_LEN 36                            /* the canonical 8-4-4-4-12 text */
#define PARITY_UUID_TEXT (PARITY_UUID_LEN + 1)        /* a UUID and its NUL */

/*
 * True when `symbol` is 1..PARITY_SYMBOL_MAX_LEN characters of [A-Z0-9.^=-] (VTI, BRK-B, ^GSPC, EURUSD=X).
 * Nothing else can reach SQL, a file name or a URL as a symbol: no quote, comma, brace or slash.
 */
bool parity_symbol_valid(const char *symbol);

/* True when `text` is the canonical 8-4-4-4-12 hex form (either case), the only one a ::uuid cast gets. */
bool parity_uuid_valid(const char *text);

/* Writes a random (version 4) UUID in canonical lowercase form and a NUL into buf. */
void parity_uuid_v4(char buf[PARITY_UUID_TEXT]);

#endif
