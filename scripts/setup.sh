#!/usr/bin/env bash
# Installs what vcp-monitor needs on a fresh machine, reusing whatever is already there:
# npm packages (npm ci), the Temporal CLI (built once into a cache), and with --system the Debian
# packages the tests use (Prometheus, promtool, Alertmanager, Chromium, Debian's scipy for benchmarks).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/setup.sh [--system] [--help]
  npm ci when node_modules is missing or older than package-lock.json; the Temporal CLI v1.5.1
  into ~/.cache/vcp-monitor (scripts/install-temporal.sh).
  --system  also apt-get install prometheus prometheus-alertmanager chromium python3-scipy when
            missing (needs root), and start the local PostgreSQL cluster if it is down.
Examples:
  scripts/setup.sh
  sudo scripts/setup.sh --system
USAGE
}
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && { usage; exit 0; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

if [[ "${1:-}" == "--system" ]]; then
  missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
  command -v chromium >/dev/null || missing+=(chromium)
  /usr/bin/python3 -c 'import scipy' 2>/dev/null || missing+=(python3-scipy)
  if ((${#missing[@]} > 0)); then
    echo "setup: apt-get install ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "setup: PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >&2 || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

"$here/install-temporal.sh" >/dev/null
