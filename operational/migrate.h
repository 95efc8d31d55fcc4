/* The schema migration runner: numbered SQL files, checksummed, each in one transaction, under a lock. */
#ifndef PARITY_MIGRATE_H
#define PARITY_MIGRATE_H

#include <stdio.h>

#define PARITY_MIGRATION_MAX_BYTES (1u << 20)
#define PARITY_MIGRATION_MAX_FILES 1000

/*
 * Applies every migration of `dir` not yet in schema_migrations, in version order, each in its own
 * transaction, holding a session advisory lock so two processes never race. An applied migration whose
 * checksum changed is an error (PARITY_ECONFLICT). Progress lines go to `report` (may be NULL).
 * *applied receives how many were applied now.
 */
int parity_migrate(const char *database_url, const char *dir, FILE *report, int *applied);

#endif
