#!/usr/bin/env bash
# Sets up and builds what is missing, then
#   scripts/run.sh serve              serves the demo page, as `npm start` does (PORT, HOST)
#   scripts/run.sh classify IMAGE...  runs the command line (any of its commands)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh" >&2
bash "$root/scripts/build.sh" >&2
if [[ "${1:-}" == serve ]]; then
  shift
  exec node "$root/scripts/serve.js" "$@"
fi
exec node "$root/web/cli.js" "$@"
