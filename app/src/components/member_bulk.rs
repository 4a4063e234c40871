//! The bar over a marketing list's members while some are ticked: how many, "select all N matching",
//! and what can be done with them — take them off the list (a static, unlocked one), add them to
//! another static list of their kind, export them. Its actions go through the record lists' bulk
//! machinery (`components::bulk`, `services::bulk`): a few ticked members at once, more as a job with
//! a progress bar; the boxes are `bulk`'s own.

use super::bulk::{BulkError, BulkState, SelectAllBanner};
use super::context::{confirm, t, use_lang};
use super::toast::use_toasts;
use crate::api::bulk::bulk_list_choices;
use crate::domain::bulk::{BulkList, PageSelection};
use crate::domain::marketing::{ListType, MarketingList, MemberKind, MembersQuery};
use crate::domain::validate::field;
use crate::error::Problem;
use crate::i18n::{format_int, M};
use leptos::prelude::*;

/// The record list whose records a list of `kind` holds.
fn records_of(kind: MemberKind) -> BulkList {
    match kind {
        MemberKind::Account => BulkList::Accounts,
        MemberKind::Contact => BulkList::Contacts,
        MemberKind::Lead => BulkList::Leads,
    }
}

/// The bar for the members of `list` shown with filters `query`; `total` and `total_cap` are the
/// members page's count, `page` its rows (id, version).
#[component]
pub fn MemberBulkBar(
    state: BulkState,
    list: MarketingList,
    query: MembersQuery,
    total: i64,
    total_cap: i64,
    page: Vec<(i64, i64)>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let records = records_of(list.member_kind);
    let list_id = list.id;
    let removable = list.list_type == ListType::Static && !list.locked;
    let target = RwSignal::new(String::new());
    let open = Memo::new(move |_| !state.selection.with(PageSelection::is_empty));
    // The other static, unlocked lists of the members' kind, asked each time the bar opens.
    let lists = LocalResource::new(move || {
        let ask = open.get();
        async move {
            if ask {
                let all = bulk_list_choices(records.code().to_string()).await.unwrap_or_default();
                all.into_iter().filter(|c| c.id != list_id).collect()
            } else {
                Vec::new()
            }
        }
    });
    let query = StoredValue::new(query);
    let total_text = if total > total_cap { format!("{}+", format_int(lang, total_cap)) } else { format_int(lang, total) };
    let total_text = StoredValue::new(total_text);
    let count_text =
        move || state.selection.with(|s| if s.all_matching { total_text.get_value() } else { format_int(lang, s.count(total)) });
    let input = move || query.with_value(|q| state.selection.with_untracked(|s| s.to_members_input(records, list_id, q)));
    let on_remove = move |_| {
        if confirm(lang.t(M::MlConfirmRemoveSelected)) {
            state.launch(lang, toasts, input(), "unlist", String::new(), list_id.to_string());
        }
    };
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if target.get_untracked().is_empty() {
            state.refuse(field("list_id", Problem::Required));
            return;
        }
        state.launch(lang, toasts, input(), "list", String::new(), target.get_untracked());
    };
    let add_form = move || {
        let choices = lists.get().unwrap_or_default();
        (!choices.is_empty()).then(|| {
            view! {
                <form class="bulk-assign bulk-add-list" on:submit=on_add>
                    <select aria-label=lang.t(M::MlAddSelectedTo) on:change=move |ev| target.set(event_target_value(&ev)) prop:value=move || target.get()>
                        <option value="">{lang.t(M::BulkChooseList)}</option>
                        {choices.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn" disabled=move || state.busy().get()>{t(M::MlAddToAnotherList)}</button>
                </form>
            }
        })
    };
    let export = move |ext: &str| {
        let q = query.with_value(|q| state.selection.with(|s| s.export_members_query(q)));
        q.href(&format!("/export/marketing-lists/{list_id}/members.{ext}"), "")
    };
    view! {
        <Show when=move || open.get()>
            <div class="bulk-bar" role="region" aria-label=lang.t(M::MlMemberActions) id="bulk-members">
                <p class="bulk-count"><strong>{count_text}</strong> " " {t(M::BulkSelected)}</p>
                {removable.then(|| view! {
                    <button type="button" class="btn btn-danger" disabled=move || state.busy().get() on:click=on_remove>{t(M::MlRemoveSelected)}</button>
                })}
                {add_form}
                <a class="btn btn-ghost" href=move || export("csv") rel="external" download="">{t(M::BulkExportCsv)}</a>
                <a class="btn btn-ghost" href=move || export("xlsx") rel="external" download="">{t(M::BulkExportXlsx)}</a>
                <button type="button" class="btn btn-ghost" on:click=move |_| state.selection.update(PageSelection::clear)>{t(M::BulkClear)}</button>
            </div>
            <SelectAllBanner state=state total_text=total_text.get_value() total=total page=page.clone()/>
        </Show>
        <BulkError state=state/>
    }
}
