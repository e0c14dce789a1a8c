//! Typed records of the incident domain and the inputs that change them.
//!
//! These are the shapes that cross to the UI as JSON (snake_case keys) and the vocabulary the
//! database stores (the `as_str` forms). Each enum lists its values with the label and the
//! definition a user sees beside the choice, so the UI never invents domain text.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The human id of an incident.
pub fn number_for(id: i64) -> String {
    format!("INC-{id:06}")
}

/// Declares a string-backed enum with a label and a definition per value.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $key:literal, $label:literal, $definition:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $key)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn definition(self) -> &'static str {
                match self { $($name::$variant => $definition),+ }
            }

            /// Parses the stored or submitted form; the error names `field`.
            pub fn parse(value: &str, field: &str) -> crate::Result<Self> {
                match value {
                    $($key => Ok($name::$variant),)+
                    _ => Err(crate::Error::validation(
                        field,
                        format!(
                            "{} must be one of: {} (got {})",
                            $what,
                            [$($key),+].join(", "),
                            crate::domain::limits::shown(value)
                        ),
                    )),
                }
            }

            /// The choices with their labels and definitions, for forms.
            pub fn choices() -> Vec<Choice> {
                Self::ALL
                    .iter()
                    .map(|v| Choice { value: v.as_str().to_string(), label: v.label().to_string(), definition: v.definition().to_string() })
                    .collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// One option of a choice list, as forms show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub definition: String,
}

vocabulary!(
    /// How widely an incident hurts: the users or scope affected.
    Impact, "Impact" {
        Extensive = "extensive", "Extensive", "More than 1,000 users, or a whole service down";
        Significant = "significant", "Significant", "100 to 1,000 users, or a critical function impaired";
        Moderate = "moderate", "Moderate", "10 to 100 users, or a non-critical function affected";
        Minor = "minor", "Minor", "A single user or a handful; cosmetic problems";
    }
);

vocabulary!(
    /// How fast an incident's impact grows if nothing is done.
    Urgency, "Urgency" {
        Critical = "critical", "Critical", "Business stopped now; damage grows by the minute (revenue, safety, security)";
        High = "high", "High", "Worsens within hours; no workaround";
        Medium = "medium", "Medium", "Worsens slowly, or a workaround keeps people working";
        Low = "low", "Low", "Stable; no deadline pressure";
    }
);

vocabulary!(
    /// The ITIL priority, computed from impact × urgency.
    Priority, "Priority" {
        P1 = "P1", "P1 Critical", "Complete outage, data breach, revenue service down, more than 1,000 users";
        P2 = "P2", "P2 High", "Significant degradation, 100 to 1,000 users, workaround may exist";
        P3 = "P3", "P3 Medium", "Moderate impact, 10 to 100 users, workaround exists";
        P4 = "P4", "P4 Low", "Single user, cosmetic, requests logged as incidents";
    }
);

vocabulary!(
    /// Where an incident in the lifecycle stands.
    Status, "Status" {
        New = "new", "New", "Logged, nobody has responded yet";
        Assigned = "assigned", "Assigned", "Given to a person or team, not yet acknowledged";
        InProgress = "in_progress", "In progress", "Acknowledged and being worked";
        Resolved = "resolved", "Resolved", "Fix applied; awaiting verification and closure";
        Closed = "closed", "Closed", "Verified and documented; final";
    }
);

vocabulary!(
    /// How the incident reached the service desk.
    Channel, "Channel" {
        UserReport = "user_report", "User report", "Reported by a user through the portal or chat";
        Phone = "phone", "Phone", "Phoned in to the service desk";
        Email = "email", "E-mail", "Sent to the service desk mailbox";
        WalkIn = "walk_in", "Walk-in", "Reported in person";
        Monitoring = "monitoring", "Monitoring", "Raised by a monitoring tool";
        Automated = "automated", "Automated", "Created by an automated integration";
    }
);

vocabulary!(
    /// How an incident was resolved.
    ResolutionCode, "Resolution code" {
        Fixed = "fixed", "Fixed", "The fault was corrected";
        WorkaroundApplied = "workaround_applied", "Workaround applied", "Service restored by a workaround; the cause remains";
        NoFaultFound = "no_fault_found", "No fault found", "Service was working when checked";
        Duplicate = "duplicate", "Duplicate", "Same incident as another record";
        UserError = "user_error", "User error", "Caused by how the service was used";
        Other = "other", "Other", "Explained in the resolution notes";
    }
);

vocabulary!(
    /// How service restoration was confirmed before closure.
    VerificationMethod, "Verification method" {
        MonitoringData = "monitoring_data", "Monitoring data", "Monitoring shows the service healthy again";
        FunctionalTest = "functional_test", "Functional test", "The affected function was tested and works";
        ReporterConfirmed = "reporter_confirmed", "Reporter confirmed", "The person who reported it confirmed it works";
    }
);

vocabulary!(
    /// The kind of escalation (ITIL): to more skill, or to more authority.
    EscalationKind, "Escalation kind" {
        Functional = "functional", "Functional", "To a team or tier with more expertise";
        Hierarchical = "hierarchical", "Hierarchical", "To a manager with more authority";
    }
);

vocabulary!(
    /// Support team tier.
    Tier, "Tier" {
        ServiceDesk = "service_desk", "Service desk", "First line: logs, categorises, resolves known issues";
        Specialist = "specialist", "Specialist", "Second/third line technical team";
        Vendor = "vendor", "Vendor", "External supplier";
    }
);

vocabulary!(
    /// Roles a person can hold (ITIL incident management roles).
    Role, "Role" {
        ServiceDeskAnalyst = "service_desk_analyst", "Service desk analyst", "First point of contact; logs, prioritises, resolves or escalates";
        IncidentManager = "incident_manager", "Incident manager", "Owns the lifecycle of all incidents end to end";
        TechnicalSpecialist = "technical_specialist", "Technical specialist", "Investigates and fixes escalated incidents";
        MajorIncidentManager = "major_incident_manager", "Major incident manager", "Takes control of major incidents";
        ServiceOwner = "service_owner", "Service owner", "Represents the business view of a service";
    }
);

vocabulary!(
    /// Business criticality of a service.
    Criticality, "Criticality" {
        Critical = "critical", "Critical", "The business stops without it";
        High = "high", "High", "Important business function";
        Medium = "medium", "Medium", "Useful; short outages tolerable";
        Low = "low", "Low", "Convenience";
    }
);

impl Priority {
    /// 1 for P1 … 4 for P4; the order the list sorts by.
    pub fn rank(self) -> i64 {
        match self {
            Priority::P1 => 1,
            Priority::P2 => 2,
            Priority::P3 => 3,
            Priority::P4 => 4,
        }
    }
}

impl Status {
    /// Open means not closed: resolved incidents still await verification and closure.
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

/// A service or configuration item incidents are logged against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub criticality: Criticality,
    pub revenue_generating: bool,
    pub users_served: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ServiceInput {
    /// None creates, Some updates.
    pub id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub owner_id: Option<i64>,
    pub criticality: String,
    #[serde(default)]
    pub revenue_generating: bool,
    #[serde(default)]
    pub users_served: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub tier: Tier,
    pub contact: String,
    pub expected_response_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct TeamInput {
    pub id: Option<i64>,
    pub name: String,
    pub tier: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub expected_response_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PersonInput {
    pub id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    pub team_id: Option<i64>,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CategoryInput {
    pub id: Option<i64>,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// An incident as stored: the current state. Its history is in its events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Incident {
    pub id: i64,
    /// The human id, INC-000042.
    pub number: String,
    pub title: String,
    pub description: String,
    pub category_id: i64,
    pub category_name: String,
    pub service_id: i64,
    pub service_name: String,
    pub reporter_name: String,
    pub reporter_contact: String,
    pub channel: Channel,
    pub started_at: DateTime<Utc>,
    /// When the disruption was noticed (monitoring alert, first call); defaults to logging.
    pub detected_at: DateTime<Utc>,
    pub logged_at: DateTime<Utc>,
    /// When a workaround became available, if one did.
    pub workaround_at: Option<DateTime<Utc>>,
    /// Estimate of users affected, when known.
    pub users_affected: Option<i64>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    /// What the matrix gives for impact × urgency; differs from `priority` when overridden.
    pub computed_priority: Priority,
    pub priority_override_reason: Option<String>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub escalation_level: i64,
    pub workaround: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_code: Option<ResolutionCode>,
    pub resolution_notes: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub verification_method: Option<VerificationMethod>,
    pub verification_notes: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub closure_notes: Option<String>,
    pub reopen_count: i64,
    /// Set while the SLA clocks are paused, with the policy reason.
    pub paused_since: Option<DateTime<Utc>>,
    pub pause_reason: Option<String>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    pub version: i64,
}

/// One line of the incident list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IncidentRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub priority: Priority,
    pub status: Status,
    pub category_name: String,
    pub service_name: String,
    pub assignee_name: Option<String>,
    pub team_name: Option<String>,
    pub logged_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The next SLA breach deadline still pending (response or resolution), for the badge.
    pub next_due_at: Option<DateTime<Utc>>,
    /// Which clock that is: "response" or "resolution".
    pub next_due_clock: Option<String>,
    /// Whether any SLA clock of the incident has been breached.
    pub breached: bool,
    /// The highest warning threshold passed on a running clock (e.g. 75), if any.
    pub warning_percent: Option<i64>,
    /// The SLA clocks are paused.
    pub paused: bool,
    /// The row's SLA state, the same words as a clock's `state`: "breached" (a breach was
    /// recorded), "paused", "warning" (a warning threshold passed), "running" (a deadline is
    /// pending) or "met" (no deadline left).
    pub sla_state: String,
    /// When the first SLA target of the incident was breached (the list says "Breached 3 h ago").
    #[serde(default)]
    pub breached_at: Option<DateTime<Utc>>,
    /// For a pending deadline on a business-hours calendar: the working time left until it, in
    /// seconds, as of when the list was read ("Resolve in 4 h working" where the wall clock
    /// says 1 d 23 h). None on a 24×7 calendar, or with no pending deadline.
    #[serde(default)]
    pub working_seconds_left: Option<i64>,
}

/// The SLA state of a list row from its recorded deadlines: a recorded breach wins.
pub fn row_sla_state(
    breached: bool,
    paused: bool,
    warning_percent: Option<i64>,
    next_due_at: Option<DateTime<Utc>>,
) -> &'static str {
    if breached {
        "breached"
    } else if paused {
        "paused"
    } else if warning_percent.is_some() {
        "warning"
    } else if next_due_at.is_some() {
        "running"
    } else {
        "met"
    }
}

fn exact_by_default() -> bool {
    true
}

/// A page of the incident list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IncidentPage {
    pub rows: Vec<IncidentRow>,
    /// How many incidents match; a lower bound when `total_exact` is false (the list stops
    /// counting at `store::incidents::COUNT_CAP` past the page: "10,000+").
    pub total: i64,
    #[serde(default = "exact_by_default")]
    pub total_exact: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One recorded change: who, when, what.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: i64,
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    /// Who recorded it, by name (kept for older readers; the same as `actor_name`).
    pub actor: String,
    /// Who recorded it, as the timeline shows it: a person's name, or "Incident Desk" for the
    /// desk's own entries (due times, warnings, breaches, rules, re-measures).
    pub actor_name: String,
    /// The person who recorded it; None for the desk's own entries.
    pub actor_id: Option<i64>,
    /// created, field_changed, assigned, acknowledged, note, escalated, workaround,
    /// resolved, verified, closed, reopened.
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// Free text: the note, the reason, the resolution notes.
    pub detail: Option<String>,
    /// A one-line sentence for the timeline, made by the core.
    pub summary: String,
}

/// Everything needed to log an incident. Impact and urgency set the priority; an override
/// needs a reason.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct NewIncident {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category_id: Option<i64>,
    pub service_id: Option<i64>,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_contact: String,
    #[serde(default)]
    pub channel: String,
    /// RFC 3339; empty or missing means now.
    pub started_at: Option<String>,
    /// RFC 3339; empty or missing means when it is logged.
    #[serde(default)]
    pub detected_at: Option<String>,
    #[serde(default)]
    pub users_affected: Option<i64>,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub urgency: String,
    /// "P1".."P4" when the operator overrides the matrix.
    pub priority_override: Option<String>,
    pub priority_override_reason: Option<String>,
}

/// A change to any editable field; fields left out are unchanged.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct IncidentChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category_id: Option<i64>,
    pub service_id: Option<i64>,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub channel: Option<String>,
    pub started_at: Option<String>,
    pub users_affected: Option<i64>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// Some("") clears an override and returns to the computed priority.
    pub priority_override: Option<String>,
    pub priority_override_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct UpdateIncident {
    pub id: i64,
    pub expected_version: i64,
    pub changes: IncidentChanges,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct AssignInput {
    pub id: i64,
    pub expected_version: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
}

/// The bare reference to an incident at a version: acknowledge and the like.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct VersionedId {
    pub id: i64,
    pub expected_version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct NoteInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct EscalateInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub kind: String,
    /// Functional escalation: the team that takes it over.
    pub team_id: Option<i64>,
    /// Hierarchical escalation: the manager engaged.
    pub person_id: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct WorkaroundInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub workaround: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ResolveInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub resolution_code: String,
    #[serde(default)]
    pub resolution_notes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct VerifyInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CloseInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub closure_notes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PauseInput {
    pub id: i64,
    pub expected_version: i64,
    /// One of the reasons the incident's SLA policy allows.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ReopenInput {
    pub id: i64,
    pub expected_version: i64,
    #[serde(default)]
    pub reason: String,
}

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// P1 first, oldest first within a priority.
    #[default]
    Priority,
    /// Oldest first.
    Age,
    /// Most recently changed first.
    LastUpdate,
}

/// Which incidents the list shows. Every filter is optional.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct IncidentQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category_id: Option<i64>,
    pub service_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    /// "open", "closed" or absent for all.
    pub state: Option<String>,
    /// Free text, matched with full-text search over number, title, description, reporter.
    pub text: Option<String>,
    #[serde(default)]
    pub sort: SortOrder,
    #[serde(default)]
    pub offset: i64,
    /// Defaults to 50, at most 500.
    pub limit: Option<i64>,
}
