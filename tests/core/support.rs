//! Shared fixtures: a desk on a virtual clock with the basics set up.

use incident_desk::desk::*;
use incident_desk::domain::model::*;
use incident_desk::{Desk, FixedClock};
use std::sync::Arc;

pub struct Fixture {
    pub desk: Desk,
    pub clock: Arc<FixedClock>,
    pub service: i64,
    pub other_service: i64,
    pub network: i64,
    pub application: i64,
    pub me: Person,
    pub colleague: Person,
    pub network_team: Team,
}

pub fn desk_at(at: &str) -> (Desk, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::at(at));
    let desk = Desk::in_memory(clock.clone()).expect("in-memory desk");
    (desk, clock)
}

/// A desk with two services, a team, two people and the operator chosen.
pub fn fixture() -> Fixture {
    let (desk, clock) = desk_at("2026-03-02T09:00:00Z");
    setup(desk, clock)
}

pub fn setup(desk: Desk, clock: Arc<FixedClock>) -> Fixture {
    let network_team = desk
        .save_team(&TeamInput {
            id: None,
            name: "Network Team".into(),
            tier: "specialist".into(),
            contact: "network@example.org".into(),
            expected_response_minutes: 15,
        })
        .expect("team");
    let me = desk
        .save_person(&PersonInput {
            id: None,
            name: "Amira Haddad".into(),
            email: "amira@example.org".into(),
            phone: String::new(),
            team_id: None,
            roles: vec!["service_desk_analyst".into()],
        })
        .expect("person");
    let colleague = desk
        .save_person(&PersonInput {
            id: None,
            name: "Jonas Berg".into(),
            email: String::new(),
            phone: String::new(),
            team_id: Some(network_team.id),
            roles: vec!["technical_specialist".into(), "incident_manager".into()],
        })
        .expect("colleague");
    desk.set_operator(me.id).expect("operator");
    let service = desk
        .save_service(&ServiceInput {
            id: None,
            name: "E-mail".into(),
            description: "Mailboxes".into(),
            owner_id: Some(colleague.id),
            criticality: "high".into(),
            revenue_generating: false,
            users_served: 1200,
        })
        .expect("service")
        .id;
    let other_service = desk
        .save_service(&ServiceInput {
            id: None,
            name: "Web Shop Checkout".into(),
            criticality: "critical".into(),
            revenue_generating: true,
            users_served: 25000,
            ..Default::default()
        })
        .expect("service")
        .id;
    let cats = desk.reference_data().expect("refs").categories;
    let id_of = |n: &str| {
        cats.iter()
            .find(|c| c.name == n)
            .map(|c| c.id)
            .expect("default category")
    };
    Fixture {
        network: id_of("Network"),
        application: id_of("Application"),
        desk,
        clock,
        service,
        other_service,
        me,
        colleague,
        network_team,
    }
}

impl Fixture {
    pub fn new_incident(&self) -> NewIncident {
        NewIncident {
            title: "Checkout returns 503 for EU customers".into(),
            description: "Payment step fails with HTTP 503 since 14:23 UTC".into(),
            category_id: Some(self.application),
            service_id: Some(self.other_service),
            reporter_name: "Laura Smith".into(),
            reporter_contact: "laura@example.org".into(),
            channel: "phone".into(),
            started_at: None,
            impact: "extensive".into(),
            urgency: "critical".into(),
            ..Default::default()
        }
    }

    pub fn log(&self) -> IncidentDetail {
        self.desk.log(&self.new_incident()).expect("logged")
    }

    pub fn resolve(&self, d: &IncidentDetail) -> IncidentDetail {
        self.desk
            .resolve(&ResolveInput {
                id: d.incident.id,
                expected_version: d.incident.version,
                resolution_code: "fixed".into(),
                resolution_notes: "Restarted the payment gateway pool".into(),
            })
            .expect("resolved")
    }

    pub fn verify(&self, d: &IncidentDetail) -> IncidentDetail {
        self.desk
            .verify(&VerifyInput {
                id: d.incident.id,
                expected_version: d.incident.version,
                method: "monitoring_data".into(),
                notes: "Error rate back to 0 %".into(),
            })
            .expect("verified")
    }

    pub fn close(&self, d: &IncidentDetail) -> IncidentDetail {
        self.desk
            .close(&CloseInput {
                id: d.incident.id,
                expected_version: d.incident.version,
                closure_notes: "Gateway pool size raised; problem record opened".into(),
            })
            .expect("closed")
    }

    /// The kinds of the timeline's lifecycle events (SLA bookkeeping left out).
    pub fn kinds(&self, d: &IncidentDetail) -> Vec<String> {
        d.timeline
            .iter()
            .filter(|e| !e.kind.starts_with("sla_"))
            .map(|e| e.kind.clone())
            .collect()
    }
}
