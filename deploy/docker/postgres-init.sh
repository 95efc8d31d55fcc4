#!/bin/sh
# Compose only: creates the decisional role (DML rights are granted by the migrations) the first time
# the PostgreSQL volume is initialised. The password comes from the environment, never from this file.
set -eu
: "${PARITY_DECISIONAL_DB_PASSWORD:?PARITY_DECISIONAL_DB_PASSWORD must be set}"
# psql's :'pw' quotes the value as a literal, so any password character is safe.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$PARITY_DECISIONAL_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE parity_decisional LOGIN PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parity_decisional')
\gexec
SQL
