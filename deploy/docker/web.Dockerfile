# syntax=docker/dockerfile:1
# parity-web: nginx serving the built SPA (frontend/, Vite) and proxying /api to parity-operational.
# Build from the repository root: docker build -f deploy/docker/web.Dockerfile -t parity-web .

ARG NODE_IMAGE=node:22.13.1-bookworm-slim
ARG DEBIAN_IMAGE=debian:12.7-slim

# --- build stage: node and the SPA's dev dependencies, never shipped -------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lock file alone decides the dependency layer, so editing a component does not reinstall.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- runtime stage: nginx and static files ----------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl nginx \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d \
 && groupadd --system --gid 10001 parity \
 && useradd --system --uid 10001 --gid parity --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin parity
COPY deploy/docker/nginx.conf /etc/nginx/nginx.conf
COPY deploy/docker/web-entrypoint.sh /usr/local/bin/parity-web-entrypoint
COPY --from=build /app/dist/ /usr/share/parity/www/
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/usr/local/bin/parity-web-entrypoint"]
# Last, so a new commit changes only this layer: an ARG used before the apt-get layer would invalidate
# it (and everything after it) on every revision. `make images` also passes the revision as --label.
ARG PARITY_REVISION=unknown
ARG PARITY_VERSION=0.1.0
LABEL org.opencontainers.image.title="parity-web" \
      org.opencontainers.image.description="Parity robo-advisor: single-page app behind nginx" \
      org.opencontainers.image.version="${PARITY_VERSION}" \
      org.opencontainers.image.revision="${PARITY_REVISION}" \
      org.opencontainers.image.licenses="MIT"
