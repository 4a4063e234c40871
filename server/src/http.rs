//! HTTP wiring: Leptos pages and server functions, the health check, static files, and the CSRF guard
//! (an Origin check on every server-function POST).

use app::api::ctx::{AppState, RequestCache};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // The browser code (wasm, its chunks, the loader script, the stylesheet) is served by tower-http's
    // ServeDir, not by Leptos's file fallback: that one answered a file with the status a page rendered
    // just before on the same thread had set (a 404 page made the next `veza.wasm` a 404, and the page
    // never hydrated), and it treats a revalidation's 304 as "no such file".
    let pkg_dir = format!("{}/{}", state.leptos_options.site_root, state.leptos_options.site_pkg_dir);
    let pkg_path = format!("/{}", state.leptos_options.site_pkg_dir);
    let ctx_state = state.clone();
    let fn_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/calendar/{file}", get(calendar_feed))
        // Bodies up to 64 MB are read to the end so that an oversized file gets a clear answer; the
        // file itself is refused above MAX_UPLOAD_BYTES.
        .route("/files", axum::routing::post(upload_file).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)))
        .route("/files/{id}", get(download_file))
        .route(
            "/imports/upload",
            axum::routing::post(crate::transfer::upload_import)
                .layer(axum::extract::DefaultBodyLimit::max(app::services::imports::max_bytes() + 1024 * 1024)),
        )
        .route("/imports/{id}/rejected.csv", get(crate::transfer::rejected_rows))
        .route("/export/{file}", get(crate::transfer::export_list))
        .route("/export/report/{file}", get(crate::transfer::export_report))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .nest_service(&pkg_path, tower_http::services::ServeDir::new(pkg_dir))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        // leptos_routes also registers each server function's own path: the error statuses wrap them all.
        .layer(middleware::from_fn_with_state(state.clone(), request_cache))
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn(origin_guard))
        .layer(axum::Extension(fn_state))
        .with_state(state)
}

async fn server_fn(axum::Extension(state): axum::Extension<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
        },
        req,
    )
    .await
}

async fn healthz(State(state): State<AppState>) -> Response {
    match app::db::migrate::schema_version(&state.db).await {
        Ok(v) => Json(serde_json::json!({"status": "ok", "database": state.db.backend.name(), "schema_version": v})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "unavailable", "database": state.db.backend.name()})))
                .into_response()
        }
    }
}

/// A user's secret iCalendar feed: `/calendar/<token>.ics`. Unknown or revoked tokens are 404.
async fn calendar_feed(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(token) = file.strip_suffix(".ics").filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("veza");
    match app::services::ical::render(&state.db, token, host).await {
        Ok(Some(body)) => ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")], body)
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The signed-in user of a plain (non-Leptos) request, from the session cookie.
async fn session_actor(state: &AppState, headers: &axum::http::HeaderMap) -> Option<app::services::Actor> {
    let token = app::api::ctx::cookie_in(headers, app::api::ctx::SESSION_COOKIE)?;
    app::services::auth::session_user(&state.db, &token).await.ok().flatten()
}

/// Attaching a file (multipart form from the record's timeline). Answers with a redirect back to the
/// record page carrying the outcome, so it works without JavaScript; nothing is stored on any error.
async fn upload_file(State(state): State<AppState>, headers: axum::http::HeaderMap, mut form: axum::extract::Multipart) -> Response {
    use app::error::{AppError, Problem};
    let Some(actor) = session_actor(&state, &headers).await else {
        return axum::response::Redirect::to("/login").into_response();
    };
    let form = read_form(&mut form, app::domain::MAX_UPLOAD_BYTES).await;
    let text = |k: &str| form.texts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (kind, id, mut back, file, too_large) =
        (text("regarding_kind"), text("regarding_id"), text("return_to"), form.file, form.too_large);
    if back.is_empty() {
        back = "/".into();
    }
    // Only a path of this site ("/accounts/7"), never another host.
    if !back.starts_with('/') || back.starts_with("//") || back.contains('\\') {
        back = "/".into();
    }
    let outcome = if too_large {
        Err(AppError::Validation { field: "file".into(), problem: Problem::FileTooLarge(0) })
    } else {
        match (app::domain::RegardingKind::parse(&kind), id.trim().parse::<i64>(), file) {
            (Some(k), Ok(rid), Some((fname, bytes))) => app::services::documents::upload(&state.db, &actor, k, rid, &fname, &bytes).await,
            (_, _, None) => Err(AppError::Validation { field: "file".into(), problem: Problem::Required }),
            _ => Err(AppError::NotFound),
        }
    };
    let result = match outcome {
        Ok(_) => "upload=ok",
        Err(AppError::Validation { problem: Problem::FileTooLarge(_), .. }) => "upload_error=too_large",
        Err(AppError::Validation { problem: Problem::FileTypeNotAllowed, .. }) => "upload_error=type",
        Err(AppError::Validation { problem: Problem::Required, .. }) => "upload_error=required",
        Err(AppError::NotFound) | Err(AppError::Validation { .. }) => "upload_error=not_found",
        Err(_) => "upload_error=internal",
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    axum::response::Redirect::to(&format!("{back}{sep}{result}")).into_response()
}

/// A multipart form as read: its text fields, its `file` field (name and bytes) and whether the body or
/// the file went over the limit.
pub(crate) struct ReadForm {
    pub texts: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
    pub too_large: bool,
}

/// Reads a multipart form to the end (so the browser gets the answer), keeping at most one byte of the
/// file over `limit`.
pub(crate) async fn read_form(form: &mut axum::extract::Multipart, limit: usize) -> ReadForm {
    let mut out = ReadForm { texts: Vec::new(), file: None, too_large: false };
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) => {
                let name = field.name().unwrap_or("").to_string();
                if name == "file" {
                    let file_name = field.file_name().unwrap_or("").to_string();
                    let mut bytes = Vec::new();
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                let room = (limit + 1).saturating_sub(bytes.len());
                                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                            }
                            Ok(None) => break,
                            Err(_) => {
                                out.too_large = true;
                                break;
                            }
                        }
                    }
                    out.file = Some((file_name, bytes));
                } else {
                    let text = field.text().await.unwrap_or_default();
                    out.texts.push((name, text));
                }
            }
            Ok(None) => break,
            Err(_) => {
                out.too_large = true;
                break;
            }
        }
    }
    out
}

/// Downloads an attached file: always as an attachment, with the type fixed at upload, never sniffed,
/// and sandboxed should a browser still render it.
async fn download_file(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(actor) = session_actor(&state, &headers).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app::services::documents::download(&state.db, &actor, id).await {
        Ok(d) => {
            let encoded: String = d
                .file_name
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            let ascii: String =
                d.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._ ".contains(c) { c } else { '_' }).collect();
            (
                [
                    (header::CONTENT_TYPE, d.content_type),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                d.bytes,
            )
                .into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Server functions answer every error with 500; this gives an error the status that says what went
/// wrong (422 for a field the user must correct, 404, 403, 401, 409 for a stale edit), keeping the
/// body the client decodes. Internal errors stay 500 (their details are only in the log).
async fn error_status(req: Request<Body>, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(status) = status_of_error_body(&bytes) {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The status for a server function's error body (an `AppError` as JSON).
fn status_of_error_body(body: &[u8]) -> Option<StatusCode> {
    use app::error::AppError;
    Some(match serde_json::from_slice::<AppError>(body).ok()? {
        AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Conflict => StatusCode::CONFLICT,
        AppError::Internal | AppError::Network(_) => StatusCode::INTERNAL_SERVER_ERROR,
    })
}

/// Refuses cross-site POSTs (server functions and uploads): the Origin (or, lacking it, the Referer) must
/// name this host.
async fn origin_guard(req: Request<Body>, next: Next) -> Response {
    let guarded = req.uri().path().starts_with("/api/") || req.uri().path() == "/files" || req.uri().path() == "/imports/upload";
    if req.method() == Method::POST && guarded && !same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-origin POST refused");
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    next.run(req).await
}

/// Gives every request its `RequestCache` (the server functions find it among the request's parts). For
/// a page it also looks the visitor's session up before the page renders, so that the page's components
/// find it in at once (see `Layout` in the app), and sends a visitor without one to sign-in (or to setup
/// on a new installation) before anything is rendered.
async fn request_cache(State(state): State<AppState>, mut req: Request<Body>, next: Next) -> Response {
    let cache = RequestCache::default();
    let path = req.uri().path();
    if req.method() == Method::GET && renders_page(path) {
        let token = app::api::ctx::cookie_in(req.headers(), app::api::ctx::SESSION_COOKIE);
        // A failure is left to the page's own session request, which reports it.
        if let Ok(session) = cache.session(&state.db, token.as_deref()).await {
            if session.user.is_none() && !PUBLIC_PAGES.contains(&path) {
                return axum::response::Redirect::to(session.entry_path()).into_response();
            }
        }
    }
    req.extensions_mut().insert(cache);
    next.run(req).await
}

/// The pages a visitor without a session may open; every other page is behind sign-in.
const PUBLIC_PAGES: [&str; 2] = ["/login", "/setup"];

/// Whether a GET of `path` renders a page (not a server function, a file, an export or the browser code).
fn renders_page(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("").contains('.');
    !file && !["/api/", "/files", "/export/", "/healthz", "/calendar/"].iter().any(|p| path.starts_with(p))
}

fn same_origin(req: &Request<Body>) -> bool {
    let Some(host) = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let source = req.headers().get(header::ORIGIN).or_else(|| req.headers().get(header::REFERER)).and_then(|v| v.to_str().ok());
    match source {
        Some(src) => {
            let rest = src.strip_prefix("https://").or_else(|| src.strip_prefix("http://")).unwrap_or("");
            let origin_host = rest.split('/').next().unwrap_or("");
            !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: &str, origin: Option<&str>, referer: Option<&str>) -> Request<Body> {
        let mut b = Request::builder().method("POST").uri("/api/x").header("host", host);
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        if let Some(r) = referer {
            b = b.header("referer", r);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn error_statuses_follow_the_error() {
        use app::error::{AppError, Problem};
        let body = |e: AppError| serde_json::to_vec(&e).unwrap();
        let invalid = AppError::Validation { field: "email".into(), problem: Problem::Required };
        assert_eq!(status_of_error_body(&body(invalid)), Some(StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(status_of_error_body(&body(AppError::NotFound)), Some(StatusCode::NOT_FOUND));
        assert_eq!(status_of_error_body(&body(AppError::Conflict)), Some(StatusCode::CONFLICT));
        assert_eq!(status_of_error_body(&body(AppError::Forbidden)), Some(StatusCode::FORBIDDEN));
        assert_eq!(status_of_error_body(&body(AppError::Unauthorized)), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(status_of_error_body(&body(AppError::Internal)), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert_eq!(status_of_error_body(b"<html>panic</html>"), None);
    }

    #[test]
    fn same_origin_rules() {
        assert!(same_origin(&req("veza.local:3000", Some("http://veza.local:3000"), None)));
        assert!(same_origin(&req("veza.local", None, Some("https://veza.local/accounts"))));
        assert!(!same_origin(&req("veza.local", Some("https://evil.example"), None)));
        assert!(!same_origin(&req("veza.local", Some("https://veza.local.evil.example"), None)));
        assert!(!same_origin(&req("veza.local", None, None)));
    }

    #[test]
    fn pages_are_told_from_files_and_functions() {
        for page in ["/", "/accounts/1", "/reports/forecast", "/imports/7", "/calendar", "/login"] {
            assert!(renders_page(page), "{page}");
        }
        for other in [
            "/api/get_session123",
            "/pkg/veza.wasm",
            "/favicon.ico",
            "/files/3",
            "/export/contacts.csv",
            "/healthz",
            "/calendar/abc.ics",
            "/imports/7/rejected.csv",
        ] {
            assert!(!renders_page(other), "{other}");
        }
    }

    /// Counts the SELECT statements sqlx reports (target `sqlx::query`), whichever thread sends them;
    /// a new pooled connection's setup (PRAGMA, SET) is not counted.
    struct QueryCounter;
    static QUERIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    struct IsSelect(bool);
    impl tracing::field::Visit for IsSelect {
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            if field.name() == "db.statement" {
                self.0 = value.contains("SELECT");
            }
        }
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "db.statement" {
                self.0 = format!("{value:?}").contains("SELECT");
            }
        }
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QueryCounter {
        fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                let mut select = IsSelect(false);
                event.record(&mut select);
                if select.0 {
                    QUERIES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }
    }

    /// The Postgres database the test connects to first, to create its own (test.sh sets it).
    fn pg_admin_url() -> String {
        std::env::var("VEZA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// The databases to run on: a fresh SQLite file, and a fresh Postgres database when one is
    /// reachable (required with VEZA_REQUIRE_POSTGRES=1, as in CI).
    async fn databases(dir: &std::path::Path) -> Vec<(String, Option<String>)> {
        use sqlx::{Connection, Executor};
        let mut out = vec![(format!("sqlite://{}/pages.db", dir.display()), None)];
        let admin = pg_admin_url();
        match sqlx::PgConnection::connect(&admin).await {
            Ok(mut conn) => {
                let name = format!("veza_pages_{}", std::process::id());
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                out.push((url, Some(name)));
            }
            Err(e) if std::env::var("VEZA_REQUIRE_POSTGRES").as_deref() == Ok("1") => panic!("Postgres is required: {e}"),
            Err(e) => eprintln!("Postgres not reachable, skipped: {e}"),
        }
        out
    }

    /// A page is rendered once per request: its data are loaded once, every time. (The layout's
    /// Suspense once held the page and waited for the session; each walk of its children for resource
    /// reads built the page again and sent its queries again. With that code this test fails on
    /// Postgres, e.g. queries per account page [33, 11, 11, 11, 29, 11, 11, 20, 11, 29, 11, 29].)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_loads_its_data_once_per_request() {
        use app::services::{accounts, auth};
        use tower::ServiceExt;
        use tracing_subscriber::layer::SubscriberExt;
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(QueryCounter));
        let dir = std::env::temp_dir().join(format!("veza-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (url, pg_name) in databases(&dir).await {
            let db = app::db::Db::connect(&url).await.unwrap();
            let admin = auth::setup_first_admin(&db, "admin@pages.test", "Ana Admin", "lozinka-za-test", "Prodaja").await.unwrap();
            let (token, _) = auth::sign_in(&db, "admin@pages.test", "lozinka-za-test", "127.0.0.1").await.unwrap();
            let actor = auth::user_by_id(&db, admin).await.unwrap();
            let input =
                app::domain::AccountInput { name: "Mlekara Test d.o.o.".into(), types: vec!["customer".into()], ..Default::default() };
            let account = accounts::create(&db, &actor, &input).await.unwrap();
            let state = AppState {
                leptos_options: LeptosOptions::builder().output_name("veza").build(),
                db: db.clone(),
                secure_cookies: false,
                mailer: None,
            };
            let app = router(state);
            for path in [format!("/accounts/{account}"), "/contacts".to_string(), "/".to_string()] {
                let mut counts = Vec::new();
                for _ in 0..12 {
                    let before = QUERIES.load(std::sync::atomic::Ordering::SeqCst);
                    let req = Request::builder()
                        .uri(&path)
                        .header("host", "veza.test")
                        .header("cookie", format!("{}={token}", app::api::ctx::SESSION_COOKIE))
                        .body(Body::empty())
                        .unwrap();
                    let res = app.clone().oneshot(req).await.unwrap();
                    assert_eq!(res.status(), StatusCode::OK, "{path} on {url}");
                    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
                    assert!(String::from_utf8_lossy(&body).contains("Ana Admin"), "{path} shows the signed-in user");
                    counts.push(QUERIES.load(std::sync::atomic::Ordering::SeqCst) - before);
                }
                // The first requests may fill the server's copy of the choice lists.
                assert!(counts[2..].iter().all(|&n| n == counts[2] && n > 0), "{path} on {url}: queries per request {counts:?}");
            }
            // A visitor without a session is sent to sign-in before anything renders.
            let req = Request::builder().uri(format!("/accounts/{account}")).header("host", "veza.test").body(Body::empty()).unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert!(res.status().is_redirection(), "{url}: {}", res.status());
            assert_eq!(res.headers().get(header::LOCATION).unwrap(), "/login");
            db.pool.close().await;
            if let Some(name) = pg_name {
                use sqlx::{Connection, Executor};
                let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
