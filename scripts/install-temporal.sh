#!/usr/bin/env bash
# Builds the real Temporal CLI (dev server + Web UI) once into a cache outside the repo and
# reuses it. v1.5.1 is pinned: later releases carry a `replace` directive in go.mod, which
# `go install pkg@version` refuses. Prints the binary's path as the last line.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/install-temporal.sh [--help]
  Builds github.com/temporalio/cli v1.5.1 with `go install` into
  $TEMPORAL_CLI_CACHE (default ~/.cache/vcp-monitor/temporal-v1.5.1) unless it is already there,
  and prints the path of the `temporal` binary.
Examples:
  scripts/install-temporal.sh
  TEMPORAL_CLI_CACHE=/opt/temporal scripts/install-temporal.sh
USAGE
}
[[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && { usage; exit 0; }

version=v1.5.1
cache="${TEMPORAL_CLI_CACHE:-$HOME/.cache/vcp-monitor/temporal-$version}"
bin="$cache/temporal"

if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "install-temporal: Go is required to build the Temporal CLI (go not on PATH)" >&2; exit 1; }
mkdir -p "$cache"
echo "install-temporal: building temporal CLI $version into $cache (several minutes, once)" >&2
GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
"$bin" --version >&2
echo "$bin"
