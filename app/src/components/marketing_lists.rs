//! The "Marketing lists" panel of an account's, contact's or lead's page: the static lists the record
//! is in (each a link, with "Remove" while the list is unlocked) and a choice of the unlocked static
//! lists of its kind to add it to. Plain forms, so it works without JavaScript too. And the parts of
//! contact preferences the record pages share: their boxes in a form, their flags on a page.

use super::context::{t, use_lang};
use super::fields::CheckFields;
use super::toast::use_toasts;
use crate::api::marketing::{record_marketing_lists, AddListMembers, RemoveListMembers};
use crate::domain::marketing::{ContactPreferences, MemberKind, RecordLists};
use crate::error::AppError;
use crate::i18n::labels::error_text;
use crate::i18n::M;
use leptos::prelude::*;

/// The panel's data and its two forms, made by the page outside its Suspense, as the other panels' data
/// are: a component inside it is built again as the page's data arrive, and would load them again.
#[derive(Clone, Copy)]
pub struct ListsPanelData {
    lists: Resource<Result<RecordLists, AppError>>,
    add: ServerAction<AddListMembers>,
    remove: ServerAction<RemoveListMembers>,
}

/// The lists record `id` of `kind` is in, loaded again after each add or remove.
pub fn marketing_lists_resource(kind: MemberKind, id: Memo<i64>) -> ListsPanelData {
    let add = ServerAction::<AddListMembers>::new();
    let remove = ServerAction::<RemoveListMembers>::new();
    let lists = Resource::new(
        move || (id.get(), add.version().get(), remove.version().get()),
        move |(id, _, _)| record_marketing_lists(kind.code().to_string(), id),
    );
    ListsPanelData { lists, add, remove }
}

/// `kind` and `id` name the record whose page shows the panel; `data` comes from
/// [`marketing_lists_resource`].
#[component]
pub fn MarketingListsPanel(kind: MemberKind, id: i64, data: ListsPanelData) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let ListsPanelData { lists, add, remove } = data;
    Effect::new(move || {
        if let Some(Err(e)) = add.value().get() {
            toasts.push(error_text(lang, &e), true);
        }
    });
    Effect::new(move || {
        if let Some(Err(e)) = remove.value().get() {
            toasts.push(error_text(lang, &e), true);
        }
    });
    view! {
        <section class="card" id="marketing-lists-panel">
            <div class="section-head">
                <h2>{t(M::MarketingLists)}</h2>
                <a class="btn btn-ghost" href=format!("/marketing/lists/new?kind={}", kind.code())>{t(M::NewMarketingList)}</a>
            </div>
            <Transition fallback=|| view! { <super::Loading/> }>
                {move || Suspend::new(async move {
                    match lists.await {
                        Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                        Ok(l) => view! {
                            {if l.member_of.is_empty() {
                                view! { <p class="muted">{t(M::MlNotInLists)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {l.member_of.into_iter().map(|list| view! {
                                            <li>
                                                <a href=format!("/marketing/lists/{}", list.id)>{list.name.clone()}</a>
                                                {if list.locked {
                                                    view! { " " <span class="badge badge-muted">{t(M::MlLocked)}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        " "
                                                        <ActionForm action=remove attr:class="inline-form">
                                                            <input type="hidden" name="list_id" value=list.id.to_string()/>
                                                            <input type="hidden" name="ids[]" value=id.to_string()/>
                                                            <button type="submit" class="btn btn-small btn-ghost" aria-label=format!("{} {}", lang.t(M::Remove), list.name)>{t(M::Remove)}</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {if l.can_join.is_empty() {
                                view! { <p class="muted small">{t(M::MlNoListToJoin)}</p> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=add attr:class="inline-form" attr:id="add-to-list">
                                        <input type="hidden" name="ids[]" value=id.to_string()/>
                                        <select name="list_id" aria-label=lang.t(M::MlChooseList)>
                                            {l.can_join.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="btn" disabled=move || add.pending().get()>{t(M::MlAddToList)}</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A contact's or lead's "do not" preferences as flags on its page and in lists (nothing when none
/// is set).
#[component]
pub fn PreferenceBadges(preferences: ContactPreferences) -> impl IntoView {
    let lang = use_lang();
    preferences
        .flags()
        .into_iter()
        .zip([M::MlDoNotEmail, M::MlDoNotCall, M::MlDoNotMail])
        .filter(|(on, _)| *on)
        .map(|(_, m)| view! { <span class="badge badge-lost preference">{lang.t(m)}</span>" " })
        .collect_view()
}

/// The contact preferences' boxes of a contact's or lead's form, posted as `input[do_not_email]` …
#[component]
pub fn PreferenceFields(preferences: ContactPreferences, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let [e, c, m] = preferences.flags();
    let boxes = vec![("do_not_email", M::MlDoNotEmail, e), ("do_not_call", M::MlDoNotCall, c), ("do_not_mail", M::MlDoNotMail, m)];
    view! { <CheckFields legend=M::MlPreferences boxes=boxes error=error hint=M::MlPreferencesHint id="contact-preferences"/> }
}
