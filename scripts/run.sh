#!/usr/bin/env bash
# Build and start Incident Desk. Arguments go to the app, e.g.
#   scripts/run.sh --data-dir /tmp/desk
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Both packages are default members, so this resolves features exactly as the workspace build
# and the tests do: no second build of the dependencies.
exec cargo run --bin incident-desk -- "$@"
