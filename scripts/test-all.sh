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

STAGE=""
STAGE_START=$SECONDS
TIMINGS=()

finish_stage() {
    if [ -n "$STAGE" ]; then
        TIMINGS+=("$(printf '%-62s %5ss' "$STAGE" $((SECONDS - STAGE_START)))")
    fi
}

on_exit() {
    local status=$?
    if [ $status -ne 0 ]; then
        echo
        echo "test-all: FAILED at stage: $STAGE (exit $status)" >&2
    fi
    finish_stage
    echo
    echo "test-all stage timings:"
    for line in "${TIMINGS[@]}"; do echo "  $line"; done
}
trap on_exit EXIT

banner() {
    finish_stage
    STAGE="$1"
    STAGE_START=$SECONDS
    echo
    echo "==> $STAGE"
}

banner "checking prerequisites"
missing=()
# dbus-monitor, dbus-send, dbus-daemon and dunst: the desktop-notification tests (tests/e2e/
# notifications.rs, sla.rs) watch the session bus and need a notification server.
for tool in cargo xvfb-run xauth dbus-run-session dbus-monitor dbus-send dbus-daemon dunst \
    WebKitWebDriver tauri-driver kill xdotool; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "missing: ${missing[*]}" >&2
    echo "install the Debian packages listed in .ci/run (xvfb xauth dbus dunst webkit2gtk-driver procps …)" >&2
    echo "and tauri-driver with: cargo install tauri-driver --locked" >&2
    exit 1
fi
# A clean build with its test binaries takes a few GB; a full disk shows up as a linker crash
# (signal 7), so say how much room there is before and after the build.
df -h . | tail -1 | awk '{print "free disk: " $4 " of " $2}'

# The lint gate: formatting, and clippy with warnings as errors (the crates themselves deny
# unwrap/expect/panic outside tests, so this also refuses a new unwrap in app code).
banner "lint: cargo fmt --all --check; cargo clippy --workspace --all-targets -- -D warnings"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

banner "cargo build --workspace --all-targets (+ the e2e test binary)"
cargo build --workspace --all-targets
# The e2e target is `test = false` in Cargo.toml (plain `cargo test` skips it), so
# --all-targets does not build it: build it here so a compile error counts as a build failure.
# --workspace keeps the feature resolution of the build above (no dependency rebuild).
cargo test --workspace --test e2e --no-run
du -sh target 2>/dev/null | awk '{print "target/: " $1}'
df -h . | tail -1 | awk '{print "free disk: " $4 " of " $2}'

banner "cargo test --workspace (unit, integration and shell tests)"
cargo test --workspace

# Under a virtual display and a private session bus (the app's single-instance lock and
# notifications use D-Bus; dunst is D-Bus-activated on it and needs the display); one test at a
# time (one display, one bus). This binary also holds the D-Bus notification tests, which
# plain `cargo test --workspace` could not run (no session bus there).
banner "end-to-end tests (xvfb-run + dbus-run-session + tauri-driver)"
xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- \
    cargo test --workspace --test e2e -- --test-threads=1

finish_stage
STAGE=""
echo
echo "test-all: all stages passed"
