//! Random input to every command (DESIGN.md, principle 11: no input can crash the app).
//!
//! For each argument type a window command passes to the desk, a property builds a valid input
//! from a desk with demo-ish data (services, teams, people, incidents in every state, a major
//! incident with its review), then mutates it: fields replaced by values of the same JSON type
//! (i64::MIN/MAX, 0, -1, 10^14, the limits ± 1, huge and unicode strings, empty ones), by
//! values of any shape, set to null or removed, or the whole input replaced. What deserialises
//! into the type goes to the desk method the command calls. Each property asserts:
//!
//! - no panic (proptest reports one as a failure, with the input);
//! - every refusal is a typed error whose code is not `storage` (a refusal caused by input is
//!   `validation`, `not_found`, `conflict`, `invalid_transition` or `in_use`), a validation
//!   error names its field, and no message grows with the input;
//! - after every accepted write, and every 100 cases, the desk still works: logging, opening,
//!   noting and resolving an incident of each priority, firing deadlines, the list, every
//!   settings page. A bad value that was saved would make one of these panic or fail.
//!
//! `FUZZ_CASES=20000 cargo test --workspace --test core fuzz_inputs` runs a longer search.

use crate::support::{fixture, Fixture};
use incident_desk::domain::limits::{MAX_MINUTES, MAX_USERS};
use incident_desk::domain::major::{
    Audience, CorrectionInput, DeclareInput, MajorCriteria, Template, UpdateInput,
};
use incident_desk::domain::model::*;
use incident_desk::domain::priority::PriorityMatrix;
use incident_desk::domain::review::{ActionInput, ReviewEdit};
use incident_desk::domain::sla::config::{
    CalendarRecord, EscalationRule, QuietHours, ReminderSettings, RuleAction, RuleTrigger,
    SlaPolicy,
};
use incident_desk::Error;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::RefCell;

/// Cases per property (half that for the properties whose accepted calls run the whole
/// health check, a twentieth for PDFs): 42 properties, about 33,000 cases, under a minute in
/// debug on two cores.
const DEFAULT_CASES: u32 = 1_000;

fn cases(after: After) -> u32 {
    let n = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    if after == After::Full {
        n.div_ceil(2)
    } else {
        n
    }
}

// ---- the desk the properties run against ----

/// A category and service of the health check's own, restored before each check in case a
/// random call renamed or deactivated them. The names are ones random text does not produce.
const HEALTH_CATEGORY: &str = "Health check ⚕ 7f3a";
const HEALTH_SERVICE: &str = "Health check service ⚕ 7f3a";
/// A new desk replaces the old one past this many incidents, so each case stays fast.
const MAX_INCIDENTS: i64 = 120;

struct World {
    f: Fixture,
    manager: i64,
    category: i64,
    service: i64,
    /// Incidents in every state: new, assigned, in progress, paused, resolved, verified,
    /// closed, a resolved major incident with its review and a draft review.
    incidents: Vec<i64>,
    major: i64,
    reviewed: i64,
}

impl World {
    fn new() -> World {
        let f = fixture();
        let d = &f.desk;
        let manager = d
            .save_person(&PersonInput {
                name: "Mia Major".into(),
                email: "mia@example.org".into(),
                roles: vec!["major_incident_manager".into()],
                ..Default::default()
            })
            .expect("manager")
            .id;
        let category = d
            .save_category(&CategoryInput {
                id: None,
                name: HEALTH_CATEGORY.into(),
                active: true,
            })
            .expect("category")
            .id;
        let service = d
            .save_service(&ServiceInput {
                name: HEALTH_SERVICE.into(),
                criticality: "critical".into(),
                revenue_generating: true,
                users_served: 5000,
                ..Default::default()
            })
            .expect("service")
            .id;
        let mut p1 = d
            .sla_settings()
            .expect("settings")
            .policies
            .into_iter()
            .find(|p| p.priority == Priority::P1)
            .expect("P1 policy");
        p1.pause_reasons = vec!["Awaiting customer".into()];
        d.save_sla_policy(&p1).expect("pause reasons");
        let new = f.log();
        let assigned = d
            .assign(&AssignInput {
                id: f.log().incident.id,
                expected_version: 1,
                assignee_id: Some(f.colleague.id),
                team_id: Some(f.network_team.id),
            })
            .expect("assigned");
        let in_progress = d
            .acknowledge(&VersionedId {
                id: f.log().incident.id,
                expected_version: 1,
            })
            .expect("acknowledged");
        let paused = d
            .pause(&PauseInput {
                id: f.log().incident.id,
                expected_version: 1,
                reason: "Awaiting customer".into(),
            })
            .expect("paused");
        let resolved = f.resolve(&f.log());
        let verified = f.verify(&f.resolve(&f.log()));
        let closed = f.close(&f.verify(&f.resolve(&f.log())));
        let major = f.log();
        let major = d
            .declare_major(&DeclareInput {
                id: major.incident.id,
                expected_version: major.incident.version,
                reason: "Checkout down for all EU customers".into(),
                manager_id: Some(manager),
                bridge: "https://meet.example.org/inc".into(),
                emergency_change: String::new(),
            })
            .expect("declared");
        let audience = d.communication_settings().expect("comms").audiences[0].id;
        d.send_update(&UpdateInput {
            id: major.incident.id,
            audience_id: Some(audience),
            template: None,
            subject: "Investigating".into(),
            body: "We are on it".into(),
        })
        .expect("update sent");
        let major = f.resolve(&d.get(major.incident.id).expect("major"));
        d.save_review_action(&ActionInput {
            incident_id: major.incident.id,
            id: None,
            text: "Alert on gateway pool exhaustion".into(),
            owner_id: Some(f.colleague.id),
            due_date: Some("2026-04-30".into()),
            status: "open".into(),
            reason: None,
        })
        .expect("action item");
        let reviewed = f.log().incident.id;
        d.create_review(reviewed).expect("review");
        let incidents = [
            &new,
            &assigned,
            &in_progress,
            &paused,
            &resolved,
            &verified,
            &closed,
            &major,
        ]
        .iter()
        .map(|d| d.incident.id)
        .chain([reviewed])
        .collect();
        let w = World {
            manager,
            category,
            service,
            incidents,
            major: major.incident.id,
            reviewed,
            f,
        };
        // An incident keeps the health check's category and service from being deleted.
        w.desk()
            .log(&w.health_incident(Priority::P4))
            .expect("health check incident");
        w
    }

    fn desk(&self) -> &incident_desk::Desk {
        &self.f.desk
    }

    /// One of the world's incidents, with the version it has now.
    fn incident(&self, pick: usize) -> (i64, i64) {
        let id = self.incidents[pick % self.incidents.len()];
        let version = self
            .desk()
            .db()
            .read(|tx| incident_desk::store::incidents::get(tx, id))
            .map(|i| i.version)
            .unwrap_or(1);
        (id, version)
    }

    fn person(&self, pick: usize) -> i64 {
        [self.f.me.id, self.f.colleague.id, self.manager][pick % 3]
    }

    /// The health check's own category, service and operator, as a random call may have
    /// renamed, deactivated or changed them.
    fn restore(&self) -> Result<(), String> {
        let d = self.desk();
        d.save_category(&CategoryInput {
            id: Some(self.category),
            name: HEALTH_CATEGORY.into(),
            active: true,
        })
        .map_err(|e| format!("restoring the health check's category: {e}"))?;
        d.save_service(&ServiceInput {
            id: Some(self.service),
            name: HEALTH_SERVICE.into(),
            criticality: "critical".into(),
            revenue_generating: true,
            users_served: 5000,
            ..Default::default()
        })
        .map_err(|e| format!("restoring the health check's service: {e}"))?;
        d.set_operator(self.f.me.id)
            .map_err(|e| format!("choosing the operator: {e}"))?;
        Ok(())
    }

    fn health_incident(&self, p: Priority) -> NewIncident {
        NewIncident {
            title: format!("Health check {}", p.as_str()),
            description: "Is the desk still working?".into(),
            category_id: Some(self.category),
            service_id: Some(self.service),
            reporter_name: "Health Check".into(),
            reporter_contact: "health@example.org".into(),
            channel: "monitoring".into(),
            impact: "extensive".into(),
            urgency: "critical".into(),
            priority_override: Some(p.as_str().into()),
            priority_override_reason: Some("Health check of every priority".into()),
            ..Default::default()
        }
    }

    /// An incident of some priority still logs and opens.
    fn light_health(&self, pick: usize) -> Result<(), String> {
        let d = self.desk();
        let p = Priority::ALL[pick % 4];
        self.restore()?;
        let inc = d
            .log(&self.health_incident(p))
            .map_err(|e| format!("logging a {} incident: {e}", p.as_str()))?;
        d.get(inc.incident.id)
            .map_err(|e| format!("opening it: {e}"))?;
        Ok(())
    }

    /// The desk still does everything a user does every day.
    fn health(&self) -> Result<(), String> {
        let d = self.desk();
        let step = |what: &str, r: Result<(), Error>| r.map_err(|e| format!("{what}: {e}"));
        self.restore()?;
        let mut logged = Vec::new();
        for p in Priority::ALL {
            let inc = d
                .log(&self.health_incident(*p))
                .map_err(|e| format!("logging a {} incident: {e}", p.as_str()))?;
            step("opening it", d.get(inc.incident.id).map(drop))?;
            logged.push(inc);
        }
        let first = &logged[0];
        step(
            "adding a note",
            d.add_note(&NoteInput {
                id: first.incident.id,
                expected_version: first.incident.version,
                text: "Still looking".into(),
            })
            .map(drop),
        )?;
        let last = &logged[3];
        step(
            "resolving",
            d.resolve(&ResolveInput {
                id: last.incident.id,
                expected_version: last.incident.version,
                resolution_code: "fixed".into(),
                resolution_notes: "Restarted".into(),
            })
            .map(drop),
        )?;
        step("the major view", d.major_view(first.incident.id).map(drop))?;
        self.f.clock.advance(chrono::Duration::minutes(37));
        step("firing deadlines", d.fire_due().map(drop))?;
        step(
            "the list",
            d.list(&IncidentQuery {
                text: Some("health check".into()),
                ..Default::default()
            })
            .map(drop),
        )?;
        step("the list", d.list(&IncidentQuery::default()).map(drop))?;
        let sla = d.sla_settings().map_err(|e| format!("SLA settings: {e}"))?;
        let comms = d
            .communication_settings()
            .map_err(|e| format!("communication settings: {e}"))?;
        within_limits(&sla, &comms)?;
        step("reference data", d.reference_data().map(drop))?;
        step("alerts", d.alerts(200).map(drop))?;
        step("desk info", d.info().map(drop))?;
        step("the major incident", d.get(self.major).map(drop))?;
        step("its review", d.review(self.major).map(drop))?;
        step("the draft review", d.review(self.reviewed).map(drop))?;
        Ok(())
    }
}

/// Every number saved in the settings lies within its documented limit.
fn within_limits(
    sla: &incident_desk::desk::SlaSettings,
    comms: &incident_desk::desk::CommunicationSettings,
) -> Result<(), String> {
    let minutes = 1..=MAX_MINUTES;
    let mut saved: Vec<(&str, i64)> = Vec::new();
    for p in &sla.policies {
        saved.push(("response_minutes", p.response_minutes));
        saved.push(("resolution_minutes", p.resolution_minutes));
    }
    for r in &sla.rules {
        saved.push(("after_minutes", r.after_minutes));
    }
    for m in sla.reminders.update_minutes.iter().flatten() {
        saved.push(("update_minutes", *m));
    }
    if let Some(m) = sla.reminders.closure_minutes {
        saved.push(("closure_minutes", m));
    }
    saved.push(("revenue_down_minutes", comms.criteria.revenue_down_minutes));
    if let Some((field, value)) = saved.iter().find(|(_, v)| !minutes.contains(v)) {
        return Err(format!("{field} {value} was saved beyond the limit"));
    }
    let c = &comms.criteria;
    if !(1..=MAX_USERS).contains(&c.users_threshold)
        || !(1..=100).contains(&c.p1_breach_likely_percent)
    {
        return Err(format!("major criteria saved beyond the limits: {c:?}"));
    }
    if let Some(a) = comms
        .audiences
        .iter()
        .find(|a| !(1..=1440).contains(&a.cadence_minutes))
    {
        return Err(format!("audience cadence saved beyond the limit: {a:?}"));
    }
    Ok(())
}

// ---- random JSON ----

/// Numbers that break arithmetic or sit on a limit.
fn int() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => prop::sample::select(vec![
            i64::MIN,
            i64::MIN + 1,
            -1,
            0,
            1,
            2,
            15,
            99,
            100,
            101,
            1_440,
            1_441,
            5_256_000,
            5_256_001,
            10_000_000,
            10_000_001,
            100_000_000_000_000,
            200_000_000_000_000,
            i64::MAX / 60_000,
            i64::MAX / 60_000 + 1,
            i64::MAX / 1_000,
            i64::MAX - 1,
            i64::MAX,
        ]),
        2 => -5i64..40,
        1 => any::<i64>(),
    ]
    .boxed()
}

/// Words the inputs know (so a mutation can reach deep rules), dates, zones, FTS syntax.
const WORDS: &[&str] = &[
    "",
    " ",
    "x",
    "P1",
    "P3",
    "P4",
    "extensive",
    "minor",
    "critical",
    "low",
    "phone",
    "fixed",
    "other",
    "functional",
    "hierarchical",
    "monitoring_data",
    "reporter_confirmed",
    "open",
    "closed",
    "done",
    "in_progress",
    "new",
    "resolved",
    "specialist",
    "vendor",
    "major_incident_manager",
    "service_desk_analyst",
    "Awaiting customer",
    "Executives",
    "Investigating",
    "Network",
    "2026-03-02T08:00:00Z",
    "2026-03-02T09:00:00+01:00",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "2026-12-25",
    "+262143-12-31",
    "-0001-01-01",
    "08:00",
    "17:00",
    "24:00",
    "Europe/London",
    "Pacific/Kiritimati",
    "Not/AZone",
    "{number} {bogus}",
    "{",
    "ünïcödé 🚨 עברית 漢字",
    "\u{0}\u{202e}\u{feff}",
    "\"* OR NEAR(a b) -",
    "a4",
    "letter",
];

/// Texts one past a limit (or at it), huge, or many words or lines.
fn long(which: usize) -> String {
    match which {
        0 => "x".repeat(201),
        1 => "é".repeat(101),
        2 => "y".repeat(1_001),
        3 => "q".repeat(501),
        4 => "word ".repeat(33),
        5 => "z".repeat(100_001),
        6 => "é".repeat(100_000),
        7 => "2026-12-25, Christmas\n".repeat(2_500),
        8 => (0..40)
            .map(|i| format!("{:04}-01-0{}\n", 1890 + i * 40, 1 + i % 9))
            .collect(),
        _ => "m".repeat(1_000_000),
    }
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(String::from),
        2 => "\\PC{0,24}",
        1 => (0usize..10).prop_map(long),
    ]
    .boxed()
}

/// Keys the inputs use, so random objects sometimes look like real ones.
const KEYS: &[&str] = &[
    "id",
    "expected_version",
    "name",
    "text",
    "reason",
    "priority",
    "after_minutes",
    "create",
    "calendar",
    "audience",
    "template",
    "week",
    "holidays",
    "day",
    "x",
];

fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        int().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
    .boxed()
}

/// One change to a valid input.
#[derive(Debug, Clone)]
struct Mutation {
    /// Which node of the input (root, field, element), modulo their number.
    at: usize,
    /// 0–1 same JSON type, 2 any value, 3 removed, 4 null.
    how: u8,
    int: i64,
    text: String,
    any: Value,
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = (any::<usize>(), 0u8..5, int(), text(), any_json()).prop_map(
        |(at, how, int, text, any)| Mutation {
            at,
            how,
            int,
            text,
            any,
        },
    );
    prop::collection::vec(one, 0..4)
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                prefix.push(Step::Key(k.clone()));
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(Step::Index(i));
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// A value of the same JSON type as `old`, from the mutation's material.
fn same_kind(old: &Value, m: &Mutation) -> Value {
    match old {
        Value::Number(_) => m.int.into(),
        Value::String(_) => m.text.clone().into(),
        Value::Bool(b) => (!b).into(),
        Value::Array(a) => {
            let mut a = a.clone();
            match a.first().map(|first| same_kind(first, m)) {
                Some(extra) if m.at.is_multiple_of(2) => a.push(extra),
                _ => a.clear(),
            }
            Value::Array(a)
        }
        // An optional field left null: a number or a text are its likely types.
        Value::Null if m.at.is_multiple_of(2) => m.int.into(),
        Value::Null => m.text.clone().into(),
        Value::Object(_) => m.any.clone(),
    }
}

fn apply(v: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = &all[m.at % all.len()];
    if m.how == 3 {
        if let Some((last, parent)) = path.split_last() {
            match (node(v, parent), last) {
                (Some(Value::Object(o)), Step::Key(k)) => {
                    o.remove(k);
                }
                (Some(Value::Array(a)), Step::Index(i)) if *i < a.len() => {
                    a.remove(*i);
                }
                _ => {}
            }
            return;
        }
    }
    if let Some(slot) = node(v, path) {
        *slot = match m.how {
            0 | 1 => same_kind(slot, m),
            2 => m.any.clone(),
            _ => Value::Null,
        };
    }
}

/// A short form of an input for failure messages.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(600) {
        Some((i, _)) => format!("{}… ({} bytes)", &s[..i], s.len()),
        None => s,
    }
}

// ---- the properties ----

fn check_refusal(e: &Error, input: &Value) -> Result<(), TestCaseError> {
    prop_assert!(
        !matches!(e.code(), "storage" | "incompatible_database"),
        "input caused a {} error: {e}\ninput: {}",
        e.code(),
        brief(input)
    );
    if let Error::Validation { field, message } = e {
        prop_assert!(!field.is_empty(), "validation without a field: {message}");
        prop_assert!(!message.trim().is_empty(), "validation without a message");
    }
    let n = e.to_string().chars().count();
    prop_assert!(
        n <= 12_000,
        "a {n}-character message: messages must not grow with the input\ninput: {}",
        brief(input)
    );
    Ok(())
}

/// What is checked after an accepted call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// A setting or record every deadline or criterion may depend on: the whole health check.
    Full,
    /// A record of its own: one incident logged and opened (the whole check every 100 cases).
    Light,
    /// A read.
    Nothing,
}

/// Runs one property: `template` builds a valid input for the current desk from a random
/// pick, mutations change it, and `call` passes what deserialises into `T` to the desk.
fn property<T: DeserializeOwned, R>(
    name: &str,
    after: After,
    template: impl Fn(&World, usize) -> Value,
    call: impl Fn(&World, &T) -> Result<R, Error>,
) {
    property_with(name, after, cases(after), template, call)
}

/// [`property`] with its own number of cases.
fn property_with<T: DeserializeOwned, R>(
    name: &str,
    after: After,
    cases: u32,
    template: impl Fn(&World, usize) -> Value,
    call: impl Fn(&World, &T) -> Result<R, Error>,
) {
    let started = std::time::Instant::now();
    let world = RefCell::new(World::new());
    let count = std::cell::Cell::new(0u32);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let result = runner.run(&(any::<usize>(), mutations()), |(pick, muts)| {
        count.set(count.get() + 1);
        if count.get().is_multiple_of(20) {
            let too_many = world
                .borrow()
                .desk()
                .info()
                .map(|i| i.incident_count > MAX_INCIDENTS)
                .unwrap_or(true);
            if too_many {
                *world.borrow_mut() = World::new();
            }
        }
        let w = world.borrow();
        let mut input = template(&w, pick);
        for m in &muts {
            apply(&mut input, m);
        }
        let Ok(typed) = serde_json::from_value::<T>(input.clone()) else {
            return Ok(());
        };
        match call(&w, &typed) {
            // An input left as built is known to be good: checking after it adds nothing.
            Ok(_) if after != After::Nothing && !muts.is_empty() => {
                let check = if after == After::Full {
                    w.health()
                } else {
                    w.light_health(pick)
                };
                if let Err(e) = check {
                    return Err(TestCaseError::fail(format!(
                        "{name}: the desk stopped working after accepting {}: {e}",
                        brief(&input)
                    )));
                }
            }
            Ok(_) => {}
            Err(e) => check_refusal(&e, &input)?,
        }
        if count.get().is_multiple_of(100) {
            if let Err(e) = w.health() {
                return Err(TestCaseError::fail(format!(
                    "{name}: the desk stopped working (last input {}): {e}",
                    brief(&input)
                )));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    if std::env::var_os("FUZZ_TIMES").is_some() {
        eprintln!("{name}: {:?}", started.elapsed());
    }
    let end = world.borrow().health();
    if let Err(e) = end {
        panic!("{name}: the desk stopped working by the end of the run: {e}");
    }
}

// The shapes the shell's own wrapper types give (src-tauri/src/commands/*.rs).

#[derive(Deserialize)]
struct IdInput {
    id: i64,
}

#[derive(Deserialize)]
struct OperatorInput {
    person_id: i64,
}

#[derive(Deserialize)]
struct PreviewInput {
    impact: String,
    urgency: String,
}

#[derive(Deserialize)]
struct CalendarInput {
    #[serde(default)]
    create: bool,
    calendar: CalendarRecord,
}

#[derive(Deserialize)]
struct HolidayImport {
    calendar_id: i64,
    text: String,
}

#[derive(Deserialize)]
struct MarkRead {
    ids: Option<Vec<i64>>,
}

#[derive(Deserialize)]
struct AudienceInput {
    #[serde(default)]
    create: bool,
    audience: Audience,
}

#[derive(Deserialize)]
struct TemplateInput {
    #[serde(default)]
    create: bool,
    template: Template,
}

#[derive(Deserialize)]
struct DraftInput {
    id: i64,
    template_id: i64,
    audience_id: i64,
}

#[derive(Deserialize)]
struct FinaliseInput {
    id: i64,
    expected_version: i64,
}

#[derive(Deserialize)]
struct OrganisationInput {
    name: String,
}

fn to_json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).expect("serialisable")
}

// -- settings --

#[test]
fn random_operators_never_crash_the_desk() {
    property(
        "set_operator",
        After::Light,
        |w, pick| json!({"person_id": w.person(pick)}),
        |w, i: &OperatorInput| w.desk().set_operator(i.person_id),
    );
}

#[test]
fn random_services_never_crash_the_desk() {
    property(
        "save_service",
        After::Full,
        |w, pick| {
            to_json(ServiceInput {
                id: (pick % 2 == 0).then_some(w.f.service),
                name: format!("Service {pick}"),
                description: "What it does".into(),
                owner_id: Some(w.person(pick)),
                criticality: "high".into(),
                revenue_generating: pick % 3 == 0,
                users_served: 1500,
            })
        },
        |w, i: &ServiceInput| w.desk().save_service(i),
    );
}

#[test]
fn random_teams_never_crash_the_desk() {
    property(
        "save_team",
        After::Full,
        |w, pick| {
            to_json(TeamInput {
                id: (pick % 2 == 0).then_some(w.f.network_team.id),
                name: format!("Team {pick}"),
                tier: "specialist".into(),
                contact: "team@example.org".into(),
                expected_response_minutes: 15,
            })
        },
        |w, i: &TeamInput| w.desk().save_team(i),
    );
}

#[test]
fn random_people_never_crash_the_desk() {
    property(
        "save_person",
        After::Light,
        |w, pick| {
            to_json(PersonInput {
                id: (pick % 2 == 0).then_some(w.f.colleague.id),
                name: format!("Person {pick}"),
                email: "p@example.org".into(),
                phone: "+44 20 7946 0000".into(),
                team_id: Some(w.f.network_team.id),
                roles: vec!["technical_specialist".into(), "incident_manager".into()],
            })
        },
        |w, i: &PersonInput| w.desk().save_person(i),
    );
}

#[test]
fn random_categories_never_crash_the_desk() {
    property(
        "save_category",
        After::Light,
        |w, pick| {
            to_json(CategoryInput {
                id: (pick % 2 == 0).then_some(w.f.network),
                name: format!("Category {pick}"),
                active: pick % 3 != 0,
            })
        },
        |w, i: &CategoryInput| w.desk().save_category(i),
    );
}

#[test]
fn random_deletions_never_crash_the_desk() {
    property(
        "delete_service/team/person/category",
        After::Light,
        |w, pick| json!({"id": w.person(pick), "kind": pick % 4}),
        |w, i: &IdInput| match i.id.rem_euclid(4) {
            0 => w.desk().delete_service(i.id),
            1 => w.desk().delete_team(i.id),
            2 => w.desk().delete_person(i.id),
            _ => w.desk().delete_category(i.id),
        },
    );
}

#[test]
fn random_priority_matrices_never_crash_the_desk() {
    property(
        "save_priority_matrix",
        After::Full,
        |_, _| to_json(PriorityMatrix::default()),
        |w, i: &PriorityMatrix| w.desk().save_priority_matrix(i),
    );
}

#[test]
fn random_priority_previews_never_crash_the_desk() {
    property(
        "preview_priority",
        After::Nothing,
        |_, _| json!({"impact": "significant", "urgency": "high"}),
        |w, i: &PreviewInput| w.desk().preview_priority(&i.impact, &i.urgency),
    );
}

#[test]
fn random_organisation_names_never_crash_the_desk() {
    property(
        "set_organisation",
        After::Light,
        |_, pick| json!({"name": format!("Example Ltd {pick}")}),
        |w, i: &OrganisationInput| w.desk().set_organisation(&i.name),
    );
}

// -- incidents --

#[test]
fn random_new_incidents_never_crash_the_desk() {
    property(
        "log_incident",
        After::Full,
        |w, pick| {
            to_json(NewIncident {
                detected_at: Some("2026-03-02T09:00:00Z".into()),
                started_at: Some("2026-03-02T08:45:00Z".into()),
                users_affected: Some(1200),
                priority_override: Some(["P1", "P2", "P3", "P4"][pick % 4].into()),
                priority_override_reason: Some("Board meeting in an hour".into()),
                category_id: Some(w.category),
                service_id: Some(w.service),
                ..w.f.new_incident()
            })
        },
        |w, i: &NewIncident| w.desk().log(i),
    );
}

#[test]
fn random_list_queries_never_crash_the_desk() {
    property(
        "list_incidents",
        After::Nothing,
        |w, pick| {
            json!({
                "status": (["new", "assigned", "resolved", ""][pick % 4]),
                "priority": (["P1", "P2", ""][pick % 3]),
                "category_id": w.f.application,
                "service_id": w.f.other_service,
                "assignee_id": w.f.colleague.id,
                "team_id": w.f.network_team.id,
                "state": (["open", "closed", "all"][pick % 3]),
                "text": "checkout 503",
                "sort": (["priority", "age", "last_update"][pick % 3]),
                "offset": 0,
                "limit": 50,
            })
        },
        |w, i: &IncidentQuery| w.desk().list(i),
    );
}

#[test]
fn random_incident_ids_never_crash_the_desk() {
    property(
        "get_incident",
        After::Nothing,
        |w, pick| json!({"id": w.incident(pick).0}),
        |w, i: &IdInput| w.desk().get(i.id),
    );
}

#[test]
fn random_incident_edits_never_crash_the_desk() {
    property(
        "update_incident",
        After::Full,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v, "changes": {
                "title": "Checkout slow", "description": "Slow since 09:00",
                "category_id": w.f.network, "service_id": w.f.service,
                "reporter_name": "Laura", "reporter_contact": "laura@example.org",
                "channel": "email", "started_at": "2026-03-02T08:30:00Z",
                "users_affected": 40, "impact": "moderate", "urgency": "medium",
                "priority_override": "P2", "priority_override_reason": "VIP",
            }})
        },
        |w, i: &UpdateIncident| w.desk().update(i),
    );
}

#[test]
fn random_assignments_never_crash_the_desk() {
    property(
        "assign_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(AssignInput {
                id,
                expected_version: v,
                assignee_id: Some(w.person(pick / 7)),
                team_id: Some(w.f.network_team.id),
            })
        },
        |w, i: &AssignInput| w.desk().assign(i),
    );
}

#[test]
fn random_acknowledgements_and_resumes_never_crash_the_desk() {
    property(
        "acknowledge_incident/resume_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v})
        },
        |w, i: &VersionedId| {
            if i.expected_version % 2 == 0 {
                w.desk().acknowledge(i)
            } else {
                w.desk().resume(i)
            }
        },
    );
}

#[test]
fn random_notes_never_crash_the_desk() {
    property(
        "add_note",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v, "text": "Called the vendor"})
        },
        |w, i: &NoteInput| w.desk().add_note(i),
    );
}

#[test]
fn random_escalations_never_crash_the_desk() {
    property(
        "escalate_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(EscalateInput {
                id,
                expected_version: v,
                kind: ["functional", "hierarchical"][pick % 2].into(),
                team_id: Some(w.f.network_team.id),
                person_id: Some(w.manager),
                reason: "Needs the network team".into(),
            })
        },
        |w, i: &EscalateInput| w.desk().escalate(i),
    );
}

#[test]
fn random_workarounds_never_crash_the_desk() {
    property(
        "record_workaround",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v, "workaround": "Use the US shop"})
        },
        |w, i: &WorkaroundInput| w.desk().record_workaround(i),
    );
}

#[test]
fn random_resolutions_never_crash_the_desk() {
    property(
        "resolve_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(ResolveInput {
                id,
                expected_version: v,
                resolution_code: "fixed".into(),
                resolution_notes: "Restarted the pool".into(),
            })
        },
        |w, i: &ResolveInput| w.desk().resolve(i),
    );
}

#[test]
fn random_verifications_never_crash_the_desk() {
    property(
        "verify_resolution",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(VerifyInput {
                id,
                expected_version: v,
                method: "functional_test".into(),
                notes: "Checkout works".into(),
            })
        },
        |w, i: &VerifyInput| w.desk().verify(i),
    );
}

#[test]
fn random_closures_never_crash_the_desk() {
    property(
        "close_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(CloseInput {
                id,
                expected_version: v,
                closure_notes: "Pool size raised".into(),
            })
        },
        |w, i: &CloseInput| w.desk().close(i),
    );
}

#[test]
fn random_reopenings_never_crash_the_desk() {
    property(
        "reopen_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v, "reason": "It came back"})
        },
        |w, i: &ReopenInput| w.desk().reopen(i),
    );
}

#[test]
fn random_pauses_never_crash_the_desk() {
    property(
        "pause_incident",
        After::Light,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v, "reason": "Awaiting customer"})
        },
        |w, i: &PauseInput| w.desk().pause(i),
    );
}

// -- SLA settings --

#[test]
fn random_sla_policies_never_crash_the_desk() {
    property(
        "save_sla_policy",
        After::Full,
        |w, pick| {
            let mut p = w.desk().sla_settings().expect("settings").policies[pick % 4].clone();
            p.pause_reasons = vec!["Awaiting customer".into(), "Vendor".into()];
            to_json(p)
        },
        |w, i: &SlaPolicy| w.desk().save_sla_policy(i),
    );
}

#[test]
fn random_calendars_never_crash_the_desk() {
    property(
        "save_calendar",
        After::Full,
        |w, pick| {
            let mut c = w.desk().sla_settings().expect("settings").calendars[pick % 2].clone();
            c.holidays = vec![incident_desk::domain::sla::config::Holiday {
                day: chrono::NaiveDate::from_ymd_opt(2026, 12, 25).expect("date"),
                name: "Christmas Day".into(),
            }];
            if c.time_zone.is_empty() {
                c.time_zone = "Europe/London".into();
            }
            let create = pick % 3 == 0;
            if create {
                c.name = format!("Calendar {pick}");
            }
            json!({"create": create, "calendar": c})
        },
        |w, i: &CalendarInput| w.desk().save_calendar(&i.calendar, i.create),
    );
}

#[test]
fn random_holiday_imports_never_crash_the_desk() {
    property(
        "import_holidays",
        After::Full,
        |_, pick| {
            json!({"calendar_id": 1 + (pick % 2) as i64,
                   "text": "2026-12-25, Christmas Day\n# comment\n2027-01-01;New Year\n2027-04-05"})
        },
        |w, i: &HolidayImport| w.desk().import_holidays(i.calendar_id, &i.text),
    );
}

#[test]
fn random_escalation_rules_never_crash_the_desk() {
    property(
        "save_escalation_rule",
        After::Full,
        |w, pick| {
            let existing = w.desk().sla_settings().expect("settings").rules;
            to_json(EscalationRule {
                id: existing
                    .first()
                    .filter(|_| pick % 2 == 0)
                    .and_then(|r| r.id),
                name: format!("Rule {pick}"),
                active: true,
                priority: Some(Priority::ALL[pick % 4]),
                category_id: Some(w.f.application),
                service_id: None,
                team_id: None,
                tier: Some("specialist".into()),
                trigger: [RuleTrigger::Unacknowledged, RuleTrigger::Unresolved][pick % 2],
                after_minutes: 15,
                action: [
                    RuleAction::EscalateTeam,
                    RuleAction::NotifyPerson,
                    RuleAction::RaisePriority,
                ][pick % 3],
                target_team_id: Some(w.f.network_team.id),
                target_person_id: Some(w.f.colleague.id),
                target_priority: Some(Priority::P1),
                reason: "Unresolved too long".into(),
            })
        },
        |w, i: &EscalationRule| w.desk().save_escalation_rule(i),
    );
}

#[test]
fn random_reminder_settings_never_crash_the_desk() {
    property(
        "save_reminders",
        After::Full,
        |_, _| {
            to_json(ReminderSettings {
                update_minutes: [Some(15), Some(60), Some(240), None],
                closure_minutes: Some(1440),
                quiet_hours: Some(QuietHours {
                    from: "22:00".into(),
                    to: "07:00".into(),
                    time_zone: "Europe/London".into(),
                }),
            })
        },
        |w, i: &ReminderSettings| w.desk().save_reminders(i),
    );
}

#[test]
fn random_alert_ids_never_crash_the_desk() {
    property(
        "mark_alerts_read",
        After::Light,
        |_, pick| json!({"ids": [1, 2, pick % 50]}),
        |w, i: &MarkRead| w.desk().mark_alerts_read(i.ids.as_deref()),
    );
}

// -- major incidents, communication, reviews --

#[test]
fn random_declarations_never_crash_the_desk() {
    property(
        "declare_major",
        After::Full,
        |w, pick| {
            let (id, v) = w.incident(pick);
            to_json(DeclareInput {
                id,
                expected_version: v,
                reason: "Revenue service down".into(),
                manager_id: Some(w.manager),
                bridge: "https://meet.example.org/x".into(),
                emergency_change: "CHG-1".into(),
            })
        },
        |w, i: &DeclareInput| w.desk().declare_major(i),
    );
}

#[test]
fn random_major_views_never_crash_the_desk() {
    property(
        "major_view",
        After::Nothing,
        |w, pick| json!({"id": w.incident(pick).0}),
        |w, i: &IdInput| w.desk().major_view(i.id),
    );
}

#[test]
fn random_audiences_never_crash_the_desk() {
    property(
        "save_audience",
        After::Full,
        |w, pick| {
            let mut a =
                w.desk().communication_settings().expect("comms").audiences[pick % 3].clone();
            let create = pick % 3 == 0;
            if create {
                a.name = format!("Audience {pick}");
            }
            json!({"create": create, "audience": a})
        },
        |w, i: &AudienceInput| w.desk().save_audience(&i.audience, i.create),
    );
}

#[test]
fn random_templates_never_crash_the_desk() {
    property(
        "save_template",
        After::Full,
        |w, pick| {
            let ts = w.desk().communication_settings().expect("comms").templates;
            let mut t = ts[pick % ts.len()].clone();
            let create = pick % 3 == 0;
            if create {
                t.name = format!("Template {pick}");
            }
            json!({"create": create, "template": t})
        },
        |w, i: &TemplateInput| w.desk().save_template(&i.template, i.create),
    );
}

#[test]
fn random_major_criteria_never_crash_the_desk() {
    property(
        "save_major_criteria",
        After::Full,
        |_, _| to_json(MajorCriteria::default()),
        |w, i: &MajorCriteria| w.desk().save_major_criteria(i),
    );
}

#[test]
fn random_drafts_never_crash_the_desk() {
    property(
        "draft_update",
        After::Nothing,
        |w, pick| json!({"id": w.major, "template_id": 1 + (pick % 3) as i64, "audience_id": 1 + (pick % 3) as i64}),
        |w, i: &DraftInput| w.desk().draft_update(i.id, i.template_id, i.audience_id),
    );
}

#[test]
fn random_stakeholder_updates_never_crash_the_desk() {
    property(
        "send_update",
        After::Full,
        |w, pick| {
            to_json(UpdateInput {
                id: w.incident(pick).0,
                audience_id: Some(1 + (pick % 3) as i64),
                template: Some("Investigating".into()),
                subject: "Checkout disruption".into(),
                body: "We are investigating".into(),
            })
        },
        |w, i: &UpdateInput| w.desk().send_update(i),
    );
}

#[test]
fn random_milestone_corrections_never_crash_the_desk() {
    property(
        "correct_milestone",
        After::Full,
        |w, pick| {
            let (id, v) = w.incident(pick);
            json!({"id": id, "expected_version": v,
                   "milestone": (["started", "detected", "workaround_available", "resolved"][pick % 4]),
                   "at": "2026-03-02T08:30:00Z", "reason": "The monitoring log shows it"})
        },
        |w, i: &CorrectionInput| w.desk().correct_milestone(i),
    );
}

#[test]
fn random_review_creation_and_reading_never_crash_the_desk() {
    property(
        "create_review/get_review",
        After::Light,
        |w, pick| json!({"id": w.incident(pick).0}),
        |w, i: &IdInput| {
            if i.id % 2 == 0 {
                w.desk().create_review(i.id)
            } else {
                w.desk().review(i.id)
            }
        },
    );
}

#[test]
fn random_review_edits_never_crash_the_desk() {
    property(
        "edit_review",
        After::Light,
        |w, pick| {
            let id = [w.major, w.reviewed][pick % 2];
            let version = w.desk().review(id).map(|r| r.review.version).unwrap_or(1);
            to_json(ReviewEdit {
                incident_id: id,
                expected_version: version,
                summary: Some(format!("Summary {pick}")),
                detection: Some("Monitoring".into()),
                technical_response: Some("Restarted".into()),
                escalation_analysis: Some(format!("Escalated late {pick}")),
                communication_analysis: Some("Executives informed".into()),
                went_well: Some("Fast bridge".into()),
                went_badly: Some("Late update".into()),
                problem_ref: Some("PRB-1".into()),
                reason: Some("Typo".into()),
            })
        },
        |w, i: &ReviewEdit| w.desk().edit_review(i),
    );
}

#[test]
fn random_review_actions_never_crash_the_desk() {
    property(
        "save_review_action",
        After::Light,
        |w, pick| {
            to_json(ActionInput {
                incident_id: [w.major, w.reviewed][pick % 2],
                id: None,
                text: "Add an alert".into(),
                owner_id: Some(w.person(pick)),
                due_date: Some("2026-04-30".into()),
                status: ["open", "in_progress", "done"][pick % 3].into(),
                reason: Some("Follow-up".into()),
            })
        },
        |w, i: &ActionInput| w.desk().save_review_action(i),
    );
}

#[test]
fn random_review_finalisations_never_crash_the_desk() {
    property(
        "finalise_review",
        After::Light,
        |w, pick| {
            let id = [w.major, w.reviewed][pick % 2];
            let version = w.desk().review(id).map(|r| r.review.version).unwrap_or(1);
            json!({"id": id, "expected_version": version})
        },
        |w, i: &FinaliseInput| w.desk().finalise_review(i.id, i.expected_version),
    );
}

#[test]
fn random_review_texts_print_without_crashing() {
    // Rendering a PDF takes a while in a debug build: fewer cases.
    property_with(
        "edit_review + export_review_pdf",
        After::Light,
        cases(After::Full).div_ceil(10),
        |w, pick| {
            let version = w
                .desk()
                .review(w.reviewed)
                .map(|r| r.review.version)
                .unwrap_or(1);
            to_json(ReviewEdit {
                incident_id: w.reviewed,
                expected_version: version,
                summary: Some(format!("Summary {pick} — ünïcödé 🚨 漢字")),
                detection: Some("Monitoring".into()),
                technical_response: Some("Restarted".into()),
                escalation_analysis: Some(format!("Escalated late {pick}")),
                communication_analysis: Some("Executives informed".into()),
                went_well: Some("Fast bridge".into()),
                went_badly: Some("Late update".into()),
                problem_ref: Some("PRB-1".into()),
                reason: None,
            })
        },
        |w, i: &ReviewEdit| {
            let edited = w.desk().edit_review(i);
            let paper = if i.expected_version % 2 == 0 {
                incident_desk::domain::report::PaperSize::A4
            } else {
                incident_desk::domain::report::PaperSize::Letter
            };
            let pdf = w.desk().review_pdf(w.reviewed, paper)?;
            assert!(pdf.starts_with(b"%PDF"), "a PDF");
            edited
        },
    );
}
