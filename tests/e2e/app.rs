//! The Incident Desk window as a test sees it: start the real binary through tauri-driver on a
//! data folder, act on elements by their `data-testid`, wait for what a user would see, and
//! keep screenshots of each step in `target/e2e-artifacts/<test>/`.
//!
//! Nothing here skips: a missing prerequisite (display, session bus, tauri-driver,
//! WebKitWebDriver, the built app) fails the test and says how to provide it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::webdriver::{DriverSetup, Element, Session, TauriDriver, WdResult};

/// How long a wait lasts before the test fails. `INCIDENT_DESK_E2E_TIMEOUT_SECS` overrides it.
/// The session-bus name of the app's single-instance lock (tauri-plugin-single-instance:
/// the bundle identifier + ".SingleInstance", maybe with a version suffix).
const SINGLE_INSTANCE_NAME: &str = "org.incidentdesk.app.SingleInstance";

pub fn default_timeout() -> Duration {
    let secs = env::var("INCIDENT_DESK_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

/// `[data-testid="…"]`
pub fn tid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// The end-to-end tests share one display, one session bus and the app's single-instance lock:
/// they run one at a time even if `--test-threads=1` was forgotten.
pub fn serialize() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Everything the tests need from the machine, checked up front with instructions on failure.
pub struct Prerequisites {
    pub app: PathBuf,
    pub tauri_driver: PathBuf,
    pub native_driver: PathBuf,
}

impl Prerequisites {
    pub fn check() -> Prerequisites {
        let mut problems = Vec::new();

        if env::var_os("DISPLAY").map_or(true, |d| d.is_empty()) {
            problems.push(
                "DISPLAY is not set: run under a virtual display, e.g. \
                 `xvfb-run -a dbus-run-session -- cargo test --workspace --test e2e -- --test-threads=1` \
                 (Debian package xvfb), or use scripts/test-all.sh"
                    .to_string(),
            );
        }
        if env::var_os("DBUS_SESSION_BUS_ADDRESS").map_or(true, |d| d.is_empty()) {
            problems.push(
                "DBUS_SESSION_BUS_ADDRESS is not set: run under a private session bus, e.g. \
                 `dbus-run-session -- …` (Debian package dbus), so the app's single-instance \
                 lock and notifications do not touch (or autolaunch) a desktop session bus"
                    .to_string(),
            );
        }

        let tauri_driver = env::var_os("TAURI_DRIVER")
            .map(PathBuf::from)
            .or_else(|| find_in_path("tauri-driver"))
            .or_else(|| {
                let p = PathBuf::from(env::var_os("HOME")?).join(".cargo/bin/tauri-driver");
                p.is_file().then_some(p)
            });
        let tauri_driver = match tauri_driver {
            Some(p) if p.is_file() => p,
            Some(p) => {
                problems.push(format!(
                    "TAURI_DRIVER points to {}, which does not exist",
                    p.display()
                ));
                p
            }
            None => {
                problems.push(
                    "tauri-driver not found in PATH or ~/.cargo/bin: install it with \
                     `cargo install tauri-driver --locked`"
                        .to_string(),
                );
                PathBuf::new()
            }
        };

        let native_driver = match find_in_path("WebKitWebDriver") {
            Some(p) => p,
            None => {
                problems.push(
                    "WebKitWebDriver not found in PATH: install the Debian package \
                     webkit2gtk-driver (`apt-get install webkit2gtk-driver`)"
                        .to_string(),
                );
                PathBuf::new()
            }
        };

        let app = env::var_os("INCIDENT_DESK_E2E_APP")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("debug").join("incident-desk"));
        if !app.is_file() {
            problems.push(format!(
                "the app binary {} does not exist: build it first with \
                 `cargo build --workspace` (scripts/test-all.sh does)",
                app.display()
            ));
        } else if env::var_os("INCIDENT_DESK_E2E_APP").is_none() {
            if let Some(newer) = newer_source_than(&app) {
                problems.push(format!(
                    "the app binary {} is older than {}: it would test stale code; rebuild \
                     with `cargo build --workspace` (scripts/test-all.sh does)",
                    app.display(),
                    newer.display()
                ));
            }
        }

        if !problems.is_empty() {
            panic!(
                "the end-to-end tests cannot run on this machine:\n  - {}",
                problems.join("\n  - ")
            );
        }
        Prerequisites {
            app,
            tauri_driver,
            native_driver,
        }
    }
}

/// A source file of the app modified after the binary was built, if any: the files cargo
/// recorded in the binary's dep-info (`incident-desk.d`: core, shell, embedded UI) plus every
/// file under ui/ (a new UI file is not in the dep-info yet).
fn newer_source_than(binary: &Path) -> Option<PathBuf> {
    let built = fs::metadata(binary).and_then(|m| m.modified()).ok()?;
    let root = workspace_root();
    let target = target_dir();
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut consider = |p: PathBuf| {
        if let Ok(t) = fs::metadata(&p).and_then(|m| m.modified()) {
            if t > built && newest.as_ref().map_or(true, |(n, _)| t > *n) {
                newest = Some((t, p));
            }
        }
    };
    let dep_info = fs::read_to_string(binary.with_extension("d")).unwrap_or_default();
    let deps = dep_info.split_once(": ").map_or("", |(_, deps)| deps);
    for dep in split_dep_info(deps) {
        let p = PathBuf::from(dep);
        if p.starts_with(&root) && !p.starts_with(&target) && p.is_file() {
            consider(p);
        }
    }
    walk(&root.join("ui"), &mut consider);
    newest.map(|(_, p)| p)
}

/// Paths of a make-style dependency list: separated by spaces, a space in a path is `\ `.
fn split_dep_info(deps: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = deps.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some(' ')) => {
                cur.push(' ');
                chars.next();
            }
            ' ' | '\n' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn walk(dir: &Path, f: &mut impl FnMut(PathBuf)) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            walk(&p, f);
        } else {
            f(p);
        }
    }
}

/// Screenshots and logs of one test, numbered by step.
#[derive(Clone)]
pub struct Artifacts {
    pub dir: PathBuf,
    counter: Arc<AtomicU32>,
}

impl Artifacts {
    /// `target/e2e-artifacts/<test>/`, emptied first.
    pub fn for_test(test: &str) -> Artifacts {
        let dir = target_dir().join("e2e-artifacts").join(test);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Artifacts {
            dir,
            counter: Arc::new(AtomicU32::new(0)),
        }
    }

    /// A fresh numbered file name for a step: `03-logged.png`.
    pub fn step_path(&self, step: &str, ext: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let mut slug = String::new();
        for c in step.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        self.dir.join(format!("{n:02}-{slug}.{ext}"))
    }
}

/// One running app window (tauri-driver + WebKitWebDriver + incident-desk) and its session.
///
/// Field order matters: the session is deleted (app quits) before the driver group is stopped.
pub struct App {
    session: Session,
    driver: TauriDriver,
    pub artifacts: Artifacts,
    pub data_dir: PathBuf,
    pub timeout: Duration,
    app_path: PathBuf,
}

impl App {
    /// Start the app on `data_dir` (passed as `--data-dir` and as `INCIDENT_DESK_DATA_DIR`).
    pub fn launch(pre: &Prerequisites, data_dir: &Path, artifacts: &Artifacts, label: &str) -> App {
        let log_path = artifacts.dir.join(format!("{label}-driver.log"));
        // Keep the app away from the user's real folders even if it ignored --data-dir:
        // everything XDG points into the test's own data folder's sibling.
        let xdg = data_dir.with_file_name(format!(
            "{}-xdg",
            data_dir
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("data")
        ));
        let mut env_vars = vec![
            (
                "INCIDENT_DESK_DATA_DIR".to_string(),
                data_dir.display().to_string(),
            ),
            // No accessibility bus: it would be D-Bus-activated and outlive the test.
            ("NO_AT_BRIDGE".to_string(), "1".to_string()),
        ];
        for (var, sub) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
        ] {
            let dir = xdg.join(sub);
            fs::create_dir_all(&dir).expect("create XDG folder");
            env_vars.push((var.to_string(), dir.display().to_string()));
        }
        // The single-instance lock is a name on the session bus: a previous test's app that is
        // still shutting down (slow on a loaded machine) would make this one hand over and exit.
        let held = |names: Vec<String>| names.iter().any(|n| n.starts_with(SINGLE_INSTANCE_NAME));
        if crate::dbus::poll(Duration::from_secs(30), || {
            (!held(crate::dbus::bus_names())).then_some(())
        })
        .is_none()
        {
            eprintln!(
                "warning: {SINGLE_INSTANCE_NAME} is still owned after 30 s; launching anyway"
            );
        }
        let mut driver = TauriDriver::start(&DriverSetup {
            tauri_driver: &pre.tauri_driver,
            native_driver: &pre.native_driver,
            log_path: &log_path,
            env: env_vars,
        });
        let args = vec!["--data-dir".to_string(), data_dir.display().to_string()];
        let session = match Session::new(&driver.base_url(), &pre.app, &args) {
            Ok(s) => s,
            Err(e) => {
                let tail = driver.log_tail();
                driver.stop();
                panic!(
                    "could not start {} through tauri-driver: {e}\n(if another Incident Desk runs \
                     on this session bus, its single-instance lock stops this one: use \
                     dbus-run-session)\ndriver log {}:\n{tail}",
                    pre.app.display(),
                    log_path.display()
                );
            }
        };
        let app = App {
            session,
            driver,
            artifacts: artifacts.clone(),
            data_dir: data_dir.to_path_buf(),
            timeout: default_timeout(),
            app_path: pre.app.clone(),
        };
        app.wait_for("the page to load (a body with content)", |s| {
            let body = s.find("body")?;
            Ok((!s.text(&body)?.trim().is_empty()).then_some(()))
        });
        app
    }

    /// The process group of tauri-driver, WebKitWebDriver and the app.
    pub fn driver_pgid(&self) -> u32 {
        self.driver.pgid()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Save a screenshot named after the step; returns its path.
    pub fn shot(&self, step: &str) -> PathBuf {
        let path = self.artifacts.step_path(step, "png");
        match self.session.screenshot() {
            Ok(png) => fs::write(&path, png)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display())),
            Err(e) => panic!("screenshot for step '{step}' failed: {e}"),
        }
        path
    }

    /// Poll `probe` until it yields a value; on timeout, fail with what was awaited, the last
    /// thing seen, and a screenshot and page source of that moment.
    pub fn wait_for<T>(&self, what: &str, probe: impl FnMut(&Session) -> WdResult<Option<T>>) -> T {
        self.wait_for_within(self.timeout, what, probe)
    }

    pub fn wait_for_within<T>(
        &self,
        timeout: Duration,
        what: &str,
        probe: impl FnMut(&Session) -> WdResult<Option<T>>,
    ) -> T {
        match self.try_wait_for(timeout, what, probe) {
            Ok(v) => v,
            Err(message) => panic!("{message}"),
        }
    }

    /// Like `wait_for`, but returns the failure message instead of panicking.
    pub fn try_wait_for<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut probe: impl FnMut(&Session) -> WdResult<Option<T>>,
    ) -> Result<T, String> {
        let start = Instant::now();
        let mut last: String;
        loop {
            match probe(&self.session) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => last = "condition not met".to_string(),
                Err(e) if e.is_fatal() => {
                    return Err(format!(
                        "while waiting for {what}: the app session is gone ({e}); driver log:\n{}",
                        self.driver.log_tail()
                    ));
                }
                Err(e) => last = e.to_string(),
            }
            if start.elapsed() >= timeout {
                let evidence = self.save_evidence(&format!("timeout {what}"));
                return Err(format!(
                    "timed out after {:.1}s waiting for {what} (last: {last}); {evidence}",
                    timeout.as_secs_f64()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Screenshot and page source of the current state, for failure messages.
    fn save_evidence(&self, step: &str) -> String {
        let png = self.artifacts.step_path(step, "png");
        let html = png.with_extension("html");
        let shot = self.session.screenshot().map(|b| fs::write(&png, b));
        let src = self.session.source().map(|s| fs::write(&html, s));
        match (shot, src) {
            (Ok(Ok(())), Ok(Ok(()))) => {
                format!(
                    "screenshot {} and page source {}",
                    png.display(),
                    html.display()
                )
            }
            _ => "no screenshot could be taken".to_string(),
        }
    }

    /// The first displayed element matching `css`, if any.
    pub fn displayed(s: &Session, css: &str) -> WdResult<Option<Element>> {
        for el in s.find_all(css)? {
            if s.is_rendered(&el)? {
                return Ok(Some(el));
            }
        }
        Ok(None)
    }

    /// Wait until an element with this test id is displayed; returns it.
    pub fn visible(&self, testid: &str) -> Element {
        self.visible_css(&tid(testid), &format!("'{testid}' to be displayed"))
    }

    pub fn visible_css(&self, css: &str, what: &str) -> Element {
        self.wait_for(what, |s| App::displayed(s, css))
    }

    /// Whether an element with this test id is displayed right now (no waiting).
    pub fn is_visible(&self, testid: &str) -> bool {
        matches!(App::displayed(&self.session, &tid(testid)), Ok(Some(_)))
    }

    /// Wait until no element with this test id is displayed.
    pub fn gone(&self, testid: &str) {
        self.wait_for(&format!("'{testid}' to disappear"), |s| {
            Ok(App::displayed(s, &tid(testid))?.is_none().then_some(()))
        });
    }

    /// Click the displayed, enabled element with this test id (retrying while the UI re-renders).
    pub fn click(&self, testid: &str) {
        self.click_css(&tid(testid), &format!("'{testid}' to be clickable"));
    }

    pub fn click_css(&self, css: &str, what: &str) {
        self.wait_for(what, |s| {
            let Some(el) = App::displayed(s, css)? else {
                return Ok(None);
            };
            if !s.is_enabled(&el)? {
                return Ok(None);
            }
            s.click(&el)?;
            Ok(Some(()))
        });
    }

    /// Replace the text of an input or textarea, and check that it holds exactly that text.
    pub fn fill(&self, testid: &str, text: &str) {
        self.wait_for(&format!("'{testid}' to accept the text {text:?}"), |s| {
            let Some(el) = App::displayed(s, &tid(testid))? else {
                return Ok(None);
            };
            s.clear(&el)?;
            if !text.is_empty() {
                s.send_keys(&el, text)?;
            }
            Ok((s.property(&el, "value")? == text).then_some(()))
        });
    }

    /// Choose an option of a `<select>` by clicking it: `choice` matches the option's value
    /// exactly, or else its label (case-insensitive, contained). Returns the option's label.
    pub fn select(&self, testid: &str, choice: &str) -> String {
        let css = tid(testid);
        let mut seen = Vec::new();
        let picked = self.try_wait_for(
            self.timeout,
            &format!("'{testid}' to offer {choice:?}"),
            |s| {
                let Some(select) = App::displayed(s, &css)? else {
                    return Ok(None);
                };
                let options = s.find_all(&format!("{css} option"))?;
                let mut by_label = None;
                let mut by_value = None;
                seen.clear();
                for opt in &options {
                    let value = s.property(opt, "value")?;
                    let label = s.property(opt, "textContent")?.trim().to_string();
                    if value == choice && by_value.is_none() {
                        by_value = Some((opt.clone(), value.clone(), label.clone()));
                    }
                    if by_label.is_none()
                        && !choice.is_empty()
                        && label.to_lowercase().contains(&choice.to_lowercase())
                    {
                        by_label = Some((opt.clone(), value.clone(), label.clone()));
                    }
                    seen.push(format!("{value:?}={label:?}"));
                }
                let Some((opt, value, label)) = by_value.or(by_label) else {
                    return Ok(None);
                };
                s.click(&opt)?;
                Ok((s.property(&select, "value")? == value).then_some(label))
            },
        );
        match picked {
            Ok(label) => label,
            Err(msg) => panic!("{msg}; options were: [{}]", seen.join(", ")),
        }
    }

    /// The visible text of the element with this test id (waits for it to be displayed).
    pub fn text(&self, testid: &str) -> String {
        self.text_css(&tid(testid), &format!("'{testid}' to be displayed"))
    }

    pub fn text_css(&self, css: &str, what: &str) -> String {
        self.wait_for(what, |s| {
            let Some(el) = App::displayed(s, css)? else {
                return Ok(None);
            };
            Ok(Some(s.text(&el)?))
        })
    }

    /// Wait until the element with this test id shows text containing `needle`
    /// (case-insensitive); returns the whole text.
    pub fn wait_text(&self, testid: &str, needle: &str) -> String {
        self.wait_text_css(
            &tid(testid),
            needle,
            &format!("'{testid}' to show {needle:?}"),
        )
    }

    pub fn wait_text_css(&self, css: &str, needle: &str, what: &str) -> String {
        let mut last = String::new();
        let result = self.try_wait_for(self.timeout, what, |s| {
            let Some(el) = App::displayed(s, css)? else {
                return Ok(None);
            };
            last = s.text(&el)?;
            Ok(last
                .to_lowercase()
                .contains(&needle.to_lowercase())
                .then(|| last.clone()))
        });
        match result {
            Ok(text) => text,
            Err(msg) => panic!("{msg}; its text was {last:?}"),
        }
    }

    /// How many elements match `css` right now, displayed or not.
    pub fn count_css(&self, css: &str) -> usize {
        self.wait_for(&format!("a count of {css}"), |s| {
            Ok(Some(s.find_all(css)?.len()))
        })
    }

    /// Scroll the element with this test id to the top of the window (for a screenshot).
    pub fn scroll_to(&self, testid: &str) {
        let css = tid(testid);
        self.wait_for(&format!("'{testid}' to scroll into view"), |s| {
            let Some(el) = App::displayed(s, &css)? else {
                return Ok(None);
            };
            s.execute(
                "arguments[0].scrollIntoView({block: 'start'}); return true;",
                vec![el.to_json()],
            )?;
            Ok(Some(()))
        });
    }

    /// First run: answer the welcome screen with the operator's name and wait for the desk.
    pub fn start_as(&self, name: &str) {
        self.visible("welcome");
        self.fill("welcome-name", name);
        self.click("welcome-start");
        self.gone("welcome");
        self.wait_text("operator-name", name);
    }

    /// Settings › Services on a desk without services: add one the way a new user would (the
    /// form for a new service is open beside the list; "Add service" makes sure of it).
    pub fn add_first_service(&self, name: &str) {
        self.click("settings-add");
        self.fill("service-name", name);
        self.click("settings-save");
        self.wait_text_css(
            &format!("{} {}", tid("settings-list"), tid("settings-row")),
            name,
            &format!("the service {name:?} in the settings list"),
        );
    }

    /// Delete the session, which quits the app, and check that the app process really exits.
    pub fn quit(mut self) {
        self.session
            .delete()
            .unwrap_or_else(|e| panic!("deleting the session failed: {e}"));
        let app_name = self.app_path.display().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let still: Vec<_> = self
                .driver
                .live_processes()
                .into_iter()
                .filter(|(_, cmd)| cmd.starts_with(&app_name))
                .collect();
            if still.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                panic!("the app did not quit within 10 s of deleting the session: {still:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.driver.stop();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let evidence = self.save_evidence("failure");
            eprintln!(
                "e2e failure evidence: {evidence}; data folder {}; driver log {}",
                self.data_dir.display(),
                self.driver.log_path.display()
            );
        }
        // then `session` drops (DELETE, app quits) and `driver` drops (process group stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::split_dep_info;

    #[test]
    fn dep_info_paths_are_split_on_unescaped_spaces() {
        assert_eq!(
            split_dep_info("/a/b.rs /c/with\\ space.js\n/d.css "),
            vec!["/a/b.rs", "/c/with space.js", "/d.css"]
        );
        assert!(split_dep_info("").is_empty());
    }
}
