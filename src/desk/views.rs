//! The view types of the desk API: what the window (and later the team desk) receives, each
//! composed from domain records in one read.

use crate::domain::major::{Criterion, MajorRecord};
use crate::domain::model::*;
use crate::domain::priority::PriorityMatrix;
use crate::domain::sla::SlaPanel;
use serde::{Deserialize, Serialize};

/// An incident with its timeline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub timeline: Vec<Event>,
    /// The SLA panel: both clocks, pauses, as of the moment it was read.
    pub sla: SlaPanel,
    /// Set once a major incident is declared.
    pub major: Option<MajorRecord>,
    /// The major-incident criteria that hold now: the desk suggests declaring when not empty.
    pub major_criteria: Vec<Criterion>,
    /// draft or final, once a post-incident review exists.
    pub review_status: Option<String>,
    /// The actions the lifecycle allows now (`lifecycle::allowed`, snake_case: edit, assign,
    /// acknowledge, note, escalate, workaround, resolve, verify, close, reopen, pause,
    /// resume); the window offers these and no others.
    pub allowed_actions: Vec<String>,
}

/// The lists forms choose from, in one call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceData {
    pub services: Vec<Service>,
    pub teams: Vec<Team>,
    pub people: Vec<Person>,
    pub categories: Vec<Category>,
    pub impacts: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub resolution_codes: Vec<Choice>,
    pub verification_methods: Vec<Choice>,
    pub escalation_kinds: Vec<Choice>,
    pub tiers: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub criticalities: Vec<Choice>,
    pub matrix: PriorityMatrix,
    pub operator: Option<Person>,
    /// `{ group: { value: label } }`: the labels of every value a user sees, one place.
    pub vocabulary: crate::domain::vocabulary::Vocabulary,
}

/// Facts about the running desk for the title bar and the first-run screen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeskInfo {
    pub database_path: String,
    pub version: String,
    pub schema_version: i64,
    pub incident_count: i64,
    pub operator: Option<Person>,
    /// Printed at the top of every report.
    pub organisation: String,
}

/// The priority a form would get, shown live while it is filled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PriorityPreview {
    pub priority: Priority,
    pub label: String,
    pub definition: String,
}
