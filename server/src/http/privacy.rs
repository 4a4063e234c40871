//! A person's data as one zip: `POST /personal-data/export` from the "Personal data" block of a
//! contact's or lead's page (a plain form, so it works without JavaScript; same-origin only, see
//! `guards::origin_guard`). Administrators only, checked in `services::privacy`. The zip is written to
//! a temporary file and streamed from it, so memory holds one document at a time however many the
//! person has; the file is unlinked as soon as it is open for the answer.

use super::extract::{Language, Visitor};
use app::api::ctx::AppState;
use app::error::AppError;
use app::i18n::Lang;
use app::services::privacy;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

pub fn router() -> Router<AppState> {
    Router::new().route("/personal-data/export", post(export))
}

#[derive(serde::Deserialize)]
struct ExportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

/// A temporary file of this process only, readable by its user only.
fn temp_file() -> std::io::Result<(PathBuf, std::fs::File)> {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let path =
        std::env::temp_dir().join(format!("veza-personal-data-{}-{}-{nanos}.zip", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path)?;
    Ok((path, file))
}

async fn export(
    State(state): State<AppState>,
    Visitor(actor): Visitor,
    Language(lang): Language,
    OriginalUri(uri): OriginalUri,
    Form(form): Form<ExportForm>,
) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (Ok(kind), Ok(id)) = (privacy::person_kind(&form.kind), form.id.trim().parse::<i64>()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if actor.role != app::domain::Role::Admin {
        return refused(lang, &AppError::Forbidden);
    }
    // Exports count against the user's hourly limit like every other export.
    match app::services::limits::record(&state.db, &actor, app::services::limits::Use::Export, &uri.to_string()).await {
        Ok(()) => {}
        Err(e @ AppError::Validation { .. }) => {
            return (StatusCode::TOO_MANY_REQUESTS, app::i18n::labels::error_text(lang, &e)).into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let (path, file) = match temp_file() {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "cannot create a temporary file for a personal data export");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let written = privacy::export(&state.db, &actor, kind, id, file).await;
    let response = match written {
        Ok((file, name)) => {
            drop(file);
            let served = tower_http::services::ServeFile::new(&path).oneshot(axum::http::Request::new(Body::empty())).await;
            match served {
                Ok(res) if res.status() == StatusCode::OK => {
                    let mut res = res.map(Body::new);
                    let h = res.headers_mut();
                    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
                    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                        h.insert(header::CONTENT_DISPOSITION, v);
                    }
                    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
                    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
                    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
                    h.remove(header::LAST_MODIFIED);
                    h.remove(header::ACCEPT_RANGES);
                    res
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        Err(e) => refused(lang, &e),
    };
    // The answer holds the open file; the name goes now.
    let _ = std::fs::remove_file(&path);
    response
}

fn refused(lang: Lang, e: &AppError) -> Response {
    let status = match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, app::i18n::labels::error_text(lang, e)).into_response()
}
