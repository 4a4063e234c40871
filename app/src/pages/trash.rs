//! `/trash`: deleted accounts, contacts, leads and opportunities, newest first, a page at a time — each
//! with what went with it, who deleted it, when and how many days are left to restore it. Restoring
//! works without JavaScript (a form); an administrator also deletes forever, empties the trash and sets
//! how many days it keeps records.

use crate::api::trash::{empty_trash, list_trash, purge_trash_item, RestoreTrash, SetTrashDays, TrashItem};
use crate::components::context::{confirm, t, use_lang};
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::i18n::labels::error_text;
use crate::i18n::{format_int, format_timestamp, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

fn kind_label(entity: &str) -> M {
    match entity {
        "account" => M::KindAccount,
        "contact" => M::KindContact,
        "lead" => M::KindLead,
        _ => M::KindOpportunity,
    }
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let qm = use_query_map();
    let before = Memo::new(move |_| qm.with(|m| m.get("before").and_then(|b| b.parse::<i64>().ok())));
    let restore = ServerAction::<RestoreTrash>::new();
    let days = ServerAction::<SetTrashDays>::new();
    let changed = RwSignal::new(0u32);
    let page = Resource::new(move || (before.get(), restore.version().get(), days.version().get(), changed.get()), |(b, ..)| list_trash(b));
    Effect::new(move || match restore.value().get() {
        Some(Ok(())) => toasts.push(lang.t(M::RestoredToast), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    Effect::new(move || match days.value().get() {
        Some(Ok(())) => toasts.push(lang.t(M::Saved), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    let on_empty = move |_| {
        if confirm(lang.t(M::ConfirmEmptyTrash)) {
            leptos::task::spawn_local(async move {
                match empty_trash().await {
                    Ok(_) => {
                        toasts.push(lang.t(M::TrashEmptied), false);
                        changed.update(|n| *n += 1);
                    }
                    Err(e) => toasts.push(error_text(lang, &e), true),
                }
            });
        }
    };
    view! {
        <Title text=t(M::Trash)/>
        <div class="page-head"><h1>{t(M::Trash)}</h1></div>
        <p class="muted">{t(M::TrashHelp)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) => {
                        let admin = p.admin;
                        let next = p.next.map(|n| format!("/trash?before={n}"));
                        let empty = p.items.is_empty();
                        view! {
                            {admin.then(|| view! {
                                <div class="page-head">
                                    <ActionForm action=days attr:class="inline-form" attr:id="trash-days">
                                        <label class="field">
                                            <span>{t(M::TrashRetention)}</span>
                                            <input type="number" name="days" min="1" max="365" required value=p.retention_days.to_string()/>
                                        </label>
                                        <button type="submit" class="btn">{t(M::Save)}</button>
                                    </ActionForm>
                                    {(!empty).then(|| view! {
                                        <button type="button" class="btn btn-danger" on:click=on_empty>{t(M::EmptyTrash)}</button>
                                    })}
                                </div>
                            })}
                            {if empty {
                                view! { <p class="muted">{t(M::TrashIsEmpty)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table trash">
                                            <thead>
                                                <tr>
                                                    <th>{t(M::Kind)}</th>
                                                    <th>{t(M::Name)}</th>
                                                    <th>{t(M::WithIt)}</th>
                                                    <th>{t(M::DeletedBy)}</th>
                                                    <th>{t(M::DeletedOn)}</th>
                                                    <th>{t(M::DaysLeft)}</th>
                                                    <th>{t(M::Actions)}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {p.items.into_iter().map(|i| view! { <TrashRow item=i admin=admin restore=restore changed=changed lang=lang/> }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                            {next.map(|href| view! { <p><A href=href attr:class="btn">{t(M::Next)}</A></p> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn TrashRow(item: TrashItem, admin: bool, restore: ServerAction<RestoreTrash>, changed: RwSignal<u32>, lang: Lang) -> impl IntoView {
    let toasts = use_toasts();
    let id = item.id;
    let on_forever = move |_| {
        if confirm(lang.t(M::ConfirmDeleteForever)) {
            leptos::task::spawn_local(async move {
                match purge_trash_item(id).await {
                    Ok(()) => {
                        toasts.push(lang.t(M::DeletedForever), false);
                        changed.update(|n| *n += 1);
                    }
                    Err(e) => toasts.push(error_text(lang, &e), true),
                }
            });
        }
    };
    view! {
        <tr data-trash=id.to_string()>
            <td>{t(kind_label(&item.entity))}</td>
            <td>{item.name.clone()}</td>
            <td class="num">{format_int(lang, item.with_it)}</td>
            <td>{item.deleted_by.clone().unwrap_or_default()}</td>
            <td>{format_timestamp(lang, &item.deleted_at)}</td>
            <td class="num">{format_int(lang, item.days_left)}</td>
            <td class="row-actions">
                <ActionForm action=restore attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="btn btn-small" aria-label=format!("{} {}", lang.t(M::Restore), item.name)>{t(M::Restore)}</button>
                </ActionForm>
                {admin.then(|| view! {
                    <button type="button" class="btn btn-small btn-danger" on:click=on_forever>{t(M::DeleteForever)}</button>
                })}
            </td>
        </tr>
    }
}
