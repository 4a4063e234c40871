//! The marketing list form and the words for a list's kind of member and type, shared by the lists'
//! index (the new-list form) and a list's page.

use crate::api::marketing::SaveMarketingList;
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextArea, TextField};
use crate::components::ErrorBanner;
use crate::domain::marketing::{ListType, MarketingList, MemberKind};
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::Lookups;
use crate::i18n::M;
use leptos::prelude::*;

/// The plural of a kind of member ("Contacts").
pub fn kind_label(k: MemberKind) -> M {
    match k {
        MemberKind::Account => M::Accounts,
        MemberKind::Contact => M::Contacts,
        MemberKind::Lead => M::Leads,
    }
}

pub fn type_label(t: ListType) -> M {
    match t {
        ListType::Static => M::MlStatic,
        ListType::Dynamic => M::MlDynamic,
    }
}

/// What a new list starts with: from the URL, so advanced find can open the form with its query
/// (`/marketing/lists/new?type=dynamic&kind=contact&query=…`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preset {
    pub kind: String,
    pub list_type: String,
    pub query: String,
}

/// A list's details: a new list's kind of member and type are chosen once; a dynamic list's query
/// can be replaced (pasting advanced find's address or its query) while the list is unlocked.
#[component]
pub fn ListForm(list: Option<MarketingList>, lookups: Lookups, preset: Preset, #[prop(into)] on_saved: Callback<i64>) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<SaveMarketingList>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let me = crate::components::context::session_user();
    let is_new = list.is_none();
    let owners: Vec<(String, String)> = lookups.users.iter().map(|u| (u.id.to_string(), u.label.clone())).collect();
    let currencies: Vec<(String, String)> = Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let kinds: Vec<(String, String)> = MemberKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(kind_label(*k)).to_string())).collect();
    let types: Vec<(String, String)> = ListType::ALL.iter().map(|k| (k.code().to_string(), lang.t(type_label(*k)).to_string())).collect();
    const FIELDS: &[&str] =
        &["name", "member_kind", "list_type", "query", "purpose", "source", "cost", "currency", "description", "owner_id"];
    let (id, version) = list.as_ref().map(|l| (l.id.to_string(), l.version.to_string())).unwrap_or_default();
    let dynamic = list.as_ref().map(|l| l.list_type == ListType::Dynamic).unwrap_or(true);
    let locked = list.as_ref().is_some_and(|l| l.locked);
    let query = list.as_ref().and_then(|l| l.query.clone()).unwrap_or(preset.query.clone());
    let l = list.clone();
    let value = move |f: fn(&MarketingList) -> Option<String>| l.as_ref().and_then(f).unwrap_or_default();
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true attr:id="list-form">
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=id/>
            <input type="hidden" name="input[version]" value=version/>
            <TextField label=M::Name key="name" value=value(|l| Some(l.name.clone())) error=error required=true/>
            {if is_new {
                view! {
                    <SelectField label=M::MlMemberKind key="member_kind" options=kinds selected=if preset.kind.is_empty() { "contact".to_string() } else { preset.kind.clone() } error=error required=true/>
                    <SelectField label=M::MlListType key="list_type" options=types selected=preset.list_type.clone() error=error/>
                }
                .into_any()
            } else {
                ().into_any()
            }}
            <TextField label=M::MlPurpose key="purpose" value=value(|l| l.purpose.clone()) error=error/>
            <TextField label=M::Source key="source" value=value(|l| l.source.clone()) error=error/>
            <TextField label=M::MlCost key="cost" value=value(|l| (l.cost_minor != 0).then(|| minor_to_input(l.cost_minor))) error=error/>
            <SelectField label=M::Currency key="currency" options=currencies selected=value(|l| Some(l.currency.code().to_string())) error=error/>
            <SelectField
                label=M::Owner
                key="owner_id"
                options=owners
                selected=list.as_ref().map(|l| l.owner_id).or(me.map(|m| m.id)).map(|i| i.to_string()).unwrap_or_default()
                error=error
            />
            <TextArea label=M::Description key="description" value=value(|l| l.description.clone()) error=error/>
            {(dynamic && !locked).then(|| view! {
                <TextArea label=M::MlQuery key="query" value=query.clone() error=error/>
                <p class="muted small field-wide">{t(M::MlQueryHint)}</p>
            })}
            {is_new.then(|| view! {
                <p class="muted small field-wide">{t(M::MlStaticHint)}" "{t(M::MlDynamicHint)}</p>
            })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}
                </button>
            </div>
        </ActionForm>
    }
}
