//! Exports: a list with the filters and sort of its page, a search, or a report, as CSV or XLSX. Plain
//! links, so they work without JavaScript; signed-in users only, authorization inside the services.

use super::extract::{attachment, Language, Visitor};
use app::api::ctx::AppState;
use app::error::AppError;
use app::i18n::Lang;
use app::services::export::{self, ExportList};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/{file}", get(export_list))
        .route("/export/report/{file}", get(export_report))
        .route("/export/quick-campaigns/{id}/{file}", get(export_letters))
}

/// `/export/accounts.csv?…` or `.xlsx`: the list with the same filters and sort as its page.
async fn export_list(
    State(state): State<AppState>,
    Visitor(actor): Visitor,
    Language(lang): Language,
    OriginalUri(uri): OriginalUri,
    Path(file): Path<String>,
    Query(q): Query<app::domain::ListQuery>,
    Query(find): Query<FindParams>,
) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(format) = file.strip_prefix("search.") {
        return export_search(&state, &actor, &q.q, format, lang, &uri).await;
    }
    if let Some(format) = file.strip_prefix("find.") {
        return export_find(&state, &actor, &find.query, format, lang, &uri).await;
    }
    let Some((list, format)) = file.rsplit_once('.').and_then(|(l, f)| ExportList::parse(l).map(|l| (l, f.to_string()))) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(format.as_str(), "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Err(refused) = counted(&state, &actor, &uri, lang).await {
        return refused;
    }
    let (headers_row, rows) = match export::table(&state.db, &actor, list, &q, lang).await {
        Ok(t) => t,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let sheet = export::Sheet { name: list.code().into(), headers: headers_row, rows };
    download(&format!("{}-{}", list.code(), app::db::today()), &format, lang, &[sheet])
}

/// Records the export in the user's usage log, or answers 429 (the hour's limit reached, in words).
async fn counted(state: &AppState, actor: &app::services::Actor, uri: &axum::http::Uri, lang: Lang) -> Result<(), Response> {
    use app::services::limits::{record, Use};
    match record(&state.db, actor, Use::Export, &uri.to_string()).await {
        Ok(()) => Ok(()),
        Err(e @ AppError::Validation { .. }) => {
            Err((StatusCode::TOO_MANY_REQUESTS, app::i18n::labels::error_text(lang, &e)).into_response())
        }
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
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
async fn export_search(
    state: &AppState,
    actor: &app::services::Actor,
    text: &str,
    format: &str,
    lang: Lang,
    uri: &axum::http::Uri,
) -> Response {
    if text.trim().is_empty() || !matches!(format, "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Err(refused) = counted(state, actor, uri, lang).await {
        return refused;
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
struct OnDay {
    on: String,
    who: String,
}

/// `/export/report/forecast.xlsx?…` (or `sales`, `pipeline`, `adoption`, `goals`; `.csv`): a report
/// with the filters of its page. Reports of several tables give a worksheet each (a block each in CSV).
async fn export_report(
    State(state): State<AppState>,
    Visitor(actor): Visitor,
    Language(lang): Language,
    OriginalUri(uri): OriginalUri,
    Path(file): Path<String>,
    Query(q): Query<app::domain::reports::ReportQuery>,
    Query(day): Query<OnDay>,
) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((kind, format)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(format, "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Err(refused) = counted(&state, &actor, &uri, lang).await {
        return refused;
    }
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

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct FindParams {
    query: String,
}

/// The most rows an advanced-find export holds; a bigger result is cut here (the sheet says so by its
/// row count; narrow the query to export the rest).
const FIND_EXPORT_MAX: usize = 100_000;

/// `/export/find.xlsx?query=…` (or `.csv`): an advanced-find query's results with its columns, in its
/// order, as the user may see them.
async fn export_find(
    state: &AppState,
    actor: &app::services::Actor,
    query: &str,
    format: &str,
    lang: Lang,
    uri: &axum::http::Uri,
) -> Response {
    use app::domain::find::{fields, FindQuery};
    if !matches!(format, "csv" | "xlsx") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let q = match FindQuery::from_param(query).and_then(|q| q.check().map(|()| q)) {
        Ok(q) => q,
        Err(e) => return (StatusCode::BAD_REQUEST, app::i18n::labels::error_text(lang, &e)).into_response(),
    };
    if let Err(refused) = counted(state, actor, uri, lang).await {
        return refused;
    }
    let rows = app::services::find::all_rows(&state.db, actor, &q, FIND_EXPORT_MAX).await;
    let lookups = app::services::lookups::load(&state.db, actor).await;
    let (rows, lk) = match (rows, lookups) {
        (Ok(r), Ok(l)) => (r, l),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "find export");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let cols: Vec<&fields::Field> = q.shown_columns();
    let headers = cols.iter().map(|f| lang.t(f.label).to_string()).collect();
    let rows = rows
        .iter()
        .map(|r| {
            cols.iter()
                .zip(r.cells.iter())
                .map(|(f, v)| match (f.ty, v) {
                    (fields::FieldType::Number, Some(v)) => {
                        v.parse::<f64>().map(export::Cell::Number).unwrap_or_else(|_| export::Cell::Text(v.clone()))
                    }
                    (_, Some(v)) => export::Cell::Text(app::i18n::find::cell_text(lang, f, v, &lk)),
                    (_, None) => export::Cell::Text(String::new()),
                })
                .collect()
        })
        .collect();
    let name = q.entity.table().name();
    let sheet = export::Sheet { name: name.into(), headers, rows };
    download(&format!("{name}-{}", app::db::today()), format, lang, &[sheet])
}

/// `/export/quick-campaigns/7/letters.pdf` (every letter, each from a new page), `letters.zip` (a PDF per
/// letter), `letters.csv` or `.xlsx` (the mail-merge rows) of a letter campaign.
async fn export_letters(
    State(state): State<AppState>,
    Visitor(actor): Visitor,
    Language(lang): Language,
    OriginalUri(uri): OriginalUri,
    Path((id, file)): Path<(i64, String)>,
) -> Response {
    let Some(actor) = actor else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(format) = file.strip_prefix("letters.") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(format, "csv" | "xlsx" | "pdf" | "zip") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Err(refused) = counted(&state, &actor, &uri, lang).await {
        return refused;
    }
    use app::services::quick_campaigns::letters;
    let file = |bytes: Vec<u8>, mime: &str| attachment(&format!("letters-{id}.{format}"), mime, bytes);
    let made = match format {
        "pdf" => letters::pdf(&state.db, &actor, id, lang).await.map(|b| file(b, "application/pdf")),
        "zip" => letters::zip(&state.db, &actor, id, lang).await.map(|b| file(b, "application/zip")),
        _ => letters::sheet(&state.db, &actor, id, lang).await.map(|sheet| download(&format!("letters-{id}"), format, lang, &[sheet])),
    };
    match made {
        Ok(response) => response,
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e @ AppError::Validation { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, app::i18n::labels::error_text(lang, &e)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "letters export");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
