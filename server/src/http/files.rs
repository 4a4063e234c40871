//! Files attached to records: uploading one from a record's timeline (a plain multipart form, so it
//! works without JavaScript) and downloading it.

use super::extract::{attachment, is_local_path, read_form, Visitor};
use app::api::ctx::AppState;
use app::error::{AppError, Problem};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        // Bodies up to 64 MB are read to the end so that an oversized file gets a clear answer; the
        // file itself is refused above MAX_UPLOAD_BYTES.
        .route("/files", post(upload_file).layer(DefaultBodyLimit::max(64 * 1024 * 1024)))
        .route("/files/{id}", get(download_file))
}

/// Attaching a file (multipart form from the record's timeline). Answers with a redirect back to the
/// record page carrying the outcome, so it works without JavaScript; nothing is stored on any error.
async fn upload_file(State(state): State<AppState>, Visitor(actor): Visitor, mut form: Multipart) -> Response {
    let Some(actor) = actor else {
        return Redirect::to("/login").into_response();
    };
    let form = read_form(&mut form, app::domain::MAX_UPLOAD_BYTES).await;
    let text = |k: &str| form.texts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (kind, id, mut back, file, too_large) =
        (text("regarding_kind"), text("regarding_id"), text("return_to"), form.file, form.too_large);
    if !is_local_path(&back) {
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
    Redirect::to(&format!("{back}{sep}{result}")).into_response()
}

/// Downloads an attached file: always as an attachment, with the type fixed at upload, never sniffed,
/// and sandboxed should a browser still render it.
async fn download_file(State(state): State<AppState>, Path(id): Path<i64>, Visitor(actor): Visitor) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app::services::documents::download(&state.db, &actor, id).await {
        Ok(d) => attachment(&d.file_name, &d.content_type, d.bytes),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
