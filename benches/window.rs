//! Benchmark of the real Incident Desk window: what a user waits for, not what a query costs.
//!
//! ```text
//! xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
//!   cargo bench --workspace --bench window -- --db FILE [--app target/release/incident-desk]
//!     [--iters N] [--work-dir DIR] [--label TEXT] [--out FILE.md]
//! ```
//!
//! `--db` is a database made by the seeded generator (`cargo bench --bench incidents --
//! --sizes 1000000 --db-dir DIR` keeps `DIR/incidents-1000000-seed…sqlite3`); it is copied
//! into a fresh data folder once and the app is started on that copy through tauri-driver, the
//! same harness as the end-to-end tests (tests/e2e/app.rs, tests/e2e/webdriver.rs). It runs
//! only when asked for: `cargo test` never builds or runs it.
//!
//! For each action the app is started afresh (a new process: SQLite's page cache is empty, the
//! operating system's file cache is not), the first list is awaited, and the action is done
//! `--iters` times; the first, right after the first list while the start-up work (history
//! check, integrity check, backup verification) still runs, is the **cold** figure; the others,
//! once the app's process has gone idle, give the **warm** p50/p95:
//!
//! * **filter** — from the unfiltered open list, one filter set (status, priority, category,
//!   service, team, assignee in turn; "Clear filters" in between is not timed);
//! * **sort** — the sort order changed (priority → age → last update → …);
//! * **next page** — "Next ›";
//! * **open incident** — a click on a row until the detail shows that incident's number;
//! * **search** — text typed into the search box and Enter (a bare incident number or a word of
//!   the titles, in turn).
//!
//! Each time is measured inside the page, from the moment the action is dispatched to the
//! animation frame that paints the result: the list marks each render it shows with
//! `data-render-seq` / `data-rendered-at` (ui/js/screens/list.js); the detail is watched with
//! a MutationObserver for its number. The WebDriver round trips of the benchmark itself are not
//! in the figures. Figures of the reference machine: docs/benchmarks-window.md.

// The e2e harness, shared as is (linted as part of the e2e tests).
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../tests/e2e/app.rs"]
mod app;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../tests/e2e/dbus.rs"]
mod dbus;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../tests/e2e/webdriver.rs"]
mod webdriver;

use app::{App, Artifacts, Prerequisites};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Args {
    db: PathBuf,
    app: Option<PathBuf>,
    iters: usize,
    work_dir: PathBuf,
    label: String,
    out: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut db = None;
    let mut app = None;
    let mut iters = 40;
    let mut work_dir = std::env::temp_dir().join("incident-desk-window-bench");
    let mut label = String::from("release");
    let mut out = None;
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < raw.len() {
        let key = raw[i].as_str();
        let known = matches!(
            key,
            "--db" | "--app" | "--iters" | "--work-dir" | "--label" | "--out"
        );
        if !known {
            i += 1; // `--bench` from cargo: ignored
            continue;
        }
        i += 1;
        let value = raw
            .get(i)
            .cloned()
            .unwrap_or_else(|| panic!("{key} needs a value"));
        match key {
            "--db" => db = Some(PathBuf::from(value)),
            "--app" => app = Some(PathBuf::from(value)),
            "--iters" => {
                iters = value
                    .parse()
                    .unwrap_or_else(|_| panic!("--iters expects a number, got {value:?}"))
            }
            "--work-dir" => work_dir = PathBuf::from(value),
            "--label" => label = value,
            "--out" => out = Some(PathBuf::from(value)),
            _ => {}
        }
        i += 1;
    }
    let db = db.unwrap_or_else(|| {
        panic!(
            "--db FILE is required: a database of the seeded generator, e.g. made by \
             `cargo bench --bench incidents -- --sizes 1000000 --db-dir DIR`"
        )
    });
    assert!(
        iters >= 2,
        "--iters must be at least 2 (one cold, one warm)"
    );
    Args {
        db,
        app,
        iters,
        work_dir,
        label,
        out,
    }
}

/// What the list screen is, in the page: its marker of the last render shown.
const LIST: &str = "document.querySelector('[data-testid=\"list-screen\"]')";

/// Returns the page's time (ms) at which the render after `window.__bench` was painted, or null.
fn poll_list_script() -> String {
    format!(
        "const list = {LIST}; const b = window.__bench;
         if (!list || !b) return null;
         const seq = Number(list.getAttribute('data-render-seq') || 0);
         return seq > b.before ? Number(list.getAttribute('data-rendered-at')) - b.t0 : null;"
    )
}

/// Starts the clock and does one list action: arguments [kind, arg].
fn list_action_script() -> String {
    format!(
        "const [kind, arg] = arguments; const list = {LIST};
         const before = Number(list.getAttribute('data-render-seq') || 0);
         const el = (id) => document.querySelector(`[data-testid=\"${{id}}\"]`);
         window.__bench = {{ before, t0: performance.now() }};
         if (kind === 'select') {{
           const [id, value] = arg; const s = el(id); s.value = value;
           s.dispatchEvent(new Event('change', {{ bubbles: true }}));
         }} else if (kind === 'click') {{
           el(arg).click();
         }} else if (kind === 'search') {{
           const s = el('filter-text'); s.value = arg;
           s.dispatchEvent(new Event('input', {{ bubbles: true }}));
           s.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true }}));
         }}
         return before;"
    )
}

/// Opens the row with the given number and watches for its detail: arguments [number].
const OPEN_SCRIPT: &str = "const number = arguments[0];
  const b = window.__bench = { t0: 0, done: null };
  const check = () => {
    const el = document.querySelector('[data-testid=\"detail-number\"]');
    if (el && el.textContent.trim() === number) {
      obs.disconnect();
      requestAnimationFrame(() => { b.done = performance.now(); });
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, { childList: true, subtree: true, characterData: true });
  const row = document.querySelector(`[data-testid=\"incident-row\"][data-number=\"${number}\"]`);
  b.t0 = performance.now();
  row.click();
  return true;";

const POLL_OPEN: &str =
    "const b = window.__bench; return b && b.done !== null ? b.done - b.t0 : null;";

/// Polls `script` until it returns a number (milliseconds).
fn wait_ms(desk: &App, script: &str, args: Vec<Value>, what: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match desk.session().execute(script, args.clone()) {
            Ok(Value::Number(n)) => return n.as_f64().unwrap_or(f64::NAN),
            Ok(_) => {}
            Err(e) if e.is_fatal() => panic!("{what}: the app is gone: {e}"),
            Err(_) => {}
        }
        if Instant::now() > deadline {
            let shot = desk.shot(&format!("timeout {what}"));
            panic!(
                "{what}: no result within 120 s (screenshot {})",
                shot.display()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn run(desk: &App, script: &str, args: Vec<Value>) -> Value {
    desk.session()
        .execute(script, args)
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// The time of the first list render after the page started (performance.now() is counted
/// from navigation start).
fn first_list(desk: &App) -> f64 {
    wait_ms(
        desk,
        &format!(
            "const list = {LIST};
             return list && Number(list.getAttribute('data-render-seq') || 0) >= 1
               ? Number(list.getAttribute('data-rendered-at')) : null;"
        ),
        vec![],
        "the first list",
    )
}

/// A list action, timed in the page.
fn list_action(desk: &App, kind: &str, arg: Value) -> f64 {
    run(desk, &list_action_script(), vec![json!(kind), arg]);
    let ms = wait_ms(desk, &poll_list_script(), vec![], kind);
    // The list's own split of its last render: the core's answer, building rows, the frame.
    let split = run(
        desk,
        &format!(
            "const l = {LIST}; return ['data-fetch-ms', 'data-render-ms', 'data-frame-ms']
               .map((a) => Number(l.getAttribute(a)));"
        ),
        vec![],
    );
    if let Some(a) = split.as_array() {
        let v: Vec<f64> = a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect();
        SPLITS.with(|s| s.borrow_mut().push((v[0], v[1], v[2])));
    }
    ms
}

thread_local! {
    /// The list's split (answer, rows, frame) of every list action since the last take.
    static SPLITS: std::cell::RefCell<Vec<(f64, f64, f64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The values of a filter select (without its "Any" entry).
fn options(desk: &App, testid: &str) -> Vec<String> {
    let v = run(
        desk,
        "return [...document.querySelector(`[data-testid=\"${arguments[0]}\"]`).options]
           .map((o) => o.value).filter((v) => v !== '');",
        vec![json!(testid)],
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn row_numbers(desk: &App) -> Vec<String> {
    let v = run(
        desk,
        "return [...document.querySelectorAll('[data-testid=\"incident-row\"]')]
           .map((r) => r.getAttribute('data-number'));",
        vec![],
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The unfiltered open list, back from wherever the last action left it (not timed).
fn clear_filters(desk: &App) {
    let clear_is_on = run(
        desk,
        "return !document.querySelector('[data-testid=\"filter-clear\"]').disabled;",
        vec![],
    );
    if clear_is_on == json!(true) {
        list_action(desk, "click", json!("filter-clear"));
    }
}

struct Figures {
    action: &'static str,
    cold: f64,
    warm: Vec<f64>,
}

/// Where the time of a filter change goes: the same query through the core in this process
/// (no window), through the window's bridge without rendering (`invoke` round trip), and the
/// whole action until the page is painted.
#[derive(Default)]
struct Breakdown {
    core: Vec<f64>,
    round_trip: Vec<f64>,
    painted: Vec<f64>,
}

const ROUND_TRIP: &str = "const [q] = arguments;
  const t = window.__TAURI_INTERNALS__;
  const b = window.__rt = { t0: performance.now(), done: null };
  t.invoke('list_incidents', { input: q }).then(
    () => { b.done = performance.now(); },
    (e) => { b.done = -1; b.err = String(e && e.message || e); });
  return true;";
const POLL_ROUND_TRIP: &str =
    "const b = window.__rt; return b && b.done !== null ? b.done - b.t0 : null;";

/// The IncidentQuery the list sends for one filter set on the open list (ui/js/screens/list.js
/// toQuery).
fn filter_query(testid: &str, value: &str) -> Value {
    let mut q = json!({ "sort": "priority", "offset": 0, "limit": 50, "state": "open" });
    let key = match testid {
        "filter-status" => "status",
        "filter-priority" => "priority",
        "filter-category" => "category_id",
        "filter-service" => "service_id",
        "filter-team" => "team_id",
        "filter-assignee" => "assignee_id",
        other => panic!("no query key for {other}"),
    };
    q[key] = match value.parse::<i64>() {
        Ok(n) if key.ends_with("_id") => json!(n),
        _ => json!(value),
    };
    q
}

fn core_ms(conn: &rusqlite::Connection, q: &Value) -> f64 {
    let query: incident_desk::domain::model::IncidentQuery =
        serde_json::from_value(q.clone()).expect("an IncidentQuery");
    let t = Instant::now();
    incident_desk::store::incidents::list(conn, &query).expect("the core lists");
    t.elapsed().as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn p50_p95(v: &[f64]) -> String {
    let mut w = v.to_vec();
    w.sort_by(f64::total_cmp);
    format!("{:.1} / {:.1}", percentile(&w, 50.0), percentile(&w, 95.0))
}

const ACTIONS: [&str; 5] = ["filter", "sort", "next page", "open incident", "search"];

fn measure(
    desk: &App,
    action: &str,
    iters: usize,
    incidents: i64,
    db: &std::path::Path,
    breakdown: &mut Breakdown,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(iters);
    match action {
        "filter" => {
            let filters = [
                "filter-status",
                "filter-priority",
                "filter-category",
                "filter-service",
                "filter-team",
                "filter-assignee",
            ];
            let values: Vec<Vec<String>> = filters.iter().map(|f| options(desk, f)).collect();
            for i in 0..iters {
                clear_filters(desk);
                let f = i % filters.len();
                let vs = &values[f];
                assert!(!vs.is_empty(), "{} offers no values", filters[f]);
                let v = &vs[(i / filters.len()) % vs.len()];
                out.push(list_action(desk, "select", json!([filters[f], v])));
            }
            // The same filters again, split up (after the timed runs, so those stay as a user
            // meets them): the core alone, then the bridge's round trip, then the whole action.
            let conn = rusqlite::Connection::open_with_flags(
                db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open the data copy read-only");
            for i in 0..iters {
                let f = i % filters.len();
                let vs = &values[f];
                let v = &vs[(i / filters.len()) % vs.len()];
                let q = filter_query(filters[f], v);
                clear_filters(desk);
                breakdown.core.push(core_ms(&conn, &q));
                run(desk, ROUND_TRIP, vec![q]);
                breakdown
                    .round_trip
                    .push(wait_ms(desk, POLL_ROUND_TRIP, vec![], "round trip"));
                breakdown
                    .painted
                    .push(list_action(desk, "select", json!([filters[f], v])));
            }
        }
        "sort" => {
            let sorts = ["age", "last_update", "priority"];
            for i in 0..iters {
                out.push(list_action(
                    desk,
                    "select",
                    json!(["sort", sorts[i % sorts.len()]]),
                ));
            }
        }
        "next page" => {
            for _ in 0..iters {
                out.push(list_action(desk, "click", json!("page-next")));
            }
        }
        "open incident" => {
            for i in 0..iters {
                let numbers = row_numbers(desk);
                assert!(!numbers.is_empty(), "the list shows no rows to open");
                let number = &numbers[(i * 7) % numbers.len()];
                run(desk, OPEN_SCRIPT, vec![json!(number)]);
                out.push(wait_ms(desk, POLL_OPEN, vec![], "open incident"));
                desk.click("nav-incidents");
                first_list(desk);
            }
        }
        "search" => {
            let words = [
                "vpn", "printer", "checkout", "payroll", "phishing", "mailbox",
            ];
            // Spread over the whole desk, deterministic.
            let mut n: i64 = 12;
            for i in 0..iters {
                let text = if i % 2 == 0 {
                    n = (n * 7919 + 104_729) % incidents.max(1) + 1;
                    n.to_string()
                } else {
                    words[(i / 2) % words.len()].to_string()
                };
                out.push(list_action(desk, "search", json!(text)));
            }
        }
        other => panic!("unknown action {other}"),
    }
    out
}

/// The pid of the app started on `data_dir` (its command line names the folder).
fn app_pid(data_dir: &std::path::Path) -> Option<u32> {
    let needle = data_dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
        let cmd = String::from_utf8_lossy(&cmd);
        let mut args = cmd.split('\0');
        let program = args.next()?;
        (program.ends_with("/incident-desk") && args.any(|a| a.contains(&needle))).then_some(pid)
    })
}

/// CPU time (user + system, in clock ticks) the process has used so far.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// Waits until the app's own process has been idle (under 5 % of a core) for three seconds in
/// a row: its start-up work is done. Seconds waited; gives up after ten minutes.
fn wait_until_idle(data_dir: &std::path::Path) -> f64 {
    let started = Instant::now();
    let Some(pid) = app_pid(data_dir) else {
        eprintln!("the app's process was not found: warm runs start at once");
        return 0.0;
    };
    let mut quiet = 0;
    let mut last = cpu_ticks(pid).unwrap_or(0);
    while quiet < 3 && started.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_secs(1));
        let now = cpu_ticks(pid).unwrap_or(last);
        // 100 ticks a second on Linux: 5 ticks is 5 % of a core.
        quiet = if now.saturating_sub(last) < 5 {
            quiet + 1
        } else {
            0
        };
        last = now;
    }
    started.elapsed().as_secs_f64()
}

fn main() {
    let args = parse_args();
    if let Some(app) = &args.app {
        std::env::set_var("INCIDENT_DESK_E2E_APP", app);
    } else if std::env::var_os("INCIDENT_DESK_E2E_APP").is_none() {
        let release =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/incident-desk");
        std::env::set_var("INCIDENT_DESK_E2E_APP", release);
    }
    let pre = Prerequisites::check();
    let incidents: i64 = {
        let c = rusqlite::Connection::open_with_flags(
            &args.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", args.db.display()));
        c.query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get(0))
            .expect("count incidents")
    };
    let data_dir = args.work_dir.join("data");
    let _ = std::fs::remove_dir_all(&args.work_dir);
    std::fs::create_dir_all(&data_dir).expect("create the data folder");
    let started = Instant::now();
    std::fs::copy(&args.db, data_dir.join(incident_desk::desk::DATABASE_FILE))
        .unwrap_or_else(|e| panic!("cannot copy {}: {e}", args.db.display()));
    // A desk in use has read its alerts: any the generator left unread are marked read, so
    // the bell's count is not what the figures measure.
    {
        let c = rusqlite::Connection::open(data_dir.join(incident_desk::desk::DATABASE_FILE))
            .expect("open the data copy");
        let read = c
            .execute(
                "UPDATE alerts SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE read_at IS NULL",
                [],
            )
            .expect("mark the generated alerts read");
        eprintln!("marked {read} generated alerts read");
    }
    eprintln!(
        "copied {} ({incidents} incidents) in {:.1} s; app {}",
        args.db.display(),
        started.elapsed().as_secs_f64(),
        pre.app.display()
    );

    let artifacts = Artifacts::for_test("window-bench");
    // One start before measuring: an older file is migrated (and backed up) on its first open,
    // which is not what the figures are about.
    {
        let desk = App::launch(&pre, &data_dir, &artifacts, "warm-up");
        let first = first_list(&desk);
        eprintln!("warm-up start: first list after {first:.0} ms");
        desk.quit();
    }
    let mut figures = Vec::new();
    let mut startups = Vec::new();
    let mut settle_times = Vec::new();
    let mut breakdown = Breakdown::default();
    let mut splits = Vec::new();
    for action in ACTIONS {
        let launched = Instant::now();
        let desk = App::launch(&pre, &data_dir, &artifacts, &action.replace(' ', "-"));
        let in_page = first_list(&desk);
        startups.push((in_page, launched.elapsed().as_secs_f64() * 1000.0));
        let file = data_dir.join(incident_desk::desk::DATABASE_FILE);
        // Cold: the first action right after the first list, while the start-up work (history
        // check, integrity check, backup verification) still runs beside it.
        let mut times = measure(&desk, action, 1, incidents, &file, &mut breakdown);
        // Warm: once that work is done, as a user who has the desk open meets it.
        let settled = wait_until_idle(&data_dir);
        settle_times.push(settled);
        eprintln!("{action}: start-up work done {settled:.1} s after the cold action");
        times.extend(measure(
            &desk,
            action,
            args.iters - 1,
            incidents,
            &file,
            &mut breakdown,
        ));
        let split = SPLITS.with(|s| std::mem::take(&mut *s.borrow_mut()));
        splits.push((action, split));
        desk.shot(&format!("after {action}"));
        eprintln!("{action}: {times:.1?}");
        desk.quit();
        figures.push(Figures {
            action,
            cold: times[0],
            warm: times[1..].to_vec(),
        });
    }

    let mut md = String::new();
    md.push_str(&format!(
        "### {} build, {incidents} incidents, {} warm runs per action\n\n",
        args.label,
        args.iters - 1
    ));
    md.push_str("| action | cold (first after start) | warm p50 | warm p95 | warm max |\n");
    md.push_str("|---|---:|---:|---:|---:|\n");
    for f in &figures {
        let mut w = f.warm.clone();
        w.sort_by(f64::total_cmp);
        md.push_str(&format!(
            "| {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |\n",
            f.action,
            f.cold,
            percentile(&w, 50.0),
            percentile(&w, 95.0),
            w.last().copied().unwrap_or(f64::NAN)
        ));
    }
    let mut s: Vec<f64> = startups.iter().map(|(p, _)| *p).collect();
    s.sort_by(f64::total_cmp);
    md.push_str(&format!(
        "\nFirst list after start (page load to the painted list, {} starts): median {:.0} ms, \
         max {:.0} ms; from launching the process through tauri-driver: median {:.0} ms.\n",
        s.len(),
        percentile(&s, 50.0),
        s.last().copied().unwrap_or(f64::NAN),
        {
            let mut l: Vec<f64> = startups.iter().map(|(_, l)| *l).collect();
            l.sort_by(f64::total_cmp);
            percentile(&l, 50.0)
        }
    ));
    let mut st = settle_times.clone();
    st.sort_by(f64::total_cmp);
    md.push_str(&format!(
        "\nThe start-up work (the app process busy) ended {:.0} s (median; max {:.0} s) after \
         the cold action; the warm runs start after it.\n",
        percentile(&st, 50.0),
        st.last().copied().unwrap_or(f64::NAN)
    ));
    md.push_str(&format!(
        "\nWhere a warm filter change goes ({} runs, p50 / p95): the query in the core {} ms; \
         the round trip through the window's bridge (query + serialising + IPC) {} ms; \
         the whole action until painted {} ms.\n",
        breakdown.core.len(),
        p50_p95(&breakdown.core),
        p50_p95(&breakdown.round_trip),
        p50_p95(&breakdown.painted),
    ));
    md.push_str(
        "\nThe list's own split of each render (all runs of the action, p50 / p95): the core's \
         answer as the page waits for it (query + bridge), building and patching the rows, \
         waiting for the frame that paints them:\n\n\
         | action | answer | rows | frame |\n|---|---:|---:|---:|\n",
    );
    for (action, split) in &splits {
        if split.is_empty() {
            continue;
        }
        let col =
            |f: fn(&(f64, f64, f64)) -> f64| p50_p95(&split.iter().map(f).collect::<Vec<_>>());
        md.push_str(&format!(
            "| {action} | {} ms | {} ms | {} ms |\n",
            col(|s| s.0),
            col(|s| s.1),
            col(|s| s.2)
        ));
    }
    println!("{md}");
    if let Some(out) = &args.out {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
        writeln!(f, "{md}").expect("write the figures");
    }
}
