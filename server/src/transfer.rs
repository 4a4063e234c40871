//! Files in and out that are not server functions: uploading a spreadsheet to import, downloading an
//! import's rejected rows, and exporting a list to CSV or XLSX. Plain forms and links, so they work
//! without JavaScript; signed-in users only, authorization inside the services.

use app::api::ctx::AppState;
use app::domain::imports::ImportEntity;
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::export::{self, ExportList};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

async fn actor(state: &AppState, headers: &HeaderMap) -> Option<app::services::Actor> {
    let token = app::api::ctx::cookie_in(headers, app::api::ctx::SESSION_COOKIE)?;
    app::services::auth::session_user(&state.db, &token).await.ok().flatten()
}

fn lang(headers: &HeaderMap) -> Lang {
    if let Some(l) = app::api::ctx::cookie_in(headers, app::api::ctx::LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
        return l;
    }
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept_language).unwrap_or_default()
}

fn attachment(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Upload of a file to import (multipart: `entity`, `file`). Answers with a redirect: to the new import's
/// mapping step, or back to the import page with the reason it was refused.
pub async fn upload_import(State(state): State<AppState>, headers: HeaderMap, mut form: axum::extract::Multipart) -> Response {
    let Some(actor) = actor(&state, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    let limit = app::services::imports::max_bytes();
    let form = crate::http::read_form(&mut form, limit).await;
    let entity = form.texts.iter().find(|(n, _)| n == "entity").map(|(_, v)| v.clone()).unwrap_or_default();
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
                AppError::Validation { problem: Problem::FileTooLarge(_), .. } => "too_large",
                AppError::Validation { problem: Problem::FileTypeNotAllowed, .. } => "type",
                AppError::Validation { problem: Problem::EmptyFile, .. } => "empty",
                AppError::Validation { problem: Problem::Required, .. } => "required",
                AppError::Forbidden => "forbidden",
                _ => "internal",
            };
            Redirect::to(&format!("/imports?entity={}&error={code}", entity.code())).into_response()
        }
    }
}

/// The rejected rows of an import as CSV, with their reasons.
pub async fn rejected_rows(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Some(actor) = actor(&state, &headers).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app::services::imports::rejects_csv(&state.db, &actor, id, lang(&headers)).await {
        Ok((name, bytes)) => attachment(&name, "text/csv; charset=utf-8", bytes),
        Err(AppError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/export/accounts.csv?…` or `.xlsx`: the list with the same filters and sort as its page.
pub async fn export_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<app::domain::ListQuery>,
) -> Response {
    let Some(actor) = actor(&state, &headers).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let lang = lang(&headers);
    if let Some(format) = file.strip_prefix("search.") {
        return export_search(&state, &actor, &q.q, format, lang).await;
    }
    let Some((list, format)) = file.rsplit_once('.').and_then(|(l, f)| ExportList::parse(l).map(|l| (l, f.to_string()))) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(format.as_str(), "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (headers_row, rows) = match export::table(&state.db, &actor, list, &q, lang).await {
        Ok(t) => t,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let sheet = export::Sheet { name: list.code().into(), headers: headers_row, rows };
    download(&format!("{}-{}", list.code(), app::db::today()), &format, lang, &[sheet])
}

/// The tables as a CSV or XLSX download (`format`: "csv" or "xlsx") named `name`.
fn download(name: &str, format: &str, lang: Lang, sheets: &[export::Sheet]) -> Response {
    let out = match format {
        "csv" => export::sheets_to_csv(lang, sheets).map(|b| (b, "csv", "text/csv; charset=utf-8")),
        "xlsx" => export::sheets_to_xlsx(sheets).map(|b| (b, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match out {
        Ok((bytes, ext, mime)) => attachment(&format!("{name}.{ext}"), mime, bytes),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `/export/search.xlsx?q=…` (or `.csv`): every record the search text finds that the user may see —
/// accounts, contacts, leads and opportunities, each kind a worksheet with its list's columns.
async fn export_search(state: &AppState, actor: &app::services::Actor, text: &str, format: &str, lang: Lang) -> Response {
    if text.trim().is_empty() || !matches!(format, "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let q = app::domain::ListQuery { q: text.to_string(), ..Default::default() };
    let mut sheets = Vec::new();
    for (list, name) in [
        (ExportList::Accounts, app::i18n::M::Accounts),
        (ExportList::Contacts, app::i18n::M::Contacts),
        (ExportList::Leads, app::i18n::M::Leads),
        (ExportList::Opportunities, app::i18n::M::Opportunities),
    ] {
        match export::table(&state.db, actor, list, &q, lang).await {
            Ok((headers_row, rows)) => sheets.push(export::Sheet { name: lang.t(name).to_string(), headers: headers_row, rows }),
            Err(e) => {
                tracing::error!(error = %e, "search export failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    download(&format!("search-{}", app::db::today()), format, lang, &sheets)
}

/// The goals page's day (`on`) and whose goals (`who`), beside the report filters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OnDay {
    on: String,
    who: String,
}

/// `/export/report/forecast.xlsx?…` (or `sales`, `pipeline`, `adoption`, `goals`; `.csv`): a report
/// with the filters of its page. Reports of several tables give a worksheet each (a block each in CSV).
pub async fn export_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<app::domain::reports::ReportQuery>,
    Query(day): Query<OnDay>,
) -> Response {
    let Some(actor) = actor(&state, &headers).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((kind, format)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(format, "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let lang = lang(&headers);
    let db = &state.db;
    let sheets: Result<(String, Vec<export::Sheet>), AppError> = async {
        use app::services::reports;
        Ok(match kind {
            "forecast" | "sales" => {
                let report =
                    if kind == "forecast" { reports::forecast(db, &actor, &q).await? } else { reports::sales(db, &actor, &q).await? };
                let (headers_row, rows) = export::report_table(&report, kind == "forecast", lang);
                (format!("{kind}-{}-{}", report.from, report.to), vec![export::Sheet { name: kind.into(), headers: headers_row, rows }])
            }
            "pipeline" => {
                let h = reports::health::health(db, &actor, &q).await?;
                let lookups = app::services::lookups::load(db, &actor).await?;
                (format!("pipeline-{}-{}", h.from, h.to), export::health_sheets(&h, &lookups.picklists.sources, lang))
            }
            "adoption" => {
                let a = reports::adoption::adoption(db, &actor, &q).await?;
                (format!("adoption-{}-{}", a.from, a.to), export::adoption_sheets(&a, lang))
            }
            "goals" => {
                let mut g = app::services::goals::page(db, &actor, &day.on).await?;
                g.narrow_to(&day.who);
                (format!("goals-{}", g.on), export::goals_sheet(&g, lang))
            }
            _ => return Err(AppError::NotFound),
        })
    }
    .await;
    let (name, sheets) = match sheets {
        Ok(s) => s,
        Err(AppError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(e) => {
            tracing::error!(error = %e, kind, "report export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    download(&name, format, lang, &sheets)
}

/// The import jobs of this server: every second, claim and run what is pending — new analyses and imports,
/// and those a stopped server left behind once their lease ran out.
pub fn spawn_import_runner(db: app::db::Db) {
    let worker = format!("{}-{}", std::env::var("HOSTNAME").unwrap_or_else(|_| "veza".into()), std::process::id());
    tokio::spawn(async move {
        loop {
            if let Err(e) = app::services::imports::run_pending(&db, &worker).await {
                tracing::warn!(error = %e, "import runner");
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
}
