/*
 * Helpers of the set-based batches (rebalance_apply.c, svc_harvest.c): the rows of one investor in a result
 * sorted by investor, and bigint[] / text[] literals that pass a batch's columns as one statement parameter.
 */
#ifndef PARITY_BATCH_ROWS_H
#define PARITY_BATCH_ROWS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "common/buf.h"

/* Advances `*row` of `res` (user id in column 0, ascending) to `user_id`; [*first, *end) are that user's rows. */
void parity_batch_user_rows(const PGresult *res, int *row, int64_t user_id, int *first, int *end);

/* Appends v to a comma-separated list (the inside of an array literal). */
void parity_batch_list_i64(struct parity_buf *b, int64_t v);
/* Appends a text element, double-quoted (the caller passes symbols: no quote or backslash in them). */
void parity_batch_list_text(struct parity_buf *b, const char *text);
/* The array literal ("{...}") of a list built by the two above; the caller frees it. */
char *parity_batch_array_new(const struct parity_buf *b);

#endif
