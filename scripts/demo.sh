#!/usr/bin/env bash
# The README's first command: installs what is missing, starts the Temporal dev server, and runs
# the daily pipeline over the bundled synthetic period (scripts/demo.ts; its --help lists options).
set -euo pipefail
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && {
  echo "Usage: bash scripts/demo.sh [--days N] [--verbose]"
  echo "  Installs npm packages and the Temporal CLI if missing, starts the dev server (scripts/start-temporal.sh),"
  echo "  then runs scripts/demo.ts: generate data, load it, build baselines, run every trading day through Temporal."
  echo "  DATABASE_URL and TEMPORAL_ADDRESS point it elsewhere; without them it embeds PGlite and a local dev server."
  echo "Examples:"
  echo "  bash scripts/demo.sh"
  echo "  bash scripts/demo.sh --days 30 --verbose"
  exit 0
}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
"$here/setup.sh"
if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then
  "$here/start-temporal.sh"
fi
exec npx tsx scripts/demo.ts "$@"
