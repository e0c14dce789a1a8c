//! Benchmark of the Incident Desk core on a file database at 100,000 and 1,000,000 incidents.
//!
//! ```text
//! cargo bench -p incident-desk --bench incidents -- [--sizes 100000,1000000] [--db-dir DIR]
//!     [--seed N] [--list-iters N] [--detail-iters N] [--create-iters N] [--chunk N]
//!     [--qpsg] [--cache-mb N] [--now now|RFC3339]
//! ```
//!
//! What each figure means, the figures of the reference machine and the verdicts on the
//! issue's targets are in docs/benchmarks.md.
//!
//! For each size it generates a file database with `demo::seed_incidents` (the demo-data
//! generator: every incident with the history real use would have recorded, written through
//! `actions::incidents`) in transactions of `--chunk` incidents, then measures, with a seeded RNG so runs are
//! comparable:
//!
//! * **list page** — `desk.list` (state "open", one filter rotating over category, service,
//!   team and assignee, sorted by priority then age, 50 rows) against the very same two
//!   statements (`COUNT(*)` capped at `COUNT_CAP` + page `SELECT` with its joins and SLA columns) run through a
//!   separate `rusqlite::Connection` on the same file;
//! * **detail** — `desk.get(id)` for random ids, against its row and timeline statements run
//!   directly (the core's detail also computes the SLA panel and the major-incident state);
//! * **creates** — `desk.log` (one durable `BEGIN IMMEDIATE` transaction each: row, events, FTS
//!   row, SLA deadlines, and the detail it returns) against two bare durable INSERTs on a
//!   separate connection to the same file with the same pragmas (WAL, synchronous=FULL), one
//!   transaction each: the INSERT of the same incident row into `incidents` (the statement of
//!   `store::incidents::insert`, written out; the target's baseline, so the ratio is the core's
//!   overhead over the row it stores) and, for reference, the INSERT of a three-column scratch
//!   row (the floor of a durable commit on this disk). The three are interleaved, each going
//!   first in turn, so all see the same WAL state.
//!
//! With `--db-dir DIR` the generated database is kept as
//! `DIR/incidents-<size>-seed<seed>-<hash>.sqlite3`, where the hash covers the generator, the
//! actions and the migrations, and is reused by later runs of the same code; each run measures
//! on a fresh copy (`DIR/run-<size>.sqlite3`) so the creates of one run never leak into the
//! next. Without it everything lives in a temporary directory that is removed at the end.
//!
//! `--qpsg` and `--cache-mb N` are experiments, not the shipped configuration: they turn on
//! SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) and set the page
//! cache to N MiB (`PRAGMA cache_size`) on the desk's connection and the plain ones alike, to
//! measure the changes recommended in docs/benchmarks.md.
//!
//! Unknown arguments (cargo passes `--bench`) are ignored.

use incident_desk::demo::{self, Catalog, Rng};
use incident_desk::domain::model::{IncidentQuery, NewIncident, SortOrder};
use incident_desk::store::incidents::{COUNT_CAP, SLA_COLUMNS};
use incident_desk::{Clock, Desk, FixedClock};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bare INSERT of an incident row: the statement of `store::incidents::insert`, written
/// out like the list's plain SQL.
const BARE_INCIDENT_INSERT: &str = "INSERT INTO incidents (id, number, title, description,
    category_id, service_id, reporter_name, reporter_contact, channel, started_at, logged_at,
    impact, urgency, priority, computed_priority, priority_override_reason, status, assignee_id,
    team_id, escalation_level, workaround, acknowledged_at, resolved_at, resolution_code,
    resolution_notes, verified_at, verified_by, verification_method, verification_notes,
    closed_at, closed_by, closure_notes, reopen_count, created_by, updated_at, updated_by,
    version, paused_since, pause_reason, detected_at, workaround_at, users_affected)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
    ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37,
    ?38, ?39, ?40, ?41, ?42)";

/// The instant the generated data ends at (and the creates start from), unless `--now` says
/// otherwise.
const NOW: &str = "2026-03-02T12:00:00Z";
/// `--now`: a desk that ends today, for the window benchmark (benches/window.rs), whose app runs
/// on the real clock: with the fixed NOW every open incident's deadlines would be months overdue
/// and the app's first minutes would go to raising them.
static NOW_OVERRIDE: std::sync::OnceLock<chrono::DateTime<chrono::Utc>> =
    std::sync::OnceLock::new();
/// What the generated data depends on: a kept file is reused only by the same code.
fn data_key() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    let mut eat = |s: &str| {
        for b in s.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(include_str!("../src/demo.rs"));
    eat(include_str!("../src/actions/incidents.rs"));
    for m in incident_desk::store::migrations::MIGRATIONS {
        eat(m);
    }
    if let Some(t) = NOW_OVERRIDE.get() {
        eat(&t.to_rfc3339());
    }
    format!("{:08x}", h as u32)
}

struct Args {
    sizes: Vec<usize>,
    db_dir: Option<PathBuf>,
    seed: u64,
    list_iters: usize,
    detail_iters: usize,
    create_iters: usize,
    chunk: usize,
    exp: Experiments,
}

/// Connection settings the core does not make (yet), applied from outside to measure them.
#[derive(Clone, Copy, Default)]
struct Experiments {
    qpsg: bool,
    cache_mb: Option<i64>,
}

impl Experiments {
    fn any(&self) -> bool {
        self.qpsg || self.cache_mb.is_some()
    }

    fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        if self.qpsg {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        }
        if let Some(mb) = self.cache_mb {
            conn.pragma_update(None, "cache_size", -1024 * mb)?;
        }
        Ok(())
    }

    /// Applies them to the desk's own connection, through the transaction `read` hands out.
    fn apply_to(&self, desk: &Desk) {
        if self.any() {
            desk.db()
                .read(|tx| Ok(self.apply(tx)?))
                .expect("apply experiments");
        }
    }

    fn describe(&self) -> String {
        let mut v = Vec::new();
        if self.qpsg {
            v.push("SQLITE_DBCONFIG_ENABLE_QPSG on".to_string());
        }
        if let Some(mb) = self.cache_mb {
            v.push(format!("cache_size {mb} MiB"));
        }
        v.join(", ")
    }
}

fn parse_args() -> Args {
    let mut a = Args {
        sizes: vec![100_000, 1_000_000],
        db_dir: None,
        seed: 20260302,
        list_iters: 10_000,
        detail_iters: 2_000,
        create_iters: 2_000,
        chunk: 20_000,
        exp: Experiments::default(),
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == "--qpsg" {
            a.exp.qpsg = true;
            i += 1;
            continue;
        }
        let (key, inline) = match raw[i].split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (raw[i].clone(), None),
        };
        let known = matches!(
            key.as_str(),
            "--sizes"
                | "--db-dir"
                | "--seed"
                | "--list-iters"
                | "--detail-iters"
                | "--create-iters"
                | "--chunk"
                | "--cache-mb"
                | "--now"
        );
        if !known {
            i += 1; // `--bench` from cargo, or anything else: ignored.
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                raw.get(i)
                    .cloned()
                    .unwrap_or_else(|| panic!("{key} needs a value"))
            }
        };
        let num = |v: &str| -> usize {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{key} expects a number, got {v:?}"))
        };
        match key.as_str() {
            "--sizes" => {
                a.sizes = value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(num)
                    .collect()
            }
            "--db-dir" => a.db_dir = Some(PathBuf::from(value)),
            "--seed" => a.seed = num(&value) as u64,
            "--list-iters" => a.list_iters = num(&value),
            "--detail-iters" => a.detail_iters = num(&value),
            "--create-iters" => a.create_iters = num(&value),
            "--chunk" => a.chunk = num(&value).max(1),
            "--cache-mb" => a.exp.cache_mb = Some(num(&value) as i64),
            "--now" => {
                let t = if value == "now" {
                    chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap()
                } else {
                    chrono::DateTime::parse_from_rfc3339(&value)
                        .unwrap_or_else(|e| {
                            panic!("--now expects now or RFC 3339, got {value:?}: {e}")
                        })
                        .with_timezone(&chrono::Utc)
                };
                NOW_OVERRIDE.set(t).expect("--now given once");
            }
            _ => unreachable!(),
        }
        i += 1;
    }
    a
}

fn now() -> chrono::DateTime<chrono::Utc> {
    if let Some(t) = NOW_OVERRIDE.get() {
        return *t;
    }
    chrono::DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Incidents are spread at about 1,000 a day, so both sizes have a similar recent backlog.
fn spread_days(size: usize) -> i64 {
    (size as i64 / 1_000).max(30)
}

// ---------------------------------------------------------------- statistics

struct Stats {
    n: usize,
    total: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(samples: &[Duration]) -> Stats {
        let mut s = samples.to_vec();
        s.sort();
        let n = s.len();
        let rank = |p: f64| s[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        Stats {
            n,
            total: s.iter().sum(),
            p50: rank(0.50),
            p99: rank(0.99),
            max: s[n - 1],
        }
    }

    fn per_second(&self) -> f64 {
        self.n as f64 / self.total.as_secs_f64()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn say(s: impl AsRef<str>) {
    println!("{}", s.as_ref());
    let _ = std::io::stdout().flush();
}

// ---------------------------------------------------------------- generation

struct Generated {
    path: PathBuf,
    catalog: Catalog,
    seconds: f64,
    reused: bool,
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn marker(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.complete", path.display()))
}

/// Generates `size` incidents into `path` (or reuses a complete earlier file).
fn generate(path: &Path, size: usize, seed: u64, chunk: usize, exp: Experiments) -> Generated {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(now()));
    if marker(path).exists() && path.exists() {
        let seconds = std::fs::read_to_string(marker(path))
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        let desk = Desk::open(path, clock).expect("open kept database");
        let catalog = desk
            .db()
            .read(|tx| catalog_of(tx))
            .expect("read catalog of kept database");
        return Generated {
            path: path.to_path_buf(),
            catalog,
            seconds,
            reused: true,
        };
    }
    remove_db(path);
    let _ = std::fs::remove_file(marker(path));
    let desk = Desk::open(path, clock).expect("open new database");
    exp.apply_to(&desk);
    let start = Instant::now();
    let catalog = desk
        .db()
        .write(|tx| demo::seed_catalog(tx))
        .expect("seed catalog");
    let mut rng = Rng::new(seed);
    let (now, spread) = (now(), spread_days(size));
    let mut done = 0;
    let mut last = Instant::now();
    while done < size {
        let end = (done + chunk).min(size);
        desk.db()
            .write(|tx| demo::seed_incidents(tx, &catalog, &mut rng, done..end, size, now, spread))
            .expect("seed incidents");
        let dt = last.elapsed().as_secs_f64();
        last = Instant::now();
        done = end;
        say(format!(
            "  generated {done:>9} / {size}  ({:>7.0} incidents/s in this chunk, {:.1} s so far)",
            (chunk.min(size)) as f64 / dt,
            start.elapsed().as_secs_f64()
        ));
    }
    let seconds = start.elapsed().as_secs_f64();
    // Fold the WAL into the main file so a copy of the main file is the whole database.
    drop(desk);
    let c = Connection::open(path).expect("reopen");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    drop(c);
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .expect("sync generated file");
    std::fs::write(marker(path), format!("{seconds}\n")).expect("write marker");
    Generated {
        path: path.to_path_buf(),
        catalog,
        seconds,
        reused: false,
    }
}

/// The ids `seed_catalog` made, read back from a kept file.
fn catalog_of(conn: &Connection) -> incident_desk::Result<Catalog> {
    let ids = |sql: &str| -> incident_desk::Result<Vec<i64>> {
        let mut st = conn.prepare(sql)?;
        let v = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(v)
    };
    let mut st = conn.prepare("SELECT id, name FROM people ORDER BY id")?;
    let people = st
        .query_map([], |r| {
            Ok(incident_desk::store::events::Actor {
                id: Some(r.get(0)?),
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut st = conn.prepare("SELECT id, name FROM categories ORDER BY id")?;
    let categories = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Catalog {
        people,
        teams: ids("SELECT id FROM teams ORDER BY id")?,
        services: ids("SELECT id FROM services ORDER BY id")?,
        categories,
        managers: Vec::new(),
    })
}

// ---------------------------------------------------------------- the plain side

/// A filter kind of the list: the column the core filters on and the partial index it uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Filter {
    Category,
    Service,
    Team,
    Assignee,
}

impl Filter {
    const ALL: [Filter; 4] = [
        Filter::Category,
        Filter::Service,
        Filter::Team,
        Filter::Assignee,
    ];

    fn column(self) -> &'static str {
        match self {
            Filter::Category => "category_id",
            Filter::Service => "service_id",
            Filter::Team => "team_id",
            Filter::Assignee => "assignee_id",
        }
    }

    fn query(self, value: i64) -> IncidentQuery {
        let mut q = IncidentQuery {
            state: Some("open".into()),
            sort: SortOrder::Priority,
            limit: Some(50),
            ..Default::default()
        };
        match self {
            Filter::Category => q.category_id = Some(value),
            Filter::Service => q.service_id = Some(value),
            Filter::Team => q.team_id = Some(value),
            Filter::Assignee => q.assignee_id = Some(value),
        }
        q
    }

    /// The two statements `store::incidents::list` builds for this query, written out (the SLA
    /// columns of each row are the core's own constant, so both sides always compute the same).
    fn sql(self) -> (String, String) {
        let col = self.column();
        // Capped like the core's count ("10,000+"): the figure compares the same work.
        let count = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM incidents i WHERE i.status <> 'closed' AND i.{col} = ?1 LIMIT ?2)"
        );
        let page = format!(
            "SELECT i.id, i.number, i.title, i.priority, i.status, c.name, s.name, p.name, t.name,
                    i.logged_at, i.updated_at, {SLA_COLUMNS}
             FROM incidents i
             JOIN categories c ON c.id = i.category_id
             JOIN services s ON s.id = i.service_id
             LEFT JOIN people p ON p.id = i.assignee_id
             LEFT JOIN teams t ON t.id = i.team_id WHERE i.status <> 'closed' AND i.{col} = ?1
             ORDER BY i.priority, i.logged_at, i.id LIMIT ?2 OFFSET ?3"
        );
        (count, page)
    }
}

/// A row as the plain side reads it: the same column values, copied out, not parsed.
#[allow(dead_code)]
struct PlainRow {
    id: i64,
    number: String,
    title: String,
    priority: String,
    status: String,
    category: String,
    service: String,
    assignee: Option<String>,
    team: Option<String>,
    logged_at: String,
    updated_at: String,
    sla: [rusqlite::types::Value; 5],
}

fn plain_list(
    conn: &Connection,
    count_sql: &str,
    page_sql: &str,
    value: i64,
) -> (i64, Vec<PlainRow>) {
    let total: i64 = conn
        .prepare_cached(count_sql)
        .unwrap()
        .query_row(rusqlite::params![value, COUNT_CAP + 1], |r| {
            r.get::<_, i64>(0).map(|n| n.min(COUNT_CAP))
        })
        .unwrap();
    let mut st = conn.prepare_cached(page_sql).unwrap();
    let mut rows = st.query(rusqlite::params![value, 50i64, 0i64]).unwrap();
    let mut out = Vec::with_capacity(50);
    while let Some(r) = rows.next().unwrap() {
        out.push(PlainRow {
            id: r.get(0).unwrap(),
            number: r.get(1).unwrap(),
            title: r.get(2).unwrap(),
            priority: r.get(3).unwrap(),
            status: r.get(4).unwrap(),
            category: r.get(5).unwrap(),
            service: r.get(6).unwrap(),
            assignee: r.get(7).unwrap(),
            team: r.get(8).unwrap(),
            logged_at: r.get(9).unwrap(),
            updated_at: r.get(10).unwrap(),
            sla: [
                r.get(11).unwrap(),
                r.get(12).unwrap(),
                r.get(13).unwrap(),
                r.get(14).unwrap(),
                r.get(15).unwrap(),
            ],
        });
    }
    (total, out)
}

/// The page statement alone (no COUNT), for information.
fn plain_page_only(conn: &Connection, page_sql: &str, value: i64) -> usize {
    let mut st = conn.prepare_cached(page_sql).unwrap();
    let mut rows = st.query(rusqlite::params![value, 50i64, 0i64]).unwrap();
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        let _: String = r.get(1).unwrap();
        n += 1;
    }
    n
}

const DETAIL_ROW: &str = "SELECT i.id, i.number, i.title, i.description, i.category_id, c.name,
    i.service_id, s.name, i.reporter_name, i.reporter_contact, i.channel, i.started_at,
    i.logged_at, i.impact, i.urgency, i.priority, i.computed_priority, i.priority_override_reason,
    i.status, i.assignee_id, p.name, i.team_id, t.name, i.escalation_level, i.workaround,
    i.acknowledged_at, i.resolved_at, i.resolution_code, i.resolution_notes, i.verified_at,
    i.verified_by, i.verification_method, i.verification_notes, i.closed_at, i.closed_by,
    i.closure_notes, i.reopen_count, i.created_by, i.updated_at, i.updated_by, i.version,
    i.paused_since, i.pause_reason, COALESCE(i.detected_at, i.logged_at), i.workaround_at,
    i.users_affected
  FROM incidents i
  JOIN categories c ON c.id = i.category_id
  JOIN services s ON s.id = i.service_id
  LEFT JOIN people p ON p.id = i.assignee_id
  LEFT JOIN teams t ON t.id = i.team_id WHERE i.id = ?1";
const DETAIL_EVENTS: &str =
    "SELECT id, incident_id, at, actor, kind, field, old_value, new_value, detail
         FROM events WHERE incident_id = ?1 ORDER BY at, id";

/// Row + timeline, the two statements of `store::incidents::get` and `store::events::
/// for_incident`, column values copied out, not parsed. (The core's detail also computes the SLA
/// panel, the major-incident record and criteria and the review status; the plain side does not.)
fn plain_detail(conn: &Connection, id: i64) -> usize {
    let mut st = conn.prepare_cached(DETAIL_ROW).unwrap();
    let columns = st.column_count();
    let mut rows = st.query([id]).unwrap();
    let r = rows.next().unwrap().expect("incident exists");
    let mut cells: Vec<rusqlite::types::Value> = Vec::with_capacity(columns + 100);
    for i in 0..columns {
        cells.push(r.get(i).unwrap());
    }
    drop(rows);
    let mut st = conn.prepare_cached(DETAIL_EVENTS).unwrap();
    let mut rows = st.query([id]).unwrap();
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        for i in 0..9 {
            cells.push(r.get(i).unwrap());
        }
        n += 1;
    }
    n
}

fn plain_connection(path: &Path) -> Connection {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open plain connection");
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    // The same pragmas as store::Db::prepare.
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    c.set_prepared_statement_cache_capacity(64);
    c
}

fn plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let n = st.parameter_count();
    let params: Vec<i64> = vec![1; n];
    st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(3)?,
        ))
    })
    .unwrap()
    .map(|r| {
        let (id, parent, detail) = r.unwrap();
        format!("{id:>3} {parent:>3}  {detail}")
    })
    .collect()
}

// ---------------------------------------------------------------- one size

struct Line {
    what: String,
    core: Stats,
    plain: Option<Stats>,
}

fn row(l: &Line) -> String {
    match &l.plain {
        Some(p) => format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2}× | {:.2}× |",
            l.what,
            ms(l.core.p50),
            ms(l.core.p99),
            ms(l.core.max),
            ms(p.p50),
            ms(p.p99),
            ms(p.max),
            l.core.p50.as_secs_f64() / p.p50.as_secs_f64(),
            l.core.p99.as_secs_f64() / p.p99.as_secs_f64(),
        ),
        None => format!(
            "| {} | {} | {} | {} | – | – | – | – | – |",
            l.what,
            ms(l.core.p50),
            ms(l.core.p99),
            ms(l.core.max)
        ),
    }
}

fn bench_size(args: &Args, dir: &Path, keep: bool, size: usize) {
    say(format!("\n## {size} incidents\n"));
    let gen_path = dir.join(format!(
        "incidents-{size}-seed{}-{}.sqlite3",
        args.seed,
        data_key()
    ));
    let g = generate(&gen_path, size, args.seed, args.chunk, args.exp);
    let path = if keep {
        let run = dir.join(format!("run-{size}.sqlite3"));
        remove_db(&run);
        // Copied and flushed before measuring, so the copy's write-back does not land on the
        // fsyncs of the create measurement.
        let (_, copy) = timed(|| {
            std::fs::copy(&g.path, &run).expect("copy generated database");
            std::fs::File::open(&run)
                .and_then(|f| f.sync_all())
                .expect("sync copy");
        });
        // Read once so the measurement starts, like an app in use, with the file in the OS
        // cache (the figures are warm-cache figures either way: a freshly generated file is too).
        let (_, read) = timed(|| {
            let mut f = std::fs::File::open(&run).expect("open copy");
            std::io::copy(&mut f, &mut std::io::sink()).expect("read copy");
        });
        say(format!(
            "  measuring on a fresh copy {} (copied and flushed in {:.1} s, read in {:.1} s)",
            run.display(),
            copy.as_secs_f64(),
            read.as_secs_f64()
        ));
        run
    } else {
        g.path.clone()
    };
    let clock = Arc::new(FixedClock::new(now()));
    let desk = Desk::open(&path, clock.clone()).expect("open desk");
    let raw = plain_connection(&path);
    if args.exp.any() {
        args.exp.apply_to(&desk);
        args.exp.apply(&raw).unwrap();
        say(format!(
            "  EXPERIMENT: {} on the desk's and the plain connections",
            args.exp.describe()
        ));
    }

    // ---- the data set
    let q = |sql: &str| -> i64 { raw.query_row(sql, [], |r| r.get(0)).unwrap() };
    let incidents = q("SELECT COUNT(*) FROM incidents");
    let events = q("SELECT COUNT(*) FROM events");
    let open = q("SELECT COUNT(*) FROM incidents WHERE status <> 'closed'");
    let file_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let operator: Option<String> = raw
        .query_row(
            "SELECT value FROM settings WHERE key = 'operator_id'",
            [],
            |r| r.get(0),
        )
        .ok();
    say(format!(
        "  generation: {:.1} s{} ({:.0} incidents/s); {incidents} incidents, {events} events = {:.2} events/incident; {open} open ({:.1} %); file {file_mb:.0} MB; operator id {}",
        g.seconds,
        if g.reused { ", kept file reused" } else { "" },
        size as f64 / g.seconds,
        events as f64 / incidents as f64,
        100.0 * open as f64 / incidents as f64,
        operator.unwrap_or_else(|| "NONE".into())
    ));
    say("  open incidents per filter value (category / service / team / assignee):");
    let mut with_open: Vec<Vec<i64>> = Vec::new();
    for f in Filter::ALL {
        let mut st = raw
            .prepare(&format!(
                "SELECT {c}, COUNT(*) FROM incidents WHERE status <> 'closed' GROUP BY {c} ORDER BY {c}",
                c = f.column()
            ))
            .unwrap();
        let groups: Vec<(Option<i64>, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let shown: Vec<String> = groups
            .iter()
            .map(|(v, n)| format!("{}:{n}", v.map_or("null".into(), |v| v.to_string())))
            .collect();
        say(format!("    {:<11} {}", f.column(), shown.join(" ")));
        with_open.push(groups.iter().filter_map(|(v, _)| *v).collect());
    }

    // Filter values that have open incidents, so no measured page is trivially empty.
    let values = |f: Filter| -> Vec<i64> {
        with_open[Filter::ALL.iter().position(|x| *x == f).unwrap()].clone()
    };
    let sql: Vec<(Filter, String, String)> = Filter::ALL
        .iter()
        .map(|f| {
            let (c, p) = f.sql();
            (*f, c, p)
        })
        .collect();

    say("\n  list query plan (category filter), EXPLAIN QUERY PLAN:");
    for (label, s) in [("COUNT", &sql[0].1), ("page", &sql[0].2)] {
        say(format!("    {label}:"));
        for l in plan(&raw, s) {
            say(format!("      {l}"));
        }
    }

    // Check once that both sides return the same page.
    for (f, c, p) in &sql {
        for v in values(*f) {
            let core = desk.list(&f.query(v)).expect("list");
            let (total, rows) = plain_list(&raw, c, p, v);
            assert_eq!(core.total, total, "{f:?}={v}: totals differ");
            assert_eq!(
                core.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
                rows.iter().map(|r| r.id).collect::<Vec<_>>(),
                "{f:?}={v}: pages differ"
            );
        }
    }

    // ---- list: interleaved core / plain, alternating which goes first
    let mut rng = Rng::new(args.seed ^ 0x5eed_1157);
    let mut plan_of = Vec::with_capacity(args.list_iters);
    for i in 0..args.list_iters {
        let f = Filter::ALL[i % Filter::ALL.len()];
        let vs = values(f);
        plan_of.push((f, *rng.pick(&vs)));
    }
    let warm = plan_of.len().min(200);
    for (f, v) in &plan_of[..warm] {
        let (_, c, p) = &sql[Filter::ALL.iter().position(|x| x == f).unwrap()];
        desk.list(&f.query(*v)).unwrap();
        plain_list(&raw, c, p, *v);
    }
    let mut core_t = Vec::new();
    let mut plain_t = Vec::new();
    let mut page_t = Vec::new();
    let mut by_kind: Vec<(Vec<Duration>, Vec<Duration>)> = vec![(Vec::new(), Vec::new()); 4];
    let mut rows_seen = 0usize;
    for (i, (f, v)) in plan_of.iter().enumerate() {
        let k = Filter::ALL.iter().position(|x| x == f).unwrap();
        let (_, c, p) = &sql[k];
        let query = f.query(*v);
        let run_core = || timed(|| desk.list(&query).expect("list"));
        let run_plain = || timed(|| plain_list(&raw, c, p, *v));
        let (ct, pt) = if i % 2 == 0 {
            let (page, ct) = run_core();
            rows_seen += page.rows.len();
            let (_, pt) = run_plain();
            (ct, pt)
        } else {
            let (_, pt) = run_plain();
            let (page, ct) = run_core();
            rows_seen += page.rows.len();
            (ct, pt)
        };
        core_t.push(ct);
        plain_t.push(pt);
        by_kind[k].0.push(ct);
        by_kind[k].1.push(pt);
        page_t.push(timed(|| plain_page_only(&raw, p, *v)).1);
    }

    // ---- detail: random ids, interleaved
    let mut detail_core = Vec::new();
    let mut detail_plain = Vec::new();
    let mut timeline_len = 0usize;
    for i in 0..args.detail_iters {
        let id = 1 + rng.below(size as u64) as i64;
        if i % 2 == 0 {
            let (d, t) = timed(|| desk.get(id).expect("get"));
            timeline_len += d.timeline.len();
            detail_core.push(t);
            detail_plain.push(timed(|| plain_detail(&raw, id)).1);
        } else {
            detail_plain.push(timed(|| plain_detail(&raw, id)).1);
            let (d, t) = timed(|| desk.get(id).expect("get"));
            timeline_len += d.timeline.len();
            detail_core.push(t);
        }
    }

    // ---- creates: desk.log vs two bare durable INSERTs, one transaction each, interleaved.
    // The target's baseline is the bare INSERT of the very row the core writes (same table,
    // same indexes, full-text trigger and CHECKs, the id taken the way the core takes it): what
    // remains is the core's own overhead. The INSERT of a three-column scratch row is the floor
    // of a durable commit on this disk, shown for reference.
    raw.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench_bare_insert (id INTEGER PRIMARY KEY, at TEXT NOT NULL, payload TEXT NOT NULL)",
    )
    .unwrap();
    let mut raw = raw;
    // For reference only: the same INSERTs without fsync, on a third connection.
    let mut nosync = plain_connection(&path);
    nosync.pragma_update(None, "synchronous", "OFF").unwrap();
    args.exp.apply(&nosync).unwrap();
    let scratch_insert = |conn: &mut Connection, payload: String| {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.prepare_cached("INSERT INTO bench_bare_insert (at, payload) VALUES (?1, ?2)")
            .unwrap()
            .execute(rusqlite::params![now().to_rfc3339(), payload])
            .unwrap();
        tx.commit().unwrap();
    };
    let row_insert = |conn: &mut Connection, input: &NewIncident, at: &str| {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let id: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        let none: Option<String> = None;
        tx.prepare_cached(BARE_INCIDENT_INSERT)
            .unwrap()
            .execute(rusqlite::params![
                id,
                format!("INC-{id:06}"),
                input.title,
                input.description,
                input.category_id,
                input.service_id,
                input.reporter_name,
                input.reporter_contact,
                input.channel,
                at,
                at,
                input.impact,
                input.urgency,
                "P3",
                "P3",
                none,
                "new",
                none,
                none,
                0,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                0,
                "Bench Operator",
                at,
                "Bench Operator",
                1,
                none,
                none,
                at,
                none,
                none,
            ])
            .unwrap();
        tx.commit().unwrap();
    };
    let cats = g.catalog.categories.clone();
    let services = g.catalog.services.clone();
    let make = |rng: &mut Rng| NewIncident {
        title: "Benchmark: checkout returns 503 for some customers".into(),
        description: "Customers get HTTP 503 on the payment step; created by the benchmark.".into(),
        category_id: Some(rng.pick(&cats).0),
        service_id: Some(*rng.pick(&services)),
        reporter_name: "Laura Smith".into(),
        reporter_contact: "laura.smith@example.org".into(),
        channel: "phone".into(),
        started_at: None,
        impact: rng
            .pick(&["extensive", "significant", "moderate", "minor"])
            .to_string(),
        urgency: rng.pick(&["critical", "high", "medium", "low"]).to_string(),
        ..Default::default()
    };
    let stamp = |clock: &FixedClock| clock.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    for i in 0..20 {
        // Warm-up of every write path (statements prepared, WAL open).
        let input = make(&mut rng);
        desk.log(&input).expect("log");
        row_insert(&mut raw, &input, &stamp(&clock));
        scratch_insert(&mut raw, format!("warm-up {i}"));
        row_insert(&mut nosync, &input, &stamp(&clock));
        scratch_insert(&mut nosync, format!("warm-up {i}"));
    }
    let mut create_core = Vec::new();
    let mut create_row = Vec::new();
    let mut create_scratch = Vec::new();
    let wall = Instant::now();
    for i in 0..args.create_iters {
        clock.advance(chrono::Duration::seconds(1));
        let input = make(&mut rng);
        let at = stamp(&clock);
        // Each side goes first, second and third in turn.
        for k in 0..3 {
            match (i + k) % 3 {
                0 => create_core.push(timed(|| desk.log(&input).expect("log")).1),
                1 => create_row.push(timed(|| row_insert(&mut raw, &input, &at)).1),
                _ => create_scratch
                    .push(timed(|| scratch_insert(&mut raw, format!("bare durable insert {i}"))).1),
            }
        }
    }
    let wall = wall.elapsed();

    // ---- analysis, not a target: saving an SLA policy re-measures every open incident in
    // the same transaction (Settings waits for it), so its cost grows with the open incidents.
    let open_now = desk
        .list(&IncidentQuery {
            state: Some("open".into()),
            limit: Some(1),
            ..Default::default()
        })
        .expect("count open")
        .total;
    let mut p3 = desk
        .sla_settings()
        .expect("sla settings")
        .policies
        .into_iter()
        .find(|p| p.priority.as_str() == "P3")
        .expect("a P3 policy");
    p3.resolution_minutes += 60;
    let (_, policy_save) = timed(|| desk.save_sla_policy(&p3).expect("save policy"));

    // ---- analysis, not a target: the same creates without fsync (synchronous=OFF, NOT
    // durable) show what each side costs apart from the flush, i.e. what the ratio above would
    // be on a disk whose fsync costs nothing. The desk's connection is switched from outside
    // (the pragma cannot change inside the transaction `read` opens, so it is ended first).
    desk.db()
        .read(|tx| {
            tx.execute_batch("COMMIT; PRAGMA synchronous = OFF; BEGIN;")?;
            Ok(())
        })
        .expect("synchronous=OFF on the desk's connection");
    let mut nosync_core = Vec::new();
    let mut nosync_row = Vec::new();
    let mut nosync_scratch = Vec::new();
    for i in 0..(args.create_iters / 2).max(1) {
        clock.advance(chrono::Duration::seconds(1));
        let input = make(&mut rng);
        let at = stamp(&clock);
        for k in 0..3 {
            match (i + k) % 3 {
                0 => nosync_core.push(timed(|| desk.log(&input).expect("log")).1),
                1 => nosync_row.push(timed(|| row_insert(&mut nosync, &input, &at)).1),
                _ => nosync_scratch.push(
                    timed(|| scratch_insert(&mut nosync, format!("bare insert without fsync {i}")))
                        .1,
                ),
            }
        }
    }

    // ---- report
    let list_core = Stats::of(&core_t);
    let list_plain = Stats::of(&plain_t);
    let lines = vec![
        Line {
            what: format!(
                "list page, open + 1 filter, by priority, 50 rows (all filters, n={})",
                core_t.len()
            ),
            core: Stats::of(&core_t),
            plain: Some(Stats::of(&plain_t)),
        },
        Line {
            what: "  filter category_id".into(),
            core: Stats::of(&by_kind[0].0),
            plain: Some(Stats::of(&by_kind[0].1)),
        },
        Line {
            what: "  filter service_id".into(),
            core: Stats::of(&by_kind[1].0),
            plain: Some(Stats::of(&by_kind[1].1)),
        },
        Line {
            what: "  filter team_id".into(),
            core: Stats::of(&by_kind[2].0),
            plain: Some(Stats::of(&by_kind[2].1)),
        },
        Line {
            what: "  filter assignee_id".into(),
            core: Stats::of(&by_kind[3].0),
            plain: Some(Stats::of(&by_kind[3].1)),
        },
        Line {
            what: "  (plain page SELECT alone, no COUNT)".into(),
            core: Stats::of(&page_t),
            plain: None,
        },
        Line {
            what: format!(
                "detail: row + timeline, random id (n={})",
                detail_core.len()
            ),
            core: Stats::of(&detail_core),
            plain: Some(Stats::of(&detail_plain)),
        },
        Line {
            what: format!(
                "create: one durable transaction each, against the bare INSERT of the same row (n={})",
                create_core.len()
            ),
            core: Stats::of(&create_core),
            plain: Some(Stats::of(&create_row)),
        },
        Line {
            what: "  (reference: against a bare INSERT of a three-column scratch row)".into(),
            core: Stats::of(&create_core),
            plain: Some(Stats::of(&create_scratch)),
        },
        Line {
            what: format!(
                "  (analysis: the same creates with synchronous=OFF, NOT durable, against the same row, n={})",
                nosync_core.len()
            ),
            core: Stats::of(&nosync_core),
            plain: Some(Stats::of(&nosync_row)),
        },
        Line {
            what: "  (analysis: synchronous=OFF, against the scratch row)".into(),
            core: Stats::of(&nosync_core),
            plain: Some(Stats::of(&nosync_scratch)),
        },
    ];
    let cc = Stats::of(&create_core);
    let cb = Stats::of(&create_row);
    let cs = Stats::of(&create_scratch);
    say(format!(
        "\n  rows per list page: {:.1} on average; timeline length: {:.1} events on average",
        rows_seen as f64 / core_t.len() as f64,
        timeline_len as f64 / detail_core.len().max(1) as f64
    ));
    say(format!("\n### {size} incidents: latency in ms (core = Desk API, plain = same SQL on a separate connection / bare INSERT)\n"));
    say("| operation | core p50 | core p99 | core max | plain p50 | plain p99 | plain max | ratio p50 | ratio p99 |");
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for l in &lines {
        say(row(l));
    }
    say(format!(
        "\ncreates/s: core desk.log {:.0}/s, bare durable INSERT of the same row {:.0}/s (ratio {:.2}, target ≥ 0.50), bare durable INSERT of a scratch row {:.0}/s (ratio {:.2}); all three interleaved over {:.1} s",
        cc.per_second(),
        cb.per_second(),
        cc.per_second() / cb.per_second(),
        cs.per_second(),
        cc.per_second() / cs.per_second(),
        wall.as_secs_f64()
    ));
    let (nc, nb, ns) = (
        Stats::of(&nosync_core),
        Stats::of(&nosync_row),
        Stats::of(&nosync_scratch),
    );
    say(format!(
        "without fsync: core {:.0}/s, same row {:.0}/s, scratch row {:.0}/s; an fsync costs about {} ms here (scratch durable p50 − scratch non-durable p50); the core's work beyond the row about {} ms (core non-durable p50 − same-row non-durable p50)",
        nc.per_second(),
        nb.per_second(),
        ns.per_second(),
        ms(cs.p50.saturating_sub(ns.p50)),
        ms(nc.p50.saturating_sub(nb.p50)),
    ));
    say(format!(
        "saving the P3 SLA policy re-measured {open_now} open incidents in {:.2} s (one durable transaction; Settings waits for it)",
        policy_save.as_secs_f64()
    ));
    let p99_ms = list_core.p99.as_secs_f64() * 1000.0;
    let r99 = list_core.p99.as_secs_f64() / list_plain.p99.as_secs_f64();
    let r50 = list_core.p50.as_secs_f64() / list_plain.p50.as_secs_f64();
    let verdict = |ok: bool| if ok { "MET" } else { "NOT MET" };
    say(format!(
        "targets at {size}: list p99 {p99_ms:.3} ms < 16 ms: {}; list core/plain p99 {r99:.2}× (p50 {r50:.2}×) ≤ 1.5×: {}; creates {:.2}× of the bare INSERT of the same row ≥ 0.5×: {}",
        verdict(p99_ms < 16.0),
        verdict(r99 <= 1.5 && r50 <= 1.5),
        cc.per_second() / cb.per_second(),
        verdict(cc.per_second() / cb.per_second() >= 0.5)
    ));
    drop(desk);
    if keep {
        remove_db(&path);
    }
}

fn main() {
    let args = parse_args();
    let tmp;
    let (dir, keep) = match &args.db_dir {
        Some(d) => {
            std::fs::create_dir_all(d).expect("create --db-dir");
            (d.clone(), true)
        }
        None => {
            tmp = tempfile::tempdir().expect("temp dir");
            (tmp.path().to_path_buf(), false)
        }
    };
    say(format!(
        "# Incident Desk benchmark\n\nsizes {:?}, seed {}, list {} / detail {} / create {} iterations, generation chunk {} incidents per transaction, db dir {}; SQLite {}; experiments: {}",
        args.sizes,
        args.seed,
        args.list_iters,
        args.detail_iters,
        args.create_iters,
        args.chunk,
        dir.display(),
        rusqlite::version(),
        if args.exp.any() {
            args.exp.describe()
        } else {
            "none (shipped configuration)".into()
        }
    ));
    for &size in &args.sizes {
        bench_size(&args, &dir, keep, size);
    }
}
