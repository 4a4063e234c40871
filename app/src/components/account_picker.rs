//! Picks an account by typing part of its name: the server returns the first matches, so the form
//! never loads the whole account table.

use super::context::use_lang;
use crate::api::accounts::account_choices;
use crate::api::accounts::get_account;
use crate::domain::Choice;
use crate::error::AppError;
use crate::i18n::labels::field_message;
use crate::i18n::M;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPicker(
    selected: Option<Choice>,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] required: bool,
    /// Told the chosen account id whenever it changes.
    #[prop(optional, into)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let options = RwSignal::new(selected.clone().into_iter().collect::<Vec<Choice>>());
    let current = RwSignal::new(selected.map(|c| c.id.to_string()).unwrap_or_default());
    let err = move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == "account_id" => Some(field_message(lang, &field, &problem)),
        _ => None,
    };
    let search = move |q: String| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = account_choices(q).await {
                let keep = found.iter().any(|c| c.id.to_string() == current.get_untracked());
                if !keep {
                    let first = if required { found.first().map(|c| c.id.to_string()).unwrap_or_default() } else { String::new() };
                    current.set(first.clone());
                    if let Some(cb) = on_change {
                        cb.run(first);
                    }
                }
                options.set(found);
            }
        });
    };
    view! {
        <div class="field" class:has-error=move || err().is_some()>
            <label for="f-account_id">{lang.t(M::Account)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            <div class="picker">
                <input
                    type="search"
                    class="picker-search"
                    placeholder=lang.t(M::Search)
                    aria-label=format!("{}: {}", lang.t(M::Search), lang.t(M::Account))
                    on:input=move |ev| search(event_target_value(&ev))
                    on:focus=move |_| {
                        if options.with_untracked(|o| o.len() <= 1) {
                            search(String::new())
                        }
                    }
                />
                <select
                    id="f-account_id"
                    name="input[account_id]"
                    prop:value=move || current.get()
                    aria-invalid=move || err().is_some().then_some("true")
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        current.set(v.clone());
                        if let Some(cb) = on_change {
                            cb.run(v);
                        }
                    }
                >
                    {(!required).then(|| view! { <option value="">{lang.t(M::NoneChoice)}</option> })}
                    <For each=move || options.get() key=|c| c.id let:c>
                        <option value=c.id.to_string() selected=move || current.get() == c.id.to_string()>{c.label.clone()}</option>
                    </For>
                </select>
            </div>
            <small class="error" role="alert">{err}</small>
        </div>
    }
}

/// The account a "new …" form was opened from (`?account=ID`), if visible.
pub fn preset_account() -> Resource<Option<Choice>> {
    let query = use_query_map();
    Resource::new(
        move || query.with(|q| q.get("account").and_then(|s| s.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => get_account(id).await.ok().map(|a| Choice { id: a.id, label: a.name }),
                None => None,
            }
        },
    )
}
