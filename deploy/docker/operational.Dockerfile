# syntax=docker/dockerfile:1
# parity-operational: the HTTP daemon (public API on 8081, internal endpoints and /metrics on 8082).
# Build from the repository root: docker build -f deploy/docker/operational.Dockerfile -t parity-operational .

ARG DEBIAN_IMAGE=debian:12.7-slim

# --- build stage: compilers and -dev packages, never shipped ----------------------------------------
FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libmicrohttpd-dev libpq-dev librabbitmq-dev libjansson-dev libjwt-dev libsodium-dev \
      libcurl4-openssl-dev liboath-dev libzxcvbn-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what CMake reads: a change to docs, deploy files or the SPA does not rebuild the daemon.
COPY CMakeLists.txt ./
COPY common/ common/
COPY decisional/ decisional/
COPY operational/ operational/
COPY cli/ cli/
COPY tests/CMakeLists.txt tests/
COPY migrations/ migrations/
# `cmake --install` lays out bin/ and share/parity/ (component operational: the binary and every file it reads);
# the binary finds share/parity beside its bin/, so the tree needs no path variables wherever it lands.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPARITY_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target parity-operational \
 && DESTDIR=/out cmake --install build --prefix /usr --component operational --strip

# --- runtime stage: shared libraries only -----------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
# curl is only for HEALTHCHECK; it reuses libcurl4, which the daemon needs anyway.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl libcurl4 libjansson4 libjwt0 libmicrohttpd12 liboath0 libpq5 \
      librabbitmq4 libsodium23 libzxcvbn0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 parity \
 && useradd --system --uid 10001 --gid parity --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin parity \
 && install -d -o parity -g parity /var/lib/parity/mail
# /usr/bin/parity-operational, /usr/share/parity/{migrations,openapi.yaml}. The SPA is parity-web's:
# without share/parity/www the public root answers a small placeholder page.
COPY --from=build /out/usr/ /usr/
# Containers must listen on every interface; the internal port is kept private by the network
# (compose does not publish it, Kubernetes guards it with a NetworkPolicy), not by the bind address.
ENV HTTP_BIND=0.0.0.0 \
    HTTP_PORT=8081 \
    INTERNAL_BIND=0.0.0.0 \
    INTERNAL_PORT=8082 \
    MAIL_DIR=/var/lib/parity/mail
USER 10001:10001
EXPOSE 8081 8082
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${HTTP_PORT}/livez" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/parity-operational"]
# Last, so a new commit changes only this layer: an ARG used before the apt-get layer would invalidate
# it (and everything after it) on every revision. `make images` also passes the revision as --label.
ARG PARITY_REVISION=unknown
ARG PARITY_VERSION=0.1.0
LABEL org.opencontainers.image.title="parity-operational" \
      org.opencontainers.image.description="Parity robo-advisor: HTTP API, auth, ledger and decisions" \
      org.opencontainers.image.version="${PARITY_VERSION}" \
      org.opencontainers.image.revision="${PARITY_REVISION}" \
      org.opencontainers.image.licenses="MIT"
