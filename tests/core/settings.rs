//! Settings: services, teams, people, categories, operator, the priority matrix, demo data.

use crate::support::*;
use incident_desk::domain::model::*;
use incident_desk::domain::priority::PriorityMatrix;

#[test]
fn settings_inputs_are_validated_with_the_field_named() {
    let f = fixture();
    let err = f
        .desk
        .save_service(&ServiceInput {
            name: " ".into(),
            criticality: "high".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        (err.field(), err.to_string().as_str()),
        (Some("name"), "Service name is required")
    );
    let err = f
        .desk
        .save_service(&ServiceInput {
            name: "e-mail".into(),
            criticality: "high".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "A service named \"e-mail\" already exists");
    let err = f
        .desk
        .save_service(&ServiceInput {
            name: "CRM".into(),
            criticality: "urgent".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("criticality"));
    let err = f
        .desk
        .save_team(&TeamInput {
            name: "DBA".into(),
            tier: "tier9".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("tier"));
    let err = f
        .desk
        .save_person(&PersonInput {
            name: "X".into(),
            email: "not-an-address".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("email"));
    let err = f
        .desk
        .save_person(&PersonInput {
            name: "X".into(),
            roles: vec!["boss".into()],
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("roles"));
    let err = f
        .desk
        .save_category(&CategoryInput {
            id: None,
            name: "network".into(),
            active: true,
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("name"));
}

#[test]
fn services_teams_and_people_keep_every_field() {
    let f = fixture();
    let refs = f.desk.reference_data().unwrap();
    let svc = refs.services.iter().find(|s| s.name == "E-mail").unwrap();
    assert_eq!(
        (svc.criticality, svc.users_served, svc.owner_name.as_deref()),
        (Criticality::High, 1200, Some("Jonas Berg"))
    );
    let shop = refs
        .services
        .iter()
        .find(|s| s.name == "Web Shop Checkout")
        .unwrap();
    assert!(shop.revenue_generating);
    assert_eq!(refs.teams[0].expected_response_minutes, 15);
    assert_eq!(refs.teams[0].tier, Tier::Specialist);
    let jonas = refs.people.iter().find(|p| p.name == "Jonas Berg").unwrap();
    assert_eq!(jonas.team_name.as_deref(), Some("Network Team"));
    assert_eq!(
        jonas.roles,
        [Role::TechnicalSpecialist, Role::IncidentManager]
    );
    assert_eq!(refs.operator.unwrap().name, "Amira Haddad");
    assert_eq!(refs.impacts.len(), 4);
    assert!(refs.impacts[0].definition.contains("1,000 users"));
    assert_eq!(refs.urgencies.len(), 4);
}

#[test]
fn a_renamed_or_retired_category_is_used_from_then_on() {
    let f = fixture();
    let c = f
        .desk
        .save_category(&CategoryInput {
            id: Some(f.network),
            name: "Network & Wi-Fi".into(),
            active: true,
        })
        .unwrap();
    assert_eq!(c.name, "Network & Wi-Fi");
    f.desk
        .save_category(&CategoryInput {
            id: Some(f.application),
            name: "Application".into(),
            active: false,
        })
        .unwrap();
    let err = f.desk.log(&f.new_incident()).unwrap_err();
    assert_eq!(err.field(), Some("category_id"));
    assert!(err.to_string().contains("no longer in use"), "{err}");
}

#[test]
fn an_edited_matrix_sets_the_priority_of_new_incidents_and_the_preview() {
    let f = fixture();
    let mut m = PriorityMatrix::default();
    m.cells[0][0] = Priority::P1;
    m.cells[0][1] = Priority::P2;
    m.cells[1][1] = Priority::P2;
    f.desk.save_priority_matrix(&m).unwrap();
    assert_eq!(
        f.desk
            .preview_priority("extensive", "high")
            .unwrap()
            .priority,
        Priority::P2
    );
    let mut i = f.new_incident();
    i.urgency = "high".into();
    assert_eq!(f.desk.log(&i).unwrap().incident.priority, Priority::P2);
    let mut bad = m;
    bad.cells[3][3] = Priority::P1;
    assert_eq!(
        f.desk.save_priority_matrix(&bad).unwrap_err().field(),
        Some("matrix")
    );
    assert_eq!(
        f.desk.reference_data().unwrap().matrix,
        m,
        "refused matrix not saved"
    );
}

#[test]
fn demo_data_fills_an_empty_desk_with_incidents_in_every_state() {
    let (desk, _) = desk_at("2026-03-02T09:00:00Z");
    let info = desk.load_demo_data().unwrap();
    assert!(
        (30..=60).contains(&info.incident_count),
        "{}",
        info.incident_count
    );
    assert!(info.operator.is_some());
    let count = |state: &str| {
        desk.list(&IncidentQuery {
            status: Some(state.into()),
            ..Default::default()
        })
        .unwrap()
        .total
    };
    for s in ["new", "in_progress", "resolved", "closed"] {
        assert!(count(s) > 0, "demo has {s} incidents");
    }
    let prios: std::collections::HashSet<_> = desk
        .list(&IncidentQuery {
            limit: Some(500),
            ..Default::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.priority)
        .collect();
    assert_eq!(prios.len(), 4, "all priorities present");
    let err = desk.load_demo_data().unwrap_err();
    assert_eq!(err.code(), "conflict");
}

/// An entry added by mistake can be deleted; one that incidents, history, people or rules refer
/// to is refused with every use counted, and nothing is removed.
#[test]
fn settings_entries_nothing_refers_to_can_be_deleted_and_used_ones_are_refused() {
    let f = fixture();
    let typo = f
        .desk
        .save_service(&ServiceInput {
            name: "Pyroll".into(),
            criticality: "low".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(f.desk.delete_service(typo.id).unwrap(), "Pyroll");
    let refs = f.desk.reference_data().unwrap();
    assert!(refs.services.iter().all(|s| s.id != typo.id));
    let again = f.desk.delete_service(typo.id).unwrap_err();
    assert_eq!(again.code(), "not_found", "{again}");

    // The fixture's service gets two incidents; the team has a member and one assignment.
    let d = f.log();
    f.log();
    let err = f.desk.delete_service(f.other_service).unwrap_err();
    assert_eq!(err.code(), "in_use");
    assert!(
        err.to_string().contains("2 incidents refer to it") && err.to_string().contains("Rename"),
        "{err}"
    );
    f.desk
        .assign(&AssignInput {
            id: d.incident.id,
            expected_version: d.incident.version,
            assignee_id: None,
            team_id: Some(f.network_team.id),
        })
        .unwrap();
    let err = f.desk.delete_team(f.network_team.id).unwrap_err();
    assert!(
        err.to_string()
            .contains("“Network Team” cannot be deleted: 1 incident and 1 person refer to it"),
        "{err}"
    );
    let err = f.desk.delete_category(f.application).unwrap_err();
    assert!(
        err.to_string().contains("2 incidents refer to it")
            && err.to_string().contains("Deactivate it instead"),
        "{err}"
    );

    // People: the operator cannot delete themself; a colleague with history is kept.
    let err = f.desk.delete_person(f.me.id).unwrap_err();
    assert_eq!(err.code(), "in_use");
    assert!(err.to_string().contains("Who am I"), "{err}");
    let err = f.desk.delete_person(f.colleague.id).unwrap_err();
    assert_eq!(err.code(), "in_use", "{err}");
    assert!(
        err.to_string().contains("1 service they own refers to it"),
        "{err}"
    );
    let newcomer = f
        .desk
        .save_person(&PersonInput {
            name: "Nobody Yet".into(),
            roles: vec!["service_desk_analyst".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(f.desk.delete_person(newcomer.id).unwrap(), "Nobody Yet");
    let spare_team = f
        .desk
        .save_team(&TeamInput {
            id: None,
            name: "Spare".into(),
            tier: "vendor".into(),
            contact: String::new(),
            expected_response_minutes: 0,
        })
        .unwrap();
    f.desk.delete_team(spare_team.id).unwrap();
    let spare_category = f
        .desk
        .save_category(&CategoryInput {
            id: None,
            name: "Printers".into(),
            active: true,
        })
        .unwrap();
    f.desk.delete_category(spare_category.id).unwrap();

    let refs = f.desk.reference_data().unwrap();
    assert!(refs.services.iter().any(|s| s.id == f.other_service));
    assert!(refs.teams.iter().any(|t| t.id == f.network_team.id));
    assert!(refs.teams.iter().all(|t| t.id != spare_team.id));
    assert!(refs.people.iter().all(|p| p.id != newcomer.id));
    assert!(refs.categories.iter().all(|c| c.id != spare_category.id));
    assert_eq!(
        f.desk.get(d.incident.id).unwrap().incident.id,
        d.incident.id
    );
}
