//! The desk: everything a user can do, as typed calls on one object.
//!
//! Each call is one transaction (`ops` holds the rules of each action) and, once committed,
//! tells the listeners what changed so windows can refresh. The Tauri shell maps each command to
//! exactly one of these methods.

use crate::clock::Clock;
use crate::model::*;
use crate::ops;
use crate::priority::PriorityMatrix;
use crate::store::events::{self, Actor};
use crate::store::{catalog, incidents, migrations, Db};
use crate::{Error, Result};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What a committed change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// None for settings.
    pub incident_id: Option<i64>,
}

type Listener = Box<dyn Fn(Change) + Send + Sync>;

pub struct Desk {
    db: Db,
    clock: Arc<dyn Clock>,
    listeners: Mutex<Vec<Listener>>,
}

/// The file name of the database inside the data folder.
pub const DATABASE_FILE: &str = "incident-desk.sqlite3";

impl Desk {
    /// Opens the desk on the database file in `data_dir`, creating it on first use.
    pub fn open_in(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Desk> {
        Self::open(&data_dir.join(DATABASE_FILE), clock)
    }

    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Desk> {
        Ok(Self::with_db(Db::open(path)?, clock))
    }

    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Desk> {
        Ok(Self::with_db(Db::in_memory()?, clock))
    }

    fn with_db(db: Db, clock: Arc<dyn Clock>) -> Desk {
        Desk {
            db,
            clock,
            listeners: Mutex::new(Vec::new()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Calls `f` after every committed change.
    pub fn on_change(&self, f: impl Fn(Change) + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Box::new(f));
    }

    fn changed(&self, incident_id: Option<i64>) {
        for l in self
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            l(Change { incident_id });
        }
    }

    // ---- the desk itself ----

    pub fn info(&self) -> Result<DeskInfo> {
        self.db.read(|tx| {
            Ok(DeskInfo {
                database_path: self
                    .db
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| ":memory:".into()),
                version: env!("CARGO_PKG_VERSION").to_string(),
                schema_version: migrations::current_version(tx)?,
                incident_count: incidents::count(tx)?,
                operator: catalog::operator(tx)?,
            })
        })
    }

    pub fn reference_data(&self) -> Result<ReferenceData> {
        self.db.read(|tx| {
            Ok(ReferenceData {
                services: catalog::services(tx)?,
                teams: catalog::teams(tx)?,
                people: catalog::people(tx)?,
                categories: catalog::categories(tx)?,
                impacts: Impact::choices(),
                urgencies: Urgency::choices(),
                priorities: Priority::choices(),
                statuses: Status::choices(),
                channels: Channel::choices(),
                resolution_codes: ResolutionCode::choices(),
                verification_methods: VerificationMethod::choices(),
                escalation_kinds: EscalationKind::choices(),
                tiers: Tier::choices(),
                roles: Role::choices(),
                criticalities: Criticality::choices(),
                matrix: catalog::priority_matrix(tx)?,
                operator: catalog::operator(tx)?,
            })
        })
    }

    /// Fills an empty desk with realistic demo data and makes its service desk lead the
    /// operator. Refused when incidents already exist, so real data is never mixed with demo.
    pub fn load_demo_data(&self) -> Result<DeskInfo> {
        self.db.write(|tx| {
            if incidents::count(tx)? > 0 {
                return Err(Error::Conflict(
                    "Demo data can only be loaded into an empty desk; this one already has incidents".into(),
                ));
            }
            crate::demo::seed(tx, &crate::demo::Spec::demo(), self.clock.now())
        })?;
        self.changed(None);
        self.info()
    }

    // ---- settings ----

    fn save_setting<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<i64>,
        read: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<T>,
    ) -> Result<T> {
        let out = self.db.write(|tx| {
            let id = f(tx)?;
            read(tx, id)
        })?;
        self.changed(None);
        Ok(out)
    }

    pub fn save_service(&self, input: &ServiceInput) -> Result<Service> {
        self.save_setting(
            |tx| catalog::save_service(tx, input),
            |tx, id| find(catalog::services(tx)?, |s| s.id == id, "Service", id),
        )
    }

    pub fn save_team(&self, input: &TeamInput) -> Result<Team> {
        self.save_setting(
            |tx| catalog::save_team(tx, input),
            |tx, id| find(catalog::teams(tx)?, |t| t.id == id, "Team", id),
        )
    }

    pub fn save_person(&self, input: &PersonInput) -> Result<Person> {
        self.save_setting(
            |tx| catalog::save_person(tx, input),
            |tx, id| {
                catalog::person(tx, id)?
                    .ok_or_else(|| Error::NotFound(format!("Person {id} does not exist")))
            },
        )
    }

    pub fn save_category(&self, input: &CategoryInput) -> Result<Category> {
        self.save_setting(
            |tx| catalog::save_category(tx, input),
            |tx, id| find(catalog::categories(tx)?, |c| c.id == id, "Category", id),
        )
    }

    pub fn set_operator(&self, person_id: i64) -> Result<Person> {
        let p = self.db.write(|tx| catalog::set_operator(tx, person_id))?;
        self.changed(None);
        Ok(p)
    }

    pub fn save_priority_matrix(&self, matrix: &PriorityMatrix) -> Result<PriorityMatrix> {
        self.db
            .write(|tx| catalog::save_priority_matrix(tx, matrix))?;
        self.changed(None);
        Ok(*matrix)
    }

    /// The priority the matrix gives, for the live preview in the form.
    pub fn preview_priority(&self, impact: &str, urgency: &str) -> Result<PriorityPreview> {
        let impact = Impact::parse(impact, "impact")?;
        let urgency = Urgency::parse(urgency, "urgency")?;
        let p = self
            .db
            .read(|tx| catalog::priority_matrix(tx))?
            .priority(impact, urgency);
        Ok(PriorityPreview {
            priority: p,
            label: p.label().to_string(),
            definition: p.definition().to_string(),
        })
    }

    // ---- incidents ----

    pub fn list(&self, query: &IncidentQuery) -> Result<IncidentPage> {
        self.db.read(|tx| incidents::list(tx, query))
    }

    pub fn get(&self, id: i64) -> Result<IncidentDetail> {
        self.db.read(|tx| detail(tx, id))
    }

    /// Runs one incident action as the operator, in one transaction, and returns the new state.
    fn act(
        &self,
        id: Option<i64>,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &Actor, chrono::DateTime<chrono::Utc>) -> Result<i64>,
    ) -> Result<IncidentDetail> {
        let now = self.clock.now();
        let out = self.db.write(|tx| {
            let actor = actor(tx)?;
            let id = f(tx, &actor, now)?;
            detail(tx, id)
        })?;
        self.changed(id.or(Some(out.incident.id)));
        Ok(out)
    }

    pub fn log(&self, input: &NewIncident) -> Result<IncidentDetail> {
        self.act(None, |tx, a, now| ops::log(tx, a, now, input))
    }

    pub fn update(&self, input: &UpdateIncident) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::edit(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn assign(&self, input: &AssignInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::assign(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn acknowledge(&self, input: &VersionedId) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::acknowledge(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn add_note(&self, input: &NoteInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::note(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn escalate(&self, input: &EscalateInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::escalate(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn record_workaround(&self, input: &WorkaroundInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::workaround(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn resolve(&self, input: &ResolveInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::resolve(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn verify(&self, input: &VerifyInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::verify(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn close(&self, input: &CloseInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::close(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn reopen(&self, input: &ReopenInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            ops::reopen(tx, a, now, input).map(|_| input.id)
        })
    }
}

fn find<T>(items: Vec<T>, pred: impl Fn(&T) -> bool, what: &str, id: i64) -> Result<T> {
    items
        .into_iter()
        .find(pred)
        .ok_or_else(|| Error::NotFound(format!("{what} {id} does not exist")))
}

fn detail(conn: &rusqlite::Connection, id: i64) -> Result<IncidentDetail> {
    Ok(IncidentDetail {
        incident: incidents::get(conn, id)?,
        timeline: events::for_incident(conn, id)?,
    })
}

/// The operator every change is recorded against; changes without one are refused.
fn actor(conn: &rusqlite::Connection) -> Result<Actor> {
    let p = catalog::operator(conn)?.ok_or_else(|| {
        Error::validation(
            "operator",
            "Choose who you are (Settings → Who am I) before changing incidents: every change records who made it",
        )
    })?;
    Ok(Actor {
        id: Some(p.id),
        name: p.name,
    })
}
