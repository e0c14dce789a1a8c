//! The incident list as an analyst reads it at 1,280 × 800 (issue 9): a bare number finds its
//! incident, the title has room, and nothing in Age, Assignee/team or the SLA badge is cut off.

use std::time::Duration;

use crate::app::{self, tid, App, Artifacts, Prerequisites};

/// Numbers of the listed rows, top to bottom.
fn listed(s: &crate::webdriver::Session) -> crate::webdriver::WdResult<Vec<String>> {
    let v = s.execute(
        "return [...document.querySelectorAll('[data-testid=\"incident-row\"]')]
           .map((r) => r.getAttribute('data-number'));",
        vec![],
    )?;
    Ok(v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

fn search(desk: &App, text: &str, first: &str) -> Vec<String> {
    let input = desk.visible("filter-text");
    desk.session().clear(&input).expect("clear the search box");
    desk.session()
        .send_keys(&input, &format!("{text}\u{E007}"))
        .expect("type the search");
    desk.wait_for(&format!("searching {text:?} to list {first} first"), |s| {
        let rows = listed(s)?;
        Ok((rows.first().map(String::as_str) == Some(first)).then_some(rows))
    })
}

#[test]
fn the_list_finds_an_incident_by_its_bare_number_and_shows_every_column_uncut() {
    let _serial = app::serialize();
    let pre = Prerequisites::check();
    let artifacts = Artifacts::for_test("list_bare_number_and_columns");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data_dir = tmp.path().join("desk");

    let desk = App::launch(&pre, &data_dir, &artifacts, "app");
    desk.visible("welcome");
    desk.fill("welcome-name", "Alex Morgan");
    desk.click("welcome-demo");
    desk.wait_for_within(
        Duration::from_secs(60),
        "the demo data to load and the welcome screen to go",
        |s| Ok(App::displayed(s, &tid("welcome"))?.is_none().then_some(())),
    );
    desk.visible_css(&tid("incident-row"), "a row of the demo desk");
    // Every incident of the demo desk, open and closed: the widest mix of columns.
    desk.select("filter-state", "All");
    desk.wait_for(
        "the whole demo desk to be listed and the render marked",
        |s| {
            let v = s.execute(
                "const l = document.querySelector('[data-testid=\"list-screen\"]');
             return l && Number(l.getAttribute('data-render-seq')) >= 2
               && document.querySelectorAll('[data-testid=\"incident-row\"]').length >= 20;",
                vec![],
            )?;
            Ok((v == serde_json::json!(true)).then_some(()))
        },
    );
    let shot = desk.shot("list at 1280x800");
    eprintln!("list screenshot: {}", shot.display());

    // ── A business-hours clock says the working time left, not only wall time ─────────────
    let page = crate::seal::invoke(
        &desk,
        "list_incidents",
        serde_json::json!({ "input": { "state": "all", "limit": 200 } }),
    );
    let working: Vec<i64> = page["ok"]["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter(|r| r["working_seconds_left"].is_i64())
                .filter_map(|r| r["id"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !working.is_empty(),
        "the demo desk has an open incident on a business-hours calendar: {page}"
    );
    for id in working {
        let text = desk.wait_text_css(
            &format!("[data-id=\"{id}\"] {}", tid("row-sla")),
            "working",
            "the badge of a business-hours clock to say the working time left",
        );
        assert!(text.contains(" in "), "{text:?}");
    }

    // ── What is cut at 1,280 px: nothing but long titles, and those have a tooltip ───────
    let report = desk
        .session()
        .execute(
            "const out = { width: window.innerWidth, title: 0, cut: [], nobody: 0, untitled: 0 };
             const rows = [...document.querySelectorAll('[data-testid=\"incident-row\"]')];
             for (const r of rows) {
               const t = r.querySelector('.col-title');
               out.title = Math.max(out.title, t.getBoundingClientRect().width);
               if (t.scrollWidth > t.clientWidth && t.title !== t.textContent) out.untitled += 1;
               for (const sel of ['.col-age', '.col-updated', '[data-testid=\"row-sla\"]',
                                  '.col-status', '.col-number']) {
                 const c = r.querySelector(sel);
                 if (c.scrollWidth > c.clientWidth + 1) out.cut.push(sel + ' ' + r.getAttribute('data-number') + ': ' + c.textContent);
               }
               for (const sel of ['.col-assignee', '.col-service']) {
                 const c = r.querySelector(sel);
                 for (const line of c.querySelectorAll('.cell-line')) {
                   if (line.scrollWidth > line.clientWidth + 1 && !c.title.includes(line.textContent)) {
                     out.cut.push(sel + ' without tooltip ' + r.getAttribute('data-number') + ': ' + line.textContent);
                   }
                 }
               }
               if (r.textContent.includes('Nobody')) out.nobody += 1;
             }
             out.rows = rows.length;
             return out;",
            vec![],
        )
        .expect("measure the list");
    eprintln!("list at 1280 px: {report}");
    assert_eq!(
        report["width"].as_f64(),
        Some(1280.0),
        "the window is 1,280 px wide"
    );
    assert!(report["rows"].as_u64().unwrap_or(0) >= 10, "{report}");
    let title = report["title"].as_f64().unwrap_or(0.0);
    assert!(
        title >= 290.0,
        "the title column gets the room at 1,280 px (was ~215 px): {title} px"
    );
    assert_eq!(report["cut"], serde_json::json!([]), "cut without tooltip");
    assert_eq!(
        report["untitled"].as_u64(),
        Some(0),
        "a cut title has its tooltip"
    );
    assert_eq!(
        report["nobody"].as_u64(),
        Some(0),
        "no person reads 'Unassigned'"
    );

    // ── A bare number finds its incident (in every state), listed first ──────────────────
    let rows = search(&desk, "12", "INC-000012");
    // A loaded machine paints late: give the frame a moment so the screenshot shows the result.
    std::thread::sleep(Duration::from_millis(500));
    desk.shot("search 12");
    assert_eq!(
        rows.iter().filter(|n| *n == "INC-000012").count(),
        1,
        "listed once: {rows:?}"
    );
    let rows = search(&desk, "INC-7", "INC-000007");
    assert_eq!(rows.first().map(String::as_str), Some("INC-000007"));
    std::thread::sleep(Duration::from_millis(500));
    desk.shot("search INC-7");
    desk.quit();
}
