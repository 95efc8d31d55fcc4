# syntax=docker/dockerfile:1
# parity-decisional: the stateless worker (market data, HRP, forecasts, rebalance targets); probes and
# /metrics on 9090. Build from the repository root:
#   docker build -f deploy/docker/decisional.Dockerfile -t parity-decisional .

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
COPY CMakeLists.txt ./
COPY common/ common/
COPY decisional/ decisional/
COPY operational/ operational/
COPY cli/ cli/
COPY tests/CMakeLists.txt tests/
# `cmake --install` lays out bin/ and share/parity/ (component decisional: the binary and every file it reads);
# the binary finds share/parity beside its bin/, so the tree needs no path variables wherever it lands.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPARITY_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target parity-decisional \
 && DESTDIR=/out cmake --install build --prefix /usr --component decisional --strip

# --- runtime stage: shared libraries only -----------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl libcurl4 libjansson4 libmicrohttpd12 libpq5 librabbitmq4 libsodium23 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 parity \
 && useradd --system --uid 10001 --gid parity --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin parity
# /usr/bin/parity-decisional and the bundled price history (MARKET_SOURCE=bundled) in
# /usr/share/parity/data: no network needed.
COPY --from=build /out/usr/ /usr/
ENV METRICS_PORT=9090
USER 10001:10001
EXPOSE 9090
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${METRICS_PORT}/livez" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/parity-decisional"]
# Last, so a new commit changes only this layer: an ARG used before the apt-get layer would invalidate
# it (and everything after it) on every revision. `make images` also passes the revision as --label.
ARG PARITY_REVISION=unknown
ARG PARITY_VERSION=0.1.0
LABEL org.opencontainers.image.title="parity-decisional" \
      org.opencontainers.image.description="Parity robo-advisor: market data and portfolio math worker" \
      org.opencontainers.image.version="${PARITY_VERSION}" \
      org.opencontainers.image.revision="${PARITY_REVISION}" \
      org.opencontainers.image.licenses="MIT"
