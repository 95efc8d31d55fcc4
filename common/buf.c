/* The bounded growable buffer: doubling growth, never past the maximum set at init. */
#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

#define PARITY_BUF_FIRST_CAP 256

void parity_buf_init(struct parity_buf *b, size_t max)
{
  memset(b, 0, sizeof(*b));
  b->max = max;
}

int parity_buf_add(struct parity_buf *b, const void *bytes, size_t n)
{
  if (n > b->max - b->len)
    return PARITY_ETOOBIG;
  size_t need = b->len + n + 1;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : PARITY_BUF_FIRST_CAP;
    while (cap < need)
      cap *= 2;
    if (cap > b->max + 1) /* never more than the maximum and its NUL */
      cap = b->max + 1;
    b->data = parity_xrealloc(b->data, cap);
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
  return PARITY_OK;
}

void parity_buf_clear(struct parity_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

char *parity_buf_take(struct parity_buf *b)
{
  char *data = b->data;
  parity_buf_init(b, b->max);
  return data;
}

void parity_buf_free(struct parity_buf *b)
{
  free(b->data);
  parity_buf_init(b, b->max);
}
