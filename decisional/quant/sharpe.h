/* Annualised Sharpe ratios (risk-free rate 0) and the preselection of the top equities by Sharpe. */
#ifndef PARITY_QUANT_SHARPE_H
#define PARITY_QUANT_SHARPE_H

#include <stddef.h>

#include "decisional/quant/quant_err.h"

#define PARITY_TRADING_DAYS 252

/* mean * 252 / (sd * sqrt(252)) of daily returns r[0..t), sd with ddof 1. PARITY_ENUMERIC when t < 2
 * or sd is 0; PARITY_EINVAL for a non-finite return. */
int parity_sharpe_annualised(const double *r, size_t t, double *out, struct parity_quant_err *err);

/*
 * Sharpe of each of n series (series j at returns[j*t ..]) into sharpe[0..n), and the indices of the
 * `top` best in chosen[0..min(top, n)), ordered by decreasing Sharpe with ties to the lower index.
 * Returns the number chosen through *nchosen.
 */
int parity_sharpe_top(const double *returns, size_t t, size_t n, size_t top, double *sharpe, size_t *chosen,
                      size_t *nchosen, struct parity_quant_err *err);

#endif
