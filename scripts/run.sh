#!/usr/bin/env bash
# Sets up and builds what is missing, then runs the CLI: scripts/run.sh classify IMAGE...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh" >&2
bash "$root/scripts/build.sh" >&2
exec node "$root/web/cli.js" "$@"
