/* Which stored coding of a static file to send, from the request's Accept-Encoding (RFC 9110 §12.5.3). */
#ifndef PARITY_ACCEPT_ENCODING_H
#define PARITY_ACCEPT_ENCODING_H

#include <stdbool.h>

enum parity_coding { PARITY_CODING_IDENTITY = 0, PARITY_CODING_GZIP = 1, PARITY_CODING_BR = 2 };

/*
 * 1 when `header` (NULL = absent) accepts `coding` ("gzip", "br"): listed with a q above 0, or covered by
 * "*" with a q above 0 and not listed itself. "x-gzip" counts as gzip. An absent or empty header accepts
 * no content coding (only identity), so a compressed body is never sent to a client that did not ask.
 */
bool parity_accepts_coding(const char *header, const char *coding);

/* The coding to send among those stored (`have_gzip`, `have_br`): the highest q the header gives, br on a
 * tie (smaller); identity when the client accepts neither. */
enum parity_coding parity_choose_coding(const char *header, bool have_gzip, bool have_br);

#endif
