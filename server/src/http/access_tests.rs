//! The access probe: every server function, page and plain route, called as each role with another
//! team's ids and with malformed values, on SQLite and on Postgres.
//!
//! The list of server functions and their arguments is read from `app/src/api/` and the argument
//! types from the app's sources, and checked against the functions the server registered: a new
//! function is probed without touching this file (and one the reader cannot parse fails the test).
//!
//! On the demo data set, every text of the records the first team may not see carries a marker and
//! every unit cost a marked number. For the first team's manager, salesperson and marketer each call
//! must then answer without a panic or a 500, without a marker (no record outside their visibility),
//! and — for sales and marketing — without a cost or a margin. The records they may not see must read
//! the same afterwards (no write through a guessed id). The administrator gets the malformed rounds.

use super::router;
use app::api::ctx::{AppState, SESSION_COOKIE};
use app::services::{auth, demo, Actor};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

/// Put into every text of a record the probing users may not see.
const MARKER: &str = "Qx7Tajna";
/// Every unit cost, in minor units, and how it may be written out.
const COST_MINOR: i64 = 4_821_377;
const COST_FORMS: [&str; 4] = ["4821377", "48213.77", "48.213,77", "48,213.77"];
/// Competitor accounts: shared knowledge, seen by every team.
const COMPETITOR: &str = "id IN (SELECT account_id FROM account_types WHERE type = 'competitor')";

#[derive(Clone, Debug)]
enum Ty {
    Int,
    Float,
    Text,
    Bool,
    Opt(Box<Ty>),
    List(Box<Ty>),
    /// A struct or enum of the app, by name.
    Named(String),
}

fn parse_ty(s: &str) -> Ty {
    let s = s.trim().trim_start_matches('&');
    let inner = |p: &str| s.strip_prefix(p).and_then(|r| r.strip_suffix('>'));
    if let Some(i) = inner("Option<") {
        return Ty::Opt(Box::new(parse_ty(i)));
    }
    if let Some(i) = inner("Vec<") {
        return Ty::List(Box::new(parse_ty(i)));
    }
    match s {
        "i64" | "i32" | "i16" | "u8" | "u16" | "u32" | "u64" | "usize" => Ty::Int,
        "f64" | "f32" => Ty::Float,
        "String" | "str" => Ty::Text,
        "bool" => Ty::Bool,
        other => Ty::Named(other.rsplit("::").next().unwrap_or(other).to_string()),
    }
}

/// Splits `a: A, b: Vec<(X, Y)>` at the top-level commas.
fn split_top(s: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0, String::new(), Vec::new());
    for ch in s.chars() {
        match ch {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    out.push(cur);
    out.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// The text between `open` at `start` and its matching `close`.
fn balanced(s: &str, start: usize, open: char, close: char) -> &str {
    let mut depth = 0;
    for (i, ch) in s[start..].char_indices() {
        if ch == open {
            depth += 1;
        } else if ch == close {
            depth -= 1;
            if depth == 0 {
                return &s[start + 1..start + i];
            }
        }
    }
    panic!("unbalanced {open} in source")
}

struct ServerFn {
    name: String,
    args: Vec<(String, Ty)>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src")
}

/// Every `#[server]` function in `app/src/api/` with its arguments.
fn server_functions() -> Vec<ServerFn> {
    let mut files = Vec::new();
    rust_files(&app_src().join("api"), &mut files);
    let mut out = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        for (at, _) in src.match_indices("#[server]") {
            let rest = &src[at..];
            let name_at = rest.find("pub async fn ").expect("a server function after #[server]") + "pub async fn ".len();
            let name: String = rest[name_at..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let open = name_at + rest[name_at..].find('(').unwrap();
            let params = balanced(rest, open, '(', ')').replace("#[server(default)]", "");
            let args = split_top(&params)
                .into_iter()
                .map(|p| {
                    let (n, t) = p.split_once(':').unwrap_or_else(|| panic!("argument {p} of {name}"));
                    (n.trim().to_string(), parse_ty(t))
                })
                .collect();
            out.push(ServerFn { name, args });
        }
    }
    out
}

/// The fields of every `pub struct` in the app's sources (enums are left out: they are probed as text).
fn structs() -> HashMap<String, Vec<(String, Ty)>> {
    let mut files = Vec::new();
    rust_files(&app_src(), &mut files);
    let mut out = HashMap::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        for (at, _) in src.match_indices("pub struct ") {
            let rest = &src[at + "pub struct ".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let after = &rest[name.len()..];
            if !after.trim_start().starts_with('{') {
                continue;
            }
            let open = name.len() + after.find('{').unwrap();
            let body = balanced(rest, open, '{', '}');
            let mut fields = Vec::new();
            let mut skip = false;
            for line in body.lines().map(str::trim) {
                if line.starts_with("#[serde(skip") {
                    skip = true;
                }
                if let Some(f) = line.strip_prefix("pub ") {
                    if let Some((n, t)) = f.split_once(':') {
                        if !skip {
                            fields.push((n.trim().to_string(), parse_ty(t.trim().trim_end_matches(','))));
                        }
                    }
                    skip = false;
                }
            }
            out.insert(name, fields);
        }
    }
    out
}

/// What the leaves of a request are filled with.
#[derive(Clone, Copy)]
enum Fill<'a> {
    /// Every number the id of a record the user may not see (its version where the field is one),
    /// id-like texts the same id, other texts a plausible value (`text` where nothing fits).
    Foreign { entity: &'a str, id: i64, version: i64, text: &'a str },
    /// Every leaf the same raw value.
    Raw(&'a str),
}

fn plausible(field: &str, entity: &str, id: i64, text: &str) -> String {
    let f = field.to_ascii_lowercase();
    let is = |words: &[&str]| words.iter().any(|w| f == *w || f.ends_with(&format!("_{w}")) || f.starts_with(&format!("{w}_")));
    if f == "id" || f.ends_with("_id") || f.ends_with("_ids") || is(&["account", "contact", "opportunity", "lead", "owner", "user", "team", "competitor", "customer", "parent"]) {
        id.to_string()
    } else if is(&["entity", "kind", "regarding"]) {
        entity.to_string()
    } else if is(&["date", "from", "to", "due", "on", "at", "start", "end", "until", "since", "close"]) {
        "2026-12-01".into()
    } else if is(&["email"]) {
        "probe@example.com".into()
    } else if is(&["amount", "price", "value", "quantity", "probability", "percent", "discount", "target", "rate", "share", "rebate"]) {
        "10".into()
    } else {
        text.to_string()
    }
}

fn fill(key: &str, field: &str, ty: &Ty, with: Fill, structs: &HashMap<String, Vec<(String, Ty)>>, depth: usize, out: &mut Vec<(String, String)>) {
    match (ty, with) {
        (Ty::Opt(inner), _) => fill(key, field, inner, with, structs, depth, out),
        (Ty::List(inner), _) => fill(&format!("{key}[0]"), field, inner, with, structs, depth, out),
        (Ty::Named(name), _) if structs.contains_key(name) && depth < 4 => {
            for (f, t) in &structs[name] {
                fill(&format!("{key}[{f}]"), f, t, with, structs, depth + 1, out);
            }
        }
        (_, Fill::Raw(v)) => out.push((key.to_string(), v.to_string())),
        (Ty::Int, Fill::Foreign { id, version, .. }) => out.push((key.to_string(), if field == "version" { version } else { id }.to_string())),
        (Ty::Float, Fill::Foreign { .. }) => out.push((key.to_string(), "10".into())),
        (Ty::Bool, Fill::Foreign { .. }) => out.push((key.to_string(), "true".into())),
        (_, Fill::Foreign { entity, id, text, .. }) => out.push((key.to_string(), plausible(field, entity, id, text))),
    }
}

fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'[' | b']' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn body_of(args: &[(String, Ty)], with: Fill, structs: &HashMap<String, Vec<(String, Ty)>>) -> String {
    let mut pairs = Vec::new();
    for (name, ty) in args {
        fill(name, name, ty, with, structs, 0, &mut pairs);
    }
    pairs.iter().map(|(k, v)| format!("{}={}", percent(k), percent(v))).collect::<Vec<_>>().join("&")
}

/// One probing user: who they are and their current session.
struct Prober {
    actor: Actor,
    email: String,
    token: String,
}

impl Prober {
    async fn sign_in(db: &app::db::Db, email: &str) -> Prober {
        let (token, id) = auth::sign_in(db, email, demo::DEMO_PASSWORD, "127.0.0.1").await.unwrap();
        Prober { actor: auth::user_by_id(db, id).await.unwrap(), email: email.to_string(), token }
    }

    /// Signs in again if the last call ended the session (sign-out, "end session").
    async fn keep_signed_in(&mut self, db: &app::db::Db) {
        if auth::session_user(db, &self.token).await.unwrap().is_none() {
            *self = Prober::sign_in(db, &self.email).await;
        }
    }
}

struct Answer {
    status: StatusCode,
    body: String,
}

async fn call(app: &axum::Router, db: &app::db::Db, method: Method, uri: &str, token: &str, body: String) -> Answer {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "veza.test")
        .header("origin", "http://veza.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("{SESSION_COOKIE}={token}"))
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    // The probe signs in with wrong passwords by the hundred; sign-in throttling (tested on its own)
    // would hold each attempt back for seconds.
    if uri.contains("sign_in") || uri.contains("setup_admin") || uri.contains("change_password") {
        sqlx::query("DELETE FROM login_attempts").execute(&db.pool).await.unwrap();
    }
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await.unwrap();
    Answer { status, body: String::from_utf8_lossy(&body).into_owned() }
}

/// A JSON key naming a cost or a margin, with a value that is neither null, zero nor false.
fn shows_cost(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    fn walk(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                let named = k.contains("cost") || k.contains("margin");
                let empty = v.is_null() || v == &serde_json::json!(0) || v == &serde_json::json!(false) || v == &serde_json::json!([]);
                if named && !empty && !v.is_object() && !v.is_array() {
                    Some(format!("{k}: {v}"))
                } else {
                    walk(v)
                }
            }),
            serde_json::Value::Array(items) => items.iter().find_map(walk),
            _ => None,
        }
    }
    walk(&value)
}

/// The ids (and versions) of one record per owned table that the first team may not see.
async fn foreign_records(db: &app::db::Db, team: i64) -> Vec<(&'static str, i64, i64)> {
    let mut out = Vec::new();
    for (table, entity) in [
        ("accounts", "account"),
        ("contacts", "contact"),
        ("opportunities", "opportunity"),
        ("leads", "lead"),
        ("activities", "activity"),
        ("notes", "note"),
        ("field_observations", "observation"),
    ] {
        let row: Option<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT id, version FROM {table} WHERE team_id <> $1 AND owner_id NOT IN (SELECT id FROM users WHERE team_id = $1){} ORDER BY id LIMIT 1",
            if table == "accounts" { format!(" AND NOT {COMPETITOR}") } else { String::new() }
        ))
        .bind(team)
        .fetch_optional(&db.pool)
        .await
        .unwrap();
        if let Some((id, version)) = row {
            out.push((entity, id, version));
        }
    }
    let user: (i64,) = sqlx::query_as("SELECT id FROM users WHERE team_id <> $1 ORDER BY id LIMIT 1").bind(team).fetch_one(&db.pool).await.unwrap();
    out.push(("user", user.0, 1));
    let other_team: (i64,) = sqlx::query_as("SELECT id FROM teams WHERE id <> $1 ORDER BY id LIMIT 1").bind(team).fetch_one(&db.pool).await.unwrap();
    out.push(("team", other_team.0, 1));
    out
}

/// Marks every text of the records team `team` may not see, and every unit cost.
///
/// Competitors are everyone's knowledge (the competition pages show every team's findings about
/// them), so an account that is a competitor is not marked.
async fn plant_markers(db: &app::db::Db, team: i64) {
    let hidden = "team_id <> $1 AND owner_id NOT IN (SELECT id FROM users WHERE team_id = $1)";
    let shared = |table: &str| if table == "accounts" { format!(" AND NOT {COMPETITOR}") } else { String::new() };
    for (table, column) in [
        ("accounts", "name"),
        ("contacts", "last_name"),
        ("contacts", "email"),
        ("opportunities", "name"),
        ("leads", "company"),
        ("leads", "last_name"),
        ("activities", "subject"),
        ("notes", "body"),
        ("documents", "file_name"),
        ("field_observations", "note"),
    ] {
        sqlx::query(&format!("UPDATE {table} SET {column} = '{MARKER} ' || COALESCE({column}, '') WHERE {hidden}{}", shared(table)))
            .bind(team)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    for table in ["products", "opportunity_lines"] {
        sqlx::query(&format!("UPDATE {table} SET unit_cost_minor = {COST_MINOR}")).execute(&db.pool).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_role_reaches_what_it_may_not_see() {
    let _serial = super::tests::ONE_AT_A_TIME.lock().await;
    let fns = server_functions();
    let structs = structs();
    assert!(fns.len() > 100, "server functions read from app/src/api: {}", fns.len());
    let dir = std::env::temp_dir().join(format!("veza-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (url, pg_name) in super::tests::databases(&dir, "access").await {
        let db = app::db::Db::connect(&url).await.unwrap();
        demo::load(&db, false).await.unwrap();
        let state = AppState {
            leptos_options: LeptosOptions::builder().output_name("veza").build(),
            db: db.clone(),
            secure_cookies: false,
            mailer: None,
        };
        let app = router(state);

        // Every function the server registered is one the reader found, and the other way round.
        let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
        let mut paths = HashMap::new();
        for f in &fns {
            let path = registered
                .iter()
                .find(|p| p.strip_prefix("/api/").and_then(|r| r.strip_prefix(f.name.as_str())).is_some_and(|h| h.chars().all(|c| c.is_ascii_digit())))
                .unwrap_or_else(|| panic!("server function {} is not registered", f.name));
            paths.insert(f.name.clone(), path.clone());
        }
        assert_eq!(paths.len(), registered.len(), "registered functions the reader did not find: {registered:?}");

        let users: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT email, role, team_id FROM users WHERE team_id IS NOT NULL ORDER BY id").fetch_all(&db.pool).await.unwrap();
        let admin_email: (String,) = sqlx::query_as("SELECT email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1").fetch_one(&db.pool).await.unwrap();
        let marketer = users.iter().find(|u| u.1 == "marketing").expect("a marketer in the demo");
        let team = marketer.2;
        let pick = |role: &str| users.iter().find(|u| u.1 == role && u.2 == team).unwrap_or_else(|| panic!("a {role} in team {team}")).0.clone();
        plant_markers(&db, team).await;
        let foreign = foreign_records(&db, team).await;
        assert!(foreign.len() >= 8, "records of other teams to probe with: {foreign:?}");

        // How the administrator sees the other teams' records, to compare afterwards.
        let mut admin = Prober::sign_in(&db, &admin_email.0).await;
        let readers: Vec<&ServerFn> =
            fns.iter().filter(|f| f.name.starts_with("get_") && f.args.len() == 1 && f.args[0].0 == "id" && matches!(f.args[0].1, Ty::Int)).collect();
        let snapshot = |admin_token: String| {
            let (app, readers, foreign, paths, db) = (&app, &readers, &foreign, &paths, &db);
            async move {
                let mut seen = Vec::new();
                for f in readers.iter() {
                    for (_, id, _) in foreign.iter() {
                        let a = call(app, db, Method::POST, &paths[&f.name], &admin_token, format!("id={id}")).await;
                        seen.push(format!("{} {id} {} {}", f.name, a.status, a.body));
                    }
                }
                seen
            }
        };
        let before = snapshot(admin.token.clone()).await;
        assert!(before.iter().any(|s| s.contains(MARKER)), "the administrator reads the marked records");

        // Texts alternate between one that matches nothing and one that matches nearly everything.
        let texts = ["zz-probe", "a"];
        let raws = ["abc", "-1", "99999999999999999999", "'; DROP TABLE accounts; --<script>\u{0}", &"ž".repeat(100_000)];
        let mut problems = Vec::new();
        let mut calls = 0;
        for role in ["manager", "sales", "marketing"] {
            let mut who = Prober::sign_in(&db, &pick(role)).await;
            let hides_cost = !app::services::products::sees_cost(&who.actor);
            let mut rounds: Vec<Fill> = Vec::new();
            for (i, (entity, id, version)) in foreign.iter().enumerate() {
                rounds.push(Fill::Foreign { entity, id: *id, version: *version, text: texts[i % 2] });
            }
            rounds.extend(raws.iter().map(|r| Fill::Raw(r)));
            for f in &fns {
                for (i, with) in rounds.iter().enumerate() {
                    // Arguments the function does not have are not sent twice.
                    if f.args.is_empty() && i > 0 {
                        break;
                    }
                    let a = call(&app, &db, Method::POST, &paths[&f.name], &who.token, body_of(&f.args, *with, &structs)).await;
                    calls += 1;
                    let what = format!("{role} {} round {i}", f.name);
                    if a.status == StatusCode::INTERNAL_SERVER_ERROR {
                        problems.push(format!("{what}: 500 {}", a.body.chars().take(200).collect::<String>()));
                    }
                    if a.body.contains(MARKER) {
                        problems.push(format!("{what}: another team's record: {}", excerpt(&a.body)));
                    }
                    if hides_cost {
                        if let Some(c) = COST_FORMS.iter().find(|c| a.body.contains(*c)).map(|c| c.to_string()).or_else(|| shows_cost(&a.body)) {
                            problems.push(format!("{what}: a cost or margin: {c}"));
                        }
                    }
                    who.keep_signed_in(&db).await;
                }
            }
            // Pages and plain routes, with the other teams' ids in every path and query parameter.
            for path in page_and_route_paths() {
                for (i, (_, id, _)) in foreign.iter().enumerate().take(if path.contains('{') { foreign.len() } else { 1 }) {
                    for uri in uris(&path, *id, i == 0) {
                        let a = call(&app, &db, Method::GET, &uri, &who.token, String::new()).await;
                        calls += 1;
                        if a.status == StatusCode::INTERNAL_SERVER_ERROR {
                            problems.push(format!("{role} GET {uri}: 500"));
                        }
                        if a.body.contains(MARKER) {
                            problems.push(format!("{role} GET {uri}: another team's record: {}", excerpt(&a.body)));
                        }
                        if hides_cost && COST_FORMS.iter().any(|c| a.body.contains(*c)) {
                            problems.push(format!("{role} GET {uri}: a cost"));
                        }
                        who.keep_signed_in(&db).await;
                    }
                }
            }
        }
        admin.keep_signed_in(&db).await;
        let after = snapshot(admin.token.clone()).await;
        // Only readings of records the probing users may not see count (an id may also name a record
        // they may see, and change).
        for (b, a) in before.iter().zip(&after) {
            if b.contains(MARKER) && b != a {
                problems.push(format!("changed by a user who may not see it: {} -> {}", excerpt(b), excerpt(a)));
            }
        }
        // The administrator sees everything: malformed values only.
        for f in &fns {
            for raw in raws {
                let a = call(&app, &db, Method::POST, &paths[&f.name], &admin.token, body_of(&f.args, Fill::Raw(raw), &structs)).await;
                calls += 1;
                if a.status == StatusCode::INTERNAL_SERVER_ERROR {
                    problems.push(format!("admin {} {raw:.20}: 500 {}", f.name, a.body.chars().take(200).collect::<String>()));
                }
                admin.keep_signed_in(&db).await;
            }
        }
        eprintln!("{url}: {calls} calls, {} problems", problems.len());
        assert!(problems.is_empty(), "{url}: {} problems:\n{}", problems.len(), problems.join("\n"));

        db.pool.close().await;
        if let Some(name) = pg_name {
            super::tests::drop_database(&name).await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn excerpt(body: &str) -> String {
    let at = body.find(MARKER).unwrap_or(0);
    let start = body.floor_char_boundary(at.saturating_sub(120));
    let end = body.floor_char_boundary((at + 120).min(body.len()));
    body[start..end].to_string()
}

/// The app's pages (from its route table) and the server's plain GET routes (from its sources).
fn page_and_route_paths() -> Vec<String> {
    let mut out: Vec<String> = leptos_axum::generate_route_list(app::App).iter().map(|r| r.path().to_string()).collect();
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"), &mut files);
    for file in files.iter().filter(|f| !f.ends_with("access_tests.rs")) {
        let src = std::fs::read_to_string(file).unwrap();
        for (at, _) in src.match_indices(".route(\"") {
            let rest = &src[at + ".route(\"".len()..];
            let path = &rest[..rest.find('"').unwrap()];
            let handler = &rest[rest.find('"').unwrap()..];
            if handler.trim_start_matches(['"', ',', ' ']).starts_with("get(") && !path.starts_with("/api/") {
                out.push(path.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The URIs a path is probed with: every parameter the id (or a file name naming each export), plus
/// every query parameter a page reads set to the id or to malformed text.
fn uris(path: &str, id: i64, malformed: bool) -> Vec<String> {
    let mut params = Vec::new();
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find(['{', ':']) {
        out.push_str(&rest[..open]);
        let close = rest[open..].find(['}', '/']).map(|c| open + c).unwrap_or(rest.len());
        params.push(out.len());
        out.push('\u{1}');
        rest = rest.get(close + usize::from(rest[close..].starts_with('}'))..).unwrap_or("");
    }
    out.push_str(rest);
    let values: Vec<String> = if params.is_empty() {
        vec![String::new()]
    } else if path.starts_with("/export") || path.starts_with("/calendar") || path.starts_with("/imports") {
        ["accounts.csv", "contacts.xlsx", "leads.csv", "opportunities.xlsx", "search.csv", "forecast.csv", "sales.xlsx", "x.ics", "%C3%A9", &id.to_string()]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else if malformed {
        vec![id.to_string(), "abc".into(), "%C3%A9a.1".into()]
    } else {
        vec![id.to_string()]
    };
    let mut queries = vec![format!("?id={id}&account={id}&contact={id}&opportunity={id}&lead={id}&user={id}&owner={id}&team={id}&q=a&entity=account")];
    if malformed {
        queries.push("?cursor=a%C3%A9a.1&sort=zz&dir=zz&page=-1&q=%00&from=zz&to=2026-13-45".to_string());
    }
    let mut uris = Vec::new();
    for v in values.iter().take(if malformed { values.len() } else { 1 }) {
        let base = out.replace('\u{1}', v);
        for q in &queries {
            uris.push(format!("{base}{q}"));
        }
    }
    uris
}
