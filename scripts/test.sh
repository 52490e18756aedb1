#!/usr/bin/env bash
# The README's second command: installs everything the tests need, then runs the type check, the
# linter, the unit tests, the Prometheus rule tests and the integration tests against real
# services (the Temporal dev server, PostgreSQL, Prometheus, local SMTP/HTTP receivers).
set -euo pipefail
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && {
  echo "Usage: bash scripts/test.sh [unit|integration|reliability|all]   (default all)"
  echo "  Needs root for apt-get on a fresh machine (scripts/setup.sh --system) and PostgreSQL on 127.0.0.1:5432"
  echo "  (TEST_DATABASE_ADMIN_URL overrides the admin connection; each test file creates and drops its own database)."
  echo "Examples:"
  echo "  bash scripts/test.sh"
  echo "  bash scripts/test.sh unit"
  exit 0
}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
target="${1:-all}"
"$here/setup.sh" --system

step() { printf '\n== %s\n' "$*"; }

if [[ "$target" == "all" || "$target" == "unit" ]]; then
  step "type check"; npx tsc --noEmit -p tsconfig.json
  step "lint"; npx eslint .
  step "format"; npx prettier --check . >/dev/null || { npx prettier --list-different .; exit 1; }
  step "unit tests"; npx vitest run --project unit
  if [[ -x scripts/check-prometheus.sh ]]; then step "prometheus rules"; bash scripts/check-prometheus.sh; fi
fi
if [[ "$target" == "all" || "$target" == "integration" ]]; then
  step "integration tests"; npx vitest run --project integration
fi
if [[ "$target" == "all" || "$target" == "reliability" ]]; then
  if compgen -G "test/reliability/*.test.ts" >/dev/null; then
    step "reliability suite"; npx vitest run --project reliability
  fi
fi
step "all passed"
