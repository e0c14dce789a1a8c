//! The desk: everything a user can do, as typed calls on one object.
//!
//! Each call is one transaction (`actions` holds the rules of each action) and, once committed,
//! tells the listeners what changed so windows can refresh. The Tauri shell maps each command to
//! exactly one of these methods.

mod seal;
mod views;

pub use seal::{head_file, read_head_file};

pub use views::*;

use crate::actions;
use crate::clock::Clock;
use crate::domain::model::*;
use crate::domain::priority::PriorityMatrix;
use crate::domain::sla::config::{
    CalendarRecord, EscalationRule, Holiday, ReminderSettings, SlaPolicy,
};
use crate::store::events::{self, Actor};
use crate::store::sla::{self as sla_store, Alert};
use crate::store::{catalog, incidents, migrations, Db};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
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
    /// The chain head last written beside the database (seal.rs).
    head_written: Mutex<Option<crate::store::events::ChainHead>>,
}

/// The file name of the database inside the data folder.
pub const DATABASE_FILE: &str = "incident-desk.sqlite3";

impl Desk {
    /// Opens the desk on the database file in `data_dir`, creating it on first use.
    pub fn open_in(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Desk> {
        Self::open(&data_dir.join(DATABASE_FILE), clock)
    }

    /// Office-hours calendars start in the computer's own time zone.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Desk> {
        let zone = iana_time_zone::get_timezone().unwrap_or_else(|_| "UTC".into());
        let zone = if zone.parse::<chrono_tz::Tz>().is_ok() {
            zone
        } else {
            "UTC".into()
        };
        Self::with_db(Db::open(path)?, clock, &zone)
    }

    /// A private in-memory desk whose calendars count in UTC, for tests.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Desk> {
        Self::with_db(Db::in_memory()?, clock, "UTC")
    }

    fn with_db(db: Db, clock: Arc<dyn Clock>, zone: &str) -> Result<Desk> {
        db.write(|tx| sla_store::default_time_zones(tx, zone))?;
        Ok(Desk {
            db,
            clock,
            listeners: Mutex::new(Vec::new()),
            head_written: Mutex::new(None),
        })
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
        self.record_head();
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
        let organisation = self.organisation()?;
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
                organisation,
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
                vocabulary: crate::domain::vocabulary::vocabulary(),
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

    /// Deletes a service entered by mistake; refused while anything refers to it.
    pub fn delete_service(&self, id: i64) -> Result<String> {
        self.delete_entry(catalog::Entry::Service, id)
    }

    pub fn delete_team(&self, id: i64) -> Result<String> {
        self.delete_entry(catalog::Entry::Team, id)
    }

    pub fn delete_person(&self, id: i64) -> Result<String> {
        self.delete_entry(catalog::Entry::Person, id)
    }

    pub fn delete_category(&self, id: i64) -> Result<String> {
        self.delete_entry(catalog::Entry::Category, id)
    }

    fn delete_entry(&self, entry: catalog::Entry, id: i64) -> Result<String> {
        let name = self.db.write(|tx| catalog::delete(tx, entry, id))?;
        self.changed(None);
        Ok(name)
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
        let now = self.clock.now();
        self.db.read(|tx| {
            let mut page = incidents::list(tx, query)?;
            if page.rows.iter().any(|r| r.next_due_at.is_some()) {
                let cfg = sla_store::load_config(tx)?;
                for row in &mut page.rows {
                    row.working_seconds_left =
                        crate::domain::sla::working_time_left(&cfg, row, now);
                }
            }
            Ok(page)
        })
    }

    pub fn get(&self, id: i64) -> Result<IncidentDetail> {
        let now = self.clock.now();
        self.db.read(|tx| detail(tx, id, now))
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
            detail(tx, id, now)
        })?;
        self.changed(id.or(Some(out.incident.id)));
        Ok(out)
    }

    pub fn log(&self, input: &NewIncident) -> Result<IncidentDetail> {
        self.act(None, |tx, a, now| {
            actions::incidents::log(tx, a, now, input)
        })
    }

    pub fn update(&self, input: &UpdateIncident) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::edit(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn assign(&self, input: &AssignInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::assign(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn acknowledge(&self, input: &VersionedId) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::acknowledge(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn add_note(&self, input: &NoteInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::note(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn escalate(&self, input: &EscalateInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::escalate(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn record_workaround(&self, input: &WorkaroundInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::workaround(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn resolve(&self, input: &ResolveInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::resolve(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn verify(&self, input: &VerifyInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::verify(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn close(&self, input: &CloseInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::close(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn reopen(&self, input: &ReopenInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::reopen(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn pause(&self, input: &PauseInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::pause(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn resume(&self, input: &VersionedId) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            actions::incidents::resume(tx, a, now, input).map(|_| input.id)
        })
    }

    // ---- SLA settings ----

    pub fn sla_settings(&self) -> Result<SlaSettings> {
        self.db.read(|tx| {
            Ok(SlaSettings {
                policies: sla_store::policies(tx)?,
                calendars: sla_store::calendars(tx)?,
                rules: sla_store::rules(tx)?,
                reminders: sla_store::reminders(tx)?,
                response_rule: crate::domain::sla::RESPONSE_RULE.to_string(),
            })
        })
    }

    /// Saves an SLA setting and re-measures every open incident against it, in one transaction;
    /// `f` returns the change in words, recorded on each incident whose due time it moves.
    fn save_sla<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(T, String)>,
    ) -> Result<T> {
        let now = self.clock.now();
        let out = self.db.write(|tx| {
            let (out, why) = f(tx)?;
            crate::actions::deadlines::refresh_all(tx, &why, now)?;
            Ok(out)
        })?;
        self.changed(None);
        Ok(out)
    }

    pub fn save_sla_policy(&self, policy: &SlaPolicy) -> Result<SlaSettings> {
        self.save_sla(|tx| {
            let old = sla_store::policies(tx)?
                .into_iter()
                .find(|p| p.priority == policy.priority);
            sla_store::save_policy(tx, policy)?;
            Ok(((), crate::domain::sla::policy_change(old.as_ref(), policy)))
        })?;
        self.sla_settings()
    }

    pub fn save_calendar(&self, calendar: &CalendarRecord, create: bool) -> Result<SlaSettings> {
        let id = if create { None } else { Some(calendar.id) };
        self.save_sla(|tx| {
            let saved = sla_store::save_calendar(tx, calendar, id)?;
            Ok((
                saved,
                format!("SLA calendar {} changed", calendar.name.trim()),
            ))
        })?;
        self.sla_settings()
    }

    /// Adds holidays from text, one date per line ("2026-12-25" or "2026-12-25, Christmas Day");
    /// a bad line is refused with its line number and nothing is added.
    pub fn import_holidays(&self, calendar_id: i64, text: &str) -> Result<SlaSettings> {
        use crate::domain::limits;
        limits::check_len(text, "holidays", "The holiday list", limits::MAX_TEXT)?;
        let mut added = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (day, name) = match line.split_once([',', ';', '\t']) {
                Some((d, rest)) => (d.trim(), rest.trim()),
                None => (line, ""),
            };
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                Error::validation(
                    "holidays",
                    format!(
                        "Line {}: {} is not a date in the form 2026-12-25",
                        n + 1,
                        crate::domain::limits::shown(day)
                    ),
                )
            })?;
            added.push(Holiday {
                day,
                name: name.to_string(),
            });
        }
        if added.is_empty() {
            return Err(Error::validation(
                "holidays",
                "No dates found: give one date per line, e.g. 2026-12-25, Christmas Day",
            ));
        }
        self.save_sla(|tx| {
            let mut cal = sla_store::calendar(tx, calendar_id)?
                .ok_or_else(|| Error::NotFound(format!("Calendar {calendar_id} does not exist")))?;
            for h in added {
                cal.holidays.retain(|x| x.day != h.day);
                cal.holidays.push(h);
            }
            cal.holidays.sort_by_key(|h| h.day);
            let saved = sla_store::save_calendar(tx, &cal, Some(calendar_id))?;
            Ok((
                saved,
                format!("Holidays added to SLA calendar {}", cal.name),
            ))
        })?;
        self.sla_settings()
    }

    pub fn save_escalation_rule(&self, rule: &EscalationRule) -> Result<SlaSettings> {
        self.save_sla(|tx| {
            let id = sla_store::save_rule(tx, rule)?;
            Ok((id, format!("Escalation rule {} changed", rule.name.trim())))
        })?;
        self.sla_settings()
    }

    pub fn save_reminders(&self, reminders: &ReminderSettings) -> Result<SlaSettings> {
        self.save_sla(|tx| {
            sla_store::save_reminders(tx, reminders)?;
            Ok(((), "Reminder settings changed".to_string()))
        })?;
        self.sla_settings()
    }

    // ---- major incidents and communication ----

    pub fn declare_major(
        &self,
        input: &crate::domain::major::DeclareInput,
    ) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            crate::actions::major::declare(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn major_view(&self, id: i64) -> Result<MajorView> {
        let now = self.clock.now();
        self.db.read(|tx| {
            let inc = incidents::get(tx, id)?;
            let record = crate::store::major::record(tx, id)?;
            let updates = crate::store::major::updates(tx, id)?;
            let next_updates = crate::store::major::next_updates(tx, &inc)?
                .into_iter()
                .map(|(a, due)| NextUpdate {
                    audience_id: a.id,
                    audience: a.name,
                    due_at: due,
                })
                .collect();
            let mut engaged = Vec::new();
            if let Some(r) = &record {
                engaged.push(("Major incident manager".to_string(), r.manager_name.clone()));
            }
            if let Some(a) = &inc.assignee_name {
                engaged.push(("Assignee".into(), a.clone()));
            }
            if let Some(t) = &inc.team_name {
                engaged.push(("Team".into(), t.clone()));
            }
            if let Some(owner) = catalog::services(tx)?
                .into_iter()
                .find(|s| s.id == inc.service_id)
                .and_then(|s| s.owner_name)
            {
                engaged.push(("Service owner".into(), owner));
            }
            let open_actions = match crate::store::review::find(tx, id)? {
                Some(r) => crate::store::review::actions(tx, r.id)?
                    .into_iter()
                    .filter(|a| a.status != "done")
                    .collect(),
                None => Vec::new(),
            };
            Ok(MajorView {
                criteria_now: crate::actions::major::evaluate(tx, &inc, now)?,
                record,
                updates,
                next_updates,
                engaged,
                open_actions,
            })
        })
    }

    pub fn communication_settings(&self) -> Result<CommunicationSettings> {
        self.db.read(|tx| {
            Ok(CommunicationSettings {
                audiences: crate::store::major::audiences(tx)?,
                templates: crate::store::major::templates(tx)?,
                criteria: crate::store::major::criteria(tx)?,
                placeholders: crate::domain::major::PLACEHOLDERS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            })
        })
    }

    pub fn save_audience(
        &self,
        a: &crate::domain::major::Audience,
        create: bool,
    ) -> Result<CommunicationSettings> {
        self.save_sla(|tx| {
            let out = crate::store::major::save_audience(tx, a, create)?;
            Ok((
                out,
                format!("Stakeholder audience {} changed", a.name.trim()),
            ))
        })?;
        self.communication_settings()
    }

    pub fn save_template(
        &self,
        t: &crate::domain::major::Template,
        create: bool,
    ) -> Result<CommunicationSettings> {
        self.db
            .write(|tx| crate::store::major::save_template(tx, t, create))?;
        self.changed(None);
        self.communication_settings()
    }

    pub fn save_major_criteria(
        &self,
        c: &crate::domain::major::MajorCriteria,
    ) -> Result<CommunicationSettings> {
        self.db
            .write(|tx| crate::store::major::save_criteria(tx, c))?;
        self.changed(None);
        self.communication_settings()
    }

    pub fn draft_update(
        &self,
        incident_id: i64,
        template_id: i64,
        audience_id: i64,
    ) -> Result<crate::domain::major::Draft> {
        let now = self.clock.now();
        self.db
            .read(|tx| crate::actions::major::draft(tx, incident_id, template_id, audience_id, now))
    }

    pub fn send_update(&self, input: &crate::domain::major::UpdateInput) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            crate::actions::major::send_update(tx, a, now, input).map(|_| input.id)
        })
    }

    pub fn correct_milestone(
        &self,
        input: &crate::domain::major::CorrectionInput,
    ) -> Result<IncidentDetail> {
        self.act(Some(input.id), |tx, a, now| {
            crate::actions::major::correct_milestone(tx, a, now, input).map(|_| input.id)
        })
    }

    // ---- post-incident reviews ----

    fn review_write(
        &self,
        incident_id: i64,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &Actor, DateTime<Utc>) -> Result<()>,
    ) -> Result<crate::domain::review::ReviewView> {
        let now = self.clock.now();
        let out = self.db.write(|tx| {
            let a = actor(tx)?;
            f(tx, &a, now)?;
            crate::actions::review::view(tx, incident_id, now)
        })?;
        self.changed(Some(incident_id));
        Ok(out)
    }

    pub fn create_review(&self, incident_id: i64) -> Result<crate::domain::review::ReviewView> {
        self.review_write(incident_id, |tx, a, now| {
            crate::store::review::create(tx, a, now, incident_id).map(|_| ())
        })
    }

    pub fn review(&self, incident_id: i64) -> Result<crate::domain::review::ReviewView> {
        let now = self.clock.now();
        self.db
            .read(|tx| crate::actions::review::view(tx, incident_id, now))
    }

    pub fn edit_review(
        &self,
        input: &crate::domain::review::ReviewEdit,
    ) -> Result<crate::domain::review::ReviewView> {
        self.review_write(input.incident_id, |tx, a, now| {
            crate::actions::review::edit(tx, a, now, input)
        })
    }

    pub fn save_review_action(
        &self,
        input: &crate::domain::review::ActionInput,
    ) -> Result<crate::domain::review::ReviewView> {
        self.review_write(input.incident_id, |tx, a, now| {
            crate::actions::review::save_action(tx, a, now, input)
        })
    }

    pub fn finalise_review(
        &self,
        incident_id: i64,
        expected_version: i64,
    ) -> Result<crate::domain::review::ReviewView> {
        self.review_write(incident_id, |tx, a, now| {
            crate::actions::review::finalise(tx, a, now, incident_id, expected_version)
        })
    }

    /// The organisation name printed on reports.
    pub fn organisation(&self) -> Result<String> {
        self.db.read(|tx| {
            Ok(catalog::setting(tx, "organisation")?.unwrap_or_else(|| "Incident Desk".into()))
        })
    }

    pub fn set_organisation(&self, name: &str) -> Result<String> {
        use crate::domain::limits;
        let name = limits::text(
            name,
            "organisation",
            "The organisation name",
            limits::MAX_NAME,
        )?;
        if name.is_empty() {
            return Err(Error::validation(
                "organisation",
                "The organisation name is required: it heads every printed report",
            ));
        }
        self.db
            .write(|tx| catalog::set_setting(tx, "organisation", &name))?;
        self.changed(None);
        Ok(name)
    }

    /// Renders the incident's review to PDF bytes.
    pub fn review_pdf(
        &self,
        incident_id: i64,
        paper: crate::domain::report::PaperSize,
    ) -> Result<Vec<u8>> {
        let view = self.review(incident_id)?;
        let organisation = self.organisation()?;
        let mut doc =
            crate::domain::review::document(&view, &organisation, paper, self.clock.now());
        // The PDF's author: the organisation and the operator who exported it.
        if let Some(operator) = self.db.read(|tx| catalog::operator(tx))? {
            doc.author = format!("{} / {}", doc.organisation, operator.name);
        }
        crate::domain::report::render_pdf(&doc)
    }

    /// Writes the review's PDF to `path` in full or not at all (temporary file, then rename).
    pub fn export_review_pdf(
        &self,
        incident_id: i64,
        paper: crate::domain::report::PaperSize,
        path: &Path,
    ) -> Result<()> {
        let bytes = self.review_pdf(incident_id, paper)?;
        let tmp = path.with_extension("pdf.part");
        std::fs::write(&tmp, &bytes)
            .map_err(|e| Error::Storage(format!("cannot write {}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::Storage(format!("cannot save {}: {e}", path.display()))
        })
    }

    // ---- deadlines and alerts (the scheduler's side) ----

    /// The earliest pending deadline of any incident.
    pub fn next_deadline(&self) -> Result<Option<DateTime<Utc>>> {
        self.db.read(|tx| sla_store::next_pending(tx))
    }

    /// Fires every deadline due now, exactly once; returns the alerts raised.
    pub fn fire_due(&self) -> Result<Vec<Alert>> {
        let now = self.clock.now();
        let mut alerts = Vec::new();
        // A backlog (thousands of deadlines that passed while the app was closed) is fired in
        // transactions of about a thousand, so the window's reads get in between.
        loop {
            let (batch, more) = self
                .db
                .write(|tx| crate::actions::firing::fire_due_up_to(tx, now, 1000))?;
            alerts.extend(batch);
            if !more {
                break;
            }
        }
        // Each touched incident refreshes where it is shown; the centre refreshes with them.
        // Past a screenful one "everything changed" does the same for every open screen
        // without a reload per incident.
        let mut touched: Vec<i64> = alerts.iter().filter_map(|a| a.incident_id).collect();
        touched.sort_unstable();
        touched.dedup();
        if touched.len() > 50 {
            self.changed(None);
        } else {
            for id in touched {
                self.changed(Some(id));
            }
        }
        Ok(alerts)
    }

    pub fn set_alert_delivery(&self, id: i64, delivery: &str) -> Result<()> {
        self.db
            .write(|tx| sla_store::set_delivery(tx, id, delivery))
    }

    /// Quiet-hours and reminder settings, for the notifier.
    pub fn reminder_settings(&self) -> Result<ReminderSettings> {
        self.db.read(|tx| sla_store::reminders(tx))
    }

    pub fn alerts(&self, limit: i64) -> Result<AlertCentre> {
        self.db.read(|tx| {
            Ok(AlertCentre {
                alerts: sla_store::alerts(tx, limit.clamp(1, 1000))?,
                unread: sla_store::unread_count(tx)?,
            })
        })
    }

    /// Marks the given alerts read, or all of them when `ids` is None.
    pub fn mark_alerts_read(&self, ids: Option<&[i64]>) -> Result<AlertCentre> {
        let now = self.clock.now();
        self.db.write(|tx| sla_store::mark_read(tx, ids, &now))?;
        self.changed(None);
        self.alerts(200)
    }
}

fn find<T>(items: Vec<T>, pred: impl Fn(&T) -> bool, what: &str, id: i64) -> Result<T> {
    items
        .into_iter()
        .find(pred)
        .ok_or_else(|| Error::NotFound(format!("{what} {id} does not exist")))
}

fn detail(conn: &rusqlite::Connection, id: i64, now: DateTime<Utc>) -> Result<IncidentDetail> {
    let incident = incidents::get(conn, id)?;
    let cfg = sla_store::load_config(conn)?;
    let sla = crate::actions::deadlines::panel(conn, &cfg, &incident, now)?;
    let major = crate::store::major::record(conn, id)?;
    let major_criteria = if incident.status.is_open() {
        crate::actions::major::evaluate_with(conn, &incident, &sla, now)?
    } else {
        Vec::new()
    };
    // Pausing also needs a pause reason in the incident's policy: the action refuses without.
    let can_pause = cfg
        .policy(incident.priority)
        .is_some_and(|p| !p.pause_reasons.is_empty());
    let allowed_actions = crate::domain::lifecycle::allowed((&incident).into())
        .into_iter()
        .filter(|a| *a != crate::domain::lifecycle::Action::Pause || can_pause)
        .map(|a| a.as_str().to_string())
        .collect();
    Ok(IncidentDetail {
        timeline: events::for_incident(conn, id)?,
        review_status: crate::store::review::find(conn, id)?.map(|r| r.status),
        incident,
        sla,
        major,
        major_criteria,
        allowed_actions,
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

/// Everything the SLA tabs of Settings show.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SlaSettings {
    pub policies: Vec<SlaPolicy>,
    pub calendars: Vec<CalendarRecord>,
    pub rules: Vec<EscalationRule>,
    pub reminders: ReminderSettings,
    pub response_rule: String,
}

/// The notification centre.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AlertCentre {
    pub alerts: Vec<Alert>,
    pub unread: i64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NextUpdate {
    pub audience_id: i64,
    pub audience: String,
    pub due_at: DateTime<Utc>,
}

/// The major-incident view: who is engaged, what was said, what is due.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MajorView {
    pub record: Option<crate::domain::major::MajorRecord>,
    pub criteria_now: Vec<crate::domain::major::Criterion>,
    pub updates: Vec<crate::domain::major::StakeholderUpdate>,
    pub next_updates: Vec<NextUpdate>,
    /// (role, name)
    pub engaged: Vec<(String, String)>,
    pub open_actions: Vec<crate::domain::review::ActionItem>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CommunicationSettings {
    pub audiences: Vec<crate::domain::major::Audience>,
    pub templates: Vec<crate::domain::major::Template>,
    pub criteria: crate::domain::major::MajorCriteria,
    pub placeholders: Vec<String>,
}
