//! Finding incidents: filters, free text, sorting, paging.

use crate::support::*;
use chrono::Duration;
use incident_desk::desk::*;
use incident_desk::domain::model::*;

/// Four incidents of different priority, age, service and state.
fn populated() -> (Fixture, Vec<IncidentDetail>) {
    let f = fixture();
    let mut out = Vec::new();
    let specs = [
        (
            "VPN drops every few minutes",
            "moderate",
            "medium",
            f.network,
            f.service,
        ), // P3
        (
            "Checkout returns 503",
            "extensive",
            "critical",
            f.application,
            f.other_service,
        ), // P1
        ("Printer jams", "minor", "low", f.application, f.service), // P4
        (
            "Mail delayed for finance",
            "significant",
            "high",
            f.network,
            f.service,
        ), // P2
    ];
    for (title, impact, urgency, cat, svc) in specs {
        let mut i = f.new_incident();
        i.title = title.into();
        i.impact = impact.into();
        i.urgency = urgency.into();
        i.category_id = Some(cat);
        i.service_id = Some(svc);
        out.push(f.desk.log(&i).unwrap());
        f.clock.advance(Duration::minutes(10));
    }
    // The printer one is closed; the VPN one is with the network team and Jonas.
    out[2] = f.close(&f.verify(&f.resolve(&out[2])));
    f.clock.advance(Duration::minutes(1));
    out[0] = f
        .desk
        .assign(&AssignInput {
            id: out[0].incident.id,
            expected_version: 1,
            assignee_id: Some(f.colleague.id),
            team_id: Some(f.network_team.id),
        })
        .unwrap();
    (f, out)
}

fn numbers(page: &IncidentPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.number.as_str()).collect()
}

#[test]
fn open_incidents_sort_by_priority_then_age() {
    let (f, _) = populated();
    let page = f
        .desk
        .list(&IncidentQuery {
            state: Some("open".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(numbers(&page), ["INC-000002", "INC-000004", "INC-000001"]);
    assert_eq!(page.total, 3);
    assert_eq!(page.rows[0].priority, Priority::P1);
    assert_eq!(page.rows[0].service_name, "Web Shop Checkout");
}

#[test]
fn other_sort_orders_follow_age_and_last_update() {
    let (f, _) = populated();
    let by_age = f
        .desk
        .list(&IncidentQuery {
            sort: SortOrder::Age,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        numbers(&by_age),
        ["INC-000001", "INC-000002", "INC-000003", "INC-000004"]
    );
    let by_update = f
        .desk
        .list(&IncidentQuery {
            sort: SortOrder::LastUpdate,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(numbers(&by_update)[0], "INC-000001", "assigned last");
}

#[test]
fn each_filter_narrows_the_list() {
    let (f, _) = populated();
    let q = |q: IncidentQuery| {
        numbers(&f.desk.list(&q).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        q(IncidentQuery {
            state: Some("closed".into()),
            ..Default::default()
        }),
        ["INC-000003"]
    );
    assert_eq!(
        q(IncidentQuery {
            status: Some("assigned".into()),
            ..Default::default()
        }),
        ["INC-000001"]
    );
    assert_eq!(
        q(IncidentQuery {
            priority: Some("P2".into()),
            ..Default::default()
        }),
        ["INC-000004"]
    );
    assert_eq!(
        q(IncidentQuery {
            category_id: Some(f.network),
            ..Default::default()
        }),
        ["INC-000004", "INC-000001"]
    );
    assert_eq!(
        q(IncidentQuery {
            service_id: Some(f.other_service),
            ..Default::default()
        }),
        ["INC-000002"]
    );
    assert_eq!(
        q(IncidentQuery {
            assignee_id: Some(f.colleague.id),
            ..Default::default()
        }),
        ["INC-000001"]
    );
    assert_eq!(
        q(IncidentQuery {
            team_id: Some(f.network_team.id),
            ..Default::default()
        }),
        ["INC-000001"]
    );
    assert_eq!(
        q(IncidentQuery {
            text: Some("vpn".into()),
            ..Default::default()
        }),
        ["INC-000001"]
    );
    assert_eq!(
        q(IncidentQuery {
            text: Some("INC-000004".into()),
            ..Default::default()
        }),
        ["INC-000004"]
    );
    assert_eq!(
        q(IncidentQuery {
            text: Some("laura mail".into()),
            ..Default::default()
        }),
        ["INC-000004"],
        "every word, reporter included"
    );
    assert_eq!(
        q(IncidentQuery {
            text: Some("\"*) OR (".into()),
            ..Default::default()
        }),
        Vec::<String>::new(),
        "FTS syntax is just text"
    );
}

#[test]
fn free_text_follows_edits() {
    let (f, all) = populated();
    let d = &all[1];
    f.desk
        .update(&UpdateIncident {
            id: d.incident.id,
            expected_version: d.incident.version,
            changes: IncidentChanges {
                title: Some("Payment gateway timeout".into()),
                ..Default::default()
            },
        })
        .unwrap();
    let hits = |t: &str| {
        f.desk
            .list(&IncidentQuery {
                text: Some(t.into()),
                ..Default::default()
            })
            .unwrap()
            .total
    };
    assert_eq!(hits("gateway"), 1);
    assert_eq!(hits("returns"), 0, "the old title is no longer found");
}

#[test]
fn paging_reports_the_total_and_refuses_bad_sizes() {
    let (f, _) = populated();
    let page = f
        .desk
        .list(&IncidentQuery {
            limit: Some(2),
            offset: 2,
            sort: SortOrder::Age,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(numbers(&page), ["INC-000003", "INC-000004"]);
    assert_eq!((page.total, page.offset, page.limit), (4, 2, 2));
    let err = f
        .desk
        .list(&IncidentQuery {
            limit: Some(0),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
    let err = f
        .desk
        .list(&IncidentQuery {
            state: Some("maybe".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("state"));
}
