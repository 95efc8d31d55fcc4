/* Allocation that never returns NULL: parity_xmalloc, parity_xcalloc, parity_xrealloc, parity_xstrdup. */
#ifndef PARITY_ALLOC_H
#define PARITY_ALLOC_H

#include <stddef.h>

/*
 * Each one aborts with a message on stderr when the allocator fails, as Redis's zmalloc does: on Linux
 * with overcommit a NULL from malloc is rare and means the process is already lost, and a recovery path
 * behind every allocation is code that never runs, is never tested, and hides the real work. Use these
 * for the process's own memory; a size that comes from input must be bounded before (limits.h).
 * A size of 0 still gets a valid, freeable pointer (never NULL).
 */
void *parity_xmalloc(size_t size);
void *parity_xcalloc(size_t n, size_t size);
void *parity_xrealloc(void *p, size_t size);
char *parity_xstrdup(const char *s);

#endif
