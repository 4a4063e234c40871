//! Form fields that show their own validation error inline and keep what the user typed.

use super::context::use_lang;
use crate::error::AppError;
use crate::i18n::labels::field_message;
use crate::i18n::M;
use leptos::prelude::*;

fn field_error(error: Signal<Option<AppError>>, key: &'static str) -> impl Fn() -> Option<String> + Send + Sync + Copy + 'static {
    let lang = use_lang();
    move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == key => Some(field_message(lang, &field, &problem)),
        _ => None,
    }
}

/// A labelled text input named `input[key]` (or `key` when `plain`).
#[component]
pub fn TextField(
    label: M,
    key: &'static str,
    #[prop(into)] value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] plain: bool,
    #[prop(optional)] hint: Option<M>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// Distinguishes element ids when one page has several forms with the same field.
    #[prop(optional)]
    form: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let err = field_error(error, key);
    let id = format!("f-{form}{key}");
    let name = if plain { key.to_string() } else { format!("input[{key}]") };
    let err_id = format!("{id}-err");
    view! {
        <div class="field" class:has-error=move || err().is_some()>
            <label for=id.clone()>{lang.t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=move || err().is_some().then_some("true")
                aria-describedby=err_id.clone()
            />
            {hint.map(|h| view! { <small class="hint">{lang.t(h)}</small> })}
            <small class="error" id=err_id role="alert">{err}</small>
        </div>
    }
}

#[component]
pub fn TextArea(label: M, key: &'static str, #[prop(into)] value: String, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    let err = field_error(error, key);
    let id = format!("f-{key}");
    view! {
        <div class="field field-wide" class:has-error=move || err().is_some()>
            <label for=id.clone()>{lang.t(label)}</label>
            <textarea id=id name=format!("input[{key}]") rows="4" prop:value=value.clone()>{value.clone()}</textarea>
            <small class="error" role="alert">{err}</small>
        </div>
    }
}

/// A select over (value, label) options; `empty` adds a "none" choice first.
#[component]
pub fn SelectField(
    label: M,
    key: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] empty: Option<M>,
    #[prop(optional)] required: bool,
    #[prop(optional)] plain: bool,
    #[prop(optional)] form: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let err = field_error(error, key);
    let id = format!("f-{form}{key}");
    let name = if plain { key.to_string() } else { format!("input[{key}]") };
    view! {
        <div class="field" class:has-error=move || err().is_some()>
            <label for=id.clone()>{lang.t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            <select id=id name=name aria-invalid=move || err().is_some().then_some("true")>
                {empty.map(|m| view! { <option value="">{lang.t(m)}</option> })}
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let sel = v == selected;
                        view! { <option value=v selected=sel>{l}</option> }
                    })
                    .collect_view()}
            </select>
            <small class="error" role="alert">{err}</small>
        </div>
    }
}

/// A group of checkboxes posted as `input[key][]`.
#[component]
pub fn CheckGroup(
    label: M,
    key: &'static str,
    options: Vec<(String, String)>,
    selected: Vec<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let err = field_error(error, key);
    view! {
        <fieldset class="field field-wide checks" class:has-error=move || err().is_some()>
            <legend>{lang.t(label)}<span class="req" aria-hidden="true">" *"</span></legend>
            {options
                .into_iter()
                .map(|(v, l)| {
                    let checked = selected.contains(&v);
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("input[{key}][]") value=v checked=checked/>
                            {l}
                        </label>
                    }
                })
                .collect_view()}
            <small class="error" role="alert">{err}</small>
        </fieldset>
    }
}

/// Checkboxes each posted on its own as `input[key]` = "on" when ticked (nothing when not): one
/// `(key, label, checked)` per box, under `legend` when there are several. Each box's error shows
/// below them.
#[component]
pub fn CheckFields(
    #[prop(optional)] legend: Option<M>,
    boxes: Vec<(&'static str, M, bool)>,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] hint: Option<M>,
    /// The fieldset's id (tests and links find the group by it).
    #[prop(optional)]
    id: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let keys: Vec<&'static str> = boxes.iter().map(|(k, _, _)| *k).collect();
    let err = move || match error.get() {
        Some(AppError::Validation { field, problem }) if keys.contains(&field.as_str()) => Some(field_message(lang, &field, &problem)),
        _ => None,
    };
    let err = Signal::derive(err);
    view! {
        <fieldset class="field field-wide checks" class:has-error=move || err.get().is_some() id=(!id.is_empty()).then_some(id)>
            {legend.map(|l| view! { <legend>{lang.t(l)}</legend> })}
            {boxes
                .into_iter()
                .map(|(key, label, checked)| {
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("input[{key}]") value="on" checked=checked/>
                            {lang.t(label)}
                        </label>
                    }
                })
                .collect_view()}
            {hint.map(|h| view! { <small class="hint">{lang.t(h)}</small> })}
            <small class="error" role="alert">{move || err.get()}</small>
        </fieldset>
    }
}
