//! PDF rendering of a [`ReportDocument`] with printpdf 0.12 (built without its HTML/text-layout
//! features, so layout is done here: text is measured with DejaVu's own advance widths).
//!
//! How it works:
//! * every block is first *measured* (wrapped into lines at the real glyph widths), then placed
//!   top to bottom; a block that does not fit moves to the next page, tables and long texts break
//!   between lines/rows (the table header row is drawn again on each page), and a heading is
//!   only placed where the first part of the block after it fits too;
//! * the running header and the footer ("Page N of M") are drawn once all pages are known;
//! * fonts are subset here, because printpdf's subsetter needs its `text_layout` feature: the
//!   glyph outlines that are not used are dropped from `glyf` (glyph ids stay the same, so the
//!   content streams, `/W` widths and `/ToUnicode` printpdf writes remain valid).
//!
//! Coordinates below are in points with y growing *downwards* from the top edge of the page;
//! they are flipped only when the PDF operations are emitted.

use super::{Block, Column, PaperSize, ReportDocument};
use crate::Error;
use printpdf::{
    Color, FontId, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Page geometry and typography
// ---------------------------------------------------------------------------------------------

const MM: f32 = 72.0 / 25.4;
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 20.0 * MM;
/// Where the body starts on page 1 (which has no running header).
const FIRST_PAGE_TOP: f32 = 18.0 * MM;
/// Where the body starts on later pages, below the running header.
const PAGE_TOP: f32 = 22.0 * MM;
/// Distance from the bottom edge at which the body ends.
const PAGE_BOTTOM: f32 = 20.0 * MM;
const HEADER_BASELINE: f32 = 13.0 * MM;
const HEADER_RULE: f32 = 15.5 * MM;
/// Footer rule and first baseline, measured from the bottom edge.
const FOOTER_RULE: f32 = 16.0 * MM;
const FOOTER_BASELINE: f32 = 11.5 * MM;
/// First baseline of a footer that needs two lines, and the distance between them.
const FOOTER_BASELINE_TWO: f32 = 12.5 * MM;
const FOOTER_LEAD: f32 = 9.0;

const BODY: f32 = 10.0;
const BODY_LEAD: f32 = 14.0;
const SMALL: f32 = 8.0;
const TABLE: f32 = 9.0;
const TABLE_LEAD: f32 = 12.0;
const HEADING: f32 = 13.0;
const HEADING_LEAD: f32 = 17.0;
const MONO: f32 = 8.5;
const MONO_LEAD: f32 = 12.0;

const BLOCK_GAP: f32 = 9.0;
const PARAGRAPH_GAP: f32 = 6.0;
const HEADING_GAP_BEFORE: f32 = 16.0;
const HEADING_GAP_AFTER: f32 = 8.0;
const CELL_PAD_X: f32 = 4.5;
const CELL_PAD_Y: f32 = 3.5;
/// Cap height of DejaVu Sans as a fraction of the font size; used to centre text in line boxes.
const CAP_HEIGHT: f32 = 0.73;

type Rgb3 = (f32, f32, f32);
const INK: Rgb3 = (0.11, 0.13, 0.17);
const MUTED: Rgb3 = (0.38, 0.42, 0.49);
const ACCENT: Rgb3 = (0.12, 0.29, 0.49);
const ACCENT_LIGHT: Rgb3 = (0.70, 0.77, 0.86);
const RULE: Rgb3 = (0.84, 0.86, 0.89);
const RULE_DARK: Rgb3 = (0.55, 0.60, 0.67);
const HEADER_FILL: Rgb3 = (0.90, 0.92, 0.95);
const ZEBRA_FILL: Rgb3 = (0.973, 0.978, 0.985);
const BAND_FILL: Rgb3 = (0.95, 0.96, 0.98);
const WARN_FILL: Rgb3 = (1.0, 0.965, 0.88);
const WARN_BAR: Rgb3 = (0.85, 0.53, 0.05);
const WARN_INK: Rgb3 = (0.45, 0.27, 0.0);
const MONO_FILL: Rgb3 = (0.955, 0.96, 0.965);

// ---------------------------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Face {
    Regular = 0,
    Bold = 1,
    Mono = 2,
}

const FACES: [Face; 3] = [Face::Regular, Face::Bold, Face::Mono];

impl Face {
    fn resource(self) -> &'static str {
        match self {
            Face::Regular => "FDejaVuSans",
            Face::Bold => "FDejaVuSansBold",
            Face::Mono => "FDejaVuSansMono",
        }
    }
}

/// One parsed face with dense lookup tables for measuring.
struct FontData {
    postscript_name: &'static str,
    bytes: &'static [u8],
    parsed: ParsedFont,
    units_per_em: f32,
    /// Glyph id for each BMP code point (0 = not in the font).
    bmp: Vec<u16>,
    /// Advance width (font units) by glyph id.
    advances: Vec<u16>,
    /// What a character the font lacks is printed as.
    replacement: char,
}

impl FontData {
    fn load(postscript_name: &'static str, bytes: &'static [u8]) -> Result<Self, String> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| format!("the font {postscript_name} could not be read"))?;
        if parsed.codepoint_to_glyph.is_empty() || parsed.units_per_em == 0 {
            return Err(format!(
                "the font {postscript_name} has no usable character map"
            ));
        }
        let mut bmp = vec![0u16; 0x1_0000];
        for (&cp, &gid) in &parsed.codepoint_to_glyph {
            if let Some(slot) = bmp.get_mut(cp as usize) {
                *slot = gid;
            }
        }
        let glyphs = parsed
            .glyph_widths
            .keys()
            .next_back()
            .map_or(0, |&g| g as usize + 1);
        let mut advances = vec![0u16; glyphs];
        for (&gid, &w) in &parsed.glyph_widths {
            advances[gid as usize] = w;
        }
        let mut font = FontData {
            postscript_name,
            bytes,
            units_per_em: f32::from(parsed.units_per_em),
            parsed,
            bmp,
            advances,
            replacement: '?',
        };
        if font.gid('\u{FFFD}').is_some() {
            font.replacement = '\u{FFFD}';
        }
        Ok(font)
    }

    fn gid(&self, c: char) -> Option<u16> {
        let cp = c as u32;
        let gid = if cp < 0x1_0000 {
            self.bmp[cp as usize]
        } else {
            self.parsed
                .codepoint_to_glyph
                .get(&cp)
                .copied()
                .unwrap_or(0)
        };
        (gid != 0).then_some(gid)
    }

    /// The character as it will be printed: tabs become spaces, invisible controls are dropped
    /// and characters the font lacks become the replacement character.
    fn printable(&self, c: char) -> Option<char> {
        match c {
            '\t' => Some(' '),
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => None,
            c if c.is_control() => None,
            c if self.gid(c).is_some() => Some(c),
            _ => Some(self.replacement),
        }
    }

    fn clean(&self, text: &str) -> String {
        text.chars().filter_map(|c| self.printable(c)).collect()
    }

    /// Advance of an already cleaned character, in points.
    fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.gid(c).unwrap_or(0) as usize;
        f32::from(self.advances.get(gid).copied().unwrap_or(0)) * size / self.units_per_em
    }

    /// Width of an already cleaned string, in points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = self.gid(c).unwrap_or(0) as usize;
                u32::from(self.advances.get(gid).copied().unwrap_or(0))
            })
            .sum();
        units as f32 * size / self.units_per_em
    }
}

struct Fonts([FontData; 3]);

impl Fonts {
    fn get(&self, face: Face) -> &FontData {
        &self.0[face as usize]
    }
}

fn fonts() -> Result<&'static Fonts, Error> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts([
                FontData::load("DejaVuSans", dejavu::sans::regular())?,
                FontData::load("DejaVuSans-Bold", dejavu::sans::bold())?,
                FontData::load("DejaVuSansMono", dejavu::sans_mono::regular())?,
            ]))
        })
        .as_ref()
        .map_err(|e| Error::Storage(format!("The report could not be printed: {e}.")))
}

// ---------------------------------------------------------------------------------------------
// Line breaking
// ---------------------------------------------------------------------------------------------

/// Separators a word may be broken after when it is too long for a line (URLs, paths, hashes).
fn is_break_after(c: char) -> bool {
    matches!(
        c,
        '/' | '-' | '.' | '_' | '?' | '&' | '=' | ',' | ';' | ':' | '#' | '\\' | '|'
    )
}

/// Whitespace a line may break at (not the no-break spaces).
fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

/// Wraps one line of text (no line breaks in it) to `max_width`. Runs of spaces collapse;
/// a word wider than the line is broken, preferably after a separator.
fn wrap_line(font: &FontData, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let max_width = max_width.max(size); // at least one character per line
    let space = font.advance(' ', size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0f32;
    for word in text.split(is_break_space).filter(|w| !w.is_empty()) {
        let word = font.clean(word);
        if word.is_empty() {
            continue;
        }
        let width = font.width(&word, size);
        if !line.is_empty() && line_width + space + width <= max_width + 0.01 {
            line.push(' ');
            line.push_str(&word);
            line_width += space + width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if width <= max_width + 0.01 {
            line = word;
            line_width = width;
        } else {
            let mut pieces = break_word(font, size, &word, max_width);
            let last = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
            line_width = font.width(&last, size);
            line = last;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Breaks a word wider than `max_width` into pieces that fit.
fn break_word(font: &FontData, size: f32, word: &str, max_width: f32) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut width = 0.0;
        let mut end = start;
        let mut last_break = None;
        while end < chars.len() {
            let w = font.advance(chars[end], size);
            if end > start && width + w > max_width + 0.01 {
                break;
            }
            width += w;
            if is_break_after(chars[end]) {
                last_break = Some(end + 1);
            }
            end += 1;
        }
        if end < chars.len() {
            // Prefer a separator in the second half of the piece.
            if let Some(b) = last_break {
                if b > start + (end - start) / 2 && b < end {
                    end = b;
                }
            }
        }
        pieces.push(chars[start..end].iter().collect());
        start = end;
    }
    pieces
}

/// Wraps text that may contain line breaks; each line break is kept.
fn wrap(font: &FontData, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.split('\n')
        .flat_map(|line| wrap_line(font, size, line, max_width))
        .collect()
}

/// Splits text into paragraphs at blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// Shortens a single line with an ellipsis so it fits `max_width`.
fn ellipsize(font: &FontData, size: f32, text: &str, max_width: f32) -> String {
    let text: String = font
        .clean(text)
        .chars()
        .map(|c| if is_break_space(c) { ' ' } else { c })
        .collect();
    if font.width(&text, size) <= max_width {
        return text;
    }
    let budget = max_width - font.width("…", size);
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = font.advance(c, size);
        if width + w > budget {
            break;
        }
        width += w;
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// At most `max` lines; the rest of the text is shortened into the last one. For the parts of
/// the layout that cannot break across pages (title-block facts, metric boxes, headings).
fn cap(lines: Vec<String>, max: usize, font: &FontData, size: f32, width: f32) -> Vec<String> {
    if lines.len() <= max || max == 0 {
        return lines;
    }
    let mut lines = lines;
    let rest = lines.split_off(max - 1).join(" ");
    lines.push(ellipsize(font, size, &rest, width));
    lines
}

// ---------------------------------------------------------------------------------------------
// Page writer
// ---------------------------------------------------------------------------------------------

/// A cell of a row: where it is and what lines it holds.
struct Cell<'a> {
    x: f32,
    face: Face,
    size: f32,
    color: Rgb3,
    lines: &'a [String],
}

#[derive(Clone, Copy)]
struct RowStyle {
    lead: f32,
    pad_top: f32,
    pad_bottom: f32,
    fill: Option<Rgb3>,
    rule: Option<(f32, Rgb3)>,
}

struct Writer<'f> {
    fonts: &'f Fonts,
    page_w: f32,
    page_h: f32,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    y: f32,
    /// Characters used, per face (for subsetting and the font's character map).
    used: [BTreeSet<char>; 3],
    fill: Option<Rgb3>,
}

fn color(c: Rgb3) -> Color {
    Color::Rgb(Rgb::new(c.0, c.1, c.2, None))
}

impl<'f> Writer<'f> {
    fn new(fonts: &'f Fonts, paper: PaperSize) -> Self {
        let (page_w, page_h) = paper.size_pt();
        Writer {
            fonts,
            page_w,
            page_h,
            pages: vec![Vec::new()],
            y: FIRST_PAGE_TOP,
            used: Default::default(),
            fill: None,
        }
    }

    fn font(&self, face: Face) -> &'f FontData {
        self.fonts.get(face)
    }

    fn content_width(&self) -> f32 {
        self.page_w - 2.0 * MARGIN_X
    }

    fn page_top(&self) -> f32 {
        if self.pages.len() == 1 {
            FIRST_PAGE_TOP
        } else {
            PAGE_TOP
        }
    }

    fn bottom(&self) -> f32 {
        self.page_h - PAGE_BOTTOM
    }

    fn at_top(&self) -> bool {
        self.y <= self.page_top() + 0.01
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_TOP;
        self.fill = None;
    }

    /// Moves to a new page unless `height` fits below the cursor (or the page is still empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() + 0.01 && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn space(&mut self, amount: f32) {
        if !self.at_top() {
            self.y = (self.y + amount).min(self.bottom());
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: it starts with one page and only grows.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn set_fill(&mut self, c: Rgb3) {
        if self.fill != Some(c) {
            self.fill = Some(c);
            self.ops().push(Op::SetFillColor { col: color(c) });
        }
    }

    /// Text with its baseline at `baseline` (from the top), starting at `x`.
    fn text(&mut self, face: Face, size: f32, c: Rgb3, x: f32, baseline: f32, text: &str) {
        let font = self.font(face);
        let text = font.clean(text);
        if text.trim().is_empty() {
            return;
        }
        self.used[face as usize].extend(text.chars());
        self.set_fill(c);
        let y = self.page_h - baseline;
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(FontId(face.resource().to_string())),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
    }

    fn text_right(
        &mut self,
        face: Face,
        size: f32,
        c: Rgb3,
        right: f32,
        baseline: f32,
        text: &str,
    ) {
        let font = self.font(face);
        let width = font.width(&font.clean(text), size);
        self.text(face, size, c, right - width, baseline, text);
    }

    /// A filled rectangle; `top` is measured from the top edge.
    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, c: Rgb3) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        self.set_fill(c);
        let y = self.page_h - top - h;
        self.ops().push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(printpdf::PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// A horizontal rule centred on `y`.
    fn rule(&mut self, x: f32, y: f32, w: f32, thickness: f32, c: Rgb3) {
        self.rect(x, y - thickness / 2.0, w, thickness, c);
    }

    /// Baseline of line `i` of a block whose first line box starts at `top`.
    fn baseline(top: f32, i: usize, lead: f32, size: f32) -> f32 {
        top + i as f32 * lead + (lead + CAP_HEIGHT * size) / 2.0
    }

    #[allow(clippy::too_many_arguments)]
    fn lines(
        &mut self,
        face: Face,
        size: f32,
        c: Rgb3,
        x: f32,
        top: f32,
        lead: f32,
        lines: &[String],
    ) {
        for (i, line) in lines.iter().enumerate() {
            self.text(face, size, c, x, Self::baseline(top, i, lead, size), line);
        }
    }

    /// Lines at the left margin, one under the other, continuing on the next page if needed.
    fn flow(&mut self, face: Face, size: f32, c: Rgb3, lead: f32, lines: &[String]) {
        for line in lines {
            self.ensure(lead);
            let top = self.y;
            self.text(
                face,
                size,
                c,
                MARGIN_X,
                Self::baseline(top, 0, lead, size),
                line,
            );
            self.y = top + lead;
        }
    }

    /// Draws one row of cells spanning `x`..`x + width`, breaking it across pages if it does
    /// not fit; after each page break `header` (a row of its own) is drawn first.
    fn row(
        &mut self,
        x: f32,
        width: f32,
        cells: &[Cell],
        style: RowStyle,
        header: Option<(&[Cell], RowStyle)>,
    ) {
        let total = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let pad = style.pad_top + style.pad_bottom;
        let header_h = header.map_or(0.0, |(cells, st)| row_height(cells, st));
        let page_room = self.bottom() - PAGE_TOP - header_h;
        let mut start = 0;
        let mut fresh = false;
        while start < total {
            let remaining = total - start;
            let room = self.bottom() - self.y - pad;
            let mut fit = ((room + 0.01) / style.lead).floor().max(0.0) as usize;
            let whole_fits_fresh = remaining as f32 * style.lead + pad <= page_room + 0.01;
            let breaks = fit < remaining && (fit == 0 || (start == 0 && whole_fits_fresh));
            if breaks && !fresh && !self.at_top() {
                self.new_page();
                if let Some((cells, st)) = header {
                    self.row(x, width, cells, st, None);
                }
                fresh = true;
                continue;
            }
            fresh = false;
            fit = fit.clamp(1, remaining);
            let end = start + fit;
            let top = self.y;
            let h = fit as f32 * style.lead + pad;
            if let Some(fill) = style.fill {
                self.rect(x, top, width, h, fill);
            }
            for cell in cells {
                let lines = &cell.lines[start.min(cell.lines.len())..end.min(cell.lines.len())];
                self.lines(
                    cell.face,
                    cell.size,
                    cell.color,
                    cell.x,
                    top + style.pad_top,
                    style.lead,
                    lines,
                );
            }
            if let Some((t, c)) = style.rule {
                self.rule(x, top + h, width, t, c);
            }
            self.y = top + h;
            start = end;
        }
    }
}

fn row_height(cells: &[Cell], style: RowStyle) -> f32 {
    let lines = cells
        .iter()
        .map(|c| c.lines.len())
        .max()
        .unwrap_or(0)
        .max(1);
    lines as f32 * style.lead + style.pad_top + style.pad_bottom
}

// ---------------------------------------------------------------------------------------------
// Blocks, measured
// ---------------------------------------------------------------------------------------------

enum Measured {
    Heading(Vec<String>),
    Paragraph(Vec<Vec<String>>),
    KeyValues {
        label_width: f32,
        rows: Vec<(Vec<String>, Vec<String>)>,
    },
    Table {
        xs: Vec<f32>,
        header: Option<Vec<Vec<String>>>,
        rows: Vec<Vec<Vec<String>>>,
    },
    Metrics {
        columns: usize,
        box_width: f32,
        items: Vec<(Vec<String>, Vec<String>)>,
    },
    Warning(Vec<String>),
    Mono(Vec<String>),
}

const METRIC_VALUE: f32 = 15.0;
const METRIC_VALUE_LEAD: f32 = 19.0;
const METRIC_LABEL: f32 = 8.5;
const METRIC_LABEL_LEAD: f32 = 11.0;
const METRIC_GAP: f32 = 8.0;
const METRIC_PAD: f32 = 8.0;
const BOX_PAD_X: f32 = 10.0;
const BOX_PAD_Y: f32 = 7.0;
const WARN_BAR_WIDTH: f32 = 3.0;
const WARN_ICON: &str = "⚠";
const WARN_ICON_SIZE: f32 = 12.0;

fn table_style(fill: Option<Rgb3>) -> RowStyle {
    RowStyle {
        lead: TABLE_LEAD,
        pad_top: CELL_PAD_Y,
        pad_bottom: CELL_PAD_Y,
        fill,
        rule: Some((0.5, RULE)),
    }
}

fn header_style() -> RowStyle {
    RowStyle {
        lead: TABLE_LEAD,
        pad_top: CELL_PAD_Y + 0.5,
        pad_bottom: CELL_PAD_Y + 0.5,
        fill: Some(HEADER_FILL),
        rule: Some((0.8, RULE_DARK)),
    }
}

fn kv_style() -> RowStyle {
    RowStyle {
        lead: BODY_LEAD,
        pad_top: 2.5,
        pad_bottom: 2.5,
        fill: None,
        rule: Some((0.5, RULE)),
    }
}

fn metric_box_height(value: &[String], label: &[String]) -> f32 {
    2.0 * METRIC_PAD
        + value.len() as f32 * METRIC_VALUE_LEAD
        + 2.0
        + label.len() as f32 * METRIC_LABEL_LEAD
}

impl Measured {
    fn of(block: &Block, fonts: &Fonts, width: f32) -> Measured {
        let regular = fonts.get(Face::Regular);
        let bold = fonts.get(Face::Bold);
        match block {
            Block::Heading(text) => Measured::Heading(cap(
                wrap(bold, HEADING, text, width),
                6,
                bold,
                HEADING,
                width,
            )),
            Block::Paragraph(text) => Measured::Paragraph(
                paragraphs(text)
                    .iter()
                    .map(|p| wrap(regular, BODY, p, width))
                    .collect(),
            ),
            Block::KeyValues(pairs) => {
                let widest = pairs
                    .iter()
                    .flat_map(|(k, _)| k.split('\n'))
                    .map(|k| bold.width(&bold.clean(k.trim()), BODY))
                    .fold(0.0f32, f32::max);
                let label_width = (widest + 14.0).clamp(0.22 * width, 0.36 * width);
                let rows = pairs
                    .iter()
                    .map(|(k, v)| {
                        (
                            wrap(bold, BODY, k, label_width - 12.0),
                            wrap(regular, BODY, v, width - label_width),
                        )
                    })
                    .collect();
                Measured::KeyValues { label_width, rows }
            }
            Block::Table { columns, rows } => measure_table(fonts, columns, rows, width),
            Block::Metrics(items) => {
                let n = items.len().max(1);
                let mut columns = n.min(4);
                while columns > 1
                    && (width - (columns - 1) as f32 * METRIC_GAP) / (columns as f32) < 95.0
                {
                    columns -= 1;
                }
                // Balance the grid: 5 → 3 + 2 rather than 4 + 1.
                let rows = n.div_ceil(columns);
                columns = n.div_ceil(rows);
                let box_width = (width - (columns - 1) as f32 * METRIC_GAP) / columns as f32;
                let inner = box_width - 2.0 * BOX_PAD_X;
                let items = items
                    .iter()
                    .map(|(label, value)| {
                        (
                            cap(
                                wrap(bold, METRIC_VALUE, value, inner),
                                4,
                                bold,
                                METRIC_VALUE,
                                inner,
                            ),
                            cap(
                                wrap(regular, METRIC_LABEL, label, inner),
                                6,
                                regular,
                                METRIC_LABEL,
                                inner,
                            ),
                        )
                    })
                    .collect();
                Measured::Metrics {
                    columns,
                    box_width,
                    items,
                }
            }
            Block::Warning(text) => {
                let icon = bold.width(WARN_ICON, WARN_ICON_SIZE) + 6.0;
                Measured::Warning(wrap(
                    regular,
                    BODY,
                    text,
                    width - WARN_BAR_WIDTH - 2.0 * BOX_PAD_X - icon,
                ))
            }
            Block::Mono(text) => Measured::Mono(wrap(
                fonts.get(Face::Mono),
                MONO,
                text,
                width - 2.0 * BOX_PAD_X,
            )),
        }
    }

    /// Height of the part of this block that must follow a heading on the same page.
    fn lead_height(&self) -> f32 {
        match self {
            Measured::Heading(lines) => heading_height(lines.len()),
            Measured::Paragraph(paras) => paras
                .first()
                .map_or(0.0, |p| p.len().min(2) as f32 * BODY_LEAD),
            // A row that fits on a fresh page is moved whole rather than split (see `row`):
            // all of the first row has to fit below the heading, or the heading is left alone.
            Measured::KeyValues { rows, .. } => rows.first().map_or(0.0, |(k, v)| {
                k.len().max(v.len()).min(KEEP_ROW_LINES) as f32 * BODY_LEAD + 5.0
            }),
            Measured::Table { header, rows, .. } => {
                let h = header.as_ref().map_or(0.0, |h| {
                    h.iter().map(Vec::len).max().unwrap_or(1) as f32 * TABLE_LEAD
                        + 2.0 * CELL_PAD_Y
                        + 1.0
                });
                // The header row and the first row in full (a row that fits on a page is moved
                // whole, see `row`), then the first lines of the second.
                let r: f32 = rows
                    .iter()
                    .take(2)
                    .enumerate()
                    .map(|(i, r)| {
                        let cap = if i == 0 { KEEP_ROW_LINES } else { 3 };
                        r.iter().map(Vec::len).max().unwrap_or(1).min(cap) as f32 * TABLE_LEAD
                            + 2.0 * CELL_PAD_Y
                    })
                    .sum();
                h + r
            }
            Measured::Metrics { columns, items, .. } => items
                .iter()
                .take(*columns)
                .map(|(v, l)| metric_box_height(v, l))
                .fold(0.0, f32::max),
            // Boxes, like rows, move whole when they fit on a fresh page.
            Measured::Warning(lines) => {
                lines.len().min(KEEP_ROW_LINES) as f32 * BODY_LEAD + 2.0 * BOX_PAD_Y
            }
            Measured::Mono(lines) => {
                lines.len().min(KEEP_ROW_LINES) as f32 * MONO_LEAD + 2.0 * BOX_PAD_Y
            }
        }
    }
}

/// The height that must follow a heading on its page: the lead of the next block, and when that
/// is a heading too (a section opening with a sub-heading), that heading and what it keeps.
fn keep_height(rest: &[Measured]) -> f32 {
    let mut height = 0.0;
    for block in rest {
        match block {
            Measured::Heading(lines) => height += HEADING_GAP_BEFORE + heading_height(lines.len()),
            other => return height + other.lead_height(),
        }
    }
    height
}

fn heading_height(lines: usize) -> f32 {
    lines as f32 * HEADING_LEAD + 4.0 + HEADING_GAP_AFTER
}

/// Narrowest a table column gets (when the page is wide enough for all columns at this width).
const MIN_COLUMN: f32 = 40.0;

/// Lines of a first row kept with its heading; a taller row is split anyway (and the `ensure`
/// of a heading falls back to its first line when the whole would not fit on a page).
const KEEP_ROW_LINES: usize = 40;

/// Splits `width` in proportion to `weights`, giving every column at least `min` if they all fit.
fn column_widths(weights: &[f32], width: f32, min: f32) -> Vec<f32> {
    let min = if min * weights.len() as f32 <= width {
        min
    } else {
        0.0
    };
    let mut fixed = vec![false; weights.len()];
    loop {
        let free_width = width - min * fixed.iter().filter(|f| **f).count() as f32;
        let free_weight: f32 = weights
            .iter()
            .zip(&fixed)
            .filter(|(_, f)| !**f)
            .map(|(w, _)| w)
            .sum();
        let widths: Vec<f32> = weights
            .iter()
            .zip(&fixed)
            .map(|(w, f)| {
                if *f {
                    min
                } else {
                    free_width * w / free_weight
                }
            })
            .collect();
        let mut changed = false;
        for (i, w) in widths.iter().enumerate() {
            if !fixed[i] && *w < min {
                fixed[i] = true;
                changed = true;
            }
        }
        if !changed {
            return widths;
        }
    }
}

fn measure_table(fonts: &Fonts, columns: &[Column], rows: &[Vec<String>], width: f32) -> Measured {
    let count = if columns.is_empty() {
        rows.iter().map(Vec::len).max().unwrap_or(0)
    } else {
        columns.len()
    };
    if count == 0 {
        return Measured::Table {
            xs: vec![MARGIN_X, MARGIN_X + width],
            header: None,
            rows: Vec::new(),
        };
    }
    let weights: Vec<f32> = (0..count)
        .map(|i| {
            columns
                .get(i)
                .map(|c| c.width)
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(1.0)
        })
        .collect();
    let widths = column_widths(&weights, width, MIN_COLUMN);
    let mut xs = vec![MARGIN_X];
    for w in &widths {
        xs.push(xs[xs.len() - 1] + w);
    }
    let inner = |i: usize| xs[i + 1] - xs[i] - 2.0 * CELL_PAD_X;
    let bold = fonts.get(Face::Bold);
    let regular = fonts.get(Face::Regular);
    let header = (!columns.is_empty()).then(|| {
        (0..count)
            .map(|i| wrap(bold, TABLE, &columns[i].title, inner(i)))
            .collect()
    });
    let rows = rows
        .iter()
        .map(|row| {
            (0..count)
                .map(|i| {
                    let text = if i + 1 == count && row.len() > count {
                        // Cells beyond the last column are kept, in the last column.
                        row[i..].join(" · ")
                    } else {
                        row.get(i).cloned().unwrap_or_default()
                    };
                    wrap(regular, TABLE, &text, inner(i))
                })
                .collect()
        })
        .collect();
    Measured::Table { xs, header, rows }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

impl Writer<'_> {
    fn title_block(&mut self, doc: &ReportDocument) {
        let width = self.content_width();
        let regular = self.font(Face::Regular);
        let bold = self.font(Face::Bold);
        let x = MARGIN_X;

        if !doc.organisation.trim().is_empty() {
            let lines = wrap(bold, 9.5, &doc.organisation, width);
            self.flow(Face::Bold, 9.5, MUTED, 13.0, &lines);
            self.y += 3.0;
        }
        self.rule(x, self.y + 1.0, width, 2.0, ACCENT);
        self.y += 12.0;

        if !doc.title.trim().is_empty() {
            let lines = wrap(bold, 22.0, &doc.title, width);
            self.flow(Face::Bold, 22.0, ACCENT, 28.0, &lines);
        }
        if !doc.subtitle.trim().is_empty() {
            let lines = wrap(regular, 13.0, &doc.subtitle, width);
            self.y += 1.0;
            self.flow(Face::Regular, 13.0, INK, 18.0, &lines);
        }
        self.y += 12.0;

        if !doc.facts.is_empty() {
            self.facts(&doc.facts);
            self.y += 6.0;
        }
    }

    /// The title-block facts: a shaded band of small label / bold value pairs, four per row.
    fn facts(&mut self, facts: &[(String, String)]) {
        let width = self.content_width();
        let regular = self.font(Face::Regular);
        let bold = self.font(Face::Bold);
        let columns = facts.len().min(4);
        let rows = facts.len().div_ceil(columns);
        let columns = facts.len().div_ceil(rows);
        let cell = width / columns as f32;
        let inner = cell - 2.0 * BOX_PAD_X;
        let (label_size, label_lead, value_size, value_lead) = (8.0, 11.0, 10.5, 14.0);
        for (row, chunk) in facts.chunks(columns).enumerate() {
            let measured: Vec<(Vec<String>, Vec<String>)> = chunk
                .iter()
                .map(|(k, v)| {
                    (
                        cap(
                            wrap(regular, label_size, k, inner),
                            3,
                            regular,
                            label_size,
                            inner,
                        ),
                        cap(wrap(bold, value_size, v, inner), 6, bold, value_size, inner),
                    )
                })
                .collect();
            let h = measured
                .iter()
                .map(|(k, v)| k.len() as f32 * label_lead + 2.0 + v.len() as f32 * value_lead)
                .fold(0.0, f32::max)
                + 2.0 * BOX_PAD_Y;
            self.ensure(h);
            let top = self.y;
            self.rect(MARGIN_X, top, width, h, BAND_FILL);
            if row == 0 || self.at_top() {
                self.rule(MARGIN_X, top, width, 0.8, RULE_DARK);
            }
            for (i, (k, v)) in measured.iter().enumerate() {
                let cx = MARGIN_X + i as f32 * cell + BOX_PAD_X;
                let label_top = top + BOX_PAD_Y;
                self.lines(
                    Face::Regular,
                    label_size,
                    MUTED,
                    cx,
                    label_top,
                    label_lead,
                    k,
                );
                let value_top = label_top + k.len() as f32 * label_lead + 2.0;
                self.lines(Face::Bold, value_size, INK, cx, value_top, value_lead, v);
            }
            self.y = top + h;
        }
        self.rule(MARGIN_X, self.y, width, 0.8, RULE_DARK);
    }

    /// Draws `block`; `follow` is the height that must stay on the page below a heading (see
    /// [`keep_height`]).
    fn block(&mut self, block: &Measured, follow: f32, after_heading: bool) {
        let width = self.content_width();
        let x = MARGIN_X;
        match block {
            Measured::Heading(lines) => {
                self.space(HEADING_GAP_BEFORE);
                // A heading whose text would not fit is too tall to keep with anything: then it
                // keeps at least its first line of text.
                let page = self.bottom() - PAGE_TOP;
                let need = heading_height(lines.len()) + follow;
                self.ensure(if need <= page {
                    need
                } else {
                    heading_height(lines.len()) + BODY_LEAD
                });
                let top = self.y;
                self.lines(Face::Bold, HEADING, ACCENT, x, top, HEADING_LEAD, lines);
                let rule_y = top + lines.len() as f32 * HEADING_LEAD + 3.0;
                self.rule(x, rule_y, width, 0.6, ACCENT_LIGHT);
                self.y = rule_y + HEADING_GAP_AFTER;
            }
            Measured::Paragraph(paras) => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                for (p, lines) in paras.iter().enumerate() {
                    if p > 0 {
                        self.space(PARAGRAPH_GAP);
                    }
                    // No single first line left at the bottom of a page.
                    self.ensure(lines.len().min(2) as f32 * BODY_LEAD);
                    for (i, line) in lines.iter().enumerate() {
                        // Nor a single last line at the top of the next one.
                        let need = if i + 2 == lines.len() && i > 0 {
                            2.0
                        } else {
                            1.0
                        };
                        self.ensure(need * BODY_LEAD);
                        let top = self.y;
                        self.text(
                            Face::Regular,
                            BODY,
                            INK,
                            x,
                            Self::baseline(top, 0, BODY_LEAD, BODY),
                            line,
                        );
                        self.y = top + BODY_LEAD;
                    }
                }
            }
            Measured::KeyValues { label_width, rows } => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                for (label, value) in rows {
                    let cells = [
                        Cell {
                            x,
                            face: Face::Bold,
                            size: BODY,
                            color: INK,
                            lines: label,
                        },
                        Cell {
                            x: x + label_width,
                            face: Face::Regular,
                            size: BODY,
                            color: INK,
                            lines: value,
                        },
                    ];
                    self.row(x, width, &cells, kv_style(), None);
                }
            }
            Measured::Table { xs, header, rows } => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                let header_cells: Option<Vec<Cell>> = header.as_ref().map(|h| {
                    h.iter()
                        .enumerate()
                        .map(|(i, lines)| Cell {
                            x: xs[i] + CELL_PAD_X,
                            face: Face::Bold,
                            size: TABLE,
                            color: INK,
                            lines,
                        })
                        .collect()
                });
                let header_row = header_cells.as_deref().map(|c| (c, header_style()));
                // The header row never stands alone at the bottom of a page.
                self.ensure(block.lead_height());
                if let Some((cells, style)) = header_row {
                    self.row(x, width, cells, style, None);
                }
                for (r, row) in rows.iter().enumerate() {
                    let cells: Vec<Cell> = row
                        .iter()
                        .enumerate()
                        .map(|(i, lines)| Cell {
                            x: xs[i] + CELL_PAD_X,
                            face: Face::Regular,
                            size: TABLE,
                            color: INK,
                            lines,
                        })
                        .collect();
                    let fill = (r % 2 == 1).then_some(ZEBRA_FILL);
                    self.row(x, width, &cells, table_style(fill), header_row);
                }
            }
            Measured::Metrics {
                columns,
                box_width,
                items,
            } => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                for chunk in items.chunks(*columns) {
                    let h = chunk
                        .iter()
                        .map(|(v, l)| metric_box_height(v, l))
                        .fold(0.0, f32::max);
                    self.ensure(h);
                    let top = self.y;
                    for (i, (value, label)) in chunk.iter().enumerate() {
                        let bx = x + i as f32 * (box_width + METRIC_GAP);
                        self.rect(bx, top, *box_width, h, BAND_FILL);
                        self.rect(bx, top, *box_width, 2.0, ACCENT);
                        let tx = bx + BOX_PAD_X;
                        let value_top = top + METRIC_PAD;
                        self.lines(
                            Face::Bold,
                            METRIC_VALUE,
                            ACCENT,
                            tx,
                            value_top,
                            METRIC_VALUE_LEAD,
                            value,
                        );
                        let label_top = value_top + value.len() as f32 * METRIC_VALUE_LEAD + 2.0;
                        self.lines(
                            Face::Regular,
                            METRIC_LABEL,
                            MUTED,
                            tx,
                            label_top,
                            METRIC_LABEL_LEAD,
                            label,
                        );
                    }
                    self.y = top + h + METRIC_GAP;
                }
                if !items.is_empty() {
                    self.y -= METRIC_GAP;
                }
            }
            Measured::Warning(lines) => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                let icon_width = self.font(Face::Bold).width(WARN_ICON, WARN_ICON_SIZE) + 6.0;
                self.boxed(
                    lines,
                    BODY,
                    BODY_LEAD,
                    Face::Regular,
                    WARN_INK,
                    WARN_FILL,
                    Some(icon_width),
                );
            }
            Measured::Mono(lines) => {
                if !after_heading {
                    self.space(BLOCK_GAP);
                }
                self.boxed(lines, MONO, MONO_LEAD, Face::Mono, INK, MONO_FILL, None);
            }
        }
    }

    /// Lines in a shaded box (a warning when `icon` is set), broken across pages if needed.
    #[allow(clippy::too_many_arguments)]
    fn boxed(
        &mut self,
        lines: &[String],
        size: f32,
        lead: f32,
        face: Face,
        ink: Rgb3,
        fill: Rgb3,
        icon: Option<f32>,
    ) {
        let width = self.content_width();
        let x = MARGIN_X;
        let bar = if icon.is_some() { WARN_BAR_WIDTH } else { 0.0 };
        let text_x = x + bar + BOX_PAD_X + icon.unwrap_or(0.0);
        let mut start = 0;
        let total = lines.len().max(1);
        let page_room = self.bottom() - PAGE_TOP - 2.0 * BOX_PAD_Y;
        while start < total {
            let remaining = total - start;
            let room = self.bottom() - self.y - 2.0 * BOX_PAD_Y;
            let fit = ((room + 0.01) / lead).floor().max(0.0) as usize;
            let fits_fresh = remaining as f32 * lead <= page_room;
            if fit < remaining && (fit < 2 || (start == 0 && fits_fresh)) && !self.at_top() {
                self.new_page();
                continue;
            }
            let n = fit.clamp(1, remaining);
            let top = self.y;
            let h = n as f32 * lead + 2.0 * BOX_PAD_Y;
            self.rect(x, top, width, h, fill);
            if icon.is_some() {
                self.rect(x, top, bar, h, WARN_BAR);
                if start == 0 {
                    let baseline = Self::baseline(top + BOX_PAD_Y, 0, lead, size);
                    self.text(
                        Face::Bold,
                        WARN_ICON_SIZE,
                        WARN_BAR,
                        x + bar + BOX_PAD_X,
                        baseline,
                        WARN_ICON,
                    );
                }
            }
            let end = (start + n).min(lines.len());
            if start < end {
                self.lines(
                    face,
                    size,
                    ink,
                    text_x,
                    top + BOX_PAD_Y,
                    lead,
                    &lines[start..end],
                );
            }
            self.y = top + h;
            start += n;
        }
    }

    /// Running header (pages 2+) and footer (every page), once the page count is known.
    fn furniture(&mut self, doc: &ReportDocument) {
        let width = self.content_width();
        let total = self.pages.len();
        let regular = self.font(Face::Regular);
        let widest_label = regular.width(&format!("Page {total} of {total}"), SMALL);
        let footer_width = (width - widest_label - 18.0).max(width * 0.3);
        let mut footer = wrap(regular, SMALL, &doc.footer_left, footer_width);
        if footer.len() > 2 {
            let rest = footer[1..].join(" ");
            footer.truncate(1);
            footer.push(ellipsize(regular, SMALL, &rest, footer_width));
        }
        let first_baseline = if footer.len() > 1 {
            FOOTER_BASELINE_TWO
        } else {
            FOOTER_BASELINE
        };
        let header = ellipsize(regular, SMALL + 0.5, &doc.header_text, width);
        let page_h = self.page_h;
        for index in 0..total {
            // Draw on page `index` by making it the last one temporarily.
            let tail = self.pages.split_off(index + 1);
            self.fill = None;
            if index > 0 && !header.trim().is_empty() {
                self.text(
                    Face::Regular,
                    SMALL + 0.5,
                    MUTED,
                    MARGIN_X,
                    HEADER_BASELINE,
                    &header,
                );
                self.rule(MARGIN_X, HEADER_RULE, width, 0.5, RULE);
            }
            self.rule(MARGIN_X, page_h - FOOTER_RULE, width, 0.5, RULE);
            for (i, line) in footer.iter().enumerate() {
                let baseline = page_h - first_baseline + i as f32 * FOOTER_LEAD;
                self.text(Face::Regular, SMALL, MUTED, MARGIN_X, baseline, line);
            }
            let label = format!("Page {} of {}", index + 1, total);
            self.text_right(
                Face::Regular,
                SMALL,
                MUTED,
                MARGIN_X + width,
                page_h - first_baseline,
                &label,
            );
            self.pages.extend(tail);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/// Renders `doc` to the bytes of a PDF file.
///
/// Fails with [`Error::Storage`] if the fonts cannot be loaded or the PDF cannot be written;
/// it does not panic on any input.
pub fn render_pdf(doc: &ReportDocument) -> Result<Vec<u8>, Error> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(doc))) {
        Ok(result) => result,
        Err(_) => Err(Error::Storage(
            "The report could not be printed: the PDF writer failed.".into(),
        )),
    }
}

fn render(doc: &ReportDocument) -> Result<Vec<u8>, Error> {
    let fonts = fonts()?;
    let mut w = Writer::new(fonts, doc.paper);
    let width = w.content_width();

    w.title_block(doc);
    let measured: Vec<Measured> = doc
        .blocks
        .iter()
        .map(|b| Measured::of(b, fonts, width))
        .collect();
    let mut after_heading = false;
    for (i, block) in measured.iter().enumerate() {
        w.block(block, keep_height(&measured[i + 1..]), after_heading);
        after_heading = matches!(block, Measured::Heading(_));
    }
    w.furniture(doc);

    let mut pdf = PdfDocument::new(&document_title(doc));
    pdf.metadata.info.author = if doc.author.trim().is_empty() {
        doc.organisation.clone()
    } else {
        doc.author.clone()
    };
    if let Some(at) = doc.created_at {
        if let Ok(date) = printpdf::OffsetDateTime::from_unix_timestamp(at.timestamp()) {
            pdf.metadata.info.creation_date = date;
            pdf.metadata.info.modification_date = date;
            pdf.metadata.info.metadata_date = date;
        }
    }
    pdf.metadata.info.creator = "Incident Desk".into();
    pdf.metadata.info.producer = "Incident Desk (printpdf)".into();
    pdf.metadata.info.subject = doc.subtitle.clone();
    for face in FACES {
        let used = &w.used[face as usize];
        if used.is_empty() {
            continue;
        }
        let font = fonts.get(face);
        pdf.resources.fonts.map.insert(
            FontId(face.resource().to_string()),
            PdfFont::new(embedded_font(font, used)),
        );
    }
    let (page_w, page_h) = doc.paper.size_pt();
    let pages = std::mem::take(&mut w.pages)
        .into_iter()
        .map(|ops| {
            let mut page = PdfPage::new(printpdf::Mm(0.0), printpdf::Mm(0.0), ops);
            let bx = Rect::from_wh(Pt(page_w), Pt(page_h));
            page.media_box = bx.clone();
            page.trim_box = bx.clone();
            page.crop_box = bx;
            page
        })
        .collect();
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let bytes = pdf.with_pages(pages).save(&options, &mut warnings);
    if let Some(problem) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(Error::Storage(format!(
            "The report could not be printed: {}.",
            problem.msg
        )));
    }
    if bytes.is_empty() {
        return Err(Error::Storage(
            "The report could not be printed: the PDF writer produced no output.".into(),
        ));
    }
    let mut bytes = bytes;
    stable_file_id(&mut bytes);
    Ok(bytes)
}

/// Replaces the random file identifier printpdf writes into the trailer (`/ID[(…)(…)]`, two
/// strings of 32 characters) with one derived from the file's content, so the same document
/// always gives the same bytes. The length does not change, so the cross-reference offsets stay
/// valid. Does nothing if the trailer does not have the expected shape.
fn stable_file_id(pdf: &mut [u8]) {
    use sha2::{Digest, Sha256};
    const OPEN: &[u8] = b"/ID[(";
    let Some(at) = pdf.windows(OPEN.len()).rposition(|w| w == OPEN) else {
        return;
    };
    let first = at + OPEN.len();
    let second = first + 32 + 2;
    let shape_ok = pdf.get(first + 32..first + 34) == Some(b")(".as_slice())
        && pdf.get(second + 32..second + 34) == Some(b")]".as_slice())
        && pdf[first..first + 32]
            .iter()
            .chain(&pdf[second..second + 32])
            .all(u8::is_ascii_alphanumeric);
    if !shape_ok {
        return;
    }
    pdf[first..first + 32].fill(b'0');
    pdf[second..second + 32].fill(b'0');
    let digest = Sha256::digest(&*pdf);
    let id: Vec<u8> = digest[..16]
        .iter()
        .flat_map(|b| format!("{b:02X}").into_bytes())
        .collect();
    pdf[first..first + 32].copy_from_slice(&id);
    pdf[second..second + 32].copy_from_slice(&id);
}

fn document_title(doc: &ReportDocument) -> String {
    match (doc.title.trim(), doc.subtitle.trim()) {
        ("", s) => s.to_string(),
        (t, "") => t.to_string(),
        (t, s) => format!("{t} – {s}"),
    }
}

/// The font as embedded: only the glyphs of `used` characters are kept (same glyph ids), and
/// the character map and widths printpdf writes cover exactly those characters.
fn embedded_font(font: &FontData, used: &BTreeSet<char>) -> ParsedFont {
    let mut codepoint_to_glyph = BTreeMap::new();
    let mut glyph_widths = BTreeMap::new();
    for &c in used {
        if let Some(gid) = font.gid(c) {
            codepoint_to_glyph.insert(c as u32, gid);
            glyph_widths.insert(gid, font.advances.get(gid as usize).copied().unwrap_or(0));
        }
    }
    let gids: BTreeSet<u16> = glyph_widths.keys().copied().collect();
    let (bytes, name) = match truetype::subset(font.bytes, &gids) {
        Some(bytes) => (
            bytes,
            format!("{}+{}", subset_tag(&gids), font.postscript_name),
        ),
        None => (font.bytes.to_vec(), font.postscript_name.to_string()),
    };
    let parsed = &font.parsed;
    ParsedFont {
        original_bytes: bytes,
        font_index: 0,
        font_name: Some(name),
        codepoint_to_glyph,
        glyph_widths,
        units_per_em: parsed.units_per_em,
        font_metrics: parsed.font_metrics.clone(),
        font_type: parsed.font_type,
        pdf_font_metrics: parsed.pdf_font_metrics.clone(),
    }
}

/// The six capital letters that mark a subset font's name (ISO 32000-1, 9.6.4).
fn subset_tag(gids: &BTreeSet<u16>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for g in gids {
        for b in g.to_be_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
        .collect()
}

/// A minimal TrueType subsetter: keeps the outlines of the given glyphs (and the components of
/// composite glyphs) and empties all others, keeping glyph ids. Layout tables the PDF does not
/// use (GSUB, GPOS, kern, …) are dropped and `post` loses its glyph names.
mod truetype {
    use std::collections::{BTreeMap, BTreeSet};

    const KEEP: [&[u8; 4]; 14] = [
        b"OS/2", b"cmap", b"cvt ", b"fpgm", b"gasp", b"glyf", b"head", b"hhea", b"hmtx", b"loca",
        b"maxp", b"name", b"post", b"prep",
    ];

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_be_bytes(
            b.get(at..at.checked_add(2)?)?.try_into().ok()?,
        ))
    }

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_be_bytes(
            b.get(at..at.checked_add(4)?)?.try_into().ok()?,
        ))
    }

    fn checksum(data: &[u8]) -> u32 {
        data.chunks(4).fold(0u32, |sum, chunk| {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            sum.wrapping_add(u32::from_be_bytes(word))
        })
    }

    fn pad4(v: &mut Vec<u8>) {
        v.resize(v.len().div_ceil(4) * 4, 0);
    }

    pub fn subset(font: &[u8], used: &BTreeSet<u16>) -> Option<Vec<u8>> {
        let version = font.get(0..4)?;
        if !matches!(u32_at(font, 0)?, 0x0001_0000 | 0x7472_7565) {
            return None; // not TrueType outlines ('true' or 1.0)
        }
        let num_tables = usize::from(u16_at(font, 4)?);
        let mut tables: BTreeMap<[u8; 4], &[u8]> = BTreeMap::new();
        for i in 0..num_tables {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
            let offset = u32_at(font, record + 8)? as usize;
            let length = u32_at(font, record + 12)? as usize;
            tables.insert(tag, font.get(offset..offset.checked_add(length)?)?);
        }
        let head = *tables.get(b"head")?;
        let maxp = *tables.get(b"maxp")?;
        let hhea = *tables.get(b"hhea")?;
        let loca = *tables.get(b"loca")?;
        let glyf = *tables.get(b"glyf")?;
        let hmtx = *tables.get(b"hmtx")?;
        let long_offsets = u16_at(head, 50)? == 1;
        let glyphs = usize::from(u16_at(maxp, 4)?);
        let h_metrics = usize::from(u16_at(hhea, 34)?);

        let offset = |g: usize| -> Option<usize> {
            if long_offsets {
                u32_at(loca, 4 * g).map(|o| o as usize)
            } else {
                u16_at(loca, 2 * g).map(|o| 2 * usize::from(o))
            }
        };
        let glyph = |g: usize| -> Option<&[u8]> {
            let (start, end) = (offset(g)?, offset(g + 1)?);
            if end < start {
                return None;
            }
            glyf.get(start..end)
        };

        // The glyphs to keep: .notdef, the used ones and, transitively, composite components.
        let mut keep = vec![false; glyphs];
        let mut todo: Vec<usize> = std::iter::once(0)
            .chain(used.iter().map(|&g| usize::from(g)))
            .collect();
        while let Some(g) = todo.pop() {
            if g >= glyphs || keep[g] {
                continue;
            }
            keep[g] = true;
            let data = glyph(g)?;
            if data.len() >= 10 && (u16_at(data, 0)? as i16) < 0 {
                let mut at = 10;
                loop {
                    let flags = u16_at(data, at)?;
                    todo.push(usize::from(u16_at(data, at + 2)?));
                    at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
                    at += if flags & 0x0008 != 0 {
                        2
                    } else if flags & 0x0040 != 0 {
                        4
                    } else if flags & 0x0080 != 0 {
                        8
                    } else {
                        0
                    };
                    if flags & 0x0020 == 0 {
                        break;
                    }
                }
            }
        }

        let mut new_glyf = Vec::new();
        let mut new_loca = Vec::with_capacity(4 * (glyphs + 1));
        for (g, &kept) in keep.iter().enumerate() {
            new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
            if kept {
                new_glyf.extend_from_slice(glyph(g)?);
                pad4(&mut new_glyf);
            }
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());

        let mut new_head = head.to_vec();
        new_head.get_mut(8..12)?.copy_from_slice(&[0; 4]); // checkSumAdjustment, set below
        new_head
            .get_mut(50..52)?
            .copy_from_slice(&1u16.to_be_bytes()); // long loca offsets

        // Unused metrics are zeroed (they compress to nothing); the last long metric stays, as
        // it gives the advance of every glyph after it.
        let mut new_hmtx = hmtx.to_vec();
        for (g, &kept) in keep.iter().enumerate() {
            if kept {
                continue;
            }
            let range = if g + 1 < h_metrics {
                4 * g..4 * g + 4
            } else if g + 1 == h_metrics {
                4 * g + 2..4 * g + 4
            } else {
                let at = 4 * h_metrics + 2 * (g - h_metrics);
                at..at + 2
            };
            if let Some(bytes) = new_hmtx.get_mut(range) {
                bytes.fill(0);
            }
        }

        let mut out_tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
        for tag in KEEP {
            let data = match tag {
                b"glyf" => std::mem::take(&mut new_glyf),
                b"loca" => std::mem::take(&mut new_loca),
                b"head" => std::mem::take(&mut new_head),
                b"hmtx" => std::mem::take(&mut new_hmtx),
                b"post" => match tables.get(b"post") {
                    Some(post) if post.len() >= 32 => {
                        let mut p = post[..32].to_vec();
                        p[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
                        p
                    }
                    _ => continue,
                },
                other => match tables.get(other) {
                    Some(data) => data.to_vec(),
                    None => continue,
                },
            };
            out_tables.insert(*tag, data);
        }

        let count = out_tables.len();
        let mut out = Vec::new();
        out.extend_from_slice(version);
        out.extend_from_slice(&(count as u16).to_be_bytes());
        let power = 1usize << (usize::BITS - 1 - count.leading_zeros());
        let search_range = power * 16;
        out.extend_from_slice(&(search_range as u16).to_be_bytes());
        out.extend_from_slice(&(power.trailing_zeros() as u16).to_be_bytes());
        out.extend_from_slice(&((count * 16 - search_range) as u16).to_be_bytes());
        let mut offset = 12 + 16 * count;
        let mut head_offset = None;
        for (tag, data) in &out_tables {
            if tag == b"head" {
                head_offset = Some(offset);
            }
            out.extend_from_slice(tag);
            out.extend_from_slice(&checksum(data).to_be_bytes());
            out.extend_from_slice(&(offset as u32).to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            offset += data.len().div_ceil(4) * 4;
        }
        for data in out_tables.values() {
            out.extend_from_slice(data);
            pad4(&mut out);
        }
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        let at = head_offset? + 8;
        out.get_mut(at..at + 4)?
            .copy_from_slice(&adjustment.to_be_bytes());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regular() -> &'static FontData {
        fonts().expect("fonts").get(Face::Regular)
    }

    #[test]
    fn widths_come_from_the_font_metrics() {
        let f = regular();
        // DejaVu Sans: 'i' is narrow, 'W' wide; a 10 pt space is 3.18 pt (651/2048 em).
        assert!(f.width("i", 10.0) < f.width("W", 10.0) / 2.0);
        assert!((f.width(" ", 10.0) - 651.0 * 10.0 / 2048.0).abs() < 0.01);
        assert!((f.width("ab", 12.0) - f.width("a", 12.0) - f.width("b", 12.0)).abs() < 0.001);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word_in_order() {
        let f = regular();
        let text = "The checkout service returned 503 for EU customers after the config push; \
                    rollback restored service. "
            .repeat(8);
        let lines = wrap(f, 10.0, &text, 200.0);
        assert!(lines.len() > 5);
        for line in &lines {
            assert!(f.width(line, 10.0) <= 200.01, "too wide: {line:?}");
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let rewrapped: Vec<String> = lines.join(" ").split(' ').map(str::to_string).collect();
        assert_eq!(words, rewrapped);
    }

    #[test]
    fn long_words_are_broken_preferably_after_separators() {
        let f = regular();
        let url = "https://status.example.org/incidents/2026/03/02/checkout-503-eu/timeline?view=full&tz=UTC";
        let lines = wrap(f, 10.0, url, 120.0);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(f.width(line, 10.0) <= 120.01);
        }
        // Every break falls after a separator, none inside a path segment.
        for line in &lines[..lines.len() - 1] {
            assert!(line.ends_with(is_break_after), "{lines:?}");
        }

        let hash = "3fa2".repeat(40);
        let lines = wrap(f, 10.0, &hash, 100.0);
        assert_eq!(lines.concat(), hash);
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 100.01));
    }

    #[test]
    fn line_breaks_are_kept_and_blank_lines_split_paragraphs() {
        assert_eq!(paragraphs("a\nb\n\n  \nc\r\n\r\nd"), vec!["a\nb", "c", "d"]);
        assert_eq!(wrap(regular(), 10.0, "one\ntwo", 500.0), vec!["one", "two"]);
        assert_eq!(wrap(regular(), 10.0, "", 500.0), vec![""]);
    }

    #[test]
    fn characters_the_font_lacks_are_replaced_and_controls_dropped() {
        let f = regular();
        assert_eq!(
            f.clean("é ü ß × – → € ✓ “q” ‘s’ ⚠"),
            "é ü ß × – → € ✓ “q” ‘s’ ⚠"
        );
        assert_eq!(f.clean("a\u{7}b\u{AD}c\td"), "abc d");
        assert_eq!(f.clean("日"), "\u{FFFD}");
        let fonts = fonts().unwrap();
        assert!(fonts
            .get(Face::Bold)
            .gid(WARN_ICON.chars().next().unwrap())
            .is_some());
        assert_eq!(fonts.get(Face::Mono).clean("ü → ✓ €"), "ü → ✓ €");
    }

    #[test]
    fn the_subset_font_keeps_used_outlines_and_drops_the_rest() {
        let f = regular();
        let gids: BTreeSet<u16> = "Aé→".chars().filter_map(|c| f.gid(c)).collect();
        let subset = truetype::subset(f.bytes, &gids).expect("subset");
        assert!(subset.len() < f.bytes.len() / 4, "{} bytes", subset.len());
        // It still parses, with the same glyph ids and widths.
        let parsed = ParsedFont::from_bytes(&subset, 0, &mut Vec::new()).expect("parse subset");
        for c in "Aé→".chars() {
            let gid = f.gid(c).unwrap();
            assert_eq!(parsed.lookup_glyph_index(c as u32), Some(gid));
            assert_eq!(parsed.get_glyph_width(gid), f.parsed.get_glyph_width(gid));
        }
        // Whole-font checksum as the spec requires.
        let sum = subset.chunks(4).fold(0u32, |s, c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            s.wrapping_add(u32::from_be_bytes(w))
        });
        assert_eq!(sum, 0xB1B0_AFBA);
    }

    #[test]
    fn narrow_columns_get_a_minimum_width_and_the_rest_keeps_its_proportions() {
        let w = column_widths(&[1.0, 1.0, 3.0, 0.2], 500.0, 40.0);
        assert!((w.iter().sum::<f32>() - 500.0).abs() < 0.01);
        assert!((w[3] - 40.0).abs() < 0.01);
        assert!((w[2] / w[0] - 3.0).abs() < 0.01);
        // Too many columns for the minimum: plain proportions.
        let w = column_widths(&[1.0; 20], 500.0, 40.0);
        assert!(w.iter().all(|x| (x - 25.0).abs() < 0.01));
    }

    #[test]
    fn the_same_document_gives_the_same_bytes() {
        let doc = ReportDocument {
            title: "Same".into(),
            blocks: vec![Block::Paragraph("Twice é →".into())],
            ..Default::default()
        };
        let a = render_pdf(&doc).unwrap();
        assert_eq!(a, render_pdf(&doc).unwrap());
        let text = String::from_utf8_lossy(&a);
        assert!(
            text.contains("/ID[("),
            "the trailer keeps a file identifier"
        );
        let other = ReportDocument {
            title: "Other".into(),
            ..doc
        };
        assert_ne!(a, render_pdf(&other).unwrap());
    }

    #[test]
    fn garbage_input_is_not_a_font_and_does_not_panic() {
        assert!(truetype::subset(&[0, 1, 0, 0, 0xff, 0xff], &BTreeSet::new()).is_none());
        assert!(truetype::subset(b"", &BTreeSet::new()).is_none());
    }

    #[test]
    fn odd_documents_render() {
        let empty = ReportDocument::default();
        assert!(render_pdf(&empty).unwrap().starts_with(b"%PDF"));
        let odd = ReportDocument {
            blocks: vec![
                Block::Heading(String::new()),
                Block::Table {
                    columns: vec![],
                    rows: vec![vec!["a".into(), "b".into()], vec![]],
                },
                Block::Table {
                    columns: vec![Column::new("x", f32::NAN), Column::new("y", -1.0)],
                    rows: vec![vec!["1".into(), "2".into(), "3".into()]],
                },
                Block::Table {
                    columns: vec![],
                    rows: vec![],
                },
                Block::Metrics(vec![]),
                Block::KeyValues(vec![]),
                Block::Warning("x".repeat(20_000)),
                Block::Mono("\u{0}\u{7}".into()),
                Block::Paragraph("\n\n\n".into()),
                Block::Heading("last".into()),
            ],
            ..Default::default()
        };
        assert!(render_pdf(&odd).unwrap().starts_with(b"%PDF"));
    }
}
