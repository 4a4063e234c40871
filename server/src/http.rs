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
    let ctx_state = state.clone();
    let fn_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/calendar/{file}", get(calendar_feed))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
                provide_context(RequestCache::default());
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
        .layer(middleware::from_fn(origin_guard))
        .layer(axum::Extension(fn_state))
        .with_state(state)
}

async fn server_fn(axum::Extension(state): axum::Extension<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(RequestCache::default());
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

/// Refuses cross-site POSTs: the Origin (or, lacking it, the Referer) must name this host.
async fn origin_guard(req: Request<Body>, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && !same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-origin POST refused");
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    next.run(req).await
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
    fn same_origin_rules() {
        assert!(same_origin(&req("veza.local:3000", Some("http://veza.local:3000"), None)));
        assert!(same_origin(&req("veza.local", None, Some("https://veza.local/accounts"))));
        assert!(!same_origin(&req("veza.local", Some("https://evil.example"), None)));
        assert!(!same_origin(&req("veza.local", Some("https://veza.local.evil.example"), None)));
        assert!(!same_origin(&req("veza.local", None, None)));
    }
}
