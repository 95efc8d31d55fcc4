# Stand-in for postgres:15-bookworm where no registry serves it: Debian's PostgreSQL 15 on the local
# Debian 12 base, with the part of the official image's contract docker-compose.yml relies on
# (POSTGRES_USER/PASSWORD/DB, /docker-entrypoint-initdb.d on first start, PGDATA, pg_isready).
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 2775 /var/run/postgresql /var/lib/postgresql/data \
 && install -d /docker-entrypoint-initdb.d
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
# Fast shutdown, as the official image does.
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
