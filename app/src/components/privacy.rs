//! The "Personal data" block of a contact's or lead's page, for administrators: export the person's
//! data as one zip (a plain form, so it works without JavaScript) or erase it, confirmed by typing
//! ERASE or the person's name and with the request's reason. The server checks the role again.

use super::context::{session_user, t, use_lang};
use super::toast::use_toasts;
use crate::api::privacy::{get_personal_data_status, ErasePersonalData, PersonalDataInfo};
use crate::domain::{RegardingKind, Role};
use crate::error::AppError;
use crate::i18n::labels::{error_text, problem_text};
use crate::i18n::{format_timestamp, M};
use leptos::prelude::*;
use leptos_router::components::A;

/// Where the export form posts (a plain route of the server: it answers with the zip).
pub const EXPORT_PATH: &str = "/personal-data/export";

#[component]
pub fn PersonalDataPanel(
    kind: RegardingKind,
    id: i64,
    /// The record's version as the page shows it: an erasure of a record changed since is refused.
    version: i64,
    /// Called after an erasure, so the page reloads the record.
    #[prop(into)]
    on_erased: Callback<()>,
) -> impl IntoView {
    if session_user().map(|u| u.role) != Some(Role::Admin) {
        return ().into_any();
    }
    let lang = use_lang();
    let erase = ServerAction::<ErasePersonalData>::new();
    let status = LocalResource::new(move || {
        erase.version().get();
        get_personal_data_status(kind.code().to_string(), id)
    });
    let toasts = use_toasts();
    Effect::new(move || {
        if let Some(Ok(_)) = erase.value().get() {
            toasts.push(lang.t(M::PersonalErasedOn), false);
            on_erased.run(());
        }
    });
    let error = Signal::derive(move || erase.value().get().and_then(|r| r.err()));
    let field_error = move |key: &'static str, label: M| {
        move || match error.get() {
            Some(AppError::Validation { field, problem }) if field == key => {
                Some(format!("{}: {}", lang.t(label), problem_text(lang, &problem)))
            }
            _ => None,
        }
    };
    let banner = move || match error.get() {
        Some(AppError::Validation { field, .. }) if field == "erase_confirm" || field == "erase_reason" => None,
        Some(e) => Some(view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> }),
        None => None,
    };
    let info = move || {
        status.get().and_then(|r| r.ok()).map(|s: PersonalDataInfo| {
            let when = |at: &(String, Option<String>)| format!("{} · {}", format_timestamp(lang, &at.0), at.1.clone().unwrap_or_default());
            // An erasure just done here shows at once, whichever answer about the state arrives first.
            let erased = s.erased.as_ref().map(when).or_else(|| matches!(erase.value().get(), Some(Ok(_))).then(String::new));
            view! {
                {erased.map(|e| view! { <p class="badge badge-danger personal-erased">{t(M::PersonalErasedOn)} " " {e}</p> })}
                {s.last_export.as_ref().map(|e| view! { <p class="muted">{t(M::PersonalLastExport)} ": " {when(e)}</p> })}
                {s.became_contact.clone().map(|(cid, name)| view! {
                    <p class="muted">
                        {t(M::PersonalLeadBecame)} " " <A href=format!("/contacts/{cid}")>{name}</A> ": " {t(M::PersonalLeadBecameHint)}
                    </p>
                })}
                {(s.source_leads > 0).then(|| view! { <p class="muted">{t(M::PersonalSourceLeads)} " " {s.source_leads}</p> })}
            }
        })
    };
    let confirm_err = field_error("erase_confirm", M::PersonalEraseConfirm);
    let reason_err = field_error("erase_reason", M::PersonalEraseReason);
    let prefix = format!("pd-{}-{id}", kind.code());
    let (heading, confirm_id, reason_id) = (format!("{prefix}-h"), format!("{prefix}-confirm"), format!("{prefix}-reason"));
    let (confirm_err_id, reason_err_id) = (format!("{confirm_id}-err"), format!("{reason_id}-err"));
    let (labelled_by, confirm_for, reason_for) = (heading.clone(), confirm_id.clone(), reason_id.clone());
    let (confirm_described, reason_described) = (confirm_err_id.clone(), reason_err_id.clone());
    view! {
        <section class="card personal-data" aria-labelledby=labelled_by>
            <h2 id=heading>{t(M::PersonalData)}</h2>
            <p class="muted">{t(M::PersonalDataHint)}</p>
            // Read after hydration (a local resource): the server and the first render both show nothing here.
            {info}
            <form method="post" action=EXPORT_PATH class="inline-form">
                <input type="hidden" name="kind" value=kind.code()/>
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="btn">{t(M::PersonalExport)}</button>
            </form>
            <details class="add-details personal-erase">
                <summary>{t(M::PersonalErase)}</summary>
                <ActionForm action=erase attr:class="form-grid" attr:novalidate=true>
                    {banner}
                    <p class="banner banner-warning field-wide">{t(M::PersonalEraseWarning)}</p>
                    <input type="hidden" name="kind" value=kind.code()/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <div class="field field-wide" class:has-error=move || confirm_err().is_some()>
                        <label for=confirm_for>{t(M::PersonalEraseConfirm)}<span class="req" aria-hidden="true">" *"</span></label>
                        <input id=confirm_id name="confirm" type="text" required=true autocomplete="off"
                            aria-invalid=move || confirm_err().is_some().then_some("true") aria-describedby=confirm_described/>
                        <small class="error" id=confirm_err_id role="alert">{confirm_err}</small>
                    </div>
                    <div class="field field-wide" class:has-error=move || reason_err().is_some()>
                        <label for=reason_for>{t(M::PersonalEraseReason)}<span class="req" aria-hidden="true">" *"</span></label>
                        <textarea id=reason_id name="reason" rows="2" required=true maxlength="500"
                            aria-invalid=move || reason_err().is_some().then_some("true") aria-describedby=reason_described></textarea>
                        <small class="error" id=reason_err_id role="alert">{reason_err}</small>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-danger" disabled=move || erase.pending().get()>{t(M::PersonalEraseButton)}</button>
                    </div>
                </ActionForm>
            </details>
        </section>
    }
    .into_any()
}
