/* Outbox writer: the command row is inserted in the caller's transaction, so it commits with the state change. */
#include "operational/outbox.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/errors.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"
#include "operational/queries.h"

int parity_outbox_enqueue(struct parity_db *db, enum parity_msg_type type, const json_t *payload, char *id_out)
{
  char err[256];
  int rc = parity_message_check_payload(type, payload, err, sizeof(err));
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "outbox_invalid_payload", "{s:s, s:s}", "type", parity_msg_type_name(type), "error",
               err);
    return PARITY_EINTERNAL; /* our own code built it: a bug, not a client error */
  }
  char *text = parity_json_dumps_new(payload);
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_OUTBOX_INSERT, &res, parity_msg_type_name(type), text);
  free(text);
  if (!rc && id_out)
    snprintf(id_out, PARITY_UUID_TEXT, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}
