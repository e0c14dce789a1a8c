#!/usr/bin/env bash
# Build and start Incident Desk. Arguments go to the app, e.g.
#   scripts/run.sh --data-dir /tmp/desk
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The binary lives in the shell package (src-tauri); the workspace default member is the core.
exec cargo run -p incident-desk-app --bin incident-desk -- "$@"
