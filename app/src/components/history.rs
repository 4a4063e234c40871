//! The history tab: every recorded change of a record — who, when, field, old and new value — with
//! "Undo merge" on a merge its viewer may still undo (services::trash::merge).

use super::context::{confirm, go_to, t, use_lang};
use super::toast::use_toasts;
use crate::api::accounts::get_history;
use crate::api::trash::{merge_undos, undo_merge, MergeUndo};
use crate::domain::AuditEntry;
use crate::error::AppError;
use crate::i18n::{format_timestamp, Lang, M};
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
    let toasts = use_toasts();
    let action_label = move |a: &str| match a {
        "create" => lang.t(M::Created),
        "delete" => lang.t(M::Deleted),
        "restore" => lang.t(M::HistoryRestored),
        "purge" => lang.t(M::HistoryPurged),
        "unmerge" => lang.t(M::HistoryUnmerged),
        "personal_export" => lang.t(M::PersonalActionExport),
        "personal_erase" => lang.t(M::PersonalActionErase),
        _ => lang.t(M::Updated),
    };
    // Merges shown on this page that the viewer may undo, asked for after the page is on screen.
    let merges: Vec<i64> = rows
        .as_ref()
        .map(|r| r.iter().filter(|e| e.action == "update" && e.field.as_deref() == Some("merge")).map(|e| e.id).collect())
        .unwrap_or_default();
    let undos = LocalResource::new(move || {
        let ids = merges.clone();
        async move {
            if ids.is_empty() {
                Ok(Vec::new())
            } else {
                merge_undos(ids).await
            }
        }
    });
    let undo_of = move |audit_id: i64| -> Option<MergeUndo> {
        undos.get().and_then(|r| r.ok()).and_then(|list| list.into_iter().find(|u| u.audit_id == audit_id))
    };
    let undo = move |trash_id: i64| {
        if confirm(lang.t(M::ConfirmUndoMerge)) {
            leptos::task::spawn_local(async move {
                match undo_merge(trash_id).await {
                    // The whole page shows the result (fields, related records, this history).
                    Ok(()) => go_to(&current_path()),
                    Err(e) => toasts.push(crate::i18n::labels::error_text(lang, &e), true),
                }
            });
        }
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
                                // A flag (a contact preference, an inactive account) reads as yes or no.
                                let flag = r.field.as_deref().is_some_and(crate::domain::imports::ImportEntity::is_flag);
                                let value = move |v: Option<String>| match (flag, v.as_deref()) {
                                    (true, Some("1")) => lang.t(M::Yes).to_string(),
                                    (true, _) => lang.t(M::No).to_string(),
                                    (false, _) => v.unwrap_or_default(),
                                };
                                let (old_value, new_value) = (value(r.old_value), value(r.new_value));
                                let audit_id = r.id;
                                view! {
                                    <tr>
                                        <td>{format_timestamp(lang, &r.at)}</td>
                                        <td>{r.user_name.unwrap_or_default()}</td>
                                        <td>{action_label(&r.action)}</td>
                                        <td>{field}</td>
                                        <td class="old">{old_value}</td>
                                        <td class="new">
                                            {new_value}
                                            {move || undo_of(audit_id).map(|u| view! {
                                                " "
                                                <button type="button" class="btn btn-small" on:click=move |_| undo(u.trash_id)>{t(M::UndoMerge)}</button>
                                            })}
                                        </td>
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

/// The page's path with its query (reloaded after an undo, so every part of the page shows the result).
fn current_path() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(l) = web_sys::window().map(|w| w.location()) {
        return format!("{}{}", l.pathname().unwrap_or_default(), l.search().unwrap_or_default());
    }
    String::new()
}

/// The message after a delete: the record is in the trash and for how many days it can be restored.
pub async fn moved_to_trash(lang: Lang) -> String {
    match crate::api::trash::trash_days().await {
        Ok(days) => format!("{} {} {}.", lang.t(M::MovedToTrash), crate::i18n::format_int(lang, days), lang.t(M::Days)),
        Err(_) => format!("{}.", lang.t(M::MovedToTrash).split('.').next().unwrap_or_default()),
    }
}
