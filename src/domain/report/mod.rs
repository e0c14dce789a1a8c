//! Printable reports: a small document model and its PDF renderer.
//!
//! A report is a title block (organisation, title, subtitle, a few facts) followed by a flat list
//! of [`Block`]s. [`render_pdf`] lays it out on A4 or US Letter pages with a running header,
//! a footer with "Page N of M", and DejaVu Sans embedded (subset to the glyphs used), so any
//! text the desk can hold prints as typed: accents, dashes, arrows, quotes, €, ✓.
//!
//! The model says *what* to print, never *where*: wrapping, page breaks, repeated table
//! headers and keeping a heading with what follows it are the renderer's job.

mod pdf;

pub use pdf::render_pdf;

/// Paper the document is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperSize {
    /// 210 × 297 mm (595 × 842 pt).
    #[default]
    A4,
    /// 8.5 × 11 in (612 × 792 pt).
    Letter,
}

impl PaperSize {
    /// Width and height in PDF points (1/72 in).
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            PaperSize::A4 => (210.0 * 72.0 / 25.4, 297.0 * 72.0 / 25.4),
            PaperSize::Letter => (612.0, 792.0),
        }
    }
}

/// A printable document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportDocument {
    pub paper: PaperSize,
    /// Top line of the title block on page 1.
    pub organisation: String,
    /// E.g. "Post-incident review".
    pub title: String,
    /// E.g. "INC-000042 · Checkout returns 503 for EU customers".
    pub subtitle: String,
    /// Key/values of the title block: Priority, Started, Resolved, Status (Draft/Final) …
    pub facts: Vec<(String, String)>,
    /// Running page header of pages 2 and later (page 1 carries the title block).
    pub header_text: String,
    /// Left part of every page's footer; "Page N of M" is at the right.
    pub footer_left: String,
    pub blocks: Vec<Block>,
    /// Who the PDF's metadata names as its author (the organisation, and the operator who
    /// exported it); the organisation when empty.
    pub author: String,
    /// When it was exported: the PDF's creation and modification dates (1970 when unset).
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One piece of the document body, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; never left alone at the bottom of a page.
    Heading(String),
    /// Text wrapped within the margins. A blank line starts a new paragraph; a single line
    /// break is kept as a line break.
    Paragraph(String),
    /// Two-column facts: bold label, wrapped value.
    KeyValues(Vec<(String, String)>),
    /// A table with a shaded header row, repeated on every page it spans; cells wrap.
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
    },
    /// Highlighted figures, label → value (e.g. "Time to detect" → "12 min").
    Metrics(Vec<(String, String)>),
    /// A visibly marked note.
    Warning(String),
    /// Monospaced line(s), e.g. the hash of the last event; long runs are broken to fit.
    Mono(String),
}

/// A table column: its title and its width relative to the other columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Relative weight; non-positive or non-finite weights count as 1.
    pub width: f32,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32) -> Self {
        Column {
            title: title.into(),
            width,
        }
    }
}
