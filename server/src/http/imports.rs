//! The import's files: uploading a spreadsheet (a plain multipart form, so it works without
//! JavaScript) and downloading the rows an import refused, with their reasons.

use super::extract::{attachment, read_form, Language, Visitor};
use app::api::ctx::AppState;
use app::domain::imports::ImportEntity;
use app::error::{AppError, Problem};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/imports/upload", post(upload_import).layer(DefaultBodyLimit::max(app::services::imports::max_bytes() + 1024 * 1024)))
        .route("/imports/{id}/rejected.csv", get(rejected_rows))
}

/// Upload of a file to import (multipart: `entity`, `file`). Answers with a redirect: to the new import's
/// mapping step, or back to the import page with the reason it was refused.
async fn upload_import(State(state): State<AppState>, Visitor(actor): Visitor, mut form: Multipart) -> Response {
    let Some(actor) = actor else {
        return Redirect::to("/login").into_response();
    };
    let limit = app::services::imports::max_bytes();
    let form = read_form(&mut form, limit).await;
    let entity = form.text("entity");
    let (file, too_large) = (form.file.filter(|(name, _)| !name.is_empty()), form.too_large);
    let entity = ImportEntity::parse(&entity).unwrap_or(ImportEntity::Contact);
    let outcome = match (too_large, file) {
        (true, _) => Err(AppError::Validation { field: "file".into(), problem: Problem::FileTooLarge((limit / (1024 * 1024)) as i64) }),
        (false, None) => Err(AppError::Validation { field: "file".into(), problem: Problem::Required }),
        (false, Some((name, bytes))) => app::services::imports::upload(&state.db, &actor, entity, &name, bytes).await,
    };
    match outcome {
        Ok(id) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(e) => {
            let code = match e {
                AppError::Validation { problem: Problem::FileTooLarge(_), .. } => "too_large".to_string(),
                AppError::Validation { problem: Problem::FileTypeNotAllowed, .. } => "type".into(),
                AppError::Validation { problem: Problem::EmptyFile, .. } => "empty".into(),
                AppError::Validation { problem: Problem::UnpacksTooLarge(mb), .. } => format!("unpacked&limit={mb}"),
                AppError::Validation { problem: Problem::TooManyColumns(n), .. } => format!("columns&limit={n}"),
                AppError::Validation { problem: Problem::Required, .. } => "required".into(),
                AppError::Forbidden => "forbidden".into(),
                _ => "internal".into(),
            };
            Redirect::to(&format!("/imports?entity={}&error={code}", entity.code())).into_response()
        }
    }
}

/// The rejected rows of an import as CSV, with their reasons.
async fn rejected_rows(State(state): State<AppState>, Visitor(actor): Visitor, Language(lang): Language, Path(id): Path<i64>) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app::services::imports::rejects_csv(&state.db, &actor, id, lang).await {
        Ok((name, bytes)) => attachment(&name, "text/csv; charset=utf-8", bytes),
        Err(AppError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
