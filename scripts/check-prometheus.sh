#!/usr/bin/env bash
# Validates the monitoring configuration: Prometheus config and rules, the promtool unit tests of every alert,
# and the Alertmanager config. Exits non-zero on the first failure.
#   bash scripts/check-prometheus.sh
set -euo pipefail
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  echo "Usage: bash scripts/check-prometheus.sh"
  echo "  promtool check config, promtool check rules, promtool test rules (every alert, firing and not),"
  echo "  and the Alertmanager config (amtool check-config, else a short start of Alertmanager)."
  echo "  PROMTOOL, AMTOOL, ALERTMANAGER override the binaries (default /usr/bin/...)."
  exit 0
fi
cd "$(dirname "$0")/.."

PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
AMTOOL=${AMTOOL:-/usr/bin/amtool}
ALERTMANAGER=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}

if [[ ! -x "$PROMTOOL" ]]; then
  echo "promtool not found at $PROMTOOL (apt-get install prometheus, or set PROMTOOL)" >&2
  exit 2
fi

echo '== promtool check config prometheus/prometheus.yml'
"$PROMTOOL" check config prometheus/prometheus.yml

echo '== promtool check rules prometheus/rules/*.rules.yml'
"$PROMTOOL" check rules prometheus/rules/*.rules.yml

echo '== promtool test rules prometheus/tests/*.test.yml'
"$PROMTOOL" test rules prometheus/tests/*.test.yml

echo '== alertmanager config alertmanager/alertmanager.yml'
if [[ -x "$AMTOOL" ]]; then
  "$AMTOOL" check-config alertmanager/alertmanager.yml
elif [[ -x "$ALERTMANAGER" ]]; then
  # No amtool: start Alertmanager on a free port for a moment and require that it loads the config and serves.
  tmp=$(mktemp -d)
  port=$(( 20000 + RANDOM % 20000 ))
  "$ALERTMANAGER" --config.file=alertmanager/alertmanager.yml --storage.path="$tmp" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$tmp/log" 2>&1 &
  pid=$!
  ok=0
  for _ in $(seq 1 50); do
    if curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then ok=1; break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ $ok -ne 1 ]]; then
    echo "alertmanager did not load alertmanager/alertmanager.yml:" >&2
    cat "$tmp/log" >&2
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$tmp"
  echo 'SUCCESS: alertmanager started with the config and answered /-/ready'
else
  echo "neither amtool nor prometheus-alertmanager found; cannot check alertmanager/alertmanager.yml" >&2
  exit 2
fi

echo 'all monitoring configuration checks passed'
