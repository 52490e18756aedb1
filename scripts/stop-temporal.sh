#!/usr/bin/env bash
# Stops the dev server that scripts/start-temporal.sh started (its pid file), gracefully.
set -euo pipefail
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && {
  echo "Usage: scripts/stop-temporal.sh   stops the dev server recorded in \$DATA_DIR/temporal/server.pid"
  echo "Example: DATA_DIR=/var/lib/vcp scripts/stop-temporal.sh"
  exit 0
}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pid_file="${DATA_DIR:-$here/../data}/temporal/server.pid"
[[ -f "$pid_file" ]] || { echo "stop-temporal: no pid file at $pid_file" >&2; exit 0; }
pid="$(cat "$pid_file")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
rm -f "$pid_file"
echo "stop-temporal: stopped pid $pid" >&2
