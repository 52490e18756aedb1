#!/usr/bin/env bash
# Starts the Temporal dev server in the background (history in a SQLite file under the data
# directory, so it survives a restart) and waits until it answers. Reuses a running one.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/start-temporal.sh [--help]
  Starts `temporal server start-dev` on 127.0.0.1 (gRPC $TEMPORAL_PORT, default 7233; Web UI
  $TEMPORAL_UI_PORT, default 8233) with --db-filename $DATA_DIR/temporal/temporal.db, writes its
  pid to $DATA_DIR/temporal/server.pid and its log to $DATA_DIR/temporal/server.log, then waits
  until the server answers a health check. Does nothing if a server already answers there.
Examples:
  scripts/start-temporal.sh
  DATA_DIR=/var/lib/vcp TEMPORAL_PORT=7244 TEMPORAL_UI_PORT=8244 scripts/start-temporal.sh
  scripts/stop-temporal.sh        # stops the one started here
USAGE
}
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && { usage; exit 0; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data_dir="${DATA_DIR:-$here/../data}"
port="${TEMPORAL_PORT:-7233}"
ui_port="${TEMPORAL_UI_PORT:-8233}"
bin="$("$here/install-temporal.sh" | tail -n 1)"
dir="$data_dir/temporal"
mkdir -p "$dir"

healthy() { "$bin" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1; }

if healthy; then
  echo "start-temporal: a Temporal server already answers on 127.0.0.1:$port" >&2
  exit 0
fi

nohup "$bin" server start-dev \
  --ip 127.0.0.1 --port "$port" --ui-port "$ui_port" \
  --db-filename "$dir/temporal.db" --namespace default \
  --log-level warn >>"$dir/server.log" 2>&1 &
echo $! >"$dir/server.pid"

for _ in $(seq 1 120); do
  if healthy; then
    echo "start-temporal: dev server up: gRPC 127.0.0.1:$port, Web UI http://127.0.0.1:$ui_port (pid $(cat "$dir/server.pid"))" >&2
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
    echo "start-temporal: the dev server exited; last lines of $dir/server.log:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "start-temporal: no answer from 127.0.0.1:$port after 60 s; see $dir/server.log" >&2
exit 1
