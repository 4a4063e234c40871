//! `/unsubscribe/{token}`: the link at the foot of every campaign e-mail. GET shows whose address it is
//! (masked) and a button; POST — the button, or a mail client's one-click request (RFC 8058) — sets the
//! person's "do not e-mail". No sign-in: the token is the key, and it does nothing else.

use super::extract::Language;
use app::api::ctx::AppState;
use app::i18n::{Lang, M};
use app::services::quick_campaigns::mail::{self, Unsubscribe};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(show).post(confirm))
}

async fn show(State(state): State<AppState>, Language(lang): Language, Path(token): Path<String>) -> Response {
    answer(lang, &token, mail::unsubscribe_info(&state.db, &token).await)
}

async fn confirm(State(state): State<AppState>, Language(lang): Language, Path(token): Path<String>) -> Response {
    answer(lang, &token, mail::unsubscribe(&state.db, &token).await)
}

fn answer(lang: Lang, token: &str, found: Result<Option<Unsubscribe>, app::error::AppError>) -> Response {
    let (status, body) = match found {
        Ok(Some(Unsubscribe { masked_email, done: true })) => {
            (StatusCode::OK, format!("<p role=\"status\">{} <strong>{}</strong>.</p>", lang.t(M::UnsubDone), escape(&masked_email)))
        }
        Ok(Some(Unsubscribe { masked_email, done: false })) => (
            StatusCode::OK,
            format!(
                "<form method=\"post\" action=\"/unsubscribe/{}\"><p>{} <strong>{}</strong></p><button type=\"submit\">{}</button></form>",
                escape(token),
                lang.t(M::UnsubQuestion),
                escape(&masked_email),
                lang.t(M::UnsubButton)
            ),
        ),
        Ok(None) => (StatusCode::NOT_FOUND, format!("<p>{}</p>", lang.t(M::UnsubInvalid))),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe");
            (StatusCode::INTERNAL_SERVER_ERROR, format!("<p>{}</p>", app::i18n::labels::error_text(lang, &app::error::AppError::Internal)))
        }
    };
    let page = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
         button{{font:inherit;padding:.5rem 1rem}}</style></head><body><h1>{}</h1>{body}</body></html>",
        lang.code(),
        lang.t(M::UnsubTitle),
        lang.t(M::UnsubTitle)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        page,
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
