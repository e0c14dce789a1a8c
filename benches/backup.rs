//! What checking and backing up the database file costs at 100,000 and 1,000,000 incidents.
//!
//! ```text
//! cargo bench --bench backup -- [--sizes 100000,1000000] [--db-dir DIR] [--seed N] [--chunk N]
//! ```
//!
//! For each size it generates a file with the demo-data generator (`demo::seed_incidents`, the
//! same incidents and history as `benches/incidents.rs`), closes it cleanly, and measures:
//!
//! * **open, quick_check in front** — `Db::open_with` with the background threshold off, so
//!   `PRAGMA quick_check` runs before open returns (what happens after an unclean shutdown);
//! * **open, quick_check behind** — the default: open returns at once, the check runs on its
//!   own connection, and the time until it cleared the file is reported;
//! * **quick_check** and **integrity_check** alone on a plain read-only connection;
//! * **history verification** alone (`events::verify_history`, the hash chain);
//! * **backup** — `Desk::back_up_now`: the copy through the online backup API, then its
//!   verification (integrity_check + application id + history), separately timed.
//!
//! Figures are with the file in the OS page cache (it was just written); a cold start after a
//! reboot reads the file from disk first. docs/backups.md has the figures of the reference
//! machine. With `--db-dir DIR` the generated file is kept (`DIR/backup-bench-<size>-seed<seed>-
//! <hash>.sqlite3`) and reused by later runs of the same code.

use incident_desk::demo::{self, Rng};
use incident_desk::store::{backup as store_backup, events, file_check, Db, OpenOptions};
use incident_desk::{Clock, Desk, FixedClock};
use rusqlite::{Connection, OpenFlags};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const NOW: &str = "2026-03-02T12:00:00Z";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn say(s: impl AsRef<str>) {
    println!("{}", s.as_ref());
    let _ = std::io::stdout().flush();
}

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
    format!("{:08x}", h as u32)
}

struct Args {
    sizes: Vec<usize>,
    db_dir: Option<PathBuf>,
    seed: u64,
    chunk: usize,
}

fn parse_args() -> Args {
    let mut a = Args {
        sizes: vec![100_000, 1_000_000],
        db_dir: None,
        seed: 20260302,
        chunk: 20_000,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < raw.len() {
        let (key, inline) = match raw[i].split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (raw[i].clone(), None),
        };
        if !matches!(key.as_str(), "--sizes" | "--db-dir" | "--seed" | "--chunk") {
            i += 1;
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
            "--chunk" => a.chunk = num(&value).max(1),
            _ => unreachable!(),
        }
        i += 1;
    }
    a
}

fn complete_marker(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.complete", path.display()))
}

fn generate(path: &Path, size: usize, seed: u64, chunk: usize) {
    if complete_marker(path).exists() && path.exists() {
        say(format!("  reusing {}", path.display()));
        return;
    }
    for suffix in ["", "-wal", "-shm", ".in-use"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(now()));
    let desk = Desk::open(path, clock).expect("open new database");
    let start = Instant::now();
    let catalog = desk
        .db()
        .write(|tx| demo::seed_catalog(tx))
        .expect("seed catalog");
    let mut rng = Rng::new(seed);
    let spread = (size as i64 / 1_000).max(30);
    let mut done = 0;
    while done < size {
        let end = (done + chunk).min(size);
        desk.db()
            .write(|tx| {
                demo::seed_incidents(tx, &catalog, &mut rng, done..end, size, now(), spread)
            })
            .expect("seed incidents");
        done = end;
        if done % 100_000 == 0 || done == size {
            say(format!(
                "  generated {done:>9} / {size} ({:.0} s)",
                start.elapsed().as_secs_f64()
            ));
        }
    }
    desk.close_database().expect("close cleanly");
    std::fs::write(complete_marker(path), "ok\n").expect("marker");
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn measure(path: &Path, work: &Path) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    say(format!(
        "  file: {} ({})",
        path.display(),
        store_backup::human_bytes(size)
    ));

    // Open with the check in front, as after an unclean shutdown.
    let t = Instant::now();
    let db = Db::open_with(
        path,
        &OpenOptions {
            background_check_above: u64::MAX,
            ..Default::default()
        },
    )
    .expect("open, check in front");
    let open_front = secs(t);
    let qc_ms = db.open_report().quick_check_ms;
    db.close().expect("close");
    drop(db);
    say(format!(
        "  open with quick_check in front: {open_front:.3} s (quick_check {:.3} s)",
        qc_ms.unwrap_or(0) as f64 / 1000.0
    ));

    // The default: behind, writes wait for it.
    let t = Instant::now();
    let db = Db::open_with(
        path,
        &OpenOptions {
            background_check_above: 0,
            ..Default::default()
        },
    )
    .expect("open, check behind");
    let open_behind = secs(t);
    db.wait_for_check().expect("check clears");
    let cleared = secs(t);
    db.close().expect("close");
    drop(db);
    say(format!(
        "  open with quick_check behind: returns in {open_behind:.3} s, file cleared after {cleared:.3} s"
    ));

    let plain = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("plain");
    let t = Instant::now();
    let qc = file_check::integrity_rows(&plain, "quick_check").expect("quick_check");
    say(format!("  quick_check alone: {:.3} s ({qc:?})", secs(t)));
    let t = Instant::now();
    let ic = file_check::integrity_rows(&plain, "integrity_check").expect("integrity_check");
    say(format!(
        "  integrity_check alone: {:.3} s ({ic:?})",
        secs(t)
    ));
    let t = Instant::now();
    let h = events::verify_history(&plain, &[]).expect("history");
    say(format!(
        "  history verification alone: {:.3} s ({} events, intact {})",
        secs(t),
        h.events_checked,
        h.intact
    ));
    drop(plain);

    // Back up now: copy + verify.
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(now()));
    let desk = Desk::open(path, clock).expect("desk");
    desk.db().wait_for_check().expect("cleared");
    let folder = work.join("backups-out");
    let _ = std::fs::remove_dir_all(&folder);
    let mut reports = 0u64;
    let t = Instant::now();
    let info = desk
        .back_up_now(&folder, &mut |_| reports += 1)
        .expect("backup");
    let total = secs(t);
    let verify = info.record.verify_ms as f64 / 1000.0;
    say(format!(
        "  back up now: {total:.3} s in all = copy {:.3} s + verification {verify:.3} s; {} progress reports; {}; verified {} ({})",
        total - verify,
        reports,
        store_backup::human_bytes(info.record.size_bytes.max(0) as u64),
        info.record.verified_ok,
        info.record.verification
    ));
    desk.close_database().expect("close");
    let _ = std::fs::remove_dir_all(&folder);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(Path::new(".")).join("backups"));
}

fn main() {
    let a = parse_args();
    let tmp;
    let dir = match &a.db_dir {
        Some(d) => {
            std::fs::create_dir_all(d).expect("db dir");
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir().expect("temp dir");
            tmp.path().to_path_buf()
        }
    };
    say(format!(
        "backup bench: sizes {:?}, seed {}, data key {}",
        a.sizes,
        a.seed,
        data_key()
    ));
    for &size in &a.sizes {
        say(format!("== {size} incidents"));
        let path = dir.join(format!(
            "backup-bench-{size}-seed{}-{}.sqlite3",
            a.seed,
            data_key()
        ));
        let t = Instant::now();
        generate(&path, size, a.seed, a.chunk);
        say(format!("  ready after {:.1} s", secs(t)));
        measure(&path, &dir);
    }
}
