//! The harness itself must be able to fail: a wait that cannot be met is reported with what it
//! waited for and evidence, and the app and its drivers are gone after a test.

use std::time::Duration;

use crate::app::{self, App, Artifacts, Prerequisites};

#[test]
fn a_wait_that_cannot_be_met_fails_naming_what_it_waited_for() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts =
        Artifacts::for_test("a_wait_that_cannot_be_met_fails_naming_what_it_waited_for");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("data");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    assert!(!desk.session().id.is_empty(), "a session has an id");

    let err = desk
        .try_wait_for(
            Duration::from_millis(600),
            "'no-such-testid' to be displayed",
            |s| App::displayed(s, &app::tid("no-such-testid")),
        )
        .expect_err("an element that does not exist must not be found");
    assert!(
        err.contains("no-such-testid"),
        "the message names what was awaited: {err}"
    );
    assert!(
        err.contains("timed out after 0.6s"),
        "the message gives the timeout: {err}"
    );
    let shot = err
        .split_whitespace()
        .find(|w| w.ends_with(".png"))
        .unwrap_or_else(|| panic!("the message points to a screenshot: {err}"));
    assert!(
        shot.ends_with("timeout-no-such-testid-to-be-displayed.png")
            && std::path::Path::new(shot).is_file(),
        "the screenshot of the failed wait is kept, named after it: {shot}"
    );

    desk.quit();
}

#[test]
fn dropping_the_app_after_a_panic_stops_the_driver_and_the_app() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts =
        Artifacts::for_test("dropping_the_app_after_a_panic_stops_the_driver_and_the_app");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("data");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    let pgid = desk.driver_pgid();
    assert!(
        !crate::webdriver::processes_in_group(pgid).is_empty(),
        "tauri-driver, WebKitWebDriver and the app run while the test runs"
    );
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _desk = desk;
        panic!("deliberate failure inside a test");
    }));
    assert!(outcome.is_err());
    let left = crate::webdriver::processes_in_group(pgid);
    assert!(
        left.is_empty(),
        "processes left after a panicking test: {left:?}"
    );
    let evidence: Vec<_> = artifacts
        .dir
        .read_dir()
        .expect("artifacts dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        evidence.iter().any(|n| n.ends_with("failure.png"))
            && evidence.iter().any(|n| n.ends_with("failure.html")),
        "a panicking test leaves a screenshot and the page source: {evidence:?}"
    );
}
