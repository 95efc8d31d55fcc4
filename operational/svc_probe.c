/* The readiness probe's database check, kept out of the handler so handlers run no SQL. */
#include "operational/svc_probe.h"

#include "operational/queries.h"

int parity_svc_probe_database(struct parity_db *db)
{
  return PARITY_DB_EXEC0(db, Q_PING, NULL);
}
