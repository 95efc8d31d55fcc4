/* A growable byte buffer with a maximum size fixed at init: every body, answer and text Parity accumulates. */
#ifndef PARITY_BUF_H
#define PARITY_BUF_H

#include <stddef.h>

/* No limit beyond memory, for text Parity writes itself (never for input from outside). */
#define PARITY_BUF_UNBOUNDED ((size_t)-1 / 2)

struct parity_buf {
  char *data; /* NUL-terminated once anything was added; owned, released by parity_buf_free */
  size_t len;
  size_t cap;
  size_t max; /* the most bytes it will ever hold, not counting the NUL */
};

/* An empty buffer that refuses to grow past max bytes. Allocates nothing until the first add. */
void parity_buf_init(struct parity_buf *b, size_t max);
/*
 * Appends n bytes and keeps the text NUL-terminated. PARITY_ETOOBIG, with the buffer unchanged, when the
 * result would pass max; allocation failure aborts (as every allocation in Parity does).
 */
int parity_buf_add(struct parity_buf *b, const void *bytes, size_t n);
/* Empties the buffer and keeps its memory for the next use. */
void parity_buf_clear(struct parity_buf *b);
/* Hands the text to the caller (NULL when nothing was added) and leaves the buffer empty. */
char *parity_buf_take(struct parity_buf *b);
void parity_buf_free(struct parity_buf *b);

#endif
