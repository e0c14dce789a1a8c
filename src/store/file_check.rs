//! Is this file ours, and is it whole? The checks `Db::open` runs before it writes anything.
//!
//! * **Identity**: Incident Desk files carry `PRAGMA application_id` = [`APPLICATION_ID`]
//!   (`0x49444B31`, the ASCII bytes "IDK1"). An empty file gets it; a file an older Incident
//!   Desk wrote (our tables, no id) gets it; anything else — another application's id, or
//!   tables none of which are ours — is refused and left byte for byte as it was. A file that is
//!   not a SQLite database at all is refused before SQLite is even given it.
//! * **Integrity**: `PRAGMA quick_check`. A failing file is refused and never written into; the
//!   message offers the backups.
//! * **Words**: SQLite's "disk full", "read-only", "corrupt" and "not a database" become
//!   messages that name the file and say what to do ([`name_the_file`]).

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// `PRAGMA application_id` of every Incident Desk database: "IDK1" in ASCII.
pub const APPLICATION_ID: i32 = 0x4944_4B31;

/// The 16 bytes every SQLite 3 database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Tables that only an Incident Desk database has (migration 1).
const OUR_TABLES: [&str; 2] = ["incidents", "events"];

/// What the file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// No tables yet: a new database (it gets our id).
    New,
    /// Our id is set.
    Ours,
    /// Written by an Incident Desk from before the id: our tables, id 0 (it gets our id).
    OursWithoutId,
}

impl Identity {
    pub fn needs_id(self) -> bool {
        !matches!(self, Identity::Ours)
    }
}

/// Refuses a non-empty file whose first bytes are not a SQLite header, without opening it with
/// SQLite (which could otherwise try to make sense of it).
pub fn refuse_non_database(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::Storage(format!(
                "The database file {} cannot be read: your user has no permission to read it. Give your user access to the file, or start with another data folder (--data-dir).",
                path.display()
            )))
        }
        Err(e) => {
            return Err(Error::Storage(format!(
                "The database file {} cannot be read ({e}). Check the file, or start with another data folder (--data-dir).",
                path.display()
            )))
        }
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Storage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        }
    }
    if got == 0 || &head[..got] == SQLITE_HEADER.as_slice() {
        return Ok(());
    }
    Err(not_a_database(path))
}

/// Reads what the file says about itself. Only reads: nothing is written here.
pub fn identify(conn: &Connection, path: &Path) -> Result<Identity> {
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| at_open(e.into(), path))?;
    if id == APPLICATION_ID {
        return Ok(Identity::Ours);
    }
    let mut tables = Vec::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .map_err(|e| at_open(e.into(), path))?;
        let mut rows = stmt.query([]).map_err(|e| at_open(e.into(), path))?;
        while let Some(r) = rows.next().map_err(|e| at_open(e.into(), path))? {
            tables.push(r.get::<_, String>(0)?);
        }
    }
    if id != 0 {
        return Err(foreign(path, Some(id)));
    }
    if tables.is_empty() {
        return Ok(Identity::New);
    }
    if OUR_TABLES.iter().all(|t| tables.iter().any(|n| n == t)) {
        return Ok(Identity::OursWithoutId);
    }
    Err(foreign(path, None))
}

/// Runs `PRAGMA quick_check`; a failing file is a `damaged_database` error naming it.
/// Returns how long the check took.
pub fn quick_check(conn: &Connection, path: &Path) -> Result<Duration> {
    let start = Instant::now();
    let problems = integrity_rows(conn, "quick_check").map_err(|e| match e {
        // An interrupted check (the desk is closing) is not a verdict on the file.
        Error::Storage(_) => e,
        _ => damaged(path, "SQLite found it malformed"),
    })?;
    match problems {
        None => Ok(start.elapsed()),
        Some((count, first)) => Err(damaged(
            path,
            &format!(
                "the integrity check found {count} problem{}, the first: {}",
                if count == 1 { "" } else { "s" },
                shorten(&first, 120)
            ),
        )),
    }
}

/// Runs `PRAGMA integrity_check` or `quick_check`: None when the file is whole, else how many
/// problem lines and the first one (at most 100 are collected).
pub fn integrity_rows(conn: &Connection, pragma: &str) -> Result<Option<(usize, String)>> {
    let sql = match pragma {
        "integrity_check" => "PRAGMA integrity_check(100)",
        _ => "PRAGMA quick_check(100)",
    };
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut lines = Vec::new();
    while let Some(r) = rows.next()? {
        lines.push(r.get::<_, String>(0)?);
    }
    if lines.len() == 1 && lines[0] == "ok" {
        return Ok(None);
    }
    let first = lines
        .iter()
        .find(|l| !l.starts_with("***"))
        .cloned()
        .unwrap_or_else(|| "no answer from the check".into());
    Ok(Some((lines.len(), first)))
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    format!("{cut}…")
}

/// Like [`name_the_file`], for errors met while opening: nothing has been written yet.
pub fn at_open(e: Error, path: &Path) -> Error {
    match e {
        Error::DamagedDatabase(_) => damaged(path, "SQLite found it malformed"),
        other => name_the_file(other, path),
    }
}

/// Rewords the errors a person can act on so they name the file and say what to do.
pub fn name_the_file(e: Error, path: &Path) -> Error {
    match e {
        Error::DiskFull(_) => disk_full(path),
        Error::ReadOnly(_) => read_only(path),
        Error::DamagedDatabase(_) => Error::DamagedDatabase(format!(
            "The database file {} is damaged (SQLite found it malformed while using it): this change was not saved. Close Incident Desk and restore the file from a backup (Restore from backup, or the backups folder beside it).",
            path.display()
        )),
        Error::NotADatabase(_) => not_a_database(path),
        Error::Storage(m) if m.contains("unable to open database file") => cannot_open(path),
        other => other,
    }
}

pub fn disk_full(path: &Path) -> Error {
    Error::DiskFull(format!(
        "The disk holding {} is full: nothing was saved; free space and try again",
        path.display()
    ))
}

/// The file or its folder cannot be written; says which.
pub fn read_only(path: &Path) -> Error {
    let file_writable = std::fs::metadata(path)
        .map(|m| !m.permissions().readonly())
        .unwrap_or(true);
    if !file_writable {
        return read_only_file(path);
    }
    read_only_folder(path)
}

pub fn read_only_file(path: &Path) -> Error {
    Error::ReadOnly(format!(
        "The database file {} is read-only: nothing was saved. Make the file writable (or copy it into a folder you can write and start with --data-dir), then try again.",
        path.display()
    ))
}

pub fn read_only_folder(path: &Path) -> Error {
    let dir = folder_of(path);
    Error::ReadOnly(format!(
        "The folder {} holding the database {} is read-only: Incident Desk writes the database and its journal there, so nothing was saved. Make the folder writable, or start with another data folder (--data-dir).",
        dir.display(),
        path.display()
    ))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// SQLite could not open or create the file: almost always a folder that cannot be written.
pub fn cannot_open(path: &Path) -> Error {
    let dir = folder_of(path);
    if dir.is_dir() && !writable_dir(dir) {
        return read_only_folder(path);
    }
    Error::Storage(format!(
        "The database {} cannot be opened: check that the folder {} exists and can be written, or start with another data folder (--data-dir).",
        path.display(),
        dir.display()
    ))
}

/// Whether a file can be created in `dir` (tried, then removed).
pub fn writable_dir(dir: &Path) -> bool {
    let probe = dir.join(format!(".incident-desk-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

pub fn not_a_database(path: &Path) -> Error {
    Error::NotADatabase(format!(
        "{} is not a database file, so Incident Desk did not open it and left it untouched. If it was your Incident Desk database it is destroyed: restore it from a backup (the backups folder beside it). Otherwise move the file away, or start with another data folder (--data-dir).",
        path.display()
    ))
}

pub fn foreign(path: &Path, application_id: Option<i32>) -> Error {
    let whose = match application_id {
        Some(id) => format!("another application's SQLite database (application id {id:#010x})"),
        None => "a SQLite database of another application (none of its tables are Incident Desk's)"
            .to_string(),
    };
    Error::ForeignDatabase(format!(
        "{} is {whose}, not an Incident Desk database: it was left untouched. Start Incident Desk with another data folder (--data-dir), or move that file away.",
        path.display()
    ))
}

pub fn damaged(path: &Path, what: &str) -> Error {
    Error::DamagedDatabase(format!(
        "The database file {} is damaged ({what}). Incident Desk did not write into it. Restore it from a backup (Restore from backup, or the backups folder beside it); the damaged file is kept aside, never deleted.",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_id_spells_idk1() {
        assert_eq!(APPLICATION_ID.to_be_bytes(), *b"IDK1");
    }

    #[test]
    fn long_check_output_is_shortened_to_one_line() {
        let s = shorten(&format!("a\nb{}", "x".repeat(300)), 10);
        assert_eq!(s, "a bxxxxxxx…");
    }
}
