//! What every request passes through: the CSRF guard (an Origin check on every POST that changes
//! something), the session looked up before a page renders (and a visitor without one sent to sign-in),
//! and the HTTP status that says what a server function's error was.

use app::api::ctx::{AppState, RequestCache};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Server functions answer every error with 500; this gives an error the status that says what went
/// wrong (422 for a field the user must correct, 404, 403, 401, 409 for a stale edit), keeping the
/// body the client decodes. Internal errors stay 500 (their details are only in the log).
pub async fn error_status(req: Request<Body>, next: Next) -> Response {
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
        AppError::BadRequest => StatusCode::BAD_REQUEST,
        AppError::Internal | AppError::Network(_) => StatusCode::INTERNAL_SERVER_ERROR,
    })
}

/// The largest body a server function or form may send; file uploads (`/files`, `/imports/upload`)
/// have limits of their own.
pub const BODY_LIMIT: usize = 1 << 20;

/// Refuses a larger body with 413 before reading it, and stops reading one that grows past the limit
/// without declaring its length, so no request can make the server hold more.
pub async fn limit_bodies(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() == Method::GET || path == "/files" || path == "/imports/upload" {
        return next.run(req).await;
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    let (parts, body) = req.into_parts();
    next.run(Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, BODY_LIMIT)))).await
}

/// Refuses a query string or form that carries a NUL character with 400, before anything reads it:
/// nobody types one, SQLite's text functions stop at it and Postgres refuses to store it (which would
/// otherwise end as a 500 deep inside a search or a save). Uploaded files are not forms and may hold any byte.
pub async fn refuse_nul(req: Request<Body>, next: Next) -> Response {
    let has_nul = |b: &[u8]| b.contains(&0) || b.windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    if req.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return (StatusCode::BAD_REQUEST, "text with a NUL character refused").into_response();
    }
    let form = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    if has_nul(&bytes) {
        return (StatusCode::BAD_REQUEST, "text with a NUL character refused").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Refuses cross-site POSTs (server functions and uploads): the Origin (or, lacking it, the Referer) must
/// name this host.
pub async fn origin_guard(req: Request<Body>, next: Next) -> Response {
    let guarded = req.uri().path().starts_with("/api/")
        || req.uri().path() == "/files"
        || req.uri().path() == "/imports/upload"
        || req.uri().path() == super::marketing::UPLOAD_PATH
        || req.uri().path() == "/personal-data/export";
    if req.method() == Method::POST && guarded && !same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-origin POST refused");
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    next.run(req).await
}

/// Headers every response carries: no type sniffing, no framing (also in each page's CSP, see the
/// shell), no referrer sent to other sites; over HTTPS (configured with `VEZA_SECURE_COOKIES`, or said
/// by a trusted proxy) browsers are told to use HTTPS only.
pub fn browser_protections(router: axum::Router, secure: bool) -> axum::Router {
    use axum::http::HeaderValue;
    use tower_http::set_header::SetResponseHeaderLayer as Set;
    router
        .layer(Set::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(Set::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(Set::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(axum::middleware::from_fn(move |req: Request<Body>, next: Next| async move {
            let https = app::api::ctx::over_https(req.headers(), app::api::ctx::peer_of(req.extensions()), secure);
            let mut res = next.run(req).await;
            if https && !res.headers().contains_key(header::STRICT_TRANSPORT_SECURITY) {
                res.headers_mut()
                    .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
            }
            res
        }))
}

/// Gives every request its `RequestCache` (the server functions find it among the request's parts). For
/// a page it also looks the visitor's session up before the page renders, so that the page's components
/// find it in at once (see `Layout` in the app), and sends a visitor without one to sign-in (or to setup
/// on a new installation) before anything is rendered.
pub async fn request_cache(State(state): State<AppState>, mut req: Request<Body>, next: Next) -> Response {
    let cache = RequestCache::default();
    let path = req.uri().path();
    if req.method() == Method::GET && renders_page(path) {
        let https = app::api::ctx::over_https(req.headers(), app::api::ctx::peer_of(req.extensions()), state.secure_cookies);
        let token = app::api::ctx::session_token_in(req.headers(), https);
        // A failure is left to the page's own session request, which reports it.
        if let Ok(session) = cache.session(&state.db, token.as_deref()).await {
            if session.user.is_none() && !PUBLIC_PAGES.contains(&path) {
                return axum::response::Redirect::to(session.entry_path()).into_response();
            }
            // A password an administrator reset is changed, and two-factor sign-in the user's role
            // requires is set up, before anything else.
            if session.user.as_ref().is_some_and(|u| u.held_back()) && path != "/account" {
                return axum::response::Redirect::to("/account").into_response();
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
    !file && !["/api/", "/files", "/export/", "/healthz", "/calendar/", "/unsubscribe/"].iter().any(|p| path.starts_with(p))
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
        assert_eq!(status_of_error_body(&body(AppError::BadRequest)), Some(StatusCode::BAD_REQUEST));
        assert_eq!(status_of_error_body(&body(AppError::Internal)), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert_eq!(status_of_error_body(b"<html>panic</html>"), None);
    }

    #[tokio::test]
    async fn large_bodies_are_refused_before_they_are_read() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/api/echo", axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }))
            .layer(axum::middleware::from_fn(limit_bodies));
        let post = |len: usize, declare: bool| {
            let mut b = Request::builder().method("POST").uri("/api/echo");
            if declare {
                b = b.header(header::CONTENT_LENGTH, len);
            }
            b.body(Body::from(vec![b'a'; len])).unwrap()
        };
        assert_eq!(app.clone().oneshot(post(1000, true)).await.unwrap().status(), StatusCode::OK);
        assert_eq!(app.clone().oneshot(post(BODY_LIMIT + 1, true)).await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Without a declared length the reading stops at the limit.
        assert_ne!(app.clone().oneshot(post(BODY_LIMIT + 1, false)).await.unwrap().status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn text_with_a_nul_character_is_refused() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/api/echo", axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }))
            .route("/accounts", axum::routing::get(|| async { "list" }))
            .layer(axum::middleware::from_fn(refuse_nul));
        let form = |body: &'static str, kind: &str| {
            Request::builder().method("POST").uri("/api/echo").header(header::CONTENT_TYPE, kind).body(Body::from(body)).unwrap()
        };
        let urlencoded = "application/x-www-form-urlencoded";
        assert_eq!(app.clone().oneshot(form("q=Mlekara%20%C5%A0abac", urlencoded)).await.unwrap().status(), StatusCode::OK);
        assert_eq!(app.clone().oneshot(form("q=a%00b", urlencoded)).await.unwrap().status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.clone().oneshot(form("q=a\0b", urlencoded)).await.unwrap().status(), StatusCode::BAD_REQUEST);
        // A literal "%00" typed by the user arrives as %2500 and is text like any other.
        assert_eq!(app.clone().oneshot(form("q=100%2500", urlencoded)).await.unwrap().status(), StatusCode::OK);
        // A file upload may carry any byte.
        assert_eq!(app.clone().oneshot(form("a\0b", "multipart/form-data; boundary=x")).await.unwrap().status(), StatusCode::OK);
        let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
        assert_eq!(app.clone().oneshot(get("/accounts?q=a%00")).await.unwrap().status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.clone().oneshot(get("/accounts?q=a")).await.unwrap().status(), StatusCode::OK);
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
}
