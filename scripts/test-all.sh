#!/usr/bin/env bash
# The one command that tests everything: build once, run the unit, integration and shell tests,
# then the end-to-end tests that drive the real window through WebDriver under a virtual
# display (Xvfb) and a private D-Bus session bus.
#
# Needs the Debian packages listed in .ci/run and `cargo install tauri-driver --locked`.
# Screenshots of the end-to-end steps: target/e2e-artifacts/<test>/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

STAGE="checking prerequisites"
trap 'status=$?; if [ $status -ne 0 ]; then echo; echo "test-all: FAILED at stage: $STAGE (exit $status)" >&2; fi' EXIT

banner() {
    STAGE="$1"
    echo
    echo "==> $STAGE"
}

banner "checking prerequisites"
missing=()
for tool in cargo xvfb-run xauth dbus-run-session WebKitWebDriver tauri-driver kill; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "missing: ${missing[*]}" >&2
    echo "install the Debian packages listed in .ci/run (xvfb xauth dbus webkit2gtk-driver procps …)" >&2
    echo "and tauri-driver with: cargo install tauri-driver --locked" >&2
    exit 1
fi

banner "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

banner "cargo test --workspace (unit, integration and shell tests)"
cargo test --workspace

# The e2e target is `test = false` in Cargo.toml, so it runs only when named. --workspace keeps
# the same feature resolution as the build above (no dependency rebuild).
banner "end-to-end tests (xvfb-run + dbus-run-session + tauri-driver)"
xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- \
    cargo test --workspace --test e2e -- --test-threads=1

STAGE="done"
echo
echo "test-all: all stages passed"
