//! Reusable UI parts: the page context (language, session, confirm), form fields with inline errors,
//! list plumbing (filters, pager, exports), report tabs, charts, toasts, the history panel, badges.
//! Pages import from here, never from each other.

pub mod account_picker;
pub mod bulk;
pub mod charts;
pub mod context;
pub mod deal;
pub mod fields;
pub mod history;
pub mod job;
pub mod language_switch;
pub mod list;
pub mod marketing_list_form;
pub mod marketing_lists;
pub mod member_bulk;
pub mod observation;
pub mod privacy;
pub mod report;
pub mod timeline;
pub mod toast;
pub mod views;

use crate::error::{AppError, Problem};
use crate::i18n::labels::error_text;
use crate::i18n::M;
use context::{t, use_lang};
use leptos::prelude::*;

/// The "possible duplicate" warning of a record form: the matching records as links, and the box that
/// confirms saving anyway (sent with the form as `input[allow_duplicate]`).
#[component]
pub fn DuplicateWarning(#[prop(into)] error: Signal<Option<AppError>>, base: &'static str) -> impl IntoView {
    let lang = use_lang();
    move || {
        error.get().and_then(|e| match e {
            AppError::Validation { problem: Problem::PossibleDuplicate(hints), .. } => Some(view! {
                <div class="banner banner-warning" role="alert" id="duplicate-warning">
                    <p>{lang.t(M::PossibleDuplicateTitle)}</p>
                    <ul>
                        {hints.into_iter().map(|h| view! {
                            <li><a href=format!("{base}/{}", h.id) target="_blank">{h.label}</a>" · "{lang.t(M::MatchedBy)}" "{lang.t(match h.matched_by.as_str() {
                                "email" => M::Email,
                                "pib" => M::Pib,
                                "mb" => M::Mb,
                                "phone" => M::Phone,
                                _ => M::MatchedByName,
                            })}</li>
                        }).collect_view()}
                    </ul>
                    <label class="inline"><input type="checkbox" name="input[allow_duplicate]" value="1"/>{lang.t(M::SaveAnyway)}</label>
                </div>
            }),
            _ => None,
        })
    }
}

/// A banner for an error that belongs to no single field (conflict, permission, server).
#[component]
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<AppError>>, #[prop(optional)] fields: &'static [&'static str]) -> impl IntoView {
    let lang = use_lang();
    move || {
        error.get().and_then(|e| {
            let is_field = e.field().is_some_and(|f| fields.contains(&f));
            (!is_field).then(|| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })
        })
    }
}

/// What a record page shows when its record cannot be read: the error, under "Not found". Rendered on
/// the server, the response carries the error's status (404 for a record that does not exist or that
/// the user may not see), so that no tool and no browser without JavaScript takes it for the record.
#[component]
pub fn RecordError(error: AppError) -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(match error {
            AppError::NotFound => http::StatusCode::NOT_FOUND,
            AppError::Forbidden => http::StatusCode::FORBIDDEN,
            AppError::Unauthorized => http::StatusCode::UNAUTHORIZED,
            AppError::BadRequest => http::StatusCode::BAD_REQUEST,
            _ => http::StatusCode::INTERNAL_SERVER_ERROR,
        });
    }
    view! {
        <h1>{t(M::NotFoundTitle)}</h1>
        <p class="banner banner-error">{error_text(lang, &error)}</p>
    }
}

/// A standard "loading" placeholder that keeps layout stable.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-busy="true">{t(M::Loading)}</p> }
}

/// A key figure: label, value, an optional line below, and optionally a link to what is behind it.
pub fn kpi(label: M, value: String, sub: Option<String>, href: Option<String>) -> AnyView {
    let inner = view! {
        <span class="kpi-label">{t(label)}</span>
        <span class="kpi-value">{value}</span>
        {sub.map(|s| view! { <span class="kpi-sub">{s}</span> })}
    };
    match href {
        Some(h) => view! { <a class="kpi" href=h>{inner}</a> }.into_any(),
        None => view! { <div class="kpi">{inner}</div> }.into_any(),
    }
}
