/* Server-Sent Events framing (the text/event-stream format of the HTML standard), pure. */
#ifndef PARITY_SSE_H
#define PARITY_SSE_H

#include "common/buf.h"

/*
 * Appends one event: "id: ID\n" (when id is not NULL), "event: NAME\n" (when name is not NULL), one
 * "data: " line per line of data (a CR, LF or CRLF in it starts a new data line, so no line of the data can
 * end the event early or be read as a field), and the blank line that dispatches it. id and name must be
 * single lines; PARITY_EINVAL (nothing appended) when one is not.
 */
int parity_sse_event(struct parity_buf *out, const char *id, const char *name, const char *data);
/* Appends a comment line and the blank line ("': heartbeat\n\n'"): keeps proxies and clients from timing out. */
int parity_sse_comment(struct parity_buf *out, const char *text);

#endif
