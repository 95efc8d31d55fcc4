/* parity-operational's prepared statements: the names; the SQL lives in queries.c alone. */
#ifndef PARITY_OP_QUERIES_H
#define PARITY_OP_QUERIES_H

#include <stddef.h>

#include "common/pg.h"

enum parity_op_query {
  Q_PING,
  Q_MARKET_STATUS,
  Q_MARKET_PRICES,
  Q_MARKET_SYMBOL_EXISTS,
  Q_OUTBOX_INSERT,
  Q_OUTBOX_CLAIM,
  Q_OUTBOX_MARK_SENT,
  Q_OUTBOX_MARK_FAILED,
  Q_OUTBOX_PENDING,
  Q_PROCESSED_INSERT,
  Q_LAST_SYNC,
  Q_CLEANUP_PROCESSED,
  Q_CLEANUP_OUTBOX,
  Q_CLEANUP_ACTION_TOKENS,
  Q_CLEANUP_SESSIONS,
  Q_OP_QUERY_COUNT
};

extern const struct parity_stmt parity_op_stmts[Q_OP_QUERY_COUNT];

#endif
