/* What the readiness probe asks of the database. */
#ifndef PARITY_SVC_PROBE_H
#define PARITY_SVC_PROBE_H

#include "common/pg.h"

/* PARITY_OK when `db` answers a trivial query, the database error otherwise. */
int parity_svc_probe_database(struct parity_db *db);

#endif
