//! A seeded generator of realistic incident data: the demo data offered on first run and the
//! data set of the benchmarks.
//!
//! It writes through the same `actions` functions as real use (with its own clock and actors), so
//! every generated incident has the history a real one would have: logged, assigned,
//! acknowledged, escalated, resolved, verified, closed — as far as its age allows.

use crate::actions;
use crate::domain::model::*;
use crate::store::catalog;
use crate::store::events::Actor;
use crate::Result;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

/// A small, fast, deterministic PRNG (SplitMix64): the same seed gives the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// How much data to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub seed: u64,
    pub incidents: usize,
    /// Incidents are logged over this many days before `now`.
    pub spread_days: i64,
}

impl Spec {
    /// The few dozen incidents offered on first run.
    pub fn demo() -> Spec {
        Spec {
            seed: 42,
            incidents: 40,
            spread_days: 21,
        }
    }
}

/// Ids of the generated basics the incidents refer to.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub people: Vec<Actor>,
    pub teams: Vec<i64>,
    pub services: Vec<i64>,
    pub categories: Vec<(i64, String)>,
    pub managers: Vec<i64>,
}

const TEAMS: &[(&str, &str, &str, i64)] = &[
    (
        "Service Desk",
        "service_desk",
        "servicedesk@example.org · ext. 4000",
        10,
    ),
    (
        "Network Team",
        "specialist",
        "network@example.org · +44 20 7946 0101",
        15,
    ),
    (
        "Application Support",
        "specialist",
        "appsupport@example.org · ext. 4100",
        30,
    ),
    (
        "Infrastructure",
        "specialist",
        "infra@example.org · ext. 4200",
        30,
    ),
    (
        "Security Operations",
        "specialist",
        "soc@example.org · +44 20 7946 0199 (24×7)",
        15,
    ),
    (
        "Northwind Telecom",
        "vendor",
        "support@northwind.example · contract NW-2291",
        60,
    ),
];

const PEOPLE: &[(&str, &str, usize, &[&str])] = &[
    (
        "Amira Haddad",
        "+44 20 7946 0001",
        0,
        &["service_desk_analyst", "incident_manager"],
    ),
    (
        "Jonas Berg",
        "+44 20 7946 0002",
        0,
        &["service_desk_analyst"],
    ),
    (
        "Chloé Martin",
        "+44 20 7946 0003",
        0,
        &["service_desk_analyst"],
    ),
    (
        "Priya Nair",
        "+44 20 7946 0004",
        1,
        &["technical_specialist"],
    ),
    (
        "Tomasz Nowak",
        "+44 20 7946 0005",
        1,
        &["technical_specialist", "major_incident_manager"],
    ),
    (
        "Grace O'Neill",
        "+44 20 7946 0006",
        2,
        &["technical_specialist"],
    ),
    (
        "Mateo García",
        "+44 20 7946 0007",
        2,
        &["technical_specialist", "service_owner"],
    ),
    (
        "Yuki Tanaka",
        "+44 20 7946 0008",
        3,
        &["technical_specialist"],
    ),
    (
        "Samuel Okafor",
        "+44 20 7946 0009",
        4,
        &["technical_specialist", "major_incident_manager"],
    ),
    (
        "Helen Fischer",
        "+44 20 7946 0010",
        0,
        &["incident_manager", "service_owner"],
    ),
];

const SERVICES: &[(&str, &str, &str, bool, i64)] = &[
    (
        "Web Shop Checkout",
        "Customer checkout and payment pages",
        "critical",
        true,
        25000,
    ),
    (
        "E-mail",
        "Exchange Online mailboxes and calendars",
        "high",
        false,
        1200,
    ),
    (
        "CRM",
        "Customer relationship management (sales, support)",
        "high",
        true,
        300,
    ),
    ("VPN", "Remote access for staff", "high", false, 800),
    (
        "Office Wi-Fi",
        "Wireless network at the head office",
        "medium",
        false,
        900,
    ),
    (
        "Payroll",
        "Monthly payroll and expenses",
        "high",
        false,
        1200,
    ),
    (
        "File Shares",
        "Departmental network drives",
        "medium",
        false,
        1100,
    ),
    (
        "Printing",
        "Office printers and scanning",
        "low",
        false,
        1200,
    ),
];

/// (category, service index into SERVICES, impact, urgency, title, description) templates:
/// each problem has the scope and urgency it would really have.
const PROBLEMS: &[(&str, usize, &str, &str, &str, &str)] = &[
    ("Network", 3, "significant", "high", "VPN drops every few minutes", "Remote staff are disconnected from the VPN every 3–5 minutes since this morning; reconnecting works briefly."),
    ("Network", 4, "moderate", "high", "Office Wi-Fi unavailable on floor 3", "No access point on floor 3 answers; wired desks work. About 60 people affected."),
    ("Network", 6, "moderate", "medium", "Slow access to file shares from branch", "Opening documents on the department drive takes over a minute from the branch office."),
    ("Application", 0, "extensive", "critical", "Checkout returns 503 for some customers", "Customers in the EU region get HTTP 503 on the payment step since 14:23 UTC; orders are lost."),
    ("Application", 2, "significant", "medium", "CRM search times out", "Searching accounts in the CRM times out after 30 s; opening an account by link works."),
    ("Application", 5, "moderate", "high", "Payroll export fails with error 0x80004005", "The monthly payroll export stops at 40 % with error 0x80004005; deadline is Friday."),
    ("Application", 1, "minor", "medium", "Outlook calendar not syncing", "Meetings accepted on the phone do not appear in desktop Outlook."),
    ("Hardware", 7, "minor", "high", "Laptop does not power on", "Laptop shows no light after charging overnight; the user has a presentation at 15:00."),
    ("Hardware", 7, "moderate", "low", "Printer on floor 2 jams on every job", "The floor-2 printer jams on the first page of every job; the tray was replaced last week."),
    ("Hardware", 7, "minor", "low", "Docking station monitors flicker", "Both external monitors flicker when connected through the dock."),
    ("Security", 1, "significant", "critical", "Phishing e-mail reported by several users", "Several users received an e-mail imitating the payroll portal; two clicked the link."),
    ("Security", 1, "minor", "critical", "Suspicious sign-ins from abroad", "Sign-in alerts show logins to a finance mailbox from an unknown country."),
    ("Access", 6, "minor", "high", "New starter cannot log in", "A new starter's account is locked on first login; they start today."),
    ("Access", 1, "moderate", "medium", "Shared mailbox access missing", "Sales team members lost access to the shared orders mailbox after a group change."),
    ("Other", 7, "minor", "medium", "Meeting room screen shows no signal", "The large screen in meeting room Atlas shows 'no signal' with any laptop."),
    ("Application", 0, "significant", "high", "Web shop search returns no results", "Product search on the web shop returns an empty page for every query; browsing categories works."),
    ("Network", 1, "extensive", "high", "E-mail not delivered to external recipients", "Outbound mail is queued for all staff since 08:10; inbound mail arrives."),
];

const REPORTERS: &[(&str, &str)] = &[
    ("Laura Smith", "laura.smith@example.org"),
    ("Ben Carter", "+44 20 7946 0301"),
    ("Fatima Zahra", "fatima.zahra@example.org"),
    ("Oliver Brown", "ext. 5123"),
    ("Nina Petrova", "nina.petrova@example.org"),
    ("Monitoring (Zabbix)", "zabbix@monitoring.example.org"),
];

const RESOLUTIONS: &[(&str, &str)] = &[
    ("fixed", "Restarted the failed service and confirmed it stays up; root cause handed to problem management."),
    ("fixed", "Replaced the faulty component and tested end to end with the user."),
    ("workaround_applied", "Routed traffic through the secondary link; permanent fix scheduled as a change."),
    ("no_fault_found", "Could not reproduce; service healthy in monitoring for the last hour."),
    ("user_error", "Explained the correct procedure; user confirmed it works."),
    ("fixed", "Corrected the group membership and forced a directory sync."),
];

/// Creates teams, people, services (categories are seeded by the schema) and returns their ids.
pub fn seed_catalog(conn: &Connection) -> Result<Catalog> {
    let mut teams = Vec::new();
    for (name, tier, contact, minutes) in TEAMS {
        teams.push(catalog::save_team(
            conn,
            &TeamInput {
                id: None,
                name: name.to_string(),
                tier: tier.to_string(),
                contact: contact.to_string(),
                expected_response_minutes: *minutes,
            },
        )?);
    }
    let mut people = Vec::new();
    let mut managers = Vec::new();
    for (name, phone, team, roles) in PEOPLE {
        let local: String = name
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('.'),
                'é' => Some('e'),
                'í' => Some('i'),
                c if c.is_ascii_alphanumeric() => Some(c),
                _ => None,
            })
            .collect();
        let email = format!("{local}@example.org");
        let id = catalog::save_person(
            conn,
            &PersonInput {
                id: None,
                name: name.to_string(),
                email,
                phone: phone.to_string(),
                team_id: Some(teams[*team]),
                roles: roles.iter().map(|r| r.to_string()).collect(),
            },
        )?;
        if roles.contains(&"incident_manager") || roles.contains(&"major_incident_manager") {
            managers.push(id);
        }
        people.push(Actor {
            id: Some(id),
            name: name.to_string(),
        });
    }
    let mut services = Vec::new();
    for (i, (name, description, criticality, revenue, users)) in SERVICES.iter().enumerate() {
        services.push(catalog::save_service(
            conn,
            &ServiceInput {
                id: None,
                name: name.to_string(),
                description: description.to_string(),
                owner_id: people[[6, 9][i % 2]].id,
                criticality: criticality.to_string(),
                revenue_generating: *revenue,
                users_served: *users,
            },
        )?);
    }
    let categories = catalog::categories(conn)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    catalog::set_operator(conn, people[0].id.unwrap_or(1))?;
    Ok(Catalog {
        people,
        teams,
        services,
        categories,
        managers,
    })
}

fn specialist_team(category: &str, cat: &Catalog) -> i64 {
    let idx = match category {
        "Network" => 1,
        "Application" => 2,
        "Hardware" => 3,
        "Security" => 4,
        _ => 3,
    };
    cat.teams[idx]
}

/// Generates `count` incidents with their history. Incident `k` is logged at a time spread over
/// `spread_days` before `now`, oldest first; how far its lifecycle got depends on its age.
pub fn seed_incidents(
    conn: &Connection,
    cat: &Catalog,
    rng: &mut Rng,
    range: std::ops::Range<usize>,
    total: usize,
    now: DateTime<Utc>,
    spread_days: i64,
) -> Result<()> {
    let span = Duration::days(spread_days).num_seconds().max(1);
    for k in range {
        // Denser towards now, as a real desk's recent weeks are what people look at.
        let left = (total.saturating_sub(k)) as f64 / total.max(1) as f64;
        let age = (span as f64 * left * left) as i64;
        let logged = now - Duration::seconds(age) + Duration::seconds(rng.below(600) as i64);
        let logged = logged.min(now - Duration::minutes(2));
        let (category, service, impact, urgency, title, description) = *rng.pick(PROBLEMS);
        let category_id = cat
            .categories
            .iter()
            .find(|(_, n)| n == category)
            .map(|(id, _)| *id)
            .unwrap_or(cat.categories[0].0);
        let (reporter, contact) = *rng.pick(REPORTERS);
        let desk_agents = &cat.people[0..3];
        let logger = rng.pick(desk_agents).clone();
        let channel = if reporter.starts_with("Monitoring") {
            "monitoring"
        } else {
            *rng.pick(&["user_report", "phone", "email", "walk_in", "phone"])
        };
        let started = logged - Duration::minutes(rng.below(45) as i64);
        let id = actions::incidents::log(
            conn,
            &logger,
            logged,
            &NewIncident {
                title: title.to_string(),
                description: description.to_string(),
                category_id: Some(category_id),
                service_id: Some(cat.services[service.min(cat.services.len() - 1)]),
                reporter_name: reporter.to_string(),
                reporter_contact: contact.to_string(),
                channel: channel.to_string(),
                started_at: Some(crate::store::ts(&started)),
                // Noticed somewhere between the start and the call to the desk.
                detected_at: Some(crate::store::ts(&(started + (logged - started) / 2))),
                users_affected: None,
                impact: impact.to_string(),
                urgency: urgency.to_string(),
                priority_override: None,
                priority_override_reason: None,
            },
        )?;
        let age = now - logged;
        let mut t = logged;
        let mut version = 1;
        let mut step = |minutes: i64, rng: &mut Rng| -> Option<DateTime<Utc>> {
            let next = t + Duration::minutes(minutes + rng.below(minutes as u64 + 1) as i64);
            if next < now {
                t = next;
                Some(next)
            } else {
                None
            }
        };
        // Very recent incidents are still new; most older ones went further.
        if (age < Duration::minutes(30) && rng.chance(70))
            || (age < Duration::hours(3) && rng.chance(30))
        {
            continue;
        }
        let Some(at) = step(5, rng) else { continue };
        let agent = rng.pick(desk_agents).clone();
        actions::incidents::acknowledge(
            conn,
            &agent,
            at,
            &VersionedId {
                id,
                expected_version: version,
            },
        )?;
        version += 1;
        let escalated = !matches!(category, "Access" | "Other") && rng.chance(60);
        if escalated {
            let Some(at) = step(15, rng) else { continue };
            actions::incidents::escalate(
                conn,
                &agent,
                at,
                &EscalateInput {
                    id,
                    expected_version: version,
                    kind: "functional".into(),
                    team_id: Some(specialist_team(category, cat)),
                    person_id: None,
                    reason: "Known fixes did not help; needs the specialist team".into(),
                },
            )?;
            version += 1;
        }
        let worker = if escalated {
            rng.pick(&cat.people[3..9]).clone()
        } else {
            agent.clone()
        };
        // A backlog: a few older incidents are still being worked.
        let minor = matches!(impact, "minor" | "moderate");
        if (minor && rng.chance(6)) || (age < Duration::hours(6) && rng.chance(60)) {
            if rng.chance(50) {
                if let Some(at) = step(20, rng) {
                    actions::incidents::note(
                        conn,
                        &worker,
                        at,
                        &NoteInput {
                            id,
                            expected_version: version,
                            text: "Still investigating; collected logs from the affected hosts."
                                .into(),
                        },
                    )?;
                }
            }
            continue;
        }
        let Some(at) = step(60, rng) else { continue };
        let (code, notes) = *rng.pick(RESOLUTIONS);
        actions::incidents::resolve(
            conn,
            &worker,
            at,
            &ResolveInput {
                id,
                expected_version: version,
                resolution_code: code.into(),
                resolution_notes: notes.into(),
            },
        )?;
        version += 1;
        if age < Duration::days(1) && rng.chance(50) {
            continue;
        }
        let Some(at) = step(30, rng) else { continue };
        let method = *rng.pick(&["monitoring_data", "functional_test", "reporter_confirmed"]);
        actions::incidents::verify(
            conn,
            &agent,
            at,
            &VerifyInput {
                id,
                expected_version: version,
                method: method.into(),
                notes: String::new(),
            },
        )?;
        version += 1;
        let Some(at) = step(30, rng) else { continue };
        actions::incidents::close(
            conn,
            &agent,
            at,
            &CloseInput {
                id,
                expected_version: version,
                closure_notes: "Resolution confirmed; documentation complete.".into(),
            },
        )?;
    }
    Ok(())
}

/// Basics plus incidents in one go, for the first-run demo.
pub fn seed(conn: &Connection, spec: &Spec, now: DateTime<Utc>) -> Result<Catalog> {
    let cat = seed_catalog(conn)?;
    let mut rng = Rng::new(spec.seed);
    seed_incidents(
        conn,
        &cat,
        &mut rng,
        0..spec.incidents,
        spec.incidents,
        now,
        spec.spread_days,
    )?;
    // The demo's past is history, not news: no flood of alerts on first start.
    crate::actions::firing::settle_history(conn, now)?;
    Ok(cat)
}
