//! The printed post-incident review: what a director holding the PDF would see.
//!
//! The PDF is checked with poppler's command-line tools (poppler-utils): `pdftotext` for the
//! text (with `-layout`, and `-bbox` for word positions), `pdfinfo` for pages and paper, and
//! `pdffonts` for font embedding. They are required; a missing tool fails the test.

use incident_desk::domain::report::{render_pdf, Block, Column, PaperSize, ReportDocument};
use std::path::{Path, PathBuf};
use std::process::Command;

const MM: f64 = 72.0 / 25.4;
/// The narrowest margin the layout may use (left and right), with a rounding tolerance.
const MIN_MARGIN: f64 = 18.0 * MM;
const TOLERANCE: f64 = 0.5;

// --- poppler -----------------------------------------------------------------------------------

fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{tool}` could not be run ({e}). The PDF tests need poppler-utils \
                 (apt-get install poppler-utils)."
            )
        });
    assert!(
        output.status.success(),
        "`{tool} {}` failed on {}: {}",
        args.join(" "),
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

struct Pdf {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: usize,
}

impl Pdf {
    fn render(doc: &ReportDocument) -> Pdf {
        let bytes = render_pdf(doc).expect("the review renders");
        assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("review.pdf");
        std::fs::write(&path, &bytes).expect("write pdf");
        Pdf {
            _dir: dir,
            path,
            bytes: bytes.len(),
        }
    }

    fn text(&self) -> String {
        poppler("pdftotext", &["-enc", "UTF-8", "-layout"], &self.path)
    }

    /// The text of each page (pdftotext separates pages with a form feed).
    fn pages_text(&self) -> Vec<String> {
        let text = self.text();
        let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
        if pages.last().is_some_and(|p| p.trim().is_empty()) {
            pages.pop();
        }
        pages
    }

    fn info(&self, key: &str) -> String {
        let info = poppler("pdfinfo", &[], &self.path);
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .unwrap_or_else(|| panic!("pdfinfo reports no {key}:\n{info}"))
            .trim()
            .to_string()
    }

    fn page_count(&self) -> usize {
        self.info("Pages").parse().expect("page count")
    }

    /// Words with their boxes, per page: (page width, page height, words).
    fn words(&self) -> Vec<(f64, f64, Vec<Word>)> {
        let html = poppler("pdftotext", &["-enc", "UTF-8", "-bbox"], &self.path);
        let mut pages = Vec::new();
        for line in html.lines().map(str::trim) {
            if line.starts_with("<page ") {
                pages.push((attr(line, "width"), attr(line, "height"), Vec::new()));
            } else if line.starts_with("<word ") {
                let text = line
                    .split_once('>')
                    .and_then(|(_, rest)| rest.strip_suffix("</word>"))
                    .unwrap_or_default();
                let word = Word {
                    x_min: attr(line, "xMin"),
                    y_min: attr(line, "yMin"),
                    x_max: attr(line, "xMax"),
                    y_max: attr(line, "yMax"),
                    text: unescape(text),
                };
                pages.last_mut().expect("word before page").2.push(word);
            }
        }
        pages
    }
}

#[derive(Debug)]
struct Word {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    let end = start + tag[start..].find('"').expect("closing quote");
    tag[start..end].parse().expect("number")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Asserts that `needles` occur in `haystack` as a subsequence of its words.
fn assert_words_in_order(haystack: &str, needles: &str, what: &str) {
    let mut words = haystack.split_whitespace();
    for (i, needle) in needles.split_whitespace().enumerate() {
        assert!(
            words.any(|w| w == needle),
            "{what}: word {i} ({needle:?}) is missing or out of order"
        );
    }
}

// --- the sample review -------------------------------------------------------------------------

const DESCRIPTION_SENTENCES: [&str; 8] = [
    "At 08:12 UTC a configuration change to the EU edge proxies lowered the upstream connection limit for the checkout service from 512 to 64.",
    "Under the Monday morning peak the proxies queued requests until they timed out, and customers in Germany, France and the Netherlands received HTTP 503 responses when they tried to pay.",
    "Synthetic monitoring raised the first alert at 08:24 UTC; the service desk logged the incident as P1 at 08:27 UTC and the network team joined the bridge at 08:35 UTC.",
    "Rolling back the proxy configuration restored checkout for most customers by 09:34 UTC, and error rates were back to their baseline at 09:59 UTC, when the incident was resolved.",
    "About 18,400 checkout attempts failed; the payment provider confirmed that no customer was charged for a failed order.",
    "The change had been reviewed and approved, but its risk assessment did not consider peak traffic, and the canary stage ran for only five minutes during a quiet period.",
    "Alerting on the checkout error rate worked as designed, but the alert went to a shared mailbox first, which added roughly six minutes before anyone acknowledged it.",
    "The review below lists what happened, why it happened, what went well, and what we will change so that a similar change cannot take checkout down again.",
];

fn description() -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 2_000 {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(DESCRIPTION_SENTENCES[i % DESCRIPTION_SENTENCES.len()]);
        i += 1;
    }
    text
}

const TIMELINE_ROWS: usize = 300;

fn timeline_rows(n: usize) -> Vec<Vec<String>> {
    let sources = [
        "Monitoring",
        "Service desk",
        "Network Team",
        "Change record",
        "Bridge",
    ];
    (0..n)
        .map(|i| {
            vec![
                format!("2026-03-02 {:02}:{:02}", 8 + i / 60 % 12, i % 60),
                sources[i % sources.len()].to_string(),
                format!(
                    "TL-{i:04} Error rate on checkout-eu at {}% of requests",
                    (i * 7) % 100
                ),
                "Amira Haddad".to_string(),
            ]
        })
        .collect()
}

const HASH: &str = "3fa2c9e0b71d44a8e5f06c2d9b8a7f1e0d3c5b4a69788e7f6a5b4c3d2e1f0a9b";

fn sample_review(paper: PaperSize) -> ReportDocument {
    ReportDocument {
        paper,
        organisation: "Northwind Retail · Service Management".into(),
        title: "Post-incident review".into(),
        subtitle: "INC-000042 · Checkout returns 503 for EU customers".into(),
        facts: vec![
            ("Priority".into(), "P1 Critical".into()),
            ("Started".into(), "2026-03-02 08:12 UTC".into()),
            ("Resolved".into(), "2026-03-02 09:59 UTC".into()),
            ("Status".into(), "Final".into()),
            ("Incident manager".into(), "Jonas Berg".into()),
            ("Service".into(), "Checkout EU".into()),
        ],
        header_text: "INC-000042 · Post-incident review · FINAL".into(),
        footer_left: "Generated 2026-03-02 14:00 UTC · fingerprint 3fa2c9e0".into(),
        blocks: vec![
            Block::Heading("Summary".into()),
            Block::Paragraph(description()),
            Block::Heading("Key figures".into()),
            Block::Metrics(vec![
                ("Time to detect".into(), "12 min".into()),
                ("Time to mitigate".into(), "1 h 22 min".into()),
                ("Time to resolve".into(), "1 h 47 min".into()),
                ("Failed checkouts".into(), "18,400".into()),
            ]),
            Block::Heading("Impact".into()),
            Block::KeyValues(vec![
                (
                    "Customers affected".into(),
                    "EU storefronts: Germany, France, Netherlands".into(),
                ),
                ("Services".into(), "Checkout EU; Payments gateway".into()),
                ("Workaround".into(), "None; customers retried later".into()),
            ]),
            Block::Heading("Timeline".into()),
            Block::Table {
                columns: vec![
                    Column::new("Time (UTC)", 2.2),
                    Column::new("Source", 1.8),
                    Column::new("Event", 6.0),
                    Column::new("Recorded by", 2.0),
                ],
                rows: timeline_rows(TIMELINE_ROWS),
            },
            Block::Heading("Action items".into()),
            Block::Warning("No action items: the reference recommends 2 to 3".into()),
            Block::Heading("Integrity".into()),
            Block::Mono(format!("sha256 {HASH}")),
        ],
        ..Default::default()
    }
}

// --- tests -------------------------------------------------------------------------------------

#[test]
fn every_field_of_the_review_is_printed() {
    let doc = sample_review(PaperSize::A4);
    let pdf = Pdf::render(&doc);
    let text = pdf.text();
    let pages = pdf.pages_text();

    for expected in [
        &doc.organisation,
        &doc.title,
        &doc.subtitle,
        &doc.footer_left,
    ] {
        assert!(text.contains(expected.as_str()), "missing {expected:?}");
    }
    for (key, value) in &doc.facts {
        assert!(text.contains(key.as_str()), "missing fact label {key:?}");
        assert!(
            text.contains(value.as_str()),
            "missing fact value {value:?}"
        );
    }
    // The running header is on every page but the first (which has the title block).
    assert!(
        !pages[0].contains(&doc.header_text),
        "page 1 has the title block, not the header"
    );
    for (i, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains(&doc.header_text),
            "page {} lacks the running header",
            i + 1
        );
    }
    for page in &pages {
        assert!(page.contains(&doc.footer_left), "a page lacks the footer");
    }

    for block in &doc.blocks {
        match block {
            Block::Heading(h) => assert!(text.contains(h.as_str()), "missing heading {h:?}"),
            Block::Paragraph(p) => {
                assert!(p.len() >= 2_000);
                assert_words_in_order(&text, p, "the description");
            }
            Block::KeyValues(pairs) | Block::Metrics(pairs) => {
                for (k, v) in pairs {
                    assert!(text.contains(k.as_str()), "missing label {k:?}");
                    assert!(text.contains(v.as_str()), "missing value {v:?}");
                }
            }
            Block::Table { columns, rows } => {
                for c in columns {
                    assert!(
                        text.contains(c.title.as_str()),
                        "missing column {:?}",
                        c.title
                    );
                }
                for row in rows {
                    for cell in row {
                        assert_words_in_order(&text, cell, "a timeline cell");
                    }
                }
                // Every row, in order.
                let ids: Vec<String> = (0..rows.len()).map(|i| format!("TL-{i:04}")).collect();
                assert_words_in_order(&text, &ids.join(" "), "the timeline rows");
            }
            Block::Warning(w) => assert!(text.contains(w.as_str()), "missing warning {w:?}"),
            Block::Mono(m) => assert!(text.contains(m.as_str()), "missing {m:?}"),
        }
    }
}

#[test]
fn a_long_table_repeats_its_header_row_on_every_page_it_spans() {
    let pdf = Pdf::render(&sample_review(PaperSize::A4));
    let pages = pdf.pages_text();
    let table_pages: Vec<&String> = pages.iter().filter(|p| p.contains("TL-")).collect();
    assert!(
        table_pages.len() >= 3,
        "300 rows should span several pages, got {}",
        table_pages.len()
    );
    let headers = pages
        .iter()
        .map(|p| p.matches("Recorded by").count())
        .sum::<usize>();
    assert!(
        headers >= table_pages.len(),
        "{headers} header rows for a table on {} pages",
        table_pages.len()
    );
    for (i, page) in table_pages.iter().enumerate() {
        let header = page
            .find("Time (UTC)")
            .unwrap_or_else(|| panic!("table page {} has no header row", i + 1));
        let first_row = page.find("TL-").expect("a row");
        assert!(
            header < first_row,
            "table page {}: the header is not above the rows",
            i + 1
        );
    }
}

#[test]
fn pages_are_numbered_n_of_m() {
    let pdf = Pdf::render(&sample_review(PaperSize::A4));
    let n = pdf.page_count();
    assert!(n >= 4, "the sample should run to several pages, got {n}");
    let pages = pdf.pages_text();
    assert_eq!(pages.len(), n);
    for (i, page) in pages.iter().enumerate() {
        let label = format!("Page {} of {n}", i + 1);
        assert!(page.contains(&label), "page {} lacks {label:?}", i + 1);
        assert_eq!(
            page.matches("Page ").count(),
            1,
            "page {} has more than one page label",
            i + 1
        );
    }
}

#[test]
fn a4_and_letter_have_their_paper_sizes() {
    for (paper, (w, h)) in [
        (PaperSize::A4, (595.0, 842.0)),
        (PaperSize::Letter, (612.0, 792.0)),
    ] {
        let doc = ReportDocument {
            paper,
            title: "Size".into(),
            ..Default::default()
        };
        let pdf = Pdf::render(&doc);
        let size = pdf.info("Page size");
        let dims: Vec<f64> = size
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        assert!(
            dims.len() >= 2 && (dims[0] - w).abs() < 0.5 && (dims[1] - h).abs() < 0.5,
            "{paper:?}: page size {size}"
        );
    }
}

#[test]
fn unicode_text_prints_as_typed() {
    let sample =
        "Café Müller, Straße 5 × 2 – 10 → 12 € 3.50 ✓ “quoted” ‘single’ — Ærøskøbing naïve";
    let doc = ReportDocument {
        title: "Unicode ✓".into(),
        subtitle: sample.into(),
        facts: vec![("Währung".into(), "€".into())],
        header_text: "h".into(),
        footer_left: "Fußzeile – “ok”".into(),
        blocks: vec![
            Block::Heading("Überblick → Ergebnis".into()),
            Block::Paragraph(sample.into()),
            Block::Table {
                columns: vec![Column::new("Spalte é", 1.0)],
                rows: vec![vec![sample.into()]],
            },
            Block::Warning(sample.into()),
            Block::Mono("ü → ✓".into()),
        ],
        ..Default::default()
    };
    let pdf = Pdf::render(&doc);
    let text = pdf.text();
    for piece in sample
        .split(' ')
        .chain(["Überblick", "Währung", "Fußzeile", "“ok”", "Spalte é"])
    {
        assert!(text.contains(piece), "{piece:?} did not survive:\n{text}");
    }
}

#[test]
fn fonts_are_embedded_and_subset() {
    let pdf = Pdf::render(&sample_review(PaperSize::A4));
    let fonts = poppler("pdffonts", &[], &pdf.path);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(rows.len() >= 3, "regular, bold and mono expected:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID  (type is "CID TrueType")
        assert!(cols[0].contains("DejaVuSans"), "unexpected font:\n{fonts}");
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "font not embedded:\n{fonts}");
        assert_eq!(cols[n - 4], "yes", "font not subset:\n{fonts}");
        assert_eq!(cols[n - 3], "yes", "font without a Unicode map:\n{fonts}");
    }
    // A short review stays small: the fonts carry only the glyphs used.
    let mut short = sample_review(PaperSize::A4);
    if let Some(Block::Table { rows, .. }) = short
        .blocks
        .iter_mut()
        .find(|b| matches!(b, Block::Table { .. }))
    {
        rows.truncate(20);
    }
    let short = Pdf::render(&short);
    assert!(short.page_count() <= 3, "{} pages", short.page_count());
    assert!(
        short.bytes < 150_000,
        "a short review takes {} bytes",
        short.bytes
    );
}

fn overflow_document(paper: PaperSize) -> ReportDocument {
    let url = "https://status.example.org/incidents/2026/03/02/checkout-503-eu/timeline?view=full&tz=Europe%2FBerlin&highlight=TL-0042";
    let hash = HASH.repeat(3);
    let word = "W".repeat(150);
    ReportDocument {
        paper,
        organisation: format!("Org {word}"),
        title: format!("Title {word}"),
        subtitle: format!("See {url}"),
        facts: vec![
            ("Link".into(), url.into()),
            (word.clone(), hash.clone()),
            ("Status".into(), "Draft".into()),
        ],
        header_text: format!("INC-000042 · {url} · {word}"),
        footer_left: format!("Generated 2026-03-02 14:00 UTC · fingerprint {hash}"),
        blocks: vec![
            Block::Heading(format!("Heading {word}")),
            Block::Paragraph(format!(
                "{url} {hash} {word} and a normal sentence.\n\n{}",
                description()
            )),
            Block::KeyValues(vec![
                (word.clone(), format!("{url} {hash}")),
                ("Runbook".into(), url.into()),
            ]),
            Block::Metrics(vec![
                (word.clone(), hash.clone()),
                ("Time to detect".into(), "12 min".into()),
                ("Link".into(), url.into()),
            ]),
            Block::Table {
                columns: vec![
                    Column::new("A", 1.0),
                    Column::new(&word, 1.0),
                    Column::new("Link", 3.0),
                    Column::new("", 0.2),
                ],
                rows: (0..40)
                    .map(|i| vec![format!("{i}"), hash.clone(), url.into(), word.clone()])
                    .collect(),
            },
            Block::Warning(format!("{url} {word}")),
            Block::Mono(format!("{hash}\nevent 42 {hash}{hash}")),
        ],
        ..Default::default()
    }
}

#[test]
fn no_text_runs_beyond_the_margins() {
    for paper in [PaperSize::A4, PaperSize::Letter] {
        for doc in [sample_review(paper), overflow_document(paper)] {
            let pdf = Pdf::render(&doc);
            let pages = pdf.words();
            assert_eq!(pages.len(), pdf.page_count());
            for (p, (width, height, words)) in pages.iter().enumerate() {
                assert!(!words.is_empty(), "page {} is empty", p + 1);
                for w in words {
                    assert!(
                        w.x_min >= MIN_MARGIN - TOLERANCE
                            && w.x_max <= width - MIN_MARGIN + TOLERANCE,
                        "{paper:?} page {}: {:?} spans x {:.1}..{:.1} on a page {width:.1} wide",
                        p + 1,
                        w.text,
                        w.x_min,
                        w.x_max
                    );
                    assert!(
                        w.y_min >= 8.0 * MM && w.y_max <= height - 8.0 * MM,
                        "{paper:?} page {}: {:?} is off the page vertically",
                        p + 1,
                        w.text
                    );
                }
            }
        }
    }
}

#[test]
fn a_heading_is_never_the_last_thing_on_a_page() {
    // Sections of varied length, so headings fall at every height of the page.
    let blocks = (0..60)
        .flat_map(|i| {
            let body = DESCRIPTION_SENTENCES[..1 + (i * 5) % 7].join(" ");
            [
                Block::Heading(format!("Section{i:02} heading")),
                Block::Paragraph(body),
            ]
        })
        .collect();
    let doc = ReportDocument {
        title: "Keep with next".into(),
        footer_left: "footer".into(),
        header_text: "header".into(),
        blocks,
        ..Default::default()
    };
    let pdf = Pdf::render(&doc);
    let pages = pdf.words();
    assert!(pages.len() >= 5);
    let mut seen = 0;
    for (p, (_, height, words)) in pages.iter().enumerate() {
        let body_bottom = height - 18.0 * MM;
        for heading in words.iter().filter(|w| w.text.starts_with("Section")) {
            seen += 1;
            let lines_below = words
                .iter()
                .filter(|w| w.y_min > heading.y_max && w.y_max < body_bottom)
                .count();
            assert!(
                lines_below > 0,
                "page {}: {:?} is the last text of the page",
                p + 1,
                heading.text
            );
        }
    }
    assert_eq!(seen, 60, "every heading printed once");
}

#[test]
fn a_heading_stays_on_the_page_of_the_first_lines_it_introduces() {
    // Headings over tables with tall first rows, tall key/values, warnings and a sub-heading,
    // after fillers of varied length so that they fall at every height of the page.
    let tall = |i: usize| {
        (0..4 + i % 9)
            .map(|l| format!("line{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut blocks = Vec::new();
    for i in 0..48 {
        blocks.push(Block::Paragraph(
            DESCRIPTION_SENTENCES[..1 + (i * 3) % 6].join(" "),
        ));
        blocks.push(Block::Heading(format!("Section{i:02}")));
        match i % 4 {
            0 => blocks.push(Block::Table {
                columns: vec![Column::new("When", 1.0), Column::new("What", 3.0)],
                rows: vec![
                    vec![format!("First{i:02}"), tall(i)],
                    vec!["second".into(), "row".into()],
                ],
            }),
            1 => blocks.push(Block::KeyValues(vec![(format!("First{i:02}"), tall(i))])),
            2 => blocks.push(Block::Warning(format!("First{i:02} {}", tall(i)))),
            _ => {
                blocks.push(Block::Heading(format!("Sub{i:02}")));
                blocks.push(Block::Paragraph(format!("First{i:02} {}", tall(i))));
            }
        }
    }
    let doc = ReportDocument {
        title: "Keep with next".into(),
        footer_left: "footer".into(),
        header_text: "header".into(),
        blocks,
        ..Default::default()
    };
    let pdf = Pdf::render(&doc);
    let pages = pdf.words();
    assert!(pages.len() >= 5);
    let page_of = |text: &str| {
        pages
            .iter()
            .position(|(_, _, words)| words.iter().any(|w| w.text == text))
            .unwrap_or_else(|| panic!("{text} is not printed"))
    };
    for i in 0..48 {
        let heading = page_of(&format!("Section{i:02}"));
        let first = page_of(&format!("First{i:02}"));
        assert_eq!(
            heading,
            first,
            "Section{i:02} is on page {} and its first line on page {}",
            heading + 1,
            first + 1
        );
    }
}
