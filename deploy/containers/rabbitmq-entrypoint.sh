#!/bin/sh
# Entrypoint of the local rabbitmq stand-in (rabbitmq.Dockerfile): the default user from the
# environment, reachable from other containers (not only loopback), then the broker in the foreground.
set -eu
umask 077
{
  printf 'loopback_users = none\n'
  printf 'listeners.tcp.default = 5672\n'
  printf 'management.tcp.port = 15672\n'
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    printf 'default_user = %s\n' "$RABBITMQ_DEFAULT_USER"
    printf 'default_pass = %s\n' "${RABBITMQ_DEFAULT_PASS:?RABBITMQ_DEFAULT_PASS must be set}"
  fi
} >"$RABBITMQ_CONFIG_FILE.conf"
if [ "${1:-}" = rabbitmq-server ]; then
  shift
  exec /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
