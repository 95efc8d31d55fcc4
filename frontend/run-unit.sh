#!/usr/bin/env bash
# The SPA's own checks without any server: npm ci when needed, the type check and production build
# (`npm run build`), ESLint (`npm run lint`), then the component tests (Vitest in jsdom).
# Usage: run-unit.sh   (skips, exit 0, when Node is missing or older than Vite needs)
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
spa_node_ok || exit 0
spa_build
cd "$here"
npm run --silent lint </dev/null
npm test --silent </dev/null
