# syntax=docker/dockerfile:1
# parity-cli: the `parity` tool. Runs the one-shot migration step (`parity migrate`) in compose and as
# the operational Pods' init container, and the operator commands (load-prices, hrp, audit, ...).
# Build from the repository root: docker build -f deploy/docker/cli.Dockerfile -t parity-cli .

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
COPY migrations/ migrations/
# `cmake --install` lays out bin/ and share/parity/ (component cli: the binary and every file it reads);
# the binary finds share/parity beside its bin/, so the tree needs no path variables wherever it lands.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPARITY_BUILD_TESTS=OFF \
      -DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed \
 && cmake --build build -j"$(nproc)" --target parity \
 && DESTDIR=/out cmake --install build --prefix /usr --component cli --strip

# --- runtime stage: shared libraries only -----------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libjansson4 libpq5 libsodium23 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 parity \
 && useradd --system --uid 10001 --gid parity --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin parity
# /usr/bin/parity, /usr/share/parity/migrations (`parity migrate`) and /usr/share/parity/data.
COPY --from=build /out/usr/ /usr/
USER 10001:10001
# A one-shot tool has no running state to probe; its exit status is its health.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/bin/parity"]
CMD ["--help"]
# Last, so a new commit changes only this layer: an ARG used before the apt-get layer would invalidate
# it (and everything after it) on every revision. `make images` also passes the revision as --label.
ARG PARITY_REVISION=unknown
ARG PARITY_VERSION=0.1.0
LABEL org.opencontainers.image.title="parity-cli" \
      org.opencontainers.image.description="Parity robo-advisor: operator tool (migrate, load-prices, audit)" \
      org.opencontainers.image.version="${PARITY_VERSION}" \
      org.opencontainers.image.revision="${PARITY_REVISION}" \
      org.opencontainers.image.licenses="MIT"
