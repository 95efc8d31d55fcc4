/* Large, huge-page-friendly scratch allocations for the quant kernels. */
#include "decisional/quant/quant_mem.h"

#include <stdlib.h>
#include <sys/mman.h>

#define ALIGNMENT 64
#define HUGE_PAGE (2u << 20) /* the x86-64 transparent huge page */
#define HUGE_MIN (8u << 20)  /* below this the page faults do not matter */

void *parity_quant__big_alloc(size_t bytes)
{
  if (bytes < HUGE_MIN)
    return aligned_alloc(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
  size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  void *p = aligned_alloc(HUGE_PAGE, rounded);
#ifdef MADV_HUGEPAGE
  if (p)
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: refusing it changes nothing but speed */
#endif
  return p;
}
