//! The core's layers stay layered: each file imports only from its own layer or the ones below
//! (lib.rs and DESIGN.md name them). An upward import is how the old twelve-file import cycle
//! grew, one convenient `use` at a time; this test refuses the first one.
//!
//! 0 error, clock → 1 domain (no SQL, no rusqlite) → 2 store (all SQL) → 3 actions (deadlines →
//! incidents → major, review → firing) → 4 desk, demo, scheduler, notify, backups → 5 bin.

use std::path::{Path, PathBuf};

/// The rank of a source file (path relative to src/, with `/`); higher may import lower.
fn rank(rel: &str) -> Option<u32> {
    let r = match rel {
        "lib.rs" => return None,
        "error.rs" | "clock.rs" => 0,
        "actions/deadlines.rs" => 30,
        "actions/incidents.rs" => 31,
        "actions/major.rs" | "actions/review.rs" => 32,
        "actions/firing.rs" => 33,
        "actions/mod.rs" => 39,
        _ if rel.starts_with("domain/") => 10,
        _ if rel.starts_with("store/") => 20,
        _ if rel.starts_with("desk/") => 40,
        "desk.rs" | "demo.rs" | "scheduler.rs" | "notify.rs" | "backups.rs" => 40,
        _ if rel.starts_with("bin/") => 50,
        _ => return Some(u32::MAX), // an unplaced file: reported by the test below
    };
    Some(r)
}

/// The rank of what `crate::<path>` names: the deepest file that exists for the path, or the
/// layer of an item the crate root re-exports.
fn target_rank(src: &Path, path: &[String]) -> Option<(String, u32)> {
    let first = path.first()?;
    if first.starts_with(|c: char| c.is_ascii_uppercase()) {
        let layer = match first.as_str() {
            "Error" | "Result" | "ErrorPayload" | "Clock" | "FixedClock" | "SystemClock" => 0,
            _ => 40, // Desk, Change, DATABASE_FILE
        };
        return Some((format!("crate::{first}"), layer));
    }
    let mut best = None;
    for n in 1..=path.len() {
        let segs = &path[..n];
        if segs
            .iter()
            .any(|s| !s.starts_with(|c: char| c.is_ascii_lowercase()))
        {
            break;
        }
        let joined = segs.join("/");
        for cand in [format!("{joined}.rs"), format!("{joined}/mod.rs")] {
            if src.join(&cand).is_file() {
                if let Some(r) = rank(&cand) {
                    best = Some((cand, r));
                }
            }
        }
    }
    best
}

/// Every `crate::…` path in `text`, with `{a::b, c}` groups expanded.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `incident_desk_crate::`
        }
        expand(rest, &[], &mut out);
    }
    out
}

/// Adds the paths `s` starts with (a path, possibly ending in a `{…}` group) under `prefix`.
fn expand(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut segs = prefix.to_vec();
    let mut rest = s;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group's items at its top-level commas.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        expand(group[start..i].trim(), &segs, out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(group[start..i].trim(), &segs, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let seg = &rest[..end];
        if seg != "self" {
            segs.push(seg.to_string());
        }
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    if segs.len() > prefix.len() || (!segs.is_empty() && s.trim_start().starts_with("self")) {
        out.push(segs);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The lines of `text` outside `#[cfg(test)]` modules (tests may reach anywhere).
fn non_test_part(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Every upward import and every misplaced SQL or rusqlite use under `src`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(mine) = rank(&rel) else { continue };
        if mine == u32::MAX {
            found.push(format!(
                "{rel} belongs to no layer: place it (tests/core/layering.rs)"
            ));
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let code = non_test_part(&text);
        for path in crate_paths(code) {
            if let Some((target, theirs)) = target_rank(src, &path) {
                if theirs > mine {
                    found.push(format!(
                        "{rel} (layer {}) imports crate::{} from {target} (layer {})",
                        mine / 10,
                        path.join("::"),
                        theirs / 10
                    ));
                }
            }
        }
        if mine == 10 && code.contains("rusqlite") {
            found.push(format!("{rel} is domain code but uses rusqlite"));
        }
        if mine != 20 {
            for sql in ["execute(", "prepare(", "prepare_cached(", "query_row("] {
                if code.contains(&format!(".{sql}")) {
                    found.push(format!(
                        "{rel} runs SQL ({sql}…): SQL belongs in src/store/"
                    ));
                }
            }
        }
    }
    found
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_file_of_the_core_imports_from_a_layer_above_it() {
    let found = violations(&src_dir());
    assert!(
        found.is_empty(),
        "the core's layers are broken:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn an_upward_import_or_sql_outside_the_store_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    for d in ["domain", "store", "actions"] {
        std::fs::create_dir_all(src.join(d)).expect("folder");
    }
    std::fs::write(src.join("error.rs"), "").expect("write");
    std::fs::write(
        src.join("domain/model.rs"),
        "use crate::store::incidents;\nuse crate::{Error, Result};\n",
    )
    .expect("write");
    std::fs::write(
        src.join("store/incidents.rs"),
        "use crate::domain::model::X;\n",
    )
    .expect("write");
    std::fs::write(
        src.join("actions/incidents.rs"),
        "fn f() { crate::actions::firing::fire_due(); conn.execute(\"DELETE\") }\n",
    )
    .expect("write");
    std::fs::write(src.join("actions/firing.rs"), "").expect("write");
    let found = violations(src);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("actions/incidents.rs") && found[0].contains("actions/firing.rs"));
    assert!(found[1].contains("SQL belongs in src/store/"));
    assert!(found[2].contains("domain/model.rs") && found[2].contains("store/incidents.rs"));
}

#[test]
fn the_core_has_no_import_cycle_between_its_files() {
    // Stronger than the layer test for files of one layer: within a layer, imports must not
    // go round in a circle either (DESIGN.md: `rust_cycles.py src` reports 0).
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rels: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); rels.len()];
    for (i, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).expect("readable");
        for path in crate_paths(non_test_part(&text)) {
            if let Some((target, _)) = target_rank(&src, &path) {
                if let Some(j) = rels.iter().position(|r| *r == target) {
                    if j != i && !edges[i].contains(&j) {
                        edges[i].push(j);
                    }
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(n: usize, edges: &[Vec<usize>], state: &mut [u8], stack: &mut Vec<usize>) -> bool {
        state[n] = 1;
        stack.push(n);
        for &m in &edges[n] {
            if state[m] == 1 {
                stack.push(m);
                return true;
            }
            if state[m] == 0 && visit(m, edges, state, stack) {
                return true;
            }
        }
        stack.pop();
        state[n] = 2;
        false
    }
    let mut state = vec![0u8; rels.len()];
    for n in 0..rels.len() {
        let mut stack = Vec::new();
        if state[n] == 0 && visit(n, &edges, &mut state, &mut stack) {
            let cycle: Vec<&str> = stack.iter().map(|&i| rels[i].as_str()).collect();
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}
