/* Server-Sent Events framing (the text/event-stream format of the HTML standard), pure. */
#ifndef PARITY_SSE_H
#define PARITY_SSE_H

#include <stdbool.h>
#include <stddef.h>

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

/* The reading side (the parity CLI): bytes in as they come, one call per complete event. */
#define PARITY_SSE_LINE_MAX 65536 /* a longer line is no event of ours: the stream is refused */

/* An event: its name ("message" when it had none) and its data lines joined by '\n'. Non-zero stops. */
typedef int (*parity_sse_on_event)(const char *name, const char *data, void *cls);

struct parity_sse_parser {
  struct parity_buf line, data;
  char name[64];
  parity_sse_on_event on_event;
  void *cls;
  bool has_data;
  bool last_cr; /* the last byte fed was a CR */
};

void parity_sse_parser_init(struct parity_sse_parser *p, parity_sse_on_event on_event, void *cls);
/* Feeds n bytes; 0, the callback's non-zero answer, or PARITY_ETOOBIG for a line over PARITY_SSE_LINE_MAX. */
int parity_sse_parser_feed(struct parity_sse_parser *p, const char *bytes, size_t n);
void parity_sse_parser_free(struct parity_sse_parser *p);

#endif
