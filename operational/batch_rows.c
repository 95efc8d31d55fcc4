/* Helpers of the set-based batches: an investor's rows, array literals (batch_rows.h). */
#include "operational/batch_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/pg.h"

void parity_batch_user_rows(const PGresult *res, int *row, int64_t user_id, int *first, int *end)
{
  int n = PQntuples(res);
  while (*row < n && strtoll(PQgetvalue(res, *row, 0), NULL, 10) < user_id)
    (*row)++;
  *first = *row;
  while (*row < n && strtoll(PQgetvalue(res, *row, 0), NULL, 10) == user_id)
    (*row)++;
  *end = *row;
}

void parity_batch_list_i64(struct parity_buf *b, int64_t v)
{
  char text[PARITY_I64_TEXT + 1];
  int n = snprintf(text, sizeof(text), "%s%lld", b->len ? "," : "", (long long)v);
  parity_buf_add(b, text, (size_t)n);
}

void parity_batch_list_text(struct parity_buf *b, const char *text)
{
  if (b->len)
    parity_buf_add(b, ",", 1);
  parity_buf_add(b, "\"", 1);
  parity_buf_add(b, text, strlen(text));
  parity_buf_add(b, "\"", 1);
}

char *parity_batch_array_new(const struct parity_buf *b)
{
  size_t n = b->len;
  char *text = parity_xmalloc(n + 3);
  text[0] = '{';
  memcpy(text + 1, b->data ? b->data : "", n);
  text[n + 1] = '}';
  text[n + 2] = '\0';
  return text;
}
