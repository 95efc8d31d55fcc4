#!/bin/sh
# parity-web's entrypoint: tells nginx which DNS server to ask for operational's address (nginx cannot
# read /etc/resolv.conf), where operational is and the page's Content-Security-Policy, then runs nginx. Because nginx.conf names the API
# through a variable, nginx resolves it per request (cached `valid` seconds) instead of once at start:
# it starts before the name resolves and follows operational to a new address when it is recreated.
# PARITY_API_UPSTREAM: host:port of operational's public port; the resolver does not apply resolv.conf's
# search domains, so outside compose give the fully qualified name (Kubernetes: <svc>.<ns>.svc.cluster.local).
set -eu
upstream="${PARITY_API_UPSTREAM:-operational:8081}"
case "$upstream" in
  *[!A-Za-z0-9.:_-]*) echo "parity-web: PARITY_API_UPSTREAM must be host:port, not '$upstream'" >&2; exit 2 ;;
esac
ns="$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)"
[ -n "$ns" ] || ns=127.0.0.11
case "$ns" in *:*) ns="[$ns]" ;; esac
# The SPA loads Stripe.js only when a publishable key is configured (GET /api/v1/config): then, as in
# operational's own policy, its script, frames and API are allowed, and nothing of Stripe otherwise.
script="'self' https://challenges.cloudflare.com"
frame="https://challenges.cloudflare.com"
connect="'self'"
if [ -n "${STRIPE_PUBLISHABLE_KEY:-}" ]; then
  script="$script https://js.stripe.com"
  frame="$frame https://js.stripe.com https://hooks.stripe.com"
  connect="$connect https://api.stripe.com"
fi
csp="default-src 'self'; script-src $script; frame-src $frame; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src $connect; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
cat >/tmp/nginx-upstream.conf <<CONF
resolver $ns valid=10s ipv6=off;
map \$host \$parity_operational { default "$upstream"; }
map \$host \$parity_csp { default "$csp"; }
CONF
exec nginx -g 'daemon off;' "$@"
