/* Bar and point series growth, shared by every price source. */
#include "common/alloc.h"
#include "decisional/bars.h"

#include <stdlib.h>

void parity_bar_series_push(struct parity_bar_series *s, const struct parity_bar *bar)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct parity_bar *grown = parity_xrealloc(s->bars, cap * sizeof(*grown));
    s->bars = grown;
    s->cap = cap;
  }
  s->bars[s->n++] = *bar;
}

void parity_bar_series_free(struct parity_bar_series *s)
{
  free(s->bars);
  s->bars = NULL;
  s->n = s->cap = 0;
}

void parity_point_series_push(struct parity_point_series *s, const struct parity_price_point *point)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct parity_price_point *grown = parity_xrealloc(s->points, cap * sizeof(*grown));
    s->points = grown;
    s->cap = cap;
  }
  s->points[s->n++] = *point;
}

void parity_point_series_free(struct parity_point_series *s)
{
  free(s->points);
  s->points = NULL;
  s->n = s->cap = 0;
}
