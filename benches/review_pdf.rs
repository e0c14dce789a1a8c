//! Benchmark of the PDF renderer on a typical post-incident review.
//!
//! ```text
//! cargo bench --bench review_pdf -- [--rows 200] [--runs 50] [--letter] [--out /tmp/review-sample.pdf]
//! ```
//!
//! Renders a review with `--rows` timeline rows and the usual sections (summary, key figures,
//! impact, root cause, what went well, action items, integrity hash) `--runs` times after one
//! warm-up render, and prints p50/p99/max milliseconds per render and the file size.
//! `--letter` lays it out on US Letter instead of A4; `--out` also writes the PDF, to look at.
//! Unknown arguments (cargo passes `--bench`) are ignored.

use incident_desk::domain::report::{render_pdf, Block, Column, PaperSize, ReportDocument};
use std::time::{Duration, Instant};

const TARGET_MS: f64 = 150.0;

fn timeline(rows: usize) -> Vec<Vec<String>> {
    let events = [
        (
            "Monitoring",
            "Synthetic check “EU checkout” failed: HTTP 503 from edge-proxy-fra-2",
        ),
        (
            "Service desk",
            "Incident logged as P1 – Critical; major-incident bridge opened",
        ),
        (
            "Network Team",
            "Edge proxy connection limit found at 64 (was 512) after change CHG-1187",
        ),
        (
            "Change record",
            "Rollback of CHG-1187 approved by the emergency change authority",
        ),
        (
            "Bridge",
            "Error rate falling: 41 % → 12 % → 3 % over ten minutes",
        ),
        (
            "Payments",
            "Payment provider confirms no customer was charged for failed orders",
        ),
        (
            "Service desk",
            "Status page updated for customers in DE, FR and NL",
        ),
    ];
    let people = ["Amira Haddad", "Jonas Berg", "Léa Dubois", "Søren Ødegård"];
    (0..rows)
        .map(|i| {
            let (source, event) = events[i % events.len()];
            let minute = 12 + i;
            vec![
                format!("08:{:02}:{:02}", (minute / 60 + minute) % 60, (i * 17) % 60),
                source.to_string(),
                if i % 11 == 5 {
                    format!("{event}. Details: https://runbooks.example.org/checkout/edge-proxy/limits#row-{i}")
                } else {
                    event.to_string()
                },
                people[i % people.len()].to_string(),
            ]
        })
        .collect()
}

fn review(rows: usize, paper: PaperSize) -> ReportDocument {
    ReportDocument {
        paper,
        organisation: "Northwind Retail · Service Management".into(),
        title: "Post-incident review".into(),
        subtitle: "INC-000042 · Checkout returns 503 for EU customers".into(),
        facts: vec![
            ("Priority".into(), "P1 – Critical".into()),
            ("Service".into(), "Checkout (EU)".into()),
            ("Started".into(), "2026-03-02 08:12 UTC".into()),
            ("Resolved".into(), "2026-03-02 09:59 UTC".into()),
            ("Incident manager".into(), "Jonas Berg".into()),
            ("Reviewed by".into(), "Amira Haddad, Léa Dubois".into()),
            ("Major incident".into(), "Yes".into()),
            ("Status".into(), "Final".into()),
        ],
        header_text: "INC-000042 · Post-incident review · FINAL".into(),
        footer_left: "Generated 2026-03-02 14:00 UTC · fingerprint 3fa2c9e0b71d".into(),
        blocks: vec![
            Block::Heading("Summary".into()),
            Block::Paragraph(
                "On Monday 2 March, customers of our German, French and Dutch storefronts could \
                 not complete a purchase for 1 h 47 min. A configuration change to the EU edge \
                 proxies lowered the upstream connection limit for the checkout service from 512 \
                 to 64; under the morning peak, requests queued until they timed out and \
                 customers saw “Service unavailable” (HTTP 503) when they tried to pay.\n\n\
                 Rolling back the change restored checkout for most customers by 09:34 UTC; error \
                 rates were at their baseline at 09:59 UTC. About 18,400 checkout attempts failed. \
                 No payment was taken for a failed order, and no data was lost."
                    .into(),
            ),
            Block::Heading("Key figures".into()),
            Block::Metrics(vec![
                ("Time to detect".into(), "12 min".into()),
                ("Time to acknowledge".into(), "3 min".into()),
                ("Time to mitigate".into(), "1 h 22 min".into()),
                ("Time to resolve".into(), "1 h 47 min".into()),
            ]),
            Block::Heading("Impact".into()),
            Block::KeyValues(vec![
                ("Customers".into(), "EU storefronts (DE, FR, NL); about 18,400 failed checkouts, €1.2 m in delayed orders".into()),
                ("Services".into(), "Checkout (EU) – unavailable; Payments gateway – degraded".into()),
                ("SLA".into(), "Resolution target of 4 h met (1 h 47 min); response target of 15 min met (3 min)".into()),
                ("Workaround".into(), "None available; customers were asked to retry later".into()),
            ]),
            Block::Heading("Timeline".into()),
            Block::Table {
                columns: vec![
                    Column::new("Time (UTC)", 1.3),
                    Column::new("Source", 1.6),
                    Column::new("Event", 5.5),
                    Column::new("Recorded by", 1.7),
                ],
                rows: timeline(rows),
            },
            Block::Heading("Root cause".into()),
            Block::Paragraph(
                "The change CHG-1187 replaced the proxy configuration template. The new template \
                 carried a connection limit meant for the staging environment. Its review compared \
                 the rendered configuration for one proxy only, and the canary stage ran for five \
                 minutes at 06:00 UTC, when traffic is a tenth of the peak.\n\n\
                 Contributing factors: the checkout alert was routed to a shared mailbox before \
                 paging the on-call engineer, and the proxy dashboards did not show queued \
                 connections."
                    .into(),
            ),
            Block::Heading("What went well".into()),
            Block::Paragraph(
                "The service desk declared a major incident within three minutes of the first \
                 alert. The bridge had the right people within ten minutes, and the rollback \
                 procedure worked as documented."
                    .into(),
            ),
            Block::Heading("Action items".into()),
            Block::Table {
                columns: vec![
                    Column::new("#", 0.4),
                    Column::new("Action", 5.0),
                    Column::new("Owner", 1.8),
                    Column::new("Due", 1.4),
                    Column::new("Status", 1.2),
                ],
                rows: vec![
                    vec!["1".into(), "Validate connection limits against production values in the proxy template pipeline".into(), "Network Team".into(), "2026-03-16".into(), "Open".into()],
                    vec!["2".into(), "Run canaries for at least 30 min and across a traffic peak for edge changes".into(), "Change Advisory Board".into(), "2026-03-30".into(), "Open".into()],
                    vec!["3".into(), "Page the on-call engineer directly for checkout error-rate alerts".into(), "Jonas Berg".into(), "2026-03-09".into(), "Done ✓".into()],
                ],
            },
            Block::Warning("Problem record not linked: a P1 incident should lead to a problem record for the root cause.".into()),
            Block::Heading("Integrity".into()),
            Block::Paragraph("The review was generated from the incident's event log. The hash of the last event:".into()),
            Block::Mono("event #1873 · sha256 3fa2c9e0b71d44a8e5f06c2d9b8a7f1e0d3c5b4a69788e7f6a5b4c3d2e1f0a9b".into()),
        ],
        ..Default::default()
    }
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = arg(&args, "--rows").unwrap_or(200);
    let runs: usize = arg(&args, "--runs").unwrap_or(50).max(1);
    let out: Option<String> = arg(&args, "--out");

    let paper = if args.iter().any(|a| a == "--letter") {
        PaperSize::Letter
    } else {
        PaperSize::A4
    };
    let doc = review(rows, paper);
    let first = render_pdf(&doc).expect("render");
    if let Some(path) = &out {
        std::fs::write(path, &first).expect("write the sample");
        println!("wrote {path}");
    }

    let mut times = Vec::with_capacity(runs);
    let mut size = first.len();
    for _ in 0..runs {
        let start = Instant::now();
        let bytes = render_pdf(&doc).expect("render");
        times.push(start.elapsed());
        size = bytes.len();
    }
    times.sort();
    let p50 = percentile(&times, 0.50);
    let p99 = percentile(&times, 0.99);
    let max = times.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "review PDF, {rows} timeline rows, {runs} renders: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; \
         {size} bytes ({:.1} KB)",
        size as f64 / 1024.0
    );
    if p99 > TARGET_MS {
        println!("SLOWER than the {TARGET_MS} ms target");
    } else {
        println!("within the {TARGET_MS} ms target");
    }
}
