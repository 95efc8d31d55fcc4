/* Allocation that aborts on failure (alloc.h says why). */
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(const char *what, size_t size)
{
  fprintf(stderr, "parity: out of memory (%s of %zu bytes)\n", what, size);
  abort();
}

void *parity_xmalloc(size_t size)
{
  void *p = malloc(size ? size : 1);
  if (!p)
    out_of_memory("malloc", size);
  return p;
}

void *parity_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    out_of_memory("calloc", n * size);
  return p;
}

void *parity_xrealloc(void *p, size_t size)
{
  void *grown = realloc(p, size ? size : 1);
  if (!grown)
    out_of_memory("realloc", size);
  return grown;
}

char *parity_xstrdup(const char *s)
{
  char *d = strdup(s);
  if (!d)
    out_of_memory("strdup", strlen(s) + 1);
  return d;
}
