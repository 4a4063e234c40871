//! The shape of the code, checked on every test run so it stays as the README's layout describes it:
//! - nothing below the UI (`services`, `db`, `domain`, `i18n`, `api`, `clock`, `error`) and nothing in
//!   the `server` crate names `pages` or `components`;
//! - no page imports another page (shared UI lives in `components`, the route table in `shell`);
//! - the services import each other without a cycle (a folder such as `services/opportunities/` is
//!   one aggregate, one node);
//! - `domain` does no I/O: it names neither `db` nor `services`.
//!
//! Imports are read from the source as text: every `crate::…`, `super::…` and `app::…` path, whether
//! in a `use` (grouped or not) or written inline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file: its module path (`["services", "opportunities", "lines"]`) and its text without
/// comments.
struct Source {
    module: Vec<String>,
    file: PathBuf,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Drops `//` comments (doc comments too) and string literals, so prose and SQL naming a module do
/// not count as imports.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' {
                in_str = true;
                prev = ' ';
                continue;
            }
            out.push(c);
            prev = c;
        }
        out.push('\n');
    }
    out
}

fn sources(root: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(root).unwrap();
            let mut module: Vec<String> = rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
            if module.last().is_some_and(|m| m == "mod" || m == "lib" || m == "main") {
                module.pop();
            }
            let text = code_only(&std::fs::read_to_string(&file).unwrap());
            Source { module, file, text }
        })
        .collect()
}

/// Every path a source names, resolved to absolute module paths of the app crate (`super` and
/// `self` resolved against the file's module; `app::` as the server names the crate).
fn imports(src: &Source, crate_name: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let bytes: Vec<char> = src.text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if starts_word && bytes[i].is_alphabetic() {
            let (tree, end) = parse_path(&bytes, i);
            if end > i {
                for path in tree {
                    if let Some(abs) = resolve(&src.module, &path, crate_name) {
                        found.insert(abs);
                    }
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

fn ident(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn skip_ws(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Parses `a::b::{c, d::{e}}` at `i` into its leaf paths; returns the end. A single identifier not
/// followed by `::` is no path (returns `i`).
fn parse_path(chars: &[char], i: usize) -> (Vec<Vec<String>>, usize) {
    let (first, mut j) = ident(chars, i);
    if first.is_empty() || !(j + 1 < chars.len() && chars[j] == ':' && chars[j + 1] == ':') {
        return (Vec::new(), i);
    }
    let mut prefix = vec![first];
    loop {
        if !(j + 1 < chars.len() && chars[j] == ':' && chars[j + 1] == ':') {
            return (vec![prefix], j);
        }
        j = skip_ws(chars, j + 2);
        if j < chars.len() && chars[j] == '{' {
            let (groups, end) = parse_group(chars, j + 1);
            return (groups.into_iter().map(|g| prefix.iter().cloned().chain(g).collect()).collect(), end);
        }
        let (next, k) = ident(chars, j);
        if next.is_empty() {
            return (vec![prefix], j);
        }
        prefix.push(next);
        j = k;
    }
}

fn parse_group(chars: &[char], mut j: usize) -> (Vec<Vec<String>>, usize) {
    let mut out = Vec::new();
    loop {
        j = skip_ws(chars, j);
        if j >= chars.len() {
            return (out, j);
        }
        match chars[j] {
            '}' => return (out, j + 1),
            ',' => j += 1,
            '{' => {
                let (g, end) = parse_group(chars, j + 1);
                out.extend(g);
                j = end;
            }
            _ => {
                let (p, end) = parse_path(chars, j);
                if end > j {
                    out.extend(p);
                    j = end;
                } else {
                    let (name, end) = ident(chars, j);
                    if !name.is_empty() {
                        out.push(vec![name]);
                        j = end;
                    } else {
                        j += 1;
                    }
                }
            }
        }
    }
}

fn resolve(module: &[String], path: &[String], crate_name: &str) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" if crate_name == "app" => Vec::new(),
        "app" if crate_name == "server" => Vec::new(),
        "self" => module.to_vec(),
        "super" => {
            let mut base = module.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|p| p == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            return Some(base.into_iter().chain(rest.iter().filter(|p| *p != "self").cloned()).collect());
        }
        _ => return None,
    };
    base.extend(path[1..].iter().filter(|p| *p != "self").cloned());
    Some(base)
}

fn app_sources() -> Vec<Source> {
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn nothing_below_the_ui_imports_pages_or_components() {
    let mut wrong = Vec::new();
    for src in app_sources() {
        let layer = src.module.first().map(String::as_str).unwrap_or("");
        if !matches!(layer, "services" | "db" | "domain" | "i18n" | "api" | "clock" | "error") {
            continue;
        }
        for import in imports(&src, "app") {
            if matches!(import.first().map(String::as_str), Some("pages" | "components" | "shell")) {
                wrong.push(format!("{} imports {}", src.file.display(), import.join("::")));
            }
        }
    }
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    for src in sources(&server) {
        for import in imports(&src, "server") {
            if matches!(import.first().map(String::as_str), Some("pages" | "components")) {
                wrong.push(format!("{} imports app::{}", src.file.display(), import.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "UI imported from below it:\n{}", wrong.join("\n"));
}

#[test]
fn no_page_imports_another_page() {
    let mut wrong = Vec::new();
    for src in app_sources() {
        if src.module.first().map(String::as_str) != Some("pages") || src.module.len() < 2 {
            continue;
        }
        for import in imports(&src, "app") {
            if import.first().map(String::as_str) == Some("pages") && import.len() > 1 && !import.starts_with(&src.module) {
                wrong.push(format!("{} imports {}", src.file.display(), import.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "pages importing pages (shared UI belongs in components/):\n{}", wrong.join("\n"));
}

#[test]
fn domain_does_no_io() {
    let mut wrong = Vec::new();
    for src in app_sources() {
        if src.module.first().map(String::as_str) != Some("domain") {
            continue;
        }
        for import in imports(&src, "app") {
            if matches!(import.first().map(String::as_str), Some("db" | "services" | "api" | "clock")) {
                wrong.push(format!("{} imports {}", src.file.display(), import.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "domain reaching for I/O:\n{}", wrong.join("\n"));
}

/// The services as nodes (a file or a folder under `services/`) and who imports whom.
fn service_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for src in app_sources() {
        if src.module.first().map(String::as_str) != Some("services") || src.module.len() < 2 {
            continue;
        }
        let me = src.module[1].clone();
        let edges = graph.entry(me.clone()).or_default();
        for import in imports(&src, "app") {
            if import.first().map(String::as_str) == Some("services") && import.len() > 1 && import[1] != me {
                // `services::Actor`, `services::parse_id` live in services/mod.rs, which has no node.
                if import[1].chars().next().is_some_and(|c| c.is_lowercase()) && !matches!(import[1].as_str(), "parse_id" | "parse_opt_id")
                {
                    edges.insert(import[1].clone());
                }
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the nodes along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn services_import_each_other_without_a_cycle() {
    let graph = service_graph();
    assert!(graph.len() > 10, "the services were not found: {:?}", graph.keys());
    if let Some(cycle) = find_cycle(&graph) {
        panic!("services import each other in a cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The reader itself: grouped, nested and inline paths, `super` resolved, comments and strings ignored.
    let src = Source {
        module: vec!["pages".into(), "reports".into(), "goals".into()],
        file: PathBuf::from("goals.rs"),
        text: code_only(
            "use crate::{components::list::{Pager, urlencode}, pages::leads};\n\
             // use crate::pages::accounts::confirm;\n\
             let s = \"crate::pages::contacts\";\n\
             super::super::board::Board::new(); crate::services::opportunities::lines::save_line(x);",
        ),
    };
    let found = imports(&src, "app");
    let has = |p: &str| found.contains(&p.split("::").map(String::from).collect::<Vec<_>>());
    assert!(has("components::list::Pager") && has("components::list::urlencode"), "{found:?}");
    assert!(has("pages::leads") && has("pages::board::Board::new"), "{found:?}");
    assert!(has("services::opportunities::lines::save_line"), "{found:?}");
    assert!(!has("pages::accounts::confirm") && !has("pages::contacts"), "{found:?}");
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    g.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&g), None);
}
