//! The history tab: every recorded change of a record — who, when, field, old and new value.

use super::context::{t, use_lang};
use crate::api::accounts::get_history;
use crate::domain::AuditEntry;
use crate::error::AppError;
use crate::i18n::{format_timestamp, M};
use leptos::prelude::*;

/// The history of `entity` `id` when `wanted`, otherwise nothing (a page loads it only on its history tab).
pub fn history_resource(entity: &'static str, id: Memo<i64>, wanted: Memo<bool>) -> Resource<Result<Vec<AuditEntry>, AppError>> {
    Resource::new(
        move || (id.get(), wanted.get()),
        move |(id, wanted)| async move {
            if wanted {
                get_history(entity.to_string(), id).await
            } else {
                Ok(Vec::new())
            }
        },
    )
}

#[component]
pub fn HistoryPanel(rows: Result<Vec<AuditEntry>, AppError>) -> impl IntoView {
    let lang = use_lang();
    let action_label = move |a: &str| match a {
        "create" => lang.t(M::Created),
        "delete" => lang.t(M::Deleted),
        _ => lang.t(M::Updated),
    };
    match rows {
        Err(e) => view! { <p class="banner banner-error">{crate::i18n::labels::error_text(lang, &e)}</p> }.into_any(),
        Ok(rows) if rows.is_empty() => view! { <p class="muted">{t(M::NoHistory)}</p> }.into_any(),
        Ok(rows) => view! {
            <div class="table-wrap">
                <table class="table history">
                    <thead>
                        <tr>
                            <th>{t(M::When)}</th>
                            <th>{t(M::Who)}</th>
                            <th>{t(M::Actions)}</th>
                            <th>{t(M::Field)}</th>
                            <th>{t(M::OldValue)}</th>
                            <th>{t(M::NewValue)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .filter(|r| r.field.is_some() || r.action != "create")
                            .map(|r| {
                                let field = r.field.as_deref().map(|f| lang.t(crate::i18n::labels::field_label(f)).to_string()).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td>{format_timestamp(lang, &r.at)}</td>
                                        <td>{r.user_name.unwrap_or_default()}</td>
                                        <td>{action_label(&r.action)}</td>
                                        <td>{field}</td>
                                        <td class="old">{r.old_value.unwrap_or_default()}</td>
                                        <td class="new">{r.new_value.unwrap_or_default()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
    }
}

/// The "Details | History" tabs of a record page at `base` (plain links, so they work without JavaScript).
#[component]
pub fn RecordTabs(base: String, history: bool) -> impl IntoView {
    view! {
        <nav class="tabs">
            <a href=base.clone() aria-current=(!history).then_some("page")>{t(M::Details)}</a>
            <a href=format!("{base}?tab=history") aria-current=history.then_some("page")>{t(M::History)}</a>
        </nav>
    }
}
