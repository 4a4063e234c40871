//! Marketing lists' files: a member file uploaded to a list (a plain multipart form, so it works
//! without JavaScript) and the members exported as CSV or XLSX (a plain link with the page's filters).

use super::extract::{attachment, read_form, Language, Visitor};
use app::api::ctx::AppState;
use app::domain::marketing::{MarketingList, MemberKind, MemberRow, MembersQuery, MAX_FILE_BYTES};
use app::error::{AppError, Problem};
use app::i18n::{Lang, M};
use app::services::export::{self, Cell};
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// Where the upload form posts (guarded against other origins like every upload).
pub const UPLOAD_PATH: &str = "/marketing/members/upload";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(UPLOAD_PATH, post(upload_members).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1024 * 1024)))
        .route("/export/marketing-lists/{id}/{file}", get(export_members))
}

/// A member file (multipart: `list_id`, `mode` — "add" or "remove" — and `file`). Answers with a redirect
/// back to the list's page carrying the outcome: the counts and the first unmatched rows' lines (never
/// the file's contents, which are personal data, in a URL), or the reason the file was refused.
async fn upload_members(State(state): State<AppState>, Visitor(actor): Visitor, mut form: Multipart) -> Response {
    let Some(actor) = actor else {
        return Redirect::to("/login").into_response();
    };
    let form = read_form(&mut form, MAX_FILE_BYTES).await;
    let Ok(list_id) = form.text("list_id").trim().parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let remove = form.text("mode") == "remove";
    let back = format!("/marketing/lists/{list_id}");
    let outcome = match (form.too_large, form.file.filter(|(name, _)| !name.is_empty())) {
        (true, _) => Err(AppError::Validation { field: "file".into(), problem: Problem::FileTooLarge((MAX_FILE_BYTES >> 20) as i64) }),
        (false, None) => Err(AppError::Validation { field: "file".into(), problem: Problem::Required }),
        (false, Some((name, bytes))) => {
            app::services::marketing::file::change_by_file(&state.db, &actor, list_id, &name, bytes, remove).await
        }
    };
    match outcome {
        Ok(c) => {
            let rows: Vec<String> = c.unmatched_rows.iter().map(|r| r.to_string()).collect();
            let mode = if remove { "remove" } else { "add" };
            let counts = format!(
                "file={mode}&added={}&already={}&removed={}&not_members={}&skipped={}&unmatched={}",
                c.added, c.already, c.removed, c.not_members, c.skipped, c.unmatched
            );
            let rows = if rows.is_empty() { String::new() } else { format!("&rows={}", rows.join(",")) };
            Redirect::to(&format!("{back}?{counts}{rows}#add-members")).into_response()
        }
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(AppError::Validation { problem, .. }) => {
            let code = match problem {
                Problem::FileTooLarge(_) => "too_large",
                Problem::FileTypeNotAllowed | Problem::UnpacksTooLarge(_) | Problem::TooManyColumns(_) => "type",
                Problem::EmptyFile => "empty",
                Problem::NoKeyColumn => "no_key",
                Problem::Required => "required",
                Problem::OutOfRange(..) => "too_many_rows",
                Problem::Locked => "locked",
                Problem::DynamicMembers => "dynamic",
                _ => "internal",
            };
            Redirect::to(&format!("{back}?file_error={code}#add-members")).into_response()
        }
        Err(_) => Redirect::to(&format!("{back}?file_error=internal#add-members")).into_response(),
    }
}

/// `/export/marketing-lists/7/members.csv?…` (or `.xlsx`): the members with the filters of the list's
/// page, in the user's language; counted against the hour's exports like every export.
async fn export_members(
    State(state): State<AppState>,
    Visitor(actor): Visitor,
    Language(lang): Language,
    OriginalUri(uri): OriginalUri,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<MembersQuery>,
) -> Response {
    let (Some(actor), Ok(id)) = (actor, id.parse::<i64>()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let format = match file.as_str() {
        "members.csv" => "csv",
        "members.xlsx" => "xlsx",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let list = match app::services::marketing::get(&state.db, &actor, id).await {
        Ok(l) => l,
        Err(AppError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match app::services::limits::record(&state.db, &actor, app::services::limits::Use::Export, &uri.to_string()).await {
        Ok(()) => {}
        Err(e @ AppError::Validation { .. }) => {
            return (StatusCode::TOO_MANY_REQUESTS, app::i18n::labels::error_text(lang, &e)).into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let rows = match app::services::marketing::members::all(&state.db, &actor, &list, &q, export::MAX_ROWS).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, list = id, "marketing list export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let sheet = members_sheet(&list, &rows, lang);
    let out = match format {
        "csv" => export::sheets_to_csv(lang, &[sheet]).map(|b| (b, "text/csv; charset=utf-8")),
        _ => export::sheets_to_xlsx(&[sheet]).map(|b| (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    };
    let name: String = list.name.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    match out {
        Ok((bytes, mime)) => attachment(&format!("{name}-{}.{format}", app::db::today()), mime, bytes),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The members as a table: their columns as the list's page shows them (the "do not" preferences for
/// people, inactive accounts and disqualified leads marked).
fn members_sheet(list: &MarketingList, rows: &[MemberRow], lang: Lang) -> export::Sheet {
    let kind = list.member_kind;
    let detail = match kind {
        MemberKind::Account => M::City,
        MemberKind::Contact => M::Account,
        MemberKind::Lead => M::Company,
    };
    let mut headers = vec![M::Name, detail, M::Email, M::Phone, M::Owner];
    match kind {
        MemberKind::Account => headers.push(M::MlInactive),
        MemberKind::Contact => headers.extend([M::MlDoNotEmail, M::MlDoNotCall, M::MlDoNotMail]),
        MemberKind::Lead => headers.extend([M::MlDoNotEmail, M::MlDoNotCall, M::MlDoNotMail, M::LeadDisqualified]),
    }
    let yes = |b: bool| Cell::Text(if b { lang.t(M::Yes).to_string() } else { String::new() });
    let text = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
    let cells = rows
        .iter()
        .map(|r| {
            let mut row =
                vec![Cell::Text(r.name.clone()), text(&r.detail), text(&r.email), text(&r.phone), Cell::Text(r.owner_name.clone())];
            match kind {
                MemberKind::Account => row.push(yes(r.left_out)),
                MemberKind::Contact => row.extend([yes(r.do_not_email), yes(r.do_not_call), yes(r.do_not_mail)]),
                MemberKind::Lead => row.extend([yes(r.do_not_email), yes(r.do_not_call), yes(r.do_not_mail), yes(r.left_out)]),
            }
            row
        })
        .collect();
    export::Sheet { name: list.name.clone(), headers: headers.into_iter().map(|m| lang.t(m).to_string()).collect(), rows: cells }
}
