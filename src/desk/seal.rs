//! The history seal, as the desk runs it: the chain head kept beside the database file, the
//! check against every head known from elsewhere, and the check at start.
//!
//! The hash chain alone proves that no event in the middle was altered or removed. It cannot
//! tell when the newest events were deleted, or when someone recomputed every hash after an
//! alteration: the chain has no secret. A copy of its head kept outside the events table closes
//! both, as long as that copy was not rewritten too: a small file beside the database (updated
//! after every committed change, never moved backwards), and the manifest of every backup.

use super::Desk;
use crate::store::events::{self, ChainHead, HistoryCheck, KnownHead};
use crate::store::sla as sla_store;
use crate::Result;
use std::path::{Path, PathBuf};

/// The file beside the database that keeps the chain's head: `<database>.head`.
pub fn head_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".head");
    PathBuf::from(name)
}

/// The head recorded in `file`, if there is a readable one.
pub fn read_head_file(file: &Path) -> Option<ChainHead> {
    let text = std::fs::read_to_string(file).ok()?;
    serde_json::from_str(&text).ok()
}

impl Desk {
    /// The chain heads recorded outside the events table that the history must still contain.
    pub fn known_heads(&self) -> Vec<KnownHead> {
        let mut known = Vec::new();
        if let Some(path) = self.db.path() {
            let file = head_file(path);
            if let Some(head) = read_head_file(&file) {
                known.push(KnownHead {
                    source: format!("the head file {}", file.display()),
                    head,
                });
            }
        }
        // Every verified backup still on disk, as its manifest (a file outside the database)
        // recorded the chain. Backups come from this database's own records, so after a
        // restore the backups of the abandoned history are not held against the restored one.
        if let Ok(backups) = self.backups() {
            for b in backups
                .into_iter()
                .filter(|b| b.present && b.record.verified_ok)
            {
                let Ok(m) = crate::store::backup::read_manifest(Path::new(&b.record.path)) else {
                    continue;
                };
                let (Some(last_event_id), Some(last_hash)) = (m.last_event_id, m.chain_head) else {
                    continue;
                };
                known.push(KnownHead {
                    source: format!(
                        "the {} backup of {} ({})",
                        b.record.kind.replace('_', "-"),
                        b.record.taken_at.format("%Y-%m-%d %H:%M UTC"),
                        b.record.path
                    ),
                    head: ChainHead {
                        last_event_id,
                        last_hash,
                    },
                });
            }
        }
        known
    }

    /// Checks the whole recorded history: the hash chain, the heads recorded elsewhere, and
    /// every incident's row against the seal of its last event. Append-only guards found
    /// missing are recreated first, and that they were missing is part of the result.
    pub fn verify_history(&self) -> Result<HistoryCheck> {
        let restored = self.db.write(|tx| events::restore_append_only(tx))?;
        // The heads known from elsewhere are read before the snapshot starts, so the snapshot
        // holds at least every event they name. The walk runs on a connection of its own: it
        // reads every event, and the window's commands must not wait for it.
        let known = self.known_heads();
        let mut check = self
            .db
            .read_apart(|tx| events::verify_history(tx, &known))?;
        if !restored.is_empty() {
            check.problems.push(format!(
                "The guards that keep the history append-only were missing and have been recreated: {}",
                restored.join(", ")
            ));
            check.triggers_restored = restored;
        }
        // A head that still fits is moved forward; a broken history keeps the evidence.
        if check.intact {
            self.record_head();
        }
        Ok(check)
    }

    /// The check at start: verifies the history and puts the result in the notification
    /// centre (unread when something is wrong). Meant to run on a background thread.
    pub fn startup_check(&self) -> Result<HistoryCheck> {
        let check = self.verify_history()?;
        let now = self.clock.now();
        let (title, body, read) = if check.intact && check.triggers_restored.is_empty() {
            (
                "History verified".to_string(),
                format!(
                    "{} events and {} incidents checked at start: nothing altered or removed.",
                    check.events_checked, check.incidents_checked
                ),
                true,
            )
        } else if check.intact {
            (
                "History guards were missing".to_string(),
                check.problems.join("\n"),
                false,
            )
        } else {
            (
                "The history was altered".to_string(),
                check.problems.join("\n"),
                false,
            )
        };
        self.db.write(|tx| {
            let id = sla_store::insert_alert(tx, &now, &now, None, "history", None, &title, &body)?;
            if read {
                sla_store::mark_read(tx, Some(&[id]), &now)?;
            }
            Ok(())
        })?;
        self.changed(None);
        Ok(check)
    }

    /// Writes the chain's head to the file beside the database when it moved forward. It is
    /// never moved backwards or sideways: if the recorded head is no longer in the chain, the
    /// file keeps it as evidence for the next check.
    pub(super) fn record_head(&self) {
        let Some(path) = self.db.path() else { return };
        let file = head_file(path);
        let mut written = self.head_written.lock().unwrap_or_else(|p| p.into_inner());
        // What the file holds: the head this desk wrote last, else (first write since open)
        // whatever an earlier session left there.
        let recorded = written
            .clone()
            .or_else(|| read_head_file(&file))
            .filter(|h| h.last_event_id > 0);
        let Ok((head, still_there)) = self.db.read(|tx| {
            let at_recorded = match &recorded {
                Some(old) => events::hash_of(tx, old.last_event_id)?,
                None => None,
            };
            Ok((events::head(tx)?, at_recorded))
        }) else {
            return;
        };
        if written.as_ref() == Some(&head) {
            return;
        }
        if let Some(old) = recorded {
            if old.last_event_id > head.last_event_id || still_there != Some(old.last_hash) {
                return;
            }
        }
        if let Ok(json) = serde_json::to_string(&head) {
            // Written in place without fsync: after a crash the file may lag the database,
            // which is still a prefix of the chain; an unreadable file is ignored.
            if std::fs::write(&file, json).is_ok() {
                *written = Some(head);
            }
        }
    }
}
