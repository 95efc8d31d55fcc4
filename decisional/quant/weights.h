/* Named portfolio weights, the currency of blend, rebalance and forecast inputs. */
#ifndef PARITY_QUANT_WEIGHTS_H
#define PARITY_QUANT_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes including the NUL: common/ids.h's PARITY_SYMBOL_MAX, restated because quant/ includes nothing from
 * common/; decisional/models.c asserts at compile time that the two agree. */
#define PARITY_QUANT_SYMBOL_MAX 16
#define PARITY_QUANT_CASH "CASH"     /* the key of uninvested cash in current weights */
#define PARITY_WEIGHT_MICROS 1000000 /* final model weights are integers of 1e-6 summing to exactly this */

struct parity_weight {
  char symbol[PARITY_QUANT_SYMBOL_MAX];
  double w;
};

/* Index of `symbol` in w[0..n), or -1. */
static inline long parity_weights_find(const struct parity_weight *w, size_t n, const char *symbol)
{
  for (size_t i = 0; i < n; i++) {
    const char *a = w[i].symbol, *b = symbol;
    while (*a && *a == *b)
      a++, b++;
    if (*a == *b)
      return (long)i;
  }
  return -1;
}

/*
 * Rounds weights w[0..n) (non-negative, summing to 1 within rounding) to integer micro-units that sum
 * to exactly PARITY_WEIGHT_MICROS: floors, then one more micro to the largest remainders, ties to the
 * lower index (Hamilton's largest-remainder method). Returns PARITY_EINVAL when the weights are
 * negative, not finite or do not sum to 1 within 1e-9.
 */
int parity_weights_round_micros(const double *w, size_t n, int64_t *micros);

#endif
